import csv
import itertools
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.records import QuarantineItem, Record, RecordKind, Role
from tasks.sourcing import conversation_entries
from tasks.sourcing.conversation_layouts import Layout, detect_layout, is_conversation_file
from tasks.sourcing.conversations import CONVERSATIONS_VERSION, conversation_shards, iter_conversations
from tasks.sourcing.limit_settings import SourceLimits
from tests.shared_data import shared_file

MAX_TURNS = 40
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "conversations"
TRANSCRIPTS = FIXTURES.parent / "transcripts"
ESCONV_STRATEGIES = {
    "Question",
    "Restatement or Paraphrasing",
    "Reflection of feelings",
    "Self-disclosure",
    "Affirmation and Reassurance",
    "Providing Suggestions",
    "Information",
    "Others",
}


def read(path: Path, root: Path = FIXTURES, layout: Layout | None = None) -> list[Record | QuarantineItem]:
    return list(iter_conversations(path, root, MAX_TURNS, layout))


def split(items: list[Record | QuarantineItem]) -> tuple[list[Record], list[QuarantineItem]]:
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, QuarantineItem)]


def roles(record: Record) -> list[str]:
    return [m.role.value for m in record.messages]


def assert_trainable(record: Record) -> None:
    """What every record must be: a therapeutic conversation ending on an assistant turn, alternating."""
    assert record.kind is RecordKind.THERAPEUTIC and record.source.type == "conversation"
    assert record.messages[-1].role is Role.ASSISTANT
    turns = [m.role for m in record.messages if m.role is not Role.SYSTEM]
    assert all(a is not b for a, b in itertools.pairwise(turns))
    assert all(m.content == m.content.strip() and m.content for m in record.messages)
    assert all(isinstance(v, str | int | float | bool) for v in record.labels.values())


def test_chat_jsonl_keeps_good_lines_and_quarantines_each_bad_one_in_file_order():
    items = read(FIXTURES / "chat.jsonl")
    locators = [i.source.locator if isinstance(i, Record) else i.reasons[0].split(":")[0] for i in items]
    assert locators == [
        "line 1",
        "line 2",
        "chat.jsonl line 3",
        "chat.jsonl line 5",
        "chat.jsonl line 6",
        "chat.jsonl line 7",
        "line 8",
        "chat.jsonl line 9",
    ]
    records, rejects = split(items)
    assert roles(records[0]) == ["system", "user", "assistant"]
    assert records[0].messages[0].content == "You are a warm, careful listener."
    assert roles(records[1]) == ["user", "assistant"] and records[1].labels == {"trailing_user_trimmed": 1}
    assert records[2].messages[0].content == "I keep replaying a mistake I made at work.\nIt was weeks ago."
    reasons = [r.reasons[0] for r in rejects]
    assert reasons[0].startswith("chat.jsonl line 3: not JSON")
    assert reasons[1] == (
        "chat.jsonl line 5: turn 2 has unknown role 'tool' (expected one of ['assistant', 'system', 'user'])"
    )
    assert reasons[2] == "chat.jsonl line 6: empty conversation (no turns)"
    assert reasons[3] == "chat.jsonl line 7: no assistant turn to learn a reply from"
    assert reasons[4] == "chat.jsonl line 9: turn 2 is a system turn after the conversation started"
    assert rejects[0].raw == '{"messages": [{"role": "user", "content": "this line is cut off\n'
    assert json.loads(rejects[1].raw)["messages"][1]["role"] == "tool"
    assert all(r.stage == "sourcing" and r.kind == "therapeutic" for r in rejects)
    for record in records:
        assert_trainable(record)
        assert record.source.uri == "chat.jsonl" and record.source.licence is None
        assert record.lineage.generator == "conversations:chat"
        assert record.lineage.version == CONVERSATIONS_VERSION and record.lineage.parents == ()


