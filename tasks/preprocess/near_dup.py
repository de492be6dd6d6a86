"""Near-duplicate removal: MinHash signatures per record, one global LSH pass per kind.

Templates make near-twins (the same reply with one word changed) that exact hashing misses; a model
trained on them memorises the template. Signatures are computed shard by shard in parallel, and
one global step visits records in id order, so the kept record of each cluster is its lowest id
whatever the shard size or runner. Bias pairs are exempt: they differ only in a descriptor on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np
from datasketch import MinHash, MinHashLSH

from tasks.records import Record, RecordKind

NUM_PERM = 64
SHINGLE_WORDS = 3
EXEMPT_KINDS = frozenset({RecordKind.BIAS.value})
_WORD = re.compile(r"\w+")
_SEED = 1
_SCHEME = "affine32"
Key = TypeVar("Key", bound=Hashable)


def shingles(record: Record) -> set[bytes]:
    """Word 3-grams of all turns, case-folded; very short texts fall back to their words."""
    words = _WORD.findall(" ".join(m.content for m in record.messages).casefold())
    if len(words) < SHINGLE_WORDS:
        return {w.encode() for w in words} or {b""}
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(record: Record, num_perm: int = NUM_PERM) -> tuple[int, ...]:
    minhash = MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME)
    minhash.update_batch(sorted(shingles(record)))
    return tuple(int(v) for v in minhash.hashvalues)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """MinHash estimate of the Jaccard similarity of two signatures."""
    return float(np.mean(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64)))


def find_near_duplicates(
    items: Iterable[tuple[Key, str, str, Sequence[int]]], threshold: float
) -> dict[Key, str]:
    """Map the key of every near-duplicate to the id of the record kept in its place.

    `items` are (key, kind, id, signature); records are compared within their kind only.
    """
    by_kind: dict[str, list[tuple[str, Key, Sequence[int]]]] = {}
    for key, kind, record_id, sig in items:
        if kind not in EXEMPT_KINDS and sig:
            by_kind.setdefault(kind, []).append((record_id, key, sig))
    duplicates: dict[Key, str] = {}
    for members in by_kind.values():
        members.sort(key=lambda m: (m[0], str(m[1])))
        num_perm = len(members[0][2])
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        keepers: dict[str, Sequence[int]] = {}
        for record_id, key, sig in members:
            minhash = MinHash(
                num_perm=num_perm, seed=_SEED, scheme=_SCHEME, hashvalues=np.asarray(sig, dtype=np.uint64)
            )
            twins = sorted(c for c in lsh.query(minhash) if similarity(keepers[c], sig) >= threshold)
            if twins:
                duplicates[key] = twins[0]
            elif record_id not in keepers:
                lsh.insert(record_id, minhash)
                keepers[record_id] = sig
    return duplicates
