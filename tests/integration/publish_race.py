"""One publishing run, as its own process, for test_publish_integrity (often in its own PID namespace).

    python -m tests.integration.publish_race DATASET_DIR WORK_DIR LABEL FILES [--pause DIR] [--peer PID]

It writes FILES work shards, publishes them to DATASET_DIR, and prints what it saw as one JSON line.
With --pause it stops after staging: it creates DIR/staged and waits for DIR/go before committing.
With --peer it also reports whether process PID is visible from here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import orjson

from tasks.export.manifest import split_summary
from tasks.export.publish import PlannedFile, publish
from tasks.metadata.store import process_alive
from tasks.shards import write_shard
from tasks.storage.local import LocalVersionStore
from tests.factories import make_record


class PausedStore(LocalVersionStore):
    """Stops between staging and commit, the window in which the issue's staging folder vanished."""

    def __init__(self, dataset_dir: Path, pause: Path) -> None:
        super().__init__(dataset_dir)
        self.pause = pause

    def commit(self, content_id: str, number: int, manifest: bytes) -> bool:
        (self.pause / "staged").write_text(str(self._claims[content_id].staging))
        while not (self.pause / "go").exists():
            time.sleep(0.05)
        return super().commit(content_id, number, manifest)


def planned_files(work: Path, label: str, count: int) -> list[PlannedFile]:
    return [
        PlannedFile(
            path=f"train/part-{i:05d}.jsonl",
            shard=write_shard(
                work / label / f"{i}.jsonl",
                [make_record(user=f"{label} run, file {i}, record {j}: I keep worrying.") for j in range(5)],
            ),
        )
        for i in range(count)
    ]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("dataset_dir", "work_dir", "label"):
        parser.add_argument(name)
    parser.add_argument("files", type=int)
    parser.add_argument("--pause", type=Path)
    parser.add_argument("--peer", type=int)
    args = parser.parse_args(argv)
    files = planned_files(Path(args.work_dir), args.label, args.files)
    dataset = Path(args.dataset_dir)
    store = PausedStore(dataset, args.pause) if args.pause else LocalVersionStore(dataset)
    records = sum(f.shard.records for f in files)
    manifest = {
        "dataset": "ds",
        "splits": split_summary(files, {"train": {"therapeutic": records}}),
        "quarantine": {"records": 0, "files": []},
        "duplicates": {"records": 0, "files": []},
    }
    published = publish(store, f"content-{args.label}", files, manifest)
    report = {"version": published.version, "pid": os.getpid(), "pid_ns": os.readlink("/proc/self/ns/pid")}
    if args.peer is not None:
        report["peer_visible"] = process_alive(args.peer)
    print(orjson.dumps(report).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
