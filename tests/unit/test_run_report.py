"""The run report on a manifest shaped like a published one (two kinds, a shortfall, a rerouted
kind, duplicates, bias replies held out) and on quarantine lines as the gates write them."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from tasks.run_report import (
    artifact_key,
    build_report,
    count_reasons,
    jsonl_lines,
    markdown_table,
    reason_code,
)


def split(records: int, by_kind: dict[str, tuple[int, int]], held_out: dict[str, int]) -> dict:
    return {
        "records": records,
        "files": [{"path": "x/part-00000.jsonl", "sha256": "ab" * 32, "records": records, "bytes": 1}],
        "by_kind": {kind: {"target": t, "actual": a} for kind, (t, a) in by_kind.items()},
        "held_out": held_out,
    }


MANIFEST = {
    "schema": "unified-dataset-pipeline/manifest/v1",
    "dataset": "mental-health-support",
    "version": 3,
    "content_id": "632b152dee878ad3c23103f36552865929c251939946e56e5ac427c4933ea7cc",
    "config": {"dataset_name": "mental-health-support", "metadata": "sqlite:///never-shown.db"},
    "splits": {
        "train": split(314, {"bias": (70, 70), "therapeutic": (244, 244)}, {"bias": 70}),
        "validation": split(67, {"bias": (15, 15), "therapeutic": (52, 52)}, {"bias": 15}),
        "test": split(67, {"bias": (15, 15), "therapeutic": (52, 52)}, {"bias": 15}),
    },
    "quarantine": {"records": 52, "files": []},
    "duplicates": {"records": 4, "files": []},
    "stages": {
        "dedup": {
            "bias": {"in": 104, "kept": 100, "quarantined": 0, "deduplicated": 4},
            "therapeutic": {"in": 348, "kept": 348, "quarantined": 0, "deduplicated": 0},
        },
        "gates": {"therapeutic": {"in": 400, "kept": 348, "quarantined": 52, "deduplicated": 0}},
    },
    "volumes": {
        "bias": {"target": 100, "exported": 100, "shortfall": 0},
        "edge_case": {"target": 0, "exported": 0, "shortfall": 0},
        "therapeutic": {"target": 400, "exported": 348, "shortfall": 52},
    },
    "gates": {
        "crisis": {
            "edge_case": {"evaluated": 52, "passed": 0, "failed": 52},
            "therapeutic": {"evaluated": 348, "passed": 348, "failed": 0},
        },
        "ears": {"therapeutic": {"evaluated": 400, "passed": 348, "failed": 52}},
    },
}

QUARANTINE = [
    {
        "id": "a",
        "stage": "gates",
        "kind": "therapeutic",
        "reasons": [
            "ears: turn 1: no_exploration",
            "ears: turn 3: no_exploration",
            "ears: turn 1: dismissal",
        ],
    },
    {"id": "b", "stage": "gates", "kind": "therapeutic", "reasons": ["ears: turn 0: no_exploration"]},
    {
        "id": "c",
        "stage": "gates",
        "kind": "therapeutic",
        "reasons": ["content_filter: diagnosis: 'you are suffering from depression'"],
    },
    {"id": "d", "stage": "sourcing", "kind": None, "reasons": ["chats.jsonl line 2: not JSON (col 5)"]},
]


def quarantine_bytes() -> bytes:
    return b"".join(orjson.dumps(item) + b"\n" for item in QUARANTINE)


def report(seconds: dict[str, float] | None = None):
    reasons = count_reasons(jsonl_lines([quarantine_bytes()]))
    return build_report(MANIFEST, "/data/out/mental-health-support/v3", False, seconds or {}, reasons)


@pytest.mark.parametrize(
    ("dataset", "what", "key"),
    [
        ("mental-health-support", "run-report", "mental-health-support-run-report"),
        ("Therapy_Set.v2", "splits", "therapy-set-v2-splits"),
        ("..", "progress", "progress"),
    ],
)
def test_artifact_keys_hold_only_lowercase_letters_digits_and_dashes(dataset, what, key):
    assert artifact_key(dataset, what) == key


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("ears: turn 2: no_acknowledgement", "ears: no_acknowledgement"),
        ("quality: turn 1: readability: 69 words per sentence", "quality: readability"),
        ("content_filter: diagnosis: 'this is ptsd'", "content_filter: diagnosis"),
        ("not UTF-8 text (invalid start byte at byte 2)", "not UTF-8 text"),
        ("chats.jsonl line 12: not JSON (Expecting value)", "chats.jsonl line N: not JSON"),
    ],
)
def test_reason_codes_drop_turns_numbers_and_quoted_record_text(reason, code):
    assert reason_code(reason) == code


def test_reasons_count_each_record_once_per_code_whatever_the_chunking():
    body = quarantine_bytes()
    whole = count_reasons(jsonl_lines([body]))
    assert whole == Counter(
        {
            ("gates", "ears: no_exploration"): 2,
            ("gates", "ears: dismissal"): 1,
            ("gates", "content_filter: diagnosis"): 1,
            ("sourcing", "chats.jsonl line N: not JSON"): 1,
        }
    )
    assert count_reasons(jsonl_lines(body[i : i + 7] for i in range(0, len(body), 7))) == whole


def test_tables_hold_volumes_pass_rates_splits_dedup_reasons_and_timings():
    tables = report({"sourcing": 12.04, "synthesis": 30.0, "gating": 61.26, "export": 9.0}).tables
    assert tables["volumes"] == [
        {"kind": "bias", "target": 100, "exported": 100, "shortfall": 0},
        {"kind": "therapeutic", "target": 400, "exported": 348, "shortfall": 52},
    ]
    ears = {k: v for k, v in tables["gates"][2].items() if k != "pass_rate"}
    assert ears == {"gate": "ears", "kind": "therapeutic", "evaluated": 400, "passed": 348, "failed": 52}
    assert [r["pass_rate"] for r in tables["gates"]] == [0.0, 1.0, 0.87]
    assert tables["splits"][:3] == [
        {"kind": "bias", "split": "train", "target": 70, "actual": 70, "held_out": 70},
        {"kind": "bias", "split": "validation", "target": 15, "actual": 15, "held_out": 15},
        {"kind": "bias", "split": "test", "target": 15, "actual": 15, "held_out": 15},
    ]
    assert len(tables["splits"]) == 6
    assert tables["dedup"][0] == {"kind": "bias", "in": 104, "duplicates": 4, "rate": 0.0385}
    top = tables["quarantine-reasons"][0]
    assert top == {"stage": "gates", "reason": "ears: no_exploration", "records": 2}
    assert tables["timings"] == [
        {"stage": "sourcing", "seconds": 12.0},
        {"stage": "synthesis", "seconds": 30.0},
        {"stage": "gating", "seconds": 61.3},
        {"stage": "export", "seconds": 9.0},
    ]


def test_the_markdown_says_where_what_and_how_short_and_carries_no_configuration():
    markdown = report().markdown
    assert markdown.startswith("# mental-health-support v3\n")
    assert "- **published**: `/data/out/mental-health-support/v3`" in markdown
    assert f"`{MANIFEST['content_id']}`" in markdown
    assert "records in the splits: 448; quarantined: 52; duplicates: 4" in markdown
    assert "shortfall against the targets: therapeutic 52" in markdown
    assert "| ears | therapeutic | 400 | 348 | 52 | 0.87 |" in markdown
    assert "| gates | ears: no_exploration | 2 |" in markdown
    titles = ("Volumes", "Gate pass rates", "quarantine reasons", "Split counts", "Deduplication", "timings")
    assert all(t in markdown for t in titles)
    assert "sqlite" not in markdown and "suffering" not in markdown


def test_an_up_to_date_run_says_so_and_an_empty_table_says_none():
    result = build_report(MANIFEST, "s3://bucket/ds/v3", True, {}, Counter())
    assert "- **up to date, nothing written**: `s3://bucket/ds/v3`" in result.markdown
    assert "## Top quarantine reasons\n\n_none_" in result.markdown
    assert markdown_table([{"reason": "a | b", "rate": None}]).splitlines()[-1] == "| a \\| b | — |"
