"""Existing conversation datasets (chat JSONL, ShareGPT, Parquet, ESConv, CounselChat,
EmpatheticDialogues) into therapeutic records, streamed so a multi-GB file never sits in memory.

This module ties the pieces together: `conversation_layouts` says what a file holds,
`conversation_entries` streams it one conversation at a time and `conversation_turns` turns each into
messages. Every conversation becomes a record or a quarantine item naming the file, the line or row and
the problem: nothing is dropped silently. The file is found through `discovery.source_path`, so a link
out of the sources folder is refused, not read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
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
    parquet_turns,
    sharegpt_turns,
)
from tasks.sourcing.conversation_windows import Normalised, normalise
from tasks.sourcing.discovery import os_reason, source_path
from tasks.sourcing.file_names import display_name
from tasks.sourcing.file_parts import WHOLE_FILE, FilePart
from tasks.sourcing.limit_settings import DEFAULT_LIMITS, SourceLimits
from tasks.sourcing.passages import UnreadableDocument

CONVERSATIONS_VERSION = "2"
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


_NORMALISATION_LABELS = ("turns_merged", "leading_assistant_trimmed", "trailing_user_trimmed")


def _normalisation_labels(normalised: Normalised) -> dict[str, LabelValue]:
    counts = (normalised.merged, normalised.leading_trimmed, normalised.trailing_trimmed)
    return {name: count for name, count in zip(_NORMALISATION_LABELS, counts, strict=True) if count}


def normalisation_tally(records: Iterable[Record]) -> dict[str, int]:
    """What normalising took over these records, counted once per conversation (from its first window):
    conversations, the windows they became, conversations cut, turns merged and turns trimmed."""
    tally = dict.fromkeys(("conversations", "windows", "conversations_cut", *_NORMALISATION_LABELS), 0)
    for record in records:
        tally["windows"] += 1
        if record.labels.get("window", 1) != 1:
            continue
        tally["conversations"] += 1
        tally["conversations_cut"] += int("windows" in record.labels)
        for label in _NORMALISATION_LABELS:
            count = record.labels.get(label, 0)
            tally[label] += count if isinstance(count, int) else 0
    return tally


@dataclass(frozen=True)
class _Origin:
    uri: str
    layout: Layout
    labels: dict[str, LabelValue]
    max_turns: int

    def convert(self, entry: Entry | Broken) -> list[Record] | QuarantineItem:
        """The conversation's windows as records (one unless it was cut), or why it cannot be used."""
        if isinstance(entry, Broken):
            return _reject(self.uri, entry.locator, entry.problem, entry.raw)
        try:
            turns, labels = CONVERTERS[self.layout](entry.value)
            normalised = normalise(turns, self.max_turns)
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
        common = labels | self.labels | _normalisation_labels(normalised)
        count = len(normalised.windows)
        # Windows name the whole conversation as their parent; the split keeps one source locator together.
        parents = (content_id(RecordKind.THERAPEUTIC, normalised.messages, source),) if count > 1 else ()
        return [
            Record(
                id=content_id(RecordKind.THERAPEUTIC, window, source),
                kind=RecordKind.THERAPEUTIC,
                messages=window,
                source=source,
                labels=common | ({"window": number, "windows": count} if count > 1 else {}),
                lineage=Lineage(
                    generator=f"conversations:{self.layout.value}",
                    version=CONVERSATIONS_VERSION,
                    parents=parents,
                ),
            )
            for number, window in enumerate(normalised.windows, 1)
        ]


def _uri(path: Path, sources_root: Path) -> str:
    """The file's name in the sources folder, escaped; a link keeps its own name (its folders are
    resolved, not the link itself)."""
    try:
        return display_name(path.parent.resolve().joinpath(path.name).relative_to(sources_root.resolve()))
    except ValueError as error:
        raise ValueError(
            f"{display_name(path)} is not inside the sources folder {display_name(sources_root)}"
        ) from error


def iter_conversations(
    path: Path,
    sources_root: Path,
    max_turns: int,
    layout: Layout | None = None,
    limits: SourceLimits = DEFAULT_LIMITS,
    part: FilePart = WHOLE_FILE,
) -> Iterator[Record | QuarantineItem]:
    """Every conversation of one file, in file order, as its window records or a quarantine item; at
    least one item per file, so an empty or unreadable file is accounted for too. Windows hold at most
    `max_turns` turns besides a system prompt. `layout` overrides detection; no line over `limits`'
    line cap is read.

    ESConv's FailedESConv.json (one JSON array) is streamed element by element like any JSON array.
    A `part` of a JSON Lines file gives exactly the items a whole read gives for its lines.
    """
    uri = _uri(path, sources_root)
    produced = 0
    failure: str | None = None
    try:
        source_path(sources_root, uri)  # refuses a link out of the folder, or a FIFO, before it is opened
        chosen = layout or detect_layout(path, limits)
        negative = path.name.lower() in _NEGATIVE_SAMPLE_FILES and chosen is Layout.ESCONV
        origin = _Origin(uri, chosen, {"negative_sample": True} if negative else {}, max_turns)
        for entry in layout_entries(path, chosen, limits, part):
            produced += 1
            converted = origin.convert(entry)
            yield from converted if isinstance(converted, list) else (converted,)
    except (UnreadableFile, UnreadableDocument) as error:
        failure = str(error)
    except OSError as error:
        failure = f"could not read the file after {produced} items ({os_reason(error)})"
    if failure or not produced:
        where, empty = (None, "file") if part == WHOLE_FILE else (f"lines from {part.first_line}", "part")
        yield _reject(uri, where, failure or f"{empty} holds no conversations", "")


def conversation_shards(
    path: Path,
    sources_root: Path,
    shard_records: int,
    max_turns: int,
    layout: Layout | None = None,
    shard_bytes: int | None = None,
    limits: SourceLimits = DEFAULT_LIMITS,
    part: FilePart = WHOLE_FILE,
) -> Iterator[tuple[list[Record], list[QuarantineItem]]]:
    """`iter_conversations` in shards of at most `shard_records` items (records plus refusals), ended
    early once their message text reaches `shard_bytes` (UTF-8), so a task holds one bounded shard in
    memory whatever the file's size and however long its conversations are."""
    if shard_records < 1:
        raise ValueError(f"shard_records must be at least 1, got {shard_records}")
    records: list[Record] = []
    rejects: list[QuarantineItem] = []
    size = 0
    for item in iter_conversations(path, sources_root, max_turns, layout, limits, part):
        if isinstance(item, Record):
            records.append(item)
            size += sum(len(m.content.encode()) for m in item.messages)
        else:
            rejects.append(item)
        if len(records) + len(rejects) == shard_records or (shard_bytes is not None and size >= shard_bytes):
            yield records, rejects
            records, rejects, size = [], [], 0
    if records or rejects:
        yield records, rejects
