"""Exact copies in corpora, found before the shard pass so they cost no preprocessing or gate time.

A copy of a conversation gets the same verdicts as its twin (every step is a pure function of the
record's content), and the global dedup would remove it after the gates anyway. Sourcing writes each
conversation shard's content fingerprints; one planning step over all of them keeps the lowest id of
each cluster (the global dedup's rule) and the shard pass lists every other member as a duplicate
naming it, counted as deduplicated in the `preprocess` stage. Copies that only become equal after
normalisation or PII scrubbing, and copies of generated records, are still caught by the global dedup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from prefect import task

from tasks.caching import SHARD_CACHE, work_path
from tasks.preprocess.dedup import Duplicate, find_duplicates, fingerprint
from tasks.records import Contract, Record
from tasks.retries import SHARD_RETRIES
from tasks.shards import ShardRef, read_models, write_shard


class ContentPrint(Contract):
    """A sourced record's content fingerprint, id and kind, line for line with its shard."""

    fp: str
    id: str
    kind: str


class Copy(Contract):
    """One line of a shard that copies a record kept elsewhere: enough to list it as a duplicate
    without reading the record."""

    line: int
    id: str
    kind: str
    duplicate_of: str

    def duplicate(self) -> Duplicate:
        return Duplicate(id=self.id, kind=self.kind, duplicate_of=self.duplicate_of)


class _Prints:
    """A prints shard read again on each iteration, so planning holds one entry per distinct content,
    not one per record."""

    def __init__(self, ref: ShardRef) -> None:
        self.ref = ref

    def __iter__(self) -> Iterator[ContentPrint]:
        return read_models(self.ref, ContentPrint)


def content_prints(records: Iterable[Record]) -> list[ContentPrint]:
    """What the copy plan reads of each record, in order."""
    return [ContentPrint(fp=fingerprint(r), id=r.id, kind=r.kind.value) for r in records]


def plan_copies(shards: Sequence[Iterable[ContentPrint]]) -> list[list[Copy]]:
    """Each shard's copies, in line order, by the global dedup's rule (lowest id kept)."""
    twins = find_duplicates(shards)
    return [
        [
            Copy(line=line, id=item.id, kind=item.kind, duplicate_of=twins[(shard, line)])
            for line, item in enumerate(prints)
            if (shard, line) in twins
        ]
        for shard, prints in enumerate(shards)
    ]


def read_originals(shard: ShardRef, copies: Sequence[Copy]) -> list[Record]:
    """The shard's records less its copies, which are skipped unparsed."""
    skip = {c.line for c in copies}
    records = list(read_models(shard, Record, skip))
    if len(records) + len(skip) != shard.records:
        raise ValueError(f"the copy plan names lines {sorted(skip)} of {shard.path}: it is for another shard")
    return records


@task(cache_policy=SHARD_CACHE, persist_result=True, **SHARD_RETRIES)
def plan_copies_task(prints: list[ShardRef | None], work_dir: str) -> list[ShardRef | None]:
    """Read every fingerprinted shard's prints, plan globally, write a copy list for each shard that
    has copies (None where it has none, or was not fingerprinted)."""
    planned = [i for i, ref in enumerate(prints) if ref is not None]
    shards = [_Prints(ref) for ref in prints if ref is not None]
    lists: list[ShardRef | None] = [None] * len(prints)
    for index, copies in zip(planned, plan_copies(shards), strict=True):
        if copies:
            lists[index] = write_shard(work_path(work_dir, "copies", [prints, index], "copies.jsonl"), copies)
    return lists
