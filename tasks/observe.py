"""Stage progress on the terminal and honest failure: a stage with a failed shard fails the run.

Prefect's `PrefectFutureList.result()` raises only the first failure and a flow whose mapped task
failed can still end COMPLETED, so every future is waited for and every state is read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prefect.futures import PrefectFuture, as_completed

T = TypeVar("T")


class StageFailedError(RuntimeError):
    """One or more shards of a stage failed after their retries; the rest are checkpointed."""


class Progress:
    """One line per finished shard: how far, how fast, how long to go."""

    def __init__(self, stage: str, shards: int, logger: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        self.stage, self.shards, self.logger = stage, shards, logger
        self.done = self.records = 0
        self.started = time.monotonic()

    def advance(self, records: int) -> str:
        self.done += 1
        self.records += records
        elapsed = max(time.monotonic() - self.started, 1e-9)
        eta = elapsed / self.done * (self.shards - self.done)
        line = (
            f"{self.stage}: {self.done}/{self.shards} shards · {self.records:,} records · "
            f"{self.records / elapsed:,.0f} rec/s · ETA {eta:,.0f}s"
        )
        self.logger.info(line)
        return line


def collect(
    stage: str,
    named: Sequence[tuple[str, PrefectFuture[T]]],
    records_of: Callable[[T], int],
    logger: logging.Logger | logging.LoggerAdapter[Any],
) -> list[T]:
    """Wait for every shard, log progress as each finishes, and raise naming every failed shard."""
    progress = Progress(stage, len(named), logger)
    names = {future.task_run_id: name for name, future in named}
    failed: list[str] = []
    for future in as_completed([future for _, future in named]):
        future.wait()  # pins the final state; without it `state` may read a stale one from the API
        state = future.state
        if state.is_completed():
            progress.advance(records_of(future.result()))
        else:
            failed.append(f"{names[future.task_run_id]} ({state.name}: {state.message})")
    if failed:
        raise StageFailedError(
            f"{stage}: {len(failed)} of {len(named)} shards failed: {'; '.join(sorted(failed))}. "
            "Finished shards are checkpointed; run the same command again to retry only the failed ones."
        )
    return [future.result() for _, future in named]
