"""Synthesis subflow: generated conversations in shards, so generation resumes and parallelises."""

from __future__ import annotations

import math
from collections.abc import Mapping

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
# Kinds a top-up round can generate more of: the synthesis generators and the grounded conversations
# of sourcing.
TOP_UP_KINDS = (*GENERATORS, "grounded")
# A bias row is a pair of two members with a biased and an unbiased reply each: shards hold whole pairs.
RECORDS_PER_ROW = {"bias": 4}


def shard_plan(total: int, shard_records: int, first: int = 0) -> list[tuple[int, int]]:
    """(shard index, records) pairs covering `total` in shards of at most `shard_records`, numbered
    from `first` (top-up rounds number theirs past the first round's, so every shard has its own seed)."""
    return [
        (first + i, min(shard_records, total - start))
        for i, start in enumerate(range(0, total, shard_records))
    ]


def top_up_volumes(
    targets: Mapping[str, int], generated: Mapping[str, int], exported: Mapping[str, int]
) -> dict[str, int]:
    """Records to generate again per kind, so that the gates' measured pass rate meets the target.

    The pass rate of what was generated so far estimates the next round's; a kind nothing of which
    survived is generated at its full shortfall again rather than guessed at.
    """
    extra = {}
    for kind, target in targets.items():
        short = target - exported.get(kind, 0)
        if kind not in TOP_UP_KINDS or short <= 0:
            continue
        rate = exported.get(kind, 0) / generated[kind] if generated.get(kind) else 0.0
        unit = RECORDS_PER_ROW.get(kind, 1)
        wanted = math.ceil(short / rate) if rate > 0 else short
        extra[kind] = min(math.ceil(wanted / unit) * unit, 4 * target)
    return extra


@flow(name="synthesis", log_prints=True)
def synthesis(
    config: PipelineConfig, volumes: dict[str, int] | None = None, first_shard: int = 0
) -> list[ShardOutcome]:
    """Generate each kind's volume (by default its target) with Data Designer, shard by shard: offline,
    or through the configured LLM endpoint, whose lost rows are counted as quarantined shortfall.
    """
    work = str(config.work_dir)
    futures = []
    for kind, volume in (volumes or config.target_volumes()).items():
        if kind not in GENERATORS:  # grounded conversations come from sourcing
            continue
        unit = RECORDS_PER_ROW.get(kind, 1)
        for index, count in shard_plan(
            volume, config.shard_records - config.shard_records % unit, first_shard
        ):
            future = GENERATORS[kind].submit(index, count, config.seed, work, config.llm)
            futures.append((f"{kind}-{index:05d}", future))
    return collect("synthesis", futures, lambda o: o.kept.records, get_run_logger())
