from tasks.records import Lineage, Message, Record, RecordKind, Role, SourceRef
from tasks.sourcing.conversation_files import NEGATIVE_SAMPLE, refuse_negative_samples


def conversation(text: str, negative: bool) -> Record:
    return Record(
        id=text,
        kind=RecordKind.THERAPEUTIC,
        messages=(Message(role=Role.USER, content=text), Message(role=Role.ASSISTANT, content="I hear you.")),
        source=SourceRef(type="conversation", uri="esconv/FailedESConv.json", locator=text),
        labels={"negative_sample": True} if negative else {},
        lineage=Lineage(generator="conversations:esconv", version="1"),
    )


def test_failed_samples_are_refused_with_the_reason_and_the_rest_keep_their_order():
    records = [conversation("a", False), conversation("b", True), conversation("c", False)]
    kept, refused = refuse_negative_samples(records, [])
    assert [r.id for r in kept] == ["a", "c"]
    assert [(q.id, q.reasons, q.stage) for q in refused] == [("b", (NEGATIVE_SAMPLE,), "sourcing")]
    assert refused[0].record is not None and refused[0].record["id"] == "b"
