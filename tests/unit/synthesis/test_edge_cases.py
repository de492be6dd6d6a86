import re
from collections import Counter

from tasks.gates import content_filter, safety_routing
from tasks.gates.content_filter_settings import ContentFilterSettings
from tasks.preprocess.chat_format import format_problems
from tasks.preprocess.near_dup import find_near_duplicates, signature
from tasks.records import Role
from tasks.settings import PreprocessSettings
from tasks.synthesis import edge_cases, engine

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


def pool_texts() -> list[str]:
    texts = []
    for case in edge_cases.edge_cases().values():
        texts += [t for s in case.scenarios for t in (*s["user"], *s["reflect"])]
        texts += [text for pressure in case.pressures for text in pressure.values()]
        texts += [*case.acknowledgements, *case.actions, *case.closings]
    return texts


def test_every_type_appears_and_records_are_well_formed():
    records, rejects = edge_cases.synthesize(220, run_seed=5, shard_index=2)
    assert len(records) == 220 and rejects == []
    cases = edge_cases.edge_cases()
    assert set(Counter(r.labels["edge_case_type"] for r in records)) == set(cases)
    for record in records:
        assert format_problems(record, PreprocessSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT]
        case = cases[str(record.labels["edge_case_type"])]
        assert record.labels["expected_behaviour"] == case.expected_behaviour
        assert record.labels["severity"] == case.severity and record.kind.value == "edge_case"
        assert str(record.labels["scenario"]).startswith(f"{record.labels['edge_case_type']}/")


def test_no_text_carries_method_or_dose_details():
    records, _ = edge_cases.synthesize(400, run_seed=9, shard_index=0)
    texts = [m.content for r in records for m in r.messages] + pool_texts()
    assert [t for t in texts if HARM_DETAIL.search(t)] == []


def test_the_harm_detail_check_catches_what_it_is_for():
    assert HARM_DETAIL.search("take 40 tablets")
    assert HARM_DETAIL.search("a lethal dose of it")
    assert not HARM_DETAIL.search("I can't give advice on doses or changes to medication")


def test_crisis_replies_ask_about_safety_and_name_a_resource():
    records, _ = edge_cases.synthesize(300, run_seed=4, shard_index=1)
    crisis = [r for r in records if r.labels["edge_case_type"] in edge_cases.crisis_types()]
    assert {r.labels["edge_case_type"] for r in crisis} == edge_cases.crisis_types()
    for record in crisis:
        reply = record.messages[-1].content
        assert CRISIS_RESOURCE.search(reply), reply
        assert SAFETY_QUESTION.search(reply), reply
        assert record.labels["crisis_protocol"] is True


def test_generated_cases_pass_the_content_filter_and_the_crisis_protocol():
    records, _ = edge_cases.synthesize(600, run_seed=42, shard_index=0)
    assert [v.reasons for v in content_filter.check(records, ContentFilterSettings()) if not v.passed] == []
    # Crisis routing holds any case whose user turn the detector flags to the protocol, whatever its type.
    verdicts = safety_routing.protocol_verdicts(records, [frozenset({0})] * len(records))
    assert [
        (r.messages[-1].content, v.reasons) for r, v in zip(records, verdicts, strict=True) if not v.passed
    ] == []


def test_replies_say_back_the_scenario_and_a_run_has_no_near_twins():
    records, _ = edge_cases.synthesize(1000, run_seed=42, shard_index=0)
    scenarios = {f"{n}/{s['id']}": s for n, c in edge_cases.edge_cases().items() for s in c.scenarios}
    for record in records:
        user, reply = (m.content for m in record.messages)
        scenario = scenarios[str(record.labels["scenario"])]
        assert any(u in user for u in scenario["user"]) and any(r in reply for r in scenario["reflect"])
    replies = [r.messages[1].content for r in records]
    assert len(set(replies)) >= 0.9 * len(replies)
    twins = find_near_duplicates([(r.id, r.kind.value, r.id, signature(r)) for r in records], 0.8)
    assert twins == {}


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
