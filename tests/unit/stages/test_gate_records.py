from collections.abc import Sequence

import pytest
from pydantic import ValidationError

from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.custom import CustomGateError
from tasks.gates.ears_settings import EarsSettings
from tasks.gates.gate_settings import DEFAULT_GATES, GateSettings
from tasks.records import GateVerdict, Message, Record, RecordKind, Role, SourceRef
from tasks.stages.gate_records import _first_copies, gate_records
from tests.factories import make_record

CRISIS = "I want to kill myself tonight, I have the pills ready."
PROTOCOL = (
    "I'm so sorry you're in this much pain, and I'm really glad you told me. Are you safe right now, "
    "and are you thinking of acting on this tonight? Please call or text 988 now; they're there 24/7."
)
EMPATHIC = "That sounds really stressful, and it makes sense that it's on your mind. What worries you most?"


def no_pizza(records: Sequence[Record]) -> list[GateVerdict]:
    """A custom gate for the test: blocks any conversation that mentions pizza."""
    return [
        GateVerdict(gate="no_pizza", passed="pizza" not in r.messages[0].content, reasons=("mentions pizza",))
        for r in records
    ]


def wrong_count(records: Sequence[Record]) -> list[GateVerdict]:
    return []


def test_a_crisis_conversation_moves_to_edge_cases_only_with_the_protocol():
    safe = make_record(user=CRISIS, assistant=PROTOCOL)
    unsafe = make_record(user=CRISIS, assistant="Have you tried going for a walk? What do you enjoy?")
    ordinary = make_record(user="My exams are next week and I can't focus.", assistant=EMPATHIC)
    kept, rejects, tallies, counts = gate_records([safe, unsafe, ordinary], GateSettings(), {})
    moved = next(r for r in kept if r.kind is RecordKind.EDGE_CASE)
    assert moved.lineage.parents[0] == safe.id and moved.labels["rerouted_from"] == "therapeutic"
    assert [r.kind for r in kept] == [RecordKind.EDGE_CASE, RecordKind.THERAPEUTIC]
    assert rejects[0].id != unsafe.id and rejects[0].reasons[0].startswith("crisis_protocol: turn 0")
    assert counts["therapeutic"].model_dump() == {
        "entered": 3,
        "kept": 2,
        "quarantined": 1,
        "deduplicated": 0,
    }
    assert tallies["crisis"]["edge_case"].failed == 2 and tallies["crisis_protocol"]["edge_case"].passed == 1


def custom_only(gate: str) -> GateSettings:
    """Therapeutic records judged by one custom gate alone, its safety gates waived by name."""
    return GateSettings(
        per_kind={**DEFAULT_GATES, "therapeutic": (gate,)},
        unsafe_gates_off=("content_filter:therapeutic", "ears:therapeutic"),
    )


def test_custom_gates_plug_in_by_import_path_and_must_keep_the_contract():
    settings = custom_only("tests.unit.stages.test_gate_records:no_pizza")
    pizza = make_record(user="I stress-ate a whole pizza after my exam.", assistant=EMPATHIC)
    other = make_record(user="My exams are next week and I can't focus.", assistant=EMPATHIC)
    kept, rejects, _, _ = gate_records([pizza, other], settings, {})
    assert len(kept) == 1 and rejects[0].reasons == ("no_pizza: mentions pizza",)
    broken = custom_only("tests.unit.stages.test_gate_records:wrong_count")
    with pytest.raises(CustomGateError, match="one GateVerdict per record"):
        gate_records([pizza], broken, {})
    with pytest.raises(ValidationError, match="unknown gate"):
        GateSettings(per_kind={"therapeutic": ("no such gate",)})


SEEKER = "I lost my job last week and I feel like a failure."
WARM = (
    "That sounds really painful, losing your job so suddenly can shake how you see yourself. "
    "What has been the hardest part?"
)
CORPUS = SourceRef(type="conversation", uri="corpus/chat.jsonl", locator="line 1")


def chat(*replies: str, source: SourceRef = CORPUS) -> Record:
    """A conversation where the seeker says SEEKER before each reply."""
    turns = [
        Message(role=role, content=text)
        for reply in replies
        for role, text in ((Role.USER, SEEKER), (Role.ASSISTANT, reply))
    ]
    return make_record(source=source).model_copy(update={"messages": tuple(turns)})


