"""The safety and quality steps of the shard pass: route crisis conversations, then run each kind's
gates from the registry.

Every verdict is written onto the record (`gates`); a record any gate blocks goes to quarantine with
every blocking gate's reasons; the crisis gate routes instead of blocking (see safety_routing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from tasks.gates import safety_routing
from tasks.gates.gate_settings import GateSettings, is_import_path
from tasks.gates.registry import GateContext, run_gate
from tasks.records import GateVerdict, Passage, Record, RecordKind
from tasks.shards import ShardRef, read_all
from tasks.stages.partition import Partition, partition

STAGE = "gates"
# What the gates read of a record, besides its source's type: copies equal in these are judged alike.
_JUDGED_FIELDS = {"kind", "messages", "grounding", "labels", "gates"}


def _route_crisis(
    records: list[Record], settings: GateSettings
) -> tuple[list[Record], list[frozenset[int]], list[list[GateVerdict]]]:
    """Records after crisis routing, their risky user turns, and the crisis verdicts so far."""
    routed, risk = list(records), [frozenset[int]() for _ in records]
    verdicts: list[list[GateVerdict]] = [[] for _ in records]
    watched = [i for i, r in enumerate(records) if r.kind.value in settings.crisis_kinds]
    found = safety_routing.risky_turns([records[i] for i in watched], settings.crisis)
    for i, (turns, score) in zip(watched, found, strict=True):
        verdicts[i].append(safety_routing.crisis_verdict(turns, score))
        if turns:
            routed[i], risk[i] = safety_routing.reroute(records[i], score), turns
    owed = [i for i, r in enumerate(routed) if r.labels.get("crisis_protocol")]
    judged = safety_routing.protocol_verdicts([routed[i] for i in owed], [risk[i] for i in owed])
    for i, verdict in zip(owed, judged, strict=True):
        cut = _cut_unanswered(records[i], verdicts[i][-1], risk[i], verdict, settings)
        if cut is None:
            verdicts[i].append(verdict)
        else:
            (routed[i], verdicts[i][-1]), risk[i] = cut, frozenset()
    return routed, risk, verdicts


def _cut_unanswered(
    record: Record,
    flagged: GateVerdict,
    risk: frozenset[int],
    protocol: GateVerdict,
    settings: GateSettings,
) -> tuple[Record, GateVerdict] | None:
    """A flagged real chat (judged turn by turn) whose risky turn no reply answered with the protocol,
    cut before that turn with its crisis verdict, when the settings say so; else None (it stays routed
    to the edge-case set, where the failed protocol quarantines it)."""
    if protocol.passed or not risk or settings.crisis.unanswered_in_corpus != "cut":
        return None
    if not _real_chat(record, settings):
        return None
    return safety_routing.cut_before_risk(record, flagged, risk)


def _real_chat(record: Record, settings: GateSettings) -> bool:
    """A corpus conversation, judged turn by turn (its source type is one of EARS' per-turn sources)."""
    return record.source.type in settings.ears.per_turn_sources


def gates_for(record: Record, settings: GateSettings) -> tuple[str, ...]:
    """The gates a record's kind runs; a corpus conversation is also judged turn by turn by EARS
    whatever kind it ends as, so no human turn becomes a training target unjudged (a crisis-routed
    one too: there the reply to the disclosure must keep the protocol)."""
    gates = settings.per_kind.get(record.kind.value, ())
    if _real_chat(record, settings) and "ears" not in gates:
        return (*gates, "ears")
    return gates


def judge(records: Sequence[Record], settings: GateSettings, passages: Mapping[str, str]) -> list[Record]:
    """Each record after crisis routing and its kind's gates, every verdict appended.

    Exact copies (the same conversation read twice, from two files or lines) are judged once: each
    copy gets the verdicts its first copy got, as it would have alone (unit test).
    """
    firsts = _first_copies(records, settings)
    unique = sorted(set(firsts))
    judged_once = dict(zip(unique, _judged([records[i] for i in unique], settings, passages), strict=True))
    return [
        judged_once[i] if first == i else _as_copy(record, records[first], judged_once[first])
        for i, (record, first) in enumerate(zip(records, firsts, strict=True))
    ]


def gate_records(records: Sequence[Record], settings: GateSettings, passages: Mapping[str, str]) -> Partition:
    """The gates step: records judged, then kept or quarantined (crisis routing never blocks)."""
    judged = judge(records, settings, passages)
    return partition(STAGE, records, judged, non_blocking={safety_routing.crisis.GATE})


def _judged(records: list[Record], settings: GateSettings, passages: Mapping[str, str]) -> list[Record]:
    """Each record after crisis routing and its kind's gates, every verdict appended."""
    routed, risk, verdicts = _route_crisis(records, settings)
    judged = [r.model_copy(update={"gates": (*r.gates, *v)}) for r, v in zip(routed, verdicts, strict=True)]
    by_gates: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, record in enumerate(routed):
        by_gates[gates_for(record, settings)].append(i)
    for gates, members in sorted(by_gates.items()):
        context = GateContext(passages=passages, risk_turns=[risk[i] for i in members])
        for gate in gates:
            gated = run_gate(gate, [judged[i] for i in members], settings, context)
            for i, record in zip(members, gated, strict=True):
                judged[i] = record
    return judged


def _first_copies(records: Sequence[Record], settings: GateSettings) -> list[int]:
    """Per record, the index of the first record that is an exact copy of it as the gates see it (its
    own index when none). Bias pairs (judged as pairs across the shard) are never grouped, nor is
    anything when a custom gate runs (it may read any field)."""
    if any(is_import_path(gate) for gates in settings.per_kind.values() for gate in gates):
        return list(range(len(records)))
    seen: dict[str, int] = {}
    firsts = []
    for i, record in enumerate(records):
        if record.kind is RecordKind.BIAS:
            firsts.append(i)
            continue
        key = record.model_dump_json(include=_JUDGED_FIELDS) + record.source.type
        firsts.append(seen.setdefault(key, i))
    return firsts


def _as_copy(copy: Record, first: Record, judged: Record) -> Record:
    """`copy` judged as `first` was: the same verdicts, turn weights and labels, under its own id,
    source and lineage (rerouted the same way when crisis routing moved `first`)."""
    rerouted = judged.id != first.id or judged.lineage != first.lineage
    base = safety_routing.reroute(copy, float(judged.labels["crisis"])) if rerouted else copy
    return base.model_copy(
        update={
            "kind": judged.kind,
            "messages": judged.messages,
            "labels": judged.labels,
            "gates": judged.gates,
        }
    )


def passage_texts(records: Sequence[Record], passages: list[ShardRef]) -> dict[str, str]:
    """The texts of the passages this shard's grounded records cite: the passage shards are streamed,
    and only the cited texts are held, so a large corpus does not sit in memory once per shard."""
    cited = {c.passage_id for r in records if r.kind is RecordKind.GROUNDED for c in r.grounding}
    if not cited:
        return {}
    return {p.id: p.text for p in read_all(passages, Passage) if p.id in cited}
