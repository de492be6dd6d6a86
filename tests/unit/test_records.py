import pytest
from pydantic import ValidationError

from tasks.records import GateVerdict, Record, RecordKind, SourceRef, canonical_json, content_id
from tests.factories import make_record


def test_id_is_a_stable_content_hash():
    a, b = make_record(), make_record()
    assert a.id == b.id and len(a.id) == 24
    assert make_record(user="something else entirely").id != a.id


def test_id_depends_on_kind_and_source():
    record = make_record()
    other_source = SourceRef(type="book", uri="books/x.txt")
    assert content_id(RecordKind.BIAS, record.messages, record.source) != record.id
    assert content_id(record.kind, record.messages, other_source) != record.id


def test_unknown_fields_are_rejected():
    data = make_record().model_dump(mode="json") | {"surprise": 1}
    with pytest.raises(ValidationError, match="surprise"):
        Record.model_validate(data)


def test_record_round_trips_through_canonical_json():
    import orjson

    record = make_record()
    assert Record.model_validate(orjson.loads(canonical_json(record))) == record
    assert canonical_json(record) == canonical_json(Record.model_validate(record.model_dump(mode="json")))


def test_a_verdict_names_the_turns_of_its_per_turn_reasons():
    verdict = GateVerdict(
        gate="ears",
        passed=True,
        reasons=("turn 3: no_exploration", "turn 5 context only: no_acknowledgement", "none", "turn 12: x"),
    )
    assert verdict.turns_named() == [3, 5, 12]
    assert verdict.turns_named(ending=": x") == [12]
    assert GateVerdict(gate="crisis", passed=False, reasons=("cut before turn 4: …",)).turns_named() == []
