"""The gates by name: built-in ones here, custom ones loaded by import path (tasks/gates/custom.py).
Which gates run on which kind is `GateSettings.per_kind` (tasks/gates/gate_settings.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tasks.gates import content_filter, ears, quality
from tasks.gates.custom import load_gate
from tasks.gates.gate_settings import GateSettings
from tasks.records import GateVerdict, Record


@dataclass(frozen=True)
class GateContext:
    """What a gate may need beyond the records: the run's passages, and the risky turns per record."""

    passages: Mapping[str, str]
    risk_turns: Sequence[frozenset[int]]


# A gate judges records: each comes back with the gate's verdict appended. Most gates only judge; EARS
# also weights the turns of corpus conversations (see ears.judge).
GateRun = Callable[[Sequence[Record], GateSettings, GateContext], list[Record]]
VerdictRun = Callable[[Sequence[Record], GateSettings, GateContext], list[GateVerdict]]


def _appending(verdicts: VerdictRun) -> GateRun:
    def run(records: Sequence[Record], settings: GateSettings, context: GateContext) -> list[Record]:
        found = verdicts(records, settings, context)
        return [r.with_verdict(v) for r, v in zip(records, found, strict=True)]

    return run


_BUILT_IN: dict[str, GateRun] = {
    "content_filter": _appending(lambda records, s, _: content_filter.check(records, s.content_filter)),
    "ears": lambda records, s, ctx: ears.judge(records, s.ears, ctx.risk_turns),
    "quality": _appending(lambda records, s, ctx: quality.check(records, s.quality, ctx.passages)),
}


def run_gate(
    name: str, records: Sequence[Record], settings: GateSettings, context: GateContext
) -> list[Record]:
    """The records with one gate's verdict appended, built-in or custom, in input order."""
    if name in _BUILT_IN:
        return _BUILT_IN[name](records, settings, context)
    return _appending(lambda rs, _s, _c: load_gate(name)(rs))(records, settings, context)
