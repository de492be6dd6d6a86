import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tasks.gates import crisis, crisis_lexicon
from tasks.gates.crisis import check, detect, load_model, score_texts
from tasks.gates.crisis_lexicon import IDIOM_MARKER, analyse, normalise, scan
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.static_embeddings import static_encoder
from tasks.gates.training.crisis import hand_cases, repair_scrape_artefacts
from tasks.records import Message, Role
from tests.factories import make_record
from tests.unit.gates.crisis_cases import (
    DENIALS,
    EVERYDAY_NEGATIVES,
    HELD_OUT_IDIOMS,
    KNOWN_EVERYDAY_MISSES,
    NEGATED,
    OBFUSCATED_POSITIVES,
    REGISTER_POSITIVES,
    VAGUE_RISK_POSITIVES,
)

REPO = Path(__file__).resolve().parents[3]
IDIOM_NEGATIVES, CRISIS_POSITIVES = hand_cases()
THRESHOLD = load_model().threshold
SETTINGS = CrisisSettings()


def conversation(*turns: tuple[Role, str]):
    record = make_record()
    return record.model_copy(update={"messages": tuple(Message(role=r, content=c) for r, c in turns)})


def test_the_hand_lists_are_large_and_distinct():
    assert len(set(IDIOM_NEGATIVES)) == len(IDIOM_NEGATIVES) >= 40
    assert len(set(CRISIS_POSITIVES)) == len(CRISIS_POSITIVES) >= 40
    assert not set(IDIOM_NEGATIVES) & set(CRISIS_POSITIVES)


@pytest.mark.parametrize("text", IDIOM_NEGATIVES)
def test_idioms_score_below_the_threshold(text):
    (result,) = detect([text])
    assert not result.flagged, f"{text!r} scored {result.score} >= {THRESHOLD}"


@pytest.mark.parametrize("text", CRISIS_POSITIVES)
def test_crisis_statements_score_at_or_above_the_threshold(text):
    (result,) = detect([text])
    assert result.flagged, f"{text!r} scored {result.score} < {THRESHOLD}"


HELD_OUT = (
    EVERYDAY_NEGATIVES,
    REGISTER_POSITIVES,
    OBFUSCATED_POSITIVES,
    VAGUE_RISK_POSITIVES,
    DENIALS,
    HELD_OUT_IDIOMS,
)


def test_everyday_and_register_cases_are_held_out_of_training():
    """These lists guard generalisation, so the training script must not read them."""
    for cases in HELD_OUT:
        assert not set(cases) & {*IDIOM_NEGATIVES, *CRISIS_POSITIVES}
    assert set(EVERYDAY_NEGATIVES) >= KNOWN_EVERYDAY_MISSES


@pytest.mark.parametrize("text", EVERYDAY_NEGATIVES)
def test_everyday_sadness_stress_and_requests_pass(text):
    (result,) = detect([text])
    if text in KNOWN_EVERYDAY_MISSES:
        assert result.flagged, f"{text!r} now passes: remove it from KNOWN_EVERYDAY_MISSES"
    else:
        assert not result.flagged, f"{text!r} scored {result.score} >= {THRESHOLD}"


@pytest.mark.parametrize("text", REGISTER_POSITIVES)
def test_short_slangy_and_indirect_crisis_statements_are_flagged(text):
    (result,) = detect([text])
    assert result.flagged, f"{text!r} scored {result.score} < {THRESHOLD}"
    assert result.reasons, f"{text!r} has no stage-1 signal"


@pytest.mark.parametrize("text", OBFUSCATED_POSITIVES)
def test_obfuscated_and_slang_statements_are_flagged_by_stage_one(text):
    (result,) = detect([text])
    assert result.flagged, f"{text!r} scored {result.score} < {THRESHOLD}"
    assert any(not r.startswith("negated:") for r in result.reasons), f"{text!r} has no stage-1 signal"


@pytest.mark.parametrize("text", DENIALS)
def test_denials_are_not_flagged(text):
    (result,) = detect([text])
    assert not result.flagged, f"{text!r} scored {result.score} >= {THRESHOLD}"
    assert result.reasons and all(r.startswith("negated:") for r in result.reasons)


