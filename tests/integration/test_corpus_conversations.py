"""A user's real conversation corpus through the whole flow: normalised, judged turn by turn, exported
with OpenAI fine-tuning weights, and every record accounted for.

The corpus is ESConv (CC BY-NC 4.0, read from ../shared at test time, never committed) written the way
a chat tool exports it: `{"messages": [...]}` with each speaker's consecutive messages kept apart,
supporters' greetings first, seekers' goodbyes last, and some conversations copied exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from flows.full_pipeline import run_pipeline
from tasks.export.record_rows import record_from_row
from tasks.gates import crisis
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.ears import score_pairs
from tasks.gates.ears_settings import EarsSettings
from tasks.preprocess.dedup import fingerprint
from tasks.records import Record, RecordKind, Role
from tasks.settings import PreprocessSettings
from tasks.sourcing.conversations import iter_conversations
from tests.integration.runs import config_for
from tests.shared_data import shared_file

pytestmark = pytest.mark.integration

CONVERSATIONS = 150
MAX_TURNS = PreprocessSettings().max_turns
COPIES = 30
DISMISSIVE = [
    {"role": "user", "content": "My flatmate keeps eating my food and it's driving me mad."},
    {"role": "assistant", "content": "That sounds really frustrating. What happened most recently?"},
    {"role": "user", "content": "He finished my birthday cake before I got home."},
    {"role": "assistant", "content": "Honestly, just get over it, it was only a cake."},
]
JUDGEMENTAL = [
    {"role": "user", "content": "I forgot my sister's birthday and she is upset with me."},
    {"role": "assistant", "content": "Well, that's your own fault for not writing it down, isn't it?"},
]


def esconv_chat_lines(count: int) -> list[bytes]:
    """The first `count` ESConv train dialogs as raw chat JSONL lines."""
    path = shared_file("conversations/esconv/train.jsonl")
    lines = []
    for line in path.read_text().splitlines()[:count]:
        dialog = json.loads(line)["dialog"]
        messages = [
            {"role": "user" if turn["speaker"] == "usr" else "assistant", "content": turn["text"]}
            for turn in dialog
        ]
        lines.append(orjson.dumps({"messages": messages}))
    return lines


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("corpus")
    sources = root / "sources"
    sources.mkdir()
    lines = esconv_chat_lines(CONVERSATIONS)
    lines += [*lines[:COPIES], *(orjson.dumps({"messages": m}) for m in (DISMISSIVE, JUDGEMENTAL))]
    (sources / "support-chats.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    config = config_for(root, sources=str(sources), therapeutic_samples=0, shard_records=60)
    state = run_pipeline(config)
    assert state.is_completed(), state.message
    version = Path(state.result().path)
    return version, orjson.loads((version / "manifest.json").read_bytes())


def exported(version: Path, manifest: dict) -> list[Record]:
    return [
        record_from_row(orjson.loads(line))
        for split in manifest["splits"].values()
        for entry in split["files"]
        for line in (version / entry["path"]).read_bytes().splitlines()
    ]


def quarantined(version: Path, manifest: dict) -> list[dict]:
    return [
        orjson.loads(line)
        for entry in manifest["quarantine"]["files"]
        for line in (version / entry["path"]).read_bytes().splitlines()
    ]


def test_every_trained_turn_passes_ears_and_every_conversation_has_one(corpus_run):
    version, manifest = corpus_run
    records = [r for r in exported(version, manifest) if r.kind is RecordKind.THERAPEUTIC]
    assert len(records) >= 20
    trained = [
        (records[r].messages[i - 1].content, m.content)
        for r, record in enumerate(records)
        for i, m in enumerate(record.messages)
        if m.role is Role.ASSISTANT and m.weight == 1
    ]
    assert all(any(m.role is Role.ASSISTANT and m.weight == 1 for m in record.messages) for record in records)
    every = exported(version, manifest)
    assert all(m.weight in (0, 1) for record in every for m in record.messages if m.role is Role.ASSISTANT)
    verdicts = score_pairs([seeker for seeker, _ in trained], [reply for _, reply in trained], EarsSettings())
    assert all(v.passed for v in verdicts)
    turns = manifest["training_turns"]["therapeutic"]
    assert turns["trainable"] == len(trained) and turns["context_only"] > 0


def test_no_exported_turn_outside_the_edge_cases_is_one_the_crisis_detector_flags(corpus_run):
    """Conversations whose flagged seeker no supporter answered with the protocol are cut before that
    turn: they are exported, counted and named in the card, and none of their remaining turns is flagged."""
    version, manifest = corpus_run
    records = [r for r in exported(version, manifest) if r.kind is not RecordKind.EDGE_CASE]
    cut = [r for r in records if "crisis_cut_at_turn" in r.labels]
    assert cut and all(len(r.messages) == r.labels["crisis_cut_at_turn"] for r in cut)
    user_turns = crisis.user_turns(records, CrisisSettings())
    assert not [turn for turns in user_turns for turn, result in turns if result.flagged]
    turns = manifest["training_turns"]["therapeutic"]
    assert turns["crisis_cut_conversations"] == len(cut)
    assert turns["crisis_cut_turns"] == sum(r.labels["crisis_turns_removed"] for r in cut)
    assert f"therapeutic {len(cut):,} conversations" in (version / "README.md").read_text()


def test_dismissive_and_judgemental_human_turns_quarantine_their_conversation(corpus_run):
    version, manifest = corpus_run
    reasons = {
        item["record"]["messages"][-1]["content"]: item["reasons"]
        for item in quarantined(version, manifest)
        if item["record"]
    }
    assert "ears: turn 3: dismissal" in reasons[DISMISSIVE[-1]["content"]]
    assert "ears: turn 1: judgement" in reasons[JUDGEMENTAL[-1]["content"]]


def test_turns_are_normalised_counted_and_every_record_accounted_for(corpus_run):
    version, manifest = corpus_run
    corpus = manifest["corpus_normalisation"]
    assert corpus["conversations"] == CONVERSATIONS + COPIES + 2
    assert corpus["turns_merged"] > 0 and corpus["leading_assistant_trimmed"] > 0
    assert corpus["windows"] == manifest["stages"]["sourcing"]["therapeutic"]["in"]
    gates = manifest["stages"]["gates"]["therapeutic"]
    assert gates["in"] == gates["kept"] + gates["quarantined"] + gates["deduplicated"]
    assert manifest["stages"]["preprocess"]["therapeutic"]["deduplicated"] > 0
    contents = [tuple(m.content for m in r.messages) for r in exported(version, manifest)]
    assert len(set(contents)) == len(contents)
    card = (version / "README.md").read_text()
    assert "## Corpus conversations and trained turns" in card


def test_exact_copies_are_set_aside_before_the_gates_naming_the_kept_twin(corpus_run):
    """Copies cost no gate time: the preprocess stage lists each as a duplicate of the lowest-id window
    with the same content, and the gates evaluate only the rest."""
    version, manifest = corpus_run
    root = version.parents[2]
    windows = [
        r
        for r in iter_conversations(root / "sources" / "support-chats.jsonl", root / "sources", MAX_TURNS)
        if isinstance(r, Record)
    ]
    kept_id: dict[str, str] = {}
    for record in windows:
        print_ = fingerprint(record)
        kept_id[print_] = min(kept_id.get(print_, record.id), record.id)
    copies = {r.id: kept_id[fingerprint(r)] for r in windows if kept_id[fingerprint(r)] != r.id}
    assert len(copies) >= COPIES
    preprocess = manifest["stages"]["preprocess"]["therapeutic"]
    assert preprocess["deduplicated"] == len(copies)
    listed = {
        row["id"]: row["duplicate_of"]
        for entry in manifest["duplicates"]["files"]
        for row in map(orjson.loads, (version / entry["path"]).read_bytes().splitlines())
    }
    assert {i: listed[i] for i in copies} == copies


def test_a_file_read_in_parts_exports_the_same_records_in_each_split(corpus_run, tmp_path):
    version, manifest = corpus_run
    sources = version.parents[2] / "sources"
    config = config_for(
        tmp_path, sources=str(sources), therapeutic_samples=0, shard_records=60, part_bytes=100_000
    )

    state = run_pipeline(config)

    assert state.is_completed(), state.message
    parted = Path(state.result().path)
    first_shards = list(Path(config.work_dir).glob("sourcing/conversations/*/part-00000.jsonl"))
    assert len(first_shards) >= (sources / "support-chats.jsonl").stat().st_size // 100_000 >= 3
    for split in manifest["splits"]:
        whole = sorted(line for f in (version / split).iterdir() for line in f.read_bytes().splitlines())
        parts = sorted(line for f in (parted / split).iterdir() for line in f.read_bytes().splitlines())
        assert parts == whole and whole


def test_datasets_reads_the_chat_jsonl_with_openai_weights(corpus_run, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    version, manifest = corpus_run
    openai = manifest["formats"]["openai"]
    for split, listed in openai.items():
        files = [str(version / entry["path"]) for entry in listed["files"]]
        loaded = datasets.load_dataset(
            "json", data_files=files, split="train", cache_dir=str(tmp_path / split)
        )
        assert loaded.column_names == ["messages"]
        assert loaded.num_rows == listed["records"] == manifest["splits"][split]["records"]
    messages = [m for row in loaded for m in row["messages"]]
    assert {m["weight"] for m in messages if m["role"] == "assistant"} == {0, 1}
    assert not [m for m in messages if m["role"] == "user" and "weight" in m]
