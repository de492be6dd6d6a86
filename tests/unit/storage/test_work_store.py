import pytest
from prefect.filesystems import LocalFileSystem

from tasks.records import Record
from tasks.settings import PipelineConfig
from tasks.shards import ShardCorruptError, ShardMissingError, local_copy, read_models, write_shard
from tasks.storage import work_store
from tests.factories import make_record


@pytest.fixture
def block(tmp_path, monkeypatch):
    """Shards in a storage block; a LocalFileSystem block stands in for the saved S3Bucket."""
    root = tmp_path / "block"
    monkeypatch.setattr(work_store, "_filesystem", lambda slug: LocalFileSystem(basepath=str(root)))
    return root


def test_work_goes_beside_the_checkpoints_when_they_live_in_a_block(tmp_path):
    in_block = PipelineConfig(state_dir=str(tmp_path), result_storage="s3-bucket/checkpoints")
    assert in_block.work_dir == "block://s3-bucket/checkpoints/work"
    assert PipelineConfig(state_dir=str(tmp_path)).work_dir == str(tmp_path.resolve() / "work")


def test_a_block_location_names_the_block_and_a_path_inside_it():
    location = work_store.join("block://s3-bucket/ckpt/work", "preprocess", "ab12", "kept.jsonl")
    assert location == "block://s3-bucket/ckpt/work/preprocess/ab12/kept.jsonl"
    assert work_store.split_block(location) == ("s3-bucket/ckpt", "work/preprocess/ab12/kept.jsonl")
    with pytest.raises(ValueError, match="no path"):
        work_store.split_block("block://s3-bucket/ckpt")


def test_shards_round_trip_through_a_block_with_the_same_sha256_as_on_disk(tmp_path, block):
    records = [make_record(user=f"turn {i}") for i in range(3)]
    remote = write_shard("block://local-file-system/ckpt/work/s.jsonl", records)
    local = write_shard(tmp_path / "s.jsonl", records)
    assert (remote.sha256, remote.records) == (local.sha256, local.records)
    assert (block / "work" / "s.jsonl").read_bytes() == (tmp_path / "s.jsonl").read_bytes()
    assert list(read_models(remote, Record)) == records


def test_a_missing_or_changed_block_shard_is_refused(block):
    ref = write_shard("block://local-file-system/ckpt/work/s.jsonl", [make_record(user="my week")])
    (block / "work" / "s.jsonl").write_bytes(b"{}\n")
    with pytest.raises(ShardCorruptError):
        list(read_models(ref, Record))
    (block / "work" / "s.jsonl").unlink()
    with pytest.raises(ShardMissingError, match="another machine"):
        list(read_models(ref, Record))


def test_local_copy_downloads_a_block_shard_once_and_leaves_local_shards_alone(tmp_path, block):
    ref = write_shard("block://local-file-system/ckpt/work/s.jsonl", [make_record(user="my week")])
    copy = local_copy(ref, tmp_path / "cache")
    assert copy.sha256 == ref.sha256 and copy.path.startswith(str(tmp_path / "cache"))
    assert list(read_models(copy, Record)) == list(read_models(ref, Record))
    local = write_shard(tmp_path / "l.jsonl", [make_record(user="x")])
    assert local_copy(local, tmp_path / "cache") == local
