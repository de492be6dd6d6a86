"""Train the EARS gate's learned scorers, choose their thresholds, and measure the whole gate.

Run from the repository root: `uv run python -m tasks.gates.training.ears --data ../shared/data`.
Deterministic (fixed split hashes, liblinear with a fixed seed, fixed zip timestamps): the same data
gives the same artefact bytes. Writes `artefacts/ears_model.npz` (weights only, no pickle) and
`artefacts/ears_model.json` (thresholds, data sha256s, held-out agreement, gate-level checks).

Every source is split by conversation: ESConv by its published train/valid/test split,
EmpatheticDialogues by a hash of the dialogue id (70/15/15). Models train on the train parts, C and
thresholds are chosen on the valid/dev parts, and every reported number comes from the test parts, the
hand-labelled EmpatheticIntents lines (never trained on) or sources never tuned on (FailedESConv,
CounselChat).

Source held out: each scorer is also trained without one trained source (ESConv or EmpatheticDialogues)
and tested on all of it, with the gold sets (FailedESConv strategies, hand-labelled intents) held out
in every fold; and the gate's turn score is measured on proxy sets of strongly empathic against
non-empathic human replies (`proxy_sets`). These figures go to the model card and are what feature
and score choices are judged on; no weight or threshold is fitted to them.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from tasks.gates import ears, ears_patterns
from tasks.gates.ears import CARD_PATH, MODEL_PATH, EarsModel, FeatureConfig, featurize
from tasks.gates.ears_settings import DEFAULT_REQUIRED, LEARNED, Criterion, EarsSettings
from tasks.gates.model_artefacts import rate, sha256_of, write_npz
from tasks.gates.training.scripts import fit, jsonl, parser

SEED = 20261127
# Inverse L2 strength. A search over {0.5, 2, 8} on the dev parts (2026-11-26) moved dev kappa by at
# most 0.012 for any scorer, with 2 best or tied for all three; one fit per scorer keeps training short.
DEFAULT_C = 2.0
# Dev kappa within this of the best counts as tied (about one standard error on a few thousand turns).
KAPPA_PLATEAU = 0.01
ESCONV_STRATEGIES = (
    "Affirmation and Reassurance",
    "Information",
    "Others",
    "Providing Suggestions",
    "Question",
    "Reflection of feelings",
    "Restatement or Paraphrasing",
    "Self-disclosure",
)
ED_INTENTS = (
    "acknowledging",
    "agreeing",
    "consoling",
    "encouraging",
    "neutral",
    "questioning",
    "suggesting",
    "sympathizing",
    "wishing",
)
# (positive labels, negative labels) per scorer and source; labels in neither are left out as ambiguous
# (e.g. a "Reflection of feelings" turn is neither clearly an emotional reaction nor clearly not one).
LABEL_MAP: dict[str, dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    "acknowledgement": {
        "esconv": (
            frozenset(
                {"Affirmation and Reassurance", "Reflection of feelings", "Restatement or Paraphrasing"}
            ),
            frozenset({"Question", "Providing Suggestions", "Information", "Self-disclosure", "Others"}),
        ),
        "ed": (
            frozenset({"acknowledging", "sympathizing", "consoling", "encouraging"}),
            frozenset({"questioning", "suggesting", "neutral", "agreeing"}),
        ),
    },
    "exploration": {
        "esconv": (frozenset({"Question"}), frozenset(ESCONV_STRATEGIES) - {"Question"}),
        "ed": (frozenset({"questioning"}), frozenset(ED_INTENTS) - {"questioning"}),
    },
    "advice": {
        "esconv": (
            frozenset({"Providing Suggestions"}),
            frozenset(ESCONV_STRATEGIES) - {"Providing Suggestions"},
        ),
        "ed": (frozenset({"suggesting"}), frozenset(ED_INTENTS) - {"suggesting"}),
    },
}
# Hand-labelled EmpatheticIntents lines (gold, never trained on): positives per scorer; every other
# file is a negative for that scorer.
MANUAL_POSITIVES: dict[str, frozenset[str]] = {
    "acknowledgement": frozenset(
        {"acknowledging", "sympathizing", "consoling", "encouraging", "expressing_care_concern"}
    ),
    "exploration": frozenset({"questioning"}),
    "advice": frozenset({"suggesting", "advising"}),
}
# FailedESConv names some strategies as an earlier version of the ESConv annotation guide did.
FAILED_STRATEGIES = {
    "Questions": "Question",
    "Other": "Others",
    "Direct Guidance": "Providing Suggestions",
    "Approval and Reassurance": "Affirmation and Reassurance",
    "Restatement": "Restatement or Paraphrasing",
}
# Sources the scorers train on, and gold sets they never train on (held out in every fold).
TRAINED_SOURCES = ("esconv", "ed")
GOLD_SOURCES = ("failedesconv", "ed_manual")
LABEL_SCHEME = {"failedesconv": "esconv"}  # FailedESConv turns carry ESConv strategies
ACKNOWLEDGING = frozenset(
    {"Affirmation and Reassurance", "Reflection of feelings", "Restatement or Paraphrasing"}
)
MANUAL_EMPATHIC = frozenset({"acknowledging", "sympathizing", "consoling", "expressing_care_concern"})
# Hand-labelled lines that show none of the EPITOME mechanisms: disapproval, opinion, advice.
MANUAL_NON_EMPATHIC = frozenset({"disapproving", "sharing_opinions", "advising", "suggesting"})


@dataclass(frozen=True)
class Turn:
    """One labelled supporter/listener turn: its source, split, conversation and label."""

    text: str
    label: str
    source: str
    split: str
    conversation: str


@dataclass(frozen=True)
class Reply:
    """A seeker turn and the whole reply to it (consecutive supporter turns joined), with its labels."""

    seeker: str
    response: str
    labels: frozenset[str]
    conversation: str
    rating: int | None
    feedback: int | None = None


def ed_split(dialog_id: str) -> str:
    """70/15/15 train/dev/test by a hash of the dialogue id, so a dialogue never straddles splits."""
    bucket = int(hashlib.sha256(dialog_id.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def _rating(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


Utterance = tuple[bool, str, str, int | None]  # (supporter?, text, strategy, seeker feedback)


def esconv(folder: Path) -> tuple[list[Turn], list[Reply]]:
    """Supporter turns with their strategy, and held-out (test split) replies with seeker empathy ratings."""
    turns: list[Turn] = []
    replies: list[Reply] = []
    for split, name in (("train", "train"), ("dev", "valid"), ("test", "test")):
        for number, conversation in enumerate(jsonl(folder / f"{name}.jsonl")):
            key = f"esconv:{name}:{number}"
            dialog: list[Utterance] = [
                (t["speaker"] == "sys", t["text"].strip(), t.get("strategy", ""), None)
                for t in conversation["dialog"]
            ]
            turns += [
                Turn(text, strategy, "esconv", split, key)
                for sys, text, strategy, _ in dialog
                if sys and text
            ]
            if split == "test":
                replies += _replies(
                    dialog, key, _rating(conversation["survey_score"]["seeker"].get("empathy"))
                )
    return turns, [r for r in replies if r.response]


def failed_esconv(path: Path) -> list[Reply]:
    """FailedESConv replies with the seeker's empathy rating (1-5) and next helpfulness feedback (1-5)."""
    replies: list[Reply] = []
    for number, conversation in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        dialog: list[Utterance] = [
            (
                t["speaker"] == "listener",
                t["content"].strip(),
                t["annotation"].get("strategy", ""),
                _rating(t["annotation"].get("feedback")),
            )
            for t in conversation["dialog"]
        ]
        rating = _rating(conversation["survey_score"]["seeker"].get("empathy"))
        replies += _replies(dialog, f"failed:{number}", rating)
    return [r for r in replies if r.response]


