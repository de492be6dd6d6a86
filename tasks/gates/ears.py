"""EARS gate (Empathy-Aligned Response Style): every assistant turn must meet the response-style spec.

The spec is docs/guides/EMPATHY_RESPONSE_STYLE.md: EPITOME's empathy mechanisms (emotional reactions,
interpretations, explorations), Motivational Interviewing (reflections, open questions, autonomy
support; no confrontation, unsolicited directives or judgement), scope limits and, where the seeker
discloses risk, the crisis protocol. Each assistant turn is scored against the user turn before it.
Learned linear models over hashed word and character n-grams detect the mechanisms that have labelled
data (ESConv strategies, EmpatheticDialogues intents); explicit patterns (ears_patterns) cover the
rest and back the models up. Nothing here imports the synthesis package: a gate sharing phrasings
with the generator would grade its own homework.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel
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
from tasks.records import GateVerdict, Record, Role

GATE = "ears"
ARTEFACT_DIR = Path(__file__).resolve().parent / "artefacts"
MODEL_PATH = ARTEFACT_DIR / "ears_model.npz"
CARD_PATH = ARTEFACT_DIR / "ears_model.json"
PASS_LINE = 0.5


class FeatureConfig(BaseModel):
    """How text becomes features; stored with the weights so training and inference cannot drift."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    word_bits: int = 18
    char_bits: int = 18


@dataclass(frozen=True)
class TurnScore:
    """One assistant turn's verdict: per-criterion scores (pass at 0.5), failed reason codes, evidence."""

    passed: bool
    score: float
    criteria: Mapping[str, float]
    failed: tuple[str, ...]
    evidence: Mapping[str, str]


@dataclass(frozen=True)
class EarsModel:
    """Learned-scorer weights: one row of hashed n-gram coefficients per scorer, intercepts, thresholds."""

    config: FeatureConfig
    coef: np.ndarray
    intercept: np.ndarray
    threshold: np.ndarray


def model_text(text: str) -> str:
    """Text as the learned scorers see it: lower case, straight quotes, punctuation kept ("?" matters)."""
    return patterns.normalise(text)


def featurize(texts: Sequence[str], config: FeatureConfig) -> sp.csr_matrix:
    """Sparse design matrix [word n-grams | char n-grams]; stateless, so only weights ship."""
    common: dict[str, Any] = {"alternate_sign": False, "lowercase": False, "norm": "l2", "dtype": np.float32}
    word = HashingVectorizer(
        analyzer="word", ngram_range=config.word_ngrams, n_features=2**config.word_bits, **common
    )
    cleaned = [model_text(t) for t in texts]
    char = char_wb_matrix(cleaned, config.char_ngrams, 2**config.char_bits)
    return sp.hstack([word.transform(cleaned), char], format="csr")


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> EarsModel:
    """Read the shipped weights once; a missing artefact means training was never run."""
    if not path.exists():
        raise FileNotFoundError(
            f"EARS model artefact missing at {path}; run "
            "`uv run python -m tasks.gates.ears_training --data ../shared/data` to build it"
        )
    with np.load(path, allow_pickle=False) as data:
        config = FeatureConfig.model_validate_json(str(data["feature_config"]))
        names = tuple(str(n) for n in data["scorers"])
        if names != LEARNED:
            raise ValueError(f"{path} holds scorers {names}, expected {LEARNED}; retrain the EARS model")
        return EarsModel(
            config,
            data["coef"].astype(np.float32),
            data["intercept"].astype(np.float64),
            data["threshold"].astype(np.float64),
        )


def probabilities(texts: Sequence[str], model: EarsModel | None = None) -> np.ndarray:
    """Learned-scorer probabilities, shape (len(texts), scorers): the highest over a text's sentences.

    The scorers are trained on single turns, mostly one or two sentences; a mechanism is present in a
    long reply when one of its sentences shows it, so scoring sentences keeps long replies in range.
    """
    model = model or load_model()
    units: list[str] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        parts = patterns.sentences(text) or [text]
        units += parts
        owners += [index] * len(parts)
    scores = np.zeros((len(texts), model.coef.shape[0]))
    if units:
        logits = np.asarray(featurize(units, model.config) @ model.coef.T, dtype=np.float64) + model.intercept
        np.maximum.at(scores, np.asarray(owners), 1.0 / (1.0 + np.exp(-logits)))
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


def _mechanisms(texts: Sequence[str], settings: EarsSettings) -> tuple[np.ndarray, list[dict[str, str]]]:
    """Learned-or-pattern scores of the learned scorers (LEARNED order), with the pattern evidence.

    A pattern match sets the score to 1: the patterns are precise, the models catch what they miss.
    """
    model = load_model()
    scores = calibrate(probabilities(texts, model), _thresholds(model, settings))
    detectors = {
        "emotional_reaction": (0, patterns.emotional_reaction),
        "reflection": (0, patterns.reflection),
        "exploration": (1, patterns.explores),
        "advice": (2, patterns.advice),
    }
    evidence: list[dict[str, str]] = []
    for row, text in enumerate(texts):
        found: dict[str, str] = {}
        for name, (column, detect) in detectors.items():
            phrase = detect(text)
            if phrase:
                scores[row, column] = 1.0
                found[name] = phrase
        evidence.append(found)
    return scores, evidence


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
    learned, found = _mechanisms(list(responses), settings)
    results = []
    for row, (seeker, response) in enumerate(zip(seekers, responses, strict=True)):
        evidence = dict(found[row])
        scores = _score_turn(seeker, response, learned[row], evidence, risk[row])
        too = _substantive(response, settings)
        scores[Criterion.SUBSTANTIVE] = 0.0 if too else 1.0
        if too:
            evidence[Criterion.SUBSTANTIVE.value] = too
        results.append(_verdict(scores, evidence, settings))
    return results


def _verdict(scores: dict[Criterion, float], evidence: dict[str, str], settings: EarsSettings) -> TurnScore:
    required = [c for c in settings.required if c in scores]
    failed = tuple(FAILURE[c] for c in required if scores[c] < PASS_LINE)
    return TurnScore(
        passed=not failed,
        score=round(min((scores[c] for c in required), default=1.0), 6),
        criteria={c.value: round(v, 6) for c, v in scores.items()},
        failed=failed,
        evidence=evidence,
    )


def crisis_protocol_followed(response: str) -> bool:
    """True when a reply acknowledges the seeker, asks directly about safety and names a crisis resource
    (988, a crisis line, emergency services) or professional help."""
    return protocols_followed([response])[0]


def protocols_followed(responses: Sequence[str]) -> list[bool]:
    """`crisis_protocol_followed` for many replies at once (one model pass, not one per reply)."""
    if not responses:
        return []
    mechanisms, _ = _mechanisms(responses, EarsSettings())
    return [_protocol(text, float(row[0])) is None for text, row in zip(responses, mechanisms, strict=True)]


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
        m.model_copy(update={"weight": int(i in trained)}) if m.role is Role.ASSISTANT else m
        for i, m in enumerate(record.messages)
    )
    return verdict, record.model_copy(update={"messages": weights})


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
