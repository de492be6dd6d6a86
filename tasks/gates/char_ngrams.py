"""Hashed character n-grams within word boundaries, exactly as scikit-learn's HashingVectorizer makes
them with `analyzer="char_wb"` (no alternate sign, l2 norm), only faster.

scikit-learn builds and hashes every word's n-grams in Python loops for every text. Words repeat (a
corpus of a million replies has a few tens of thousands of distinct words), so here each word's hashed
columns are made once and remembered; a text's row is the same counts, normalised the same way, so the
matrix is bit-identical and the trained models' scores do not move (unit test).
"""

from __future__ import annotations

from collections.abc import Sequence

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


WORDS_REMEMBERED = 200_000  # per n-gram setting; the memory stays bounded on any corpus
_remembered: dict[tuple[int, int, int], dict[str, np.ndarray]] = {}


def _word_columns(words: list[str], low: int, high: int, n_features: int) -> list[np.ndarray]:
    """Each word's hashed columns, remembered; forgotten all at once when the memory is full."""
    known = _remembered.setdefault((low, high, n_features), {})
    if len(known) > WORDS_REMEMBERED:
        known.clear()
    found = []
    for word in words:
        columns = known.get(word)
        if columns is None:
            grams = word_grams(word, low, high)
            columns = known[word] = np.asarray([_column(g, n_features) for g in grams], dtype=np.int64)
        found.append(columns)
    return found


def char_wb_matrix(texts: Sequence[str], ngram_range: tuple[int, int], n_features: int) -> sp.csr_matrix:
    """`HashingVectorizer(analyzer="char_wb", ngram_range=..., n_features=..., alternate_sign=False,
    lowercase=False, norm="l2", dtype=np.float32).transform(texts)`, bit for bit.

    Every text's columns are counted in one sort of (row, column) keys rather than one per text.
    """
    low, high = ngram_range
    per_text = [_word_columns(text.split(), low, high, n_features) for text in texts]
    lengths = [sum(len(c) for c in words) for words in per_text]
    flat = [columns for words in per_text for columns in words]
    columns = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    keys, counts = np.unique(rows * n_features + columns, return_counts=True)
    key_rows = keys // n_features
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(key_rows, minlength=len(texts)), out=indptr[1:])
    squares = (counts.astype(np.float32) ** 2).astype(np.float64)  # as scikit-learn sums them
    norms = np.sqrt(np.bincount(key_rows, weights=squares, minlength=len(texts)))
    values = (counts / norms[key_rows]).astype(np.float32)
    indices = (keys % n_features).astype(np.int32)
    return sp.csr_matrix((values, indices, indptr.astype(np.int32)), shape=(len(texts), n_features))
