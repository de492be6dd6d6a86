"""Conversation files read as a stream of entries, one conversation at a time, so a multi-GB file
never sits in memory.

JSONL is read line by line, a JSON array element by element, Parquet batch by batch and CSV row by
row. Input that cannot be read as a conversation (a malformed line, an unreadable tail) comes out as a
`Broken` entry naming where it is, so the caller can quarantine it rather than drop it silently.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from tasks.sourcing.bounded_lines import LineTooLong, LongLine, byte_lines, capped_text_lines
from tasks.sourcing.conversation_turns import BadConversation
from tasks.sourcing.file_parts import WHOLE_FILE, FilePart, PartReader
from tasks.sourcing.limit_settings import DEFAULT_LIMITS, over_cap

_CHUNK_CHARS = 1024 * 1024
_PARQUET_BATCH_ROWS = 1_000
_EXCERPT_CHARS = 500
_NON_SPACE = re.compile(r"\S")
_DECODER = json.JSONDecoder()


class UnreadableFile(Exception):
    """A whole file no layout can read; the message becomes the quarantine reason."""


@dataclass(frozen=True)
class Entry:
    """One conversation as read from a file, before it is checked: where it is and what it holds."""

    locator: str
    value: Any


@dataclass(frozen=True)
class Broken:
    """Input that could not be read as a conversation at all (a malformed line, an unreadable tail)."""

    locator: str
    problem: str
    raw: str


def excerpt(value: Any) -> str:
    """The start of a refused value as text, for the quarantine item's `raw`."""
    # CSV rows with more fields than the header carry them under a None key.
    text = (
        value
        if isinstance(value, str)
        else orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    )
    return text[:_EXCERPT_CHARS]


def jsonl_entries(
    path: Path, max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes, part: FilePart = WHOLE_FILE
) -> Iterator[Entry | Broken]:
    """One entry per non-blank line of a JSON Lines file (of one `part` of it); a line that is not
    JSON, or is longer than `max_line_bytes` (skipped unread, nothing of it kept), is a `Broken`."""
    with path.open("rb") as handle:
        for counted, line in byte_lines(PartReader(handle, part), max_line_bytes):
            number = counted + part.first_line - 1
            locator = f"line {number}"
            if isinstance(line, LongLine):
                yield Broken(locator, line.reason(max_line_bytes), "")
                continue
            line = line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
            if not line.strip():
                continue
            if b"\x00" in line:  # one torn or binary line is refused alone; the file reads on
                problem = "binary content (NUL bytes), not a JSON line"
                yield Broken(locator, problem, excerpt(line.decode("utf-8", "replace")))
                continue
            try:
                yield Entry(locator, orjson.loads(line))
            except orjson.JSONDecodeError as error:
                yield Broken(locator, f"not JSON ({error})", excerpt(line.decode("utf-8", "replace")))


