"""`tasks.verify` on versions published by the real publishing code, sound and broken in one way each."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from tasks.accounting import Counts
from tasks.export.manifest import build_manifest, plan_files
from tasks.export.publish import publish
from tasks.preprocess.dedup import Duplicate
from tasks.records import GateVerdict, QuarantineItem, Record, RecordKind
from tasks.settings import PipelineConfig
from tasks.shards import write_shard
from tasks.storage.local import LocalVersionStore
from tasks.verify import VersionInvalidError, main, require_valid, verify
from tests.factories import make_record

PASSED = (GateVerdict(gate="ears", passed=True, score=1.0),)


def records(n: int, gates: Sequence[GateVerdict] = PASSED) -> list[Record]:
    return [
        make_record(user=f"worry number {i}").model_copy(update={"gates": tuple(gates)}) for i in range(n)
    ]


def published(
    tmp_path: Path,
    train: Sequence[Record],
    quarantined: int = 1,
    duplicates: Sequence[Duplicate] | None = None,
    stages: dict[str, dict[str, Counts]] | None = None,
    held_out: int = 0,
) -> Path:
    """A version published by LocalVersionStore whose manifest build_manifest wrote from these parts."""
    work = tmp_path / "work"
    rejects = [
        QuarantineItem(id=f"q{i}", stage="gates", kind="therapeutic", reasons=("ears: dismissal",))
        for i in range(quarantined)
    ]
    twins = (
        duplicates
        if duplicates is not None
        else [Duplicate(id="d0", kind="therapeutic", duplicate_of=train[0].id)]
    )
    files = plan_files(
        splits={"train": [write_shard(work / "train.jsonl", train)]},
        quarantine={"gates": [write_shard(work / "gates.jsonl", rejects)]},
        duplicates=[write_shard(work / "duplicates.jsonl", twins)],
    )
    kept = len(train) + held_out + len(twins)
    default = {
        "gates": {"therapeutic": Counts(entered=kept + quarantined, kept=kept, quarantined=quarantined)},
        "dedup": {"therapeutic": Counts(entered=kept, kept=len(train) + held_out, deduplicated=len(twins))},
    }
    kinds = {"train": dict(Counter(r.kind.value for r in train) + Counter(therapeutic=held_out))}
    held = {"train": {"therapeutic": held_out}} if held_out else None
    manifest = build_manifest(PipelineConfig(), "code", [], stages or default, files, kinds, held_out=held)
    out = publish(LocalVersionStore(tmp_path / "out" / "ds"), "content", files, manifest)
    return Path(out.path)


def test_a_sound_version_passes_and_the_cli_says_so(tmp_path, capsys):
    version = published(tmp_path, records(5))
    assert verify(str(version)) == []
    require_valid(str(version))
    assert main([str(version)]) == 0
    assert "matches its manifest" in capsys.readouterr().out


def delete_line(path: Path) -> None:
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[1:]))


def change_byte(path: Path) -> None:
    body = bytearray(path.read_bytes())
    body[20] = ord("X") if body[20] != ord("X") else ord("Y")
    path.write_bytes(bytes(body))


@pytest.mark.parametrize(
    ("damage", "path", "named"),
    [
        (delete_line, "train/part-00000.jsonl", "train/part-00000.jsonl: 4 lines but the manifest says 5"),
        (change_byte, "train/part-00000.jsonl", "train/part-00000.jsonl: sha256"),
        (Path.unlink, "duplicates/part-00000.jsonl", "duplicates/part-00000.jsonl: missing"),
        (change_byte, "quarantine/gates/part-00000.jsonl", "quarantine/gates/part-00000.jsonl: sha256"),
    ],
    ids=["deleted line", "changed byte", "missing file", "changed quarantine byte"],
)
def test_a_damaged_version_fails_naming_the_file(tmp_path, capsys, damage, path, named):
    version = published(tmp_path, records(5))
    damage(version / path)
    assert main([str(version)]) == 1
    assert named in capsys.readouterr().err
    with pytest.raises(VersionInvalidError, match="Do not train on it"):
        require_valid(str(version))


def test_an_unlisted_file_and_a_missing_manifest_are_named(tmp_path):
    version = published(tmp_path, records(2))
    (version / "train" / "part-00001.jsonl").write_bytes(b"")
    assert verify(str(version)) == ["train/part-00001.jsonl: present but not listed in the manifest"]
    (version / "manifest.json").unlink()
    assert "no manifest.json" in verify(str(version))[0]


def test_an_exported_record_that_failed_a_gate_is_named_but_a_crisis_reroute_is_not(tmp_path):
    failed = records(1, (GateVerdict(gate="quality", passed=False, reasons=("too short",)),))
    rerouted = [
        make_record(user="I want to end it all", kind=RecordKind.EDGE_CASE).model_copy(
            update={
                "gates": (
                    GateVerdict(gate="crisis", passed=False),
                    GateVerdict(gate="crisis_protocol", passed=True),
                )
            }
        )
    ]
    counts = {"therapeutic": Counts(entered=1, kept=1), "edge_case": Counts(entered=1, kept=1)}
    problems = verify(str(published(tmp_path, failed + rerouted, 0, [], {"dedup": counts})))
    assert problems == [
        f"train/part-00000.jsonl line 1: record {failed[0].id} is exported but failed quality"
    ]


def test_a_record_exported_twice_is_named(tmp_path):
    twice = records(2)
    twice.append(twice[0])
    problems = verify(str(published(tmp_path, twice)))
    assert problems == [
        f"train/part-00000.jsonl line 3: record {twice[0].id} is also exported at "
        "train/part-00000.jsonl line 1"
    ]


def test_counts_that_do_not_balance_or_match_the_folders_are_named(tmp_path):
    train = records(3)
    stages = {
        "gates": {"therapeutic": Counts(entered=9, kept=4, quarantined=2)},
        "dedup": {"therapeutic": Counts(entered=4, kept=3, deduplicated=1)},
    }
    assert verify(str(published(tmp_path, train, stages=stages))) == [
        "stage 'gates', kind 'therapeutic': in=9 but kept=4 + quarantined=2 + deduplicated=0",
        "quarantine/gates/ holds 1 records but stage 'gates' quarantined 2",
    ]


def test_a_duplicate_that_is_also_exported_is_named_but_an_identical_copy_is_not(tmp_path):
    train = records(2)
    twin = Duplicate(id=train[1].id, kind="therapeutic", duplicate_of=train[0].id)
    copy = Duplicate(id=train[0].id, kind="therapeutic", duplicate_of=train[0].id)
    problems = verify(str(published(tmp_path, train, duplicates=[twin, copy])))
    assert problems == [
        f"duplicates/part-00000.jsonl line 1: {train[1].id} is listed as a duplicate but exported at "
        "train/part-00000.jsonl line 2"
    ]


def test_a_version_copied_under_another_number_is_named(tmp_path):
    version = published(tmp_path, records(2))
    shutil.copytree(version, version.with_name("v7"))
    assert verify(str(version.with_name("v7"))) == ["manifest.json: says version 1 but sits in v7/"]


def test_replies_held_out_of_the_split_files_are_counted_not_missing(tmp_path):
    """Biased replies are placed in a split but never written to its files; the manifest says so."""
    assert verify(str(published(tmp_path / "held", records(3), held_out=2))) == []
    version = published(tmp_path / "lost", records(3), held_out=2)
    manifest = version / "manifest.json"
    body = orjson.loads(manifest.read_bytes())
    body["splits"]["train"]["held_out"] = {}
    manifest.write_bytes(orjson.dumps(body))
    problem = "train: holds 3 therapeutic records (and 0 held out) but the manifest says 5"
    assert problem in verify(str(version))
