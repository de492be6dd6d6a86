"""The watcher that stops a process once the process that started both is killed outright."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tasks import parent_watch

pytestmark = pytest.mark.skipif(not parent_watch.supported(), reason="pidfd watching is Linux-only")

# A stand-in for the CLI: starts a long sleeper (the server) and its watcher, then waits to be killed.
PARENT = """
import os, subprocess, sys, time
sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
subprocess.Popen([sys.executable, "-I", "-S", sys.argv[1], str(sleeper.pid), str(os.getpid())])
print(sleeper.pid, flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent that is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_watched_process_is_stopped_when_its_parent_is_sigkilled():
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, parent_watch.__file__], stdout=subprocess.PIPE, start_new_session=True
    )
    assert parent.stdout is not None
    sleeper = int(parent.stdout.readline())
    try:
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + parent_watch.POLL_SECONDS + parent_watch.GRACE_SECONDS
        while alive(sleeper) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(sleeper)
    finally:
        if alive(sleeper):
            os.kill(sleeper, signal.SIGKILL)


def test_the_watcher_returns_once_the_process_ends_and_its_parent_lives():
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    started = time.monotonic()
    parent_watch.watch(sleeper.pid, os.getppid())
    assert sleeper.wait(timeout=1) == 0 and time.monotonic() - started < 5
