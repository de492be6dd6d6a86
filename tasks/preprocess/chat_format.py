"""Chat-format and length checks: a conversation a trainer cannot consume never reaches a split."""

from __future__ import annotations

from itertools import pairwise

from tasks.records import GateVerdict, Record, Role
from tasks.settings import PreprocessSettings

GATE = "chat_format"


def format_problems(record: Record, settings: PreprocessSettings) -> list[str]:
    """Every reason this record is not a well-formed conversation within the length bounds."""
    messages = list(record.messages)
    problems: list[str] = []
    if messages and messages[0].role is Role.SYSTEM:
        messages = messages[1:]
    if any(m.role is Role.SYSTEM for m in messages):
        problems.append("system message after the first turn")
    if not settings.min_turns <= len(messages) <= settings.max_turns:
        problems.append(f"{len(messages)} turns, outside [{settings.min_turns}, {settings.max_turns}]")
    if messages and messages[0].role is not Role.USER:
        problems.append("first turn is not from the user")
    if messages and messages[-1].role is not Role.ASSISTANT:
        problems.append("last turn is not from the assistant")
    if any(a.role == b.role for a, b in pairwise(messages)):
        problems.append("roles do not alternate between user and assistant")
    for position, message in enumerate(record.messages):
        size = len(message.content)
        if size < settings.min_turn_chars:
            problems.append(f"turn {position} is empty or shorter than {settings.min_turn_chars} chars")
        elif size > settings.max_turn_chars:
            problems.append(f"turn {position} has {size} chars, over {settings.max_turn_chars}")
    return problems


def check(records: list[Record], settings: PreprocessSettings) -> list[GateVerdict]:
    """One verdict per record; a failed verdict lists every problem, not just the first."""
    verdicts = []
    for record in records:
        problems = format_problems(record, settings)
        verdicts.append(GateVerdict(gate=GATE, passed=not problems, reasons=tuple(problems)))
    return verdicts
