"""End-to-end throughput of the pipeline on a chat JSONL corpus, per stage, against an orjson floor.

    uv run python -m benchmarks.throughput --mb N [--workers W] [--keep DIR] [--runner R] [--shard-records N]

The corpus is `make_corpus` of ../shared/bench/corpus.py, the bytes datatrove's peer benchmark
(../shared/bench/datatrove_anchor.py) reads, so the two figures compare. The pipeline runs as a user
runs it (`python -m flows.full_pipeline --sources ...`, generation off) in a child process. Stage
times come from the stamps of the flow's log lines, because the metadata DB gives the shard pass
and dedup the gating subflow's total and keeps no export time; stage counts come from the manifest.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from benchmarks.child_run import REPO, ChildRun, run_pipeline_cli

CORPUS_MODULE = REPO.parent / "shared" / "bench" / "corpus.py"
GENERATION_OFF = [
    *("--therapeutic-samples", "0", "--bias-samples", "0", "--edge-cases", "0"),
    *("--grounded-conversations", "0", "--top-up-rounds", "0"),
]
GATING_STAGES = ("preprocess+gates", "dedup+split")  # the gating subflow's stages, in order
# (printed stage, manifest stage counting its input records; None: no records of its own)
STAGES: tuple[tuple[str, str | None], ...] = (
    ("startup", None),
    ("sourcing", "sourcing"),
    ("synthesis", None),
    ("preprocess+gates", "preprocess"),
    ("dedup+split", "dedup"),
    ("export", "exported"),
    ("other", None),
)
LOG_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+ *\| (?P<who>.+?) - (?P<message>.*)$")
FLOW_RUN = re.compile(r"^Flow run '(?P<run>[^']+)'$")
BEGIN = re.compile(r"^Beginning (?:sub)?flow run '(?P<run>[^']+)' for flow '(?P<flow>[^']+)'")
PROGRESS = re.compile(r"^(?P<stage>[a-z+]+): \d+/\d+ shards · ")
COUNTS = ("quarantined", "deduplicated")
STEP_LINE = "shard pass CPU seconds per step"  # logged by the gating subflow
DAY = 86_400.0


@dataclass(frozen=True)
class LogEvent:
    """One line a flow run logged, `at` seconds after the child was launched."""

    at: float
    run: str
    message: str


def flow_events(log: str, started: float) -> list[LogEvent]:
    """The flow runs' stamped lines; stamps are local times of day, so a run past midnight is unwrapped."""
    launch = datetime.fromtimestamp(started)
    previous = launch.hour * 3600 + launch.minute * 60 + launch.second + launch.microsecond / 1e6
    origin, day = previous, 0.0
    events: list[LogEvent] = []
    for line in log.splitlines():
        stamped = LOG_LINE.match(line)
        if stamped is None:
            continue
        hours, minutes, seconds, millis = (int(part) for part in stamped.groups()[:4])
        clock = hours * 3600 + minutes * 60 + seconds + millis / 1000
        if clock < previous - DAY / 2:
            day += DAY
        previous = clock
        run = FLOW_RUN.match(stamped["who"])
        if run is not None:
            events.append(LogEvent(at=clock + day - origin, run=run["run"], message=stamped["message"]))
    return events


def stage_seconds(events: Sequence[LogEvent], wall: float) -> dict[str, float]:
    """Wall seconds per stage: each subflow from its 'Beginning' to its 'Finished' line, gating cut
    where each of its stages logs its last shard; startup is launch to the parent flow's first line,
    and `other` is whatever of `wall` the stages leave (flow bookkeeping, server stop, exit)."""
    flow_of: dict[str, str] = {}
    begun: dict[str, float] = {}
    ended: dict[str, float] = {}
    last_shard: dict[tuple[str, str], float] = {}
    for event in events:
        if begin := BEGIN.match(event.message):
            flow_of[begin["run"]], begun[begin["run"]] = begin["flow"], event.at
        elif event.message.startswith("Finished in state"):
            ended[event.run] = event.at
        elif progress := PROGRESS.match(event.message):
            last_shard[event.run, progress["stage"]] = event.at
    seconds = {name: 0.0 for name, _ in STAGES if name != "other"}
    for run, flow in flow_of.items():
        if flow == "full-pipeline":
            seconds["startup"] += begun[run]
        elif flow == "gating":
            cut = begun[run]
            for stage in GATING_STAGES[:-1]:
                end = last_shard.get((run, stage), cut)
                seconds[stage] += end - cut
                cut = end
            seconds[GATING_STAGES[-1]] += ended[run] - cut
        elif flow in seconds:  # a subflow not timed here (journal research) stays in `other`
            seconds[flow] += ended[run] - begun[run]
    seconds["other"] = wall - sum(seconds.values())
    return seconds


def stage_records(manifest: dict[str, Any]) -> dict[str, int]:
    """Records entering each manifest stage, and the records exported (every split)."""
    entered = {stage: sum(c["in"] for c in kinds.values()) for stage, kinds in manifest["stages"].items()}
    return entered | {"exported": sum(split["records"] for split in manifest["splits"].values())}


