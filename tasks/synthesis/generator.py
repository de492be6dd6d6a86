"""What every Data Designer generator shares: seed the shard, build the config, run the engine (offline
or through the LLM endpoint), turn rows into records (a malformed or dropped row becomes a quarantined
slot), and write and count the shard. A generator module only says how to build its config and how a
row becomes records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from blocks.llm_provider import resolve_api_key
from tasks.accounting import ShardOutcome
from tasks.records import QuarantineItem, Record, RecordKind
from tasks.synthesis.engine import Origin, explain_drops, llm_work_dir, run_engine, shard_seed
from tasks.synthesis.llm_settings import LlmSettings
from tasks.synthesis.rows import Row, records_from_rows, shard_outcome

Generated = tuple[list[Record], list[QuarantineItem]]


@dataclass(frozen=True)
class Generator:
    """One kind's generator: its name (which seeds its shards and names it in lineage), how to build
    the config for `rows` rows of a shard, and how one row becomes `per_row` records."""

    kind: RecordKind
    name: str
    build: Callable[[int, int, LlmSettings | None], Any]  # (rows, shard index, llm) -> config builder
    convert: Callable[[Row, int, Origin], list[Record]]  # (row, shard seed, origin) -> records
    per_row: int = 1

    def synthesize(
        self,
        count: int,
        run_seed: int,
        shard_index: int,
        llm: LlmSettings | None = None,
        key: SecretStr | None = None,
    ) -> Generated:
        """`count` records of one shard (whole rows, the last cut short); rows the engine dropped or
        that were malformed become quarantine items."""
        seed = shard_seed(run_seed, self.name, shard_index)
        rows = -(-count // self.per_row)
        made, origin, failure = run_engine(
            self.build(rows, shard_index, llm), rows, seed, self.name, llm, key
        )
        generated = records_from_rows(
            made, count, shard_index, self.kind, lambda row: self.convert(row, seed, origin), self.per_row
        )
        return explain_drops(generated, failure)

    def write_shard(
        self, shard_index: int, count: int, run_seed: int, work_dir: str, llm: LlmSettings | None
    ) -> ShardOutcome:
        """Generate one shard, then write and count it (LLM shards apart from offline ones)."""
        generated = self.synthesize(count, run_seed, shard_index, llm, resolve_api_key(llm))
        return shard_outcome(self.kind, shard_index, count, run_seed, llm_work_dir(work_dir, llm), generated)