def test_sharegpt_reads_the_same_from_jsonl_and_a_json_array():
    from_lines, from_array = read(FIXTURES / "sharegpt.jsonl"), read(FIXTURES / "sharegpt.json")
    kinds = [Record, Record, QuarantineItem, QuarantineItem]
    assert [type(i) for i in from_lines] == [type(i) for i in from_array] == kinds
    lines, _ = split(from_lines)
    array, rejects = split(from_array)
    assert [r.messages for r in lines] == [r.messages for r in array]
    assert [r.source.locator for r in array] == ["item 0", "item 1"]
    assert roles(array[1]) == ["system", "user", "assistant", "user", "assistant"]
    assert array[1].messages[0].content == "Keep replies short."
    assert "'bard'" in rejects[0].reasons[0] and rejects[0].reasons[0].startswith("sharegpt.json item 2: ")
    assert rejects[1].reasons == ("sharegpt.json item 3: no assistant turn to learn a reply from",)
    assert {r.lineage.generator for r in array} == {"conversations:sharegpt"}


def test_json_array_is_streamed_the_same_through_a_tiny_buffer(monkeypatch):
    expected = read(FIXTURES / "sharegpt.json")
    monkeypatch.setattr(conversation_entries, "_CHUNK_CHARS", 7)
    assert read(FIXTURES / "sharegpt.json") == expected


def test_a_truncated_json_array_keeps_what_came_before_and_quarantines_the_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(conversation_entries, "_CHUNK_CHARS", 16)
    text = (FIXTURES / "sharegpt.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('{"conversations": [{"from": "human", "value": "Hi"}') + 30])
    records, rejects = split(read(cut, tmp_path))
    assert len(records) == 2 and len(rejects) == 1
    assert rejects[0].reasons[0].startswith("cut.json item 2: malformed JSON (")
    assert rejects[0].reasons[0].endswith("the rest of the file is unread")
    trailing = tmp_path / "trailing.json"
    trailing.write_text(text + "\n{}\n")
    items = read(trailing, tmp_path)
    assert "content after the array's closing ']'" in items[-1].reasons[0]
    assert [type(i) for i in items] == [Record, Record, QuarantineItem, QuarantineItem, QuarantineItem]


def write_parquet(path: Path, rows: list[dict], row_group_size: int = 2) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)


def test_parquet_in_both_column_shapes_streams_rows_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(conversation_entries, "_PARQUET_BATCH_ROWS", 2)
    chat_rows = [json.loads(line) for line in (FIXTURES / "chat.jsonl").read_text().splitlines()[:2]]
    chat_rows += [{"messages": None}, {"messages": [{"role": "user", "content": "Alone"}]}, chat_rows[0]]
    write_parquet(tmp_path / "chat.parquet", chat_rows)
    records, rejects = split(read(tmp_path / "chat.parquet", tmp_path))
    assert [r.source.locator for r in records] == ["row 0", "row 1", "row 4"]
    assert records[0].messages == records[2].messages and records[0].id != records[2].id
    assert [r.reasons[0] for r in rejects] == [
        "chat.parquet row 2: no 'messages' list",
        "chat.parquet row 3: no assistant turn to learn a reply from",
    ]
    assert {r.lineage.generator for r in records} == {"conversations:parquet"}

    sharegpt_rows = [json.loads(line) for line in (FIXTURES / "sharegpt.jsonl").read_text().splitlines()[:2]]
    sharegpt_rows[0]["system"] = None
    write_parquet(tmp_path / "sharegpt.parquet", sharegpt_rows)
    from_parquet, _ = split(read(tmp_path / "sharegpt.parquet", tmp_path))
    from_lines, _ = split(read(FIXTURES / "sharegpt.jsonl"))
    assert [r.messages for r in from_parquet] == [r.messages for r in from_lines[:2]]


