"""How varied the exported records are, per kind and per speaker: distinct-n, distinct turns, the spread
of a sample's sentence embeddings, turn lengths, and label coverage.

Generated data that repeats itself teaches a model one phrasing; these figures go into the manifest and
the dataset card, beside the same figures over real human support conversations
(`benchmarks/diversity_reference.py`), so a reviewer sees it without opening the files. Shards are
streamed: distinct n-grams and turns are kept as 8-byte digests and the semantic sample is a bounded
bottom-k by content hash, so the figures do not depend on shard order and memory does not grow with text.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np
from prefect import task

from tasks.caching import SHARD_CACHE
from tasks.data_files import data_file
from tasks.gates.static_embeddings import static_encoder
from tasks.records import Record, Role
from tasks.shards import ShardRef, read_all

_WORD = re.compile(r"[a-z0-9']+")
# Labels with more values than this are identifiers or free text, not categories worth counting.
MAX_CATEGORY_VALUES = 60
ROLES = (Role.ASSISTANT, Role.USER)
NGRAMS = (1, 2, 3)
SAMPLE_TURNS = 500  # turns per kind and speaker whose embeddings are compared, pair by pair
REFERENCE_FILE = "diversity_reference.json"
_BATCH_TURNS = 4_096  # turns hashed in one numpy pass
_MERGE_AT = 1 << 20  # pending digests folded into the sorted distinct set past this many
_WORDS_REMEMBERED = 200_000  # the word -> digest memory stays bounded on any corpus
LENGTH_BIN_WORDS = 10  # turn lengths are counted in bins of this many words
LENGTH_BINS = 16  # the last bin holds every turn of 150 words or more
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: an n-gram's digest is a polynomial in its words' digests


def _digest(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


class _Distinct:
    """A count of distinct 8-byte digests: a sorted array, new batches folded in once they pile up."""

    def __init__(self) -> None:
        self.seen = np.empty(0, dtype=np.uint64)
        self.pending: list[np.ndarray] = []
        self.pending_size = 0

    def add(self, digests: np.ndarray) -> None:
        self.pending.append(digests)
        self.pending_size += len(digests)
        if self.pending_size >= _MERGE_AT:
            self._merge()

    def _merge(self) -> None:
        # Sorting and dropping repeats: numpy 2's hashing np.unique is a hundred times slower on uint64.
        batch = np.concatenate(self.pending)
        batch.sort()
        merged = np.concatenate([self.seen, batch])
        merged.sort(kind="stable")  # two sorted runs: timsort merges them in one linear pass
        first = np.ones(len(merged), dtype=bool)
        first[1:] = merged[1:] != merged[:-1]
        self.seen = merged[first]
        self.pending, self.pending_size = [], 0

    def __len__(self) -> int:
        if self.pending:
            self._merge()
        return len(self.seen)


class _WordDigests:
    """Each word's digest, computed once per word (words repeat) and remembered up to a bound."""

    def __init__(self) -> None:
        self.known: dict[str, int] = {}

    def of(self, turns: list[list[str]]) -> np.ndarray:
        """The digests of every word of `turns`, turn after turn."""
        if len(self.known) > _WORDS_REMEMBERED:
            self.known.clear()
        for word in {word for words in turns for word in words} - self.known.keys():
            self.known[word] = _digest(word.encode())
        count = sum(map(len, turns))
        return np.fromiter(map(self.known.__getitem__, chain.from_iterable(turns)), np.uint64, count)


def cosine_distance(texts: list[str]) -> float | None:
    """Mean pairwise cosine distance of the texts' static sentence embeddings: 0 when they all say the
    same, higher the more they differ in meaning; None under two texts. The pairwise mean is read off
    the sum of the unit vectors (|Σe|² = n + Σ_{i≠j} cos), so it costs O(n), not O(n²)."""
    vectors = static_encoder().encode(texts).astype(np.float64)
    norms = np.sqrt((vectors * vectors).sum(axis=1))
    units = vectors[norms > 0] / norms[norms > 0, None]
    n = len(units)
    if n < 2:
        return None
    total = units.sum(axis=0)
    similarity = (float((total * total).sum()) - n) / (n * (n - 1))
    return round(max(1.0 - similarity, 0.0), 4)


