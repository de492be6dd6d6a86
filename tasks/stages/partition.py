"""Where each judged record of a pass goes: kept, or quarantined with every blocking verdict's reasons.

One function for every step of the shard pass, so the counts, the gate tallies and the quarantine
reasons read alike whichever step judged the record.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from tasks.accounting import Counts, GateTallies, KindCounts, merge_counts, tally
from tasks.records import QuarantineItem, Record


class Partition(NamedTuple):
    """A step's outcome: the records kept, the quarantined ones, how each gate judged, the counts."""

    kept: list[Record]
    rejects: list[QuarantineItem]
    tallies: GateTallies
    counts: KindCounts


def partition(
    stage: str,
    entering: Sequence[Record],
    judged: Sequence[Record],
    non_blocking: Collection[str] = (),
) -> Partition:
    """Split `judged` (each record of `entering` with the verdicts this step appended) into kept and
    quarantined. A failed verdict blocks unless its gate is `non_blocking` (crisis routing moves a
    record rather than blocking it). Counts go to the kind a record entered with; tallies and
    quarantine items to the kind it was judged as (a rerouted record is judged as an edge case)."""
    kept: list[Record] = []
    rejects: list[QuarantineItem] = []
    counts: list[KindCounts] = []
    verdicts = []
    for before, after in zip(entering, judged, strict=True):
        added = after.gates[len(before.gates) :]
        verdicts += [(after.kind.value, v) for v in added]
        blocking = [v for v in added if not v.passed and v.gate not in non_blocking]
        counts.append(
            {before.kind.value: Counts(entered=1, kept=int(not blocking), quarantined=int(bool(blocking)))}
        )
        if not blocking:
            kept.append(after)
            continue
        rejects.append(
            QuarantineItem(
                id=after.id,
                stage=stage,
                kind=after.kind.value,
                reasons=tuple(
                    f"{v.gate}: {reason}" for v in blocking for reason in (v.reasons or ("failed",))
                ),
                record=after.model_dump(mode="json"),
            )
        )
    return Partition(kept=kept, rejects=rejects, tallies=tally(verdicts), counts=merge_counts(counts))
