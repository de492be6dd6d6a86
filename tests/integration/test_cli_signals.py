"""The CLI on SIGTERM and SIGKILL: the temporary Prefect API server it started does not outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.runs import start_cli

pytestmark = pytest.mark.integration


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc's children lists."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            pending += list(children - found)
            found |= children
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def server_and_watcher(cli: subprocess.Popen[bytes], deadline: float) -> tuple[set[int], set[int]]:
    """The PIDs of the temporary API server the CLI started and of the watcher beside it, once both run."""
    while True:
        assert cli.poll() is None, "the run ended before its server could be seen; raise the volume"
        assert time.monotonic() < deadline, "no temporary API server with its watcher appeared"
        below = descendants(cli.pid)
        servers = {p for p in below if "uvicorn" in command_line(p)}
        watchers = {p for p in below if "parent_watch" in command_line(p)}
        if servers and watchers:
            return servers, watchers
        time.sleep(0.2)


@pytest.mark.parametrize("runner", ["processes", "threads"])
def test_sigkill_leaves_no_temporary_api_server_behind(tmp_path, runner):
    cli = start_cli(tmp_path, 2_000, runner=runner)  # no API URL: the CLI starts its own temporary server
    started: set[int] = set()
    try:
        servers, watchers = server_and_watcher(cli, time.monotonic() + 240)
        started = descendants(cli.pid)
        cli.kill()  # SIGKILL: no handler, finally or atexit in the CLI runs
        cli.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in servers | watchers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(p) for p in servers), f"server {servers} outlived the SIGKILLed CLI"
        assert not any(alive(p) for p in watchers), f"watcher {watchers} outlived the server"
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
        for pid in started | descendants(cli.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_sigterm_stops_the_temporary_api_server_the_cli_started(tmp_path):
    cli = start_cli(tmp_path, 2_000)  # no API URL: the CLI starts its own temporary server
    servers: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        while not servers:
            assert cli.poll() is None, "the run ended before its server could be seen; raise the volume"
            assert time.monotonic() < deadline, "no temporary API server appeared"
            servers = {p for p in descendants(cli.pid) if "uvicorn" in command_line(p)}
            time.sleep(0.2)
        shards = tmp_path / "state" / "work"
        while not list(shards.rglob("part-*.jsonl")):  # mid-run, not mid-start-up
            assert cli.poll() is None and time.monotonic() < deadline, "no shard appeared"
            time.sleep(0.2)
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=120) != 0
        deadline = time.monotonic() + 30
        while any(alive(p) for p in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(p) for p in servers), f"server {servers} outlived the CLI"
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
        for pid in servers | descendants(cli.pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