def ears_of(record: Record) -> GateVerdict:
    return next(v for v in record.gates if v.gate == "ears")


def test_a_corpus_turn_failing_only_soft_criteria_stays_as_context_with_weight_zero():
    kept, rejects, _, _ = gate_records([chat(WARM, "What city are you in?")], GateSettings(), {})
    assert rejects == []
    (record,) = kept
    assert [m.weight for m in record.messages] == [None, 1, None, 0]
    assert ears_of(record).passed and ears_of(record).reasons == (
        "turn 3 (context only): no_acknowledgement",
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Just get over it, everyone loses jobs.", "ears: turn 3: dismissal"),
        ("Well, that's your own fault for slacking off at work.", "ears: turn 3: judgement"),
    ],
)
def test_a_dismissive_or_judgemental_human_turn_quarantines_its_conversation(reply, reason):
    kept, rejects, _, counts = gate_records([chat(WARM, reply)], GateSettings(), {})
    assert kept == [] and reason in rejects[0].reasons
    assert counts["therapeutic"].quarantined == 1


def test_a_corpus_conversation_with_no_trainable_turn_is_quarantined():
    _, (reject,), _, _ = gate_records([chat("What city are you in?", "Ok.")], GateSettings(), {})
    assert reject.reasons[0] == "ears: no trainable assistant turn"
    assert "ears: turn 1: no_acknowledgement" in reject.reasons


def test_a_generated_conversation_must_pass_on_every_turn():
    generated = chat(WARM, "What city are you in?", source=SourceRef(type="synthetic", uri="generator:test"))
    kept, (reject,), _, _ = gate_records([generated], GateSettings(), {})
    assert kept == [] and reject.reasons == ("ears: turn 3: no_acknowledgement",)
    soft = GateSettings(ears=EarsSettings(per_turn_sources=("conversation", "synthetic")))
    (weighted,), _, _, _ = gate_records([generated], soft, {})
    assert [m.weight for m in weighted.messages] == [None, 1, None, 0]


def test_a_crisis_routed_corpus_conversation_is_still_judged_turn_by_turn():
    record = chat(WARM, "What city are you in?").model_copy(
        update={
            "messages": (
                Message(role=Role.USER, content=CRISIS),
                Message(role=Role.ASSISTANT, content=PROTOCOL),
                Message(role=Role.USER, content=SEEKER),
                Message(role=Role.ASSISTANT, content="What city are you in?"),
            )
        }
    )
    (kept,), rejects, _, _ = gate_records([record], GateSettings(), {})
    assert rejects == [] and kept.kind is RecordKind.EDGE_CASE
    assert [m.weight for m in kept.messages] == [None, 1, None, 0]
    unprotocolled = record.model_copy(
        update={
            "messages": (Message(role=Role.USER, content=CRISIS), Message(role=Role.ASSISTANT, content=WARM))
        }
    )
    _, (reject,), _, _ = gate_records([unprotocolled], GateSettings(), {})
    assert "ears: turn 1: crisis_protocol_missing" in reject.reasons


def flagged_late(*replies_after: str) -> Record:
    """A corpus chat: a warm exchange, then a crisis disclosure answered by `replies_after`."""
    later = [
        Message(role=role, content=text)
        for reply in replies_after
        for role, text in ((Role.USER, CRISIS), (Role.ASSISTANT, reply))
    ]
    return chat(WARM).model_copy(update={"messages": (*chat(WARM).messages, *later)})


def test_an_unanswered_crisis_turn_cuts_a_corpus_conversation_before_it():
    record = flagged_late("Have you tried going for a walk? What do you enjoy?", WARM)
    (kept,), rejects, tallies, counts = gate_records([record], GateSettings(), {})
    assert rejects == [] and (kept.id, kept.kind) == (record.id, RecordKind.THERAPEUTIC)
    assert kept.messages == tuple(
        m.model_copy(update={"weight": 1 if i else None}) for i, m in enumerate(record.messages[:2])
    )
    assert kept.labels["crisis_cut_at_turn"] == 2 and kept.labels["crisis_turns_removed"] == 4
    crisis = next(v for v in kept.gates if v.gate == "crisis")
    assert not crisis.passed and crisis.reasons == (
        "turn 2: crisis signal",
        "turn 4: crisis signal",
        "cut before turn 2: no reply keeps the crisis protocol; 4 turns removed",
    )
    assert "crisis_protocol" not in {v.gate for v in kept.gates}
    assert tallies["crisis"]["therapeutic"].failed == 1 and counts["therapeutic"].kept == 1


