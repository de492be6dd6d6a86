"""What a published version must satisfy, checked from its bytes and its manifest alone.

Every problem is one sentence naming the file, stage or record at fault, so the first few tell an
operator what is wrong without opening the version. `tasks.verify` applies all of them to a published
version; the local store applies `check_files` to a staging folder before renaming it into one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson
from pydantic import ValidationError

from tasks.export.publish import MANIFEST
from tasks.export.safety_invariants import record_problems as safety_problems
from tasks.gates.crisis import GATE as CRISIS_GATE
from tasks.preprocess.dedup import Duplicate
from tasks.records import QuarantineItem, Record
from tasks.split import SPLITS
from tasks.version_reader import VersionReader

# The crisis detector routes (a flagged record becomes an edge case); its verdict never blocks.
ROUTING_GATES = frozenset({CRISIS_GATE})


def check_files(
    reader: VersionReader, entries: Iterable[Mapping[str, Any]], keep: Callable[[str], bool] = lambda _: False
) -> tuple[list[str], set[str]]:
    """Every listed file present with its sha256, size and (JSONL) line count, and nothing unlisted;
    also which of the files `keep` asks for are intact, for `record_problems` to read again. One file
    is held at a time (a shard), so checking a version of any size takes the memory of its largest file."""
    problems: list[str] = []
    listed: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        if entry["path"] in listed:
            problems.append(f"{entry['path']}: listed twice in the manifest")
        listed[entry["path"]] = entry
    present = reader.paths() - {MANIFEST}
    intact: set[str] = set()
    for path, entry in sorted(listed.items()):
        if path not in present:
            problems.append(f"{path}: missing (the manifest lists it)")
            continue
        body = b"".join(reader.chunks(path))
        actual = hashlib.sha256(body).hexdigest()
        if actual != entry["sha256"]:
            problems.append(
                f"{path}: sha256 {actual[:12]}… differs from the manifest's {entry['sha256'][:12]}… "
                f"({len(body)} bytes, the manifest says {entry['bytes']})"
            )
        lines = body.count(b"\n")
        if path.endswith(".jsonl") and lines != entry["records"]:
            problems.append(f"{path}: {lines} lines but the manifest says {entry['records']}")
        if actual == entry["sha256"] and keep(path):
            intact.add(path)
    problems += [f"{path}: present but not listed in the manifest" for path in sorted(present - set(listed))]
    return problems, intact


def _records(files: Iterable[Mapping[str, Any]]) -> int:
    return sum(int(f["records"]) for f in files)


def count_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Each stage balances (in = kept + quarantined + deduplicated), and the splits, quarantine and
    duplicates folders hold as many records as those counts say."""
    stages: Mapping[str, Mapping[str, Mapping[str, int]]] = manifest.get("stages", {})
    problems = [
        f"stage {stage!r}, kind {kind!r}: in={c['in']} but kept={c['kept']} + "
        f"quarantined={c['quarantined']} + deduplicated={c['deduplicated']}"
        for stage, kinds in sorted(stages.items())
        for kind, c in sorted(kinds.items())
        if c["in"] != c["kept"] + c["quarantined"] + c["deduplicated"]
    ]
    sections = {name: manifest.get(name, {}) for name in ("quarantine", "duplicates")}
    sections |= {f"split {s}": manifest.get("splits", {}).get(s, {}) for s in SPLITS}
    for name, section in sections.items():
        if section and section["records"] != _records(section["files"]):
            problems.append(
                f"{name}: the manifest says {section['records']} records but its files hold "
                f"{_records(section['files'])}"
            )
    held = Counter[str]()
    for f in manifest.get("quarantine", {}).get("files", []):
        held[f["path"].split("/")[1]] += f["records"]
    for stage in sorted(set(stages) | set(held)):
        counted = sum(c["quarantined"] for c in stages.get(stage, {}).values())
        if held[stage] != counted:
            problems.append(
                f"quarantine/{stage}/ holds {held[stage]} records but stage {stage!r} quarantined {counted}"
            )
    if "dedup" in stages:
        copies = sum(c["deduplicated"] for c in stages.get("preprocess", {}).values())
        problems += _export_problems(manifest, stages["dedup"], copies)
    return problems


