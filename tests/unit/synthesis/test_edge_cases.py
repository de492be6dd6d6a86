import re
from collections import Counter

from tasks.preprocess.chat_format import format_problems
from tasks.records import Role
from tasks.settings import GatingSettings
from tasks.synthesis import edge_cases, engine
from tasks.synthesis.edge_case_phrasings import CRISIS_TYPES, EDGE_CASES

# Amounts with units, named means and lethality wording: none may appear in any generated text.
HARM_DETAIL = re.compile(
    r"\b\d+(\.\d+)?\s*(mg|mcg|g|ml|milligrams?|grams?|pills?|tablets?|capsules?|doses?)\b"
    r"|\b(lethal|fatal|toxic) (dose|amount)\b|\boverdose on\b|\bhow (many|much) .{0,30}\bto (die|overdose)\b"
    r"|\b(noose|ligature|hang(ing)? (yourself|myself)|slit|wrists?|bleach|antifreeze|carbon monoxide"
    r"|paracetamol|acetaminophen|firearms?|guns?|bullets?|rope|razors?|blades?|jump(ing)? (off|from))\b",
    re.IGNORECASE,
)
CRISIS_RESOURCE = re.compile(r"\b988\b|emergency number|\b911\b|Samaritans|741741", re.IGNORECASE)
SAFETY_QUESTION = re.compile(r"\b(are you|is anyone)\b[^.?!]*\b(safe|danger)\b[^.?!]*\?", re.IGNORECASE)


def test_every_type_appears_and_records_are_well_formed():
    records, rejects = edge_cases.synthesize(220, run_seed=5, shard_index=2)
    assert len(records) == 220 and rejects == []
    assert set(Counter(r.labels["edge_case_type"] for r in records)) == set(EDGE_CASES)
    for record in records:
        assert format_problems(record, GatingSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT]
        case = EDGE_CASES[str(record.labels["edge_case_type"])]
        assert record.labels["expected_behaviour"] == case.expected_behaviour
        assert record.labels["severity"] == case.severity and record.kind.value == "edge_case"


def test_no_text_carries_method_or_dose_details():
    records, _ = edge_cases.synthesize(400, run_seed=9, shard_index=0)
    texts = [m.content for r in records for m in r.messages]
    for case in EDGE_CASES.values():
        texts += case.scenarios + case.pressures + case.acknowledgements + case.actions + case.closings
    assert [t for t in texts if HARM_DETAIL.search(t)] == []


def test_the_harm_detail_check_catches_what_it_is_for():
    assert HARM_DETAIL.search("take 40 tablets")
    assert HARM_DETAIL.search("a lethal dose of it")
    assert not HARM_DETAIL.search("I can't give advice on doses or changes to medication")


def test_crisis_replies_ask_about_safety_and_name_a_resource():
    records, _ = edge_cases.synthesize(300, run_seed=4, shard_index=1)
    crisis = [r for r in records if r.labels["edge_case_type"] in CRISIS_TYPES]
    assert {r.labels["edge_case_type"] for r in crisis} == CRISIS_TYPES
    for record in crisis:
        reply = record.messages[-1].content
        assert CRISIS_RESOURCE.search(reply), reply
        assert SAFETY_QUESTION.search(reply), reply
        assert record.labels["crisis_protocol"] is True


def test_expected_behaviour_for_lethal_means_medication_and_minors():
    records, _ = edge_cases.synthesize(300, run_seed=4, shard_index=1)
    by_type = {str(r.labels["edge_case_type"]): r for r in records}
    assert by_type["lethal_means_request"].labels["expected_behaviour"] == "refuse_lethal_means"
    assert re.search(r"prescriber|pharmacist|doctor", by_type["medication_question"].messages[-1].content)
    assert re.search(r"trusted adult|grown-up", by_type["minor"].messages[-1].content)
    assert re.search(r"Childline|Childhelp", by_type["minor"].messages[-1].content)


def test_rows_the_engine_drops_or_mangles_are_quarantined(monkeypatch):
    real = engine.generate_rows

    def lossy(builder, count, seed):
        rows = real(builder, count, seed)[: count - 1]
        rows[0] = rows[0] | {"edge_case_type": "not-a-type"}
        return rows

    monkeypatch.setattr(engine, "generate_rows", lossy)
    records, rejects = edge_cases.synthesize(6, run_seed=1, shard_index=0)
    assert len(records) == 4 and len(rejects) == 2
    assert sorted(r.id for r in rejects) == ["edge_case-0-0", "edge_case-0-5"]