def _replies(dialog: Sequence[Utterance], key: str, rating: int | None) -> list[Reply]:
    """Pair each run of seeker turns with the run of supporter turns that answers it.

    A seeker's feedback rates the replies since the previous feedback (the ESConv collection protocol);
    replies with no later feedback keep None.
    """
    done: list[Reply] = []
    pending: list[Reply] = []
    seeker: list[str] = []
    reply: list[tuple[str, str]] = []
    for supporter, text, strategy, feedback in [*dialog, (False, "", "", None)]:
        if supporter:
            reply += [(text, strategy)] if text else []
            continue
        if reply and seeker:
            labels = frozenset(label for _, label in reply)
            pending.append(Reply("\n".join(seeker), " ".join(t for t, _ in reply), labels, key, rating))
        seeker = [] if reply else seeker
        reply = []
        seeker += [text] if text else []
        if feedback is not None:
            done += [replace(r, feedback=feedback) for r in pending]
            pending = []
    return done + pending


def failed_esconv_turns(path: Path) -> list[Turn]:
    """FailedESConv listener turns with their strategy in ESConv's names: held-out gold, never trained on."""
    turns: list[Turn] = []
    for number, conversation in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        for turn in conversation["dialog"]:
            strategy = turn["annotation"].get("strategy", "")
            if turn["speaker"] == "listener" and turn["content"].strip():
                label = FAILED_STRATEGIES.get(strategy, strategy)
                turns.append(Turn(turn["content"].strip(), label, "failedesconv", "test", f"failed:{number}"))
    return turns


