"""Which assistant turns of an exported version a model is trained on, per kind and criterion.

A corpus conversation keeps a supporter's turn that fails only soft EARS criteria as context (weight
0); the card states how many turns are trained on and why the others are not, so "every trained turn
meets the response style" is a checked figure, not a claim.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from tasks.export.bias_pairs import is_biased
from tasks.gates.ears import GATE as EARS_GATE
from tasks.gates.safety_routing import CUT_AT, CUT_TURNS
from tasks.records import Record, Role
from tasks.shards import ShardRef, read_all


def turn_tally(records: Iterable[Record]) -> dict[str, dict[str, int]]:
    """Per kind: assistant turns trained on (`trainable`), kept as context (`context_only`), the soft
    criteria behind the context-only ones (`context_only:no_exploration`, from the EARS verdict), the
    replies biased on purpose, which no fine-tuning format holds (`biased_held_out`), and the corpus
    conversations cut before a flagged turn nobody answered with the crisis protocol
    (`crisis_cut_conversations`, `crisis_cut_turns`: the turns removed)."""
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        tally = tallies[record.kind.value]
        if CUT_AT in record.labels:
            tally["crisis_cut_conversations"] += 1
            tally["crisis_cut_turns"] += int(record.labels[CUT_TURNS])
        if is_biased(record):
            tally["biased_held_out"] += sum(m.role is Role.ASSISTANT for m in record.messages)
            continue
        for message in record.messages:
            if message.role is Role.ASSISTANT:
                tally["context_only" if message.weight == 0 else "trainable"] += 1
        for verdict in record.gates:
            if verdict.gate == EARS_GATE and verdict.passed:
                tally.update(f"context_only:{reason.rsplit(': ', 1)[1]}" for reason in verdict.reasons)
    return {kind: dict(sorted(tally.items())) for kind, tally in sorted(tallies.items())}


def turn_report(shards: list[ShardRef]) -> dict[str, dict[str, int]]:
    """`turn_tally` over everything a version exports, streamed shard by shard."""
    return turn_tally(read_all(shards, Record))
