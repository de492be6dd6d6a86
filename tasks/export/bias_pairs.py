"""Bias pairs as what they are good for, never as fine-tuning targets.

The bias generator answers one help-seeker message (per descriptor `member` of a `pair_id`) once with a
deliberately biased reply and once without bias. The unbiased reply may be a fine-tuning sample; the
biased one never is, in any split, format or package. Together they are one preference row (the
conversational `prompt`/`chosen`/`rejected` that TRL's `DPOTrainer` reads), and every record of a pair
stays in the bias evaluation set with its labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from tasks.records import Message, Record, Role
from tasks.shards import ShardRef, read_lines

BIASED = "biased"
PAIR = "pair_id"
MEMBER = "member"


def is_biased(record: Record) -> bool:
    """A record whose reply is biased on purpose: never a fine-tuning target."""
    return record.labels.get(BIASED) is True


def in_bias_pair(record: Record) -> bool:
    """A record labelled biased or not, as bias pair members are: what the bias evaluation set holds,
    so every record held out of fine-tuning is there."""
    return BIASED in record.labels


def sft_records(records: Iterable[Record]) -> list[Record]:
    """The records a model may be fine-tuned on: every one but the deliberately biased."""
    return [r for r in records if not is_biased(r)]


def _messages(messages: Iterable[Message]) -> list[dict[str, str]]:
    return [{"role": m.role.value, "content": m.content} for m in messages]


def _preference_row(key: tuple[str, str], chosen: Record, rejected: Record) -> dict[str, Any]:
    prompt = chosen.messages[:-1]
    if prompt != rejected.messages[:-1] or {chosen.messages[-1].role, rejected.messages[-1].role} != {
        Role.ASSISTANT
    }:
        raise ValueError(
            f"bias pair {key[0]} member {key[1]}: records {chosen.id} and {rejected.id} do not share a "
            "prompt and end in a reply; the generator's pair labels are wrong"
        )
    return {
        "prompt": _messages(prompt),
        "chosen": _messages(chosen.messages[-1:]),
        "rejected": _messages(rejected.messages[-1:]),
    }


def preference_rows(records: Iterable[Record]) -> list[dict[str, Any]]:
    """One row per prompt whose unbiased and biased replies were both exported, in (pair, member) order.

    A side a gate quarantined or dedup removed leaves its prompt without a row; the survivor stays in
    the evaluation set (and, when unbiased, in the fine-tuning data).
    """
    sides: dict[tuple[str, str], dict[bool, Record]] = defaultdict(dict)
    for record in records:
        if in_bias_pair(record) and PAIR in record.labels:
            key = (str(record.labels[PAIR]), str(record.labels.get(MEMBER, "")))
            if is_biased(record) in sides[key]:
                raise ValueError(
                    f"bias pair {key[0]} member {key[1]} has two {BIASED}={is_biased(record)} replies"
                )
            sides[key][is_biased(record)] = record
    return [
        _preference_row(key, pair[False], pair[True]) for key, pair in sorted(sides.items()) if len(pair) == 2
    ]


def held_out(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Per kind, the exported bias evaluation rows whose reply is biased: records the splitter placed in
    a split that no fine-tuning file holds, so the manifest's counts still add up."""
    counts: dict[str, int] = {}
    for row in rows:
        if orjson.loads(row["labels"]).get(BIASED) is True:
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    return dict(sorted(counts.items()))


def held_out_report(bias_eval: Mapping[str, Sequence[ShardRef]]) -> dict[str, dict[str, int]]:
    """`held_out` per split, from the split's bias evaluation shards."""
    return {
        split: held_out(orjson.loads(line) for ref in refs for line in read_lines(ref))
        for split, refs in bias_eval.items()
    }