def empathetic_dialogues(folder: Path) -> list[Turn]:
    """Listener turns with an automatically assigned listener intent (emotion-labelled turns left out)."""
    turns: list[Turn] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = row["Text"].replace("_comma_", ",").strip()
                if row["Actor"] == "listener" and row["Label"] in ED_INTENTS and text:
                    dialog = row["Dialog_ID"]
                    turns.append(Turn(text, row["Label"], "ed", ed_split(dialog), dialog))
    return turns


def manual_intents(folder: Path) -> list[tuple[str, str]]:
    """(intent, text) for every hand-labelled EmpatheticIntents line."""
    rows = []
    for path in sorted(folder.glob("*.txt")):
        rows += [
            (path.stem, line.strip())
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return rows


def counselchat(path: Path) -> list[tuple[str, str, int]]:
    """(question, answer, upvotes) for every CounselChat answer."""
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (
                f"{row['questionTitle']}\n{row['questionText']}".strip(),
                row["answerText"].strip(),
                int(row["upvotes"]),
            )
            for row in csv.DictReader(handle)
            if row["answerText"].strip()
        ]


def label_of(turn: Turn, scorer: str) -> int | None:
    """1 or 0 under the scorer's label map for the turn's source, None where the label is ambiguous."""
    if turn.source == "ed_manual":
        return int(turn.label in MANUAL_POSITIVES[scorer])
    mapping = LABEL_MAP[scorer].get(LABEL_SCHEME.get(turn.source, turn.source))
    if mapping is None:
        return None
    positive, negative = mapping
    return 1 if turn.label in positive else 0 if turn.label in negative else None


@dataclass(frozen=True)
class Fold:
    """Row indices into a turn list: what a scorer trains on, chooses its threshold on, is tested on."""

    train: list[int]
    dev: list[int]
    tests: dict[str, list[int]]


def fold(turns: Sequence[Turn], scorer: str, held_out: str | None = None) -> Fold:
    """Train on the train parts of every trained source but `held_out`, choose the threshold on their dev
    parts, and test on every turn of `held_out` (all its splits) and on the gold sets; with no source held
    out (the shipped model), test on each trained source's test split and the gold sets."""
    if held_out is not None and held_out not in TRAINED_SOURCES:
        raise ValueError(f"only a trained source {TRAINED_SOURCES} can be held out, not {held_out!r}")
    trained = [source for source in TRAINED_SOURCES if source != held_out]
    tested = [held_out] if held_out else trained
    train: list[int] = []
    dev: list[int] = []
    tests: dict[str, list[int]] = {name: [] for name in (*tested, *GOLD_SOURCES)}
    for index, turn in enumerate(turns):
        if label_of(turn, scorer) is None:
            continue
        if turn.source in trained and turn.split != "test":
            (train if turn.split == "train" else dev).append(index)
        elif turn.source in tests:
            tests[turn.source].append(index)
    return Fold(train, dev, tests)


def balanced_weights(sources: Sequence[str], labels: np.ndarray) -> np.ndarray:
    """Equal total weight per source, and within a source equal weight per class: no corpus or class
    base rate dominates, so the threshold (chosen on dev) carries the operating point."""
    counts = Counter(zip(sources, labels.tolist(), strict=True))
    groups = len(counts)
    raw = np.asarray([1.0 / (groups * counts[(s, int(y))]) for s, y in zip(sources, labels, strict=True)])
    return raw * len(sources)


