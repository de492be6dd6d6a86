import errno
import hashlib
import os
import subprocess
import sys

import orjson
import pytest

from tasks.export.publish import PlannedFile
from tasks.export.publish import publish as publish_to
from tasks.shards import ShardCorruptError, write_shard
from tasks.storage import claim as claim_module
from tasks.storage import local as publishing
from tasks.storage.claim import ClaimError, StagingClaim
from tasks.storage.local import LocalVersionStore, StagingCorruptError
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
    (tmp_path / "ds").mkdir()
    dead = StagingClaim.take(tmp_path / "ds", ".staging-abc-")
    (dead.staging / "train").mkdir(parents=True)
    (dead.staging / "train" / "part-00000.jsonl").write_text("half written\n")
    os.close(dead.fd)  # what the kernel does to a dead process's locks
    publish(tmp_path / "ds", "c1", files, {})
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["v1"]


HOLD_LOCK = (
    "import fcntl, sys; f = open(sys.argv[1]); fcntl.flock(f, fcntl.LOCK_EX); print(1, flush=True); "
    "sys.stdin.read()"
)


def test_a_live_claim_whose_pid_is_not_on_this_host_keeps_its_staging(tmp_path, files):
    """The issue's case without namespaces: the claim names a pid and host this machine cannot see,
    but its lock is held (by another process), so the run that owns it is alive somewhere."""
    (tmp_path / "ds").mkdir()
    staging = tmp_path / "ds" / ".staging-abc-elsewhere"
    (staging / "train").mkdir(parents=True)
    (staging / "train" / "part-00000.jsonl").write_text("being written\n")
    claim = staging.with_name(staging.name + ".claim")
    claim.write_bytes(orjson.dumps({"host": "other-host", "boot_id": "x", "pid": 999999999}))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(claim)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"1\n"
        assert publish(tmp_path / "ds", "c1", files, {}).version == 1
        assert (staging / "train" / "part-00000.jsonl").read_text() == "being written\n"
        assert claim.exists()
    finally:
        holder.communicate(b"")
    LocalVersionStore(tmp_path / "ds")  # the owner has gone: its lock went with it
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["v1"]


def test_staging_without_a_claim_is_left_alone_with_a_warning(tmp_path, files, caplog):
    legacy = tmp_path / "ds" / ".staging-abc-999999999"
    legacy.mkdir(parents=True)
    publish(tmp_path / "ds", "c1", files, {})
    assert legacy.exists()
    assert "has no claim file" in caplog.text


def corrupt_line(path):
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[1:]))


def flip_byte(path):
    body = bytearray(path.read_bytes())
    body[10] ^= 1
    path.write_bytes(bytes(body))


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (lambda staging: (staging / "train" / "part-00000.jsonl").unlink(), "missing"),
        (
            lambda staging: corrupt_line(staging / "train" / "part-00000.jsonl"),
            "1 lines but the manifest says 2",
        ),
        (lambda staging: flip_byte(staging / "train" / "part-00000.jsonl"), "differs from the manifest"),
        (
            lambda staging: (staging / "train" / "extra.jsonl").write_text("{}\n"),
            "not listed in the manifest",
        ),
    ],
    ids=["deleted file", "deleted line", "changed byte", "extra file"],
)
def test_staged_files_that_changed_before_the_rename_are_never_published(tmp_path, files, tamper, named):
    class Tampered(LocalVersionStore):
        def stage(self, content_id, planned):
            super().stage(content_id, planned)
            tamper(self._claims[content_id].staging)

    manifest = {"splits": {"train": {"records": 2, "files": [files[0].entry().model_dump()]}}}
    with pytest.raises(StagingCorruptError, match=named):
        publish_to(Tampered(tmp_path / "ds"), "c1", files, manifest)
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == [], "no version, staging or claim is left"


def test_a_manifest_whose_checksum_is_not_the_staged_shards_is_refused(tmp_path, files):
    entry = files[0].entry().model_dump() | {"sha256": "0" * 64}
    with pytest.raises(StagingCorruptError, match="is not the staged shard's"):
        publish(tmp_path / "ds", "c1", files, {"splits": {"train": {"records": 2, "files": [entry]}}})
    assert latest_version(tmp_path / "ds") is None


def test_a_run_whose_claim_was_taken_away_publishes_nothing(tmp_path, files):
    class ClaimRemoved(LocalVersionStore):
        def stage(self, content_id, planned):
            super().stage(content_id, planned)
            self._claims[content_id].path.unlink()  # an old-code clean-up or an operator's rm

    with pytest.raises(ClaimError, match="removed or replaced"):
        publish_to(ClaimRemoved(tmp_path / "ds"), "c1", files, {})
    assert latest_version(tmp_path / "ds") is None


def test_every_staged_file_and_folder_is_fsynced_before_the_rename(tmp_path, files, monkeypatch):
    events = []
    real_fsync, real_rename = os.fsync, os.rename
    monkeypatch.setattr(
        os, "fsync", lambda fd: events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))) or real_fsync(fd)
    )
    monkeypatch.setattr(
        os, "rename", lambda src, dst: events.append(("rename", str(src))) or real_rename(src, dst)
    )
    publish(tmp_path / "ds", "c1", files, {})
    renamed = [i for i, (kind, _) in enumerate(events) if kind == "rename"]
    assert len(renamed) == 1
    staging = events[renamed[0]][1]
    before = {path for kind, path in events[: renamed[0]] if kind == "fsync"}
    staged = {f"{staging}/{name}" for name in ("train/part-00000.jsonl", "manifest.json", "train", "")}
    assert {p.rstrip("/") for p in staged} <= before
    assert ("fsync", str(tmp_path / "ds")) in events[renamed[0] :], "the new version's name is made durable"


def test_a_folder_without_file_locks_is_refused_clearly(tmp_path, files, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(claim_module.fcntl, "flock", no_locks)
    with pytest.raises(ClaimError, match="does not support file locks"):
        publish(tmp_path / "ds", "c1", files, {})