@pytest.mark.parametrize("text", HELD_OUT_IDIOMS)
def test_idioms_never_trained_on_are_not_flagged(text):
    (result,) = detect([text])
    assert not result.flagged, f"{text!r} scored {result.score} >= {THRESHOLD}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("k1ll mys3lf", "kill myself"),
        ("$uicide", "suicide"),
        ("i want to k*ll myself", "i want to kill myself"),
        ("s u i c i d e", "suicide"),
        ("i want to d i e", "i want to die"),
        ("i m a mess", "im a mess"),
        ("u r a star", "u r a star"),
        ("took 14000mg, mp3 player", "took 14000mg, mp3 player"),
        ("i hate it and i want to die t", "i hate it and i want to die t"),
    ],
)
def test_normalise_undoes_obfuscation_and_leaves_ordinary_text(text, expected):
    assert normalise(text) == expected


def test_the_model_never_reads_denied_words_and_sees_idioms_as_one_marker():
    assert analyse("I'm not suicidal, just tired").model_text == "just tired"
    assert analyse("I would never kill myself").model_text == "i would never"
    commute = analyse("this commute is killing me").model_text
    assert commute == f"this commute {IDIOM_MARKER}"


def test_scan_gives_the_signals_analyse_gives():
    """scan takes shortcuts that analyse does not; they must never change the answer."""
    cases = [*CRISIS_POSITIVES, *IDIOM_NEGATIVES, *EVERYDAY_NEGATIVES, *REGISTER_POSITIVES, *DENIALS]
    cases += [*OBFUSCATED_POSITIVES, *VAGUE_RISK_POSITIVES, *HELD_OUT_IDIOMS]
    cases += ["I'm not going to lie, I want to kill myself. I would never hurt anyone else though."]
    for text in cases:
        assert scan(text) == analyse(text).signals, text


def test_scraping_marks_of_the_twitter_file_are_repaired():
    assert repair_scrape_artefacts("anything even basic tasksi ama disappointment") == (
        "anything even basic tasks i am a disappointment"
    )
    assert repair_scrape_artefacts("struggles with mental i willness") == "struggles with mental illness"
    assert repair_scrape_artefacts("amkilling myself on my birthday") == "am killing myself on my birthday"
    assert repair_scrape_artefacts("i am amazed and i am 26") == "i am amazed and i am 26"


def test_the_generators_user_phrasings_state_no_risk():
    """Plain therapeutic conversations must not carry risk statements (those belong to the edge-case
    set); the phrase library is checked with stage 1 only, so the gate is not tuned on it."""
    from tasks.synthesis import phrasings

    parts = [text for concern in phrasings.CONCERNS.values() for texts in concern.values() for text in texts]
    for text in [*parts, *phrasings.OPENERS]:
        assert not [s for s in scan(text) if not s.negated], text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i m trying to not kill myself it is hard", "active_ideation"),
        ("please tell me not to throw myself out of the window", "method"),
        ("I regret not ending my life years ago", "active_ideation"),
        ("why shouldn't I kill myself", "active_ideation"),
        ("I wish I'd never been born", "wish_dead"),
        ("I don't want to die but I don't want to keep living like this either", "wish_dead"),
        ("picking up a gun tomorrow", "preparatory"),
        ("I'm ending it tonight.", "intent_plan"),
    ],
)
def test_struggles_and_questions_are_not_read_as_denials(text, category):
    assert any(s.category == category and not s.negated for s in scan(text)), scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm ending it with my boyfriend, he cheated.",
        "It's time to go home.",
        "How much time will it take to learn French?",
        "I'm trying not to eat so much sugar.",
        "It was my last day of high school, such a bittersweet moment.",
        "She said goodbye to her husband at the airport.",
        "I feel like nobody would notice if I skipped the party for a week.",
        "Nobody would notice if I disappeared for a few days, I'm that invisible at work.",
        "Is it ever going to get better?",
        "I have no hope of passing this exam without help.",
        "I'm going to throw myself into work this week.",
    ],
)
def test_new_patterns_leave_everyday_phrasings_alone(text):
    assert not [s for s in scan(text) if not s.negated], scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can't go on",
        "everyone would be better off without me",
        "I just want it all to stop",
        *VAGUE_RISK_POSITIVES,
    ],
)
def test_vague_distress_is_a_stage_one_signal_and_flagged(text):
    assert any(s.category == "hopelessness" and not s.negated for s in scan(text))
    assert detect([text])[0].flagged


