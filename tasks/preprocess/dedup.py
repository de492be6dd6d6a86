"""Exact, global de-duplication: one content fingerprint per record, one decision over all shards.

Per-shard dedup misses every cross-shard twin and changes with the shard size or runner, so shards
only emit fingerprints; a single global step keeps the lowest id of each cluster (ties broken by
position) and names it as the twin of every other member.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from tasks.records import Contract, Record, canonical_json

ShardLine = tuple[int, int]


class Printed(Protocol):
    """What exact dedup reads of a record: its content fingerprint and its id."""

    @property
    def fp(self) -> str: ...

    @property
    def id(self) -> str: ...


class Fingerprint(Contract):
    """What the global dedup and split steps need of a record, without its text."""

    fp: str
    id: str
    kind: str
    group: str
    minhash: tuple[int, ...] = ()


def fingerprint(record: Record) -> str:
    """Hash of the case-folded turns: the same conversation from any kind or source collides."""
    turns = [[m.role.value, " ".join(m.content.casefold().split())] for m in record.messages]
    return hashlib.sha256(canonical_json(turns)).hexdigest()[:32]


def find_duplicates(shards: Sequence[Iterable[Printed]]) -> dict[ShardLine, str]:
    """Map (shard, line) of every duplicate to the id of the record kept in its place. Each shard is
    iterated twice, so it may be a list or anything that reads its lines again."""
    keeper: dict[str, tuple[str, int, int]] = {}
    for shard, prints in enumerate(shards):
        for line, item in enumerate(prints):
            candidate = (item.id, shard, line)
            if item.fp not in keeper or candidate < keeper[item.fp]:
                keeper[item.fp] = candidate
    duplicates: dict[ShardLine, str] = {}
    for shard, prints in enumerate(shards):
        for line, item in enumerate(prints):
            kept_id, kept_shard, kept_line = keeper[item.fp]
            if (kept_shard, kept_line) != (shard, line):
                duplicates[(shard, line)] = kept_id
    return duplicates


class Duplicate(Contract):
    """A record removed as a duplicate, naming the record kept in its place."""

    id: str
    kind: str
    duplicate_of: str
