"""Per-stage, per-kind record accounting: every record that enters a stage leaves it as kept,
quarantined (with reasons) or deduplicated (naming its twin). A stage that breaks the equation
fails the run, because a silent drop is the one bug a data pipeline must never have.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from tasks.records import GateVerdict
from tasks.shards import ShardRef


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    entered: int = Field(0, alias="in")
    kept: int = 0
    quarantined: int = 0
    deduplicated: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            entered=self.entered + other.entered,
            kept=self.kept + other.kept,
            quarantined=self.quarantined + other.quarantined,
            deduplicated=self.deduplicated + other.deduplicated,
        )

    @property
    def balanced(self) -> bool:
        return self.entered == self.kept + self.quarantined + self.deduplicated


KindCounts = dict[str, Counts]


class AccountingError(RuntimeError):
    """A stage lost or invented records: in != kept + quarantined + deduplicated."""


class ShardOutcome(BaseModel):
    """What one shard task produced: its kept shard, its rejects, and the counts that tie them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kept: ShardRef
    quarantine: ShardRef
    counts: KindCounts = Field(default_factory=dict)
    prints: ShardRef | None = Field(
        None, description="The kept records' content fingerprints, line for line, where the stage wrote them"
    )

    def entered(self) -> int:
        return sum(c.entered for c in self.counts.values())


def merge_counts(parts: Iterable[Mapping[str, Counts]]) -> KindCounts:
    total: KindCounts = {}
    for part in parts:
        for kind, counts in part.items():
            total[kind] = total.get(kind, Counts()) + counts
    return dict(sorted(total.items()))


def check_balanced(stage: str, counts: Mapping[str, Counts]) -> None:
    """Raise if any kind in this stage does not balance; the message names stage, kind and numbers."""
    for kind, c in counts.items():
        if not c.balanced:
            raise AccountingError(
                f"stage {stage!r}, kind {kind!r}: in={c.entered} but kept={c.kept} + "
                f"quarantined={c.quarantined} + deduplicated={c.deduplicated}; records were lost"
            )


def as_manifest(counts: Mapping[str, Counts]) -> dict[str, dict[str, int]]:
    return {kind: c.model_dump(by_alias=True) for kind, c in sorted(counts.items())}


class GateTally(BaseModel):
    """How one gate judged one kind: records evaluated, passed and failed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    evaluated: int = 0
    passed: int = 0
    failed: int = 0

    def __add__(self, other: GateTally) -> GateTally:
        return GateTally(
            evaluated=self.evaluated + other.evaluated,
            passed=self.passed + other.passed,
            failed=self.failed + other.failed,
        )


GateTallies = dict[str, dict[str, GateTally]]


def tally(verdicts: Iterable[tuple[str, GateVerdict]]) -> GateTallies:
    """Tallies per gate and kind from (kind, verdict) pairs."""
    out: dict[str, dict[str, GateTally]] = defaultdict(dict)
    for kind, v in verdicts:
        out[v.gate][kind] = out[v.gate].get(kind, GateTally()) + GateTally(
            evaluated=1, passed=int(v.passed), failed=int(not v.passed)
        )
    return {gate: dict(sorted(kinds.items())) for gate, kinds in sorted(out.items())}


def merge_tallies(parts: Iterable[GateTallies]) -> GateTallies:
    out: dict[str, dict[str, GateTally]] = defaultdict(dict)
    for part in parts:
        for gate, kinds in part.items():
            for kind, t in kinds.items():
                out[gate][kind] = out[gate].get(kind, GateTally()) + t
    return {gate: dict(sorted(kinds.items())) for gate, kinds in sorted(out.items())}
