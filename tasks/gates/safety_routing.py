"""Safety routing: a conversation whose user turns signal crisis is never trained on as ordinary data.

It leaves its kind for the edge-case set (`lineage.parents` starts with the original id, `labels.crisis`
holds the score) and stays in the dataset only if the reply that follows the risky turn keeps the
crisis protocol: acknowledge, ask directly about safety, offer crisis resources or professional help.
Generated edge cases labelled `crisis_protocol` are held to the same rule. A flagged edge case is
already where risky conversations belong: it keeps its scenario and expected behaviour, and gains
only its score.

A corpus conversation (a real chat) whose supporter did not keep the protocol is cut instead, when
`crisis.unanswered_in_corpus` is "cut": the exchanges before the first flagged turn stay, as the kind
they were, and nothing from that turn on is trained on. Real seekers' long sessions would otherwise be
lost whole for one low-mood turn the detector flags at its high-sensitivity threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

from tasks.gates import crisis
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.ears import protocols_followed
from tasks.records import GateVerdict, Record, RecordKind, Role, content_id

PROTOCOL_GATE = "crisis_protocol"
CUT_AT = "crisis_cut_at_turn"  # labels of a cut conversation: where it was cut, and how much went
CUT_TURNS = "crisis_turns_removed"
CRISIS_EXPECTED = "acknowledge, ask directly about safety, offer crisis resources (988), encourage help"


def risky_turns(records: Sequence[Record], settings: CrisisSettings) -> list[tuple[frozenset[int], float]]:
    """Per record: the indices of the user turns the crisis detector flags, and the highest score."""
    return [
        (
            frozenset(turn for turn, result in turns if result.flagged),
            max((result.score for _, result in turns), default=0.0),
        )
        for turns in crisis.user_turns(records, settings)
    ]


def crisis_verdict(turns: frozenset[int], score: float) -> GateVerdict:
    reasons = tuple(f"turn {i}: crisis signal" for i in sorted(turns))
    return GateVerdict(gate=crisis.GATE, passed=not turns, score=round(score, 6), reasons=reasons)


def reroute(record: Record, score: float) -> Record:
    """The record as an edge case: same conversation, labelled with its score and where it came from
    (an edge case stays as it is, with its score)."""
    if record.kind is RecordKind.EDGE_CASE:
        return record.model_copy(update={"labels": record.labels | {"crisis": round(score, 6)}})
    labels = record.labels | {
        "crisis": round(score, 6),
        "rerouted_from": record.kind.value,
        "edge_case_type": "crisis_disclosure",
        "expected_behaviour": CRISIS_EXPECTED,
        "crisis_protocol": True,
    }
    return record.model_copy(
        update={
            "id": content_id(RecordKind.EDGE_CASE, record.messages, record.source),
            "kind": RecordKind.EDGE_CASE,
            "labels": labels,
            "lineage": record.lineage.model_copy(update={"parents": (record.id, *record.lineage.parents)}),
        }
    )


def protocol_verdicts(records: Sequence[Record], risks: Sequence[frozenset[int]]) -> list[GateVerdict]:
    """Per record: passes when some assistant turn after the first risky user turn (else the first user
    turn) keeps the crisis protocol. All replies are scored in one batch."""
    firsts = [
        min(turns, default=next((i for i, m in enumerate(r.messages) if m.role is Role.USER), 0))
        for r, turns in zip(records, risks, strict=True)
    ]
    replies = [
        (r, m.content)
        for r, (record, first) in enumerate(zip(records, firsts, strict=True))
        for i, m in enumerate(record.messages)
        if m.role is Role.ASSISTANT and i > first
    ]
    kept = [False] * len(records)
    for (r, _), followed in zip(replies, protocols_followed([text for _, text in replies]), strict=True):
        kept[r] = kept[r] or followed
    missing = f"no reply after it keeps the crisis protocol ({CRISIS_EXPECTED})"
    return [
        GateVerdict(gate=PROTOCOL_GATE, passed=True)
        if ok
        else GateVerdict(
            gate=PROTOCOL_GATE, passed=False, reasons=(f"turn {first}: risk disclosed and {missing}",)
        )
        for ok, first in zip(kept, firsts, strict=True)
    ]


def cut_before_risk(
    record: Record, verdict: GateVerdict, turns: frozenset[int]
) -> tuple[Record, GateVerdict] | None:
    """The record without its first risky user turn and everything after it, and its crisis verdict
    (still failed: the conversation was flagged; its last reason says where it was cut, so no turn it
    names is exported), or None when no whole exchange comes before that turn. The labels hold the
    turn, the turns removed and the score (`crisis`, as a routed record's)."""
    first = min(turns)
    kept = record.messages[:first]
    if not any(m.role is Role.USER for m in kept) or not any(m.role is Role.ASSISTANT for m in kept):
        return None
    removed = len(record.messages) - first
    cut = {CUT_AT: first, CUT_TURNS: removed, "crisis": verdict.score}
    reason = f"cut before turn {first}: no reply keeps the crisis protocol; {removed} turns removed"
    cut_verdict = verdict.model_copy(update={"reasons": (*verdict.reasons, reason)})
    return record.model_copy(update={"messages": kept, "labels": record.labels | cut}), cut_verdict


def flagged_turns(verdict: GateVerdict) -> list[int]:
    """The user turns a crisis verdict names as flagged."""
    return verdict.turns_named(ending=": crisis signal")
