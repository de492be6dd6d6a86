"""Export subflow: lay the gated shards out as one immutable dataset version with its manifest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect_aws import AwsCredentials

from flows.gating import GatingResult
from flows.sourcing import SourcingResult
from tasks.accounting import KindCounts, ShardOutcome
from tasks.caching import code_version
from tasks.export.manifest import build_manifest, plan_files
from tasks.export.publish import PlannedFile, Published, VersionStore, publish, version_content_id
from tasks.settings import PipelineConfig
from tasks.split import SPLITS
from tasks.storage.local import LocalVersionStore
from tasks.storage.s3 import S3Location, S3VersionStore, is_s3_uri, s3_client


def version_store(config: PipelineConfig) -> VersionStore:
    """Where this run's versions live: a local folder, or an S3 prefix for an s3:// output."""
    if is_s3_uri(config.output):
        credentials = (
            AwsCredentials.load(config.s3_credentials_block) if config.s3_credentials_block else None
        )
        return S3VersionStore(s3_client(credentials), S3Location.parse(config.output), config.dataset_name)
    return LocalVersionStore(Path(config.output).resolve() / config.dataset_name)


@task(persist_result=False)
def publish_version(
    config: PipelineConfig, content_id: str, files: list[PlannedFile], manifest: dict
) -> Published:
    """Not cached on purpose: whether a version exists is a question for the store, every time."""
    return publish(version_store(config), content_id, files, manifest)


@flow(name="export", log_prints=True)
def export(
    config: PipelineConfig,
    sourced: SourcingResult,
    synthesized: list[ShardOutcome],
    gated: GatingResult,
    stages: Mapping[str, KindCounts],
) -> Published:
    """Publish `{output}/{dataset}/v{N}/`, or report the latest version as up to date."""
    files = plan_files(
        splits={split: [r.splits[split] for r in gated.routed] for split in SPLITS},
        quarantine={
            "sourcing": [o.quarantine for o in sourced.outcomes],
            "synthesis": [o.quarantine for o in synthesized],
            "preprocess": [c.quarantine for c in gated.cleaned],
        },
        duplicates=[r.duplicates for r in gated.routed],
    )
    inputs = [doc.model_dump() for doc in sourced.documents]
    version = code_version()
    manifest = build_manifest(config, version, inputs, stages, files, gated.kinds_per_split)
    content_id = version_content_id(inputs, config.content_settings(), version)
    published = publish_version(config, content_id, files, manifest)
    if published.up_to_date:
        get_run_logger().info(
            f"export: {published.path} is up to date (content {content_id[:12]}); nothing written"
        )
    else:
        get_run_logger().info(f"export: published {published.path} ({len(files)} files)")
    return published
