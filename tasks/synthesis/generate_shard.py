"""The one Prefect task that generates a shard of any Data Designer kind; the kinds differ only in
their `Generator` (tasks/synthesis/generator.py). Grounded conversations, which read passage shards,
have their own task (tasks/synthesis/grounded.py)."""

from __future__ import annotations

from prefect import task

from tasks.accounting import ShardOutcome
from tasks.caching import SHARD_CACHE
from tasks.retries import SHARD_RETRIES
from tasks.synthesis import bias, edge_cases, therapeutic
from tasks.synthesis.generator import Generator
from tasks.synthesis.llm_settings import LlmSettings

GENERATORS: dict[str, Generator] = {
    "therapeutic": therapeutic.GENERATE,
    "bias": bias.GENERATE,
    "edge_case": edge_cases.GENERATE,
}


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    **SHARD_RETRIES,
    task_run_name="generate_shard-{kind}-{shard_index:05d}",
)
def generate_shard(
    kind: str, shard_index: int, count: int, run_seed: int, work_dir: str, llm: LlmSettings | None = None
) -> ShardOutcome:
    """Generate, write and count one shard of `kind` (bias shards hold whole pairs)."""
    return GENERATORS[kind].write_shard(shard_index, count, run_seed, work_dir, llm)
