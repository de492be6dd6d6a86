import orjson
import pyarrow.parquet as pq

from tasks.export.formats import format_rows, to_alpaca, to_openai, to_sharegpt, write_parquet
from tasks.export.record_rows import record_from_row
from tasks.export.schemas import RECORD_SCHEMA
from tasks.records import Message, RecordKind, Role, canonical_json
from tests.factories import make_record


def conversation():
    record = make_record()
    turns = (
        Message(role=Role.SYSTEM, content="Be kind."),
        Message(role=Role.USER, content="I feel low."),
        Message(role=Role.ASSISTANT, content="That sounds hard. What happened?"),
        Message(role=Role.USER, content="Work, mostly."),
        Message(role=Role.ASSISTANT, content="Work has been weighing on you."),
    )
    return record.model_copy(update={"messages": turns, "labels": {"concern": "work stress", "turns": 2}})


def weighted(*weights: int):
    """A corpus-style conversation of len(weights) exchanges, the assistant turns weighted in order."""
    turns = [Message(role=Role.SYSTEM, content="Be kind.")]
    for n, weight in enumerate(weights, 1):
        turns += [
            Message(role=Role.USER, content=f"user {n}"),
            Message(role=Role.ASSISTANT, content=f"reply {n}", weight=weight),
        ]
    return make_record().model_copy(update={"messages": tuple(turns)})


def test_sharegpt_maps_roles():
    (row,) = to_sharegpt(conversation())
    assert row["conversations"][:3] == [
        {"from": "system", "value": "Be kind."},
        {"from": "human", "value": "I feel low."},
        {"from": "gpt", "value": "That sounds hard. What happened?"},
    ]


def test_alpaca_keeps_the_last_exchange_and_the_history():
    (row,) = to_alpaca(conversation())
    assert (row["instruction"], row["output"], row["system"]) == (
        "Work, mostly.",
        "Work has been weighing on you.",
        "Be kind.",
    )
    assert row["history"] == [["I feel low.", "That sounds hard. What happened?"]]


def test_parquet_round_trips_with_the_schema_and_stable_bytes(tmp_path):
    records = [conversation(), make_record(user="another")]
    a = write_parquet(records, tmp_path / "a.parquet")
    b = write_parquet(records, tmp_path / "b.parquet")
    assert a.sha256 == b.sha256 and a.records == 2
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.schema.equals(RECORD_SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert rows[0]["messages"][0] == {"role": "system", "content": "Be kind.", "weight": None}
    assert orjson.loads(rows[0]["labels"]) == {"concern": "work stress", "turns": 2}
    assert rows[1]["lineage"]["seed"] == 0


def test_no_context_only_turn_is_a_training_target_in_sharegpt_or_alpaca():
    record = weighted(1, 0, 1, 1, 0)
    sharegpt = to_sharegpt(record)
    assert [row["id"] for row in sharegpt] == [f"{record.id}-1", f"{record.id}-2"]
    targets = [t["value"] for row in sharegpt for t in row["conversations"] if t["from"] == "gpt"]
    assert targets == ["reply 1", "reply 3", "reply 4"]
    assert all(row["conversations"][0] == {"from": "system", "value": "Be kind."} for row in sharegpt)
    alpaca = to_alpaca(record)
    assert [(row["instruction"], row["output"], row["history"]) for row in alpaca] == [
        ("user 1", "reply 1", []),
        ("user 4", "reply 4", [["user 3", "reply 3"]]),
    ]
    (whole,) = to_sharegpt(weighted(1, 1))
    assert whole["id"] == record.id


def test_parquet_carries_the_turn_weights(tmp_path):
    write_parquet([weighted(1, 0)], tmp_path / "w.parquet")
    (row,) = pq.read_table(tmp_path / "w.parquet").to_pylist()
    assert [m["weight"] for m in row["messages"]] == [None, None, 1, None, 0]


def test_openai_rows_hold_messages_with_a_weight_on_every_assistant_turn():
    (generated,) = to_openai(conversation())
    assert list(generated) == ["messages"]
    assert [m.get("weight") for m in generated["messages"]] == [None, None, 1, None, 1]
    assert "weight" not in generated["messages"][1]
    (corpus,) = to_openai(weighted(1, 0))
    assert [m.get("weight") for m in corpus["messages"]] == [None, None, 1, None, 0]


def test_records_round_trip_through_jsonl_and_parquet_rows_with_one_labels_type(tmp_path):
    records = [
        conversation(),
        weighted(1, 0).model_copy(update={"labels": {"crisis": 0.25, "rerouted_from": "therapeutic"}}),
        make_record(user="pair", kind=RecordKind.BIAS).model_copy(update={"labels": {"biased": False}}),
    ]
    lines = [canonical_json(row) for row in format_rows(records, "chat")]
    assert all(isinstance(orjson.loads(line)["labels"], str) for line in lines)
    assert [record_from_row(orjson.loads(line)) for line in lines] == records
    write_parquet(records, tmp_path / "r.parquet")
    assert [record_from_row(row) for row in pq.read_table(tmp_path / "r.parquet").to_pylist()] == records
