"""The throughput benchmark's reading of a run: stage times from the flow's log, counts from the manifest."""

from __future__ import annotations

from datetime import datetime

import pytest

from benchmarks.throughput import flow_events, stage_records, stage_seconds

# A run launched at 23:59:50 whose log crosses midnight; the task line and the wrapped line are not
# the flow's own and must not move any boundary.
LOG = """\
23:59:55.000 | INFO    | prefect - Starting temporary server on http://127.0.0.1:8250
00:00:10.000 | INFO    | Flow run 'parent' - Beginning flow run 'parent' for flow 'full-pipeline'
00:00:11.000 | INFO    | Flow run 'src' - Beginning subflow run 'src' for flow 'sourcing'
00:00:12.000 | INFO    | Flow run 'src' - conversations: 1/1 shards · 79 records · 412 rec/s · ETA 0s
00:00:13.000 | INFO    | Flow run 'src' - Finished in state Completed()
00:00:13.500 | INFO    | Flow run 'syn' - Beginning subflow run 'syn' for flow 'synthesis'
00:00:14.000 | INFO    | Flow run 'syn' - Finished in state Completed()
00:00:14.000 | INFO    | Flow run 'gate' - Beginning subflow run 'gate' for flow 'gating'
00:00:16.500 | INFO    | Flow run 'gate' - preprocess+gates: 1/2 shards · 40 records · 16 rec/s · ETA 2s
00:00:20.000 | INFO    | Task run 'pass_shard-4f4' - Finished in state Completed()
00:00:27.000 | INFO    | Flow run 'gate' - preprocess+gates: 2/2 shards · 79 records · 7 rec/s · ETA 0s
00:00:28.000 | INFO    | Flow run 'gate' - dedup+split: 1/1 shards · 60 records · 60 rec/s · ETA 0s
00:00:29.000 | INFO    | Flow run 'gate' - Finished in state Completed()
wrapped continuation of a long message
00:00:30.000 | INFO    | Flow run 'exp' - Beginning subflow run 'exp' for flow 'export'
00:00:32.000 | INFO    | Flow run 'exp' - Finished in state Completed()
00:00:33.000 | INFO    | Flow run 'parent' - Finished in state Completed()
"""


def test_stage_seconds_cut_the_run_at_its_flow_lines_across_midnight() -> None:
    started = datetime(2024, 1, 1, 23, 59, 50).timestamp()

    seconds = stage_seconds(flow_events(LOG, started), wall=45.0)

    assert seconds == pytest.approx(
        {
            "startup": 20.0,
            "sourcing": 2.0,
            "synthesis": 0.5,
            "preprocess+gates": 13.0,
            "dedup+split": 2.0,
            "export": 2.0,
            "other": 5.5,
        }
    )


def test_stage_records_sums_kinds_and_splits() -> None:
    manifest = {
        "stages": {
            "sourcing": {"therapeutic": {"in": 79, "kept": 79, "quarantined": 0, "deduplicated": 0}},
            "gates": {
                "therapeutic": {"in": 44, "kept": 40, "quarantined": 4, "deduplicated": 0},
                "edge_case": {"in": 35, "kept": 0, "quarantined": 35, "deduplicated": 0},
            },
            "dedup": {},
        },
        "splits": {"train": {"records": 28}, "validation": {"records": 6}, "test": {"records": 6}},
    }

    assert stage_records(manifest) == {"sourcing": 79, "gates": 79, "dedup": 0, "exported": 40}
