from tasks.export.manifest import build_manifest, plan_files, split_summary, volumes
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef


def ref(name: str, records: int) -> ShardRef:
    return ShardRef(path=f"/work/{name}", records=records, sha256=name * 4, bytes=records * 10)


def test_files_are_numbered_per_folder_and_empty_shards_skipped():
    files = plan_files(
        splits={"train": [ref("a", 7), ref("b", 0), ref("c", 7)], "validation": [ref("d", 2)], "test": []},
        quarantine={"synthesis": [ref("q", 0)], "preprocess": [ref("p", 1)]},
        duplicates=[ref("x", 1)],
    )
    assert [f.path for f in files] == [
        "train/part-00000.jsonl",
        "train/part-00001.jsonl",
        "validation/part-00000.jsonl",
        "quarantine/preprocess/part-00000.jsonl",
        "duplicates/part-00000.jsonl",
    ]
    assert files[1].shard.path == "/work/c"


def test_split_summary_puts_targets_beside_actuals():
    files = plan_files({"train": [ref("a", 7)], "validation": [ref("b", 2)], "test": [ref("c", 1)]}, {}, [])
    summary = split_summary(files, {"train": {"bias": 7}, "validation": {"bias": 2}, "test": {"bias": 1}})
    assert summary["train"]["by_kind"] == {"bias": {"target": 7, "actual": 7}}
    assert summary["validation"]["by_kind"] == {"bias": {"target": 2, "actual": 2}}
    assert summary["test"]["records"] == 1 and summary["test"]["files"][0]["sha256"] == "cccc"


def test_volumes_report_the_shortfall():
    assert volumes({"therapeutic": 10}, {"train": {"therapeutic": 6}, "test": {"therapeutic": 2}}) == {
        "therapeutic": {"target": 10, "exported": 8, "shortfall": 2}
    }


def test_manifest_has_the_contract_fields_and_no_paths():
    config = PipelineConfig(output="/secret/place", state_dir="/elsewhere")
    manifest = build_manifest(config, "code", [{"path": "a.txt", "sha256": "s", "bytes": 1}], {}, [], {})
    assert {"dataset", "seed", "config", "config_hash", "code_version", "splits", "stages", "volumes"} <= set(
        manifest
    )
    assert "/secret" not in str(manifest) and "/elsewhere" not in str(manifest)


def test_manifest_carries_the_human_diversity_reference_beside_the_export_figures():
    config = PipelineConfig()
    kinds = {"therapeutic": {"records": 1}}
    manifest = build_manifest(config, "code", [], {}, [], {}, diversity=kinds)
    assert manifest["diversity"] == kinds
    corpora = manifest["diversity_reference"]["corpora"]
    assert set(corpora) == {"ESConv", "CounselChat"}
    assert all(
        corpus["assistant"]["turns"] > 0 and corpus["user"]["turns"] > 0 for corpus in corpora.values()
    )
