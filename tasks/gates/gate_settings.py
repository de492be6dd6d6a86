"""Which gates judge which kind of record, and how strict each one is: the gates' part of the
pipeline configuration, plain data that loads without any gate's patterns or models.

Gates are named: built-in ones by their name, custom ones by import path (`package.module:function`,
see tasks/gates/custom.py). Crisis detection is not in the lists: it routes records rather than
blocking them (see tasks/gates/safety_routing.py) and runs on the kinds in `crisis_kinds`.

The safety checks are invariants, not defaults (DESIGN.md, "Safety gates are invariants"): every kind
is crisis-scanned, and therapeutic and grounded records pass the content filter and EARS. A
configuration that drops one is refused unless `unsafe_gates_off` names exactly the checks it drops;
the manifest and the dataset card then say so first.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tasks.gates.content_filter_settings import ContentFilterSettings
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.ears_settings import EarsSettings
from tasks.gates.quality_settings import QualitySettings

BUILT_IN = ("content_filter", "ears", "quality")
# A custom gate is named by its import path, `package.module:function` (tasks/gates/custom.py).
_IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
# Bias samples carry a deliberately biased reply (that is their label), so only their own checks apply.
DEFAULT_GATES: dict[str, tuple[str, ...]] = {
    "therapeutic": ("content_filter", "ears", "quality"),
    "grounded": ("content_filter", "ears", "quality"),
    "edge_case": ("content_filter", "quality"),
    "bias": ("quality",),
}
# Every kind a version can export: each is crisis-scanned, so no conversation disclosing risk is trained
# on as an ordinary example whatever kind it was made as.
EXPORTED_KINDS = tuple(DEFAULT_GATES)
# Kinds that are trained on as support replies: each must pass these gates (and crisis routing).
SAFETY_GATED_KINDS = ("therapeutic", "grounded")
SAFETY_GATES = ("content_filter", "ears")
CRISIS = "crisis"


def is_import_path(name: str) -> bool:
    """Whether a gate name is a custom gate's import path rather than a built-in gate."""
    return bool(_IMPORT_PATH.match(name))


def safety_check(check: str, kind: str) -> str:
    """The name of one safety check on one kind, as `unsafe_gates_off` lists it: `ears:therapeutic`."""
    return f"{check}:{kind}"


def all_safety_checks() -> tuple[str, ...]:
    """Every safety check a version promises, in a fixed order."""
    crisis = [safety_check(CRISIS, kind) for kind in EXPORTED_KINDS]
    return (*crisis, *(safety_check(gate, kind) for kind in SAFETY_GATED_KINDS for gate in SAFETY_GATES))


class GateSettings(BaseModel):
    """The safety and quality gates: which run on each kind, and how strict each one is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_kind: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_GATES),
        description="Gates per record kind: built-in names or custom import paths (module:function)",
    )
    crisis_kinds: tuple[str, ...] = Field(
        EXPORTED_KINDS,
        description="Kinds the crisis detector scans; a flagged conversation moves to the edge-case set."
        " Leaving a kind out needs `unsafe_gates_off`",
    )
    unsafe_gates_off: tuple[str, ...] = Field(
        (),
        description="UNSAFE: the safety checks this configuration turns off, exactly, as check:kind"
        " (crisis:<any kind>, content_filter:therapeutic, ears:grounded, ...); the manifest and the"
        " dataset card state them first. Empty: every safety check runs, and a configuration that"
        " drops one is refused",
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

    def safety_checks_off(self) -> tuple[str, ...]:
        """The safety checks this configuration does not run, in `all_safety_checks` order."""
        scanned = set(self.crisis_kinds)
        off = [safety_check(CRISIS, kind) for kind in EXPORTED_KINDS if kind not in scanned]
        off += [
            safety_check(gate, kind)
            for kind in SAFETY_GATED_KINDS
            for gate in SAFETY_GATES
            if gate not in self.per_kind.get(kind, ())
        ]
        return tuple(off)

    @model_validator(mode="after")
    def _safety_checks_on_or_named(self) -> GateSettings:
        """Refuse, before any compute, a configuration that quietly drops a safety check."""
        unknown = sorted(set(self.unsafe_gates_off) - set(all_safety_checks()))
        if unknown:
            raise ValueError(
                f"unsafe_gates_off names unknown safety checks {unknown}: use {list(all_safety_checks())}"
            )
        off = self.safety_checks_off()
        unnamed = [check for check in off if check not in self.unsafe_gates_off]
        if unnamed:
            raise ValueError(
                f"this configuration turns off safety checks {unnamed} (crisis:<kind> is a kind missing "
                "from crisis_kinds, <gate>:<kind> a gate missing from per_kind[kind]); put them back, or "
                f"set unsafe_gates_off={list(off)} to publish a dataset without them (its manifest and "
                "card will say so first)"
            )
        running = [check for check in self.unsafe_gates_off if check not in off]
        if running:
            raise ValueError(
                f"unsafe_gates_off names {running}, but those checks run; list exactly the checks that are "
                f"off: {list(off)}"
            )
        return self
