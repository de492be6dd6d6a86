"""How varied the exported records are, per kind: distinct-n over their words and label coverage.

Generated data that repeats itself teaches a model one phrasing; these figures go into the
manifest and the dataset card so a reviewer sees it without opening the files.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from prefect import task

from tasks.caching import SHARD_CACHE
from tasks.records import Record
from tasks.shards import ShardRef, read_all

_WORD = re.compile(r"[a-z0-9']+")
# Labels with more values than this are identifiers or free text, not categories worth counting.
MAX_CATEGORY_VALUES = 60


class _KindStats:
    def __init__(self) -> None:
        self.records = 0
        self.ngrams = {1: 0, 2: 0}
        self.distinct: dict[int, set[bytes]] = {1: set(), 2: set()}
        self.labels: dict[str, Counter[str]] = {}

    def add(self, record: Record) -> None:
        self.records += 1
        for message in record.messages:
            words = _WORD.findall(message.content.lower())
            for n in (1, 2):
                grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
                self.ngrams[n] += len(grams)
                # 8-byte digests keep memory per distinct n-gram small and fixed.
                self.distinct[n].update(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams)
        for name, value in record.labels.items():
            if isinstance(value, str):
                self.labels.setdefault(name, Counter())[value] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "distinct_1": round(len(self.distinct[1]) / max(self.ngrams[1], 1), 4),
            "distinct_2": round(len(self.distinct[2]) / max(self.ngrams[2], 1), 4),
            "labels": {
                name: dict(sorted(counts.items()))
                for name, counts in sorted(self.labels.items())
                if len(counts) <= MAX_CATEGORY_VALUES
            },
        }


def diversity(records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """Per kind: records, distinct-1 and distinct-2 (unique / total word n-grams), label counts."""
    stats: dict[str, _KindStats] = {}
    for record in records:
        stats.setdefault(record.kind.value, _KindStats()).add(record)
    return {kind: s.summary() for kind, s in sorted(stats.items())}


@task(cache_policy=SHARD_CACHE, persist_result=True)
def diversity_report(shards: list[ShardRef]) -> dict[str, dict[str, Any]]:
    """Diversity of everything a version exports, streamed shard by shard."""
    return diversity(read_all(shards, Record))
