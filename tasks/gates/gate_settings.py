"""Which gates judge which kind of record, and how strict each one is: the gates' part of the
pipeline configuration, plain data that loads without any gate's patterns or models.

Gates are named: built-in ones by their name, custom ones by import path (`package.module:function`,
see tasks/gates/custom.py). Crisis detection is not in the lists: it routes records rather than
blocking them (see tasks/gates/safety_routing.py) and runs on the kinds in `crisis_kinds`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tasks.gates.content_filter_settings import ContentFilterSettings
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.custom import is_import_path
from tasks.gates.ears_settings import EarsSettings
from tasks.gates.quality import QualitySettings

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