class _JsonArray:
    """Elements of a top-level JSON array, decoded one at a time from a bounded text buffer."""

    def __init__(self, handle: IO[str], max_chars: int) -> None:
        self.handle, self.text, self.pos, self.eof = handle, "", 0, False
        self.max_chars = max_chars

    def _more(self, chars: int) -> None:
        chunk = self.handle.read(chars)
        self.text, self.pos, self.eof = self.text[self.pos :] + chunk, 0, not chunk

    def _next_char(self) -> str:
        """The next non-space character (left unconsumed), or "" at the end of the file."""
        while not (match := _NON_SPACE.search(self.text, self.pos)):
            self.pos = len(self.text)
            self._more(_CHUNK_CHARS)
            if self.eof:
                return ""
        self.pos = match.start()
        return self.text[self.pos]

    def _value(self) -> Any:
        chars = min(_CHUNK_CHARS, self.max_chars)
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
                # A value ending at the buffer's end may be a cut-off number: read on to be sure.
                if end < len(self.text) or self.eof:
                    self._within_cap(end)
                    self.pos = end
                    return value
            except json.JSONDecodeError:
                if self.eof:
                    raise
                self._within_cap(len(self.text))
            self._more(chars)
            chars = min(chars * 2, self.max_chars)

    def _within_cap(self, end: int) -> None:
        """Refuse an element longer than the cap: the buffer holds at most about twice the cap."""
        if end - self.pos > self.max_chars:
            found = "an array element is longer"
            raise BadConversation(over_cap(found, "max_line_bytes", self.max_chars, "characters"))

    def entries(self) -> Iterator[Entry | Broken]:
        index = 0
        try:
            if self._next_char() != "[":
                raise BadConversation("a .json conversation file must hold one JSON array")
            self.pos += 1
            closed = self._next_char() == "]"
            while not closed:
                self._next_char()
                yield Entry(f"item {index}", self._value())
                index += 1
                separator = self._next_char()
                if separator not in (",", "]"):
                    raise BadConversation(f"expected ',' or ']' after item {index - 1}")
                self.pos += 1
                closed = separator == "]"
            if self._next_char():
                raise BadConversation(f"content after the array's closing ']' (item {index} onward)")
        except (json.JSONDecodeError, UnicodeDecodeError, BadConversation) as error:
            problem = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raw = excerpt(self.text[self.pos :]) if len(self.text) - self.pos <= self.max_chars else ""
            yield Broken(f"item {index}", f"malformed JSON ({problem}); the rest of the file is unread", raw)


def json_array_entries(
    path: Path, max_chars: int = DEFAULT_LIMITS.max_line_bytes
) -> Iterator[Entry | Broken]:
    """One entry per element of a .json file holding one top-level array; an element longer than
    `max_chars` ends the file, which cannot be read on past it."""
    with path.open(encoding="utf-8-sig") as handle:
        yield from _JsonArray(handle, max_chars).entries()


def parquet_entries(path: Path, candidates: tuple[str, ...]) -> Iterator[Entry | Broken]:
    """Rows of the first of `candidates` (`messages`, `conversations`) the file has, plus ShareGPT's
    `system` column, batch by batch."""
    with path.open("rb") as handle:
        try:
            parquet = pq.ParquetFile(handle)
        except (pa.ArrowException, OSError) as error:
            raise UnreadableFile(f"not a readable Parquet file ({error})") from error
        names = parquet.schema_arrow.names
        column = next((c for c in candidates if c in names), None)
        if column is None:
            raise UnreadableFile(f"Parquet file has no messages or conversations column (columns: {names})")
        columns = [column, "system"] if column == "conversations" and "system" in names else [column]
        row = 0
        try:
            for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS, columns=columns):
                for value in batch.to_pylist():
                    yield Entry(f"row {row}", value)
                    row += 1
        except (pa.ArrowException, OSError) as error:
            yield Broken(f"row {row}", f"Parquet data unreadable from this row on ({error})", "")


def csv_rows(path: Path, max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes) -> Iterator[Entry | Broken]:
    """Data rows numbered from 0; a damaged row, or a line longer than `max_line_bytes` characters,
    ends the file, as a CSV reader cannot resync."""
    # Counselling answers exceed the csv module's default 128 KiB field limit; a quoted field spanning
    # lines is held to the line cap too.
    csv.field_size_limit(max_line_bytes)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(capped_text_lines(handle, max_line_bytes))
        row = 0
        while True:
            try:
                value = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError, LineTooLong) as error:
                yield Broken(f"row {row}", f"CSV unreadable from this row on ({error})", "")
                return
            yield Entry(f"row {row}", value)
            row += 1


def grouped(entries: Iterable[Entry | Broken], key: str) -> Iterator[Entry | Broken]:
    """Consecutive CSV rows sharing `key` as one entry located by that conversation id."""
    rows: list[dict[str, Any]] = []
    current = ""
    for entry in entries:
        ident = entry.value.get(key) if isinstance(entry, Entry) else None
        if rows and ident != current:
            yield Entry(current, rows)
            rows = []
        if isinstance(entry, Broken):
            yield entry
        elif not ident:
            yield Broken(entry.locator, f"row has no {key}", excerpt(entry.value))
        else:
            current = ident
            rows.append(entry.value)
    if rows:
        yield Entry(current, rows)
