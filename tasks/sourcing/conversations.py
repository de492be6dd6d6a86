"""Existing conversation datasets (chat JSONL, ShareGPT, Parquet, ESConv, CounselChat,
EmpatheticDialogues) into therapeutic records, streamed so a multi-GB file never sits in memory.

This module ties the pieces together: `conversation_layouts` says what a file holds,
`conversation_entries` streams it one conversation at a time and `conversation_turns` turns each into
messages. Every conversation becomes a record or a quarantine item naming the file, the line or row and
the problem: nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.records import LabelValue, Lineage, QuarantineItem, Record, RecordKind, SourceRef, content_id
from tasks.sourcing.conversation_entries import Broken, Entry, UnreadableFile, excerpt
from tasks.sourcing.conversation_layouts import Layout, detect_layout, layout_entries
from tasks.sourcing.conversation_turns import (
    BadConversation,
    Turns,
    chat_turns,
    counselchat_turns,
    empathetic_dialogues_turns,
    empathetic_intents_turns,
    esconv_turns,
    finish,
    parquet_turns,
    sharegpt_turns,
)

CONVERSATIONS_VERSION = "1"
SOURCE_TYPE = "conversation"


@dataclass(frozen=True)
class Dataset:
    """What a dataset layout tells about its origin: the dataset's name and licence."""

    title: str
    licence: str


DATASETS: dict[Layout, Dataset] = {
    Layout.ESCONV: Dataset("ESConv", "CC BY-NC 4.0"),
    Layout.COUNSELCHAT: Dataset("CounselChat", "MIT"),
    Layout.EMPATHETIC_DIALOGUES: Dataset("EmpatheticDialogues", "CC BY-NC 4.0"),
    Layout.EMPATHETIC_INTENTS: Dataset("EmpatheticDialogues (EmpatheticIntents labels)", "CC BY-NC 4.0"),
}
# ESConv ships the conversations it dropped at collection (low empathy or relevance ratings) in this
# file; they are labelled so a later stage can keep them out of positive training data.
_NEGATIVE_SAMPLE_FILES = frozenset({"failedesconv.json"})
# The parser that turns one entry of each layout into turns and labels.
CONVERTERS: dict[Layout, Callable[[Any], Turns]] = {
    Layout.CHAT: chat_turns,
    Layout.SHAREGPT: sharegpt_turns,
    Layout.PARQUET: parquet_turns,
    Layout.ESCONV: esconv_turns,
    Layout.COUNSELCHAT: counselchat_turns,
    Layout.EMPATHETIC_DIALOGUES: empathetic_dialogues_turns,
    Layout.EMPATHETIC_INTENTS: empathetic_intents_turns,
}


def _reject(uri: str, locator: str | None, problem: str, raw: str) -> QuarantineItem:
    where = f"{uri} {locator}" if locator else uri
    ident = hashlib.sha256(f"{uri}\x00{locator}\x00{problem}".encode()).hexdigest()[:24]
    return QuarantineItem(
        id=ident,
        stage="sourcing",
        kind=RecordKind.THERAPEUTIC.value,
        reasons=(f"{where}: {problem}",),
        raw=raw,
    )


@dataclass(frozen=True)
class _Origin:
    uri: str
    layout: Layout
    labels: dict[str, LabelValue]

    def convert(self, entry: Entry | Broken) -> Record | QuarantineItem:
        if isinstance(entry, Broken):
            return _reject(self.uri, entry.locator, entry.problem, entry.raw)
        try:
            turns, labels = CONVERTERS[self.layout](entry.value)
            messages, trimmed = finish(turns)
        except BadConversation as error:
            return _reject(self.uri, entry.locator, str(error), excerpt(entry.value))
        dataset = DATASETS.get(self.layout)
        source = SourceRef(
            type=SOURCE_TYPE,
            uri=self.uri,
            locator=entry.locator,
            licence=dataset.licence if dataset else None,
            title=dataset.title if dataset else None,
        )
        return Record(
            id=content_id(RecordKind.THERAPEUTIC, messages, source),
            kind=RecordKind.THERAPEUTIC,
            messages=messages,
            source=source,
            labels=labels | self.labels | ({"trimmed_trailing_user": True} if trimmed else {}),
            lineage=Lineage(generator=f"conversations:{self.layout.value}", version=CONVERSATIONS_VERSION),
        )


def _uri(path: Path, sources_root: Path) -> str:
    try:
        return path.resolve().relative_to(sources_root.resolve()).as_posix()
    except ValueError as error:
        raise ValueError(f"{path} is not inside the sources folder {sources_root}") from error


def iter_conversations(
    path: Path, sources_root: Path, layout: Layout | None = None
) -> Iterator[Record | QuarantineItem]:
    """Every conversation of one file, in file order, as a record or a quarantine item; at least one
    item per file, so an empty or unreadable file is accounted for too. `layout` overrides detection.

    ESConv's FailedESConv.json (one JSON array) is streamed element by element like any JSON array.
    """
    uri = _uri(path, sources_root)
    produced = 0
    failure: str | None = None
    try:
        chosen = layout or detect_layout(path)
        negative = path.name.lower() in _NEGATIVE_SAMPLE_FILES and chosen is Layout.ESCONV
        origin = _Origin(uri, chosen, {"negative_sample": True} if negative else {})
        for entry in layout_entries(path, chosen):
            produced += 1
            yield origin.convert(entry)
    except UnreadableFile as error:
        failure = str(error)
    except OSError as error:
        failure = f"could not read the file after {produced} items ({error.strerror or error})"
    if failure or not produced:
        yield _reject(uri, None, failure or "file holds no conversations", "")


def conversation_shards(
    path: Path, sources_root: Path, shard_records: int, layout: Layout | None = None
) -> Iterator[tuple[list[Record], list[QuarantineItem]]]:
    """`iter_conversations` in shards of at most `shard_records` items (records plus refusals), so a
    task holds one shard in memory whatever the file's size."""
    if shard_records < 1:
        raise ValueError(f"shard_records must be at least 1, got {shard_records}")
    records: list[Record] = []
    rejects: list[QuarantineItem] = []
    for item in iter_conversations(path, sources_root, layout):
        if isinstance(item, Record):
            records.append(item)
        else:
            rejects.append(item)
        if len(records) + len(rejects) == shard_records:
            yield records, rejects
            records, rejects = [], []
    if records or rejects:
        yield records, rejects
