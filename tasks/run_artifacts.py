"""Keyed Prefect artifacts that tell a run's story in the UI: a progress bar moved by each stage,
and after publishing the run report (markdown and tables) and a link to the version.

Keys come from the dataset name, so each artifact's page in the UI holds that dataset's history.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast
from uuid import UUID

import orjson
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from tasks.export.destination import version_store
from tasks.export.publish import MANIFEST, Published
from tasks.run_report import SECTIONS, RunReport, artifact_key, build_report, count_reasons, jsonl_lines
from tasks.settings import PipelineConfig
from tasks.storage.s3 import S3VersionStore, is_s3_uri
from tasks.version_reader import open_version, read_all

STAGES = ("sourcing", "synthesis", "gating", "export")


class RunProgress:
    """The run's progress artifact: the share of the stages finished, never moving backwards
    (a top-up round runs synthesis and gating again)."""

    def __init__(self, dataset: str) -> None:
        self.dataset, self.percent = dataset, 0.0
        # a sync caller gets the UUID; the decorator's type also admits the async variant's coroutine
        self.id = cast(
            UUID,
            create_progress_artifact(
                0.0, key=artifact_key(dataset, "progress"), description=f"{dataset}: starting"
            ),
        )

    def stage_done(self, stage: str) -> None:
        """Move the bar to the end of `stage`; a stage outside STAGES leaves it."""
        if stage not in STAGES:
            return
        self.percent = max(self.percent, 100.0 * (STAGES.index(stage) + 1) / len(STAGES))
        update_progress_artifact(self.id, self.percent, description=f"{self.dataset}: {stage} finished")


def version_link(uri: str) -> str:
    """A clickable address for the version: s3:// as it is, a local folder as a file:// URI."""
    return uri if is_s3_uri(uri) else Path(uri).resolve().as_uri()


def publish_run_report(config: PipelineConfig, published: Published, seconds: dict[str, float]) -> RunReport:
    """Read the version back (manifest, quarantine reasons) and post the report, its tables and
    the link as keyed artifacts of the current flow run."""
    store = version_store(config)
    reader = open_version(published.path, store.client if isinstance(store, S3VersionStore) else None)
    manifest = orjson.loads(read_all(reader, MANIFEST))
    lines = (line for f in manifest["quarantine"]["files"] for line in jsonl_lines(reader.chunks(f["path"])))
    report = build_report(manifest, published.path, published.up_to_date, seconds, count_reasons(lines))
    dataset = config.dataset_name
    create_markdown_artifact(
        report.markdown,
        key=artifact_key(dataset, "run-report"),
        description=f"{dataset} v{published.version}",
    )
    for name, rows in report.tables.items():
        create_table_artifact(
            rows, key=artifact_key(dataset, name), description=f"{dataset}: {SECTIONS[name]}"
        )
    create_link_artifact(
        version_link(published.path),
        link_text=f"{dataset} v{published.version}",
        key=artifact_key(dataset, "published"),
        description=f"content id {published.content_id}",
    )
    return report
