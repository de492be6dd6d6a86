"""The sourcing subflow over a hostile sources folder: links out of it, a dangling link, a FIFO, names
that are not UTF-8 or hold a newline, a malformed line with contact details and a caption file with
impossible times. The run completes, each is a quarantined item with its reason, and neither the
secret beside the folder nor the raw contact details reach any file the run writes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flows.sourcing import sourcing
from tasks.accounting import Counts, check_balanced
from tasks.records import Passage, QuarantineItem, Record
from tasks.shards import read_all
from tasks.sourcing.discovery import DANGLING, OUTSIDE
from tests.integration.runs import config_for

pytestmark = pytest.mark.integration

SECRET = "FAKE_SECRET_VALUE=abc123"
EMAIL, PHONE = "jane.doe@example.com", "+44 20 7946 0958"
CHAT = {
    "messages": [
        {"role": "user", "content": "I keep waking at 4am."},
        {"role": "assistant", "content": "That sounds exhausting. What runs through your mind then?"},
    ]
}
CAPTIONS = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:04.000\nWhen I can't sleep I get up and read.\n\n"
    "99:99:99.999 --> 99:99:99.999\nA cue from nowhere.\n\n"
    "00:00:09.000 --> 00:00:06.000\nA cue that ends before it starts.\n\n"
    "00:00:10.000 --> 00:00:12.000\nAfter twenty minutes I try again.\n"
)


def odd_name(folder: Path, name: bytes) -> Path:
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name))


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secrets.txt").write_text(f"{SECRET}\n")
    (outside / "chat.jsonl").write_text(json.dumps(CHAT) + "\n")
    root = tmp_path / "sources"
    root.mkdir()
    (root / "rest.md").write_text("# Rest\n\nA short walk before bed helps many people settle.\n")
    (root / "cover.png").write_bytes(b"\x89PNG\r\n")
    (root / "secrets.txt").symlink_to(outside / "secrets.txt")
    (root / "borrowed.jsonl").symlink_to(outside / "chat.jsonl")
    (root / "gone.vtt").symlink_to(root / "deleted.vtt")
    os.mkfifo(root / "pipe.txt")
    malformed = f'{{"messages": [{{"role": "user", "content": "write to {EMAIL} or ring {PHONE}"'
    odd_name(root, b"caf\xe9-chats.jsonl").write_text(json.dumps(CHAT) + "\n" + malformed + "\n")
    odd_name(root, b"night\nsession.vtt").write_text(CAPTIONS)
    return root


def test_a_hostile_sources_folder_is_read_safely(tmp_path, hostile, capfd):
    config = config_for(tmp_path, sources=str(hostile))
    result = sourcing(config)

    check_balanced("sourcing", result.counts)
    items = list(read_all(result.quarantine, QuarantineItem))
    refused = {item.raw: item.reasons for item in items if item.kind == "document"}
    assert refused == {
        "secrets.txt": (OUTSIDE,),
        "borrowed.jsonl": (OUTSIDE,),
        "gone.vtt": (DANGLING,),
        "pipe.txt": ("a FIFO (named pipe), not a regular file; not read",),
    }
    [line] = [item for item in items if item.kind == "therapeutic"]
    assert line.reasons[0].startswith("caf\\xe9-chats.jsonl line 2: not JSON (")
    assert line.raw is not None and "write to [EMAIL] or ring [PHONE]" in line.raw
    cues = [item.reasons[0] for item in items if item.kind == "caption_cue"]
    assert cues == [
        "night\\x0asession.vtt line 6: impossible cue time '99:99:99.999' "
        "(minutes and seconds must be under 60)",
        "night\\x0asession.vtt line 9: cue ends (00:00:06.000) before it starts (00:00:09.000)",
    ]
    assert result.counts["caption_cue"] == Counts(entered=4, kept=2, quarantined=2)
    assert result.counts["document"] == Counts(entered=6, kept=2, quarantined=4)
    assert [(s.path, s.reason) for s in result.skipped] == [("cover.png", "no reader takes '.png' files")]

    documents = {o.document.path: (o.kept, o.quarantined) for o in result.per_document()}
    assert documents == {"caf\\xe9-chats.jsonl": (1, 1), "night\\x0asession.vtt": (1, 2), "rest.md": (1, 0)}
    passages = list(read_all(result.passage_shards, Passage))
    assert {p.document for p in passages} == {"night\\x0asession.vtt", "rest.md"}
    [record] = read_all([o.kept for o in result.conversations], Record)
    assert record.source.uri == "caf\\xe9-chats.jsonl"

    run_files = [p for p in tmp_path.rglob("*") if _written_by_run(tmp_path, p) and p.is_file()]
    written = b"".join(p.read_bytes() for p in run_files)
    assert written  # the run wrote its shards, results and metadata there
    for leaked in (SECRET, "abc123", EMAIL, PHONE, str(tmp_path / "outside")):
        assert leaked.encode() not in written
    assert "Logging error" not in capfd.readouterr().err


def _written_by_run(root: Path, path: Path) -> bool:
    """Everything under the run's folders, not the sources or the outside folder it was given."""
    top = path.relative_to(root).parts[0]
    return top not in ("sources", "outside") and not path.is_fifo()