def _export_problems(
    manifest: Mapping[str, Any], dedup: Mapping[str, Mapping[str, int]], copies: int
) -> list[str]:
    """What left the last stage is what the splits hold, kind by kind, and the duplicates folder holds
    what the dedup stage removed and the `copies` the preprocess stage set aside."""
    problems = []
    for kind, c in sorted(dedup.items()):
        exported = sum(
            split.get("by_kind", {}).get(kind, {}).get("actual", 0) for split in manifest["splits"].values()
        )
        if exported != c["kept"]:
            problems.append(f"kind {kind!r}: the dedup stage kept {c['kept']} but the splits hold {exported}")
    # Biased replies of bias pairs are placed in a split but held out of its files (never a fine-tuning
    # target); the manifest counts them per split under `held_out`.
    exported = sum(
        split["records"] + sum(split.get("held_out", {}).values()) for split in manifest["splits"].values()
    )
    kept = sum(c["kept"] for c in dedup.values())
    if exported != kept:
        problems.append(
            f"the splits hold {exported} records (held-out included) but the dedup stage kept {kept}"
        )
    removed = sum(c["deduplicated"] for c in dedup.values())
    if manifest.get("duplicates", {}).get("records", 0) != removed + copies:
        problems.append(
            f"duplicates/ holds {manifest.get('duplicates', {}).get('records', 0)} records "
            f"but the dedup stage removed {removed} and preprocessing set aside {copies} copies"
        )
    return problems


def needs_body(path: str) -> bool:
    """The files whose records `record_problems` reads: split parts, quarantine and duplicates."""
    return path.endswith(".jsonl") and path.split("/")[0] in (*SPLITS, "quarantine", "duplicates")


def record_problems(manifest: Mapping[str, Any], reader: VersionReader, intact: set[str]) -> list[str]:
    """No record id is exported twice, no exported record failed a gate, each split holds the kinds the
    manifest says, every quarantined record carries its stage and a reason, and no duplicate is itself
    exported (an identical copy of an exported record shares its id, and names it as its twin). A version
    whose manifest has a `safety` section (the export checked it) is held to the safety promise again,
    with the checks the section says were waived."""
    exported: dict[str, str] = {}
    problems: list[str] = []
    safety = manifest.get("safety")
    for split in SPLITS:
        kinds = Counter[str]()
        for entry in manifest.get("splits", {}).get(split, {}).get("files", []):
            for where, record in _parsed(entry["path"], reader, intact, Record, problems):
                kinds[record.kind.value] += 1
                if record.id in exported:
                    problems.append(f"{where}: record {record.id} is also exported at {exported[record.id]}")
                exported.setdefault(record.id, where)
                failed = sorted({v.gate for v in record.gates if not v.passed} - ROUTING_GATES)
                if failed:
                    problems.append(f"{where}: record {record.id} is exported but failed {', '.join(failed)}")
                if safety is not None:
                    problems += [f"{where}: {p}" for p in safety_problems(record, safety["unsafe_gates_off"])]
        summary = manifest["splits"][split]
        if all(e["path"] in intact for e in summary["files"]):
            problems += _kind_problems(split, kinds, summary.get("by_kind", {}), summary.get("held_out", {}))
    for entry in manifest.get("quarantine", {}).get("files", []):
        stage = entry["path"].split("/")[1]
        for where, item in _parsed(entry["path"], reader, intact, QuarantineItem, problems):
            if item.stage != stage or not item.reasons:
                problems.append(
                    f"{where}: {item.id} has stage {item.stage!r} and {len(item.reasons)} reasons"
                )
    for entry in manifest.get("duplicates", {}).get("files", []):
        for where, twin in _parsed(entry["path"], reader, intact, Duplicate, problems):
            if twin.id in exported and twin.id != twin.duplicate_of:  # an identical copy shares its id
                problems.append(
                    f"{where}: {twin.id} is listed as a duplicate but exported at {exported[twin.id]}"
                )
    return problems


def _kind_problems(
    split: str, counted: Counter[str], by_kind: Mapping[str, Mapping[str, int]], held_out: Mapping[str, int]
) -> list[str]:
    said = {kind: by_kind.get(kind, {}).get("actual", 0) for kind in set(counted) | set(by_kind)}
    return [
        f"{split}: holds {counted[kind]} {kind} records (and {held_out.get(kind, 0)} held out) "
        f"but the manifest says {said[kind]}"
        for kind in sorted(said)
        if counted[kind] + held_out.get(kind, 0) != said[kind]
    ]


def _parsed(
    path: str, reader: VersionReader, intact: set[str], model: type[Any], problems: list[str]
) -> Iterable[tuple[str, Any]]:
    """(`path line N`, parsed line) for each line of an intact file; unparseable lines become problems."""
    body = b"".join(reader.chunks(path)) if path in intact else b""
    for number, line in enumerate(body.splitlines(), start=1):
        try:
            row = orjson.loads(line)
            if model is Record and isinstance(row.get("labels"), str):
                row["labels"] = orjson.loads(row["labels"])  # split rows may carry labels as JSON text
            parsed = model.model_validate(row)
        except (orjson.JSONDecodeError, ValidationError, AttributeError) as error:
            problems.append(f"{path} line {number}: not a valid {model.__name__} ({_first_error(error)})")
            continue
        yield f"{path} line {number}", parsed


def _first_error(error: Exception) -> str:
    return str(error.errors()[0]["msg"]) if isinstance(error, ValidationError) else str(error)
