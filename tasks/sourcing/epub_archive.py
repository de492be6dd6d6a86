"""EPUB archives opened under caps on what they unpack to, so a zip bomb is refused, not inflated.

The central directory is checked first (entry count, each entry's and the total unpacked size), before
any entry is read; then every entry ebooklib asks for is read through a bounded reader that counts the
bytes that actually come out, so a header that lies about a size, or a manifest naming one entry a
thousand times, stops at the same caps. Either way the book is refused with the cap and its setting.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ebooklib import epub

from tasks.sourcing.file_names import display_name
from tasks.sourcing.limit_settings import SourceLimits, over_cap
from tasks.sourcing.passages import UnreadableDocument

_CHUNK = 1024 * 1024
_NAME_CHARS = 80


def _entry(name: str) -> str:
    return repr(display_name(name)[:_NAME_CHARS])


def check_directory(entries: Sequence[zipfile.ZipInfo], limits: SourceLimits) -> None:
    """Refuse an archive whose central directory already says it is over a cap."""
    if len(entries) > limits.max_archive_entries:
        found = f"EPUB holds {len(entries)} entries"
        raise UnreadableDocument(
            over_cap(found, "max_archive_entries", limits.max_archive_entries, "entries")
        )
    largest = max(entries, key=lambda entry: entry.file_size, default=None)
    if largest is not None and largest.file_size > limits.max_entry_bytes:
        found = f"EPUB entry {_entry(largest.filename)} unpacks to {largest.file_size} bytes"
        raise UnreadableDocument(over_cap(found, "max_entry_bytes", limits.max_entry_bytes))
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_archive_bytes:
        found = f"EPUB unpacks to {total} bytes"
        raise UnreadableDocument(over_cap(found, "max_archive_bytes", limits.max_archive_bytes))


class _BoundedReader(epub.EpubReader):  # type: ignore[misc]  # ebooklib ships no type hints
    """ebooklib's reader, every entry read in chunks and counted against the caps as it unpacks."""

    def __init__(self, path: Path, limits: SourceLimits) -> None:
        super().__init__(str(path), {"ignore_ncx": False})
        self.limits = limits
        self.unpacked = 0

    def read_file(self, name: str) -> bytes:
        """One entry's bytes (KeyError if absent, as ebooklib expects), refused past a cap."""
        chunks: list[bytes] = []
        size = 0
        with self.zf.open(posixpath.normpath(name)) as entry:
            while chunk := entry.read(_CHUNK):
                size += len(chunk)
                self.unpacked += len(chunk)
                if size > self.limits.max_entry_bytes:
                    found = f"EPUB entry {_entry(name)} unpacks to more than its header said"
                    raise UnreadableDocument(over_cap(found, "max_entry_bytes", self.limits.max_entry_bytes))
                if self.unpacked > self.limits.max_archive_bytes:
                    found = "EPUB unpacks to more than its headers said (or names entries many times)"
                    raise UnreadableDocument(
                        over_cap(found, "max_archive_bytes", self.limits.max_archive_bytes)
                    )
                chunks.append(chunk)
        return b"".join(chunks)


def load_epub(path: Path, limits: SourceLimits) -> epub.EpubBook:
    """The book in an EPUB file, or `UnreadableDocument` naming the cap it is over; other damage
    raises what zipfile or ebooklib raise."""
    with zipfile.ZipFile(path) as archive:
        check_directory(archive.infolist(), limits)
    reader = _BoundedReader(path, limits)
    book = reader.load()
    reader.process()
    return book
