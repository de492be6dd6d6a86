"""Where every cleaned record goes: removed as a duplicate (naming its twin) or into one split.

One global planning task reads only fingerprints (ids, kinds, groups, hashes), so its memory is
sized by record count, not text; per-shard routing tasks then stream records into split shards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from prefect import task
from pydantic import BaseModel, ConfigDict, Field

from tasks.accounting import Counts, KindCounts, merge_counts
from tasks.caching import SHARD_CACHE, work_path
from tasks.preprocess.dedup import Duplicate, Fingerprint, find_duplicates
from tasks.preprocess.near_dup import find_near_duplicates
from tasks.records import Contract, Record
from tasks.retries import SHARD_RETRIES
from tasks.shards import ShardRef, read_models, write_shard
from tasks.split import SPLITS, assign_splits

STAGE = "dedup"


class Route(Contract):
    """One line's fate: exactly one of `split` and `duplicate_of` is set."""

    split: str | None = None
    duplicate_of: str | None = None


class RoutedShard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    splits: dict[str, ShardRef]
    duplicates: ShardRef
    counts: KindCounts = Field(default_factory=dict)
    split_kinds: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Records per kind in each split shard"
    )


def plan_routes(
    shards: Sequence[Sequence[Fingerprint]], seed: int, near_threshold: float | None = None
) -> list[list[Route]]:
    """Global exact then near-duplicate removal, then a grouped, stratified split of the survivors."""
    duplicates = find_duplicates(shards)
    if near_threshold is not None:
        candidates = (
            ((shard, line), item.kind, item.id, item.minhash)
            for shard, prints in enumerate(shards)
            for line, item in enumerate(prints)
            if (shard, line) not in duplicates
        )
        duplicates.update(find_near_duplicates(candidates, near_threshold))
    survivors = (
        (item.kind, item.group)
        for shard, prints in enumerate(shards)
        for line, item in enumerate(prints)
        if (shard, line) not in duplicates
    )
    assignment = assign_splits(survivors, seed)
    return [
        [
            Route(duplicate_of=duplicates[(shard, line)])
            if (shard, line) in duplicates
            else Route(split=assignment[item.group])
            for line, item in enumerate(prints)
        ]
        for shard, prints in enumerate(shards)
    ]


def route(records: list[Record], routes: list[Route]) -> tuple[dict[str, list[Record]], list[Duplicate]]:
    if len(records) != len(routes):
        raise ValueError(f"{len(records)} records but {len(routes)} routes: the plan is for another shard")
    by_split: dict[str, list[Record]] = {split: [] for split in SPLITS}
    duplicates: list[Duplicate] = []
    for record, decision in zip(records, routes, strict=True):
        if decision.duplicate_of is not None:
            duplicates.append(
                Duplicate(id=record.id, kind=record.kind.value, duplicate_of=decision.duplicate_of)
            )
        else:
            by_split[str(decision.split)].append(record)
    return by_split, duplicates


@task(cache_policy=SHARD_CACHE, persist_result=True, **SHARD_RETRIES)
def plan_routes_task(
    fingerprints: list[ShardRef], seed: int, near_threshold: float | None, work_dir: str
) -> list[ShardRef]:
    """Read every shard's fingerprints, plan globally, write one route file per shard."""
    shards = [list(read_models(ref, Fingerprint)) for ref in fingerprints]
    routes = plan_routes(shards, seed, near_threshold)
    key = [fingerprints, seed, near_threshold]
    return [
        write_shard(work_path(work_dir, "routing", key, f"routes-{index:05d}.jsonl"), shard_routes)
        for index, shard_routes in enumerate(routes)
    ]


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    **SHARD_RETRIES,
    task_run_name="route_shard-{name}",
)
def route_shard(kept: ShardRef, routes: ShardRef, name: str, work_dir: str) -> RoutedShard:
    """Drop one shard's duplicates and write its records into per-split shards."""
    records = list(read_models(kept, Record))
    by_split, duplicates = route(records, list(read_models(routes, Route)))
    key = [kept, routes]
    counts = merge_counts(
        [{r.kind.value: Counts(entered=1)} for r in records]
        + [{r.kind.value: Counts(kept=1)} for rows in by_split.values() for r in rows]
        + [{d.kind: Counts(deduplicated=1)} for d in duplicates]
    )
    return RoutedShard(
        name=name,
        splits={
            split: write_shard(work_path(work_dir, "split", key, f"{split}.jsonl"), rows)
            for split, rows in by_split.items()
        },
        duplicates=write_shard(work_path(work_dir, "split", key, "duplicates.jsonl"), duplicates),
        counts=counts,
        split_kinds={split: dict(Counter(r.kind.value for r in rows)) for split, rows in by_split.items()},
    )
