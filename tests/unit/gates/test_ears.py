import ast
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from tasks.gates import ears, ears_patterns
from tasks.gates.ears import check, crisis_protocol_followed, run_cli, score_pairs
from tasks.gates.ears_settings import DEFAULT_REQUIRED, LEARNED, Criterion, EarsSettings
from tasks.records import Message, Role
from tests.factories import make_record
from tests.unit.gates.ears_cases import CRISIS_FOLLOWED, CRISIS_NOT_FOLLOWED, EMPATHIC, NON_EMPATHIC

REPO = Path(__file__).resolve().parents[3]
SETTINGS = EarsSettings()
GOOD = "It sounds like the last few weeks have been really draining. What has been the hardest part for you?"
# Off-topic chat about a film reads to the acknowledgement model like an ED "acknowledging" turn
# ("The effects are amazing."), and the question counts as exploration: a known gap of the gate.
KNOWN_MISSES = {"Have you seen the new superhero film? The effects are amazing."}


def conversation(*turns: tuple[Role, str]):
    record = make_record()
    return record.model_copy(update={"messages": tuple(Message(role=r, content=c) for r, c in turns)})


def test_the_case_tables_are_large_distinct_and_cover_the_known_misses():
    assert len({r for _, r in NON_EMPATHIC}) == len(NON_EMPATHIC) >= 30
    assert len({r for _, r in EMPATHIC}) == len(EMPATHIC) >= 30
    assert {r for _, r in NON_EMPATHIC} >= KNOWN_MISSES


@pytest.mark.parametrize(("seeker", "reply"), NON_EMPATHIC)
def test_clearly_non_empathic_replies_are_rejected(seeker, reply):
    (result,) = score_pairs([seeker], [reply])
    if reply in KNOWN_MISSES:
        assert result.passed, f"{reply!r} is now rejected: remove it from KNOWN_MISSES"
    else:
        assert not result.passed, f"{reply!r} passed with {result.criteria}"
        assert result.score < ears.PASS_LINE


@pytest.mark.parametrize(("seeker", "reply"), EMPATHIC)
def test_clearly_empathic_replies_pass(seeker, reply):
    (result,) = score_pairs([seeker], [reply])
    assert result.passed, f"{reply!r} failed {result.failed}: {result.evidence}"
    assert result.score >= ears.PASS_LINE


FAILURES = (
    ("Honestly, just get over it. What else is going on?", "dismissal"),
    ("At least you still have a job. How are things at home?", "dismissal"),
    ("That sounds hard, but it's your own fault. What happened next?", "judgement"),
    (
        "That sounds hard. You need to stop thinking about it. What else is on your mind?",
        "unsolicited_directive",
    ),
    ("I hear you. The truth is you're making excuses. What would change that?", "confrontation"),
    ("That sounds hard. You clearly have bipolar disorder. When did it start?", "out_of_scope"),
    ("That sounds awful. Double your dose tonight. How did you sleep?", "out_of_scope"),
    (
        "That sounds exhausting. I recommend you quit. How long have you been there?",
        "advice_without_autonomy_support",
    ),
    ("That sounds so hard, I'm sorry.", "no_exploration"),
    ("What time is it where you are?", "no_acknowledgement"),
    ("Sorry. Why?", "too_short_long_or_generic"),
)


@pytest.mark.parametrize(("reply", "code"), FAILURES)
def test_each_criterion_names_its_own_failure(reply, code):
    (result,) = score_pairs(["I've had a really bad week at work."], [reply])
    assert code in result.failed, (result.failed, result.evidence)


@pytest.mark.parametrize(
    "reply",
    [
        "It's not your fault, and it sounds like you're carrying a lot of guilt. What makes you feel so?",
        "People keep telling you to just get over it, and that sounds so lonely. What's that been like?",
        "You feel like you were stupid for trusting him, which sounds painful. What would you tell a friend?",
        "It sounds really hard. You don't have to figure it all out today. What feels most pressing?",
        "I'm so sorry. It must feel like the ground has gone from under you. What happened after the call?",
    ],
)
def test_negated_and_reported_roadblocks_are_not_the_replys_own(reply):
    (result,) = score_pairs(["I keep thinking it was all my fault."], [reply])
    assert result.passed, (result.failed, result.evidence)


