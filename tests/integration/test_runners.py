"""The same small run on threads, processes and a local Ray gives the same bytes in every published file.

Each run is the CLI in a child process inside a loopback-only network namespace (`unshare -rn`, with
`lo` up): Ray binds to every interface, and there it can reach nothing but 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration

RUN = [
    *("--therapeutic-samples", "60", "--bias-samples", "0", "--edge-cases", "0"),
    *("--grounded-conversations", "0", "--top-up-rounds", "0", "--shard-records", "20", "--workers", "2"),
]


def published(root: Path, runner: str) -> dict[str, str]:
    """sha256 of every file of the version one CLI run on `runner` publishes."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to run Ray in a loopback-only network namespace")
    (root / "prefect-home").mkdir(parents=True)  # Prefect does not create its home's parents
    args = [sys.executable, "-m", "flows.full_pipeline", *RUN, "--runner", runner]
    args += ["--output", str(root / "out"), "--state-dir", str(root / "state")]
    env = os.environ | {
        "PREFECT_HOME": str(root / "prefect-home"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "RAY_USAGE_STATS_ENABLED": "0",
    }
    env.pop("PREFECT_API_URL", None)
    command = 'ip link set lo up && exec "$@"'
    done = subprocess.run(
        ["unshare", "-rn", "sh", "-c", command, "sh", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # One API for the run: a worker, or a thread Prefect starts itself, that starts a temporary server
    # of its own costs seconds and sends its reports where nobody reads them.
    assert done.stderr.count("Starting temporary server") == 1, done.stderr[-3000:]
    (version,) = (root / "out").glob("*/v1")
    return {
        p.relative_to(version).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(version.rglob("*"))
        if p.is_file()
    }


def test_threads_processes_and_ray_publish_identical_bytes(tmp_path):
    threads = published(tmp_path / "threads", "threads")
    assert len(threads) > 20
    assert published(tmp_path / "processes", "processes") == threads
    assert published(tmp_path / "ray", "ray") == threads