class _TurnStats:
    """One speaker's turns of one kind: n-gram and turn digests, and the bottom-k sample by content hash."""

    def __init__(self, words: _WordDigests) -> None:
        self.words = words
        self.turns = 0
        self.ngrams = dict.fromkeys(NGRAMS, 0)
        self.distinct = {n: _Distinct() for n in NGRAMS}
        self.texts = _Distinct()
        self.lengths = [0] * LENGTH_BINS
        self.sample: list[tuple[int, str]] = []  # a max-heap on the key (negated): the k smallest kept
        self.batch: list[str] = []

    def add(self, record_id: str, text: str) -> None:
        # The record's id keeps repeated turns apart, so repetition shows in the sample as it is.
        key = _digest(f"{record_id}\0{text}".encode())
        if len(self.sample) < SAMPLE_TURNS:
            heapq.heappush(self.sample, (-key, text))
        elif key < -self.sample[0][0]:
            heapq.heapreplace(self.sample, (-key, text))
        self.batch.append(text)
        if len(self.batch) == _BATCH_TURNS:
            self.flush()

    def flush(self) -> None:
        texts, self.batch = self.batch, []
        self.turns += len(texts)
        self.texts.add(np.fromiter((_digest(t.encode()) for t in texts), np.uint64, len(texts)))
        words = [_WORD.findall(text.lower()) for text in texts]
        for turn in words:
            self.lengths[min(len(turn) // LENGTH_BIN_WORDS, LENGTH_BINS - 1)] += 1
        firsts = self.words.of(words)
        owner = np.repeat(np.arange(len(words)), [len(w) for w in words])
        grams = firsts
        for n in NGRAMS:
            if n > 1:
                grams = grams[:-1] * _MIX + firsts[n - 1 :]
            within = owner[: len(grams)] == owner[n - 1 :]  # n-grams that do not straddle two turns
            self.ngrams[n] += int(within.sum())
            self.distinct[n].add(grams[within])

    def summary(self) -> dict[str, Any]:
        self.flush()
        return {
            "turns": self.turns,
            "distinct_turns": round(len(self.texts) / max(self.turns, 1), 4),
            **{f"distinct_{n}": round(len(self.distinct[n]) / max(self.ngrams[n], 1), 4) for n in NGRAMS},
            "words_per_turn": {"bin_words": LENGTH_BIN_WORDS, "counts": self.lengths},
            "sampled": len(self.sample),
            "cosine_distance": cosine_distance([text for _, text in sorted(self.sample, reverse=True)]),
        }


class _KindStats:
    def __init__(self, words: _WordDigests) -> None:
        self.records = 0
        self.turns = {role: _TurnStats(words) for role in ROLES}
        self.labels: dict[str, Counter[str]] = {}

    def add(self, record: Record) -> None:
        self.records += 1
        for message in record.messages:
            if message.role in self.turns:
                self.turns[message.role].add(record.id, message.content)
        for name, value in record.labels.items():
            if isinstance(value, str):
                if name not in self.labels:
                    self.labels[name] = Counter()
                self.labels[name][value] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "records": self.records,
            **{role.value: stats.summary() for role, stats in self.turns.items()},
            "labels": {
                name: dict(sorted(counts.items()))
                for name, counts in sorted(self.labels.items())
                if len(counts) <= MAX_CATEGORY_VALUES
            },
        }


def diversity(records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """Per kind: records, label counts, and for assistant and user turns each: turns, the share of
    distinct turns, distinct-1/2/3 (unique / total word n-grams), a histogram of words per turn
    (`words_per_turn`: counts per bin of `bin_words` words) and `cosine_distance` over a sample of
    at most SAMPLE_TURNS turns chosen by content hash. The same records in any order give the same figures."""
    words = _WordDigests()
    stats: dict[str, _KindStats] = {}
    for record in records:
        kind = record.kind.value
        if kind not in stats:
            stats[kind] = _KindStats(words)
        stats[kind].add(record)
    return {kind: s.summary() for kind, s in sorted(stats.items())}


def human_reference() -> dict[str, Any]:
    """The same figures over real human support conversations, written by
    `benchmarks/diversity_reference.py`, so the card can show what human variety looks like."""
    return dict(data_file(__file__, REFERENCE_FILE))


@task(cache_policy=SHARD_CACHE, persist_result=True)
def diversity_report(shards: list[ShardRef]) -> dict[str, dict[str, Any]]:
    """Diversity of everything a version exports, streamed shard by shard."""
    return diversity(read_all(shards, Record))