def test_not_trying_to_is_a_stated_intent_and_not_trying_is_a_confrontation():
    assert ears_patterns.confrontation("Tell her you're not trying to undermine her.") is None
    assert ears_patterns.confrontation("Honestly, you're not trying hard enough.") == "you're not trying"
    assert ears_patterns.confrontation("You're not really trying.") == "you're not really trying"


def test_a_directive_the_seeker_asked_for_is_not_a_roadblock_but_still_owes_autonomy():
    reply = "That sounds stressful. You should talk to your manager this week. How does that sound to you?"
    asked, unasked = score_pairs(
        ["My manager keeps piling work on me. What should I do?", "My manager keeps piling work on me."],
        [reply, reply],
    )
    assert asked.passed, (asked.failed, asked.evidence)
    assert unasked.failed == ("unsolicited_directive",)


def test_a_sentence_without_words_is_not_scored_as_any_mechanism():
    """Chat exports carry ids and stamps on their own line; the advice scorer once read them as advice."""
    plain = "It sounds like you're having a rough day.\nAnything in particular happened?"
    stamped = (
        "It sounds like you're having a rough day.\n(597997949)\nAnything in particular happened?\n12:30"
    )
    first, second = score_pairs(["Bad day."] * 2, [plain, stamped])
    assert first.passed and second.passed, second.failed
    assert second.criteria == first.criteria
    assert not ears.probabilities(["(597997949)", "12345"]).any()
    inline = (
        "hi how are you (512828160)\nIt sounds like a rough day (4). Anything in particular happened? 12:30"
    )
    third, fourth = score_pairs(["Bad day."] * 2, [inline, re.sub(r" \(?[\d:]+\)?", "", inline)])
    assert third.criteria == fourth.criteria


def test_length_and_genericness_limits_come_from_the_settings():
    long_reply = "It sounds really hard. " * 80 + "What has helped before?"
    (default,) = score_pairs(["I'm exhausted."], [long_reply])
    (roomy,) = score_pairs(["I'm exhausted."], [long_reply], EarsSettings(max_words=1000))
    assert "too_short_long_or_generic" in default.failed
    assert roomy.passed


@pytest.mark.parametrize("reply", CRISIS_FOLLOWED)
def test_the_crisis_protocol_is_recognised(reply):
    assert crisis_protocol_followed(reply)
    (result,) = score_pairs(["I don't want to be alive anymore."], [reply], at_risk=[True])
    assert result.passed, (result.failed, result.evidence)


@pytest.mark.parametrize("reply", CRISIS_NOT_FOLLOWED)
def test_an_incomplete_crisis_reply_is_not_the_protocol(reply):
    assert not crisis_protocol_followed(reply)
    (result,) = score_pairs(["I don't want to be alive anymore."], [reply], at_risk=[True])
    assert "crisis_protocol_missing" in result.failed


def test_the_crisis_protocol_is_only_owed_where_risk_is_disclosed():
    reply = "That sounds really painful. What has been happening lately?"
    calm, risky = score_pairs(["Work is hard."] * 2, [reply] * 2, at_risk=[False, True])
    assert calm.passed and Criterion.CRISIS_PROTOCOL.value not in calm.criteria
    assert risky.failed == ("crisis_protocol_missing",)


def test_check_scores_every_assistant_turn_and_names_the_failing_one():
    record = conversation(
        (Role.SYSTEM, "You are a supportive listener."),
        (Role.USER, "I've been feeling low since my friend moved away."),
        (Role.ASSISTANT, "That sounds lonely, especially with someone so close. What do you miss most?"),
        (Role.USER, "Our weekend walks, mostly."),
        (Role.ASSISTANT, "That sounds so hard, I'm sorry."),
    )
    (verdict,) = check([record], SETTINGS)
    assert verdict.gate == "ears"
    assert not verdict.passed
    assert verdict.reasons == ("turn 4: no_exploration",)
    first, last = score_pairs(
        ["I've been feeling low since my friend moved away.", "Our weekend walks, mostly."],
        [record.messages[2].content, record.messages[4].content],
    )
    assert verdict.score == min(first.score, last.score) == last.score


def test_check_passes_a_conversation_whose_every_turn_passes_and_keeps_record_order():
    good = make_record(user="I can't sleep and I keep worrying about work.", assistant=GOOD)
    bad = make_record(user="I can't sleep and I keep worrying about work.", assistant="ok")
    verdicts = check([good, bad, good], SETTINGS)
    assert [v.passed for v in verdicts] == [True, False, True]
    assert verdicts[0].score is not None and verdicts[0].score >= ears.PASS_LINE
    assert verdicts == check([good, bad, good], SETTINGS)


