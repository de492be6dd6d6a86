"""The first gating pass over a shard: normalise, scrub PII, then check chat format and language.

PII is scrubbed before anything is judged, so a quarantined record never keeps a phone number either.
"""

from __future__ import annotations

from collections import Counter

from prefect import task
from pydantic import Field

from tasks.accounting import Counts, GateTallies, ShardOutcome, merge_counts, tally
from tasks.caching import SHARD_CACHE, work_path
from tasks.preprocess import chat_format, language
from tasks.preprocess.normalize import normalize_record
from tasks.preprocess.pii import scrub_record
from tasks.records import GateVerdict, QuarantineItem, Record
from tasks.settings import GatingSettings
from tasks.shards import ShardRef, read_models, write_shard

STAGE = "preprocess"


class CleanedShard(ShardOutcome):
    """A cleaned shard, the PII replaced in it by type, and how its gates judged it."""

    pii: dict[str, int] = Field(default_factory=dict)
    tallies: GateTallies = Field(default_factory=dict)


def scrub(records: list[Record], settings: GatingSettings) -> tuple[list[Record], Counter[str]]:
    """Normalised records with PII replaced by typed placeholders, and the replacements by type."""
    found: Counter[str] = Counter()
    scrubbed = []
    for record in records:
        clean, counts = scrub_record(normalize_record(record), settings.pii)
        scrubbed.append(clean)
        found.update(counts)
    return scrubbed, found


def clean(
    records: list[Record], settings: GatingSettings
) -> tuple[list[Record], list[QuarantineItem], list[tuple[str, GateVerdict]]]:
    """Records that pass the format and language gates, quarantine items for the rest, and every
    verdict with the kind of the record it judged."""
    judged = list(
        zip(
            records,
            chat_format.check(records, settings),
            language.check(records, settings.language),
            strict=True,
        )
    )
    kept: list[Record] = []
    rejects: list[QuarantineItem] = []
    for record, *verdicts in judged:
        final = record.model_copy(update={"gates": (*record.gates, *verdicts)})
        failed = [v for v in verdicts if not v.passed]
        if not failed:
            kept.append(final)
            continue
        rejects.append(
            QuarantineItem(
                id=record.id,
                stage=STAGE,
                kind=record.kind.value,
                reasons=tuple(reason for v in failed for reason in v.reasons),
                record=final.model_dump(mode="json"),
            )
        )
    return kept, rejects, [(record.kind.value, v) for record, *verdicts in judged for v in verdicts]


def count_by_kind(
    entered: list[Record], kept: list[Record], rejects: list[QuarantineItem]
) -> dict[str, Counts]:
    parts = [{r.kind.value: Counts(entered=1)} for r in entered]
    parts += [{r.kind.value: Counts(kept=1)} for r in kept]
    parts += [{str(q.kind): Counts(quarantined=1)} for q in rejects]
    return merge_counts(parts)


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    retries=2,
    retry_delay_seconds=1,
    task_run_name="clean_shard-{name}",
)
def clean_shard(shard: ShardRef, name: str, settings: GatingSettings, work_dir: str) -> CleanedShard:
    """Clean one shard and write its keepers and its rejects."""
    records, pii = scrub(list(read_models(shard, Record)), settings)
    kept, rejects, verdicts = clean(records, settings)
    key = [shard, settings]
    return CleanedShard(
        name=name,
        kept=write_shard(work_path(work_dir, STAGE, key, "kept.jsonl"), kept),
        quarantine=write_shard(work_path(work_dir, STAGE, key, "quarantine.jsonl"), rejects),
        counts=count_by_kind(records, kept, rejects),
        pii=dict(sorted(pii.items())),
        tallies=tally(verdicts),
    )
