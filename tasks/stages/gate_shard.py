"""The safety and quality pass over a shard: route crisis conversations, run each kind's gates, and
fingerprint the survivors for the global dedup step.

Every verdict is written onto the record (`gates`); a record any gate blocks goes to quarantine with
every blocking gate's reasons; the crisis gate routes instead of blocking (see safety_routing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from prefect import task
from pydantic import Field

from tasks.accounting import Counts, GateTallies, KindCounts, ShardOutcome, merge_counts, tally
from tasks.caching import SHARD_CACHE, work_path
from tasks.gates import safety_routing
from tasks.gates.custom import is_import_path
from tasks.gates.gate_settings import GateSettings
from tasks.gates.registry import GateContext, run_gate
from tasks.preprocess.dedup import Fingerprint, fingerprint
from tasks.preprocess.near_dup import signature
from tasks.records import GateVerdict, Passage, QuarantineItem, Record, RecordKind
from tasks.shards import ShardRef, read_all, read_models, write_shard
from tasks.split import group_of

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
    owed = [
        i for i, r in enumerate(routed) if r.kind is RecordKind.EDGE_CASE and r.labels.get("crisis_protocol")
    ]
    judged = safety_routing.protocol_verdicts([routed[i] for i in owed], [risk[i] for i in owed])
    for i, verdict in zip(owed, judged, strict=True):
        verdicts[i].append(verdict)
    return routed, risk, verdicts


def gates_for(record: Record, settings: GateSettings) -> tuple[str, ...]:
    """The gates a record's kind runs; a corpus conversation is also judged turn by turn by EARS
    whatever kind it ends as, so no human turn becomes a training target unjudged (a crisis-routed
    one too: there the reply to the disclosure must keep the protocol)."""
    gates = settings.per_kind.get(record.kind.value, ())
    if record.source.type in settings.ears.per_turn_sources and "ears" not in gates:
        return (*gates, "ears")
    return gates


def gate_records(
    records: Sequence[Record], settings: GateSettings, passages: Mapping[str, str]
) -> tuple[list[Record], list[QuarantineItem], GateTallies, KindCounts]:
    """Kept records (with every verdict), quarantine items (with every blocking reason), tallies per
    gate, and the stage's counts by the kind each record entered with (a rerouted record counts there).

    Exact copies (the same conversation read twice, from two files or lines) are judged once: each
    copy gets the verdicts its first copy got, as it would have alone (unit test).
    """
    firsts = _first_copies(records, settings)
    unique = sorted(set(firsts))
    judged_once = dict(zip(unique, _judged([records[i] for i in unique], settings, passages), strict=True))
    judged = [
        judged_once[i] if first == i else _as_copy(record, records[first], judged_once[first])
        for i, (record, first) in enumerate(zip(records, firsts, strict=True))
    ]
    kept: list[Record] = []
    rejects: list[QuarantineItem] = []
    counts: list[KindCounts] = []
    added = [final.gates[len(entering.gates) :] for entering, final in zip(records, judged, strict=True)]
    for entering, final, new in zip(records, judged, added, strict=True):
        blocking = [v for v in new if not v.passed and v.gate != safety_routing.crisis.GATE]
        counts.append(
            {entering.kind.value: Counts(entered=1, kept=int(not blocking), quarantined=int(bool(blocking)))}
        )
        if not blocking:
            kept.append(final)
            continue
        reasons = tuple(f"{v.gate}: {reason}" for v in blocking for reason in (v.reasons or ("failed",)))
        rejects.append(
            QuarantineItem(
                id=final.id,
                stage=STAGE,
                kind=final.kind.value,
                reasons=reasons,
                record=final.model_dump(mode="json"),
            )
        )
    judged_pairs = [(r.kind.value, v) for r, new in zip(judged, added, strict=True) for v in new]
    return kept, rejects, tally(judged_pairs), merge_counts(counts)


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


class GatedShard(ShardOutcome):
    """A gated shard, the fingerprints of its keepers line for line, and how each gate judged it."""

    fingerprints: ShardRef
    tallies: GateTallies = Field(default_factory=dict)


def _passage_texts(records: Sequence[Record], passages: list[ShardRef]) -> dict[str, str]:
    """The texts of the passages this shard's grounded records cite: the passage shards are streamed,
    and only the cited texts are held, so a large corpus does not sit in memory once per shard."""
    cited = {c.passage_id for r in records if r.kind is RecordKind.GROUNDED for c in r.grounding}
    if not cited:
        return {}
    return {p.id: p.text for p in read_all(passages, Passage) if p.id in cited}


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    retries=2,
    retry_delay_seconds=1,
    task_run_name="gate_shard-{name}",
)
def gate_shard(
    shard: ShardRef,
    name: str,
    settings: GateSettings,
    passages: list[ShardRef],
    custom_versions: dict[str, str],
    work_dir: str,
) -> GatedShard:
    """Gate one shard; `custom_versions` (custom gates' source hashes) only keys the checkpoint."""
    records = list(read_models(shard, Record))
    kept, rejects, tallies, counts = gate_records(records, settings, _passage_texts(records, passages))
    prints = [
        Fingerprint(fp=fingerprint(r), id=r.id, kind=r.kind.value, group=group_of(r), minhash=signature(r))
        for r in kept
    ]
    key = [shard, settings, passages, custom_versions]
    return GatedShard(
        name=name,
        kept=write_shard(work_path(work_dir, STAGE, key, "kept.jsonl"), kept),
        quarantine=write_shard(work_path(work_dir, STAGE, key, "quarantine.jsonl"), rejects),
        fingerprints=write_shard(work_path(work_dir, STAGE, key, "fingerprints.jsonl"), prints),
        counts=counts,
        tallies=tallies,
    )
