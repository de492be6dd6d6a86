"""Crisis gate: flags conversations whose user turns signal suicide, self-harm or imminent risk.

A flagged record is routed to the edge-case set, never trained on as an ordinary example (see
"Safety routing" in DESIGN.md). Two stages: explainable lexicon patterns (crisis_lexicon) and a
logistic regression over hashed word and character n-grams. The final score is the larger of the
model's probability and the lexicon's severity floor, so an explicit statement of intent is flagged
even where the model is unsure. Nothing here imports the synthesis package: a gate sharing
phrasings with the generator would grade its own homework.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, Field
from sklearn.feature_extraction.text import HashingVectorizer

from tasks.gates.crisis_lexicon import Analysis, Signal, analyse, signal_features, stage1_score
from tasks.gates.jsonl_cli import batches
from tasks.records import GateVerdict, Record, Role

GATE = "crisis"
ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts"
MODEL_PATH = ARTEFACT_DIR / "crisis_model.npz"
CARD_PATH = ARTEFACT_DIR / "crisis_model.json"
DENIAL_DISCOUNT = 0.25

# Function words carry no risk of their own, yet alone they learned large weights from how the sources
# differ in length and scraping (a short support-chat turn is mostly "to", "it", "am"). They stay in
# word pairs ("want to", "to die") but get no unigram or character features. Negations and personal
# pronouns are not here: "not", "never", "me" and "myself" change what a sentence says.
_FUNCTION_WORDS = """a an the to of in on at for with by from up about into over after and or but so if then
than as that this these those there it its is are was were be been being am do does did has had will would
can could should just very really also too some what which who when where how your you he she they them
we us our his her their im ive id ill"""
FUNCTION_WORDS: tuple[str, ...] = tuple(_FUNCTION_WORDS.split())


class FeatureConfig(BaseModel):
    """How text becomes features; stored with the weights so training and inference cannot drift."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    word_bits: int = 18
    char_bits: int = 18
    signal_scale: float = Field(1.0, description="Weight of the stage-1 indicator columns")
    function_words: tuple[str, ...] = Field(
        FUNCTION_WORDS, description="Words with no unigram or character features (kept inside word n-grams)"
    )


class CrisisSettings(BaseModel):
    """Settings of the crisis gate."""

    threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Score at or above which a user turn is flagged; None uses the trained threshold",
    )


@dataclass(frozen=True)
class CrisisResult:
    """The detector's answer for one text: combined score, flag, and the stage-1 signals behind it."""

    score: float
    flagged: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CrisisModel:
    """Learned-stage weights: hashed n-gram coefficients, signal coefficients and intercept."""

    config: FeatureConfig
    word_coef: np.ndarray
    char_coef: np.ndarray
    signal_coef: np.ndarray
    intercept: float
    threshold: float


def model_text(text: str) -> str:
    """Text as the learned stage sees it: normalised, idioms and denied phrases blanked, no punctuation."""
    return analyse(text).model_text


def _word_grams(config: FeatureConfig) -> Callable[[str], list[str]]:
    """Word n-grams of a model text: unigrams only of content words, longer n-grams of every word."""
    low, high = config.word_ngrams
    skip = frozenset(config.function_words)

    def grams(text: str) -> list[str]:
        words = text.split()
        out = [w for w in words if w not in skip] if low <= 1 else []
        for n in range(max(2, low), high + 1):
            out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        return out

    return grams


def _vectorizers(config: FeatureConfig) -> tuple[HashingVectorizer, HashingVectorizer]:
    common: dict[str, Any] = {"alternate_sign": False, "lowercase": False, "norm": "l2", "dtype": np.float32}
    word = HashingVectorizer(analyzer=_word_grams(config), n_features=2**config.word_bits, **common)
    char = HashingVectorizer(
        analyzer="char_wb", ngram_range=config.char_ngrams, n_features=2**config.char_bits, **common
    )
    return word, char


def featurize(analyses: Sequence[Analysis], config: FeatureConfig) -> sp.csr_matrix:
    """Sparse design matrix: [word n-grams | char n-grams of content words | stage-1 indicators]."""
    cleaned = [a.model_text for a in analyses]
    skip = frozenset(config.function_words)
    content = [" ".join(w for w in text.split() if w not in skip) for text in cleaned]
    word, char = _vectorizers(config)
    indicators = np.asarray([signal_features(a.signals) for a in analyses], dtype=np.float32).reshape(
        len(analyses), -1
    )
    blocks = [
        word.transform(cleaned),
        char.transform(content),
        sp.csr_matrix(indicators * config.signal_scale),
    ]
    return sp.hstack(blocks, format="csr")


def denied(signals: Sequence[tuple[Signal, ...]]) -> np.ndarray:
    """True where every stage-1 signal is negated ("I would never kill myself")."""
    return np.asarray([bool(s) and all(x.negated for x in s) for s in signals], dtype=bool)


