"""Discovery never leaves `--sources`: links out, dangling links and special files are refused unread."""

import os
import socket
from pathlib import Path

import pytest

from tasks.records import QuarantineItem
from tasks.settings import PassageSettings
from tasks.shards import read_models
from tasks.sourcing import discovery
from tasks.sourcing.conversations import iter_conversations
from tasks.sourcing.discovery import DANGLING, OUTSIDE, discover, skipped_summary
from tasks.sourcing.documents import DOCUMENT_SUFFIXES, discovery_outcome, read_passages

SECRET = "FAKE_SECRET_VALUE=abc123"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A sources folder beside an outside folder holding a secret, with every kind of entry that
    must not be read: links out (file and folder), a dangling link, a link loop, a FIFO, a socket."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "env.txt").write_text(f"{SECRET}\n")
    (outside / "chat.jsonl").write_text('{"messages": []}\n')
    root = tmp_path / "sources"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "sleep.md").write_text("# Sleep\n\nRest helps.\n")
    (root / "notes" / "cover.png").write_bytes(b"\x89PNG")
    (root / "secret.txt").symlink_to(outside / "env.txt")
    (root / "environ.txt").symlink_to("/proc/self/environ")
    (root / "chat.jsonl").symlink_to(outside / "chat.jsonl")
    (root / "up").symlink_to(outside, target_is_directory=True)
    (root / "gone.txt").symlink_to(root / "nowhere.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "alias.md").symlink_to(root / "notes" / "sleep.md")
    (root / "notes-again").symlink_to(root / "notes", target_is_directory=True)
    os.mkfifo(root / "pipe.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "talk.vtt"))
    return root


def test_only_regular_files_inside_the_folder_are_documents(hostile):
    found = discover(hostile, (*DOCUMENT_SUFFIXES, ".jsonl"))
    assert [d.path for d in found.documents] == ["alias.md", "notes/sleep.md"]
    reasons = {item.raw: item.reasons[0] for item in found.refused}
    assert reasons == {
        "chat.jsonl": OUTSIDE,
        "environ.txt": OUTSIDE,
        "gone.txt": DANGLING,
        "loop.txt": "a loop of links; not read",
        "pipe.txt": "a FIFO (named pipe), not a regular file; not read",
        "secret.txt": OUTSIDE,
        "talk.vtt": "a socket, not a regular file; not read",
        "up": OUTSIDE,
    }
    assert {item.kind for item in found.refused} == {"document"}
    assert [(s.path, s.reason) for s in found.skipped] == [
        ("notes-again", "a link to a folder in the sources; read where it lies"),
        ("notes/cover.png", "no reader takes '.png' files"),
    ]
    assert skipped_summary(found.skipped, listed=1) == {
        "files": 2,
        "by_reason": {
            "a link to a folder in the sources; read where it lies": 1,
            "no reader takes '.png' files": 1,
        },
        "paths": ["notes-again"],
    }


def test_refusals_become_a_counted_quarantine_shard_without_the_secret(hostile, tmp_path):
    found = discover(hostile, DOCUMENT_SUFFIXES)
    outcome = discovery_outcome(found.refused, str(tmp_path / "work"))
    assert outcome.counts["document"].model_dump() == {
        "entered": 8,
        "kept": 0,
        "quarantined": 8,
        "deduplicated": 0,
    }
    items = list(read_models(outcome.quarantine, QuarantineItem))
    assert len(items) == outcome.quarantine.records == 8
    written = b"".join(p.read_bytes() for p in (tmp_path / "work").rglob("*") if p.is_file())
    assert b"FAKE_SECRET" not in written and str(tmp_path).encode() not in written


def test_a_link_changed_after_discovery_is_refused_when_read(hostile):
    found = discover(hostile, DOCUMENT_SUFFIXES)
    alias = next(d for d in found.documents if d.path == "alias.md")
    (hostile / "alias.md").unlink()
    (hostile / "alias.md").symlink_to(hostile.parent / "outside" / "env.txt")
    passages, refused = read_passages(hostile, alias, PassageSettings())
    assert passages == [] and refused[0].reasons == (OUTSIDE,)


def test_a_conversation_link_out_of_the_folder_is_one_quarantine_item(hostile):
    items = list(iter_conversations(hostile / "chat.jsonl", hostile, 40))
    assert len(items) == 1 and isinstance(items[0], QuarantineItem)
    assert items[0].reasons == (f"chat.jsonl: {OUTSIDE}",)


def test_a_folder_that_cannot_be_listed_is_refused_not_fatal(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("hidden")
    (tmp_path / "b.txt").write_text("open")
    scandir = os.scandir

    def refuse_locked(path):  # a chmod 0 folder, even when the tests run as root
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", refuse_locked)
    found = discover(tmp_path, DOCUMENT_SUFFIXES)
    assert [d.path for d in found.documents] == ["b.txt"]
    assert [(i.raw, i.reasons) for i in found.refused] == [
        ("locked", ("could not list the folder (Permission denied)",))
    ]
