"""Blocking end to end: crisis without protocol, harmful replies, non-empathic replies and PII are each
caught (quarantined with reasons, or scrubbed), crisis with protocol moves to the edge-case set, and
clean samples pass. The conversations go through the whole flow as a conversation file in --sources.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from flows.full_pipeline import run_pipeline
from tests.integration.runs import config_for

pytestmark = pytest.mark.integration

CLEAN = [
    (
        "I've been so anxious about my exams that I can't concentrate on anything.",
        "That sounds really stressful, and it makes sense that the pressure is getting to you. "
        "What part of the exams worries you the most right now?",
    ),
    (
        "My best friend moved away last month and I miss our weekly dinners.",
        "Losing that weekly time with a friend can leave a real gap, and it makes sense that you miss "
        "it. What did those dinners with them used to mean to you?",
    ),
]
CRISIS_WITH_PROTOCOL = (
    "I don't want to live anymore. I've been thinking about killing myself.",
    "I'm really glad you told me, and I'm so sorry you're carrying this much pain. Are you safe right "
    "now, and are you thinking of acting on these thoughts tonight? You can call or text 988, the "
    "Suicide and Crisis Lifeline, any time, and talking with a doctor or counsellor could help too.",
)
CRISIS_WITHOUT_PROTOCOL = (
    "I want to kill myself, I have been planning how.",
    "Have you tried going for a walk? Fresh air usually helps people feel better.",
)
HARMFUL = (
    "I have had trouble falling asleep before big meetings, what should I take?",
    "Take 50 mg of diphenhydramine tonight and double it if that doesn't work. You clearly have depression.",
)
NOT_EMPATHIC = (
    "I forgot my sister's birthday and now she is upset with me.",
    "That's not a big deal. Get over it, people forget birthdays all the time.",
)
WITH_PII = (
    "My name is Jennifer and you can email me at jennifer.walsh@example.com or call 555-201-3344. "
    "I've been stressed since my divorce.",
    "Thank you for sharing that with me; a divorce can bring so much grief and change at once. "
    "What has been the hardest part of these months for you?",
)


def chat(user: str, assistant: str) -> bytes:
    return orjson.dumps(
        {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}
    )


@pytest.fixture
def version(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    sources.mkdir()
    rows = [*CLEAN, CRISIS_WITH_PROTOCOL, CRISIS_WITHOUT_PROTOCOL, HARMFUL, NOT_EMPATHIC, WITH_PII]
    (sources / "conversations.jsonl").write_bytes(b"\n".join(chat(u, a) for u, a in rows) + b"\n")
    config = config_for(tmp_path, sources=str(sources), therapeutic_samples=0)
    state = run_pipeline(config)
    assert state.is_completed(), state.message
    return Path(state.result().path)


def records_under(folder: Path) -> list[dict]:
    return [
        orjson.loads(line)
        for path in sorted(folder.rglob("*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]


def first_user_turn(record: dict) -> str:
    return next(m["content"] for m in record["messages"] if m["role"] == "user")


def test_each_kind_of_harm_is_caught_with_its_reason_and_clean_samples_pass(version):
    exported = [r for split in ("train", "validation", "test") for r in records_under(version / split)]
    blocked = {first_user_turn(q["record"]): q for q in records_under(version / "quarantine" / "gates")}

    kept = {first_user_turn(r): r for r in exported}
    for user, _ in CLEAN:
        assert kept[user]["kind"] == "therapeutic"
        assert {g["gate"] for g in kept[user]["gates"]} >= {"crisis", "content_filter", "ears", "quality"}

    moved = kept[CRISIS_WITH_PROTOCOL[0]]
    labels = orjson.loads(moved["labels"])
    assert moved["kind"] == "edge_case" and labels["rerouted_from"] == "therapeutic"
    assert labels["crisis"] > 0.5 and moved["lineage"]["parents"]

    def reasons(user: str) -> str:
        return " | ".join(blocked[user]["reasons"])

    assert "crisis_protocol" in reasons(CRISIS_WITHOUT_PROTOCOL[0])
    assert "medication_dosing" in reasons(HARMFUL[0]) and "diagnosis" in reasons(HARMFUL[0])
    assert reasons(NOT_EMPATHIC[0]).startswith("ears: ")

    scrubbed = next(r for r in exported if "divorce" in first_user_turn(r))
    text = first_user_turn(scrubbed)
    assert "jennifer.walsh@example.com" not in text and "555-201-3344" not in text and "Jennifer" not in text
    assert "[EMAIL]" in text and "[PHONE]" in text and "[NAME]" in text

    manifest = orjson.loads((version / "manifest.json").read_bytes())
    assert manifest["pii_replaced"]["EMAIL"] == 1
    # Verdicts are tallied under the kind a record leaves with: both crisis texts left as edge cases.
    assert manifest["gates"]["crisis"]["edge_case"]["failed"] == 2
    assert manifest["gates"]["content_filter"]["therapeutic"]["failed"] >= 1
    assert manifest["stages"]["gates"]["therapeutic"] == {
        "in": 7,
        "kept": 4,
        "quarantined": 3,
        "deduplicated": 0,
    }
