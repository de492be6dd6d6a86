"""Exact 70/15/15 splits: stratified by kind, grouped so no source document or conversation straddles
two splits, and deterministic for a seed whatever the shard layout or runner.

Targets come from largest-remainder rounding. Groups are placed largest first (ties in a
seed-keyed hash order) into the split with the largest remaining deficit. With one record per
group the counts are exact; otherwise each split misses its target by less than the largest group
of that kind (the last overfill happens when every deficit is below that group's size, and later
placements only shrink deficits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from tasks.records import Record

SPLITS: tuple[str, ...] = ("train", "validation", "test")
RATIOS: tuple[float, ...] = (0.70, 0.15, 0.15)


def group_of(record: Record) -> str:
    """Records that share content form one group, so it never straddles two splits: conversations
    grounded in the same passage, answers to the same question, variants of one parent conversation.

    The unit is the passage, not the whole book: with a handful of bundled books, book-sized groups
    would leave whole splits without a grounded record.
    """
    source = record.source
    if source.type == "conversation":
        return f"conversation:{source.uri}#{record.labels.get('question_id', source.locator)}"
    if source.type != "synthetic":
        return f"source:{source.uri}#{source.locator}"
    if record.lineage.parents:
        return f"parent:{record.lineage.parents[0]}"
    return f"record:{record.id}"


def split_targets(total: int, ratios: tuple[float, ...] = RATIOS) -> list[int]:
    """Largest-remainder rounding: the targets sum to `total` and each is within 1 of its quota."""
    quotas = [total * ratio for ratio in ratios]
    targets = [int(q) for q in quotas]
    order = sorted(range(len(ratios)), key=lambda i: (-(quotas[i] - targets[i]), i))
    for i in order[: total - sum(targets)]:
        targets[i] += 1
    return targets


def _rank(seed: int, kind: str, group: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{kind}\x00{group}".encode()).digest()


def assign_groups(sizes: Mapping[str, int], kind: str, seed: int) -> dict[str, str]:
    """Map every group of one kind to a split, meeting the targets as closely as groups allow."""
    targets = split_targets(sum(sizes.values()))
    deficit = dict(zip(SPLITS, targets, strict=True))
    assignment: dict[str, str] = {}
    for group in sorted(sizes, key=lambda g: (-sizes[g], _rank(seed, kind, g))):
        chosen = max(SPLITS, key=lambda s: (deficit[s], -SPLITS.index(s)))
        deficit[chosen] -= sizes[group]
        assignment[group] = chosen
    return assignment


def assign_splits(members: Iterable[tuple[str, str]], seed: int) -> dict[str, str]:
    """Map each group to a split, given one (kind, group) pair per record.

    A group that spans kinds is stratified under its first kind in name order, so it still lands
    in one split as a whole.
    """
    sizes: dict[str, int] = {}
    kind_of: dict[str, str] = {}
    for kind, group in members:
        sizes[group] = sizes.get(group, 0) + 1
        kind_of[group] = min(kind, kind_of.get(group, kind))
    by_kind: dict[str, dict[str, int]] = {}
    for group, size in sizes.items():
        by_kind.setdefault(kind_of[group], {})[group] = size
    assignment: dict[str, str] = {}
    for kind, groups in sorted(by_kind.items()):
        assignment.update(assign_groups(groups, kind, seed))
    return assignment
