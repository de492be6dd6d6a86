from tasks.records import GateVerdict
from tasks.stages.partition import partition
from tests.factories import make_record


def test_a_failed_verdict_quarantines_with_the_gate_named_in_each_reason():
    ok, bad, routed = make_record(user="a"), make_record(user="b"), make_record(user="c")
    judged = [
        ok.with_verdict(GateVerdict(gate="quality", passed=True)),
        bad.with_verdict(GateVerdict(gate="quality", passed=False, reasons=("too short", "repeats"))),
        routed.with_verdict(GateVerdict(gate="crisis", passed=False, reasons=("turn 0",))),
    ]

    result = partition("gates", [ok, bad, routed], judged, non_blocking={"crisis"})

    assert [r.id for r in result.kept] == [ok.id, routed.id]
    assert [(q.id, q.stage, q.reasons) for q in result.rejects] == [
        (bad.id, "gates", ("quality: too short", "quality: repeats"))
    ]
    assert result.counts["therapeutic"].model_dump() == {
        "entered": 3,
        "kept": 2,
        "quarantined": 1,
        "deduplicated": 0,
    }
    assert result.tallies["quality"]["therapeutic"].failed == 1
    assert result.tallies["crisis"]["therapeutic"].failed == 1


def test_a_failed_verdict_without_reasons_still_says_which_gate():
    record = make_record()
    judged = [record.with_verdict(GateVerdict(gate="custom", passed=False))]
    assert partition("gates", [record], judged).rejects[0].reasons == ("custom: failed",)
