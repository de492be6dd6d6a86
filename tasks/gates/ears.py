"""EARS gate (Empathy-Aligned Response Style): every assistant turn must meet the response-style spec.

The spec is docs/guides/EMPATHY_RESPONSE_STYLE.md: EPITOME's empathy mechanisms (emotional reactions,
interpretations, explorations), Motivational Interviewing (reflections, open questions, autonomy
support; no confrontation, unsolicited directives or judgement), scope limits and, where the seeker
discloses risk, the crisis protocol. Each assistant turn is scored against the user turn before it.
Learned linear models over hashed word n-grams and the mean static token embedding (static_embeddings:
MiniLM's outputs per WordPiece token, so related words get related weights) detect the mechanisms that
have labelled data (ESConv strategies, EmpatheticDialogues intents); explicit patterns (ears_patterns)
cover the rest and back the models up. A turn's score is continuous: how much it acknowledges and
explores, banded by its verdict. Nothing here imports the synthesis package: a gate sharing phrasings
with the generator would grade its own homework.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, Field
from sklearn.feature_extraction.text import HashingVectorizer

from tasks.gates import ears_patterns as patterns
from tasks.gates.char_ngrams import char_wb_matrix
from tasks.gates.ears_settings import (
    CONTEXT_ONLY,
    FAILURE,
    LEARNED,
    Criterion,
    EarsSettings,
)
from tasks.gates.jsonl_cli import json_object, serve
from tasks.gates.static_embeddings import static_encoder
from tasks.records import GateVerdict, Message, Record, Role

GATE = "ears"
ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts"
MODEL_PATH = ARTEFACT_DIR / "ears_model.npz"
CARD_PATH = ARTEFACT_DIR / "ears_model.json"
PASS_LINE = 0.5
FAIL_CEILING = 0.499999  # the highest score a failing turn can have, after rounding to 6 places
STATIC_DIMS = 384  # static_embeddings' token vectors (all-MiniLM-L6-v2 width)


class FeatureConfig(BaseModel):
    """How text becomes features; stored with the weights so training and inference cannot drift."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = Field(
        None, description="char_wb n-gram range; None leaves character n-grams out"
    )
    word_bits: int = 18
    char_bits: int = 18
    static_scale: float = Field(
        3.0,
        ge=0.0,
        description="Weight of the mean static token embedding (static_embeddings' table, WordPiece tokens "
        "of model_text); 0 leaves it out",
    )

    def widths(self) -> tuple[int, int, int]:
        """Columns of the word, character and embedding blocks, in that order."""
        chars = 2**self.char_bits if self.char_ngrams else 0
        return 2**self.word_bits, chars, STATIC_DIMS if self.static_scale else 0


@dataclass(frozen=True)
class TurnScore:
    """One assistant turn's verdict: per-criterion scores (pass at 0.5), failed reason codes, evidence.

    `score` is a continuous empathy score banded by the verdict: the mean of the acknowledgement and
    exploration scores, mapped onto [0.5, 1] when the turn passes and onto [0, 0.5) when it fails.
    """

    passed: bool
    score: float
    criteria: Mapping[str, float]
    failed: tuple[str, ...]
    evidence: Mapping[str, str]


@dataclass(frozen=True)
class EarsModel:
    """Learned-scorer weights: one row of coefficients per scorer ([word | char | embedding] columns),
    intercepts, thresholds; `token_logits` is the embedding block folded into the token table."""

    config: FeatureConfig
    coef: np.ndarray
    intercept: np.ndarray
    threshold: np.ndarray
    token_logits: np.ndarray | None = None

    @classmethod
    def of(
        cls, config: FeatureConfig, coef: np.ndarray, intercept: np.ndarray, threshold: np.ndarray
    ) -> EarsModel:
        """A model from its weights; the embedding coefficients are folded into per-token logits once,
        so scoring a sentence averages a few numbers per token instead of pooling 384-d vectors."""
        word, char, static = config.widths()
        if coef.shape[1] != word + char + static:
            raise ValueError(
                f"EARS weights have {coef.shape[1]} columns, the feature config needs {word + char + static};"
                " retrain the EARS model"
            )
        tokens = None
        if static:
            block = coef[:, word + char :].astype(np.float32)
            tokens = (static_encoder().vectors @ block.T).astype(np.float64) * config.static_scale
        return cls(config, coef[:, : word + char], intercept, threshold, tokens)


