"""Where a run publishes: a local folder or an S3 prefix, chosen from the config, with the credentials
from the saved block or the environment, and checked before any compute is spent."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from tasks.export.publish import PlannedFile, VersionStore
from tasks.settings import PipelineConfig
from tasks.shards import local_copy
from tasks.storage.local import LocalVersionStore
from tasks.storage.s3 import (
    S3Location,
    S3VersionStore,
    UploadProgress,
    honours_create_only,
    is_s3_uri,
    s3_client,
)

_log = logging.getLogger(__name__)
# The environment's S3 credentials, which a saved credentials block named for the run overrides.
OVH_CREDENTIALS = ("OVH_S3_ACCESS_KEY", "OVH_S3_SECRET_KEY", "OVH_S3_ENDPOINT")


def version_store(config: PipelineConfig, progress: UploadProgress | None = None) -> VersionStore:
    """Where this run's versions live: a local folder, or an S3 prefix for an s3:// output."""
    if is_s3_uri(config.output):
        client = _s3_client(config)
        return S3VersionStore(client, S3Location.parse(config.output), config.dataset_name, progress=progress)
    return LocalVersionStore(Path(config.output).resolve() / config.dataset_name)


def _s3_client(config: PipelineConfig) -> Any:
    """The client for an s3:// output: the saved credentials block when named, else OVH_S3_*."""
    if not config.s3_credentials_block:
        return s3_client(None)
    ignored = sorted(name for name in OVH_CREDENTIALS if os.environ.get(name))
    if ignored:
        _log.warning(
            f"s3_credentials_block {config.s3_credentials_block!r} is used; {', '.join(ignored)} ignored"
        )
    from prefect_aws import AwsCredentials  # here: its import costs every run and worker ~0.6 s

    return s3_client(AwsCredentials.load(config.s3_credentials_block))


class OutputUnusableError(RuntimeError):
    """The run could not publish where it was told; found before any compute."""


def check_output(config: PipelineConfig) -> None:
    """Fail now, not after the compute, when the output cannot take a version: a local folder that
    cannot be created or written, an S3 bucket that cannot be reached, is not there, or does not
    honour create-only writes."""
    if is_s3_uri(config.output):
        _check_bucket(config)
        return
    folder = Path(config.output).resolve() / config.dataset_name
    made = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    probe = folder / f".write-probe-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise OutputUnusableError(
            f"cannot write to the output folder {folder} ({error.strerror or error}); choose another --output"
        ) from error
    finally:
        for created in made:  # deepest first: a run that fails later leaves no empty folders behind
            with contextlib.suppress(OSError):
                created.rmdir()


def _check_bucket(config: PipelineConfig) -> None:
    location = S3Location.parse(config.output)
    client = _s3_client(config)
    try:
        client.head_bucket(Bucket=location.bucket)
        honoured = honours_create_only(client, location, config.dataset_name)
    except Exception as error:  # botocore raises many kinds; each means the same here
        raise OutputUnusableError(
            f"cannot write to the output bucket {location.bucket!r} ({type(error).__name__}: {error}); "
            "check OVH_S3_ENDPOINT, the credentials, the bucket name, and that the store accepts "
            "conditional writes (If-None-Match)"
        ) from error
    if not honoured:
        raise OutputUnusableError(
            f"the store behind {config.output} accepted a second create-only write of the same key: it "
            "ignores If-None-Match, so two runs could publish the same version number. Publish to a "
            "store that honours conditional writes"
        )


def local_files(config: PipelineConfig, files: list[PlannedFile]) -> list[PlannedFile]:
    """The files with every shard on this machine's disk: uploads and packages read local files."""
    cache = Path(config.state_dir).resolve() / "cache" / "shards"
    return [f.model_copy(update={"shard": local_copy(f.shard, cache)}) for f in files]
