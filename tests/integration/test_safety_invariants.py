"""A run that drops a safety gate: refused before any work without `unsafe_gates_off`, published with it,
and then the manifest and the card say so first."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from pydantic import ValidationError

from flows.full_pipeline import run_pipeline
from tasks.gates.gate_settings import DEFAULT_GATES, GateSettings
from tests.integration.runs import config_for

pytestmark = pytest.mark.integration

NO_EARS = {**DEFAULT_GATES, "therapeutic": ("content_filter", "quality")}


def test_a_run_without_ears_is_refused_before_any_work(tmp_path: Path):
    with pytest.raises(ValidationError, match="ears:therapeutic"):
        config_for(tmp_path, therapeutic_samples=100, gates=GateSettings(per_kind=NO_EARS))
    assert not (tmp_path / "state").exists() and not (tmp_path / "out").exists()


def test_a_run_without_ears_publishes_with_the_setting_and_says_so_first(tmp_path: Path):
    gates = GateSettings(per_kind=NO_EARS, unsafe_gates_off=("ears:therapeutic",))
    state = run_pipeline(config_for(tmp_path, therapeutic_samples=100, gates=gates))
    assert state.is_completed(), state.message
    version = Path(state.result().path)

    manifest_lines = (version / "manifest.json").read_text().splitlines()
    assert manifest_lines[1] == '  "UNSAFE_GATES_OFF": ['
    manifest = orjson.loads((version / "manifest.json").read_bytes())
    assert manifest["safety"]["unsafe_gates_off"] == ["ears:therapeutic"]
    assert manifest["safety"]["records_checked"]["therapeutic"] > 0

    card = (version / "README.md").read_text().splitlines()
    assert card[1].startswith("# UNSAFE: safety checks turned off for this version: the EARS")
    body = [line for line in card[card.index("---", 1) + 1 :] if line]
    assert body[0].startswith("> **UNSAFE: safety checks turned off") and "ears:therapeutic" in body[1]

    exported = [
        orjson.loads(line)
        for path in (version / "train").glob("*.jsonl")
        for line in path.read_bytes().splitlines()
    ]
    therapeutic = [r for r in exported if r["kind"] == "therapeutic"]
    assert therapeutic and all(
        {g["gate"] for g in r["gates"]} >= {"crisis", "content_filter"}
        and "ears" not in {g["gate"] for g in r["gates"]}
        for r in therapeutic
    )
