import hashlib

import pytest

from tasks.records import Record
from tasks.shards import ShardCorruptError, read_models, write_parts, write_shard
from tests.factories import make_record


def records(n):
    return [make_record(user=f"message number {i} about my week") for i in range(n)]


def test_write_then_read_round_trips_with_checksum(tmp_path):
    ref = write_shard(tmp_path / "s.jsonl", records(5))
    assert ref.records == 5
    assert ref.sha256 == hashlib.sha256((tmp_path / "s.jsonl").read_bytes()).hexdigest()
    assert list(read_models(ref, Record)) == records(5)
    assert [p.name for p in tmp_path.iterdir()] == ["s.jsonl"]


def test_parts_are_bounded(tmp_path):
    refs = write_parts(tmp_path, records(25), max_records=10)
    assert [r.records for r in refs] == [10, 10, 5]
    assert [r.path.rsplit("/", 1)[-1] for r in refs] == [
        "part-00000.jsonl",
        "part-00001.jsonl",
        "part-00002.jsonl",
    ]


def test_same_records_give_identical_bytes(tmp_path):
    a = write_shard(tmp_path / "a.jsonl", records(3))
    b = write_shard(tmp_path / "b.jsonl", records(3))
    assert a.sha256 == b.sha256


def test_a_changed_shard_is_refused(tmp_path):
    ref = write_shard(tmp_path / "s.jsonl", records(3))
    path = tmp_path / "s.jsonl"
    path.write_bytes(path.read_bytes().replace(b"week", b"year"))
    with pytest.raises(ShardCorruptError, match="changed since it was written"):
        list(read_models(ref, Record))


def test_a_missing_shard_says_how_to_recover(tmp_path):
    from tasks.shards import ShardMissingError

    ref = write_shard(tmp_path / "s.jsonl", records(1))
    (tmp_path / "s.jsonl").unlink()
    with pytest.raises(ShardMissingError, match="another machine"):
        list(read_models(ref, Record))