# A number standing alone ("(512828160)", "12:30", "2"): chat exports carry message ids and stamps,
# and a near copy of a reply that differs only in them must get the reply's verdict.
_NUMBER = re.compile(r"(?<!\S)[(\[#]?\d(?:[\d:.,/-]*\d)?[)\]]?(?=[\s.,!?;]|$)")


def model_text(text: str) -> str:
    """Text as the learned scorers see it: lower case, straight quotes, punctuation kept ("?" matters),
    standalone numbers dropped (they say nothing about acknowledging, exploring or advising)."""
    return " ".join(_NUMBER.sub(" ", patterns.normalise(text)).split())


def mean_embeddings(cleaned: Sequence[str]) -> np.ndarray:
    """(len, 384) float32: the mean static vector of each text's WordPiece tokens (zeros if none).

    The plain mean, not normalised, so the model's embedding block is linear in the token vectors and
    folds into one logit per token (`EarsModel.of`)."""
    vectors = static_encoder().vectors
    out = np.zeros((len(cleaned), vectors.shape[1]), dtype=np.float32)
    for row, ids in enumerate(static_encoder().token_ids(cleaned)):
        if ids:
            out[row] = vectors[ids].mean(axis=0)
    return out


def _ngrams(cleaned: Sequence[str], config: FeatureConfig) -> sp.csr_matrix:
    common: dict[str, Any] = {"alternate_sign": False, "lowercase": False, "norm": "l2", "dtype": np.float32}
    word = HashingVectorizer(
        analyzer="word", ngram_range=config.word_ngrams, n_features=2**config.word_bits, **common
    )
    blocks = [word.transform(cleaned)]
    if config.char_ngrams:
        blocks.append(char_wb_matrix(cleaned, config.char_ngrams, 2**config.char_bits))
    return sp.hstack(blocks, format="csr")


def featurize(texts: Sequence[str], config: FeatureConfig) -> sp.csr_matrix:
    """Sparse design matrix [word n-grams | char n-grams | scaled mean token embedding]; stateless, so
    only weights ship. Training uses it whole; inference folds the embedding block (`EarsModel.of`)."""
    cleaned = [model_text(t) for t in texts]
    blocks = [_ngrams(cleaned, config)]
    if config.static_scale:
        blocks.append(sp.csr_matrix(mean_embeddings(cleaned) * np.float32(config.static_scale)))
    return sp.hstack(blocks, format="csr")


def logits(texts: Sequence[str], model: EarsModel) -> np.ndarray:
    """(len(texts), scorers) logits, as `featurize(texts) @ coef.T + intercept` computes them."""
    cleaned = [model_text(t) for t in texts]
    result = np.asarray(_ngrams(cleaned, model.config) @ model.coef.T, dtype=np.float64) + model.intercept
    if model.token_logits is not None and cleaned:
        ids = static_encoder().token_ids(cleaned)
        counts = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(counts.sum()))
        owners = np.repeat(np.arange(len(ids)), counts)
        sums = np.zeros_like(result)
        np.add.at(sums, owners, model.token_logits[flat])
        result += sums / np.maximum(counts, 1)[:, None]
    return result


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> EarsModel:
    """Read the shipped weights once; a missing artefact means training was never run."""
    if not path.exists():
        raise FileNotFoundError(
            f"EARS model artefact missing at {path}; run "
            "`uv run python -m tasks.gates.training.ears --data ../shared/data` to build it"
        )
    with np.load(path, allow_pickle=False) as data:
        config = FeatureConfig.model_validate_json(str(data["feature_config"]))
        names = tuple(str(n) for n in data["scorers"])
        if names != LEARNED:
            raise ValueError(f"{path} holds scorers {names}, expected {LEARNED}; retrain the EARS model")
        return EarsModel.of(
            config,
            data["coef"].astype(np.float32),
            data["intercept"].astype(np.float64),
            data["threshold"].astype(np.float64),
        )