def test_unreadable_files_become_one_quarantine_item_each(tmp_path):
    files = {
        "empty.jsonl": b"",
        "blank.jsonl": b"\n  \n\n",
        "binary.jsonl": bytes(range(256)) * 4,
        "broken.parquet": b"PAR1 this is not parquet PAR1",
        "other.jsonl": b'{"text": "a pretraining document, not a conversation"}\n',
        "table.csv": b"name,score\nann,3\n",
        "columns.parquet": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    write_parquet(tmp_path / "columns.parquet", [{"text": "no conversation column"}])
    reasons = {name: [i.reasons for i in read(tmp_path / name, tmp_path)] for name in files}
    assert reasons["empty.jsonl"] == [("empty.jsonl: empty file",)]
    assert reasons["blank.jsonl"] == [("blank.jsonl: file holds no conversations",)]
    assert reasons["binary.jsonl"] == [
        (
            "binary.jsonl: none of the first 5 records is JSON "
            "(line 1: binary content (NUL bytes), not a JSON line)",
        )
    ]
    assert reasons["broken.parquet"][0][0].startswith("broken.parquet: not a readable Parquet file (")
    assert reasons["other.jsonl"][0][0].startswith(
        "other.jsonl: no conversation layout in the first 1 records"
    )
    assert reasons["table.csv"][0][0].startswith("table.csv: CSV header ['name', 'score'] matches no")
    assert reasons["columns.parquet"] == [
        ("columns.parquet: Parquet file has no messages or conversations column (columns: ['text'])",)
    ]
    assert all(len(r) == 1 for r in reasons.values())


def test_a_binary_file_read_with_an_explicit_layout_is_quarantined_line_by_line(tmp_path):
    (tmp_path / "noise.jsonl").write_bytes(b"\xff\xfe garbage\n\x00\x01\x02\n")
    items = read(tmp_path / "noise.jsonl", tmp_path, Layout.CHAT)
    assert [i.reasons[0].split(": ")[0] for i in items] == ["noise.jsonl line 1", "noise.jsonl line 2"]
    assert isinstance(items[0], QuarantineItem) and "not JSON" in items[0].reasons[0]
    assert isinstance(items[1], QuarantineItem) and "binary content (NUL bytes)" in items[1].reasons[0]


def test_a_nul_byte_in_one_line_refuses_that_line_and_the_rest_of_the_file_is_read(tmp_path):
    lines = (FIXTURES / "chat.jsonl").read_bytes().splitlines()
    damaged = [lines[0], b'{"messages": [\x00\x00 torn write', *lines[1:]]
    (tmp_path / "torn.jsonl").write_bytes(b"\n".join(damaged) + b"\n")
    records, refused = split(read(tmp_path / "torn.jsonl", tmp_path))
    whole, whole_refused = split(read(FIXTURES / "chat.jsonl"))
    assert [r.messages for r in records] == [r.messages for r in whole]
    assert (refused[0].reasons, refused[0].raw) == (
        ("torn.jsonl line 2: binary content (NUL bytes), not a JSON line",),
        '{"messages": [\x00\x00 torn write\n',
    )
    problems = [i.reasons[0].split(": ", 1)[1] for i in refused[1:]]
    assert problems == [i.reasons[0].split(": ", 1)[1] for i in whole_refused]


def test_an_over_long_line_is_refused_unread_and_the_next_line_still_read(tmp_path):
    good = (FIXTURES / "chat.jsonl").read_text().splitlines()[0]
    secret = '{"messages": [{"role": "user", "content": "mail jane@example.com ' + "x" * 5000 + '"}]}'
    (tmp_path / "long.jsonl").write_text(f"{good}\n{secret}\n{good}\n")
    limits = SourceLimits(max_line_bytes=2048)
    items = list(iter_conversations(tmp_path / "long.jsonl", tmp_path, MAX_TURNS, limits=limits))
    assert [type(i) for i in items] == [Record, QuarantineItem, Record]
    assert items[1].reasons == (
        f"long.jsonl line 2: skipped unread: {len(secret)} bytes, over the cap of 2048 bytes"
        " (raise limits.max_line_bytes to read it)",
    )
    assert items[1].raw == ""


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_an_over_long_csv_line_or_array_element_ends_the_file_with_the_cap(tmp_path, suffix):
    answer = "a" * 5000
    if suffix == ".csv":
        text = f"questionText,answerText\nI cannot sleep.,Try a wind-down hour.\nAnd now?,{answer}\n"
    else:
        text = json.dumps([{"messages": [{"role": "user", "content": answer}]}])
    (tmp_path / f"long{suffix}").write_text(text)
    limits = SourceLimits(max_line_bytes=2048)
    items = list(iter_conversations(tmp_path / f"long{suffix}", tmp_path, MAX_TURNS, limits=limits))
    assert "over the cap of 2048 characters (raise limits.max_line_bytes to read it)" in items[-1].reasons[0]
    assert answer not in (items[-1].raw or "")


def test_layout_override_wins_over_detection():
    assert detect_layout(FIXTURES / "chat.jsonl") is Layout.CHAT
    items = read(FIXTURES / "chat.jsonl", layout=Layout.SHAREGPT)
    assert all(isinstance(i, QuarantineItem) for i in items) and len(items) == 8
    assert items[0].reasons == ("chat.jsonl line 1: no 'conversations' list",)


def test_esconv_merges_same_speaker_turns_and_carries_its_labels():
    records, rejects = split(read(FIXTURES / "esconv.jsonl"))
    (record,) = records
    assert roles(record) == ["user", "assistant", "user", "assistant"]
    assert record.messages[0].content == "Hi.\nI just need to talk to someone."
    assert record.messages[3].content.endswith(
        "grieving the relationship.\nWould writing down what you miss help you sort through it?"
    )
    assert record.labels == {
        "emotion_type": "sadness",
        "problem_type": "breakup with partner",
        "experience_type": "Current Experience",
        "strategies": "Question|Reflection of feelings|Providing Suggestions",
        "seeker_initial_emotion_intensity": 4,
        "seeker_empathy": 5,
        "seeker_relevance": 4,
        "seeker_final_emotion_intensity": 2,
        "supporter_relevance": 5,
        "trailing_user_trimmed": 1,
        "turns_merged": 2,
    }
    assert (record.source.title, record.source.licence) == ("ESConv", "CC BY-NC 4.0")
    assert rejects[0].reasons[0].startswith("esconv.jsonl line 2: turn 2 has unknown role 'moderator'")


def test_esconv_failed_conversations_json_array_is_labelled_a_negative_sample(tmp_path):
    dialog = [
        {"speaker": "speaker", "annotation": {}, "content": "I can't focus on anything lately\n"},
        {"speaker": "listener", "annotation": {"strategy": "Questions"}, "content": "ok"},
        {"speaker": "speaker", "annotation": {"feedback": "1"}, "content": "Hello?\n"},
    ]
    conversation = {
        "emotion_type": "depression",
        "survey_score": {"seeker": {"empathy": "1"}},
        "dialog": dialog,
    }
    (tmp_path / "FailedESConv.json").write_text(json.dumps([conversation], indent=1))
    (record,) = read(tmp_path / "FailedESConv.json", tmp_path)
    assert isinstance(record, Record) and roles(record) == ["user", "assistant"]
    assert record.messages[0].content == "I can't focus on anything lately"
    assert record.labels == {
        "emotion_type": "depression",
        "strategies": "Questions",
        "seeker_empathy": 1,
        "negative_sample": True,
        "trailing_user_trimmed": 1,
    }


def test_counselchat_rows_become_question_and_answer():
    items = read(FIXTURES / "counselchat.csv")
    records, rejects = split(items)
    assert [r.source.locator for r in records] == ["row 0", "row 1"]
    assert records[0].messages[0].content.startswith("I scroll through photos")
    assert "\n   How do I stop" in records[0].messages[0].content
    assert records[1].messages[0].content == "Is it normal to feel nothing after a loss?"
    assert records[0].labels == {
        "topic": "self-esteem",
        "question_id": "0",
        "source_split": "train",
        "upvotes": 2,
        "views": 120,
    }
    assert (records[0].source.title, records[0].source.licence) == ("CounselChat", "MIT")
    assert rejects[0].reasons == ("counselchat.csv row 2: turn 2 (assistant) is empty",)


def test_empathetic_dialogues_alternates_speakers_and_unescapes_commas():
    records, rejects = split(read(FIXTURES / "empatheticdialogues.csv"))
    assert [r.source.locator for r in records] == ["hit:1_conv:2", "hit:3_conv:6"]
    assert roles(records[0]) == ["user", "assistant", "user", "assistant"]
    assert (
        records[0].messages[1].content
        == "That is a big step. Have you found any clubs, classes or groups nearby?"
    )
    assert all("moved abroad and do not know" not in m.content for m in records[0].messages)
    assert records[0].labels == {"emotion": "lonely"}
    assert records[1].labels == {"emotion": "proud", "trailing_user_trimmed": 1}
    assert [r.reasons[0] for r in rejects] == [
        "empatheticdialogues.csv hit:5_conv:10: turn 3 has a third speaker '9'",
        "empatheticdialogues.csv hit:7_conv:14: no assistant turn to learn a reply from",
    ]
    # The excerpt of a conversation with a row longer than the header (its extras under a None key).
    assert rejects[0].raw.startswith('[{"conv_id":"hit:5_conv:10"') and len(rejects[0].raw) == 500


def test_empathetic_intents_labels_emotion_and_listener_intents():
    records, rejects = split(read(FIXTURES / "empatheticintents.csv"))
    assert rejects == [] and [r.source.locator for r in records] == ["hit:20_conv:40", "hit:21_conv:42"]
    assert records[0].labels == {"emotion": "grateful", "listener_intents": "acknowledging|questioning"}
    assert records[0].messages[1].content == "That must have meant a lot, having one person remember."
    assert records[1].labels == {
        "emotion": "disappointed",
        "listener_intents": "questioning",
        "trailing_user_trimmed": 1,
    }


def test_detection_by_shape_and_header():
    detected = {p.name: detect_layout(p) for p in sorted(FIXTURES.iterdir())}
    assert detected == {
        "chat.jsonl": Layout.CHAT,
        "counselchat.csv": Layout.COUNSELCHAT,
        "empatheticdialogues.csv": Layout.EMPATHETIC_DIALOGUES,
        "empatheticintents.csv": Layout.EMPATHETIC_INTENTS,
        "esconv.jsonl": Layout.ESCONV,
        "sharegpt.json": Layout.SHAREGPT,
        "sharegpt.jsonl": Layout.SHAREGPT,
    }


def test_is_conversation_file_routes_by_suffix_and_leaves_captions_to_transcripts(tmp_path):
    assert all(is_conversation_file(p) for p in FIXTURES.iterdir())
    assert not is_conversation_file(TRANSCRIPTS / "sintel_en_blender-foundation.json3")
    (tmp_path / "captions.json").write_bytes(
        (TRANSCRIPTS / "sintel_en_blender-foundation.json3").read_bytes()
    )
    assert not is_conversation_file(tmp_path / "captions.json")
    for name in ("book.txt", "book.epub", "paper.pdf", "talk.vtt", "talk.srt", "notes.md"):
        assert not is_conversation_file(tmp_path / name)
    assert is_conversation_file(tmp_path / "missing.parquet")


def test_shards_are_bounded_and_concatenate_to_the_stream():
    path = FIXTURES / "chat.jsonl"
    shards = list(conversation_shards(path, FIXTURES, 3, MAX_TURNS))
    assert [len(r) + len(q) for r, q in shards] == [3, 3, 2]
    assert [i for r, q in shards for i in r] == [i for i in read(path) if isinstance(i, Record)]
    assert [i for r, q in shards for i in q] == [i for i in read(path) if isinstance(i, QuarantineItem)]
    with pytest.raises(ValueError, match="shard_records must be at least 1"):
        next(conversation_shards(path, FIXTURES, 0, MAX_TURNS))


def test_a_shard_ends_early_once_its_message_text_reaches_shard_bytes():
    path = FIXTURES / "chat.jsonl"
    records = [i for i in read(path) if isinstance(i, Record)]
    first = sum(len(m.content.encode()) for m in records[0].messages)
    shards = list(conversation_shards(path, FIXTURES, 1_000, MAX_TURNS, shard_bytes=first))
    assert shards[0][0] == records[:1]  # the first record alone fills the byte budget
    assert len(shards) > 1
    assert [i for r, q in shards for i in r] == records


def test_ids_are_deterministic_and_name_the_source(tmp_path):
    first, second = read(FIXTURES / "chat.jsonl"), read(FIXTURES / "chat.jsonl")
    assert [i.model_dump() for i in first] == [i.model_dump() for i in second]
    assert len({i.id for i in first}) == len(first)
    moved = tmp_path / "sub" / "chat.jsonl"
    moved.parent.mkdir()
    moved.write_bytes((FIXTURES / "chat.jsonl").read_bytes())
    elsewhere = read(moved, tmp_path)
    assert elsewhere[0].source.uri == "sub/chat.jsonl" and elsewhere[0].id != first[0].id
    with pytest.raises(ValueError, match="is not inside the sources folder"):
        read(FIXTURES / "chat.jsonl", tmp_path)


# The real datasets (non-commercial licences: read from ../shared, never copied here).


def test_real_esconv_train_first_conversations():
    path = shared_file("conversations/esconv/train.jsonl")
    items = read(path, path.parents[1])
    records, rejects = split(items)
    firsts = [r for r in records if r.labels.get("window", 1) == 1]
    assert len(firsts) == 910 and len(records) == 924 and rejects == []
    for record in records:
        assert len(record.messages) <= MAX_TURNS
        if "windows" in record.labels:
            assert record.lineage.parents and record.messages[0].role is Role.USER
    for record in records[:100]:
        assert_trainable(record)
        assert (
            record.source.locator.startswith("line ") and record.lineage.generator == "conversations:esconv"
        )
        assert set(record.labels["strategies"].split("|")) <= ESCONV_STRATEGIES
        assert {"emotion_type", "problem_type", "experience_type"} <= set(record.labels)
    source = [json.loads(line) for line in path.read_text().splitlines()]
    rated = [str(c["survey_score"]["seeker"].get("empathy", "")).isdigit() for c in source]
    assert ["seeker_empathy" in r.labels for r in firsts] == rated
    ends_on_seeker = [c["dialog"][-1]["speaker"] == "usr" for c in source]
    assert ["trailing_user_trimmed" in r.labels for r in firsts] == ends_on_seeker
    assert records[0].messages[0].content == source[0]["dialog"][0]["text"]


def test_real_failed_esconv_is_all_negative_samples():
    path = shared_file("conversations/esconv/FailedESConv.json")
    records, rejects = split(read(path, path.parents[1]))
    assert len([r for r in records if r.labels.get("window", 1) == 1]) == 196 and rejects == []
    assert all(r.labels["negative_sample"] is True for r in records)
    for record in records[:50]:
        assert_trainable(record)


def test_real_counselchat_one_record_per_answer():
    path = shared_file("conversations/counselchat/20200325_counsel_chat.csv")
    records, rejects = split(read(path, path.parents[1]))
    assert len(records) == 2129 and rejects == []
    assert len({r.labels["topic"] for r in records}) == 31
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for record, row in zip(records[:100], rows[:100], strict=True):
        assert_trainable(record)
        assert [m.content for m in record.messages] == [
            row["questionText"].strip(),
            row["answerText"].strip(),
        ]
        assert record.labels["topic"] == row["topic"] and record.source.licence == "MIT"


def test_real_empathetic_intents_afraid_file():
    path = shared_file("conversations/empatheticdialogues/annotated_subsample/afraid.csv")
    records, rejects = split(read(path, path.parents[2]))
    with path.open(newline="", encoding="utf-8") as handle:
        dialogues = {row["Dialog_ID"] for row in csv.DictReader(handle)}
    assert rejects == [] and len(records) == len(dialogues)
    assert records[0].source.locator == "hit:11660_conv:23320" and records[0].labels["emotion"] == "terrified"
    assert records[0].messages[1].content == "was it a gunshot?"
    for record in records[:100]:
        assert_trainable(record)
        assert record.labels["emotion"] and record.lineage.generator == "conversations:empatheticintents"
