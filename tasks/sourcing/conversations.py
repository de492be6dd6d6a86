"""Existing conversation datasets (chat JSONL, ShareGPT, Parquet, ESConv, CounselChat,
EmpatheticDialogues) into therapeutic records, streamed so a multi-GB file never sits in memory.

JSONL is read line by line, a JSON array element by element, Parquet batch by batch and CSV row by
row; only one conversation is held at a time. Every conversation becomes a record or a quarantine
item naming the file, the line or row and the problem: nothing is dropped silently. A conversation
must end on an assistant turn to teach a reply, so trailing user turns are cut (and labelled) and one
with no assistant turn is refused.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from tasks.records import (
    LabelValue,
    Lineage,
    Message,
    QuarantineItem,
    Record,
    RecordKind,
    Role,
    SourceRef,
    content_id,
)

CONVERSATIONS_VERSION = "1"
SOURCE_TYPE = "conversation"
CONVERSATION_SUFFIXES = (".jsonl", ".json", ".parquet", ".csv")
# Bounds that keep one bad file from filling memory: a line or array element larger than this is
# refused, not read whole.
MAX_ITEM_BYTES = 64 * 1024 * 1024
_CHUNK_CHARS = 1024 * 1024
_PARQUET_BATCH_ROWS = 1_000
_SNIFF_ITEMS = 50
_EXCERPT_CHARS = 500
_NON_SPACE = re.compile(r"\S")
_JSON3_KEY = re.compile(rb'"(wireMagic|events)"\s*:')
_DECODER = json.JSONDecoder()

Turns = tuple[list[tuple[Role, str]], dict[str, LabelValue]]


class Layout(StrEnum):
    """A file shape this module reads; `PARQUET` holds either the chat or the ShareGPT column."""

    CHAT = "chat"
    SHAREGPT = "sharegpt"
    PARQUET = "parquet"
    ESCONV = "esconv"
    COUNSELCHAT = "counselchat"
    EMPATHETIC_DIALOGUES = "empatheticdialogues"
    EMPATHETIC_INTENTS = "empatheticintents"


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
# CSV layouts by the header columns each needs, checked in this order.
_CSV_HEADERS: tuple[tuple[Layout, frozenset[str]], ...] = (
    (Layout.COUNSELCHAT, frozenset({"questionText", "answerText"})),
    (Layout.EMPATHETIC_DIALOGUES, frozenset({"conv_id", "utterance_idx", "speaker_idx", "utterance"})),
    (Layout.EMPATHETIC_INTENTS, frozenset({"Dialog_ID", "Type", "Actor", "Text"})),
)


class UnreadableFile(Exception):
    """A whole file no layout can read; the message becomes the quarantine reason."""


class BadConversation(ValueError):
    """A conversation that cannot become a record; the message becomes the quarantine reason."""


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


# Reading: files into entries, one conversation at a time.


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines; a line longer than `MAX_ITEM_BYTES` is skipped unread and given as None."""
    number = 0
    while line := handle.readline(MAX_ITEM_BYTES + 1):
        number += 1
        if len(line) > MAX_ITEM_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(MAX_ITEM_BYTES)
            yield number, None
        else:
            yield number, line


def _jsonl_entries(path: Path) -> Iterator[Entry | Broken]:
    with path.open("rb") as handle:
        for number, line in _lines(handle):
            locator = f"line {number}"
            if line is None:
                yield Broken(locator, f"line longer than {MAX_ITEM_BYTES} bytes", "")
                continue
            line = line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
            if not line.strip():
                continue
            try:
                yield Entry(locator, orjson.loads(line))
            except orjson.JSONDecodeError as error:
                yield Broken(locator, f"not JSON ({error})", _excerpt(line.decode("utf-8", "replace")))


