"""The remembered char_wb features are scikit-learn's bit for bit: the trained models' scores stay."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from tasks.gates.char_ngrams import char_wb_matrix

TEXTS = [
    "",
    "  ",
    "a",
    "ab",
    "abc",
    "abcd",
    "hello  world",
    "I am  so\ttired\n of it",
    "It's  a-b ok?!",
    "é ü ß 😢",
]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(7)
    alphabet = "ab c\td!'\n’é"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(60))) for _ in range(count)]


@pytest.mark.parametrize(("ngram_range", "bits"), [((3, 5), 18), ((2, 4), 10), ((1, 1), 4), ((2, 6), 20)])
def test_the_matrix_is_scikit_learns_bit_for_bit(ngram_range, bits):
    texts = [*TEXTS, *_random_texts(1_500)]
    reference = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        n_features=2**bits,
        alternate_sign=False,
        lowercase=False,
        norm="l2",
        dtype=np.float32,
    ).transform(texts)
    fast = char_wb_matrix(texts, ngram_range, 2**bits)
    assert fast.shape == reference.shape and fast.dtype == reference.dtype
    assert np.array_equal(fast.indptr, reference.indptr)
    assert np.array_equal(fast.indices, reference.indices)
    assert fast.data.tobytes() == reference.data.tobytes()


def test_no_text_gives_an_empty_matrix():
    assert char_wb_matrix([], (3, 5), 2**18).shape == (0, 2**18)
