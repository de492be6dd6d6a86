import hashlib
import os

import orjson
import pytest

from tasks.export.publish import PlannedFile
from tasks.export.publish import publish as publish_to
from tasks.shards import ShardCorruptError, write_shard
from tasks.storage import local as publishing
from tasks.storage.local import LocalVersionStore
from tests.factories import make_record


def publish(dataset_dir, content_id, files, manifest):
    return publish_to(LocalVersionStore(dataset_dir), content_id, files, manifest)


def latest_version(dataset_dir):
    return LocalVersionStore(dataset_dir).latest()


@pytest.fixture
def files(tmp_path):
    shard = write_shard(tmp_path / "work" / "a.jsonl", [make_record(), make_record(user="second one")])
    return [PlannedFile(path="train/part-00000.jsonl", shard=shard)]


def test_first_publish_is_v1_with_manifest_last_and_checksums(tmp_path, files):
    out = publish(tmp_path / "ds", "c1", files, {"dataset": "ds"})
    assert (out.version, out.up_to_date) == (1, False)
    manifest = orjson.loads((tmp_path / "ds" / "v1" / "manifest.json").read_bytes())
    assert manifest == {"dataset": "ds", "version": 1, "content_id": "c1"}
    body = (tmp_path / "ds" / "v1" / "train" / "part-00000.jsonl").read_bytes()
    assert hashlib.sha256(body).hexdigest() == files[0].shard.sha256
    assert not [p for p in (tmp_path / "ds").iterdir() if p.name.startswith(".")]


def test_same_content_is_up_to_date_and_writes_nothing(tmp_path, files):
    publish(tmp_path / "ds", "c1", files, {})
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "ds").rglob("*")}
    again = publish(tmp_path / "ds", "c1", files, {})
    assert (again.version, again.up_to_date) == (1, True)
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "ds").rglob("*")} == before


def test_changed_content_becomes_the_next_version_and_v1_is_untouched(tmp_path, files):
    publish(tmp_path / "ds", "c1", files, {})
    v1 = (tmp_path / "ds" / "v1" / "manifest.json").read_bytes()
    out = publish(tmp_path / "ds", "c2", files, {})
    assert out.version == 2
    assert (tmp_path / "ds" / "v1" / "manifest.json").read_bytes() == v1
    assert latest_version(tmp_path / "ds")[0] == 2


def test_a_run_that_loses_the_race_takes_the_next_number(tmp_path, files, monkeypatch):
    real_rename = os.rename

    def rival_wins(src, dst):
        if str(dst).endswith("v1") and not os.path.exists(dst):
            os.makedirs(os.path.join(dst, "train"))
            with open(os.path.join(dst, "manifest.json"), "wb") as f:
                f.write(orjson.dumps({"content_id": "rival"}))
        real_rename(src, dst)

    monkeypatch.setattr(publishing.os, "rename", rival_wins)
    out = publish(tmp_path / "ds", "mine", files, {})
    assert out.version == 2
    assert orjson.loads((tmp_path / "ds" / "v1" / "manifest.json").read_bytes()) == {"content_id": "rival"}


def test_a_run_that_loses_the_race_to_the_same_content_reports_it_up_to_date(tmp_path, files, monkeypatch):
    real_rename = os.rename

    def twin_wins(src, dst):
        if str(dst).endswith("v1") and not os.path.exists(dst):
            real_rename(src, dst)
            os.makedirs(src)
            (tmp_path / "ds" / os.path.basename(src) / "x").write_text("staged")
        real_rename(src, dst)

    monkeypatch.setattr(publishing.os, "rename", twin_wins)
    out = publish(tmp_path / "ds", "same", files, {})
    assert (out.version, out.up_to_date) == (1, True)
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["v1"]


def test_a_corrupted_work_shard_is_never_published(tmp_path, files):
    path = files[0].shard.path
    with open(path, "ab") as f:
        f.write(b"{}\n")
    with pytest.raises(ShardCorruptError):
        publish(tmp_path / "ds", "c1", files, {})
    assert latest_version(tmp_path / "ds") is None


def test_staging_left_by_a_dead_run_is_cleaned_up(tmp_path, files):
    dead = tmp_path / "ds" / ".staging-abc-999999999"
    dead.mkdir(parents=True)
    publish(tmp_path / "ds", "c1", files, {})
    assert not dead.exists()
