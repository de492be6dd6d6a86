"""Static sentence embeddings: pooled per-token vectors distilled from all-MiniLM-L6-v2.

The table (artefacts/static_embeddings.npz, built by `static_embedding_distill`) holds one vector per
WordPiece token: MiniLM's output for that token alone (int8, a scale per token). A text's
embedding is the normalised mean of its tokens' vectors beside their normalised element-wise maximum
(the maximum keeps the one alarming word a long post's mean dilutes: held-out ROC AUC 0.972 against
0.964 for the mean alone). A lookup and two reductions, no transformer: microseconds a text where
MiniLM took milliseconds. Each text is reduced on its own, in token order, so its vector is
bit-identical whatever it is batched with (pooling uses no BLAS; the models' products do, on one
thread: `loaded_once`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import chain, islice
from pathlib import Path

import numpy as np

from tasks.gates.loaded_once import loaded_once
from tasks.gates.sentence_encoder import model_dir

STATIC_PATH = Path(__file__).resolve().parent / "artefacts" / "static_embeddings.npz"
MAX_TOKENS = 512  # a lookup costs nothing per token, so long posts are read further than MiniLM read them
WORDS_REMEMBERED = 200_000  # the word -> token ids memory stays bounded on any corpus
# Texts pooled at a time: a whole shard's float64 rows at once cost more in fresh memory than the pooling.
POOLED_ROWS = 512


class StaticEncoder:
    """Tokenise with MiniLM's WordPiece tokenizer, look tokens up, pool and normalise."""

    def __init__(self, table: Path, tokenizer: Path) -> None:
        from tokenizers import Tokenizer

        with np.load(table, allow_pickle=False) as data:
            self.vectors = data["vectors"].astype(np.float32) * data["scales"][:, None]
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.dims = 2 * self.vectors.shape[1]
        self._word_ids: dict[str, list[int]] = {}
        self._words_lock = threading.Lock()

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's WordPiece ids, the first MAX_TOKENS of them, as the tokenizer gives for the text.

        BERT's tokenizer splits on whitespace before anything else, so a text's ids are its words' ids
        in order; each word is tokenised once and remembered (words repeat), several times faster than
        tokenising every text. Locked: gate threads share the memory, and one thread's clearing it must
        not pull a word from under another."""
        split = [text.split() for text in texts]
        with self._words_lock:
            if len(self._word_ids) > WORDS_REMEMBERED:
                self._word_ids.clear()
            new = sorted({word for words in split for word in words} - self._word_ids.keys())
            if new:
                encodings = self.tokenizer.encode_batch_fast(new, add_special_tokens=False)
                self._word_ids.update(zip(new, (e.ids for e in encodings), strict=True))
            ids = self._word_ids.__getitem__
            return [list(islice(chain.from_iterable(map(ids, words)), MAX_TOKENS)) for words in split]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dims) float32: unit mean, then unit maximum; a text with no tokens gets zeros.
        Each text's rows are reduced on their own, in token order, so batch mates change no bit."""
        ids = self.token_ids(texts)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for start in range(0, len(ids), POOLED_ROWS):
            out[start : start + POOLED_ROWS] = self._pooled(ids[start : start + POOLED_ROWS])
        return out

    def _pooled(self, ids: Sequence[list[int]]) -> np.ndarray:
        """`encode`'s rows for a block of token id lists."""
        half = self.dims // 2
        pooled = np.zeros((len(ids), self.dims), dtype=np.float64)
        for row, tokens in enumerate(ids):
            if tokens:
                vectors = self.vectors[tokens]
                pooled[row, :half] = vectors.mean(axis=0)
                pooled[row, half:] = vectors.max(axis=0)
        return np.hstack([_unit(pooled[:, :half]), _unit(pooled[:, half:])]).astype(np.float32)


def _unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length one (zero rows stay zero); each row's norm is its own contiguous sum."""
    return np.asarray(rows / np.maximum(np.sqrt((rows * rows).sum(axis=1)), 1e-12)[:, None])


# The table, loaded once per process.
static_encoder = loaded_once(lambda: StaticEncoder(STATIC_PATH, model_dir() / "tokenizer.json"))