def load_make_corpus() -> Callable[[Path, float], tuple[Path, int, int]]:
    """The shared corpus builder, loaded by path: ../shared is a sibling checkout, not a package."""
    if not CORPUS_MODULE.is_file():
        sys.exit(
            f"{CORPUS_MODULE} not found: this benchmark builds its corpus with the shared folder's"
            " bench/corpus.py; put the shared checkout beside the repository as ../shared and run again"
        )
    spec = importlib.util.spec_from_file_location("shared_bench_corpus", CORPUS_MODULE)
    assert spec is not None and spec.loader is not None  # a .py file path always has both
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.ESCONV.is_file():
        sys.exit(
            f"{module.ESCONV} not found: the corpus is built from ESConv's train split, kept in ../shared"
        )
    return module.make_corpus  # type: ignore[no-any-return]


def orjson_floor(corpus: Path, dest: Path) -> float:
    """Seconds to parse every line with orjson and write it back: the least any JSONL pipeline pays."""
    started = time.perf_counter()
    with corpus.open("rb") as source, dest.open("wb") as out:
        for line in source:
            out.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - started


def report(run: ChildRun, records: int, size: int, floor: float, manifest: dict[str, Any]) -> None:
    """Print the end-to-end, per-stage and floor figures of one run."""
    mb = size / 1e6
    counted = stage_records(manifest)
    events = flow_events(run.log, run.started)
    times = stage_seconds(events, run.seconds)
    print(f"input                  {mb:9.2f} MB   {records:,} records")
    print(f"end to end             {run.seconds:9.1f} s    {mb / run.seconds:8.3f} MB/s")
    print(f"peak RSS (child tree)  {run.peak_rss_mib:9.0f} MiB")
    print(f"{'stage':<22} {'seconds':>9}   {'records in':>10}   {'records/s':>9}")
    for name, counted_as in STAGES:
        entered = counted.get(counted_as, 0) if counted_as else None
        rate = f"{entered / times[name]:9,.0f}" if entered is not None and times[name] > 0 else f"{'-':>9}"
        shown = f"{entered:10,}" if entered is not None else f"{'-':>10}"
        print(f"  {name:<20} {times[name]:9.1f}   {shown}   {rate}")
    for event in events:
        if event.message.startswith(STEP_LINE):
            print(f"  {event.message}")
    totals = {k: sum(c[k] for s in manifest["stages"].values() for c in s.values()) for k in COUNTS}
    share = counted["exported"] / records
    print(
        f"exported               {counted['exported']:9,}      {share:6.1%} of the input records (sourcing"
        f" counted {counted.get('sourcing', 0):,}; {totals['quarantined']:,} quarantined,"
        f" {totals['deduplicated']:,} deduplicated)"
    )
    print(
        f"orjson floor           {floor:9.2f} s    {mb / floor:8.1f} MB/s  (parse + re-write in this process)"
    )
    print(f"pipeline / floor       {run.seconds / floor:9.0f} ×")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, required=True, help="Corpus size in MB (10**6 bytes)")
    parser.add_argument("--workers", type=int, help="Passed to the pipeline (default: its own, CPU count)")
    parser.add_argument("--shard-records", type=int, help="Passed to the pipeline (default: its own)")
    parser.add_argument("--keep", type=Path, help="Keep corpus, state, output and log in this new folder")
    parser.add_argument(
        "--runner",
        choices=["auto", "threads", "processes", "ray"],
        default="auto",
        help="The pipeline's task runner; a local Ray runs in a loopback-only network namespace",
    )
    return parser.parse_args(argv)


def main() -> None:
    options = parse_args()
    if options.keep is not None and options.keep.exists() and any(options.keep.iterdir()):
        sys.exit(
            f"--keep {options.keep} is not empty: an earlier run's checkpoints would make this one cache hits"
        )
    make_corpus = load_make_corpus()
    root = options.keep or Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    root.mkdir(parents=True, exist_ok=True)  # Prefect does not create its home's parents
    try:
        corpus, records, size = make_corpus(root / "corpus", options.mb)
        floor = orjson_floor(corpus, root / "floor.jsonl")
        args = ["--sources", str(corpus.parent), "--output", str(root / "out")]
        args += ["--state-dir", str(root / "state"), *GENERATION_OFF]
        args += ["--runner", options.runner]
        if options.workers is not None:
            args += ["--workers", str(options.workers)]
        if options.shard_records is not None:
            args += ["--shard-records", str(options.shard_records)]
        run = run_pipeline_cli(root, args, loopback_only=options.runner == "ray")
        manifest = json.loads(next((root / "out").rglob("manifest.json")).read_text())
        print(f"workers                {options.workers or os.cpu_count()}  (runner: {options.runner})")
        report(run, records, size, floor, manifest)
    finally:
        if options.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
