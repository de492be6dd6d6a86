"""Stops a process once the process that started it dies, even by SIGKILL: run as a script, beside it.

The CLI starts a temporary Prefect API server (a port and about 250 MB); killed outright, the CLI runs
no code that could stop it. This watcher, started by the CLI right after the server, holds a pidfd for
the server (so a reused PID is never signalled) and polls its own parent PID: once the CLI is gone it
sends the server SIGTERM, then SIGKILL after a grace period, and it exits as soon as the server does.
A pidfd is Linux-only (5.3+); elsewhere `supported()` is false and no watcher is started. Standard
library only, so it starts in a few milliseconds and holds a few MB.
"""

from __future__ import annotations

import os
import select
import signal
import sys

POLL_SECONDS = 0.5
GRACE_SECONDS = 5.0


def supported() -> bool:
    """Whether this platform can watch a process by pidfd (Linux 5.3+, Python 3.9+)."""
    return sys.platform == "linux" and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")


def _exits_within(pidfd: int, seconds: float) -> bool:
    # A pidfd turns readable when its process exits.
    return bool(select.select([pidfd], [], [], seconds)[0])


def watch(pid: int, parent: int) -> None:
    """Return when `pid` exits; if `parent` (this watcher's parent) dies first, stop `pid`."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        while os.getppid() == parent:
            if _exits_within(pidfd, POLL_SECONDS):
                return
        signal.pidfd_send_signal(pidfd, signal.SIGTERM)
        if not _exits_within(pidfd, GRACE_SECONDS):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except ProcessLookupError:
        return  # it exited between the check and the signal
    finally:
        os.close(pidfd)


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group; the CLI stops the server itself then.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]), int(sys.argv[2]))