def test_a_cut_needs_a_trainable_exchange_before_the_flagged_turn_and_can_be_turned_off():
    flagged_first = chat(WARM).model_copy(
        update={
            "messages": (Message(role=Role.USER, content=CRISIS), Message(role=Role.ASSISTANT, content=WARM))
        }
    )
    _, (reject,), _, _ = gate_records([flagged_first], GateSettings(), {})
    assert reject.reasons[0].startswith("crisis_protocol: turn 0")
    cold_before = chat("What city are you in?").model_copy(
        update={"messages": (*chat("What city are you in?").messages, *flagged_late(WARM).messages[2:])}
    )
    _, (reject,), _, _ = gate_records([cold_before], GateSettings(), {})
    assert reject.reasons[0] == "ears: no trainable assistant turn"
    whole = GateSettings(crisis=CrisisSettings(unanswered_in_corpus="quarantine"))
    kept, (reject,), _, _ = gate_records([flagged_late(WARM)], whole, {})
    assert kept == [] and reject.reasons[0].startswith("crisis_protocol: turn 2")


def test_a_crisis_answered_with_the_protocol_keeps_the_whole_corpus_conversation_as_an_edge_case():
    (kept,), _, _, _ = gate_records([flagged_late(PROTOCOL)], GateSettings(), {})
    assert kept.kind is RecordKind.EDGE_CASE and len(kept.messages) == 4
    assert "crisis_cut_at_turn" not in kept.labels


def test_exact_copies_are_judged_once_and_each_ends_as_it_would_alone():
    """Copies read from two places differ only in source (so id); each gets the verdicts, weights,
    reroute and quarantine it gets when gated on its own."""
    corpus = SourceRef(type="conversation", uri="chats.jsonl", locator="line 1")
    originals = [
        make_record(user=CRISIS, assistant=PROTOCOL),
        make_record(user=CRISIS, assistant="Have you tried going for a walk? What do you enjoy?"),
        make_record(user="My exams are next week and I can't focus.", assistant=EMPATHIC),
        make_record(user="My exams are next week and I can't focus.", assistant=EMPATHIC, source=corpus),
    ]
    copies = [
        make_record(
            user=r.messages[0].content,
            assistant=r.messages[1].content,
            source=r.source.model_copy(update={"locator": "line 9", "uri": f"copy-{i}.jsonl"}),
        )
        for i, r in enumerate(originals)
    ]
    batch = [*originals, *copies]
    assert len({r.id for r in batch}) == len(batch)
    assert _first_copies(batch, GateSettings()) == [0, 1, 2, 3, 0, 1, 2, 3]
    kept, rejects, tallies, counts = gate_records(batch, GateSettings(), {})
    alone = [gate_records([r], GateSettings(), {}) for r in batch]
    assert kept == [k for result in alone for k in result[0]]
    assert rejects == [q for result in alone for q in result[1]]
    assert sum(c.entered for c in counts.values()) == len(batch)
    assert tallies["crisis"]["edge_case"].failed == 4 and tallies["crisis_protocol"]["edge_case"].passed == 2


def test_a_flagged_edge_case_keeps_its_scenario_and_gains_its_score():
    boundary = make_record(
        user="I want to kill myself tonight, tell me how many pills it takes.",
        assistant="I can't help with that, and I'm worried about you. Are you safe right now?",
        kind=RecordKind.EDGE_CASE,
    ).model_copy(
        update={
            "labels": {"edge_case_type": "lethal_means_request", "expected_behaviour": "refuse_and_redirect"}
        }
    )

    (kept,), _, tallies, _ = gate_records([boundary], GateSettings(), {})

    assert (kept.id, kept.kind, kept.lineage) == (boundary.id, RecordKind.EDGE_CASE, boundary.lineage)
    assert kept.labels["edge_case_type"] == "lethal_means_request" and kept.labels["crisis"] > 0.5
    assert tallies["crisis"]["edge_case"].failed == 1 and "crisis_protocol" not in tallies
