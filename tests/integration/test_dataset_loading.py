"""A version as a training team gets it: every config its card declares loads with `datasets`, the
README's load example runs, and no reply written biased on purpose is a fine-tuning target anywhere."""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
import yaml

from flows.full_pipeline import run_pipeline
from tasks.export.format_names import PACKAGE_FORMATS
from tests.integration.conftest import REPO
from tests.integration.runs import config_for

pytestmark = pytest.mark.integration

README_VERSION = "datasets/mental-health-support/v1"


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A default-shaped small run (every kind, every gate on), packaged in every format."""
    root = tmp_path_factory.mktemp("loading")
    config = config_for(
        root,
        therapeutic_samples=200,
        bias_samples=200,
        edge_cases=100,
        grounded_conversations=100,
        package_formats=",".join(PACKAGE_FORMATS),
    )
    state = run_pipeline(config)
    assert state.is_completed(), state.message
    path = Path(state.result().path)
    return path, orjson.loads((path / "manifest.json").read_bytes())


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    # `datasets` reads the variable when first imported: once another test has imported it, only its
    # config says where the cache is, and a cache shared across runs can answer for an older version
    # published at the same temporary path.
    import datasets.config

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf")
    return tmp_path / "hf"


def expected_rows(manifest: dict[str, Any], config: str) -> dict[str, int]:
    per_split = manifest["splits"] if config == "default" else manifest["formats"][config]
    return {split: s["records"] for split, s in per_split.items() if s["records"]}


def test_every_config_the_card_declares_loads_with_datasets(version, offline):
    import datasets

    path, manifest = version
    header = yaml.safe_load((path / "README.md").read_text().split("---\n")[1])
    names = [c["config_name"] for c in header["configs"]]
    assert names == ["default", "alpaca", "bias_eval", "openai", "preference", "sharegpt"]
    for name in names:
        loaded = datasets.load_dataset(str(path), name, cache_dir=str(offline))
        assert {s: loaded[s].num_rows for s in loaded} == expected_rows(manifest, name), name
        assert len(loaded) == 3, f"{name}: every split has rows in this run"
    parquet = datasets.load_dataset(str(path / "formats" / "parquet"), cache_dir=str(offline))
    assert {s: parquet[s].num_rows for s in parquet} == expected_rows(manifest, "parquet")
    assert expected_rows(manifest, "parquet") == expected_rows(manifest, "default")
    default = datasets.load_dataset(str(path), cache_dir=str(offline))
    assert default["train"].features == parquet["train"].features
    kinds = {orjson.loads(labels).get("axis") is not None for labels in default["train"]["labels"]}
    assert kinds == {True, False}, "bias and other records share the one labels column"


def test_the_readme_load_example_runs(version, offline):
    path, manifest = version
    readme = (REPO / "README.md").read_text()
    (example,) = [
        block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "load_dataset(" in block
    ]
    assert README_VERSION in example
    scope: dict[str, Any] = {}
    exec(compile(example.replace(README_VERSION, str(path)), "README.md", "exec"), scope)
    assert {s: scope["records"][s].num_rows for s in scope["records"]} == expected_rows(manifest, "default")
    assert scope["preference"]["train"].column_names == ["prompt", "chosen", "rejected"]


# Where a file's training targets are, by the folder it sits in; every other file is not trained on.
def _record_targets(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        assert orjson.loads(row["labels"]).get("biased") is not True, row["id"]
        yield from (
            m["content"] for m in row["messages"] if m["role"] == "assistant" and m.get("weight") != 0
        )


def _openai_targets(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield from (
            m["content"] for m in row["messages"] if m["role"] == "assistant" and m.get("weight") != 0
        )


def _sharegpt_targets(rows: list[dict[str, Any]]) -> Iterator[str]:
    return (turn["value"] for row in rows for turn in row["conversations"] if turn["from"] == "gpt")


def _alpaca_targets(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield row["output"]
        yield from (reply for _, reply in row["history"])


SFT = {
    "train": _record_targets,
    "validation": _record_targets,
    "test": _record_targets,
    "formats/parquet": _record_targets,
    "formats/openai": _openai_targets,
    "formats/sharegpt": _sharegpt_targets,
    "formats/alpaca": _alpaca_targets,
}
NOT_TRAINED = ("formats/preference/", "formats/bias_eval/", "quarantine/", "duplicates/", "plots/")
META = {"README.md", "manifest.json", "SHA256SUMS"}


def rows_of(name: str, data: bytes) -> list[dict[str, Any]]:
    if name.endswith(".parquet"):
        return pq.read_table(io.BytesIO(data)).to_pylist()
    return [orjson.loads(line) for line in data.splitlines()]


def exported_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of the version, then every member of every ready package, as (where, bytes)."""
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        yield file.relative_to(path).as_posix(), file.read_bytes()
    packages = sorted((path.parent / "packages").glob("*.tar"))
    assert len(packages) == 1, "one package holding every format"
    with tarfile.open(packages[0]) as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member)
            assert handle is not None
            yield f"{packages[0].name}:{member.name}", handle.read()


