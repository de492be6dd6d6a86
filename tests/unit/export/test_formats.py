import orjson
import pyarrow.parquet as pq

from tasks.export.formats import PARQUET_SCHEMA, to_alpaca, to_sharegpt, write_parquet
from tasks.records import Message, Role
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


def test_sharegpt_maps_roles():
    assert to_sharegpt(conversation())["conversations"][:3] == [
        {"from": "system", "value": "Be kind."},
        {"from": "human", "value": "I feel low."},
        {"from": "gpt", "value": "That sounds hard. What happened?"},
    ]


def test_alpaca_keeps_the_last_exchange_and_the_history():
    row = to_alpaca(conversation())
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
    assert table.schema.equals(PARQUET_SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert rows[0]["messages"][0] == {"role": "system", "content": "Be kind."}
    assert orjson.loads(rows[0]["labels"]) == {"concern": "work stress", "turns": 2}
    assert rows[1]["lineage"]["seed"] == 0
