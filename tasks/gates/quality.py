"""Quality gate: the per-kind promises a record makes, plus readability and repetition of its replies.

- grounded: every citation names a passage of this run, quotes it exactly, and the quote is used
  verbatim in an assistant turn (a citation nobody can check is worse than none);
- bias: the two members of a counterfactual pair differ only in their descriptor, so a detector
  trained on them learns the descriptor and nothing else;
- edge_case: a case type and its expected behaviour are labelled (the label is the training signal);
- every kind: no assistant turn repeats itself in a loop, and no reply is a wall of unbroken text
  (a corpus conversation's context-only turns, weight 0, are not judged: nothing is trained on them).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from tasks.gates.quality_settings import QualitySettings
from tasks.records import GateVerdict, Record, RecordKind, Role

GATE = "quality"
_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def repetition_problems(text: str, settings: QualitySettings) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    grams = Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))
    looped = [" ".join(g) for g, n in grams.most_common(1) if n > settings.max_ngram_repeats]
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    problems = [f"repetition: {looped[0]!r} recurs {grams.most_common(1)[0][1]} times"] if looped else []
    if len(words) / sentences > settings.max_words_per_sentence:
        problems.append(f"readability: {len(words) / sentences:.0f} words per sentence")
    return problems


def citation_problems(record: Record, passages: Mapping[str, str]) -> list[str]:
    if not record.grounding:
        return ["grounding: a grounded conversation cites no passage"]
    replies = " ".join(m.content for m in record.messages if m.role is Role.ASSISTANT)
    problems = []
    for citation in record.grounding:
        text = passages.get(citation.passage_id)
        if text is None:
            problems.append(f"grounding: passage {citation.passage_id} is not among this run's passages")
        elif citation.quote not in text:
            problems.append(f"grounding: quote is not in passage {citation.passage_id}")
        if citation.quote not in replies:
            problems.append("grounding: the quote is not used in any assistant turn")
    return problems


def differing_span(a: str, b: str) -> tuple[str, str]:
    """The words where `a` and `b` differ, after removing their common leading and trailing words."""
    x, y = a.split(), b.split()
    head = 0
    while head < min(len(x), len(y)) and x[head] == y[head]:
        head += 1
    tail = 0
    while tail < min(len(x), len(y)) - head and x[-1 - tail] == y[-1 - tail]:
        tail += 1
    return _descriptor(x[head : len(x) - tail]), _descriptor(y[head : len(y) - tail])


def _descriptor(words: Sequence[str]) -> str:
    """A span as a descriptor: lower case, punctuation and a leading article ("a"/"an") dropped."""
    bare = [w.strip(".,;:!?\"'").lower() for w in words]
    return " ".join(bare[1:] if bare and bare[0] in {"a", "an"} else bare)


def differs_only_in_descriptor(first: Record, second: Record, max_words: int = 6) -> bool:
    """Every message pair differs in at most one short span, and in the same span everywhere."""
    if len(first.messages) != len(second.messages):
        return False
    spans = {
        differing_span(a.content, b.content) for a, b in zip(first.messages, second.messages, strict=True)
    }
    changed = spans - {("", "")}
    return len(changed) == 1 and all(len(side.split()) <= max_words for pair in changed for side in pair)


def pair_problems(records: Sequence[Record]) -> dict[str, list[str]]:
    """Problems per record id for bias pairs (two members sharing `pair_id` and `biased`)."""
    members: dict[tuple[str, bool], list[Record]] = defaultdict(list)
    for r in records:
        if r.kind is RecordKind.BIAS:
            members[(str(r.labels.get("pair_id")), bool(r.labels.get("biased")))].append(r)
    problems: dict[str, list[str]] = {}
    for (pair, _), pair_members in members.items():
        if len(pair_members) != 2:
            reason = f"bias pair {pair}: {len(pair_members)} members in the shard, expected 2"
        elif not differs_only_in_descriptor(pair_members[0], pair_members[1]):
            reason = f"bias pair {pair}: members differ in more than the descriptor"
        else:
            continue
        for r in pair_members:
            problems[r.id] = [reason]
    return problems


def kind_problems(record: Record, passages: Mapping[str, str]) -> list[str]:
    if record.kind is RecordKind.GROUNDED:
        return citation_problems(record, passages)
    if record.kind is RecordKind.EDGE_CASE and not (
        record.labels.get("edge_case_type") and record.labels.get("expected_behaviour")
    ):
        return ["edge case: no edge_case_type or expected_behaviour label"]
    return []


def check(
    records: Sequence[Record], settings: QualitySettings, passages: Mapping[str, str] | None = None
) -> list[GateVerdict]:
    """One verdict per record; `passages` maps passage id to text for checking grounded citations."""
    known = passages or {}
    pairs = pair_problems(records)
    verdicts = []
    for record in records:
        problems = kind_problems(record, known) + pairs.get(record.id, [])
        for turn, message in enumerate(record.messages):
            # A context-only turn (weight 0, set by EARS, which runs first) is no training target: how
            # a human supporter's run-on message reads does not cost the conversation its trained turns.
            if message.role is Role.ASSISTANT and message.weight != 0:
                problems += [f"turn {turn}: {p}" for p in repetition_problems(message.content, settings)]
        verdicts.append(
            GateVerdict(gate=GATE, passed=not problems, score=float(len(problems)), reasons=tuple(problems))
        )
    return verdicts