def combine(probability: np.ndarray, floors: np.ndarray, denials: np.ndarray) -> np.ndarray:
    """Final score: the model's probability, discounted where the text only denies risk, then raised
    to the lexicon floor where a signal is affirmed.

    Bag-of-n-gram features cannot read "never" in "I would never kill myself"; the discount keeps a
    denial lower than the statement it denies without zeroing it.
    """
    return np.maximum(np.where(denials, probability * DENIAL_DISCOUNT, probability), floors)


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH, card: Path = CARD_PATH) -> CrisisModel:
    """Read the shipped weights once; a missing artefact means training was never run."""
    if not path.exists() or not card.exists():
        raise FileNotFoundError(
            f"crisis model artefact missing at {path}; run "
            "`uv run python -m tasks.gates.crisis_training --data ../shared/data` to build it"
        )
    with np.load(path, allow_pickle=False) as data:
        config = FeatureConfig.model_validate_json(str(data["feature_config"]))
        coef = data["coef"].astype(np.float32)
        intercept = float(data["intercept"][0])
    split = 2**config.word_bits
    char_end = split + 2**config.char_bits
    threshold = float(json.loads(card.read_text())["threshold"])
    return CrisisModel(config, coef[:split], coef[split:char_end], coef[char_end:], intercept, threshold)


def _probabilities(model: CrisisModel, analyses: Sequence[Analysis]) -> np.ndarray:
    matrix = featurize(analyses, model.config)
    coef = np.concatenate([model.word_coef, model.char_coef, model.signal_coef])
    logits = matrix @ coef + model.intercept
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


def detect(texts: Sequence[str], settings: CrisisSettings | None = None) -> list[CrisisResult]:
    """Score, flag and explain each text; reasons are the stage-1 signals (negated ones marked)."""
    model = load_model()
    threshold = model.threshold if settings is None or settings.threshold is None else settings.threshold
    analyses = [analyse(t) for t in texts]
    signals = [a.signals for a in analyses]
    floors = np.asarray([stage1_score(s) for s in signals], dtype=np.float64)
    scores = combine(_probabilities(model, analyses), floors, denied(signals)) if texts else np.zeros(0)
    return [
        CrisisResult(round(float(score), 6), bool(score >= threshold), tuple(s.label for s in sigs))
        for score, sigs in zip(scores, signals, strict=True)
    ]


def score_texts(texts: Sequence[str]) -> list[float]:
    """Combined crisis score in [0, 1] for each text."""
    return [result.score for result in detect(texts)]


def check(records: Sequence[Record], settings: CrisisSettings) -> list[GateVerdict]:
    """One verdict per record: fails when any user turn is flagged; score is the highest user turn."""
    turns = [
        (r, i, m.content)
        for r, rec in enumerate(records)
        for i, m in enumerate(rec.messages)
        if m.role is Role.USER
    ]
    results = detect([text for _, _, text in turns], settings)
    best: list[float] = [0.0] * len(records)
    reasons: list[list[str]] = [[] for _ in records]
    flagged = [False] * len(records)
    for (r, turn, _), result in zip(turns, results, strict=True):
        best[r] = max(best[r], result.score)
        flagged[r] = flagged[r] or result.flagged
        if result.flagged:
            reasons[r].append(f"turn {turn}: score {result.score:.3f}")
        reasons[r].extend(f"turn {turn}: {reason}" for reason in result.reasons)
    return [
        GateVerdict(gate=GATE, passed=not flagged[r], score=best[r], reasons=tuple(reasons[r]))
        for r in range(len(records))
    ]


def _parse(line: str) -> tuple[Any, str]:
    """The id and text of one input line; ValueError says what is wrong with it."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error.msg}") from None
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object with 'id' and 'text'")
    if not isinstance(item.get("text"), str):
        raise ValueError("field 'text' is missing or not a string")
    return item.get("id"), item["text"]


def run_cli(lines: TextIO, out: TextIO, batch_size: int = 256) -> None:
    """JSON lines {"id","text"} in, {"id","crisis","score"} out, in input order; bad lines get an error."""
    for batch in batches(lines, batch_size):
        parsed: list[tuple[Any, str] | str] = []
        for line in batch:
            try:
                parsed.append(_parse(line))
            except ValueError as error:
                parsed.append(str(error))
        good = [p for p in parsed if isinstance(p, tuple)]
        results = iter(detect([text for _, text in good]))
        for item in parsed:
            if isinstance(item, str):
                row: dict[str, Any] = {"id": None, "error": item}
            else:
                result = next(results)
                row = {"id": item[0], "crisis": result.flagged, "score": result.score}
            out.write(json.dumps(row) + "\n")
        out.flush()


if __name__ == "__main__":
    run_cli(sys.stdin, sys.stdout)
