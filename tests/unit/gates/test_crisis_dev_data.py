"""Sensitivity on the shared development data (optional locally, required in CI)."""

import json

import pytest

from tasks.gates.crisis import detect
from tests.shared_data import shared_file

FILES = {"twitter": "twitter-suicidal-data.jsonl", "sdcnl": "sdcnl-train.jsonl"}


def positives(name: str) -> list[str]:
    path = shared_file(f"crisis/{FILES[name]}")
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [row["text"] for row in rows if int(row["label"]) == 1]


@pytest.mark.parametrize("name", sorted(FILES))
def test_sensitivity_on_labelled_positives(name):
    texts = positives(name)
    flagged = sum(result.flagged for result in detect(texts))
    assert flagged / len(texts) >= 0.95, f"{name}: {flagged}/{len(texts)} positives flagged"