class _JsonArray:
    """Elements of a top-level JSON array, decoded one at a time from a bounded text buffer."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle, self.text, self.pos, self.eof = handle, "", 0, False

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
        chars = _CHUNK_CHARS
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
                # A value ending at the buffer's end may be a cut-off number: read on to be sure.
                if end < len(self.text) or self.eof:
                    self.pos = end
                    return value
            except json.JSONDecodeError:
                if self.eof or len(self.text) - self.pos > MAX_ITEM_BYTES:
                    raise
            self._more(chars)
            chars = min(chars * 2, MAX_ITEM_BYTES)

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
            excerpt = _excerpt(self.text[self.pos :])
            yield Broken(
                f"item {index}", f"malformed JSON ({problem}); the rest of the file is unread", excerpt
            )


def _json_array_entries(path: Path) -> Iterator[Entry | Broken]:
    with path.open(encoding="utf-8-sig") as handle:
        yield from _JsonArray(handle).entries()


def _parquet_entries(path: Path, layout: Layout) -> Iterator[Entry | Broken]:
    """Rows of the `messages` or `conversations` column (plus ShareGPT's `system`), batch by batch."""
    with path.open("rb") as handle:
        try:
            parquet = pq.ParquetFile(handle)
        except (pa.ArrowException, OSError) as error:
            raise UnreadableFile(f"not a readable Parquet file ({error})") from error
        names = parquet.schema_arrow.names
        wanted = {Layout.CHAT: ("messages",), Layout.SHAREGPT: ("conversations",)}
        column = next((c for c in wanted.get(layout, ("messages", "conversations")) if c in names), None)
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


def _csv_rows(path: Path) -> Iterator[Entry | Broken]:
    """Data rows numbered from 0; a damaged row ends the file, as a CSV reader cannot resync."""
    # Counselling answers exceed the csv module's default 128 KiB field limit.
    csv.field_size_limit(MAX_ITEM_BYTES)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        row = 0
        while True:
            try:
                value = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as error:
                yield Broken(f"row {row}", f"CSV unreadable from this row on ({error})", "")
                return
            yield Entry(f"row {row}", value)
            row += 1


def _grouped(entries: Iterable[Entry | Broken], key: str) -> Iterator[Entry | Broken]:
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
            yield Broken(entry.locator, f"row has no {key}", _excerpt(entry.value))
        else:
            current = ident
            rows.append(entry.value)
    if rows:
        yield Entry(current, rows)


def _first_char(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def _entries(path: Path, layout: Layout) -> Iterator[Entry | Broken]:
    if layout is Layout.COUNSELCHAT:
        return _csv_rows(path)
    if layout is Layout.EMPATHETIC_DIALOGUES:
        return _grouped(_csv_rows(path), "conv_id")
    if layout is Layout.EMPATHETIC_INTENTS:
        return _grouped(_csv_rows(path), "Dialog_ID")
    if layout is Layout.PARQUET or path.suffix.lower() == ".parquet":
        return _parquet_entries(path, layout)
    if path.suffix.lower() == ".json" and _first_char(path) == b"[":
        return _json_array_entries(path)
    return _jsonl_entries(path)


# Layout detection.


def is_conversation_file(path: Path) -> bool:
    """Whether the conversation readers own this file: .jsonl, .parquet, .csv, and .json unless it is
    a YouTube json3 caption file (those belong to the transcript reader)."""
    suffix = path.suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        return False
    if suffix != ".json":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return True  # the reader quarantines it with the reason
    return not (head.lstrip().startswith(b"{") and _JSON3_KEY.search(head))


def _shape(value: Any) -> Layout | None:
    if isinstance(value, dict):
        for key, layout in (("messages", Layout.CHAT), ("conversations", Layout.SHAREGPT)):
            if isinstance(value.get(key), list):
                return layout
        if isinstance(value.get("dialog"), list):
            return Layout.ESCONV
    return None


def _csv_layout(path: Path) -> Layout:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (csv.Error, UnicodeDecodeError) as error:
        raise UnreadableFile(f"CSV header unreadable ({error})") from error
    for layout, required in _CSV_HEADERS:
        if required <= set(header):
            return layout
    raise UnreadableFile(
        f"CSV header {header[:12]} matches no conversation layout (CounselChat questionText/answerText, "
        "EmpatheticDialogues conv_id/utterance, EmpatheticIntents Dialog_ID/Text); pass layout= to choose one"
    )


def detect_layout(path: Path) -> Layout:
    """The layout of a file from its suffix and its first records (or CSV header)."""
    suffix = path.suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        raise UnreadableFile(
            f"{suffix or 'no suffix'} is not a conversation file suffix {CONVERSATION_SUFFIXES}"
        )
    if path.stat().st_size == 0:
        raise UnreadableFile("empty file")
    if suffix == ".parquet":
        return Layout.PARQUET
    with path.open("rb") as handle:
        if b"\x00" in handle.read(8192):
            raise UnreadableFile(f"binary content (NUL bytes), not a {suffix} text file")
    if suffix == ".csv":
        return _csv_layout(path)
    seen = 0
    for entry in _entries(path, Layout.CHAT):
        if isinstance(entry, Entry) and (layout := _shape(entry.value)):
            return layout
        seen += 1
        if seen == _SNIFF_ITEMS:
            break
    if not seen:
        raise UnreadableFile("file holds no conversations")
    raise UnreadableFile(
        f"no conversation layout in the first {seen} records (a 'messages', 'conversations' or 'dialog' "
        "list); pass layout= to choose one"
    )


# Conversion: one entry's value into turns and labels.


def _role(value: Any, roles: dict[str, Role], number: int) -> Role:
    role = roles.get(value.lower()) if isinstance(value, str) else None
    if role is None:
        raise BadConversation(f"turn {number} has unknown role {value!r} (expected one of {sorted(roles)})")
    return role


def _text(value: Any, number: int) -> str:
    """A turn's text: a string, or OpenAI content parts that are all text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(
        isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
        for part in value
    ):
        return "\n".join(part["text"] for part in value)
    raise BadConversation(f"turn {number} has no text content ({type(value).__name__})")


def _turn_list(value: Any, key: str) -> list[Any]:
    turns = value.get(key) if isinstance(value, dict) else None
    if not isinstance(turns, list):
        raise BadConversation(f"no {key!r} list")
    if not all(isinstance(turn, dict) for turn in turns):
        raise BadConversation(f"an entry of {key!r} is not an object")
    return turns


_CHAT_ROLES = {"system": Role.SYSTEM, "user": Role.USER, "assistant": Role.ASSISTANT}
_SHAREGPT_ROLES = {
    "system": Role.SYSTEM,
    "human": Role.USER,
    "user": Role.USER,
    "gpt": Role.ASSISTANT,
    "assistant": Role.ASSISTANT,
    "chatgpt": Role.ASSISTANT,
}
_ESCONV_ROLES = {
    "usr": Role.USER,
    "seeker": Role.USER,
    "speaker": Role.USER,
    "sys": Role.ASSISTANT,
    "supporter": Role.ASSISTANT,
    "listener": Role.ASSISTANT,
}
_INTENTS_ROLES = {"speaker": Role.USER, "listener": Role.ASSISTANT}


def chat_turns(value: Any) -> Turns:
    """OpenAI chat: `messages` of {role, content}; a system turn is kept."""
    turns = _turn_list(value, "messages")
    return [
        (_role(t.get("role"), _CHAT_ROLES, n), _text(t.get("content"), n)) for n, t in enumerate(turns, 1)
    ], {}


def sharegpt_turns(value: Any) -> Turns:
    """ShareGPT: `conversations` of {from, value}, with an optional top-level `system` prompt."""
    turns = [
        (_role(t.get("from"), _SHAREGPT_ROLES, n), _text(t.get("value"), n))
        for n, t in enumerate(_turn_list(value, "conversations"), 1)
    ]
    system = value.get("system")
    return ([(Role.SYSTEM, system)] if isinstance(system, str) and system.strip() else []) + turns, {}


def parquet_turns(value: Any) -> Turns:
    """A Parquet row holds the chat column or the ShareGPT one; `_parquet_entries` read only that."""
    return chat_turns(value) if "messages" in value else sharegpt_turns(value)


def _merge(turns: Sequence[tuple[Role, str]]) -> list[tuple[Role, str]]:
    """Consecutive turns of one speaker as one turn, their utterances on separate lines."""
    merged: list[tuple[Role, str]] = []
    for role, text in turns:
        if merged and merged[-1][0] is role:
            merged[-1] = (role, f"{merged[-1][1].strip()}\n{text.strip()}")
        else:
            merged.append((role, text))
    return merged


def _survey(value: dict[str, Any]) -> dict[str, LabelValue]:
    """ESConv's 1-5 ratings: the seeker's emotion intensity before and after, and both sides' scores."""
    labels: dict[str, LabelValue] = {}
    survey = value.get("survey_score")
    for side in ("seeker", "supporter"):
        scores = survey.get(side) if isinstance(survey, dict) else None
        for name, score in (scores or {}).items():
            if (count := _count(score)) is not None:
                labels[f"{side}_{name}"] = count
    return labels


def esconv_turns(value: Any) -> Turns:
    """ESConv: seeker turns are the user's, supporter turns the assistant's, with their strategies."""
    dialog = _turn_list(value, "dialog")
    turns, strategies = [], []
    for number, turn in enumerate(dialog, 1):
        role = _role(turn.get("speaker"), _ESCONV_ROLES, number)
        turns.append((role, _text(turn.get("text", turn.get("content")), number)))
        annotation = turn.get("annotation")
        strategy = turn.get("strategy") or (
            annotation.get("strategy") if isinstance(annotation, dict) else None
        )
        if role is Role.ASSISTANT and isinstance(strategy, str):
            strategies.append(strategy)
    labels: dict[str, LabelValue] = {
        key: value[key]
        for key in ("emotion_type", "problem_type", "experience_type")
        if isinstance(value.get(key), str)
    }
    if strategies:
        labels["strategies"] = "|".join(strategies)
    return _merge(turns), labels | _survey(value)


def _count(value: Any) -> int | None:
    """A non-negative count written as text (CSV cells), or None where the cell holds none."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def counselchat_turns(row: dict[str, Any]) -> Turns:
    """CounselChat: the question (its title where the text is missing) and one therapist's answer."""
    question = row.get("questionText") or row.get("questionTitle")
    turns = [(Role.USER, _text(question, 1)), (Role.ASSISTANT, _text(row.get("answerText"), 2))]
    labels: dict[str, LabelValue] = {
        label: row[column]
        for label, column in (("topic", "topic"), ("question_id", "questionID"), ("source_split", "split"))
        if row.get(column)
    }
    for column in ("upvotes", "views"):
        if (count := _count(row.get(column))) is not None:
            labels[column] = count
    return turns, labels


def empathetic_dialogues_turns(rows: list[dict[str, Any]]) -> Turns:
    """EmpatheticDialogues: the first speaker is the user, the other the assistant; `_comma_` is a comma
    and the prompt (the situation) is not a turn."""
    roles: dict[Any, Role] = {}
    turns = []
    for number, row in enumerate(rows, 1):
        speaker = row.get("speaker_idx")
        if speaker not in roles:
            if len(roles) == 2:
                raise BadConversation(f"turn {number} has a third speaker {speaker!r}")
            roles[speaker] = Role.ASSISTANT if roles else Role.USER
        turns.append((roles[speaker], _text(row.get("utterance"), number).replace("_comma_", ",")))
    emotion = rows[0].get("context")
    return _merge(turns), {"emotion": emotion} if emotion else {}


def empathetic_intents_turns(rows: list[dict[str, Any]]) -> Turns:
    """EmpatheticIntents: the situation row gives the emotion; each listener turn's label is its intent."""
    turns, intents = [], []
    labels: dict[str, LabelValue] = {}
    for number, row in enumerate((r for r in rows if r.get("Type") != "situation"), 1):
        role = _role(row.get("Actor"), _INTENTS_ROLES, number)
        turns.append((role, _text(row.get("Text"), number)))
        if role is Role.ASSISTANT and row.get("Label"):
            intents.append(row["Label"])
    situation = next((r for r in rows if r.get("Type") == "situation"), None)
    if situation and situation.get("Label"):
        labels["emotion"] = situation["Label"]
    if intents:
        labels["listener_intents"] = "|".join(intents)
    return _merge(turns), labels


CONVERTERS: dict[Layout, Callable[[Any], Turns]] = {
    Layout.CHAT: chat_turns,
    Layout.SHAREGPT: sharegpt_turns,
    Layout.PARQUET: parquet_turns,
    Layout.ESCONV: esconv_turns,
    Layout.COUNSELCHAT: counselchat_turns,
    Layout.EMPATHETIC_DIALOGUES: empathetic_dialogues_turns,
    Layout.EMPATHETIC_INTENTS: empathetic_intents_turns,
}


def finish(turns: Sequence[tuple[Role, str]]) -> tuple[tuple[Message, ...], bool]:
    """Messages ending on the last assistant turn, and whether user turns after it were cut.

    Refused: no turns, an empty turn, a system turn after the conversation started, no assistant
    turn, or no user turn before the last assistant turn (nothing for the reply to answer).
    """
    if not turns:
        raise BadConversation("empty conversation (no turns)")
    messages: list[Message] = []
    for number, (role, text) in enumerate(turns, 1):
        if not text.strip():
            raise BadConversation(f"turn {number} ({role.value}) is empty")
        if role is Role.SYSTEM and messages and messages[-1].role is not Role.SYSTEM:
            raise BadConversation(f"turn {number} is a system turn after the conversation started")
        messages.append(Message(role=role, content=text.strip()))
    last = max((i for i, m in enumerate(messages) if m.role is Role.ASSISTANT), default=None)
    if last is None:
        raise BadConversation("no assistant turn to learn a reply from")
    if not any(m.role is Role.USER for m in messages[:last]):
        raise BadConversation("no user turn before the assistant's reply")
    return tuple(messages[: last + 1]), last + 1 < len(messages)


# Records and refusals.


def _excerpt(value: Any) -> str:
    # CSV rows with more fields than the header carry them under a None key.
    text = (
        value
        if isinstance(value, str)
        else orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    )
    return text[:_EXCERPT_CHARS]


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
            return _reject(self.uri, entry.locator, str(error), _excerpt(entry.value))
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
        for entry in _entries(path, chosen):
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
