"""The run report: a published version's manifest, its quarantine reasons and the run's stage
timings turned into the tables and the markdown the Prefect UI shows.

Pure on purpose: `tasks/run_artifacts.py` reads the files and posts the artifacts; this
module only shapes numbers, so it can be tested on a plain manifest. It reads only counts, paths and
hashes from the manifest, never its configuration, so nothing secret can reach an artifact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from tasks.split import SPLITS

Row = dict[str, Any]
TOP_REASONS = 10
REASON_CHARS = 100
_TURN = re.compile(r"\bturn \d+: ")
_NUMBER = re.compile(r"(?<![\w-])\d+(?![\w-])")


def artifact_key(dataset: str, what: str) -> str:
    """A Prefect artifact key (lowercase letters, digits, dashes) for one of the dataset's artifacts:
    the same key every run, so the UI shows the artifact's history across runs."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{dataset}-{what}".lower()).strip("-")
    return slug or what


def reason_code(reason: str) -> str:
    """A quarantine reason without the parts that vary per record (turn, numbers, quoted text), so
    that reasons group: `quality: readability: 69 words per sentence` → `quality: readability`."""
    short = _TURN.sub("", reason).split(" (")[0]
    code = ": ".join(short.split(": ")[:2])
    return _NUMBER.sub("N", code)[:REASON_CHARS]


def jsonl_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a file read in chunks, so a large quarantine file is never held whole."""
    rest = b""
    for chunk in chunks:
        *lines, rest = (rest + chunk).split(b"\n")
        yield from lines
    if rest:
        yield rest


def count_reasons(lines: Iterable[bytes]) -> Counter[tuple[str, str]]:
    """Quarantined records per (stage, reason code), from quarantine JSONL lines; a record counts
    once per code even when several turns failed the same way."""
    found: Counter[tuple[str, str]] = Counter()
    for line in lines:
        if line.strip():
            item = orjson.loads(line)
            found.update({(item["stage"], reason_code(r)) for r in item["reasons"]})
    return found


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def volume_rows(manifest: Mapping[str, Any]) -> list[Row]:
    """Per kind with a target or records: target, exported, shortfall."""
    return [
        {"kind": kind, "target": v["target"], "exported": v["exported"], "shortfall": v["shortfall"]}
        for kind, v in manifest["volumes"].items()
        if v["target"] or v["exported"]
    ]


def gate_rows(manifest: Mapping[str, Any]) -> list[Row]:
    """Per gate and kind: evaluated, passed, failed and the pass rate."""
    return [
        {"gate": gate, "kind": kind, **t, "pass_rate": _rate(t["passed"], t["evaluated"])}
        for gate, kinds in manifest.get("gates", {}).items()
        for kind, t in kinds.items()
    ]


def split_rows(manifest: Mapping[str, Any]) -> list[Row]:
    """Per kind and split: the largest-remainder target, the records placed, and those held out."""
    splits = manifest["splits"]
    kinds = sorted({kind for split in SPLITS for kind in splits[split]["by_kind"]})
    return [
        {
            "kind": kind,
            "split": split,
            **splits[split]["by_kind"].get(kind, {"target": 0, "actual": 0}),
            "held_out": splits[split]["held_out"].get(kind, 0),
        }
        for kind in kinds
        for split in SPLITS
    ]


def dedup_rows(manifest: Mapping[str, Any]) -> list[Row]:
    """Per kind: records entering the global dedup, duplicates removed, and the rate."""
    return [
        {
            "kind": kind,
            "in": c["in"],
            "duplicates": c["deduplicated"],
            "rate": _rate(c["deduplicated"], c["in"]),
        }
        for kind, c in manifest["stages"].get("dedup", {}).items()
    ]


def reason_rows(reasons: Counter[tuple[str, str]], top: int = TOP_REASONS) -> list[Row]:
    """The `top` most frequent quarantine reasons (ties by stage and reason, so the order is stable)."""
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [{"stage": stage, "reason": code, "records": n} for (stage, code), n in ranked]


def timing_rows(seconds: Mapping[str, float]) -> list[Row]:
    """Wall seconds per stage subflow (top-up rounds summed), in the order the stages ran."""
    return [{"stage": stage, "seconds": round(s, 1)} for stage, s in seconds.items()]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return "—" if value is None else str(value).replace("|", "\\|")


def markdown_table(rows: list[Row]) -> str:
    """A GitHub-flavoured markdown table of `rows` (columns from the first row)."""
    if not rows:
        return "_none_"
    columns = list(rows[0])
    lines = [f"| {' | '.join(columns)} |", f"|{'---|' * len(columns)}"]
    lines += [f"| {' | '.join(_cell(row.get(c)) for c in columns)} |" for row in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class RunReport:
    """The report as markdown and as one list of rows per table, keyed by table name."""

    markdown: str
    tables: dict[str, list[Row]]


SECTIONS = {
    "volumes": "Volumes against targets",
    "gates": "Gate pass rates per kind",
    "quarantine-reasons": "Top quarantine reasons",
    "splits": "Split counts per kind",
    "dedup": "Deduplication",
    "timings": "Stage timings (seconds)",
}


def build_report(
    manifest: Mapping[str, Any],
    uri: str,
    up_to_date: bool,
    seconds: Mapping[str, float],
    reasons: Counter[tuple[str, str]],
) -> RunReport:
    """The run's story for the UI: what was published where, and every number behind it."""
    tables = {
        "volumes": volume_rows(manifest),
        "gates": gate_rows(manifest),
        "quarantine-reasons": reason_rows(reasons),
        "splits": split_rows(manifest),
        "dedup": dedup_rows(manifest),
        "timings": timing_rows(seconds),
    }
    records = sum(manifest["splits"][split]["records"] for split in SPLITS)
    outcome = "up to date, nothing written" if up_to_date else "published"
    short = [f"{r['kind']} {r['shortfall']:,}" for r in tables["volumes"] if r["shortfall"]]
    lines = [
        f"# {manifest['dataset']} v{manifest['version']}",
        "",
        f"- **{outcome}**: `{uri}`",
        f"- content id: `{manifest['content_id']}`",
        f"- records in the splits: {records:,}; quarantined: {manifest['quarantine']['records']:,}; "
        f"duplicates: {manifest['duplicates']['records']:,}",
        f"- shortfall against the targets: {', '.join(short) if short else 'none'}",
    ]
    if manifest.get("plots"):
        figures = ", ".join(f"`{plot['path']}`" for plot in manifest["plots"])
        lines.append(f"- figures in the version (shown by its card, `README.md`): {figures}")
    for name, title in SECTIONS.items():
        lines += ["", f"## {title}", "", markdown_table(tables[name])]
    return RunReport(markdown="\n".join(lines) + "\n", tables=tables)
