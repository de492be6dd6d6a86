"""Source documents into located, paragraph-aware passages: discovery, the plain-text reader, and
the one Prefect task that dispatches every file to its reader by suffix.

Project Gutenberg boilerplate is stripped so licences and headers never become training text;
hard-wrapped lines are joined back into paragraphs, and passages end on paragraph boundaries.
Books (.epub, .pdf) and captions (.vtt, .srt, .json3) have their own readers; a file none of them
can read becomes a quarantine item with the reason, never an exception that stops the run, and so does
a part of a file a reader refused (a caption cue with impossible times), counted per kind of part.
Every file is found through `discovery.source_path`, so no reader follows a link out of `--sources`.
Text and EPUB readers work under `SourceLimits`: a text line or an EPUB over a cap is refused with the
cap and the setting that raises it, before it is held in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE

from tasks.accounting import Counts, ShardOutcome
from tasks.caching import CODE_VERSION, work_path
from tasks.records import Passage, QuarantineItem
from tasks.retries import SHARD_RETRIES
from tasks.settings import PassageSettings
from tasks.shards import write_shard
from tasks.sourcing import academic, books, transcripts
from tasks.sourcing.bounded_lines import LongLine, text_lines
from tasks.sourcing.discovery import discover, os_reason, source_path
from tasks.sourcing.limit_settings import DEFAULT_LIMITS, SourceLimits, over_cap
from tasks.sourcing.passages import (
    GUTENBERG_END,
    GUTENBERG_LICENCE,
    GUTENBERG_START,
    GUTENBERG_TAIL,
    Document,
    Reading,
    UnreadableDocument,
    group_units,
    make_passage,
    refuse_binary,
    reject,
    reject_part,
    undo_hyphenation,
)
from tasks.sourcing.quarantine import write_quarantine

_GUTENBERG_TITLE = re.compile(r"^Title:\s*(.+)$", re.M)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_PRODUCTION_CREDIT = re.compile(r"^(Produced by|E-text prepared by|Transcriber's note)", re.I)

Reader = Callable[[Path, Document, PassageSettings, SourceLimits], Reading]
WholeFileReader = Callable[[Path, Document, PassageSettings], list[Passage]]
UncappedReader = Callable[[Path, Document, PassageSettings], Reading]
# The quarantine kind, and the stage count's kind, of a text line over the line cap.
LINE_KIND = "text_line"


def whole(reader: WholeFileReader) -> Reader:
    """A reader that refuses only whole files (it raises UnreadableDocument), as one giving a Reading."""

    def read(path: Path, document: Document, settings: PassageSettings, _limits: SourceLimits) -> Reading:
        return Reading(reader(path, document, settings))

    return read


def uncapped(reader: UncappedReader) -> Reader:
    """A reader that no source cap applies to, as one taking the limits."""

    def read(path: Path, document: Document, settings: PassageSettings, _limits: SourceLimits) -> Reading:
        return reader(path, document, settings)

    return read


def read_text(
    path: Path, document: Document, settings: PassageSettings, limits: SourceLimits = DEFAULT_LIMITS
) -> Reading:
    """Passages of a .txt/.md file (UTF-8, or UTF-16/32 with a byte-order mark), located by paragraph
    number and Markdown heading; binary content is refused. A line over `limits.max_line_bytes` is
    skipped unread and refused alone; text lines are counted only in a file where one was."""
    cap = limits.max_line_bytes
    with path.open("rb") as handle:
        lines = list(text_lines(handle, cap))
    long = [line for line in lines if isinstance(line, LongLine)]
    text = refuse_binary("\n".join("" if isinstance(line, LongLine) else line for line in lines))
    refused = [reject_part(document, LINE_KIND, f"line {line.number}", line.reason(cap), "") for line in long]
    counts = Counts(entered=len(lines), kept=len(lines) - len(long), quarantined=len(long))
    return Reading(chunk_passages(document, text, settings), refused, {LINE_KIND: counts} if long else {})


def read_epub(path: Path, document: Document, settings: PassageSettings, limits: SourceLimits) -> Reading:
    """Passages of an EPUB, refused whole when it is over one of the archive caps."""
    return Reading(books.read_epub(path, document, settings, limits))


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".epub": read_epub,
    ".pdf": whole(books.read_pdf),
    ".vtt": uncapped(transcripts.read_vtt),
    ".srt": uncapped(transcripts.read_srt),
    ".json": uncapped(transcripts.read_json3),
    ".json3": uncapped(transcripts.read_json3),
    ".xml": whole(academic.read_pubmed_xml),
}
DOCUMENT_SUFFIXES = tuple(READERS)
# Read entry by entry under the archive caps, not whole: `max_document_bytes` does not apply.
ARCHIVES = frozenset({".epub"})


def discover_documents(sources: Path, suffixes: Sequence[str] = DOCUMENT_SUFFIXES) -> list[Document]:
    """The readable documents under `sources` with one of `suffixes` (by default those the passage
    readers take), sorted by path and hashed; `discovery.discover` also says what it refused."""
    return discover(sources, suffixes).documents


def strip_gutenberg(text: str) -> tuple[str, str | None, str | None]:
    """Return (body, title, licence); texts without Gutenberg markers pass through unchanged."""
    start, end = GUTENBERG_START.search(text), GUTENBERG_END.search(text)
    if not start:
        return text, None, None
    title = _GUTENBERG_TITLE.search(text[: start.start()])
    body = text[start.end() : end.start() if end else len(text)]
    if tail := GUTENBERG_TAIL.search(body):
        body = body[: tail.start()]
    return body, title.group(1).strip() if title else None, GUTENBERG_LICENCE


@dataclass(frozen=True)
class _Paragraph:
    number: int
    text: str


def paragraphs(body: str) -> Iterator[tuple[str | None, str]]:
    """Yield (section heading, paragraph) with hard-wrapped lines joined and hyphenation undone."""
    heading: str | None = None
    for block in re.split(r"\n\s*\n", body):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and (match := _MARKDOWN_HEADING.match(lines[0])):
            heading = match.group(1)
            continue
        text = undo_hyphenation(" ".join(lines))
        if not _PRODUCTION_CREDIT.match(text):
            yield heading, text


def chunk_passages(document: Document, text: str, settings: PassageSettings) -> list[Passage]:
    """Group paragraphs into passages of about `target_chars`, located by paragraph range."""
    body, title, licence = strip_gutenberg(text.replace("\r\n", "\n").replace("\r", "\n"))
    numbered = (
        (heading, _Paragraph(number, para))
        for number, (heading, para) in enumerate(paragraphs(body), start=1)
    )
    passages = []
    for section, group in group_units(numbered, settings):
        first, last = group[0].number, group[-1].number
        locator = f"¶{first}" if first == last else f"¶{first}-{last}"
        locator = f"{section}, {locator}" if section else locator
        passages.append(make_passage(document, locator, "\n\n".join(p.text for p in group), title, licence))
    return passages


def read_document(
    sources: Path, document: Document, settings: PassageSettings, limits: SourceLimits = DEFAULT_LIMITS
) -> Reading:
    """One document read by its suffix's reader under `limits`; a file it refuses whole is a Reading
    with no passages and one quarantine item saying why."""
    suffix = Path(document.path).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        return Reading([], [reject(document, f"no reader for {suffix!r} files")])
    try:
        path = source_path(sources, document.path)
        size = path.stat().st_size  # now, not at discovery: the file may have grown since
        if suffix not in ARCHIVES and size > limits.max_document_bytes:
            found = f"the file holds {size} bytes"
            return Reading(
                [], [reject(document, over_cap(found, "max_document_bytes", limits.max_document_bytes))]
            )
        reading = reader(path, document, settings, limits)
    except UnreadableDocument as error:
        return Reading([], [reject(document, str(error))])
    except OSError as error:
        return Reading([], [reject(document, f"could not read the file ({os_reason(error)})")])
    if not reading.passages:
        reason = "no text left after stripping headers and blank lines"
        return Reading([], [*reading.refused, reject(document, reason)], reading.parts)
    return reading


def read_passages(
    sources: Path, document: Document, settings: PassageSettings, limits: SourceLimits = DEFAULT_LIMITS
) -> tuple[list[Passage], list[QuarantineItem]]:
    """Passages of one document and the quarantine items of what was refused (the whole file, or
    parts of it)."""
    reading = read_document(sources, document, settings, limits)
    return reading.passages, reading.refused


def discovery_outcome(refused: Sequence[QuarantineItem], work_dir: str) -> ShardOutcome:
    """The entries discovery refused unread (links out, special files), as a scrubbed quarantine shard
    counted as documents."""
    count = len(refused)
    return ShardOutcome(
        name="discovery",
        kept=write_shard(work_path(work_dir, "sourcing/discovery", list(refused), "kept.jsonl"), []),
        quarantine=write_quarantine(
            work_path(work_dir, "sourcing/discovery", list(refused), "refused.jsonl"), refused
        ),
        counts={"document": Counts(entered=count, quarantined=count)} if count else {},
    )


# The document's sha256 is its content; the folder holding it differs per machine, so it stays out of the
# key and a checkpoint made on one machine is reused on another.
DOCUMENT_CACHE = (INPUTS - "sources") + TASK_SOURCE + CODE_VERSION


@task(
    cache_policy=DOCUMENT_CACHE,
    persist_result=True,
    **SHARD_RETRIES,
    task_run_name="passages_shard-{document.path}",
)
def passages_shard(
    sources: str,
    document: Document,
    settings: PassageSettings,
    work_dir: str,
    limits: SourceLimits = DEFAULT_LIMITS,
) -> ShardOutcome:
    """Read one document into a passage shard (one shard per document keeps locators together), its
    refusals into a scrubbed quarantine shard, counting the document and any parts refused."""
    reading = read_document(Path(sources), document, settings, limits)
    key = [document, settings, limits]
    read = bool(reading.passages)
    return ShardOutcome(
        name=document.path,
        kept=write_shard(work_path(work_dir, "sourcing/passages", key, "passages.jsonl"), reading.passages),
        quarantine=write_quarantine(
            work_path(work_dir, "sourcing/quarantine", key, "documents.jsonl"), reading.refused
        ),
        counts={"document": Counts(entered=1, kept=int(read), quarantined=int(not read)), **reading.parts},
    )
