"""Which gates judge which kind of record, and the settings of each: one place, chosen in configuration.

Gates are named: built-in ones by their name, custom ones by import path (`package.module:function`,
see tasks/gates/custom.py). Crisis detection is not in the lists: it routes records rather than
blocking them (see tasks/gates/safety_routing.py) and runs on the kinds in `crisis_kinds`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tasks.gates import content_filter, ears, quality
from tasks.gates.content_filter import ContentFilterSettings
from tasks.gates.crisis import CrisisSettings
from tasks.gates.custom import is_import_path, load_gate
from tasks.gates.ears import EarsSettings
from tasks.gates.quality import QualitySettings
from tasks.records import GateVerdict, Record

BUILT_IN = ("content_filter", "ears", "quality")
# Bias samples carry a deliberately biased reply (that is their label), so only their own checks apply.
DEFAULT_GATES: dict[str, tuple[str, ...]] = {
    "therapeutic": ("content_filter", "ears", "quality"),
    "grounded": ("content_filter", "ears", "quality"),
    "edge_case": ("content_filter", "quality"),
    "bias": ("quality",),
}


class GateSettings(BaseModel):
    """The safety and quality gates: which run on each kind, and how strict each one is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_kind: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_GATES),
        description="Gates per record kind: built-in names or custom import paths (module:function)",
    )
    crisis_kinds: tuple[str, ...] = Field(
        ("therapeutic", "grounded"),
        description="Kinds whose crisis-flagged conversations move to the edge-case set",
    )
    crisis: CrisisSettings = Field(default_factory=CrisisSettings)
    content_filter: ContentFilterSettings = Field(default_factory=ContentFilterSettings)
    ears: EarsSettings = Field(default_factory=EarsSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)

    @field_validator("per_kind")
    @classmethod
    def _known_gates(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted(
            {g for gates in value.values() for g in gates if g not in BUILT_IN and not is_import_path(g)}
        )
        if unknown:
            raise ValueError(
                f"unknown gate(s) {unknown}: use {list(BUILT_IN)} or an import path module:function"
            )
        return value


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
