"""`python -m blocks.register` registers every custom block type in blocks/ on a fresh Prefect server
(a real `prefect server start` on loopback), with the schema the code defines today, and running it
again updates instead of failing; the README's snippet then saves every block a run uses, with the
OVH endpoint in one block that the S3 bucket refers to."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect_aws import AwsCredentials, S3Bucket

from blocks.database import MetadataDatabase
from blocks.llm_provider import LlmProvider
from blocks.register import block_types
from tests.integration.conftest import REPO
from tests.integration.prefect_servers import prefect_server

pytestmark = pytest.mark.integration


def readme_snippet() -> str:
    """The Python block between the README's blocks-snippet markers."""
    readme = (REPO / "README.md").read_text()
    found = re.search(
        r"<!-- blocks-snippet:start -->\n```python\n(.*?)```\n<!-- blocks-snippet:end -->", readme, re.S
    )
    assert found, "README.md has no blocks snippet"
    return found.group(1)


def python(env: dict[str, str], *args: str) -> str:
    """`python ARGS` from the repository root against the server in `env`; its stdout."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def register(env: dict[str, str]) -> str:
    return python(env, "-m", "blocks.register")


def test_every_custom_block_is_found():
    assert block_types() == [MetadataDatabase, LlmProvider]


def test_register_puts_every_block_type_and_its_current_schema_on_a_fresh_server(tmp_path):
    with prefect_server(tmp_path) as server, temporary_settings({PREFECT_API_URL: server.api}):
        with get_client(sync_client=True) as client:
            slugs = {block_type.slug for block_type in client.read_block_types()}
        assert not {b.get_block_type_slug() for b in block_types()} & slugs  # fresh: none there yet

        printed = register(server.env)
        assert register(server.env) == printed  # a second run updates what is there

        with get_client(sync_client=True) as client:
            for block in block_types():
                assert f"registered {block.get_block_type_slug()}" in printed
                registered = client.read_block_type_by_slug(block.get_block_type_slug())
                assert registered.name == block.get_block_type_name()
                schema = client.read_block_schema_by_checksum(block._calculate_schema_checksum())
                assert schema.block_type_id == registered.id
                assert set(schema.fields["properties"]) == set(block.model_fields)
            database = client.read_block_schema_by_checksum(MetadataDatabase._calculate_schema_checksum())
            assert database.fields["secret_fields"] == ["url"]
            llm = client.read_block_schema_by_checksum(LlmProvider._calculate_schema_checksum())
            assert llm.fields["secret_fields"] == ["api_key"]


def test_the_readme_snippet_saves_every_block_with_the_endpoint_in_one_place(tmp_path):
    with prefect_server(tmp_path) as server, temporary_settings({PREFECT_API_URL: server.api}):
        python(server.env, "-c", readme_snippet())
        with get_client(sync_client=True) as client:
            ovh = client.read_block_document_by_name("ovh", "aws-credentials")
            bucket = client.read_block_document_by_name("checkpoints", "s3-bucket")
        # The bucket refers to the credentials block: change the endpoint there, and the bucket follows.
        assert bucket.block_document_references["credentials"]["block_document"]["id"] == str(ovh.id)
        credentials = AwsCredentials.load("ovh")
        assert credentials.aws_client_parameters.endpoint_url == "https://s3.gra.io.cloud.ovh.net"
        credentials.aws_client_parameters.endpoint_url = "https://s3.sbg.io.cloud.ovh.net"
        credentials.save("ovh", overwrite=True)
        loaded = S3Bucket.load("checkpoints")
        assert loaded.credentials.aws_client_parameters.endpoint_url == "https://s3.sbg.io.cloud.ovh.net"
        assert MetadataDatabase.load("metadata").url.get_secret_value().startswith("postgresql+psycopg://")
        llm = LlmProvider.load("nim").settings()
        assert (llm.api_key_block, llm.model) == ("nim", "meta/llama-3.1-8b-instruct")
