"""A run leaves its story in the Prefect API: keyed artifacts for the dataset (report, tables,
progress, link to the version) and subflow and task runs named after the dataset and the shards."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
)

from flows.full_pipeline import run_pipeline
from tasks.split import SPLITS
from tests.integration.runs import config_for, keyed_artifact, subflow_task_states

DATASET = "ui-story.v1"  # the '.' is not allowed in an artifact key: the keys sanitise it
PREFIX = "ui-story-v1"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("artifacts")
    state = run_pipeline(config_for(root, dataset_name=DATASET, therapeutic_samples=200))
    assert state.is_completed(), state.message
    version = root / "out" / DATASET / "v1"
    return (
        state.state_details.flow_run_id,
        state.result(),
        orjson.loads((version / "manifest.json").read_bytes()),
    )


def artifact(flow_run_id, what: str):
    """The one artifact of this run under the dataset's key for `what`."""
    return keyed_artifact(flow_run_id, f"{PREFIX}-{what}")


def test_the_report_names_the_version_its_content_id_and_every_section(run):
    flow_run_id, published, manifest = run
    report = artifact(flow_run_id, "run-report")
    assert report.type == "markdown"
    assert report.data.startswith(f"# {DATASET} v1\n")
    assert f"- **published**: `{published.path}`" in report.data
    assert f"content id: `{published.content_id}`" in report.data
    exported = manifest["volumes"]["therapeutic"]["exported"]
    assert f"| therapeutic | 200 | {exported} | {200 - exported} |" in report.data
    assert "## Top quarantine reasons" in report.data and "| gates | crisis_protocol: " in report.data


def test_tables_hold_the_manifest_numbers(run):
    flow_run_id, _, manifest = run
    volumes = orjson.loads(artifact(flow_run_id, "volumes").data)
    assert volumes == [{"kind": "therapeutic", **manifest["volumes"]["therapeutic"]}]
    splits = orjson.loads(artifact(flow_run_id, "splits").data)
    assert {r["split"]: r["actual"] for r in splits} == {
        s: manifest["splits"][s]["by_kind"]["therapeutic"]["actual"] for s in SPLITS
    }
    gates = orjson.loads(artifact(flow_run_id, "gates").data)
    ears = next(r for r in gates if (r["gate"], r["kind"]) == ("ears", "therapeutic"))
    assert ears["evaluated"] == manifest["gates"]["ears"]["therapeutic"]["evaluated"] > 0
    timings = orjson.loads(artifact(flow_run_id, "timings").data)
    assert [r["stage"] for r in timings] == ["sourcing", "synthesis", "gating", "export"]
    assert all(r["seconds"] > 0 for r in timings)


def test_progress_ends_at_100_and_the_link_points_at_the_version(run):
    flow_run_id, published, _ = run
    progress = artifact(flow_run_id, "progress")
    assert (progress.type, float(progress.data)) == ("progress", 100.0)
    link = artifact(flow_run_id, "published")
    assert link.data == f"[{DATASET} v1]({Path(published.path).as_uri()})"
    assert published.content_id in (link.description or "")


def test_subflows_name_the_dataset_and_task_runs_name_their_shards(run):
    flow_run_id, _, manifest = run
    with get_client(sync_client=True) as client:
        subflows = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id]))
        )
    assert {f.name for f in subflows} == {
        f"{s}-{DATASET}" for s in ("sourcing", "synthesis", "gating", "export")
    }
    gating = next(f for f in subflows if f.name.startswith("gating-"))
    assert {"stage:gating", f"dataset:{DATASET}"} <= set(gating.tags)

    split_files = sum(len(s["files"]) for s in manifest["splits"].values())
    # documents + synthesis + shard pass + plan + route + formats + preference + diversity + provenance
    # + safety check + card + publish
    expected = 5 + 2 + 2 + 1 + 2 + split_files + len(SPLITS) + 1 + 1 + 1 + 1 + 1
    names = {name for name, _ in subflow_task_states(flow_run_id, expected=expected)}
    shards = ("therapeutic-00000", "therapeutic-00001")
    for task in ("generate_shard", "pass_shard", "route_shard"):
        assert {f"{task}-{shard}" for shard in shards} <= names, task
    assert {f"format_shard-train-{shard}" for shard in shards} <= names
    assert f"publish_version-{DATASET}" in names
    assert "passages_shard-" + "meditations_marcus-aurelius_pg2680.txt" in names
