"""Task checkpoints in a saved S3Bucket block on a real S3-compatible server (moto, loopback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pytest
from prefect_aws import AwsCredentials, S3Bucket
from prefect_aws.client_parameters import AwsClientParameters

from flows.full_pipeline import run_pipeline
from tasks.settings import BUNDLED_SOURCES as BUNDLED
from tests.integration.runs import config_for, subflow_task_states

pytestmark = pytest.mark.integration


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


@pytest.fixture
def checkpoint_block(s3_endpoint: str) -> str:
    credentials = AwsCredentials(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
        aws_client_parameters=AwsClientParameters(endpoint_url=s3_endpoint),
    )
    credentials.save("checkpoint-credentials", overwrite=True)
    s3_client(s3_endpoint).create_bucket(Bucket="checkpoints")
    S3Bucket(bucket_name="checkpoints", bucket_folder="runs", credentials=credentials).save(
        "checkpoints", overwrite=True
    )
    return "s3-bucket/checkpoints"


def test_checkpoints_go_to_s3_and_a_rerun_reuses_them(tmp_path, s3_endpoint, checkpoint_block):
    config = config_for(tmp_path, therapeutic_samples=200, result_storage=checkpoint_block)
    assert run_pipeline(config).is_completed()
    keys = [
        o["Key"]
        for o in s3_client(s3_endpoint)
        .list_objects_v2(Bucket="checkpoints", Prefix="runs/")
        .get("Contents", [])
    ]
    shard_tasks = 2 + 2 + 2 + 1 + 2
    assert len(keys) >= shard_tasks
    assert not (tmp_path / "state" / "results").exists()

    again = run_pipeline(config)
    assert again.is_completed() and again.result().up_to_date
    states = subflow_task_states(again.state_details.flow_run_id, expected=shard_tasks + 1)
    uncached = ("publish_version", "package_version")
    assert {state for name, state in states if not name.startswith(uncached)} == {"Cached"}


def version_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_another_machine_resumes_from_the_checkpoints_and_work_shards_in_the_block(
    tmp_path, s3_endpoint, checkpoint_block
):
    """Machine A runs and disappears; machine B, with its own sources path and state folder, reuses all."""
    machines = {}
    for name in ("a", "b"):
        sources = shutil.copytree(BUNDLED, tmp_path / name / "sources")
        machines[name] = config_for(
            tmp_path / name, sources=str(sources), therapeutic_samples=200, result_storage=checkpoint_block
        )
    assert run_pipeline(machines["a"]).is_completed()
    work_keys = [
        o["Key"]
        for o in s3_client(s3_endpoint)
        .list_objects_v2(Bucket="checkpoints", Prefix="runs/work/")
        .get("Contents", [])
    ]
    assert any(key.endswith("kept.jsonl") for key in work_keys)
    shutil.rmtree(tmp_path / "a" / "state")

    state = run_pipeline(machines["b"])
    assert state.is_completed() and not state.result().up_to_date
    states = subflow_task_states(state.state_details.flow_run_id, expected=10)
    uncached = ("publish_version", "package_version")
    assert {s for name, s in states if not name.startswith(uncached)} == {"Cached"}
    dataset = machines["a"].dataset_name
    assert version_files(tmp_path / "b" / "out" / dataset / "v1") == version_files(
        tmp_path / "a" / "out" / dataset / "v1"
    )
