"""Records to test with; server fixtures live in tests/integration/conftest.py."""

from __future__ import annotations

from tasks.records import Lineage, Message, Record, RecordKind, Role, SourceRef, content_id


def make_record(
    user: str = "I can't sleep and I keep worrying about work.",
    assistant: str = "That sounds exhausting. What tends to keep you awake?",
    kind: RecordKind = RecordKind.THERAPEUTIC,
    source: SourceRef | None = None,
    parents: tuple[str, ...] = (),
) -> Record:
    messages = (Message(role=Role.USER, content=user), Message(role=Role.ASSISTANT, content=assistant))
    source = source or SourceRef(type="synthetic", uri="generator:test")
    return Record(
        id=content_id(kind, messages, source),
        kind=kind,
        messages=messages,
        source=source,
        lineage=Lineage(generator="test", version="1", seed=0, parents=parents),
    )
