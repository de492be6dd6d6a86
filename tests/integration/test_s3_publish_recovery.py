"""Publishing to S3 when runs die or race (issue 17, finding 8), on the real moto server: staging is
per run, a version claimed by a killed run is completed or removed by the next, and staging no run
has written to for a day is removed with its unfinished uploads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from tasks.export.publish import MANIFEST, PlannedFile, encode_manifest, publish
from tasks.storage.s3 import S3Location, S3VersionStore, s3_client
from tests.integration.publish_race import planned_files

pytestmark = pytest.mark.integration


class Killed(Exception):
    """Stands in for SIGKILL: the run stops where it is."""


def store(bucket: str, **options: Any) -> S3VersionStore:
    return S3VersionStore(s3_client(), S3Location(bucket, "root"), "ds", **options)


def keys(bucket: str, prefix: str = "root/ds/") -> list[str]:
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def manifest_of(files: list[PlannedFile]) -> dict[str, Any]:
    entries = [f.entry().model_dump() for f in files]
    return {"splits": {"train": {"records": sum(e["records"] for e in entries), "files": entries}}}


def killed_after_claim(bucket: str, content_id: str, files: list[PlannedFile], copies: int) -> S3VersionStore:
    """A run that staged, claimed v1, copied `copies` files and died before writing the manifest."""
    doomed = store(bucket)
    doomed.stage(content_id, files)
    real_copy, done = doomed.client.copy, []

    def copy_then_die(*args: Any, **kwargs: Any) -> None:
        if len(done) == copies:
            raise Killed
        done.append(real_copy(*args, **kwargs))

    doomed.client.copy = copy_then_die
    body = encode_manifest({**manifest_of(files), "version": 1, "content_id": content_id})
    with pytest.raises(Killed):
        doomed.commit(content_id, 1, body)
    return doomed


def test_two_runs_of_the_same_content_stage_apart_and_neither_breaks_the_other(
    bucket: str, tmp_path: Path
) -> None:
    files = planned_files(tmp_path, "same", 3)
    slow, fast = store(bucket), store(bucket)
    slow.stage("content", files)
    assert publish(fast, "content", files, manifest_of(files)).version == 1
    assert any(k.startswith(f"root/ds/.staging/content-{slow.run_token}/") for k in keys(bucket)), (
        "the first run to publish removed only its own staging"
    )
    body = encode_manifest({**manifest_of(files), "version": 1, "content_id": "content"})
    assert slow.commit("content", 1, body) is False, "v1 already holds this content"
    slow.discard("content")
    assert not [k for k in keys(bucket) if "/.staging/" in k]


@pytest.mark.parametrize("content_id", ["content-a", "content-b"], ids=["same-content", "other-content"])
def test_a_version_a_killed_run_claimed_is_completed_by_the_next_run(
    bucket: str, tmp_path: Path, content_id: str
) -> None:
    files_a = planned_files(tmp_path, "a", 4)
    killed_after_claim(bucket, "content-a", files_a, copies=1)
    assert store(bucket).versions() == [], "a claim without a manifest is not a version"

    files = files_a if content_id == "content-a" else planned_files(tmp_path, "b", 2)
    published = publish(store(bucket), content_id, files, manifest_of(files))

    finished = store(bucket)
    expected = encode_manifest({**manifest_of(files_a), "version": 1, "content_id": "content-a"})
    body = finished.client.get_object(Bucket=bucket, Key=f"root/ds/v1/{MANIFEST}")["Body"].read()
    assert body == expected, "the manifest is the one the killed run would have written"
    for planned in files_a:
        stored = finished.client.get_object(Bucket=bucket, Key=f"root/ds/v1/{planned.path}")["Body"].read()
        assert stored == Path(planned.shard.path).read_bytes()
    if content_id == "content-a":
        assert (published.version, published.up_to_date) == (1, True), "the rerun finds its content in v1"
    else:
        assert (published.version, published.up_to_date) == (2, False)
        assert finished.manifest(2)["content_id"] == "content-b"


def test_a_claimed_version_whose_staging_is_gone_is_removed_and_its_number_taken_again(
    bucket: str, tmp_path: Path
) -> None:
    files_a = planned_files(tmp_path, "a", 4)
    doomed = killed_after_claim(bucket, "content-a", files_a, copies=2)
    doomed.discard("content-a")

    files_b = planned_files(tmp_path, "b", 2)
    published = publish(store(bucket), "content-b", files_b, manifest_of(files_b))
    assert (published.version, published.up_to_date) == (1, False)
    assert keys(bucket, "root/ds/v1/") == sorted(
        ["root/ds/v1/_CLAIM", f"root/ds/v1/{MANIFEST}", *(f"root/ds/v1/{f.path}" for f in files_b)]
    ), "nothing of the killed run's partial copy is left in v1"
    claim = orjson.loads(s3_client().get_object(Bucket=bucket, Key="root/ds/v1/_CLAIM")["Body"].read())
    assert claim["content_id"] == "content-b"


def test_staging_no_run_wrote_to_for_a_day_is_removed_with_its_unfinished_uploads(
    bucket: str, tmp_path: Path
) -> None:
    client = s3_client()
    dead = "root/ds/.staging/content-dead0000/"
    client.put_object(Bucket=bucket, Key=dead + "_STARTED", Body=b"")
    client.create_multipart_upload(Bucket=bucket, Key=dead + "train/part-00001.jsonl")
    files = [PlannedFile(path="train/part-00000.jsonl", shard=planned_files(tmp_path, "x", 1)[0].shard)]

    publish(store(bucket), "content-x", files, manifest_of(files))
    assert dead + "_STARTED" in keys(bucket), "written today: a live run's, perhaps"
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads")

    publish(store(bucket, stale_after=timedelta(0)), "content-x", files, manifest_of(files))
    assert not [k for k in keys(bucket) if "/.staging/" in k]
    assert not client.list_multipart_uploads(Bucket=bucket).get("Uploads")