def test_check_joins_consecutive_user_turns_as_the_seeker():
    record = conversation(
        (Role.USER, "Hi."),
        (Role.USER, "My manager keeps piling work on me. What should I do?"),
        (Role.ASSISTANT, "That sounds stressful. You should talk to your manager. How does that sound?"),
    )
    assert check([record], SETTINGS)[0].passed


def test_check_owes_the_crisis_protocol_only_after_a_risky_user_turn():
    record = conversation(
        (Role.USER, "Work has been rough."),
        (Role.ASSISTANT, "That sounds exhausting. What has been the hardest part?"),
        (Role.USER, "Honestly I don't want to be alive anymore."),
        (Role.ASSISTANT, CRISIS_FOLLOWED[0]),
    )
    assert check([record], SETTINGS, risk_turns=[frozenset({2})])[0].passed
    weak = record.model_copy(
        update={
            "messages": (*record.messages[:3], Message(role=Role.ASSISTANT, content=CRISIS_NOT_FOLLOWED[0]))
        }
    )
    (verdict,) = check([weak], SETTINGS, risk_turns=[frozenset({2})])
    assert verdict.reasons == ("turn 3: crisis_protocol_missing",)
    with pytest.raises(ValueError, match="one set of message indices per record"):
        check([record], SETTINGS, risk_turns=[])


def test_a_record_without_an_assistant_turn_fails():
    (verdict,) = check([conversation((Role.USER, "Hello?"))], SETTINGS)
    assert not verdict.passed and verdict.reasons == ("no assistant turn",)


def test_required_criteria_and_thresholds_are_settings():
    (strict,) = score_pairs(["I'm sad."], ["That sounds so hard, I'm sorry you're going through it."])
    relaxed_settings = EarsSettings(
        required=tuple(c for c in DEFAULT_REQUIRED if c is not Criterion.EXPLORATION)
    )
    (relaxed,) = score_pairs(
        ["I'm sad."], ["That sounds so hard, I'm sorry you're going through it."], relaxed_settings
    )
    assert strict.failed == ("no_exploration",) and relaxed.passed
    reply = "What time is it where you are?"
    (default,) = score_pairs(["I'm sad."], [reply])
    (lenient,) = score_pairs(["I'm sad."], [reply], EarsSettings(thresholds={"acknowledgement": 1e-9}))
    assert "no_acknowledgement" in default.failed and "no_acknowledgement" not in lenient.failed
    with pytest.raises(ValidationError, match="unknown learned scorer"):
        EarsSettings(thresholds={"empathy": 0.5})
    with pytest.raises(ValidationError, match="strictly between"):
        EarsSettings(thresholds={"advice": 1.0})


def test_score_pairs_checks_lengths_and_handles_nothing():
    assert score_pairs([], []) == []
    assert check([], SETTINGS) == []
    with pytest.raises(ValueError, match="same length"):
        score_pairs(["a"], [])
    with pytest.raises(ValueError, match="same length"):
        score_pairs(["a"], ["b"], at_risk=[True, False])


def test_scores_lie_in_the_unit_interval_and_pass_at_one_half():
    results = score_pairs([s for s, _ in EMPATHIC + NON_EMPATHIC], [r for _, r in EMPATHIC + NON_EMPATHIC])
    for result in results:
        assert all(0.0 <= v <= 1.0 for v in result.criteria.values())
        assert result.passed == (result.score >= ears.PASS_LINE)


def test_cli_core_reports_criteria_and_turns_bad_lines_into_errors():
    lines = [
        json.dumps({"id": "a", "seeker": "I'm exhausted.", "response": GOOD}),
        "{not json",
        json.dumps({"id": "b", "seeker": "I'm exhausted."}),
        json.dumps(["a list"]),
        json.dumps({"id": "c", "seeker": "I'm exhausted.", "response": "ok", "at_risk": "yes"}),
        json.dumps({"id": 4, "seeker": "I want to die.", "response": CRISIS_FOLLOWED[1], "at_risk": True}),
        json.dumps({"id": "e", "seeker": "I'm exhausted.", "response": "ok"}),
    ]
    out = io.StringIO()
    run_cli(io.StringIO("\n".join(lines) + "\n\n"), out, batch_size=3)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", None, None, None, None, 4, "e"]
    assert [("error" in r) for r in rows] == [False, True, True, True, True, False, False]
    assert rows[0]["passed"] is True and set(rows[0]) == {"id", "passed", "score", "criteria"}
    assert rows[0]["criteria"]["exploration"] is True and "crisis_protocol" not in rows[0]["criteria"]
    assert rows[5]["passed"] is True and rows[5]["criteria"]["crisis_protocol"] is True
    assert rows[6]["passed"] is False and rows[6]["criteria"]["substantive"] is False


