"""The deployments as a Prefect user meets them: a real `prefect server` on loopback, the `datasets`
process pool, `prefect deploy --all` from prefect.yaml (full-pipeline, and journal-research with its
event trigger), a process worker, and `prefect deployment run ... --param NAME=value` for a small run.
The version is published with prefect.yaml's values for every setting the run did not override, the
run's keyed artifacts can be read back through the client API, the research its topics asked for runs
on the trigger, and the same run again is up to date.

Everything listens on 127.0.0.1 only (checked), and the server and worker are stopped by PID. The
worker's HTTP goes through a proxy address on loopback where nothing listens, so the journal searches
are refused there instead of leaving the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import orjson
import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
)
from prefect.client.schemas.objects import Artifact, FlowRun
from prefect.settings import PREFECT_API_URL, temporary_settings

from tasks.run_report import SECTIONS
from tasks.split import SPLITS
from tests.integration.conftest import REPO, free_port, stop_pid
from tests.integration.prefect_servers import prefect_cli, prefect_server
from tests.integration.runs import keyed_artifact

pytestmark = pytest.mark.integration

RUN_DEADLINE_S = 900
RESEARCH_DEADLINE_S = 120
DATASET = "x"
PINNED = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"][0]["parameters"]


def listening_addresses(pid: int) -> set[str]:
    """The local addresses (hex, as /proc/net shows them) of the TCP sockets `pid` listens on."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.add(fields[1].rsplit(":", 1)[0])
    return found


# 127.0.0.1 and ::1 as /proc/net/tcp{,6} write them (little-endian words).
LOOPBACK = {"0100007F", "00000000000000000000000001000000"}


@dataclass(frozen=True)
class DeployedRun:
    flow_run: FlowRun
    version: Path
    listening: set[str]  # what the server and the worker listen on, as /proc/net writes addresses
    overrides: dict[str, object]
    research: FlowRun  # the journal-research run the first run's research event started
    rerun: FlowRun  # the same parameters again, once the research had finished


def wait_for_final_state(flow_run_id: UUID, worker_log: Path) -> FlowRun:
    """Poll the API until the run is final; fail with the worker's log if it never gets there."""
    deadline = time.monotonic() + RUN_DEADLINE_S
    with get_client(sync_client=True) as client:
        while True:
            flow_run = client.read_flow_run(flow_run_id)
            if flow_run.state is not None and flow_run.state.is_final():
                return flow_run
            if time.monotonic() > deadline:
                pytest.fail(
                    f"flow run not final after {RUN_DEADLINE_S}s ({flow_run.state}):\n"
                    f"{worker_log.read_text()[-6000:]}"
                )
            time.sleep(1)


def new_run(deployment: str, seen: set[UUID]) -> UUID:
    """The id of the one flow run of `deployment` not in `seen` (and adds it there)."""
    with get_client(sync_client=True) as client:
        deployed = client.read_deployment_by_name(deployment)
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployed.id]))
        )
    (created,) = [run.id for run in runs if run.id not in seen]
    seen.add(created)
    return created


def wait_for_research(seen: set[UUID], worker_log: Path) -> FlowRun:
    """The journal-research run the trigger creates for a research event, once it is final."""
    deadline = time.monotonic() + RESEARCH_DEADLINE_S
    while True:
        try:
            return wait_for_final_state(new_run("journal-research/journal-research", seen), worker_log)
        except ValueError:  # not created yet
            if time.monotonic() > deadline:
                log = worker_log.read_text()[-6000:]
                pytest.fail(f"no journal-research run within {RESEARCH_DEADLINE_S}s:\n{log}")
            time.sleep(1)


