"""The record contract: one training example, its provenance and every gate's verdict on it.

Every stage reads and writes these models, serialised one JSON object per line. Unknown fields are
an error, so a typo in a producer fails loudly instead of silently losing data.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

# A per-turn gate reason starts with the turn it is about: "turn 3: no exploration".
_TURN_REASON = re.compile(r"^turn (\d+)\b")

LabelValue = str | int | float | bool
# The label a generator puts on a synthetic record: the first names it invented for the story,
# comma-separated. PII scrubbing leaves these alone in synthetic records (they name nobody), and only there.
FICTIONAL_NAMES = "fictional_names"


class RecordKind(StrEnum):
    """What a record is for; gates and split strata are chosen per kind."""

    THERAPEUTIC = "therapeutic"
    BIAS = "bias"
    GROUNDED = "grounded"
    EDGE_CASE = "edge_case"
    FINDING = "finding"


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


class Contract(BaseModel):
    """Base for every contract model: immutable, and unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(Contract):
    """One turn. `weight` follows OpenAI chat fine-tuning: on an assistant turn, 1 is trained on and 0 is
    context only; unset (and left out of the JSON) means trained, as for every generated turn."""

    role: Role
    content: str
    weight: Literal[0, 1] | None = Field(None, exclude_if=lambda weight: weight is None)


class SourceRef(Contract):
    """Where a record came from; `locator` is a page, chapter or timestamp inside `uri`."""

    type: str = Field(description="synthetic | document | book | transcript | academic | conversation")
    uri: str
    locator: str | None = None
    licence: str | None = None
    title: str | None = None


class Citation(Contract):
    """A quote from a source passage that an assistant turn draws on."""

    passage_id: str
    quote: str
    locator: str | None = None


class GateVerdict(Contract):
    gate: str
    passed: bool
    score: float | None = None
    reasons: tuple[str, ...] = ()

    def turns_named(self, ending: str = "") -> list[int]:
        """The turns this verdict's per-turn reasons ("turn 3: …") name, in reason order; with
        `ending`, only those of the reasons that end with it."""
        return [int(m.group(1)) for r in self.reasons if r.endswith(ending) and (m := _TURN_REASON.match(r))]


class Lineage(Contract):
    """How a record was made, so any record can be regenerated or traced back."""

    generator: str
    version: str
    seed: int | None = None
    parents: tuple[str, ...] = ()


class Record(Contract):
    id: str
    kind: RecordKind
    messages: tuple[Message, ...]
    source: SourceRef
    grounding: tuple[Citation, ...] = ()
    labels: dict[str, LabelValue] = Field(default_factory=dict)
    gates: tuple[GateVerdict, ...] = ()
    lineage: Lineage

    def with_verdict(self, verdict: GateVerdict) -> Record:
        return self.model_copy(update={"gates": (*self.gates, verdict)})


def with_contents(record: Record, contents: list[str]) -> Record:
    """`record` with its messages' texts replaced; unchanged messages (most) are not copied."""
    if all(m.content == text for m, text in zip(record.messages, contents, strict=True)):
        return record
    messages = tuple(
        m if m.content == text else m.model_copy(update={"content": text})
        for m, text in zip(record.messages, contents, strict=True)
    )
    return record.model_copy(update={"messages": messages})


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def canonical_json(value: Any) -> bytes:
    """Key-sorted compact JSON: the one byte form used for hashing and for shard lines."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=_plain)


def content_id(kind: RecordKind, messages: tuple[Message, ...], source: SourceRef) -> str:
    """Stable id from what a record says and where it came from, never from when or where it ran."""
    payload = {
        "kind": kind.value,
        "messages": [m.model_dump(mode="json") for m in messages],
        "source": source.model_dump(mode="json"),
    }
    return hashlib.sha256(canonical_json(payload)).hexdigest()[:24]


class Passage(Contract):
    """A located span of a source document: the raw material grounding draws on."""

    id: str
    document: str = Field(description="Path of the document relative to the sources folder")
    document_sha256: str
    locator: str
    text: str
    title: str | None = None
    licence: str | None = None


class QuarantineItem(Contract):
    """A record (or unparseable input) a stage refused, with every reason it was refused."""

    id: str
    stage: str
    kind: str | None
    reasons: tuple[str, ...]
    record: dict[str, Any] | None = None
    raw: str | None = None
