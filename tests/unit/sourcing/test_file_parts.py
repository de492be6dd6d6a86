import itertools
import json
from pathlib import Path

from tasks.records import QuarantineItem, Record
from tasks.shards import read_models
from tasks.sourcing.conversation_files import conversation_file_shards, file_parts
from tasks.sourcing.conversations import iter_conversations
from tasks.sourcing.file_parts import WHOLE_FILE, FilePart, plan_parts
from tasks.sourcing.limit_settings import SourceLimits
from tasks.sourcing.passages import Document

MAX_TURNS = 40


def _chat(i: int) -> bytes:
    messages = [
        {"role": "user", "content": f"I have not slept properly for {i} nights and work is piling up."},
        {"role": "assistant", "content": f"That sounds exhausting. What has night {i} been like?"},
    ]
    return json.dumps({"messages": messages}).encode() + b"\n"


def _corpus(tmp_path: Path) -> Path:
    """Chats with the things a cut could break: blank lines, a malformed line, one over the line cap."""
    lines = [_chat(i) for i in range(40)]
    lines[7] = b"\n"
    lines[12] = b"{not json\n"
    lines[25] = b'{"messages": "' + b"x" * 3_000 + b'"}\n'
    path = tmp_path / "chats.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def _items(path: Path, part: FilePart = WHOLE_FILE) -> list[Record | QuarantineItem]:
    limits = SourceLimits(max_line_bytes=2_000)
    return list(iter_conversations(path, path.parent, MAX_TURNS, limits=limits, part=part))


def test_parts_cut_at_line_ends_and_cover_the_file(tmp_path):
    path = _corpus(tmp_path)
    data = path.read_bytes()

    parts = plan_parts(path, 1_000)

    assert len(parts) > 3
    assert parts[0].start == 0 and parts[-1].end is None
    for before, after in itertools.pairwise(parts):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1
    assert len(parts) == -(-len(data) // 1_000)
    longest = max(len(line) for line in data.splitlines(keepends=True))
    assert all((p.end or len(data)) - p.start <= len(data) / len(parts) + longest for p in parts)


def test_the_parts_give_exactly_the_items_of_the_whole_file(tmp_path):
    path = _corpus(tmp_path)

    whole = _items(path)
    pieces = [item for part in plan_parts(path, 1_000) for item in _items(path, part)]

    assert pieces == whole
    assert {q.reasons[0].split(": ", 1)[0] for q in whole if isinstance(q, QuarantineItem)} == {
        "chats.jsonl line 13",
        "chats.jsonl line 26",
    }


def test_small_or_other_files_are_read_whole(tmp_path):
    path = _corpus(tmp_path)
    array = tmp_path / "chats.json"
    array.write_bytes(b"[" + b",".join(_chat(i).strip() for i in range(40)) + b"]")

    assert plan_parts(path, path.stat().st_size) == [WHOLE_FILE]
    assert plan_parts(array, 100) == [WHOLE_FILE]


def test_a_file_that_cannot_be_planned_is_left_whole_for_the_reader_to_refuse(tmp_path):
    (tmp_path / "inside").mkdir()
    outside = _corpus(tmp_path)
    (tmp_path / "inside" / "link.jsonl").symlink_to(outside)
    document = Document(path="link.jsonl", sha256="0" * 64, bytes=outside.stat().st_size)

    assert file_parts(tmp_path / "inside", document, 1_000) == [WHOLE_FILE]


def test_each_part_gets_shards_of_its_own_named_by_its_first_line(tmp_path):
    path = _corpus(tmp_path)
    document = Document(path="chats.jsonl", sha256="0" * 64, bytes=path.stat().st_size)
    limits = SourceLimits(max_line_bytes=2_000)
    parts = plan_parts(path, 2_000)

    shards = [
        shard
        for part in parts
        for shard in conversation_file_shards.fn(
            str(tmp_path), document, (1_000, 10**9), MAX_TURNS, str(tmp_path / "work"), limits, part
        )
    ]

    assert [s.name for s in shards] == [f"chats.jsonl#{p.first_line}-0" for p in parts]
    records = [r for s in shards for r in read_models(s.kept, Record)]
    assert records == [r for r in _items(path) if isinstance(r, Record)]
