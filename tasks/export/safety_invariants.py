"""The safety promise, checked on what is about to be published rather than trusted to the settings.

Every exported record must have been crisis-scanned (a `crisis` verdict: one that failed means the
record was routed to the edge-case set, where its reply must keep the crisis protocol, or that a corpus
conversation was cut before the flagged turn, which no exported turn may then be; a generated edge
case keeps the behaviour its scenario expects, the protocol where it is labelled so), and every
therapeutic and grounded record must carry passing content-filter and EARS verdicts, with every
assistant turn EARS named as failing held out of training (`weight` 0). Only the checks the
configuration's `unsafe_gates_off` names are waived. `tasks.verify` applies the same per-record check to
a published version whose manifest has a `safety` section.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from prefect import task

from tasks.caching import SHARD_CACHE
from tasks.gates.crisis import GATE as CRISIS_GATE
from tasks.gates.gate_settings import SAFETY_GATED_KINDS, SAFETY_GATES, GateSettings, safety_check
from tasks.gates.safety_routing import CUT_AT, PROTOCOL_GATE, flagged_turns
from tasks.records import GateVerdict, Record, RecordKind, Role
from tasks.shards import ShardRef, read_models

EARS_GATE = "ears"
PROBLEMS_SHOWN = 20


class UnsafeExportError(RuntimeError):
    """An exported record lacks a safety verdict the version promises; nothing was published."""


def _verdict(record: Record, gate: str) -> GateVerdict | None:
    """The record's last verdict from `gate` (a gate runs once per record), or None."""
    return next((v for v in reversed(record.gates) if v.gate == gate), None)


def _crisis_problems(record: Record) -> list[str]:
    """A crisis scan on record, and a flagged conversation only as an edge case that keeps the protocol."""
    crisis = _verdict(record, CRISIS_GATE)
    if crisis is None:
        return [f"no {CRISIS_GATE} verdict (it was never crisis-scanned)"]
    if crisis.passed:
        return []
    if CUT_AT in record.labels:  # a corpus conversation cut before its first flagged turn
        exported = [turn for turn in flagged_turns(crisis) if turn < len(record.messages)]
        return (
            [f"its {CRISIS_GATE} verdict flagged turns {exported}, yet they are exported"] if exported else []
        )
    if record.kind is not RecordKind.EDGE_CASE:
        return [f"its {CRISIS_GATE} verdict flagged it, yet it is exported as {record.kind.value}"]
    if not record.labels.get("crisis_protocol"):  # an edge case whose expected behaviour is not the protocol
        return []
    protocol = _verdict(record, PROTOCOL_GATE)
    if protocol is None or not protocol.passed:
        return [f"flagged by {CRISIS_GATE}, but has no passing {PROTOCOL_GATE} verdict"]
    return []


def _trained_turns_named(record: Record, verdict: GateVerdict) -> list[int]:
    """Assistant turns a passing EARS verdict names as failing (context only) that are still trained on."""
    named = set(verdict.turns_named())
    return sorted(
        i
        for i in named
        if i < len(record.messages)
        and record.messages[i].role is Role.ASSISTANT
        and record.messages[i].weight != 0
    )


def _gate_problems(record: Record, gate: str) -> list[str]:
    verdict = _verdict(record, gate)
    if verdict is None:
        return [f"no {gate} verdict"]
    if not verdict.passed:
        return [f"its {gate} verdict failed ({'; '.join(verdict.reasons) or 'no reason given'})"]
    if gate == EARS_GATE:
        return [
            f"turn {i} is trained on (weight 1) but {gate} failed it"
            for i in _trained_turns_named(record, verdict)
        ]
    return []


def record_problems(record: Record, unsafe_gates_off: Collection[str] = ()) -> list[str]:
    """What one exported record lacks of the safety promise, each naming the record and the verdict;
    empty when it keeps it. Checks `unsafe_gates_off` names are not asked for."""
    kind = record.kind.value
    problems = [] if safety_check(CRISIS_GATE, kind) in unsafe_gates_off else _crisis_problems(record)
    if kind in SAFETY_GATED_KINDS:
        for gate in SAFETY_GATES:
            if safety_check(gate, kind) not in unsafe_gates_off:
                problems += _gate_problems(record, gate)
    return [f"record {record.id} ({kind}): {problem}" for problem in problems]


def check_exports(
    records: Iterable[Record], unsafe_gates_off: Collection[str] = ()
) -> tuple[dict[str, int], list[str]]:
    """Records checked per kind, and every problem found, over everything a version exports."""
    checked: Counter[str] = Counter()
    problems: list[str] = []
    for record in records:
        checked[record.kind.value] += 1
        problems += record_problems(record, unsafe_gates_off)
    return dict(sorted(checked.items())), problems


def refusal(problems: list[str], unsafe_gates_off: Collection[str]) -> str:
    """The error that stops a publish: how many records fail, the first few, and what to do."""
    shown = "\n".join(f"- {p}" for p in problems[:PROBLEMS_SHOWN])
    more = f"\n- … and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
    waived = ", ".join(unsafe_gates_off) or "none"
    return (
        f"refusing to publish: {len(problems)} safety problem(s) in the exported records (checks waived by "
        f"gates.unsafe_gates_off: {waived}). Every exported record must be crisis-scanned, and therapeutic "
        f"and grounded records must pass {' and '.join(SAFETY_GATES)}; a record without a verdict was "
        f"exported past a gate that never ran (a bug to report with these ids):\n{shown}{more}"
    )


@task(cache_policy=SHARD_CACHE, persist_result=True, task_run_name="require_safe_exports")
def require_safe_exports(shards: list[ShardRef], gates: GateSettings) -> dict[str, Any]:
    """Stream the split shards and refuse (UnsafeExportError) unless every record keeps the safety
    promise; the manifest's `safety` section: the checks waived and the records checked per kind."""
    records = (record for ref in shards for record in read_models(ref, Record))
    checked, problems = check_exports(records, gates.unsafe_gates_off)
    if problems:
        raise UnsafeExportError(refusal(problems, gates.unsafe_gates_off))
    return {"unsafe_gates_off": list(gates.unsafe_gates_off), "records_checked": checked}
