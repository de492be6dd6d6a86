"""Synthesis subflow: generated conversations in shards, so generation resumes and parallelises."""

from __future__ import annotations

from prefect import flow, get_run_logger

from tasks.accounting import ShardOutcome
from tasks.observe import collect
from tasks.settings import PipelineConfig
from tasks.synthesis.therapeutic import generate_therapeutic_shard


def shard_plan(total: int, shard_records: int) -> list[tuple[int, int]]:
    """(shard index, records) pairs covering `total` in shards of at most `shard_records`."""
    return [(i, min(shard_records, total - start)) for i, start in enumerate(range(0, total, shard_records))]


@flow(name="synthesis", log_prints=True)
def synthesis(config: PipelineConfig) -> list[ShardOutcome]:
    """Generate `config.therapeutic_samples` therapeutic conversations offline with Data Designer."""
    work = str(config.work_dir)
    futures = [
        (f"therapeutic-{index:05d}", generate_therapeutic_shard.submit(index, count, config.seed, work))
        for index, count in shard_plan(config.therapeutic_samples, config.shard_records)
    ]
    return collect("synthesis", futures, lambda o: o.kept.records, get_run_logger())
