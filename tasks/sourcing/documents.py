"""Plain-text and Markdown documents into located, paragraph-aware passages.

Project Gutenberg boilerplate is stripped so licences and headers never become training text;
hard-wrapped lines are joined back into paragraphs, and passages end on paragraph boundaries.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from prefect import task
from pydantic import BaseModel, ConfigDict

from tasks.accounting import Counts, ShardOutcome
from tasks.caching import SHARD_CACHE, work_path
from tasks.records import Passage, QuarantineItem
from tasks.settings import PassageSettings
from tasks.shards import sha256_file, write_shard

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown")
GUTENBERG_LICENCE = "Public domain in the USA (Project Gutenberg)"
_GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M)
_GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M)
_GUTENBERG_TAIL = re.compile(r"^End of (the |this )?Project Gutenberg", re.M | re.I)
_GUTENBERG_TITLE = re.compile(r"^Title:\s*(.+)$", re.M)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_PRODUCTION_CREDIT = re.compile(r"^(Produced by|E-text prepared by|Transcriber's note)", re.I)


class Document(BaseModel):
    """One source file, named relative to the sources folder so ids never carry absolute paths."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sha256: str
    bytes: int


def discover_documents(sources: Path) -> list[Document]:
    """Every .txt/.md file under `sources`, sorted, with its content hash."""
    if not sources.is_dir():
        raise FileNotFoundError(f"sources folder {sources} does not exist; pass --sources DIR")
    return [
        Document(
            path=path.relative_to(sources).as_posix(), sha256=sha256_file(path), bytes=path.stat().st_size
        )
        for path in sorted(sources.rglob("*"))
        if path.is_file() and path.suffix.lower() in DOCUMENT_SUFFIXES
    ]


def strip_gutenberg(text: str) -> tuple[str, str | None, str | None]:
    """Return (body, title, licence); texts without Gutenberg markers pass through unchanged."""
    start, end = _GUTENBERG_START.search(text), _GUTENBERG_END.search(text)
    if not start:
        return text, None, None
    title = _GUTENBERG_TITLE.search(text[: start.start()])
    body = text[start.end() : end.start() if end else len(text)]
    if tail := _GUTENBERG_TAIL.search(body):
        body = body[: tail.start()]
    return body, title.group(1).strip() if title else None, GUTENBERG_LICENCE


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
        text = re.sub(r"(\w)-\s+(\w)", r"\1\2", " ".join(lines))
        if not _PRODUCTION_CREDIT.match(text):
            yield heading, text


def chunk_passages(document: Document, text: str, settings: PassageSettings) -> list[Passage]:
    """Group paragraphs into passages of about `target_chars`, located by paragraph range."""
    body, title, licence = strip_gutenberg(text.replace("\r\n", "\n").replace("\r", "\n"))
    spans: list[tuple[str | None, int, int, list[str]]] = []
    for index, (heading, para) in enumerate(paragraphs(body), start=1):
        if spans and sum(map(len, spans[-1][3])) < settings.target_chars and spans[-1][0] == heading:
            section, first, _, texts = spans[-1]
            spans[-1] = (section, first, index, [*texts, para])
        else:
            spans.append((heading, index, index, [para]))
    if len(spans) > 1 and sum(map(len, spans[-1][3])) < settings.min_chars and spans[-2][0] == spans[-1][0]:
        tail = spans.pop()
        section, first, _, texts = spans[-1]
        spans[-1] = (section, first, tail[2], texts + tail[3])
    return [_passage(document, title, licence, span) for span in spans]


def _passage(
    document: Document, title: str | None, licence: str | None, span: tuple[str | None, int, int, list[str]]
) -> Passage:
    section, first, last, texts = span
    locator = f"¶{first}" if first == last else f"¶{first}-{last}"
    if section:
        locator = f"{section}, {locator}"
    text = "\n\n".join(texts)
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


def read_passages(
    sources: Path, document: Document, settings: PassageSettings
) -> tuple[list[Passage], list[QuarantineItem]]:
    """Passages of one document, or a quarantine item saying why the file could not be read."""
    try:
        text = (sources / document.path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [_reject(document, f"not UTF-8 text ({error.reason} at byte {error.start})")]
    passages = chunk_passages(document, text, settings)
    if not passages:
        return [], [_reject(document, "no text left after stripping headers and blank lines")]
    return passages, []


def _reject(document: Document, reason: str) -> QuarantineItem:
    return QuarantineItem(
        id=document.sha256[:24], stage="sourcing", kind="document", reasons=(reason,), raw=document.path
    )


@task(cache_policy=SHARD_CACHE, persist_result=True, retries=2, retry_delay_seconds=1)
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
