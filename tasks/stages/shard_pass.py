"""The shard pass: one task reads a shard once, applies every step in order as pure functions, and
writes its keepers, its quarantine and the keepers' fingerprints once.

The steps, in order: set aside the exact copies the copy plan found (`copies`); normalise and scrub
PII; judge chat format and language (the `preprocess` stage); route crisis conversations and run each
kind's gates from the registry (the `gates` stage); fingerprint the survivors for the global dedup.
Each stage keeps its own counts, tallies and quarantine file, so the run's accounting reads as before;
the CPU time of each step is kept too, for the run's log and the benchmarks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from prefect import task
from pydantic import BaseModel, ConfigDict, Field

from tasks.accounting import Counts, GateTallies, KindCounts, merge_counts, merge_tallies
from tasks.caching import SHARD_CACHE, work_path
from tasks.gates.gate_settings import GateSettings
from tasks.preprocess import clean
from tasks.preprocess.dedup import Fingerprint, fingerprint
from tasks.preprocess.near_dup import signature
from tasks.records import Record
from tasks.retries import SHARD_RETRIES
from tasks.settings import PreprocessSettings
from tasks.shards import ShardRef, read_models, write_shard
from tasks.split import group_of
from tasks.stages.copies import Copy, read_originals
from tasks.stages.gate_records import STAGE as GATES
from tasks.stages.gate_records import gate_records, passage_texts
from tasks.stages.partition import Partition, partition

PREPROCESS = "preprocess"
T = TypeVar("T")


class PassedShard(BaseModel):
    """One shard after the pass: the keepers, each stage's quarantine and counts, the keepers'
    fingerprints line for line, the copies set aside, the PII replaced by type, every gate's tallies,
    CPU seconds per step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kept: ShardRef
    fingerprints: ShardRef
    quarantine: dict[str, ShardRef]
    counts: dict[str, KindCounts]
    duplicates: ShardRef | None = None
    pii: dict[str, int] = Field(default_factory=dict)
    tallies: GateTallies = Field(default_factory=dict)
    seconds: dict[str, float] = Field(default_factory=dict)

    def entered(self) -> int:
        return sum(c.entered for c in self.counts[PREPROCESS].values())


def _timed(seconds: dict[str, float], step: str, run: Callable[[], T]) -> T:
    started = time.process_time()
    result = run()
    seconds[step] = round(time.process_time() - started, 3)
    return result


def _fingerprint(record: Record) -> Fingerprint:
    """What the global dedup and split plan reads of a kept record."""
    return Fingerprint(
        fp=fingerprint(record),
        id=record.id,
        kind=record.kind.value,
        group=group_of(record),
        minhash=signature(record),
    )


def pass_records(
    records: list[Record],
    preprocessing: PreprocessSettings,
    gates: GateSettings,
    passages: list[ShardRef],
    seconds: dict[str, float],
) -> tuple[dict[str, Partition], dict[str, int]]:
    """Both stages over the records: each stage's partition, and the PII replaced by type."""
    scrubbed, pii = _timed(seconds, "normalise+pii", lambda: clean.scrub(records, preprocessing))
    judged = _timed(seconds, "chat_format+language", lambda: clean.judge(scrubbed, preprocessing))
    cleaned = partition(PREPROCESS, scrubbed, judged)
    texts = passage_texts(cleaned.kept, passages)
    gated = _timed(seconds, "gates", lambda: gate_records(cleaned.kept, gates, texts))
    return {PREPROCESS: cleaned, GATES: gated}, dict(sorted(pii.items()))


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    **SHARD_RETRIES,
    task_run_name="pass_shard-{name}",
)
def pass_shard(
    shard: ShardRef,
    name: str,
    preprocessing: PreprocessSettings,
    gates: GateSettings,
    passages: list[ShardRef],
    custom_versions: dict[str, str],
    work_dir: str,
    copies: ShardRef | None = None,
) -> PassedShard:
    """Preprocess and gate one shard, less the `copies` the copy plan found in it (counted as
    deduplicated by the preprocess stage); `custom_versions` (custom gates' source hashes) only keys
    the checkpoint."""
    seconds: dict[str, float] = {}
    listed = list(read_models(copies, Copy)) if copies else []
    records = _timed(seconds, "read", lambda: read_originals(shard, listed))
    duplicates = [c.duplicate() for c in listed]
    stages, pii = pass_records(records, preprocessing, gates, passages, seconds)
    kept = stages[GATES].kept
    prints = _timed(seconds, "fingerprints", lambda: [_fingerprint(r) for r in kept])
    key = [shard, preprocessing, gates, passages, custom_versions, copies]

    def write() -> tuple[ShardRef, ShardRef, dict[str, ShardRef], ShardRef | None]:
        return (
            write_shard(work_path(work_dir, "pass", key, "kept.jsonl"), kept),
            write_shard(work_path(work_dir, "pass", key, "fingerprints.jsonl"), prints),
            {
                stage: write_shard(work_path(work_dir, "pass", key, f"quarantine-{stage}.jsonl"), p.rejects)
                for stage, p in stages.items()
            },
            write_shard(work_path(work_dir, "pass", key, "copies.jsonl"), duplicates) if duplicates else None,
        )

    kept_ref, prints_ref, quarantine, duplicates_ref = _timed(seconds, "write", write)
    counts = {stage: p.counts for stage, p in stages.items()}
    counts[PREPROCESS] = merge_counts(
        [counts[PREPROCESS], *({d.kind: Counts(entered=1, deduplicated=1)} for d in duplicates)]
    )
    return PassedShard(
        name=name,
        kept=kept_ref,
        fingerprints=prints_ref,
        quarantine=quarantine,
        counts=counts,
        duplicates=duplicates_ref,
        pii=pii,
        tallies=merge_tallies(p.tallies for p in stages.values()),
        seconds=seconds,
    )
