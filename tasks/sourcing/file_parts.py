"""A large JSON Lines file cut into parts that separate tasks read at once, each cut at a line end.

One task per file left every other worker idle while a multi-GB corpus was read. A part knows the
number of its first line, so the locators, ids and records are the ones a single reader gives, and
the output does not depend on how the file was cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tasks.records import Contract

_CHUNK = 8 * 1024 * 1024
PARTED_SUFFIXES = frozenset({".jsonl"})


class FilePart(Contract):
    """Bytes [start, end) of a file (to its end when `end` is None), starting at line `first_line`."""

    start: int = 0
    end: int | None = None
    first_line: int = 1


WHOLE_FILE = FilePart()


def _newlines(handle: IO[bytes], start: int, stop: int) -> int:
    """Line ends in bytes [start, stop) of the file."""
    handle.seek(start)
    count, left = 0, stop - start
    while left > 0 and (chunk := handle.read(min(_CHUNK, left))):
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def _line_end_after(handle: IO[bytes], offset: int) -> int | None:
    """The offset just past the first line end at or after `offset`, or None if there is none."""
    handle.seek(offset)
    position = offset
    while chunk := handle.read(_CHUNK):
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)
    return None


def plan_parts(path: Path, part_bytes: int) -> list[FilePart]:
    """The file in as few parts of at most about `part_bytes` as it takes, of about equal size (each
    runs on to the next line end), so no part is left to run alone at the end; the whole file in one
    part when it is not a JSON Lines file or not larger than `part_bytes`."""
    size = path.stat().st_size
    if path.suffix.lower() not in PARTED_SUFFIXES or size <= part_bytes:
        return [WHOLE_FILE]
    count = -(-size // part_bytes)
    parts: list[FilePart] = []
    start, line = 0, 1
    with path.open("rb") as handle:
        for k in range(1, count):
            end = _line_end_after(handle, max(start, size * k // count))
            if end is None or end >= size:
                break
            parts.append(FilePart(start=start, end=end, first_line=line))
            line += _newlines(handle, start, end)
            start = end
    return [*parts, FilePart(start=start, end=None, first_line=line)]


class PartReader:
    """A binary file handle that reads one part: from its start, ending at its end."""

    def __init__(self, handle: IO[bytes], part: FilePart) -> None:
        self.handle, self.end = handle, part.end
        handle.seek(part.start)

    def readline(self, size: int = -1) -> bytes:
        if self.end is not None and self.handle.tell() >= self.end:
            return b""
        return self.handle.readline(size)
