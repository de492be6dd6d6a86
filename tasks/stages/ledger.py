"""The stage ledger: each stage subflow of a run timed, named, tagged and recorded in the metadata DB,
and every stage's accounting checked before it is stored.

The parent flow calls its subflows itself, typed, inside `ledger.stage(name)`:

    with ledger.stage("sourcing") as stage:
        sourced = stage.options(sourcing)(config)

so go-to-definition and type checking follow the call, and the ledger only adds what every stage
needs: the run's task runner and result storage, a run name and tags the UI can tell apart, the
time it took, a failed row when it raised, and the progress bar.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prefect import Flow, tags
from prefect.filesystems import LocalFileSystem
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH
from prefect.task_runners import TaskRunner

from tasks.accounting import Counts, GateTallies, KindCounts, check_balanced
from tasks.metadata.store import MetadataStore
from tasks.run_artifacts import RunProgress
from tasks.settings import PipelineConfig

P = ParamSpec("P")
R = TypeVar("R")


class Stage:
    """One run of a stage subflow: the options its subflow runs with, and how long it took."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        self.name, self._options = name, options
        self.seconds = 0.0

    def options(self, subflow: Flow[P, R]) -> Flow[P, R]:
        """`subflow` as this stage runs it: on the run's task runner, named `{stage}-{dataset}`."""
        return subflow.with_options(**self._options)


def results_block(results: Path) -> str | None:
    """None where this process already keeps task results in `results` (the CLI sets it so); else, as
    in a deployment's run on a worker with its own PREFECT_HOME, a saved LocalFileSystem block for
    `results` (Prefect refuses an unsaved one), named after the folder, so checkpoints stay in the
    run's state folder whatever started it."""
    if Path(PREFECT_LOCAL_STORAGE_PATH.value()).resolve() == results:
        return None
    name = f"pipeline-results-{hashlib.sha256(str(results).encode()).hexdigest()[:16]}"
    LocalFileSystem(basepath=str(results)).save(name, overwrite=True)
    return f"local-file-system/{name}"


class StageLedger:
    """Times each stage subflow, checks its accounting, and records both in the metadata DB."""

    def __init__(
        self,
        store: MetadataStore,
        run_id: str,
        config: PipelineConfig,
        runner: Callable[[], TaskRunner[Any]],
        progress: RunProgress,
        result_storage: str | None,
    ) -> None:
        self.store, self.run_id = store, run_id
        self.config, self.runner, self.progress = config, runner, progress
        self.result_storage = {"result_storage": result_storage} if result_storage else {}
        self.counts: dict[str, KindCounts] = {}
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Run one stage's subflow inside: tagged by stage and dataset (its run and its task runs),
        timed, and recorded as failed if it raises."""
        dataset = self.config.dataset_name
        stage = Stage(
            name,
            {"task_runner": self.runner(), "flow_run_name": f"{name}-{dataset}", **self.result_storage},
        )
        started = time.monotonic()
        try:
            with tags(f"stage:{name}", f"dataset:{dataset}"):
                yield stage
        except BaseException:
            self.store.record_stage(self.run_id, name, {}, time.monotonic() - started, "failed")
            raise
        stage.seconds = time.monotonic() - started
        self.seconds[name] = self.seconds.get(name, 0.0) + stage.seconds
        self.progress.stage_done(name)

    def record_gates(self, tallies: GateTallies) -> None:
        """Each gate's verdicts per kind as a `gate:{name}` row: in = evaluated, kept = passed,
        quarantined = failed (for the crisis gate, failed means flagged: rerouted, or a corpus conversation
        cut before the flagged turn)."""
        for gate, kinds in tallies.items():
            counts = {
                k: Counts(entered=t.evaluated, kept=t.passed, quarantined=t.failed) for k, t in kinds.items()
            }
            self.store.record_stage(self.run_id, f"gate:{gate}", counts, 0.0, "completed")

    def record(self, counts: dict[str, KindCounts], seconds: float) -> None:
        """Store each stage's counts after checking that every record it took in is accounted for."""
        for stage, stage_counts in counts.items():
            check_balanced(stage, stage_counts)
            self.store.record_stage(self.run_id, stage, stage_counts, seconds, "completed")
            self.counts[stage] = stage_counts
