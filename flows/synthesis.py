"""Synthesis subflow: generated conversations in shards, so generation resumes and parallelises."""

from __future__ import annotations

from prefect import flow, get_run_logger

from tasks.accounting import ShardOutcome
from tasks.observe import collect
from tasks.settings import PipelineConfig
from tasks.synthesis.bias import generate_bias_shard
from tasks.synthesis.edge_cases import generate_edge_case_shard
from tasks.synthesis.therapeutic import generate_therapeutic_shard

GENERATORS = {
    "therapeutic": generate_therapeutic_shard,
    "bias": generate_bias_shard,
    "edge_case": generate_edge_case_shard,
}
# A bias row is a pair of two members with a biased and an unbiased reply each: shards hold whole pairs.
RECORDS_PER_ROW = {"bias": 4}


def shard_plan(total: int, shard_records: int) -> list[tuple[int, int]]:
    """(shard index, records) pairs covering `total` in shards of at most `shard_records`."""
    return [(i, min(shard_records, total - start)) for i, start in enumerate(range(0, total, shard_records))]


@flow(name="synthesis", log_prints=True)
def synthesis(config: PipelineConfig) -> list[ShardOutcome]:
    """Generate every kind's target volume with Data Designer, shard by shard: offline, or through the
    configured LLM endpoint, whose lost rows are counted as quarantined shortfall.
    """
    work = str(config.work_dir)
    futures = []
    for kind, volume in config.target_volumes().items():
        if kind not in GENERATORS:  # grounded conversations come from sourcing
            continue
        unit = RECORDS_PER_ROW.get(kind, 1)
        for index, count in shard_plan(volume, config.shard_records - config.shard_records % unit):
            future = GENERATORS[kind].submit(index, count, config.seed, work, config.llm)
            futures.append((f"{kind}-{index:05d}", future))
    return collect("synthesis", futures, lambda o: o.kept.records, get_run_logger())
