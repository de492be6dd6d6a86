"""Synthesis subflow: generated conversations in shards, so generation resumes and parallelises."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture

from tasks.accounting import ShardOutcome
from tasks.observe import collect
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef
from tasks.synthesis.generate_shard import generate_shard
from tasks.synthesis.grounded import generate_grounded_shard
from tasks.synthesis.volumes import RECORDS_PER_ROW, shard_plan


@flow(name="synthesis", log_prints=True)
def synthesis(
    config: PipelineConfig,
    passages: list[ShardRef],
    volumes: dict[str, int] | None = None,
    first_shard: int = 0,
) -> list[ShardOutcome]:
    """Generate each kind's volume (by default its target) with Data Designer, shard by shard: offline,
    or through the configured LLM endpoint, whose lost rows are counted as quarantined shortfall.
    Grounded conversations cite `passages` (the run's source passages); without any, none are made.
    """
    work = str(config.work_dir)

    def submit(kind: str, index: int, count: int) -> PrefectFuture[ShardOutcome]:
        if kind == "grounded":
            return generate_grounded_shard.submit(passages, index, count, config.seed, work)
        return generate_shard.submit(kind, index, count, config.seed, work, config.llm)

    futures = []
    for kind, volume in (volumes or config.target_volumes()).items():
        if kind == "grounded" and not passages:
            continue
        per_shard = config.shard_records - config.shard_records % RECORDS_PER_ROW.get(kind, 1)
        for index, count in shard_plan(volume, per_shard, first_shard):
            futures.append((f"{kind}-{index:05d}", submit(kind, index, count)))
    return collect("synthesis", futures, lambda o: o.kept.records, get_run_logger())
