"""The whole flow on real files and a real Prefect API: exact splits, checksums, caching, resume."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import tarfile
import time
from pathlib import Path

import orjson
import pytest

from flows.full_pipeline import run_pipeline
from tasks.export.record_rows import record_from_row
from tasks.metadata.store import MetadataStore
from tasks.settings import BUNDLED_SOURCES
from tasks.sourcing.documents import discover_documents
from tasks.split import SPLITS
from tasks.synthesis.generator import Generator
from tests.integration.runs import config_for, start_cli, subflow_task_states

pytestmark = pytest.mark.integration


def version_files(version_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(version_dir).as_posix(): p.read_bytes()
        for p in sorted(version_dir.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("e2e")
    config = config_for(root)
    state = run_pipeline(config)
    assert state.is_completed(), state.message
    return root, config, state


def test_run_publishes_exact_splits_whose_checksums_match(first_run):
    root, config, state = first_run
    published = state.result()
    version = Path(published.path)
    assert version == root / "out" / "mental-health-support" / "v1"
    manifest = orjson.loads((version / "manifest.json").read_bytes())
    exported = sum(manifest["splits"][s]["records"] for s in manifest["splits"])
    assert exported == sum(c["kept"] for c in manifest["stages"]["dedup"].values())
    stages = manifest["stages"]
    removed = sum(stages[stage]["therapeutic"]["quarantined"] for stage in ("preprocess", "gates"))
    removed += sum(c["deduplicated"] for c in stages["dedup"].values())
    assert exported + removed == 400, "every generated conversation is exported, quarantined or deduplicated"
    for split, summary in manifest["splits"].items():
        assert all(c["actual"] == c["target"] for c in summary["by_kind"].values()), split
    listed = [f for split in manifest["splits"].values() for f in split["files"]]
    for entry in listed:
        body = (version / entry["path"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert body.count(b"\n") == entry["records"]
    on_disk = {
        p.relative_to(version).as_posix() for s in manifest["splits"] for p in (version / s).glob("*.jsonl")
    }
    assert on_disk == {f["path"] for f in listed}
    ids = [
        record_from_row(orjson.loads(line)).id
        for f in listed
        for line in (version / f["path"]).read_bytes().splitlines()
    ]
    assert len(ids) == len(set(ids)) == exported
    assert (manifest["dataset"], manifest["version"], manifest["seed"]) == ("mental-health-support", 1, 42)
    assert manifest["config_hash"] == config.config_hash() and manifest["code_version"]
    assert manifest["stages"]["synthesis"]["therapeutic"] == {
        "in": 400,
        "kept": 400,
        "quarantined": 0,
        "deduplicated": 0,
    }


def test_extra_formats_and_card_are_listed_and_load_with_datasets(first_run, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    _, _, state = first_run
    version = Path(state.result().path)
    manifest = orjson.loads((version / "manifest.json").read_bytes())
    parquet = manifest["formats"]["parquet"]
    per_split = {s: manifest["splits"][s]["records"] for s in manifest["splits"]}
    assert {s: parquet[s]["records"] for s in parquet} == per_split
    for entry in [f for fmt in manifest["formats"].values() for s in fmt.values() for f in s["files"]]:
        assert hashlib.sha256((version / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    card = (version / "README.md").read_bytes()
    assert hashlib.sha256(card).hexdigest() == manifest["card"]["sha256"]
    files = {s: sorted(str(version / f["path"]) for f in parquet[s]["files"]) for s in parquet}
    loaded = datasets.load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "hf"))
    assert {s: loaded[s].num_rows for s in loaded} == per_split
    assert loaded["train"][0]["messages"][0]["role"] == "user"
    sharegpt = version / manifest["formats"]["sharegpt"]["test"]["files"][0]["path"]
    assert orjson.loads(sharegpt.read_bytes().splitlines()[0])["conversations"][0]["from"] == "human"


def test_a_ready_package_is_built_from_the_version(first_run):
    root, _, state = first_run
    version = Path(state.result().path)
    manifest = orjson.loads((version / "manifest.json").read_bytes())
    package = root / "out" / "mental-health-support" / "packages" / "mental-health-support-v1-chat.tar"
    with tarfile.open(package) as archive:
        names = set(archive.getnames())
        sums = dict(
            line.split("  ")[::-1] for line in archive.extractfile("SHA256SUMS").read().decode().splitlines()
        )
        assert archive.extractfile("manifest.json").read() == (version / "manifest.json").read_bytes()
    # The chat package is the OpenAI fine-tuning files alone, with the card and the figures it shows.
    openai = manifest["formats"]["openai"]
    listed = {f["path"]: f["sha256"] for split in openai.values() for f in split["files"]}
    listed |= {plot["path"]: plot["sha256"] for plot in manifest["plots"]}
    assert {p: sums[p] for p in listed} == listed
    assert names == {*listed, "README.md", "manifest.json", "SHA256SUMS"}


def test_manifest_holds_no_absolute_paths_or_times(first_run):
    root, _, state = first_run
    text = (Path(state.result().path) / "manifest.json").read_text()
    assert str(root) not in text and "/tmp" not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)
    assert socket.gethostname() not in text


def test_run_metadata_is_recorded(first_run):
    root, _config, state = first_run
    store = MetadataStore(f"sqlite:///{root / 'state' / 'metadata.db'}")
    run = store.run(str(state.state_details.flow_run_id))
    assert run is not None and (run.status, run.version) == ("completed", 1)
    stages = {(s.stage, s.kind): s for s in store.stage_runs(run.id)}
    assert stages[("synthesis", "therapeutic")].kept == 400
    bundled = {d.path for d in discover_documents(BUNDLED_SOURCES)}
    assert stages[("sourcing", "document")].entered == len(bundled) == 5
    assert stages[("gate:crisis", "edge_case")].entered == stages[("gate:crisis", "edge_case")].quarantined
    assert [v.version for v in store.versions("mental-health-support")] == [1]
    assert {d.path for d in store.documents()} == bundled
    store.dispose()


def test_identical_rerun_is_up_to_date_with_every_shard_task_cached(first_run):
    root, config, _ = first_run
    before = version_files(root / "out" / "mental-health-support" / "v1")
    state = run_pipeline(config)
    assert state.is_completed() and state.result().up_to_date and state.result().version == 1
    manifest = orjson.loads((root / "out" / "mental-health-support" / "v1" / "manifest.json").read_bytes())
    split_files = sum(len(s["files"]) for s in manifest["splits"].values())
    # documents + synthesis + copy plan + shard pass + plan + route + every format of each split file
    # (the split records included) + preference rows per split + diversity + provenance + safety
    # check + plots + card
    shard_task_count = 5 + 4 + 1 + 4 + 1 + 4 + split_files + len(SPLITS) + 1 + 1 + 1 + 1 + 1
    states = subflow_task_states(state.state_details.flow_run_id, expected=shard_task_count + 2)
    uncached = ("publish_version", "package_version")  # they ask the store, every time
    shard_tasks = [state for name, state in states if not name.startswith(uncached)]
    assert len(shard_tasks) == shard_task_count
    assert set(shard_tasks) == {"Cached"}
    assert not (root / "out" / "mental-health-support" / "v2").exists()
    assert version_files(root / "out" / "mental-health-support" / "v1") == before


def test_a_changed_config_becomes_v2(first_run):
    root, config, _ = first_run
    state = run_pipeline(config.model_copy(update={"therapeutic_samples": 300}))
    assert state.result().version == 2
    manifest = orjson.loads((root / "out" / "mental-health-support" / "v2" / "manifest.json").read_bytes())
    assert manifest["stages"]["synthesis"]["therapeutic"]["in"] == 300
    by_kind = [c for split in manifest["splits"].values() for c in split["by_kind"].values()]
    assert by_kind and all(c["actual"] == c["target"] for c in by_kind)


def test_failed_shard_fails_the_run_names_it_and_keeps_the_others(tmp_path, monkeypatch):
    real = Generator.synthesize

    def broken(generator, count, run_seed, shard_index, *engine):
        if shard_index == 1:
            raise OSError("disk full while generating")
        return real(generator, count, run_seed, shard_index, *engine)

    monkeypatch.setattr(Generator, "synthesize", broken)
    config = config_for(tmp_path, therapeutic_samples=300)
    state = run_pipeline(config)
    assert state.is_failed()
    assert "synthesis: 1 of 3 shards failed: therapeutic-00001" in str(state.message)
    assert not (tmp_path / "out").exists()
    store = MetadataStore(f"sqlite:///{tmp_path / 'state' / 'metadata.db'}")
    failed = store.run(str(state.state_details.flow_run_id))
    assert failed is not None and failed.status == "failed" and "therapeutic-00001" in (failed.error or "")
    store.dispose()

    monkeypatch.setattr(Generator, "synthesize", real)
    state = run_pipeline(config)
    assert state.is_completed()
    states = subflow_task_states(state.state_details.flow_run_id, expected=5 + 3 + 3 + 3 + 1 + 3 + 1)
    synthesis = [state for name, state in states if name.startswith("generate_shard-therapeutic")]
    assert sorted(synthesis) == ["Cached", "Cached", "Completed"]


def test_a_corrupt_document_is_quarantined_and_the_run_goes_on(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "notes.md").write_text("# Coping\n\n" + "Breathing slowly can calm the body. " * 20)
    (sources / "scan.txt").write_bytes(b"\x00\x01\xff\xfe binary junk")
    state = run_pipeline(config_for(tmp_path, sources=str(sources), therapeutic_samples=100))
    assert state.is_completed()
    version = Path(state.result().path)
    manifest = orjson.loads((version / "manifest.json").read_bytes())
    assert manifest["stages"]["sourcing"]["document"] == {
        "in": 2,
        "kept": 1,
        "quarantined": 1,
        "deduplicated": 0,
    }
    [item] = [
        orjson.loads(line)
        for line in (version / "quarantine" / "sourcing" / "part-00000.jsonl").read_bytes().splitlines()
    ]
    assert item["raw"] == "scan.txt" and "not UTF-8" in item["reasons"][0]


def test_an_output_that_cannot_be_written_fails_the_run_before_any_compute(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    state = run_pipeline(config_for(tmp_path, output=str(blocker / "out")))
    assert state.is_failed()
    with pytest.raises(Exception, match="cannot write to the output folder"):
        state.result()
    assert not list((tmp_path / "state").rglob("*.jsonl")), "no shard may be computed"


def test_kill_9_mid_run_then_rerun_gives_byte_identical_files(tmp_path, prefect_api):
    samples = 1_200  # 12 shards of 100: killed after the third, well before the end
    reference = start_cli(tmp_path / "reference", samples, prefect_api)
    assert reference.wait(timeout=600) == 0

    crashed = start_cli(tmp_path / "crashed", samples, prefect_api)
    shards = tmp_path / "crashed" / "state" / "work" / "synthesis" / "therapeutic"
    deadline = time.monotonic() + 240
    while len(list(shards.rglob("part-*.jsonl"))) < 3:
        assert crashed.poll() is None, "the run finished before it could be killed; raise the volume"
        assert time.monotonic() < deadline, "no synthesis shard appeared"
        time.sleep(0.05)
    os.killpg(crashed.pid, signal.SIGKILL)
    crashed.wait(timeout=30)
    assert not (tmp_path / "crashed" / "out" / "mental-health-support" / "v1").exists()

    assert start_cli(tmp_path / "crashed", samples, prefect_api).wait(timeout=600) == 0
    expected = version_files(tmp_path / "reference" / "out" / "mental-health-support" / "v1")
    assert version_files(tmp_path / "crashed" / "out" / "mental-health-support" / "v1") == expected
    assert len([p for p in expected if p.startswith("train/")]) == 12


def test_every_kind_is_generated_split_and_bias_pairs_stay_together(tmp_path):
    config = config_for(
        tmp_path, therapeutic_samples=200, bias_samples=200, edge_cases=100, grounded_conversations=100
    )
    state = run_pipeline(config)
    assert state.is_completed(), state.message
    version = Path(state.result().path)
    manifest = orjson.loads((version / "manifest.json").read_bytes())
    assert set(manifest["stages"]["synthesis"]) == {"therapeutic", "bias", "edge_case", "grounded"}
    assert set(manifest["diversity"]) == {"therapeutic", "bias", "edge_case", "grounded"}
    assert manifest["stages"]["synthesis"]["grounded"]["kept"] == 100
    assert len(manifest["diversity"]["bias"]["labels"]["axis"]) == 9
    split_of_pair: dict[str, set[str]] = {}
    for split, summary in manifest["splits"].items():
        for kind, counts in summary["by_kind"].items():
            # Bias pairs (4 records) and conversations citing one passage move as one group.
            slack = {"bias": 4, "grounded": 3}.get(kind, 1)
            assert abs(counts["actual"] - counts["target"]) < slack, (split, kind)
        for entry in summary["files"]:
            for line in (version / entry["path"]).read_bytes().splitlines():
                record = record_from_row(orjson.loads(line))
                if record.kind.value == "bias":
                    split_of_pair.setdefault(record.lineage.parents[0], set()).add(split)
    assert split_of_pair and all(len(splits) == 1 for splits in split_of_pair.values())
    for kind, volume in manifest["volumes"].items():
        stage = manifest["stages"]["dedup"][kind]
        assert volume["exported"] == stage["kept"] and volume["shortfall"] == volume["target"] - stage["kept"]


def test_a_top_up_round_generates_the_shortfall_the_gates_left(tmp_path):
    volumes = {"therapeutic_samples": 200, "grounded_conversations": 100}
    once = run_pipeline(config_for(tmp_path / "once", **volumes))
    topped = run_pipeline(config_for(tmp_path / "topped", top_up_rounds=1, **volumes))
    assert once.is_completed() and topped.is_completed()
    first, second = (
        orjson.loads((Path(state.result().path) / "manifest.json").read_bytes()) for state in (once, topped)
    )
    for kind in ("therapeutic", "grounded"):
        assert first["volumes"][kind]["shortfall"] > 0, f"the crisis gate reroutes some {kind} conversations"
        assert second["stages"]["synthesis"][kind]["in"] > first["stages"]["synthesis"][kind]["in"]
        assert second["volumes"][kind]["exported"] > first["volumes"][kind]["exported"]
    by_kind = [c for split in second["splits"].values() for c in split["by_kind"].values()]
    assert all(c["actual"] == c["target"] for c in by_kind)
