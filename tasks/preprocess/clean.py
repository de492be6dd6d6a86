"""The first gating pass over a shard: normalise, check chat format, and fingerprint the keepers."""

from __future__ import annotations

from prefect import task

from tasks.accounting import Counts, ShardOutcome, merge_counts
from tasks.caching import SHARD_CACHE, work_path
from tasks.preprocess import chat_format
from tasks.preprocess.dedup import Fingerprint, fingerprint
from tasks.preprocess.normalize import normalize_record
from tasks.records import QuarantineItem, Record
from tasks.settings import GatingSettings
from tasks.shards import ShardRef, read_models, write_shard
from tasks.split import group_of

STAGE = "preprocess"


class CleanedShard(ShardOutcome):
    """A cleaned shard plus the fingerprints of its keepers, line for line."""

    fingerprints: ShardRef


def clean(records: list[Record], settings: GatingSettings) -> tuple[list[Record], list[QuarantineItem]]:
    """Normalised records that pass the format gate, and quarantine items for those that fail."""
    normalised = [normalize_record(r) for r in records]
    kept: list[Record] = []
    rejects: list[QuarantineItem] = []
    for record, verdict in zip(normalised, chat_format.check(normalised, settings), strict=True):
        if verdict.passed:
            kept.append(record.with_verdict(verdict))
        else:
            rejects.append(
                QuarantineItem(
                    id=record.id,
                    stage=STAGE,
                    kind=record.kind.value,
                    reasons=verdict.reasons,
                    record=record.with_verdict(verdict).model_dump(mode="json"),
                )
            )
    return kept, rejects


def count_by_kind(
    entered: list[Record], kept: list[Record], rejects: list[QuarantineItem]
) -> dict[str, Counts]:
    parts = [{r.kind.value: Counts(entered=1)} for r in entered]
    parts += [{r.kind.value: Counts(kept=1)} for r in kept]
    parts += [{str(q.kind): Counts(quarantined=1)} for q in rejects]
    return merge_counts(parts)


@task(cache_policy=SHARD_CACHE, persist_result=True, retries=2, retry_delay_seconds=1)
def clean_shard(shard: ShardRef, name: str, settings: GatingSettings, work_dir: str) -> CleanedShard:
    """Clean one shard and write its keepers, its rejects and the keepers' fingerprints."""
    records = list(read_models(shard, Record))
    kept, rejects = clean(records, settings)
    prints = [Fingerprint(fp=fingerprint(r), id=r.id, kind=r.kind.value, group=group_of(r)) for r in kept]
    key = [shard, settings]
    return CleanedShard(
        name=name,
        kept=write_shard(work_path(work_dir, STAGE, key, "kept.jsonl"), kept),
        quarantine=write_shard(work_path(work_dir, STAGE, key, "quarantine.jsonl"), rejects),
        fingerprints=write_shard(work_path(work_dir, STAGE, key, "fingerprints.jsonl"), prints),
        counts=count_by_kind(records, kept, rejects),
    )