@pytest.mark.parametrize(("denial", "statement"), NEGATED)
def test_a_denial_scores_lower_than_the_statement_but_not_zero(denial, statement):
    denied, affirmed = detect([denial, statement])
    assert 0.0 < denied.score < affirmed.score
    assert any(r.startswith("negated:") for r in denied.reasons)
    assert not any(r.startswith("negated:") for r in affirmed.reasons)


def test_a_denial_next_to_an_affirmation_keeps_the_affirmation():
    (result,) = detect(["I'm not going to lie, I want to kill myself."])
    assert result.flagged
    assert any(r.startswith("active_ideation:") for r in result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "I can't stop thinking about killing myself",
        "im not okay i want to die",
        "I don't know why I want to die",
    ],
)
def test_negation_elsewhere_in_the_sentence_does_not_deny_the_act(text):
    assert any(not s.negated for s in scan(text))


def test_normalise_joins_both_contraction_styles():
    assert (
        crisis_lexicon.normalise("I DON'T want to")
        == crisis_lexicon.normalise("i don t want to")
        == "i dont want to"
    )


def test_word_gates_never_hide_a_pattern_match():
    """The anchor-word shortcut must give the same signals as running every pattern."""
    for text in (
        *CRISIS_POSITIVES,
        *IDIOM_NEGATIVES,
        *EVERYDAY_NEGATIVES,
        *REGISTER_POSITIVES,
        *OBFUSCATED_POSITIVES,
        *VAGUE_RISK_POSITIVES,
        *DENIALS,
        *(d for pair in NEGATED for d in pair),
    ):
        norm = crisis_lexicon.blank_idioms(crisis_lexicon.normalise(text))
        every = {c for c, _, pattern in crisis_lexicon._COMPILED if pattern.search(norm)}
        assert {s.category for s in scan(text)} == every, text


def test_scores_are_probabilities_and_deterministic():
    texts = [*CRISIS_POSITIVES[:10], *IDIOM_NEGATIVES[:10], ""]
    first, second = score_texts(texts), score_texts(list(reversed(texts)))
    assert first == list(reversed(second))
    assert all(0.0 <= s <= 1.0 for s in first)


def test_no_texts_no_results():
    assert detect([]) == []
    assert check([], SETTINGS) == []


def test_check_passes_an_ordinary_conversation():
    record = make_record(user="My manager keeps criticising my work and I feel anxious before meetings.")
    (verdict,) = check([record], SETTINGS)
    assert verdict.gate == "crisis"
    assert verdict.passed
    assert verdict.score is not None and verdict.score < THRESHOLD


def test_check_flags_a_crisis_in_any_user_turn_and_names_it():
    record = conversation(
        (Role.USER, "Work has been rough lately."),
        (Role.ASSISTANT, "I'm sorry to hear that. What has been hardest?"),
        (Role.USER, "Honestly I want to kill myself."),
        (Role.ASSISTANT, "Thank you for telling me. Are you safe right now?"),
    )
    (verdict,) = check([record], SETTINGS)
    assert not verdict.passed
    assert verdict.score == pytest.approx(detect(["Honestly I want to kill myself."])[0].score)
    assert any(r.startswith("turn 2: active_ideation:") for r in verdict.reasons)
    assert not any(r.startswith("turn 0") for r in verdict.reasons)


def test_check_ignores_crisis_words_in_assistant_turns():
    record = conversation(
        (Role.USER, "I've been stressed about my exams."),
        (
            Role.ASSISTANT,
            "If you ever think about suicide or want to kill yourself, please call a crisis line.",
        ),
    )
    (verdict,) = check([record], SETTINGS)
    assert verdict.passed


def test_check_returns_one_verdict_per_record_in_order():
    safe = make_record(user="My manager keeps criticising my work and I feel anxious before meetings.")
    risky = make_record(user="I have a plan to end my life tonight.")
    verdicts = check([safe, risky, safe], SETTINGS)
    assert [v.passed for v in verdicts] == [True, False, True]


