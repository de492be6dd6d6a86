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


def test_safety_checks_turned_off_are_the_manifests_first_key_and_absent_otherwise():
    from tasks.export.publish import encode_manifest
    from tasks.gates.gate_settings import DEFAULT_GATES, GateSettings

    gates = GateSettings(
        per_kind={**DEFAULT_GATES, "therapeutic": ("content_filter",)}, unsafe_gates_off=("ears:therapeutic",)
    )
    manifest = build_manifest(PipelineConfig(gates=gates), "code", [], {}, [], {})
    assert encode_manifest(manifest).decode().splitlines()[1] == '  "UNSAFE_GATES_OFF": ['
    assert manifest["UNSAFE_GATES_OFF"] == ["ears:therapeutic"]
    assert "UNSAFE_GATES_OFF" not in build_manifest(PipelineConfig(), "code", [], {}, [], {})


def test_provenance_counts_records_per_source_licence_and_generator():
    from tasks.export.manifest import provenance
    from tasks.records import RecordKind, SourceRef
    from tests.factories import make_record

    book = SourceRef(type="book", uri="a.epub", title="A", licence="Public domain")
    records = [
        make_record(),
        make_record(user="x", kind=RecordKind.GROUNDED, source=book),
        make_record(user="y"),
    ]
    found = provenance(records)
    assert found["sources"] == [
        {
            "type": "book",
            "uri": "a.epub",
            "title": "A",
            "licence": "Public domain",
            "records": {"grounded": 1},
        },
        {
            "type": "synthetic",
            "uri": "generator:test",
            "title": "",
            "licence": "",
            "records": {"therapeutic": 2},
        },
    ]
    assert found["generators"] == {"test": {"grounded": 1, "therapeutic": 2}}
