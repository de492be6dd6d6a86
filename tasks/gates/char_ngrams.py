"""Hashed character n-grams within word boundaries, exactly as scikit-learn's HashingVectorizer makes
them with `analyzer="char_wb"` (no alternate sign, l2 norm), only faster.

scikit-learn builds and hashes every word's n-grams in Python loops for every text. Words repeat (a
corpus of a million replies has a few tens of thousands of distinct words), so here each word's hashed
columns are made once and remembered; a text's row is the same counts, normalised the same way, so the
matrix is bit-identical and the trained models' scores do not move (unit test).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32


def word_grams(word: str, low: int, high: int) -> list[str]:
    """The n-grams of one word padded with a space each side; a word shorter than n counts once."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        grams += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
        if len(padded) <= n:
            break
    return grams


def _column(gram: str, n_features: int) -> int:
    """scikit-learn's `_hashing_transform` column: |murmurhash3_32(utf-8, seed 0)| mod n_features."""
    h = murmurhash3_32(gram, seed=0)
    return (2147483647 - (n_features - 1)) % n_features if h == -2147483648 else abs(h) % n_features


@lru_cache(maxsize=200_000)
def _word_columns(word: str, low: int, high: int, n_features: int) -> np.ndarray:
    return np.asarray([_column(g, n_features) for g in word_grams(word, low, high)], dtype=np.int32)


def char_wb_matrix(texts: Sequence[str], ngram_range: tuple[int, int], n_features: int) -> sp.csr_matrix:
    """`HashingVectorizer(analyzer="char_wb", ngram_range=..., n_features=..., alternate_sign=False,
    lowercase=False, norm="l2", dtype=np.float32).transform(texts)`, bit for bit."""
    low, high = ngram_range
    indptr = [0]
    columns: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for text in texts:
        words = [_word_columns(w, low, high, n_features) for w in text.split()]
        found, counts = np.unique(np.concatenate(words), return_counts=True) if words else (np.zeros(0), None)
        if counts is not None:
            squares = (counts.astype(np.float32) ** 2).astype(np.float64)  # as scikit-learn sums them
            values.append((counts / np.sqrt(squares.sum())).astype(np.float32))
            columns.append(found.astype(np.int32))
        indptr.append(indptr[-1] + len(found))
    data = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
    indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32)
    return sp.csr_matrix((data, indices, np.asarray(indptr, dtype=np.int32)), shape=(len(texts), n_features))