_LETTER = re.compile(r"[^\W\d_]")


def probabilities(texts: Sequence[str], model: EarsModel | None = None) -> np.ndarray:
    """Learned-scorer probabilities, shape (len(texts), scorers): the highest over a text's sentences.

    The scorers are trained on single turns, mostly one or two sentences; a mechanism is present in a
    long reply when one of its sentences shows it, so scoring sentences keeps long replies in range.
    A "sentence" without a letter (a message id, a timestamp, "(4)") says nothing about any mechanism,
    yet the advice scorer put a bare number at 0.86: such sentences are not scored (a text of none
    scores 0). Each distinct sentence is scored once: replies repeat them ("i understand."), and a
    sentence's logits depend on nothing else in the batch.
    """
    model = model or load_model()
    units: dict[str, int] = {}  # distinct sentence -> its row of logits
    rows: list[int] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        for unit in patterns.sentences(text) or [text]:
            if _LETTER.search(unit):
                rows.append(units.setdefault(unit, len(units)))
                owners.append(index)
    scores = np.zeros((len(texts), model.coef.shape[0]))
    if units:
        unit_scores = 1.0 / (1.0 + np.exp(-logits(list(units), model)))
        np.maximum.at(scores, np.asarray(owners), unit_scores[rows])
    return scores


