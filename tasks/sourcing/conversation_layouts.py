"""Which conversation layout a file holds (chat JSONL, ShareGPT, Parquet, ESConv, CounselChat,
EmpatheticDialogues), sniffed from its suffix and first records, and which reader streams it.

Detection looks at the CSV header or at most the first few records, never the whole file, so a
multi-GB file is identified as cheaply as a small one; a file no layout fits is an `UnreadableFile`
whose message says how to choose a layout by hand.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from tasks.sourcing.bounded_lines import LineTooLong, capped_text_lines
from tasks.sourcing.conversation_entries import (
    Broken,
    Entry,
    UnreadableFile,
    csv_rows,
    grouped,
    json_array_entries,
    jsonl_entries,
    parquet_entries,
)
from tasks.sourcing.file_parts import WHOLE_FILE, FilePart
from tasks.sourcing.limit_settings import DEFAULT_LIMITS, SourceLimits

CONVERSATION_SUFFIXES = (".jsonl", ".json", ".parquet", ".csv")
_SNIFF_ITEMS = 50
_JSON3_KEY = re.compile(rb'"(wireMagic|events)"\s*:')


class Layout(StrEnum):
    """A file shape the conversation readers know; `PARQUET` holds either the chat or the ShareGPT column."""

    CHAT = "chat"
    SHAREGPT = "sharegpt"
    PARQUET = "parquet"
    ESCONV = "esconv"
    COUNSELCHAT = "counselchat"
    EMPATHETIC_DIALOGUES = "empatheticdialogues"
    EMPATHETIC_INTENTS = "empatheticintents"


# CSV layouts by the header columns each needs, checked in this order.
_CSV_HEADERS: tuple[tuple[Layout, frozenset[str]], ...] = (
    (Layout.COUNSELCHAT, frozenset({"questionText", "answerText"})),
    (Layout.EMPATHETIC_DIALOGUES, frozenset({"conv_id", "utterance_idx", "speaker_idx", "utterance"})),
    (Layout.EMPATHETIC_INTENTS, frozenset({"Dialog_ID", "Type", "Actor", "Text"})),
)

# The Parquet column each layout reads; one without its own tries the chat column, then ShareGPT's.
_PARQUET_COLUMNS: dict[Layout, tuple[str, ...]] = {
    Layout.CHAT: ("messages",),
    Layout.SHAREGPT: ("conversations",),
}


def _first_char(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def layout_entries(
    path: Path, layout: Layout, limits: SourceLimits = DEFAULT_LIMITS, part: FilePart = WHOLE_FILE
) -> Iterator[Entry | Broken]:
    """The entries of a file read the way its layout needs: CSV rows alone or grouped into
    conversations, Parquet rows, JSON array elements or JSON lines, none longer than the line cap."""
    cap = limits.max_line_bytes
    if layout is Layout.COUNSELCHAT:
        return csv_rows(path, cap)
    if layout is Layout.EMPATHETIC_DIALOGUES:
        return grouped(csv_rows(path, cap), "conv_id")
    if layout is Layout.EMPATHETIC_INTENTS:
        return grouped(csv_rows(path, cap), "Dialog_ID")
    if layout is Layout.PARQUET or path.suffix.lower() == ".parquet":
        return parquet_entries(path, _PARQUET_COLUMNS.get(layout, ("messages", "conversations")))
    if path.suffix.lower() == ".json" and _first_char(path) == b"[":
        return json_array_entries(path, cap)
    return jsonl_entries(path, cap, part)


def is_conversation_file(path: Path) -> bool:
    """Whether the conversation readers own this file: .jsonl, .parquet, .csv, and .json unless it is
    a YouTube json3 caption file (those belong to the transcript reader)."""
    suffix = path.suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        return False
    if suffix != ".json":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # the reader quarantines it with the reason
    return not (head.lstrip().startswith(b"{") and _JSON3_KEY.search(head))


def _shape(value: Any) -> Layout | None:
    if isinstance(value, dict):
        for key, layout in (("messages", Layout.CHAT), ("conversations", Layout.SHAREGPT)):
            if isinstance(value.get(key), list):
                return layout
        if isinstance(value.get("dialog"), list):
            return Layout.ESCONV
    return None


def _csv_layout(path: Path, max_line_bytes: int) -> Layout:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(capped_text_lines(handle, max_line_bytes)), [])
    except (csv.Error, UnicodeDecodeError, LineTooLong) as error:
        raise UnreadableFile(f"CSV header unreadable ({error})") from error
    for layout, required in _CSV_HEADERS:
        if required <= set(header):
            return layout
    raise UnreadableFile(
        f"CSV header {header[:12]} matches no conversation layout (CounselChat questionText/answerText, "
        "EmpatheticDialogues conv_id/utterance, EmpatheticIntents Dialog_ID/Text); pass layout= to choose one"
    )


def detect_layout(path: Path, limits: SourceLimits = DEFAULT_LIMITS) -> Layout:
    """The layout of a file from its suffix and its first records (or CSV header), each read under
    the line cap."""
    suffix = path.suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        raise UnreadableFile(
            f"{suffix or 'no suffix'} is not a conversation file suffix {CONVERSATION_SUFFIXES}"
        )
    if path.stat().st_size == 0:
        raise UnreadableFile("empty file")
    if suffix == ".parquet":
        return Layout.PARQUET
    if suffix == ".csv":
        # A CSV reader cannot step over a damaged row, so binary content refuses the file; JSON Lines
        # are judged line by line (`jsonl_entries`), a bad line refused alone.
        with path.open("rb") as handle:
            if b"\x00" in handle.read(8192):
                raise UnreadableFile("binary content (NUL bytes), not a .csv text file")
        return _csv_layout(path, limits.max_line_bytes)
    seen = 0
    broken: list[Broken] = []
    for entry in layout_entries(path, Layout.CHAT, limits):
        if isinstance(entry, Entry) and (layout := _shape(entry.value)):
            return layout
        seen += 1
        broken += [entry] if isinstance(entry, Broken) else []
        if seen == _SNIFF_ITEMS:
            break
    if not seen:
        raise UnreadableFile("file holds no conversations")
    if len(broken) == seen:
        raise UnreadableFile(
            f"none of the first {seen} records is JSON ({broken[0].locator}: {broken[0].problem})"
        )
    raise UnreadableFile(
        f"no conversation layout in the first {seen} records (a 'messages', 'conversations' or 'dialog' "
        "list); pass layout= to choose one"
    )