def test_the_cli_module_runs_as_a_program_and_survives_undecodable_bytes():
    good = json.dumps({"id": "a", "seeker": "I'm exhausted.", "response": GOOD}).encode()
    done = subprocess.run(
        [sys.executable, "-m", "tasks.gates.ears"],
        input=good + b"\n" + b'{"id": "b", "seeker": "\xff", "response": "\xfe ok"}\n' + b"oops\n",
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second, third = (json.loads(line) for line in done.stdout.decode().splitlines())
    assert first["passed"] is True and first["score"] == score_pairs(["I'm exhausted."], [GOOD])[0].score
    assert second["id"] == "b" and second["passed"] is False
    assert third == {"id": None, "error": "not JSON: Expecting value"}


def test_the_artefact_is_small_recorded_and_free_of_pickles():
    card = json.loads(ears.CARD_PATH.read_text())
    assert card["npz_sha256"] == hashlib.sha256(ears.MODEL_PATH.read_bytes()).hexdigest()
    assert ears.MODEL_PATH.stat().st_size < 5_000_000
    assert card["training_data_sha256"]
    with np.load(ears.MODEL_PATH, allow_pickle=False) as data:
        config = ears.FeatureConfig.model_validate_json(str(data["feature_config"]))
        assert data["coef"].shape == (len(LEARNED), sum(config.widths()))
        thresholds = dict(zip(LEARNED, data["threshold"].tolist(), strict=True))
    assert thresholds == {name: card["scorers"][name]["threshold"] for name in LEARNED}
    rejected = card["gate"]["out_of_domain_non_empathic"]["failedesconv_feedback1_empathy_le2"]
    assert rejected["rejection_rate"]["value"] >= 0.90


def test_pattern_detectors_return_the_matching_phrase():
    assert ears_patterns.dismissal("Look, just get over it.") == "get over it"
    assert ears_patterns.judgement("It's not your fault.") is None
    assert ears_patterns.explores("Hi, how are you?") is None
    assert ears_patterns.explores("I'm here if you want to talk more.") is not None
    assert ears_patterns.specific_words("I'm so sorry to hear that. Take care!") == 0


def test_the_gate_shares_nothing_with_the_generator():
    for module in (ears, ears_patterns):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not any(name.startswith("tasks.synthesis") for name in imported)


LOST_JOB = "I lost my job today and I'm scared."
NUMB = "My antidepressant makes me feel numb and I hate it."
# The examples in docs/guides/EMPATHY_RESPONSE_STYLE.md, with the failure codes the page gives them.
SPEC_EXAMPLES = (
    (
        LOST_JOB,
        "Losing your job out of nowhere is frightening, and it makes sense that you're scared. "
        "What feels most worrying right now?",
        set(),
    ),
    (LOST_JOB, "That sounds really frightening. I'm here if you want to talk through what happened.", set()),
    (LOST_JOB, "That sounds really frightening.", {"no_exploration", "too_short_long_or_generic"}),
    (LOST_JOB, "What was your job?", {"no_acknowledgement", "too_short_long_or_generic"}),
    (LOST_JOB, "At least you have savings. Lots of people don't.", {"dismissal", "no_exploration"}),
    (
        LOST_JOB,
        "You need to start applying tomorrow. What kind of work do you want?",
        {"no_acknowledgement", "unsolicited_directive", "advice_without_autonomy_support"},
    ),
    (
        LOST_JOB,
        "That's scary. I'd suggest you update your CV tonight. What field were you in?",
        {"advice_without_autonomy_support"},
    ),
    (
        LOST_JOB,
        "That's scary. If you'd like, we could think about a first step together. What field were you in?",
        set(),
    ),
    (LOST_JOB, "ok", {"no_acknowledgement", "no_exploration", "too_short_long_or_generic"}),
    (LOST_JOB, "Sorry to hear that.", {"no_exploration", "too_short_long_or_generic"}),
    (
        NUMB,
        "Feeling numb on a medication you rely on sounds really frustrating. It may be worth raising this "
        "with your prescriber, who can look at options with you. How long have you felt this way?",
        set(),
    ),
    (
        NUMB,
        "That sounds frustrating. Just stop taking your meds for a week. How long have you been on them?",
        {"out_of_scope", "unsolicited_directive", "advice_without_autonomy_support"},
    ),
    (
        NUMB,
        "That sounds hard. You clearly have treatment-resistant depression. What else have you tried?",
        {"out_of_scope"},
    ),
)


@pytest.mark.parametrize(("seeker", "reply", "codes"), SPEC_EXAMPLES)
def test_the_spec_pages_examples_get_the_verdicts_it_gives(seeker, reply, codes):
    (result,) = score_pairs([seeker], [reply])
    assert set(result.failed) == codes, result.evidence
    spec = (REPO / "docs" / "guides" / "EMPATHY_RESPONSE_STYLE.md").read_text()
    assert reply in spec


def test_inference_folds_the_embedding_block_into_the_same_logits_training_sees():
    config = ears.FeatureConfig(word_bits=10, char_ngrams=(2, 4), char_bits=10, static_scale=2.5)
    assert config.widths() == (1024, 1024, ears.STATIC_DIMS)
    coef = np.random.default_rng(0).normal(size=(3, sum(config.widths()))).astype(np.float32)
    intercept = np.asarray([0.1, -0.2, 0.3])
    texts = [r for _, r in EMPATHIC[:5]] + ["", "?"]
    matrix = ears.featurize(texts, config).toarray().astype(np.float64)
    for block in (coef, np.hstack([np.zeros_like(coef[:, :2048]), coef[:, 2048:]])):
        model = ears.EarsModel.of(config, block, intercept, np.full(3, 0.5))
        expected = matrix @ block.T.astype(np.float64) + intercept
        np.testing.assert_allclose(ears.logits(texts, model), expected, rtol=1e-4, atol=1e-4)
    assert np.ptp(expected[:5], axis=0).min() > 0.1  # the embedding block alone tells texts apart


def test_weights_that_do_not_fit_the_feature_config_are_refused():
    config = ears.FeatureConfig(word_bits=4, char_ngrams=None, static_scale=0.0)
    with pytest.raises(ValueError, match="retrain"):
        ears.EarsModel.of(config, np.zeros((3, 17), dtype=np.float32), np.zeros(3), np.full(3, 0.5))


@pytest.mark.parametrize("passed", [True, False])
def test_the_turn_score_grows_with_empathy_within_its_verdicts_band(passed):
    grid = np.linspace(0.0, 1.0, 11)
    scores = [ears.empathy_score(a, e, passed) for a in grid for e in grid]
    assert all((s >= ears.PASS_LINE) == passed for s in scores)
    low, middle, high = (ears.empathy_score(v, v, passed) for v in (0.1, 0.5, 0.9))
    assert low < middle < high
    assert ears.empathy_score(0.9, 0.1, passed) == ears.empathy_score(0.1, 0.9, passed)


def test_a_failing_turn_ranks_by_how_empathic_it_is():
    seeker = "I lost my job today and I'm scared."
    warm, cold = score_pairs(
        [seeker] * 2,
        ["I'm so sorry, losing your job out of nowhere is frightening.", "Apply for new jobs tomorrow."],
    )
    assert not warm.passed and not cold.passed
    assert cold.score < warm.score < ears.PASS_LINE


def test_replies_without_the_pattern_parts_of_the_protocol_are_not_scored_but_judged_the_same():
    replies = [*CRISIS_FOLLOWED, *CRISIS_NOT_FOLLOWED, *(reply for _, reply in EMPATHIC), GOOD]
    learned = ears._learned(replies, SETTINGS)
    every_reply_scored = []
    for text, row in zip(replies, learned, strict=True):
        ears._patterns_found(text, row)
        every_reply_scored.append(ears._protocol(text, float(row[0])) is None)
    assert ears.protocols_followed(replies) == every_reply_scored
    assert any(every_reply_scored) and not all(every_reply_scored)


def test_a_repeated_sentence_scores_as_it_does_alone():
    texts = ["I understand. What happened next?", "I understand.", "That sounds hard. I understand."]
    together = ears.probabilities(texts)
    alone = np.vstack([ears.probabilities([text]) for text in texts])
    assert np.array_equal(together, alone)
