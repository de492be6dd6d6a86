"""Source documents into located, paragraph-aware passages: discovery, the plain-text reader, and
the one Prefect task that dispatches every file to its reader by suffix.

Project Gutenberg boilerplate is stripped so licences and headers never become training text;
hard-wrapped lines are joined back into paragraphs, and passages end on paragraph boundaries.
Books (.epub, .pdf) and captions (.vtt, .srt, .json3) have their own readers; a file none of them
can read becomes a quarantine item with the reason, never an exception that stops the run.
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
from tasks.settings import PassageSettings
from tasks.shards import sha256_file, write_shard
from tasks.sourcing import academic, books, transcripts
from tasks.sourcing.passages import (
    GUTENBERG_END,
    GUTENBERG_LICENCE,
    GUTENBERG_START,
    GUTENBERG_TAIL,
    Document,
    UnreadableDocument,
    group_units,
    make_passage,
    reject,
    undo_hyphenation,
)

_GUTENBERG_TITLE = re.compile(r"^Title:\s*(.+)$", re.M)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_PRODUCTION_CREDIT = re.compile(r"^(Produced by|E-text prepared by|Transcriber's note)", re.I)

Reader = Callable[[Path, Document, PassageSettings], list[Passage]]


def read_text(path: Path, document: Document, settings: PassageSettings) -> list[Passage]:
    """Passages of a UTF-8 .txt/.md file, located by paragraph number and Markdown heading."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    return chunk_passages(document, text, settings)


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".epub": books.read_epub,
    ".pdf": books.read_pdf,
    ".vtt": transcripts.read_vtt,
    ".srt": transcripts.read_srt,
    ".json": transcripts.read_json3,
    ".json3": transcripts.read_json3,
    ".xml": academic.read_pubmed_xml,
}
DOCUMENT_SUFFIXES = tuple(READERS)


def discover_documents(sources: Path, suffixes: Sequence[str] = DOCUMENT_SUFFIXES) -> list[Document]:
    """Every file under `sources` with one of `suffixes` (by default those the passage readers take),
    sorted by path and hashed."""
    if not sources.is_dir():
        raise FileNotFoundError(f"sources folder {sources} does not exist; pass --sources DIR")
    return [
        Document(
            path=path.relative_to(sources).as_posix(), sha256=sha256_file(path), bytes=path.stat().st_size
        )
        for path in sorted(sources.rglob("*"))
        if path.is_file() and path.suffix.lower() in suffixes
    ]


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


def read_passages(
    sources: Path, document: Document, settings: PassageSettings
) -> tuple[list[Passage], list[QuarantineItem]]:
    """Passages of one document by its suffix's reader, or a quarantine item saying why not."""
    reader = READERS.get(Path(document.path).suffix.lower())
    if reader is None:
        return [], [reject(document, f"no reader for {Path(document.path).suffix!r} files")]
    try:
        passages = reader(sources / document.path, document, settings)
    except UnreadableDocument as error:
        return [], [reject(document, str(error))]
    except OSError as error:
        return [], [reject(document, f"could not read the file ({error.strerror or error})")]
    if not passages:
        return [], [reject(document, "no text left after stripping headers and blank lines")]
    return passages, []


# The document's sha256 is its content; the folder holding it differs per machine, so it stays out of the
# key and a checkpoint made on one machine is reused on another.
DOCUMENT_CACHE = (INPUTS - "sources") + TASK_SOURCE + CODE_VERSION


@task(cache_policy=DOCUMENT_CACHE, persist_result=True, retries=2, retry_delay_seconds=1)
def passages_shard(
    sources: str, document: Document, settings: PassageSettings, work_dir: str
) -> ShardOutcome:
    """Read one document into a passage shard (one shard per document keeps locators together)."""
    passages, rejects = read_passages(Path(sources), document, settings)
    key = [document, settings]
    return ShardOutcome(
        name=document.path,
        kept=write_shard(work_path(work_dir, "sourcing/passages", key, "passages.jsonl"), passages),
        quarantine=write_shard(work_path(work_dir, "sourcing/quarantine", key, "documents.jsonl"), rejects),
        counts={"document": Counts(entered=1, kept=1 - len(rejects), quarantined=len(rejects))},
    )
