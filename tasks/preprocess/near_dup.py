"""Near-duplicate removal: MinHash signatures per record, one global LSH pass per kind.

Templates make near-twins (the same reply with one word changed) that exact hashing misses; a model
trained on them memorises the template. Signatures are computed shard by shard in parallel, and
one global step visits records in id order, so the kept record of each cluster is its lowest id
whatever the shard size or runner. Bias pairs are exempt: they differ only in a descriptor on purpose.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Iterable, Sequence
from functools import cache
from typing import TypeVar

import numpy as np

from tasks.records import Record, RecordKind

NUM_PERM = 64
SHINGLE_WORDS = 3
EXEMPT_KINDS = frozenset({RecordKind.BIAS.value})
_WORD = re.compile(r"\w+")
_SEED = 1
_SCHEME = "affine32"
# datasketch's affine32 pre-mix (the MurmurHash3 32-bit finaliser): (shift, multiplier) pairs, last shift.
_FMIX_STEPS = ((np.uint32(16), np.uint32(0x85EBCA6B)), (np.uint32(13), np.uint32(0xC2B2AE35)))
_FMIX_LAST = np.uint32(16)
Key = TypeVar("Key", bound=Hashable)


def shingles(record: Record) -> set[bytes]:
    """Word 3-grams of all turns, case-folded; very short texts fall back to their words."""
    words = _WORD.findall(" ".join(m.content for m in record.messages).casefold())
    if len(words) < SHINGLE_WORDS:
        return {w.encode() for w in words} or {b""}
    grams = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)  # ends with the shortest tail
    return {" ".join(gram).encode() for gram in grams}


@cache
def _permutations(num_perm: int) -> np.ndarray:
    """The (a, b) rows datasketch's affine32 MinHash draws for `num_perm` and the seed (odd a, any b),
    drawn once per process: a MinHash draws them again on every construction, which cost more than
    hashing a record (a unit test holds these to datasketch's own)."""
    draw = np.random.RandomState(_SEED)
    a = draw.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    """datasketch's pre-mix of every input hash before the permutations."""
    for shift, multiplier in _FMIX_STEPS:
        hashes = (hashes ^ (hashes >> shift)) * multiplier
    return hashes ^ (hashes >> _FMIX_LAST)


def signature(record: Record, num_perm: int = NUM_PERM) -> tuple[int, ...]:
    """The values datasketch's affine32 `MinHash.update_batch` gives the record's shingles (hashed by its
    default, the first four bytes of SHA-1, little-endian), computed as one shingles × permutations
    array; uint32 arithmetic wraps as datasketch's does."""
    a, b = _permutations(num_perm)
    hashed = b"".join([hashlib.sha1(shingle).digest()[:4] for shingle in shingles(record)])
    hashes = np.frombuffer(hashed, dtype="<u4").astype(np.uint32)
    permuted = _fmix32(hashes)[:, np.newaxis] * a + b
    return tuple(permuted.min(axis=0).tolist())


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """MinHash estimate of the Jaccard similarity of two signatures."""
    return float(np.mean(np.asarray(a, dtype=np.uint64) == np.asarray(b, dtype=np.uint64)))


def find_near_duplicates(
    items: Iterable[tuple[Key, str, str, Sequence[int]]], threshold: float
) -> dict[Key, str]:
    """Map the key of every near-duplicate to the id of the record kept in its place.

    `items` are (key, kind, id, signature); records are compared within their kind only.
    """
    # Imported here, by the one planning task: datasketch's import (~1.3 s) would otherwise delay every
    # run's start and every worker's first shard.
    from datasketch import MinHash, MinHashLSH

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
                num_perm=num_perm,
                seed=_SEED,
                scheme=_SCHEME,
                hashvalues=np.asarray(sig, dtype=np.uint64),
                permutations=_permutations(num_perm),
            )
            twins = sorted(c for c in lsh.query(minhash) if similarity(keepers[c], sig) >= threshold)
            if twins:
                duplicates[key] = twins[0]
            elif record_id not in keepers:
                lsh.insert(record_id, minhash)
                keepers[record_id] = sig
    return duplicates
