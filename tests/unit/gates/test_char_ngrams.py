"""The remembered char_wb n-grams are exactly scikit-learn's, so a model's hashed features do not move."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from tasks.gates.char_ngrams import char_wb

TEXTS = ["", "  ", "a", "ab", "abc", "abcd", "hello  world", "I am  so\ttired\n of it", "It's  a-b ok?!"]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(7)
    alphabet = "ab c\td!'\n’é"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(30))) for _ in range(count)]


@pytest.mark.parametrize("ngram_range", [(3, 5), (2, 4), (1, 1), (2, 6)])
def test_the_same_multiset_of_ngrams_as_scikit_learn(ngram_range):
    reference = HashingVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, lowercase=False
    ).build_analyzer()
    fast = char_wb(*ngram_range)
    for text in [*TEXTS, *_random_texts(2_000)]:
        assert Counter(fast(text)) == Counter(reference(text)), repr(text)
