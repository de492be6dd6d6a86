"""The export refuses to publish a record that lacks a safety verdict the version promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.export.safety_invariants import (
    UnsafeExportError,
    check_exports,
    record_problems,
    require_safe_exports,
)
from tasks.gates.gate_settings import DEFAULT_GATES, GateSettings
from tasks.records import GateVerdict, Message, Record, RecordKind, Role
from tasks.shards import write_shard
from tests.factories import make_record

PASS = {gate: GateVerdict(gate=gate, passed=True, score=1.0) for gate in ("crisis", "content_filter", "ears")}


def judged(record: Record, *verdicts: GateVerdict) -> Record:
    return record.model_copy(update={"gates": verdicts})


def safe(kind: RecordKind = RecordKind.THERAPEUTIC) -> Record:
    return judged(make_record(kind=kind), *PASS.values())


def test_a_record_with_every_passing_verdict_keeps_the_promise():
    assert record_problems(safe()) == [] and record_problems(safe(RecordKind.GROUNDED)) == []
    assert record_problems(judged(make_record(kind=RecordKind.BIAS), PASS["crisis"])) == []


def test_a_record_missing_its_ears_verdict_is_refused_by_id():
    record = judged(make_record(), PASS["crisis"], PASS["content_filter"])
    assert record_problems(record) == [f"record {record.id} (therapeutic): no ears verdict"]


def test_a_failed_content_filter_verdict_is_refused_with_its_reasons():
    failed = GateVerdict(gate="content_filter", passed=False, reasons=("medication_dosing: 50 mg",))
    record = judged(make_record(kind=RecordKind.GROUNDED), PASS["crisis"], failed, PASS["ears"])
    (problem,) = record_problems(record)
    assert record.id in problem and "content_filter verdict failed (medication_dosing: 50 mg)" in problem


def test_every_kind_must_be_crisis_scanned():
    bias = make_record(kind=RecordKind.BIAS)
    assert record_problems(bias) == [
        f"record {bias.id} (bias): no crisis verdict (it was never crisis-scanned)"
    ]


def test_a_flagged_conversation_is_only_exported_as_an_edge_case_that_keeps_the_protocol():
    flagged = GateVerdict(gate="crisis", passed=False, score=0.9)
    protocol = GateVerdict(gate="crisis_protocol", passed=True)
    assert (
        "flagged it, yet it is exported as therapeutic"
        in record_problems(judged(make_record(), flagged, PASS["content_filter"], PASS["ears"]))[0]
    )
    edge = make_record(kind=RecordKind.EDGE_CASE)
    rerouted = edge.model_copy(update={"labels": {"crisis_protocol": True}})
    assert record_problems(judged(rerouted, flagged, protocol)) == []
    assert "no passing crisis_protocol verdict" in record_problems(judged(rerouted, flagged))[0]
    # A generated edge case whose scenario expects another behaviour (a boundary, a refusal) keeps it.
    assert record_problems(judged(edge, flagged)) == []


def test_a_cut_corpus_conversation_may_not_export_a_turn_its_crisis_verdict_flagged():
    flagged = GateVerdict(
        gate="crisis",
        passed=False,
        score=0.4,
        reasons=(
            "turn 2: crisis signal",
            "cut before turn 2: no reply keeps the crisis protocol; 2 turns removed",
        ),
    )
    cut = make_record().model_copy(update={"labels": {"crisis_cut_at_turn": 2, "crisis_turns_removed": 2}})
    assert record_problems(judged(cut, flagged, PASS["content_filter"], PASS["ears"])) == []
    uncut = cut.model_copy(update={"messages": (*cut.messages, *cut.messages)})
    (problem,) = record_problems(judged(uncut, flagged, PASS["content_filter"], PASS["ears"]))
    assert "flagged turns [2], yet they are exported" in problem


def with_context_turn(weight: int) -> Record:
    """A corpus conversation whose second reply failed only soft EARS criteria (turn 3)."""
    messages = (
        Message(role=Role.USER, content="I can't sleep."),
        Message(role=Role.ASSISTANT, content="That sounds hard. What keeps you up?", weight=1),
        Message(role=Role.USER, content="Work."),
        Message(role=Role.ASSISTANT, content="Try melatonin.", weight=weight),
    )
    ears = GateVerdict(gate="ears", passed=True, score=0.6, reasons=("turn 3 context only: no_exploration",))
    record = make_record().model_copy(update={"messages": messages})
    return judged(record, PASS["crisis"], PASS["content_filter"], ears)


def test_ears_holds_per_trainable_turn_a_failed_turn_may_only_be_context():
    assert record_problems(with_context_turn(weight=0)) == []
    (problem,) = record_problems(with_context_turn(weight=1))
    assert "turn 3 is trained on (weight 1) but ears failed it" in problem


def test_only_the_checks_named_off_are_waived():
    no_ears = judged(make_record(), PASS["crisis"], PASS["content_filter"])
    assert record_problems(no_ears, ("ears:therapeutic",)) == []
    assert record_problems(no_ears, ("ears:grounded",)) != []
    assert record_problems(make_record(kind=RecordKind.BIAS), ("crisis:bias",)) == []


def test_check_exports_counts_per_kind_and_collects_every_problem():
    checked, problems = check_exports([safe(), safe(RecordKind.GROUNDED), make_record(kind=RecordKind.BIAS)])
    assert checked == {"bias": 1, "grounded": 1, "therapeutic": 1} and len(problems) == 1


def test_the_task_refuses_to_go_on_and_otherwise_reports_what_it_checked(tmp_path: Path):
    good = write_shard(tmp_path / "good.jsonl", [safe(), safe(RecordKind.GROUNDED)])
    missing = judged(make_record(user="other"), PASS["crisis"], PASS["content_filter"])
    bad = write_shard(tmp_path / "bad.jsonl", [missing])
    assert require_safe_exports.fn([good], GateSettings()) == {
        "unsafe_gates_off": [],
        "records_checked": {"grounded": 1, "therapeutic": 1},
    }
    with pytest.raises(UnsafeExportError, match=f"record {missing.id} \\(therapeutic\\): no ears verdict"):
        require_safe_exports.fn([good, bad], GateSettings())
    off = GateSettings(
        per_kind={**DEFAULT_GATES, "therapeutic": ("content_filter",)}, unsafe_gates_off=("ears:therapeutic",)
    )
    assert require_safe_exports.fn([good, bad], off)["unsafe_gates_off"] == ["ears:therapeutic"]
