"""One pipeline run in a child process, exactly as a user starts it, for the benchmarks to time.

The child gets its own PREFECT_HOME under the run's folder, so no profile, database or server of the
machine leaks into the figures, and Prefect's temporary API server start is part of what is timed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ChildRun:
    """What one CLI run cost, and the log it printed (Prefect logs to stderr)."""

    started: float  # time.time() at launch, to place the log's wall-clock stamps
    seconds: float
    peak_rss_mib: float  # of the largest process the benchmark has waited for so far
    log: str


LOOPBACK_ONLY = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


def run_pipeline_cli(root: Path, args: Sequence[str], loopback_only: bool = False) -> ChildRun:
    """Run `python -m flows.full_pipeline ARGS` with PREFECT_HOME in `root`; on failure, exit with the
    log's tail, since the run's folder is deleted on the way out unless kept. `loopback_only` runs it
    in a network namespace that reaches nothing but 127.0.0.1 (Ray binds to every interface)."""
    env = os.environ | {"PREFECT_HOME": str(root / "prefect-home")}
    # Prefect gives its temporary server 20 s to start; a loaded 2-core machine can take longer, and
    # then the run fails before any pipeline work. A value the user set wins.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    log_path = root / "pipeline.log"
    started, clock = time.time(), time.perf_counter()
    with log_path.open("w") as log:
        code = subprocess.run(
            [*(LOOPBACK_ONLY if loopback_only else []), sys.executable, "-m", "flows.full_pipeline", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        ).returncode
    seconds = time.perf_counter() - clock
    text = log_path.read_text()
    if code != 0:
        tail = "\n".join(text.splitlines()[-20:])
        sys.exit(f"pipeline run failed (exit {code}); its log ({log_path}) ends:\n{tail}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
    return ChildRun(started=started, seconds=seconds, peak_rss_mib=peak, log=text)
