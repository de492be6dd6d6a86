"""What sourcing refuses is written PII-scrubbed: excerpts, refused records and reasons alike."""

import json
from pathlib import Path

from tasks.records import QuarantineItem
from tasks.settings import PassageSettings
from tasks.shards import read_models
from tasks.sourcing.conversation_files import NEGATIVE_SAMPLE, conversation_file_shards
from tasks.sourcing.documents import discover_documents, passages_shard
from tasks.sourcing.quarantine import scrubbed

EMAIL, PHONE = "jane.doe@example.com", "415-555-0134"
GOOD = {
    "messages": [{"role": "user", "content": "I feel low."}, {"role": "assistant", "content": "Since when?"}]
}


def written(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_a_malformed_line_with_contact_details_is_quarantined_scrubbed(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    line = f'{{"messages": [{{"role": "user", "content": "mail {EMAIL} or call {PHONE}, I am Jane"'
    (sources / "chats.jsonl").write_text(json.dumps(GOOD) + "\n" + line + "\n")
    [document] = discover_documents(sources, (".jsonl",))
    [shard] = conversation_file_shards.fn(str(sources), document, (100, 10**6), 40, str(tmp_path / "work"))
    [item] = read_models(shard.quarantine, QuarantineItem)
    assert shard.kept.records == 1 and item.reasons[0].startswith("chats.jsonl line 2: not JSON")
    assert item.raw is not None and "[EMAIL]" in item.raw and "[PHONE]" in item.raw and "[NAME]" in item.raw
    work = written(tmp_path / "work")
    assert EMAIL.encode() not in work and PHONE.encode() not in work


def test_a_refused_negative_sample_keeps_its_record_but_not_its_pii(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    dialog = [
        {"speaker": "seeker", "content": f"My email is {EMAIL}, text me on {PHONE}."},
        {"speaker": "supporter", "strategy": "Question", "content": "Thanks. How are you feeling today?"},
    ]
    (sources / "FailedESConv.json").write_text(json.dumps([{"emotion_type": "sadness", "dialog": dialog}]))
    [document] = discover_documents(sources, (".json",))
    [shard] = conversation_file_shards.fn(str(sources), document, (100, 10**6), 40, str(tmp_path / "work"))
    [item] = read_models(shard.quarantine, QuarantineItem)
    assert item.reasons == (NEGATIVE_SAMPLE,) and item.record is not None
    assert item.record["messages"][0]["content"] == "My email is [EMAIL], text me on [PHONE]."
    work = written(tmp_path / "work")
    assert EMAIL.encode() not in work and PHONE.encode() not in work


def test_a_refused_cue_and_its_reason_are_scrubbed(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "talk.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello there, welcome.\n\n"
        f"00:00:05.000 --> 00:00:03.000\nWrite to {EMAIL} after the show.\n"
    )
    [document] = discover_documents(sources)
    outcome = passages_shard.fn(str(sources), document, PassageSettings(), str(tmp_path / "work"))
    [item] = read_models(outcome.quarantine, QuarantineItem)
    assert item.kind == "caption_cue" and item.raw is not None and "Write to [EMAIL]" in item.raw
    assert EMAIL.encode() not in written(tmp_path / "work")


def test_reasons_quoting_the_file_are_scrubbed_too():
    item = QuarantineItem(
        id="x",
        stage="sourcing",
        kind="therapeutic",
        reasons=(f"table.csv: CSV header ['{EMAIL}'] matches no",),
    )
    assert scrubbed(item).reasons == ("table.csv: CSV header ['[EMAIL]'] matches no",)
