"""Turning generated rows into records, shared by every offline generator.

Each row fills one or more record slots; a slot whose row the engine dropped or malformed becomes a
quarantine item, so in = kept + quarantined holds per shard whatever the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tasks.accounting import Counts, ShardOutcome
from tasks.caching import work_path
from tasks.records import Message, QuarantineItem, Record, RecordKind, Role
from tasks.shards import write_shard

Row = dict[str, Any]


def turns_from_row(row: Row, columns: Sequence[str]) -> tuple[Message, ...]:
    """The named columns as alternating chat turns (`user*` columns are the user's); none may be empty."""
    messages = []
    for column in columns:
        text = " ".join(str(row.get(column) or "").split())
        if not text:
            raise ValueError(f"generated turn {column!r} is empty")
        role = Role.USER if column.startswith("user") else Role.ASSISTANT
        messages.append(Message(role=role, content=text))
    return tuple(messages)


def reject(kind: RecordKind, suffix: str, reason: str) -> QuarantineItem:
    """A quarantine item for a record slot the generator failed to fill."""
    return QuarantineItem(id=f"{kind.value}-{suffix}", stage="synthesis", kind=kind.value, reasons=(reason,))


def records_from_rows(
    rows: Sequence[Row],
    count: int,
    shard_index: int,
    kind: RecordKind,
    convert: Callable[[Row], list[Record]],
    per_row: int = 1,
) -> tuple[list[Record], list[QuarantineItem]]:
    """The first `count` record slots of `rows` (`per_row` slots each), split into records and rejects."""
    slots: list[Record | QuarantineItem] = []
    expected_rows = -(-count // per_row)
    for position in range(expected_rows):
        if position < len(rows):
            try:
                slots.extend(convert(rows[position]))
                continue
            except (ValueError, KeyError) as error:
                reason = f"malformed generated row: {error}"
        else:
            reason = "generator dropped the row (requested, not produced)"
        suffixes = (
            [f"{shard_index}-{position}"]
            if per_row == 1
            else [f"{shard_index}-{position}-{member}" for member in range(per_row)]
        )
        slots.extend(reject(kind, suffix, reason) for suffix in suffixes)
    kept = slots[:count]
    return [s for s in kept if isinstance(s, Record)], [s for s in kept if isinstance(s, QuarantineItem)]


def shard_outcome(
    kind: RecordKind,
    shard_index: int,
    count: int,
    run_seed: int,
    work_dir: str,
    generated: tuple[list[Record], list[QuarantineItem]],
) -> ShardOutcome:
    """Write one generated shard and its rejects where its inputs address them, with the counts."""
    records, rejects = generated
    key = [shard_index, count, run_seed]
    name = f"part-{shard_index:05d}.jsonl"
    return ShardOutcome(
        name=f"{kind.value}-{shard_index:05d}",
        kept=write_shard(work_path(work_dir, f"synthesis/{kind.value}", key, name), records),
        quarantine=write_shard(work_path(work_dir, f"synthesis/{kind.value}-quarantine", key, name), rejects),
        counts={kind.value: Counts(entered=count, kept=len(records), quarantined=len(rejects))},
    )