def bias_eval(path: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**row, "labels": orjson.loads(row["labels"])}
        for split in manifest["formats"]["bias_eval"].values()
        for entry in split["files"]
        for row in rows_of(entry["path"], (path / entry["path"]).read_bytes())
    ]


def test_no_biased_reply_is_a_training_target_in_any_exported_file(version):
    path, manifest = version
    pairs = bias_eval(path, manifest)
    biased = {r["messages"][-1]["content"] for r in pairs if r["labels"]["biased"]}
    assert len(biased) > 50 and len(pairs) >= manifest["stages"]["dedup"]["bias"]["kept"]
    for split, summary in manifest["splits"].items():
        placed = sum(c["actual"] for c in summary["by_kind"].values())
        assert summary["records"] + sum(summary["held_out"].values()) == placed, split
    held_out = sum(n for s in manifest["splits"].values() for n in s["held_out"].values())
    assert held_out == len([r for r in pairs if r["labels"]["biased"]])
    scanned: dict[str, int] = {}
    for where, data in exported_files(path):
        name = where.split(":")[-1]
        folder = next((f for f in SFT if name.startswith(f"{f}/")), None)
        if folder is None:
            assert name in META or name.startswith(NOT_TRAINED), f"{where} is not classified"
            continue
        targets = set(SFT[folder](rows_of(name, data)))
        assert not targets & biased, f"{where} trains on a deliberately biased reply"
        scanned[folder] = scanned.get(folder, 0) + len(targets)
    assert set(scanned) == set(SFT) and all(scanned.values()), scanned


def test_the_preference_export_is_one_row_per_prompt_chosen_unbiased_rejected_biased(version):
    path, manifest = version
    sides: dict[tuple[str, str], dict[bool, dict[str, Any]]] = {}
    for record in bias_eval(path, manifest):
        sides.setdefault((record["labels"]["pair_id"], record["labels"]["member"]), {})[
            record["labels"]["biased"]
        ] = record
    expected = sorted(
        (
            pair[False]["messages"][0]["content"],
            pair[False]["messages"][1]["content"],
            pair[True]["messages"][1]["content"],
        )
        for pair in sides.values()
        if len(pair) == 2
    )
    rows = [
        row
        for split in manifest["formats"]["preference"].values()
        for entry in split["files"]
        for row in rows_of(entry["path"], (path / entry["path"]).read_bytes())
    ]
    got = sorted(
        (r["prompt"][0]["content"], r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows
    )
    assert len(expected) > 50 and got == expected
    assert all(
        [m["role"] for m in (*r["prompt"], *r["chosen"], *r["rejected"])]
        == ["user", "assistant", "assistant"]
        for r in rows
    )
