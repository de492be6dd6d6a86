"""Wall time and peak memory of the default run (10,000 therapeutic conversations), cold and cached.

    uv run python -m benchmarks.default_run [--therapeutic-samples N] [--runner R] [--keep DIR]

Each run is `python -m flows.full_pipeline` in a child process with its own state and output
folders, so the figures are what a user sees, Prefect's temporary API server start included.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from benchmarks.child_run import run_pipeline_cli


def timed_run(root: Path, samples: int, runner: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB of the largest child process) for one CLI run."""
    args = ["--output", str(root / "out"), "--state-dir", str(root / "state"), "--runner", runner]
    run = run_pipeline_cli(
        root, [*args, "--therapeutic-samples", str(samples)], loopback_only=runner == "ray"
    )
    return run.seconds, run.peak_rss_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapeutic-samples", type=int, default=10_000)
    parser.add_argument("--runner", choices=["auto", "threads", "processes", "ray"], default="auto")
    parser.add_argument("--keep", type=Path, help="Keep state and output in this folder")
    options = parser.parse_args()
    root = options.keep or Path(tempfile.mkdtemp(prefix="bench-default-"))
    root.mkdir(parents=True, exist_ok=True)  # Prefect does not create its home's parents
    try:
        cold, cold_rss = timed_run(root, options.therapeutic_samples, options.runner)
        cached, cached_rss = timed_run(root, options.therapeutic_samples, options.runner)
        manifest = json.loads(next((root / "out").rglob("manifest.json")).read_text())
        records = sum(split["records"] for split in manifest["splits"].values())
        print(f"records exported       {records:,}")
        print(f"cold run               {cold:7.1f} s   {records / cold:8,.0f} records/s end to end")
        print(f"cached rerun           {cached:7.1f} s   (up to date, every shard task cached)")
        print(f"peak RSS (any child)   {max(cold_rss, cached_rss):7.0f} MiB")
    finally:
        if options.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
