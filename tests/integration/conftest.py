"""Real servers for integration tests, each on 127.0.0.1 and stopped by its PID.

- a Prefect API (prefect_test_harness) shared by the session;
- PostgreSQL from initdb + pg_ctl in a temporary folder, on a free loopback port;
- moto's S3 server mode as a subprocess.

With CI=true a missing server binary fails the test; elsewhere it skips, naming what to install.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prefect.testing.utilities import prefect_test_harness

REPO = Path(__file__).resolve().parents[2]


def unavailable(what: str) -> None:
    message = f"{what} is not installed; .ci/run installs it (apt-get install postgresql)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_pid(pid: int, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child: reap it, or it lingers as a zombie
                return
        except ChildProcessError:
            pass  # not our child (pg_ctl's server): it is gone once kill(pid, 0) fails
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


def wait_healthy(url: str, process: subprocess.Popen[bytes], deadline_s: float, log: Path, what: str) -> None:
    """Wait until `url` answers 200; the test fails with the server's log if it exits or never does."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            stop_pid(process.pid)
            pytest.fail(f"{what} did not answer on {url}:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="session", autouse=True)
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway Prefect API for the whole session; its URL is handed to CLI subprocesses."""
    from prefect.settings import PREFECT_API_URL

    with prefect_test_harness(server_startup_timeout=60):
        yield str(PREFECT_API_URL.value())


def _postgres_bindir() -> Path | None:
    candidates = [
        shutil.which("pg_ctl"),
        *sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).resolve().with_name("initdb").exists():
            return Path(candidate).resolve().parent
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server of its own (initdb in a temp dir), as a SQLAlchemy URL."""
    bindir = _postgres_bindir()
    if bindir is None:
        unavailable("PostgreSQL server (initdb, pg_ctl)")
        return
    root = Path(tempfile.mkdtemp(prefix="pipeline-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
    options = f"-h 127.0.0.1 -p {port} -k {root} -F"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w", "start")
    pid = int((data / "postmaster.pid").read_text().split()[0])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        stop_pid(pid, signal.SIGINT)  # SIGINT is PostgreSQL's fast shutdown
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3-compatible HTTP server on a free loopback port."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(endpoint, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                stop_pid(process.pid)
                pytest.fail(f"moto server did not start on {endpoint}")
            time.sleep(0.2)
    try:
        yield endpoint
    finally:
        stop_pid(process.pid)
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on the moto server, with OVH_S3_* pointing the product's client at it."""
    from tasks.storage.s3 import s3_client

    monkeypatch.setenv("OVH_S3_ENDPOINT", s3_endpoint)
    monkeypatch.setenv("OVH_S3_REGION", "us-east-1")
    monkeypatch.setenv("OVH_S3_ACCESS_KEY", "testing")
    monkeypatch.setenv("OVH_S3_SECRET_KEY", "testing")
    name = f"datasets-{uuid.uuid4().hex[:8]}"
    s3_client().create_bucket(Bucket=name)
    return name