@pytest.fixture(scope="module")
def deployed_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployedRun]:
    root = tmp_path_factory.mktemp("deployment")
    output = root / "out"
    overrides: dict[str, object] = {
        "output": str(output),
        "dataset_name": DATASET,
        "therapeutic_samples": 200,
        "bias_samples": 0,
        "edge_cases": 0,
        "grounded_conversations": 0,
        "top_up_rounds": 0,
        "shard_records": 100,
        # The worker runs the flow in the repository: keep its state out of the working tree.
        "state_dir": str(root / "state"),
        "runner": "threads",
        "research_topics": "grief",  # no findings yet: the run asks for research
    }
    refused = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    offline = {"HTTP_PROXY": refused, "HTTPS_PROXY": refused, "NO_PROXY": "127.0.0.1,localhost"}
    with prefect_server(root / "server") as server, temporary_settings({PREFECT_API_URL: server.api}):
        prefect_cli(server.env, "work-pool", "create", "datasets", "--type", "process")
        spec = (REPO / "prefect.yaml").read_bytes()
        prefect_cli(server.env, "--no-prompt", "deploy", "--all")
        assert (REPO / "prefect.yaml").read_bytes() == spec  # deploying never rewrites the project's file
        worker_log = root / "worker.log"
        with worker_log.open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", "datasets"],
                cwd=REPO,
                env=server.env | offline | {"PREFECT_WORKER_QUERY_SECONDS": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                params = [arg for name, value in overrides.items() for arg in ("--param", f"{name}={value}")]
                seen: set[UUID] = set()
                runs = []
                for _ in range(2):
                    prefect_cli(server.env, "deployment", "run", "full-pipeline/full-pipeline", *params)
                    runs.append(
                        wait_for_final_state(new_run("full-pipeline/full-pipeline", seen), worker_log)
                    )
                    if len(runs) == 1:
                        research = wait_for_research(seen, worker_log)
                listening = listening_addresses(worker.pid) | listening_addresses(server.pid)
            finally:
                stop_pid(worker.pid)
        for run in runs:
            assert run.state is not None and run.state.is_completed(), (
                f"{run.state}:\n{worker_log.read_text()[-6000:]}"
            )
        yield DeployedRun(runs[0], output / DATASET / "v1", listening, overrides, research, runs[1])


def artifact(flow_run_id: UUID, what: str) -> Artifact:
    """The one artifact of the run under the dataset's key for `what`."""
    return keyed_artifact(flow_run_id, f"{DATASET}-{what}")


def test_the_run_takes_prefect_yaml_values_for_every_setting_it_did_not_override(deployed_run):
    # The server lays the run's `--param` values over the deployment's: nothing else is sent, so the
    # worker's machine fills in the host defaults (sources, workers) and the model the rest.
    assert deployed_run.flow_run.parameters == PINNED | deployed_run.overrides
    assert set(PINNED) - set(deployed_run.overrides) == {"seed"}
    manifest = orjson.loads((deployed_run.version / "manifest.json").read_bytes())
    assert manifest["dataset"] == DATASET
    assert manifest["seed"] == manifest["config"]["seed"] == PINNED["seed"]
    assert manifest["config"]["therapeutic_samples"] == 200
    assert manifest["config"]["top_up_rounds"] == 0
    targets = {kind: volume["target"] for kind, volume in manifest["volumes"].items()}
    assert targets == {"therapeutic": 200, "bias": 0, "edge_case": 0, "grounded": 0}


def test_the_keyed_artifacts_tell_the_runs_story(deployed_run):
    flow_run_id = deployed_run.flow_run.id
    manifest = orjson.loads((deployed_run.version / "manifest.json").read_bytes())
    report = artifact(flow_run_id, "run-report")
    assert report.type == "markdown"
    assert isinstance(report.data, str) and report.data.startswith(f"# {DATASET} v1\n")
    assert f"content id: `{manifest['content_id']}`" in report.data
    for name in SECTIONS:
        assert artifact(flow_run_id, name).type == "table", name
    splits = orjson.loads(str(artifact(flow_run_id, "splits").data))
    assert {r["split"]: r["actual"] for r in splits} == {
        s: manifest["splits"][s]["by_kind"]["therapeutic"]["actual"] for s in SPLITS
    }
    progress = artifact(flow_run_id, "progress")
    assert (progress.type, progress.data) == ("progress", 100.0)
    link = artifact(flow_run_id, "published")  # Prefect stores a link artifact as markdown
    assert link.data == f"[{DATASET} v1]({deployed_run.version.resolve().as_uri()})"
    assert manifest["content_id"] in (link.description or "")


def test_nothing_listens_beyond_loopback(deployed_run):
    assert deployed_run.listening, "the server's socket was not found"
    assert deployed_run.listening <= LOOPBACK


def test_an_unchanged_rerun_with_the_research_trigger_deployed_is_up_to_date(deployed_run):
    research = deployed_run.research
    assert research.state is not None and research.state.is_completed(), research.state
    state = Path(str(deployed_run.overrides["state_dir"]))
    assert research.parameters["research_dir"] == str(state / "research")  # where the asking run reads
    (findings,) = (state / "research").glob("findings-*.jsonl")
    assert findings.read_bytes() == b""  # every search refused on loopback: nothing found
    rerun = deployed_run.rerun
    assert rerun.parameters == deployed_run.flow_run.parameters
    assert "up to date, nothing written" in str(artifact(rerun.id, "run-report").data)
    assert sorted(p.name for p in deployed_run.version.parent.iterdir() if p.name.startswith("v")) == ["v1"]


def test_a_deployment_run_keeps_its_checkpoints_in_its_state_folder(deployed_run):
    results = Path(str(deployed_run.overrides["state_dir"])) / "results"
    assert results.is_dir() and len(list(results.iterdir())) > 10  # one per cached task, as from the CLI
