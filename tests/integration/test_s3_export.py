"""Export to a real S3-compatible HTTP server (moto, on loopback) with OVH_S3_ENDPOINT set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from flows.full_pipeline import run_pipeline
from tasks.export.publish import PlannedFile, publish
from tasks.metadata.store import MetadataStore, UploadLog
from tasks.shards import ShardRef, sha256_file
from tasks.storage.s3 import PART_SIZE, S3DatasetLoader, S3Location, S3VersionStore, s3_client, upload_file
from tests.integration.runs import config_for, storage_config

pytestmark = pytest.mark.integration


class RequestCounter:
    """Counts S3 operations a client sends, by botocore's operation name."""

    def __init__(self, client: object) -> None:
        self.calls: dict[str, int] = {}
        client.meta.events.register("before-call.s3", self._count)  # type: ignore[attr-defined]

    def _count(self, model: object, **_: object) -> None:
        name = model.name  # type: ignore[attr-defined]
        self.calls[name] = self.calls.get(name, 0) + 1


def test_pipeline_exports_to_s3_and_the_loader_reads_it_back(bucket: str, tmp_path: Path) -> None:
    config = storage_config(tmp_path, therapeutic_samples=200, output=f"s3://{bucket}/ready")
    state = run_pipeline(config)
    assert state.is_completed(), state.message
    published = state.result()
    assert published.path == f"s3://{bucket}/ready/mental-health-support/v1" and published.records == 200

    loader = S3DatasetLoader(f"s3://{bucket}/ready")
    assert loader.list_versions("mental-health-support") == [1]
    assert loader.exists("mental-health-support", 1) and not loader.exists("mental-health-support", 2)
    train = list(loader.load_split("mental-health-support", "train"))
    assert len(train) == 140 and all(r["kind"] == "therapeutic" for r in train)

    local = loader.download_dataset("mental-health-support", 1, tmp_path / "download")
    assert sorted(p.name for p in local.iterdir()) == [
        "README.md",
        "formats",
        "manifest.json",
        "plots",
        "test",
        "train",
        "validation",
    ]
    keys = [o["Key"] for o in s3_client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert not [k for k in keys if "/.staging/" in k], "staging objects must be removed after publishing"
    assert "ready/mental-health-support/packages/mental-health-support-v1-chat.tar" in keys

    metadata = MetadataStore(f"sqlite:///{tmp_path / 'state' / 'metadata.db'}")
    uploads = metadata.uploads()
    assert uploads and {u.status for u in uploads} == {"completed"}
    assert all("/.staging/" in u.uri for u in uploads)
    metadata.dispose()

    again = run_pipeline(config)
    assert again.result().up_to_date and loader.list_versions("mental-health-support") == [1]


class Killed(Exception):
    pass


class DiesAfterTwoParts(UploadLog):
    """Records progress like the pipeline does, then dies as a killed process would."""

    def part_stored(self, uri: str, part: int, etag: str, size: int) -> None:
        super().part_stored(uri, part, etag, size)
        if part == 2:
            raise Killed


def test_a_killed_multipart_upload_resumes_sending_only_the_missing_parts(
    bucket: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(os.urandom(3 * PART_SIZE + 1234))
    client = s3_client()
    metadata = MetadataStore(f"sqlite:///{tmp_path / 'metadata.db'}")

    with pytest.raises(Killed):
        upload_file(client, big, bucket, "big.jsonl", progress=DiesAfterTwoParts(metadata, "run-1"))
    [interrupted] = metadata.uploads(status="in_progress")
    assert (interrupted.parts, [p.part for p in metadata.upload_parts(interrupted.id)]) == (4, [1, 2])

    resumed_client = s3_client()
    counter = RequestCounter(resumed_client)
    stats = upload_file(resumed_client, big, bucket, "big.jsonl", progress=UploadLog(metadata, "run-2"))
    assert (stats.parts_reused, stats.parts_sent) == (2, 2)
    [done] = metadata.uploads()
    assert (done.id, done.status, done.parts_sent, done.parts_reused) == (interrupted.id, "completed", 2, 2)
    assert [p.part for p in metadata.upload_parts(done.id)] == [1, 2, 3, 4]
    metadata.dispose()
    assert counter.calls.get("UploadPart") == 2 and "CreateMultipartUpload" not in counter.calls
    assert stats.bytes_sent == PART_SIZE + 1234
    body = resumed_client.get_object(Bucket=bucket, Key="big.jsonl")["Body"].read()
    assert body == big.read_bytes()

    again = upload_file(resumed_client, big, bucket, "big.jsonl")
    assert again.skipped and again.bytes_sent == 0


def test_an_existing_version_is_never_overwritten(bucket: str, tmp_path: Path) -> None:
    shard_path = tmp_path / "part.jsonl"
    shard_path.write_bytes(b'{"a":1}\n')
    shard = ShardRef(path=str(shard_path), records=1, sha256=sha256_file(shard_path), bytes=8)
    files = [PlannedFile(path="train/part-00000.jsonl", shard=shard)]
    manifest = {"splits": {"train": {"records": 1, "files": []}}}
    store = S3VersionStore(s3_client(), S3Location(bucket, "root"), "ds")
    first = publish(store, "content-a", files, manifest)
    assert (first.version, first.up_to_date) == (1, False)

    rival = S3VersionStore(s3_client(), S3Location(bucket, "root"), "ds")
    rival.stage("content-b", files)
    assert rival.commit("content-b", 1, b"{}") is False, "v1 is taken; a second export of it is refused"
    assert store.manifest(1)["content_id"] == "content-a"

    second = publish(rival, "content-b", files, manifest)
    assert second.version == 2
    assert S3DatasetLoader(f"s3://{bucket}/root").list_versions("ds") == [1, 2]


def test_one_state_folder_publishes_locally_then_to_s3_and_the_catalogue_keeps_both(
    bucket: str, tmp_path: Path
) -> None:
    local = storage_config(tmp_path, therapeutic_samples=40)
    first = run_pipeline(local)
    assert first.is_completed(), first.message
    remote = local.model_copy(update={"output": f"s3://{bucket}/both"})
    state = run_pipeline(remote)
    assert state.is_completed(), state.message
    in_s3 = f"s3://{bucket}/both/mental-health-support/v1"
    metadata = MetadataStore(f"sqlite:///{tmp_path / 'state' / 'metadata.db'}")
    versions = metadata.versions("mental-health-support")
    assert sorted(v.uri for v in versions) == sorted([first.result().path, in_s3])
    assert [v.version for v in versions] == [1, 1]
    # A run killed between publishing and recording left the version out; the next finds it and records it.
    with metadata.engine.begin() as connection:
        connection.execute(text("DELETE FROM published_versions WHERE uri = :uri"), {"uri": in_s3})
    again = run_pipeline(remote)
    assert again.result().up_to_date
    assert sorted(v.uri for v in metadata.versions("mental-health-support")) == sorted(
        [first.result().path, in_s3]
    )
    metadata.dispose()


def test_upload_dataset_publishes_a_local_version_folder(bucket: str, tmp_path: Path) -> None:
    state = run_pipeline(config_for(tmp_path, therapeutic_samples=100))
    local_version = Path(state.result().path)
    loader = S3DatasetLoader(f"s3://{bucket}/mirror")
    uploaded = loader.upload_dataset(local_version, "mental-health-support")
    assert uploaded.version == 1 and uploaded.content_id == state.result().content_id
    copy = loader.download_dataset("mental-health-support", 1, tmp_path / "copy")
    local_files = sorted(p.relative_to(local_version) for p in local_version.rglob("*") if p.is_file())
    assert local_files == sorted(p.relative_to(copy) for p in copy.rglob("*") if p.is_file())
    for path in local_files:
        assert (copy / path).read_bytes() == (local_version / path).read_bytes()
    assert (copy / "manifest.json").read_bytes() == (local_version / "manifest.json").read_bytes()
    assert loader.upload_dataset(local_version, "mental-health-support").up_to_date


def test_the_client_talks_to_the_loopback_server_only(bucket: str, s3_endpoint: str) -> None:
    assert s3_client().meta.endpoint_url == s3_endpoint and s3_endpoint.startswith("http://127.0.0.1:")


def test_a_missing_bucket_fails_the_run_before_any_compute(bucket: str, tmp_path: Path) -> None:
    config = storage_config(tmp_path, therapeutic_samples=200, output=f"s3://{bucket}-missing/ready")
    state = run_pipeline(config)
    assert state.is_failed()
    with pytest.raises(Exception, match=f"cannot write to the output bucket '{bucket}-missing'"):
        state.result()
    assert not list((tmp_path / "state").rglob("*.jsonl")), "no shard may be computed"
