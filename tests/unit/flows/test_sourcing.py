"""What the sourcing subflow counts as research input."""

from pathlib import Path

from flows.sourcing import findings_shards


def test_a_search_that_found_nothing_is_not_an_input(tmp_path: Path):
    (tmp_path / "findings-grief.jsonl").write_bytes(b'{"id": "a"}\n{"id": "b"}\n')
    (tmp_path / "findings-empty.jsonl").write_bytes(b"")
    (tmp_path / "quarantine-grief.jsonl").write_bytes(b'{"id": "q"}\n')
    (shard,) = findings_shards(tmp_path)
    assert Path(shard.path).name == "findings-grief.jsonl" and shard.records == 2
    assert findings_shards(tmp_path / "missing") == []