def test_the_threshold_setting_overrides_the_trained_one():
    record = make_record(user="My manager keeps criticising my work and I feel anxious before meetings.")
    assert not check([record], CrisisSettings(threshold=0.0))[0].passed
    assert check([make_record(user="I want to kill myself")], CrisisSettings(threshold=1.0))[0].passed


def test_cli_round_trip_with_a_malformed_line():
    lines = [
        json.dumps({"id": "a", "text": "I want to kill myself"}),
        "{not json",
        json.dumps({"id": "b", "text": "this commute is killing me"}),
        json.dumps({"id": "c"}),
        json.dumps({"id": 4, "text": "I'm done with it all"}),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "tasks.gates.crisis"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", None, "b", None, 4]
    assert rows[0]["crisis"] is True and rows[2]["crisis"] is False and rows[4]["crisis"] is True
    assert "error" in rows[1] and "error" in rows[3]
    assert rows[0]["score"] == detect(["I want to kill myself"])[0].score


def test_the_artefact_is_small_recorded_and_free_of_pickles():
    card = json.loads(crisis.CARD_PATH.read_text())
    digest = hashlib.sha256(crisis.MODEL_PATH.read_bytes()).hexdigest()
    assert card["npz_sha256"] == digest
    assert crisis.MODEL_PATH.stat().st_size < 5_000_000
    assert 0.0 < card["threshold"] < 1.0 and card["lexicon_floors_above_threshold"]
    pooled = card["metrics_cv"]["pooled"]
    assert pooled["sensitivity"]["value"] >= card["target_sensitivity"]
    for key in ("specificity_excluding_sdcnl_depression", "precision_all_dev_data"):
        assert len(pooled[key]["ci95"]) == 2
    assert card["training_data_sha256"]
    with np.load(crisis.MODEL_PATH, allow_pickle=False) as data:
        config = crisis.FeatureConfig.model_validate_json(str(data["feature_config"]))
        dims = static_encoder().dims
        assert data["coef"].shape == (
            2**config.word_bits + 2**config.char_bits + len(crisis_lexicon.CATEGORIES) + dims,
        )
        assert data["embedding_coef"].shape == (dims,)
        stage = crisis.EmbeddingStage.model_validate_json(str(data["embedding_stage"]))
    assert stage == crisis.EmbeddingStage() and card["embedding_model"]["stage"] == stage.model_dump()
    # The embedding model earns its place at the operating point: more specific at the same sensitivity.
    key = "specificity_excluding_sdcnl_depression"
    without = card["metrics_cv"]["without_embedding_model"]["pooled"]
    assert pooled[key]["value"] > without[key]["value"] and pooled["sensitivity"]["value"] >= 0.97


def test_scores_do_not_depend_on_batch_mates_or_on_earlier_calls():
    texts = ["I feel so alone lately and nothing helps.", "I can't stop crying since the breakup."]
    first = [r.score for r in detect(texts)]
    other_batch = [r.score for r in detect(["A longer sentence about my week at work and home.", *texts])]
    assert first == other_batch[1:] == [r.score for r in detect(texts[::-1])][::-1]


def test_the_embedding_model_is_asked_only_where_the_ngram_model_is_unsure_and_no_lexicon_signal_fired():
    stage = crisis.EmbeddingStage(consult_from=0.01)
    ngram = np.asarray([0.001, 0.2, 0.2, 0.9])
    floors = np.asarray([0.0, 0.0, 0.9, 0.0])
    embedded = np.asarray([0.99, 0.01, 0.99, 0.5])
    assert crisis.consulted(ngram, floors, stage).tolist() == [False, True, False, True]
    learned = crisis.learned_probability(ngram, embedded, floors, stage)
    assert learned[0] == 0.001 and learned[2] == 0.2  # not asked: the n-gram probability stands
    assert learned[1] < 0.2 < learned[3] < 0.9  # asked: the logits are averaged


def test_the_gate_shares_nothing_with_the_generator():
    for module in (crisis, crisis_lexicon):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not any(name.startswith("tasks.synthesis") for name in imported)


def test_a_repeated_text_gets_the_result_it_gets_alone():
    texts = ["I don't know where to start.", "Work has been a lot lately.", "I don't know where to start."]
    results = detect(texts)
    assert results[0] == results[2] and results[:2] == detect(texts[:2])
    assert [r.score for r in detect(texts[1:2])] == [results[1].score]
