"""What a version holds, laid out as files, and the manifest that describes every byte of it.

The manifest carries no clock times, host names, run ids or absolute paths, so a resumed run, a
Ray run and a threads run write the same bytes. A configuration that turns safety checks off is stated
under `UNSAFE_GATES_OFF`: upper case sorts before every other key, so it is the manifest's first line.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prefect import task

from tasks.accounting import KindCounts, as_manifest
from tasks.caching import SHARD_CACHE
from tasks.export.diversity import human_reference
from tasks.export.format_names import FORMATS
from tasks.export.publish import PlannedFile
from tasks.records import Record
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef, read_all
from tasks.split import RATIOS, SPLITS, split_targets

SCHEMA = "unified-dataset-pipeline/manifest/v1"
UNSAFE = "UNSAFE_GATES_OFF"
_SOURCE_FIELDS = ("type", "uri", "title", "licence")


def _parts(folder: str, shards: Sequence[ShardRef], ext: str = "jsonl") -> list[PlannedFile]:
    non_empty = [s for s in shards if s.records]
    return [PlannedFile(path=f"{folder}/part-{i:05d}.{ext}", shard=s) for i, s in enumerate(non_empty)]


def plan_files(
    splits: Mapping[str, Sequence[ShardRef]],
    quarantine: Mapping[str, Sequence[ShardRef]],
    duplicates: Sequence[ShardRef],
    formats: Mapping[str, Mapping[str, Sequence[ShardRef]]] | None = None,
) -> list[PlannedFile]:
    """Every file of the version: split parts, extra formats, quarantine per stage, duplicate lists."""
    files = [f for split in SPLITS for f in _parts(split, splits.get(split, []))]
    for fmt, per_split in sorted((formats or {}).items()):
        files += [
            f for split in SPLITS for f in _parts(f"formats/{fmt}/{split}", per_split[split], FORMATS[fmt])
        ]
    files += [f for stage in sorted(quarantine) for f in _parts(f"quarantine/{stage}", quarantine[stage])]
    return files + _parts("duplicates", duplicates)


def split_summary(
    files: Sequence[PlannedFile],
    kinds_per_split: Mapping[str, Mapping[str, int]],
    held_out: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, Any]:
    """Per split: records, files, per kind the largest-remainder target beside the actual count the
    splitter placed, and per kind the records placed but `held_out` of the files (biased replies, in
    `formats/bias_eval/`): `records` + held out = the actual counts."""
    totals: dict[str, int] = {}
    for per_kind in kinds_per_split.values():
        for kind, n in per_kind.items():
            totals[kind] = totals.get(kind, 0) + n
    targets = {kind: dict(zip(SPLITS, split_targets(n), strict=True)) for kind, n in totals.items()}
    summary: dict[str, Any] = {}
    for split in SPLITS:
        entries = [f.entry() for f in files if f.path.startswith(f"{split}/")]
        summary[split] = {
            "records": sum(e.records for e in entries),
            "files": [e.model_dump() for e in entries],
            "by_kind": {
                kind: {"target": targets[kind][split], "actual": kinds_per_split.get(split, {}).get(kind, 0)}
                for kind in sorted(totals)
            },
            "held_out": dict(sorted((held_out or {}).get(split, {}).items())),
        }
    return summary


def _folder_summary(files: Sequence[PlannedFile], prefix: str) -> dict[str, Any]:
    entries = [f.entry() for f in files if f.path.startswith(prefix)]
    return {"records": sum(e.records for e in entries), "files": [e.model_dump() for e in entries]}


def volumes(targets: Mapping[str, int], kinds_per_split: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """Per kind: the target volume, what was exported, and the shortfall the gates left."""
    exported = {kind: sum(per_kind.get(kind, 0) for per_kind in kinds_per_split.values()) for kind in targets}
    return {
        kind: {"target": target, "exported": exported[kind], "shortfall": max(target - exported[kind], 0)}
        for kind, target in sorted(targets.items())
    }


def build_manifest(
    config: PipelineConfig,
    code_version: str,
    inputs: Sequence[dict[str, Any]],
    stages: Mapping[str, KindCounts],
    files: Sequence[PlannedFile],
    kinds_per_split: Mapping[str, Mapping[str, int]],
    diversity: Mapping[str, Any] | None = None,
    held_out: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, Any]:
    """The manifest body; `publish` adds the version number and content id. `diversity_reference` holds
    the same diversity figures over real human conversations, so the card can set the two side by side."""
    unsafe = {UNSAFE: list(config.gates.unsafe_gates_off)} if config.gates.unsafe_gates_off else {}
    return unsafe | {
        "schema": SCHEMA,
        "dataset": config.dataset_name,
        "seed": config.seed,
        "config": config.content_settings(),
        "config_hash": config.config_hash(),
        "code_version": code_version,
        "inputs": sorted(inputs, key=lambda i: i["path"]),
        "split_ratios": dict(zip(SPLITS, RATIOS, strict=True)),
        "splits": split_summary(files, kinds_per_split, held_out),
        "quarantine": _folder_summary(files, "quarantine/"),
        "duplicates": _folder_summary(files, "duplicates/"),
        "formats": {
            fmt: {split: _folder_summary(files, f"formats/{fmt}/{split}/") for split in SPLITS}
            for fmt in sorted({f.path.split("/")[1] for f in files if f.path.startswith("formats/")})
        },
        "stages": {stage: as_manifest(counts) for stage, counts in stages.items()},
        "volumes": volumes(config.target_volumes(), kinds_per_split),
        "diversity": dict(diversity or {}),
        "diversity_reference": human_reference(),
    }


def provenance(records: Iterable[Record]) -> dict[str, Any]:
    """Where the exported records came from: per source (type, uri, title, licence) and per generator,
    the records of each kind, so the card can state every licence and which engine wrote the text."""
    sources: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    generators: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        source = record.source
        sources[(source.type, source.uri, source.title or "", source.licence or "")][record.kind.value] += 1
        generators[record.lineage.generator][record.kind.value] += 1
    return {
        "sources": [
            dict(zip(_SOURCE_FIELDS, key, strict=True)) | {"records": dict(sorted(kinds.items()))}
            for key, kinds in sorted(sources.items())
        ],
        "generators": {name: dict(sorted(kinds.items())) for name, kinds in sorted(generators.items())},
    }


@task(cache_policy=SHARD_CACHE, persist_result=True, task_run_name="source_report")
def source_report(shards: list[ShardRef]) -> dict[str, Any]:
    """`provenance` of everything a version exports, streamed shard by shard."""
    return provenance(read_all(shards, Record))
