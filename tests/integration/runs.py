"""Helpers for tests that run the whole flow: a small configuration and the task states it left."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
    TaskRunFilterSubFlowRuns,
)
from prefect.client.schemas.objects import Artifact

from tasks.gates.ears import GATE as EARS
from tasks.gates.gate_settings import CRISIS, EXPORTED_KINDS, GateSettings, safety_check
from tasks.settings import PipelineConfig
from tests.integration.conftest import REPO


def config_for(root: Path, **overrides: object) -> PipelineConfig:
    values: dict[str, object] = {
        "output": str(root / "out"),
        "state_dir": str(root / "state"),
        "therapeutic_samples": 400,
        "bias_samples": 0,
        "edge_cases": 0,
        "grounded_conversations": 0,
        "top_up_rounds": 0,
        "shard_records": 100,
        # In-process flows on threads: a worker pool per test would spend the suite's time importing;
        # the runner test runs processes and Ray on the same input.
        "runner": "threads",
    }
    return PipelineConfig(**(values | overrides))


def storage_config(root: Path, **overrides: object) -> PipelineConfig:
    """`config_for` with crisis routing and the EARS style gate off (each waiver named, as a user's
    would be): storage tests count records, and which synthetic conversations those gates reroute or
    quarantine is the gate tests' business, not theirs."""
    gates = GateSettings().per_kind
    styled = [kind for kind, names in gates.items() if EARS in names]
    per_kind = {kind: tuple(name for name in names if name != EARS) for kind, names in gates.items()}
    unscanned = (
        *(safety_check(CRISIS, kind) for kind in EXPORTED_KINDS),
        *(safety_check(EARS, kind) for kind in styled),
    )
    waived = GateSettings(per_kind=per_kind, crisis_kinds=(), unsafe_gates_off=unscanned)
    return config_for(root, gates=waived, **overrides)


def start_cli(
    root: Path, samples: int, api_url: str | None = None, runner: str = "threads"
) -> subprocess.Popen[bytes]:
    """`python -m flows.full_pipeline` in its own session, on `runner` (threads unless a test is about
    the runner), generating `samples` therapeutic conversations in shards of 100; reporting to
    `api_url`, or without one to the temporary API server the CLI starts itself."""
    env = os.environ | {"PREFECT_HOME": str(root / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    args = ["--output", str(root / "out"), "--state-dir", str(root / "state")]
    args += ["--therapeutic-samples", str(samples), "--bias-samples", "0", "--edge-cases", "0"]
    args += ["--grounded-conversations", "0", "--top-up-rounds", "0"]
    args += ["--shard-records", "100", "--runner", runner]
    return subprocess.Popen(
        [sys.executable, "-m", "flows.full_pipeline", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def subflow_task_states(parent_flow_run_id: object, expected: int) -> list[tuple[str, str]]:
    """(task run name, state name) for every task run in the run's subflows.

    A list, not a dict: run names carry a short random suffix, and two can collide.

    Task run states reach the API asynchronously (as events), so this waits until `expected`
    task runs are all in a final state.
    """
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            subflows = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_flow_run_id])
                )
            )
            task_runs = client.read_task_runs(
                task_run_filter=TaskRunFilter(
                    flow_run_id=TaskRunFilterFlowRunId(any_=[f.id for f in subflows]),
                    subflow_runs=TaskRunFilterSubFlowRuns(exists_=False),
                )
            )
            states = [(t.name, t.state.name) for t in task_runs if t.state and t.state.is_final()]
            if len(states) >= expected or time.monotonic() > deadline:
                return states
            time.sleep(0.2)


def keyed_artifact(flow_run_id: UUID, key: str) -> Artifact:
    """The one artifact the flow run left under `key`."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[key]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    assert len(found) == 1, f"{key}: {len(found)} artifacts"
    return found[0]