def agreement(predicted: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Accuracy, precision, recall and Cohen's kappa of binary predictions against labels."""
    predicted, labels = predicted.astype(bool), labels.astype(bool)
    hits = int((predicted & labels).sum())
    kappa = cohen_kappa_score(labels, predicted) if len(set(labels.tolist())) > 1 else float("nan")
    return {
        "n": len(labels),
        "positives": int(labels.sum()),
        "accuracy": round(float((predicted == labels).mean()), 4),
        "precision": round(hits / int(predicted.sum()), 4) if predicted.any() else None,
        "recall": round(hits / int(labels.sum()), 4) if labels.any() else None,
        "kappa": None if np.isnan(kappa) else round(float(kappa), 4),
    }


def best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The middle of the thresholds (0.01 grid) whose dev kappa is within KAPPA_PLATEAU of the best, and
    its kappa. Dev kappa is flat over a wide range (advice: 0.507-0.515 from 0.58 to 0.70), so the
    single best point is noise; the middle of the plateau moves least from one sample to the next."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    kappas = np.asarray([cohen_kappa_score(labels, probabilities >= t) for t in grid])
    plateau = np.flatnonzero(kappas >= kappas.max() - KAPPA_PLATEAU)
    middle = int(plateau[len(plateau) // 2])
    return float(grid[middle]), float(kappas[middle])


PATTERN_DETECTORS: dict[str, Callable[[str], str | None]] = {
    "acknowledgement": lambda text: ears_patterns.emotional_reaction(text) or ears_patterns.reflection(text),
    "exploration": ears_patterns.explores,
    "advice": ears_patterns.advice,
}


def train_scorer(
    turns: Sequence[Turn],
    matrix: Any,
    scorer: str,
    config: FeatureConfig,
    c: float,
    held_out: str | None = None,
) -> tuple[LogisticRegression, float, dict[str, Any]]:
    """Fit one fold (`fold`): train, choose the threshold on dev, report every test set.

    `matrix` holds the features of every turn (rows as in `turns`); only training rows are read."""
    split = fold(turns, scorer, held_out)
    labels = np.asarray([label_of(t, scorer) or 0 for t in turns])
    sources = [turns[i].source for i in split.train]
    trained_labels = labels[split.train].tolist()
    weights = balanced_weights(sources, labels[split.train])
    model = fit(matrix[split.train], labels[split.train], weights, c, SEED)
    dev_texts = [turns[i].text for i in split.dev]
    threshold, kappa = best_threshold(_sentence_max(model, dev_texts, config), labels[split.dev])
    print(f"  {scorer} (held out: {held_out}): dev kappa {kappa:.3f} at threshold {threshold}", flush=True)
    tests = {
        name: _three_ways(model, threshold, scorer, [turns[i].text for i in rows], labels[rows], config)
        for name, rows in split.tests.items()
    }
    report = {
        "threshold": threshold,
        "dev_kappa": round(kappa, 4),
        "train_examples": dict(sorted(Counter(map("{}:{}".format, sources, trained_labels)).items())),
        "held_out": tests,
    }
    return model, threshold, report


def source_held_out(
    turns: Sequence[Turn], matrix: Any, config: FeatureConfig, c: float
) -> dict[str, dict[str, Any]]:
    """Per scorer and held-out source: trained without that source, tested on all of it and the gold sets."""
    return {
        scorer: {
            source: train_scorer(turns, matrix, scorer, config, c, held_out=source)[2]
            for source in TRAINED_SOURCES
        }
        for scorer in LEARNED
    }


def _sentence_max(model: LogisticRegression, texts: Sequence[str], config: FeatureConfig) -> np.ndarray:
    """The fitted model's probabilities as the gate computes them (highest over each text's sentences)."""
    shipped = model.coef_.astype(np.float16).astype(np.float32)  # as stored in the artefact
    weights = EarsModel.of(config, shipped, model.intercept_, np.asarray([0.5]))
    return ears.probabilities(texts, weights)[:, 0]


def auc(scores: Sequence[float] | np.ndarray, labels: Sequence[int] | np.ndarray) -> float | None:
    """ROC AUC rounded to 4 places; None when only one class is present."""
    labels = np.asarray(labels)
    if len(set(labels.tolist())) < 2:
        return None
    return round(float(roc_auc_score(labels, np.asarray(scores))), 4)


def _three_ways(
    model: LogisticRegression,
    threshold: float,
    scorer: str,
    texts: Sequence[str],
    labels: np.ndarray,
    config: FeatureConfig,
) -> dict[str, Any]:
    """AUC of the model's probability, and agreement of the model alone, the patterns alone, and the
    criterion as gated (either)."""
    probability = _sentence_max(model, texts, config)
    learned = probability >= threshold
    pattern = np.asarray([bool(PATTERN_DETECTORS[scorer](t)) for t in texts])
    return {
        "auc": auc(probability, labels),
        "model": agreement(learned, labels),
        "pattern": agreement(pattern, labels),
        "model_or_pattern": agreement(learned | pattern, labels),
    }


def gate_rates(replies: Sequence[Reply], settings: EarsSettings) -> dict[str, Any]:
    """Pass rate of the gate on replies, and the share of replies each reason code fails."""
    scored = ears.score_pairs([r.seeker for r in replies], [r.response for r in replies], settings)
    failures = Counter(code for s in scored for code in s.failed)
    total = max(len(scored), 1)
    return {
        "passed": sum(s.passed for s in scored),
        "pass_rate": rate(sum(s.passed for s in scored), len(scored)),
        "failure_share": {code: round(n / total, 4) for code, n in sorted(failures.items())},
    }


def rejection_rates(replies: Sequence[Reply], settings: EarsSettings) -> dict[str, Any]:
    """Rejection rate on replies labelled non-empathic (the DESIGN requirement is stated that way)."""
    rates = gate_rates(replies, settings)
    return {"rejection_rate": rate(len(replies) - rates["passed"], len(replies)), **rates}


def gate_report(
    esconv_test: Sequence[Reply],
    failed: Sequence[Reply],
    chat: Sequence[tuple[str, str, int]],
    manual: Sequence[tuple[str, str]],
    settings: EarsSettings,
) -> dict[str, Any]:
    """Whole-gate behaviour on held-out and never-tuned-on human replies (see the model card)."""
    non_empathic = [r for r in failed if r.feedback == 1 and r.rating is not None and r.rating <= 2]
    empathy_one = [r for r in failed if r.rating == 1]
    praised = [r for r in failed if r.feedback == 5 and r.rating is not None and r.rating >= 4]
    rated = [r for r in esconv_test if r.rating is not None and r.rating >= 4]
    shaped = [r for r in rated if r.labels & ACKNOWLEDGING and "Question" in r.labels]
    acknowledging = [r for r in rated if r.labels & ACKNOWLEDGING]
    manual_replies = [Reply("", text, frozenset({intent}), "manual", None) for intent, text in manual]
    report: dict[str, Any] = {
        "out_of_domain_non_empathic": {
            "failedesconv_feedback1_empathy_le2": rejection_rates(non_empathic, settings),
            "failedesconv_all_replies_empathy1": rejection_rates(empathy_one, settings),
            "ed_manual_disapproving": rejection_rates(
                [r for r in manual_replies if "disapproving" in r.labels], settings
            ),
        },
        "empathic_pass_rates": {
            "esconv_test_ack_and_question_empathy_ge4": gate_rates(shaped, settings),
            "esconv_test_acknowledging_empathy_ge4": gate_rates(acknowledging, settings),
            "failedesconv_feedback5_empathy_ge4": gate_rates(praised, settings),
            "ed_manual_empathic_intents": gate_rates(
                [r for r in manual_replies if r.labels & MANUAL_EMPATHIC], settings
            ),
        },
        "esconv_test_by_seeker_empathy_rating": {
            str(score): gate_rates([r for r in esconv_test if r.rating == score], settings)
            for score in range(1, 6)
        },
        "counselchat": {
            "all": gate_rates([Reply(q, a, frozenset(), "cc", None) for q, a, _ in chat], settings),
            "upvotes_ge2": gate_rates(
                [Reply(q, a, frozenset(), "cc", None) for q, a, u in chat if u >= 2], settings
            ),
        },
    }
    return report


def proxy_sets(
    esconv_test: Sequence[Reply], failed: Sequence[Reply], manual: Sequence[tuple[str, str]]
) -> dict[str, tuple[list[Reply], list[Reply]]]:
    """(strongly empathic, non-empathic) reply sets standing in for human empathy ratings we do not have.

    Proxies, not the target: seeker ratings judge a whole conversation and feedback judges helpfulness,
    ESConv strategies are the supporter's own labels, and the hand-labelled intents are short ED lines."""
    non_empathic = [r for r in failed if r.feedback == 1 and r.rating is not None and r.rating <= 2]
    praised = [r for r in failed if r.feedback == 5 and r.rating is not None and r.rating >= 4]
    rated = [r for r in esconv_test if r.rating is not None and r.rating >= 4]
    lines = [Reply("", text, frozenset({intent}), "manual", None) for intent, text in manual]
    return {
        "failedesconv_feedback5_empathy_ge4_vs_feedback1_empathy_le2": (praised, non_empathic),
        "esconv_test_ack_and_question_empathy_ge4_vs_failedesconv_non_empathic": (
            [r for r in rated if r.labels & ACKNOWLEDGING and "Question" in r.labels],
            non_empathic,
        ),
        "esconv_test_acknowledging_empathy_ge4_vs_failedesconv_non_empathic": (
            [r for r in rated if r.labels & ACKNOWLEDGING],
            non_empathic,
        ),
        "ed_manual_empathic_vs_disapproving_opinion_advice": (
            [r for r in lines if r.labels & MANUAL_EMPATHIC],
            [r for r in lines if r.labels & MANUAL_NON_EMPATHIC],
        ),
    }


def lowest_criterion(result: ears.TurnScore, settings: EarsSettings) -> float:
    """The turn score the gate exposed before it was made continuous: its lowest required criterion."""
    return min(v for c, v in result.criteria.items() if Criterion(c) in settings.required)


def proxy_report(sets: dict[str, tuple[list[Reply], list[Reply]]], settings: EarsSettings) -> dict[str, Any]:
    """Per proxy set: AUC of `TurnScore.score` between empathic and non-empathic replies, the AUC the
    lowest-criterion score would give, and the pass rate of each side."""
    report = {}
    for name, (empathic, other) in sets.items():
        replies = [*empathic, *other]
        scored = ears.score_pairs([r.seeker for r in replies], [r.response for r in replies], settings)
        labels = [1] * len(empathic) + [0] * len(other)
        report[name] = {
            "auc_turn_score": auc([s.score for s in scored], labels),
            "auc_lowest_criterion": auc([lowest_criterion(s, settings) for s in scored], labels),
            "empathic_passed": rate(sum(s.passed for s in scored[: len(empathic)]), len(empathic)),
            "non_empathic_passed": rate(sum(s.passed for s in scored[len(empathic) :]), len(other)),
        }
    return report


def data_files(data: Path) -> list[Path]:
    talk = data / "conversations"
    return [
        *(talk / "esconv" / f"{s}.jsonl" for s in ("train", "valid", "test")),
        talk / "esconv" / "FailedESConv.json",
        talk / "counselchat" / "20200325_counsel_chat.csv",
        *sorted((talk / "empatheticdialogues" / "annotated_subsample").glob("*.csv")),
        *sorted((talk / "empatheticdialogues" / "manual_intent_annotations").glob("*.txt")),
    ]


def train(data: Path, config: FeatureConfig, c: float = DEFAULT_C) -> dict[str, Any]:
    """Fit every learned scorer, write the weights, then measure the whole gate and write the card."""
    talk = data / "conversations"
    esconv_turns, esconv_test = esconv(talk / "esconv")
    manual = manual_intents(talk / "empatheticdialogues" / "manual_intent_annotations")
    turns = [
        *esconv_turns,
        *empathetic_dialogues(talk / "empatheticdialogues" / "annotated_subsample"),
        *failed_esconv_turns(talk / "esconv" / "FailedESConv.json"),
        *(Turn(text, intent, "ed_manual", "test", "manual") for intent, text in manual),
    ]
    counts = Counter(f"{t.source}:{t.split}" for t in turns)
    print(f"{len(turns)} labelled turns: {dict(sorted(counts.items()))}", flush=True)
    matrix = featurize([t.text for t in turns], config)
    scorers: dict[str, Any] = {}
    coefs, intercepts, thresholds = [], [], []
    for scorer in LEARNED:
        model, threshold, report = train_scorer(turns, matrix, scorer, config, c)
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
        thresholds.append(threshold)
        scorers[scorer] = report
    held_out = source_held_out(turns, matrix, config, c)
    write_npz(
        MODEL_PATH,
        {
            "coef": np.asarray(coefs, dtype=np.float16),
            "intercept": np.asarray(intercepts, dtype=np.float64),
            "threshold": np.asarray(thresholds, dtype=np.float64),
            "scorers": np.asarray(LEARNED),
            "feature_config": np.asarray(config.model_dump_json()),
        },
    )
    ears.load_model.cache_clear()
    failed = failed_esconv(talk / "esconv" / "FailedESConv.json")
    chat = counselchat(talk / "counselchat" / "20200325_counsel_chat.csv")
    optional = EarsSettings(required=tuple(c for c in DEFAULT_REQUIRED if c is not Criterion.EXPLORATION))
    card = {
        "feature_config": config.model_dump(mode="json"),
        "model": {"type": "logistic_regression", "solver": "liblinear", "C": c, "seed": SEED},
        "scorers": scorers,
        "source_held_out": held_out,
        "proxy_auc": proxy_report(proxy_sets(esconv_test, failed, manual), EarsSettings()),
        "gate": gate_report(esconv_test, failed, chat, manual, EarsSettings()),
        "gate_if_exploration_optional": gate_report(esconv_test, failed, chat, manual, optional),
        "default_settings": EarsSettings().model_dump(mode="json"),
        "npz_sha256": sha256_of(MODEL_PATH),
        "npz_bytes": MODEL_PATH.stat().st_size,
        "training_data_sha256": {p.relative_to(data).as_posix(): sha256_of(p) for p in data_files(data)},
        "split": "ESConv: published train/valid/test; EmpatheticDialogues: sha256(Dialog_ID) % 100 < 70 / 85;"
        " source held out: trained on the other source's train part, tested on all of the held-out source",
    }
    CARD_PATH.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return card


def _agreement_line(name: str, ways: dict[str, Any]) -> str:
    combined = ways["model_or_pattern"]
    return (
        f"  {name:14s} AUC {ways['auc']} | as gated acc {combined['accuracy']} P {combined['precision']} "
        f"R {combined['recall']} kappa {combined['kappa']} | model alone kappa {ways['model']['kappa']} "
        f"(n={combined['n']}, pos={combined['positives']})"
    )


def print_summary(card: dict[str, Any]) -> None:
    """Held-out agreement per scorer, source-held-out figures, proxy AUCs and gate-level rates."""
    for scorer, report in card["scorers"].items():
        print(f"{scorer}: threshold={report['threshold']} dev kappa={report['dev_kappa']}")
        for name, ways in report["held_out"].items():
            print(_agreement_line(name, ways))
    print("source held out (trained without it; threshold from the other source's dev part)")
    for scorer, folds in card["source_held_out"].items():
        for source, report in folds.items():
            print(f" {scorer} without {source}: threshold={report['threshold']}")
            for name, ways in report["held_out"].items():
                print(_agreement_line(name, ways))
    print("proxy AUC of TurnScore.score (strongly empathic vs non-empathic replies)")
    for name, row in card["proxy_auc"].items():
        print(
            f"  {name:72s} AUC {row['auc_turn_score']} (lowest criterion {row['auc_lowest_criterion']}) "
            f"passed {row['empathic_passed']['value']} / {row['non_empathic_passed']['value']} "
            f"(n={row['empathic_passed']['n']} / {row['non_empathic_passed']['n']})"
        )
    for variant in ("gate", "gate_if_exploration_optional"):
        print(variant)
        for section, rows in card[variant].items():
            print(f" {section}")
            _print_rates(rows)


def _print_rates(rows: dict[str, Any]) -> None:
    for name, values in rows.items():
        summary = values.get("rejection_rate") or values["pass_rate"]
        label = "rejected" if "rejection_rate" in values else "passed"
        print(f"  {name:44s} {label} {summary['value']} {summary['ci95']} (n={summary['n']})")


def main(argv: Iterable[str] | None = None) -> None:
    command = parser(__doc__.splitlines()[0], ("conversations",), DEFAULT_C)
    default = FeatureConfig()
    command.add_argument(
        "--static-scale",
        type=float,
        default=default.static_scale,
        help="Weight of the mean static token embedding columns; 0 leaves them out",
    )
    command.add_argument(
        "--char-ngrams",
        type=int,
        nargs=2,
        metavar=("LOW", "HIGH"),
        default=default.char_ngrams,
        help="Add char_wb n-grams of these lengths (the scorers before the embeddings used 2 5)",
    )
    args = command.parse_args(list(argv) if argv is not None else None)
    chars = tuple(args.char_ngrams) if args.char_ngrams else None
    config = FeatureConfig(char_ngrams=chars, static_scale=args.static_scale)
    print_summary(train(args.data, config, args.c))


if __name__ == "__main__":
    main()
