"""Lines read with a cap on their length, so one 50 MB line is never held whole or parsed.

A line over the cap is read on in bounded chunks up to its newline, each chunk dropped as soon as it
is counted, and handed on as a `LongLine`: its number and size, nothing of its content (it may hold
private data). Memory stays at the cap plus one chunk, whatever the file holds.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol

from tasks.sourcing.limit_settings import over_cap
from tasks.sourcing.passages import BYTE_ORDER_MARKS, UnreadableDocument

_CHUNK = 1024 * 1024
# The BOM-less codec that gives a decoded line's size in the file's bytes (LE and BE sizes agree).
_SIZE_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}


@dataclass(frozen=True)
class LongLine:
    """A line over the cap, skipped unread: where it was and how long it was, never what it held."""

    number: int
    size: int

    def reason(self, cap: int) -> str:
        """Why the line was refused, naming the cap and the setting that raises it."""
        return over_cap(f"skipped unread: {self.size} bytes", "max_line_bytes", cap)


class LineTooLong(Exception):
    """A line over the cap where the reader cannot step over it (a CSV row may span lines)."""


class LineSource(Protocol):
    """What `byte_lines` reads from: a binary file, or one part of it (`file_parts.PartReader`)."""

    def readline(self, size: int = -1, /) -> bytes: ...


def byte_lines(handle: LineSource, cap: int) -> Iterator[tuple[int, bytes | LongLine]]:
    """Numbered lines (newline kept) of a binary file; one longer than `cap` bytes, its newline not
    counted, is skipped in chunks and given as a `LongLine`."""
    number = 0
    while line := handle.readline(cap + 1):
        number += 1
        if len(line) <= cap or line.endswith(b"\n"):
            yield number, line
            continue
        size = len(line)
        while not line.endswith(b"\n") and (line := handle.readline(_CHUNK)):
            size += len(line)
        yield number, LongLine(number, size - int(line.endswith(b"\n")))


def capped_text_lines(handle: IO[str], cap: int) -> Iterator[str]:
    """Lines of a text file for a reader that cannot skip one (CSV): a line over `cap` characters
    raises `LineTooLong` before more than `cap` of it is read."""
    number = 0
    while line := handle.readline(cap + 1):
        number += 1
        if len(line) > cap and not line.endswith("\n"):
            raise LineTooLong(over_cap(f"line {number} is longer", "max_line_bytes", cap, "characters"))
        yield line


def text_lines(handle: IO[bytes], cap: int) -> Iterator[str | LongLine]:
    """Decoded lines (without their newline) of a text file, UTF-8 unless a byte-order mark says
    UTF-16 or UTF-32; a line over `cap` bytes is a `LongLine`. Bytes that are not text in that
    encoding raise `UnreadableDocument` naming the byte."""
    head = handle.read(4)
    handle.seek(0)
    encoding = next((name for mark, name in BYTE_ORDER_MARKS if head.startswith(mark)), "utf-8")
    decoder, sizing = codecs.getincrementaldecoder(encoding)(), _SIZE_CODECS[encoding]
    parts: list[str] = []
    number, size, offset = 1, 0, 0
    while True:
        chunk = handle.read(_CHUNK)
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            label = encoding.removesuffix("-sig").upper()
            where = offset - pending + error.start
            raise UnreadableDocument(f"not {label} text ({error.reason} at byte {where})") from error
        offset += len(chunk)
        *ended, rest = text.split("\n")
        for piece in ended:
            size += len(piece.encode(sizing))
            yield "".join([*parts, piece]) if size <= cap else LongLine(number, size)
            parts, size, number = [], 0, number + 1
        size += len(rest.encode(sizing))
        # Past the cap the line's text is dropped at once; only its size is kept counting.
        parts = [*parts, rest] if size <= cap else []
        if not chunk:
            if size:
                yield "".join(parts) if size <= cap else LongLine(number, size)
            return
