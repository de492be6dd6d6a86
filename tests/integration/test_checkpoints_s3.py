"""Task checkpoints in a saved S3Bucket block on a real S3-compatible server (moto, loopback)."""

from __future__ import annotations

import boto3
import pytest
from prefect_aws import AwsCredentials, S3Bucket
from prefect_aws.client_parameters import AwsClientParameters

from flows.full_pipeline import run_pipeline
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
