"""Character n-grams within word boundaries, as scikit-learn's `analyzer="char_wb"` makes them, faster.

scikit-learn builds every word's n-grams in a Python loop for every text. Words repeat (a corpus of a
million replies has a few tens of thousands of distinct words), so here each word's n-grams are made
once and remembered; the list for a text is the same multiset, so hashed features do not change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=200_000)
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        grams += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
        if len(padded) <= n:  # a short word counts once, whatever the longer n
            break
    return tuple(grams)


def char_wb(low: int, high: int) -> Callable[[str], list[str]]:
    """An analyzer for HashingVectorizer giving `analyzer="char_wb", ngram_range=(low, high)`'s n-grams."""

    def grams(text: str) -> list[str]:
        out: list[str] = []
        for word in text.split():
            out += _word_grams(word, low, high)
        return out

    return grams
