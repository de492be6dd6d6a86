"""Export subflow: lay the gated shards out as one immutable dataset version with its manifest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prefect import flow, get_run_logger, task

from flows.gating import GatingResult
from flows.sourcing import SourcingResult
from tasks.accounting import KindCounts, ShardOutcome
from tasks.caching import code_version
from tasks.export.manifest import build_manifest, plan_files
from tasks.export.publish import PlannedFile, Published, publish, version_content_id
from tasks.settings import PipelineConfig
from tasks.split import SPLITS


@task(persist_result=False)
def publish_version(dataset_dir: str, content_id: str, files: list[PlannedFile], manifest: dict) -> Published:
    """Not cached on purpose: whether a version exists is a question for the disk, every time."""
    return publish(Path(dataset_dir), content_id, files, manifest)


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
    dataset_dir = Path(config.output).resolve() / config.dataset_name
    published = publish_version(str(dataset_dir), content_id, files, manifest)
    if published.up_to_date:
        get_run_logger().info(
            f"export: {published.path} is up to date (content {content_id[:12]}); nothing written"
        )
    else:
        get_run_logger().info(f"export: published {published.path} ({len(files)} files)")
    return published
