"""What every reader shares: the document it reads, how located units are grouped into passages of
about `target_chars`, and how a passage or a refusal is named.

Books, transcripts and plain text are cut by the same rule, so a passage means the same thing
whatever file it came from; only the locator (paragraph, page, timestamp) differs.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from tasks.accounting import Counts
from tasks.records import Passage, QuarantineItem
from tasks.settings import PassageSettings

GUTENBERG_LICENCE = "Public domain in the USA (Project Gutenberg)"
GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M)
GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M)
GUTENBERG_TAIL = re.compile(r"^End of (the |this )?Project Gutenberg", re.M | re.I)
# Footnote markers: "[12]" anywhere, Unicode superscript digits glued to a word, and ASCII digits
# glued to closing punctuation ("the like.1 We"), where a digit cannot be part of the text.
_FOOTNOTE_MARKS = re.compile(r"\s?\[\d{1,3}\]|(?<=\w)[⁰¹²³⁴⁵⁶⁷⁸⁹]+|(?<=[a-z][.,;:!?”’\"')])\d{1,3}(?=\s|$)")


class Document(BaseModel):
    """One source file, named relative to the sources folder so ids never carry absolute paths."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sha256: str
    bytes: int


class UnreadableDocument(Exception):
    """A file its reader cannot turn into passages; the message becomes the quarantine reason."""


@dataclass(frozen=True)
class Reading:
    """What a reader made of one file: its passages, and the parts of it it refused (a caption cue
    with an impossible time), each a quarantine item, with `parts` counting them per kind of part."""

    passages: list[Passage]
    refused: list[QuarantineItem] = field(default_factory=list)
    parts: dict[str, Counts] = field(default_factory=dict)


# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Text carries tabs, line ends and form feeds; more than this share of other control characters is
# not text someone wrote (escape sequences in a log are, but stay well under it).
_MAX_CONTROL_SHARE = 0.05
_NUL_BYTES = "binary content (NUL bytes); UTF-16 or UTF-32 text needs its byte-order mark"
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_text(data: bytes) -> str:
    """A text file's content, UTF-8 unless a byte-order mark says UTF-16 or UTF-32; binary content
    (NUL bytes, mostly control characters) is refused, as it would become nonsense passages."""
    encoding = next((name for mark, name in BYTE_ORDER_MARKS if data.startswith(mark)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        label = encoding.removesuffix("-sig").upper()
        raise UnreadableDocument(f"not {label} text ({error.reason} at byte {error.start})") from error
    return refuse_binary(text)


def refuse_binary(text: str) -> str:
    """`text` unchanged, unless it holds NUL bytes or is mostly control characters: binary content
    decoded as text would become nonsense passages."""
    if "\x00" in text:
        raise UnreadableDocument(_NUL_BYTES)
    controls = len(_BINARY_CONTROLS.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise UnreadableDocument(f"binary content ({controls} control characters in {len(text)})")
    return text


class HasText(Protocol):
    @property
    def text(self) -> str: ...


Unit = TypeVar("Unit", bound=HasText)


def group_units(
    units: Iterable[tuple[str | None, Unit]], settings: PassageSettings
) -> list[tuple[str | None, list[Unit]]]:
    """Group (section, unit) pairs into runs of about `target_chars` that never cross a section.

    A run closes once it reaches the target; a trailing run under `min_chars` joins the one before
    it when both share a section, so no passage is a stray sentence at the end of a chapter.
    """
    spans: list[tuple[str | None, list[Unit]]] = []
    for section, unit in units:
        if spans and spans[-1][0] == section and _size(spans[-1][1]) < settings.target_chars:
            spans[-1][1].append(unit)
        else:
            spans.append((section, [unit]))
    if len(spans) > 1 and _size(spans[-1][1]) < settings.min_chars and spans[-2][0] == spans[-1][0]:
        spans[-2][1].extend(spans.pop()[1])
    return spans


def _size(units: Sequence[HasText]) -> int:
    return sum(len(unit.text) for unit in units)


def make_passage(
    document: Document, locator: str, text: str, title: str | None, licence: str | None
) -> Passage:
    """A passage whose id hashes the document's content, the locator and the text, never a path."""
    ident = hashlib.sha256(f"{document.sha256}:{locator}:{text}".encode()).hexdigest()[:24]
    return Passage(
        id=ident,
        document=document.path,
        document_sha256=document.sha256,
        locator=locator,
        text=text,
        title=title or Path(document.path).stem,
        licence=licence,
    )


def reject(document: Document, reason: str) -> QuarantineItem:
    """The quarantine item for a whole document its reader refused."""
    return QuarantineItem(
        id=document.sha256[:24], stage="sourcing", kind="document", reasons=(reason,), raw=document.path
    )


def reject_part(document: Document, kind: str, locator: str, problem: str, raw: str) -> QuarantineItem:
    """The quarantine item for one part of a document (a caption cue) refused while the rest is read."""
    ident = hashlib.sha256(f"{document.sha256}:{locator}:{problem}".encode()).hexdigest()[:24]
    return QuarantineItem(
        id=ident, stage="sourcing", kind=kind, reasons=(f"{document.path} {locator}: {problem}",), raw=raw
    )


def strip_footnote_marks(text: str) -> str:
    """Drop footnote reference marks that extraction glues onto words ("like.1", "word²", "[3]")."""
    return _FOOTNOTE_MARKS.sub("", text)


def undo_hyphenation(text: str) -> str:
    """Join words a typesetter broke across lines ("reli- gious"); capitals after a break keep it."""
    return re.sub(r"(\w)-\s+([a-z])", r"\1\2", text)