def calibrate(probability: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Map a probability onto [0, 1] with its threshold at 0.5, so every criterion passes at 0.5."""
    below = 0.5 * probability / threshold
    above = 0.5 + 0.5 * (probability - threshold) / (1.0 - threshold)
    return np.where(probability < threshold, below, above)


def _thresholds(model: EarsModel, settings: EarsSettings) -> np.ndarray:
    return np.asarray(
        [settings.thresholds.get(name, float(t)) for name, t in zip(LEARNED, model.threshold, strict=True)]
    )


def _learned(texts: Sequence[str], settings: EarsSettings) -> np.ndarray:
    """The learned scorers' calibrated scores (LEARNED order), one row per text."""
    model = load_model()
    return calibrate(probabilities(texts, model), _thresholds(model, settings))


# The patterns backing the learned scorers: evidence name -> (column in LEARNED order, detector).
_MECHANISM_PATTERNS = {
    "emotional_reaction": (0, patterns.emotional_reaction),
    "reflection": (0, patterns.reflection),
    "exploration": (1, patterns.explores),
    "advice": (2, patterns.advice),
}


def _patterns_found(text: str, learned: np.ndarray) -> dict[str, str]:
    """The mechanism phrases in one text, each setting its scorer's score (`learned`, one row) to 1: the
    patterns are precise, the models catch what they miss."""
    found: dict[str, str] = {}
    for name, (column, detect) in _MECHANISM_PATTERNS.items():
        phrase = detect(text)
        if phrase:
            learned[column] = 1.0
            found[name] = phrase
    return found


def _roadblocks(seeker: str, response: str, at_risk: bool) -> dict[Criterion, str | None]:
    """The pattern-only criteria: the phrase (if any) that breaks each one."""
    directive = patterns.directive(response)
    # A directive the seeker asked for is advice (owed autonomy support, checked apart); at risk,
    # telling someone to call a crisis line is the protocol, not a roadblock.
    if directive and (at_risk or patterns.asks_for_advice(seeker)):
        directive = None
    return {
        Criterion.NO_DISMISSAL: patterns.dismissal(response),
        Criterion.NO_CONFRONTATION: patterns.confrontation(response),
        Criterion.NO_UNSOLICITED_DIRECTIVE: directive,
        Criterion.NO_JUDGEMENT: patterns.judgement(response),
        Criterion.WITHIN_SCOPE: patterns.out_of_scope(response),
    }


def _substantive(response: str, settings: EarsSettings) -> str | None:
    """Why a reply is too short, too long or generic, or None."""
    count = len(patterns.words(response))
    if not settings.min_words <= count <= settings.max_words:
        return f"{count} words"
    specific = patterns.specific_words(response)
    return f"{specific} specific words" if specific < settings.min_specific_words else None


def _protocol(response: str, acknowledgement: float) -> str | None:
    """What a crisis reply lacks of the protocol (acknowledge, ask about safety, offer help), or None."""
    missing = [
        part
        for part, present in (
            ("acknowledgement", acknowledgement >= PASS_LINE),
            ("safety question", patterns.asks_about_safety(response) is not None),
            ("crisis resource or professional help", patterns.offers_crisis_help(response) is not None),
        )
        if not present
    ]
    return "missing " + ", ".join(missing) if missing else None


def _score_turn(
    seeker: str, response: str, learned: np.ndarray, evidence: dict[str, str], at_risk: bool
) -> dict[Criterion, float]:
    """Every applicable criterion's score for one turn (pass at 0.5); adds the phrases behind failures."""
    acknowledgement, exploration, advice = (float(v) for v in learned)
    scores = {Criterion.ACKNOWLEDGEMENT: acknowledgement, Criterion.EXPLORATION: exploration}
    for criterion, phrase in _roadblocks(seeker, response, at_risk).items():
        scores[criterion] = 0.0 if phrase else 1.0
        if phrase:
            evidence[criterion.value] = phrase
    # At risk the protocol's instructions (call 988, tell someone now) are owed, not offered.
    permission = at_risk or patterns.autonomy_support(response) is not None
    scores[Criterion.AUTONOMY_SUPPORT] = 1.0 if permission else 1.0 - advice
    if at_risk:
        missing = _protocol(response, acknowledgement)
        scores[Criterion.CRISIS_PROTOCOL] = 0.0 if missing else 1.0
        if missing:
            evidence[Criterion.CRISIS_PROTOCOL.value] = missing
    return scores


def score_pairs(
    seekers: Sequence[str],
    responses: Sequence[str],
    settings: EarsSettings | None = None,
    at_risk: Sequence[bool] | None = None,
) -> list[TurnScore]:
    """Score each response against the seeker turn before it; `at_risk` marks turns owed the crisis
    protocol (which then takes the place of the no-directive and autonomy rules)."""
    if len(seekers) != len(responses) or (at_risk is not None and len(at_risk) != len(responses)):
        raise ValueError("seekers, responses (and at_risk, if given) must have the same length")
    settings = settings or EarsSettings()
    risk = list(at_risk) if at_risk is not None else [False] * len(responses)
    learned = _learned(responses, settings)
    results = []
    # One pass per reply over every pattern, so each detector finds its normalised text cached.
    for row, (seeker, response) in enumerate(zip(seekers, responses, strict=True)):
        evidence = _patterns_found(response, learned[row])
        scores = _score_turn(seeker, response, learned[row], evidence, risk[row])
        too = _substantive(response, settings)
        scores[Criterion.SUBSTANTIVE] = 0.0 if too else 1.0
        if too:
            evidence[Criterion.SUBSTANTIVE.value] = too
        results.append(_verdict(scores, evidence, settings))
    return results


def empathy_score(acknowledgement: float, exploration: float, passed: bool) -> float:
    """The turn's continuous score: the mean of its acknowledgement and exploration scores, banded by the
    verdict ([0.5, 1] if it passed, [0, 0.5) if not), so `score >= 0.5` still means passed.

    The lowest criterion (the score before) is 0 for any roadblock phrase or short reply and so says
    nothing about how empathic the failed replies are; the mean of the two learned mechanisms does."""
    mean = (acknowledgement + exploration) / 2
    return round(PASS_LINE + PASS_LINE * mean, 6) if passed else min(round(PASS_LINE * mean, 6), FAIL_CEILING)


def _verdict(scores: dict[Criterion, float], evidence: dict[str, str], settings: EarsSettings) -> TurnScore:
    required = [c for c in settings.required if c in scores]
    failed = tuple(FAILURE[c] for c in required if scores[c] < PASS_LINE)
    return TurnScore(
        passed=not failed,
        score=empathy_score(scores[Criterion.ACKNOWLEDGEMENT], scores[Criterion.EXPLORATION], not failed),
        criteria={c.value: round(v, 6) for c, v in scores.items()},
        failed=failed,
        evidence=evidence,
    )


def crisis_protocol_followed(response: str) -> bool:
    """True when a reply acknowledges the seeker, asks directly about safety and names a crisis resource
    (988, a crisis line, emergency services) or professional help."""
    return protocols_followed([response])[0]


def protocols_followed(responses: Sequence[str]) -> list[bool]:
    """`crisis_protocol_followed` for many replies at once (one model pass, not one per reply).

    Only replies that ask about safety and offer help can keep the protocol, so only those are scored
    for acknowledgement (few replies do; a reply's scores do not depend on its batch)."""
    candidates = [
        i
        for i, text in enumerate(responses)
        if patterns.asks_about_safety(text) is not None and patterns.offers_crisis_help(text) is not None
    ]
    followed = [False] * len(responses)
    if candidates:
        texts = [responses[i] for i in candidates]
        learned = _learned(texts, EarsSettings())
        for i, text, row in zip(candidates, texts, learned, strict=True):
            _patterns_found(text, row)
            followed[i] = _protocol(text, float(row[0])) is None
    return followed


def _turns(record: Record, risky: frozenset[int]) -> list[tuple[int, str, str, bool]]:
    """(message index, seeker text, reply, at risk) for each assistant turn, seeker = user turns since the
    last reply."""
    turns = []
    seeker: list[str] = []
    at_risk = False
    for index, message in enumerate(record.messages):
        if message.role is Role.USER:
            seeker.append(message.content)
            at_risk = at_risk or index in risky
        elif message.role is Role.ASSISTANT:
            turns.append((index, "\n".join(seeker), message.content, at_risk))
            seeker, at_risk = [], False
    return turns


def _record_verdict(
    record: Record, results: Sequence[tuple[int, TurnScore]], settings: EarsSettings
) -> tuple[GateVerdict, Record]:
    """One record's verdict, and the record with per-turn weights where it is judged turn by turn.

    Generated conversations must pass on every assistant turn. A corpus conversation (its source type
    in `per_turn_sources`) fails only on a hard criterion or when no turn is trainable; a turn failing
    only soft criteria stays as context with weight 0, and the verdict lists it as "context only".
    """
    if not results:
        return GateVerdict(gate=GATE, passed=False, score=0.0, reasons=("no assistant turn",)), record
    failures = [(i, code) for i, r in results for code in r.failed]
    if record.source.type not in settings.per_turn_sources:
        reasons = tuple(f"turn {i}: {code}" for i, code in failures)
        score = min(result.score for _, result in results)
        return GateVerdict(gate=GATE, passed=not reasons, score=score, reasons=reasons), record
    hard = {FAILURE[c] for c in settings.hard}
    blocking = tuple(f"turn {i}: {code}" for i, code in failures if code in hard)
    context = tuple(f"turn {i} {CONTEXT_ONLY}: {code}" for i, code in failures)
    trained = {i for i, r in results if r.passed}
    if not trained and not blocking:
        blocking = ("no trainable assistant turn", *(f"turn {i}: {code}" for i, code in failures))
    passed = not blocking
    score = min(r.score for i, r in results if i in trained) if passed else min(r.score for _, r in results)
    verdict = GateVerdict(gate=GATE, passed=passed, score=score, reasons=context if passed else blocking)
    weights = tuple(
        _weighted(m, int(i in trained)) if m.role is Role.ASSISTANT else m
        for i, m in enumerate(record.messages)
    )
    return verdict, record.model_copy(update={"messages": weights})


def _weighted(message: Message, weight: int) -> Message:
    """The message with its training weight (itself when it has it already: messages are immutable)."""
    return message if message.weight == weight else message.model_copy(update={"weight": weight})


def judge(
    records: Sequence[Record],
    settings: EarsSettings,
    risk_turns: Sequence[frozenset[int]] | None = None,
) -> list[Record]:
    """Each record with its EARS verdict appended (and, for corpus conversations, turn weights set).

    `risk_turns[i]` holds the message indices of record i's user turns that disclose risk; the reply
    that follows such a turn must follow the crisis protocol. A record with no assistant turn fails.
    """
    risky = list(risk_turns) if risk_turns is not None else [frozenset()] * len(records)
    if len(risky) != len(records):
        raise ValueError("risk_turns must hold one set of message indices per record")
    turns = [(r, *turn) for r, record in enumerate(records) for turn in _turns(record, risky[r])]
    scored = score_pairs(
        [t[2] for t in turns], [t[3] for t in turns], settings, at_risk=[t[4] for t in turns]
    )
    per_record: list[list[tuple[int, TurnScore]]] = [[] for _ in records]
    for (r, index, *_), result in zip(turns, scored, strict=True):
        per_record[r].append((index, result))
    judged = []
    for record, results in zip(records, per_record, strict=True):
        verdict, weighted = _record_verdict(record, results, settings)
        judged.append(weighted.with_verdict(verdict))
    return judged


def check(
    records: Sequence[Record],
    settings: EarsSettings,
    risk_turns: Sequence[frozenset[int]] | None = None,
) -> list[GateVerdict]:
    """One verdict per record (see `judge`): score is the lowest trained turn's."""
    return [record.gates[-1] for record in judge(records, settings, risk_turns)]


def _parse(line: str) -> tuple[Any, str, str, bool]:
    """The id, seeker, response and risk flag of one input line; ValueError says what is wrong."""
    item = json_object(line, "'id', 'seeker' and 'response'")
    for field in ("seeker", "response"):
        if not isinstance(item.get(field), str):
            raise ValueError(f"field '{field}' is missing or not a string")
    at_risk = item.get("at_risk", False)
    if not isinstance(at_risk, bool):
        raise ValueError("field 'at_risk' must be true or false when given")
    return item.get("id"), item["seeker"], item["response"], at_risk


def run_cli(lines: TextIO, out: TextIO, settings: EarsSettings | None = None, batch_size: int = 256) -> None:
    """JSON lines {"id","seeker","response"[,"at_risk"]} in, {"id","passed","score","criteria"} out, in
    input order; criteria maps each evaluated criterion to whether it passed; bad lines get an error."""

    def score(good: list[tuple[Any, str, str, bool]]) -> list[TurnScore]:
        return score_pairs([g[1] for g in good], [g[2] for g in good], settings, at_risk=[g[3] for g in good])

    def row(item: tuple[Any, str, str, bool], result: TurnScore) -> dict[str, Any]:
        criteria = {name: value >= PASS_LINE for name, value in result.criteria.items()}
        return {"id": item[0], "passed": result.passed, "score": result.score, "criteria": criteria}

    serve(lines, out, _parse, score, row, batch_size)


if __name__ == "__main__":
    # Undecodable bytes become U+FFFD, so a bad line gets an error row instead of ending the run.
    run_cli(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"), sys.stdout)
