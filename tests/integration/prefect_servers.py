"""A real `prefect server` on loopback for the tests that deploy, register blocks or trigger on events,
and the `prefect` CLI pointed at it. Stopped by PID; this process's log and event workers are drained
first, so later runs in the session report to their own API."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tasks.runners import drain_reports
from tests.integration.conftest import REPO, free_port, stop_pid, wait_healthy

SERVER_START_S = 90


def prefect_cli(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run `prefect ARGS` from the repository root; its stdout, or the test fails with both streams."""
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        pytest.fail(f"prefect {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass(frozen=True)
class Server:
    api: str
    env: dict[str, str]  # the environment that points CLI subprocesses at this server
    pid: int


@contextmanager
def prefect_server(root: Path) -> Iterator[Server]:
    """`prefect server start` on a free loopback port with its own home and SQLite file; stopped by PID."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(root / "home"),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{root / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        # Services a run started by hand does not need, so the server starts and idles cheaply.
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    }
    root.mkdir(parents=True, exist_ok=True)
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(f"{api}/health", server, SERVER_START_S, root / "server.log", "prefect server")
        yield Server(api, env | {"PREFECT_API_URL": api}, server.pid)
    finally:
        # This process's log and event workers were made while pointed at this server: flushed and
        # stopped now, so later runs in the session report to their own API, not to a stopped one.
        drain_reports()
        stop_pid(server.pid)
        log.close()
