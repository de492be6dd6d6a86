"""A real conversation's turns as trainable conversations: merged, trimmed and cut into windows.

People write several messages in a row, supporters open with a greeting, seekers have the last word,
and sessions run to a hundred turns. None of that should cost a conversation its place in the data:
- consecutive turns of one speaker become one turn, their texts on separate lines;
- assistant turns before the first user turn are trimmed (a greeting answers nothing, and every chat
  trainer expects the user to speak first), and so are user turns after the last assistant turn
  (nothing replies to them);
- a session longer than `max_turns` is cut into consecutive windows of whole user/assistant exchanges,
  each ending on an assistant turn; a leading system prompt opens every window.
Each step is counted, so the record's labels and the run's manifest say what was done. Only what no
step can make valid is refused: an empty turn, a misplaced system turn, no user or no assistant turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tasks.records import Message, Role
from tasks.sourcing.conversation_turns import BadConversation


@dataclass(frozen=True)
class Normalised:
    """A conversation's windows (one unless it was cut) and what normalising it took, in raw turns:
    those folded into the turn before them, and those trimmed at either end."""

    windows: tuple[tuple[Message, ...], ...]
    merged: int
    leading_trimmed: int
    trailing_trimmed: int

    @property
    def messages(self) -> tuple[Message, ...]:
        """The whole normalised conversation, its system prompt once."""
        first, *rest = self.windows
        system = 1 if first[0].role is Role.SYSTEM else 0
        return first + tuple(m for window in rest for m in window[system:])


def _checked(turns: Sequence[tuple[Role, str]]) -> tuple[list[Message], list[tuple[Role, str]]]:
    """The leading system prompt (if any) and the stripped dialogue turns; refuses what cannot be mended."""
    if not turns:
        raise BadConversation("empty conversation (no turns)")
    system: list[Message] = []
    dialogue: list[tuple[Role, str]] = []
    for number, (role, text) in enumerate(turns, 1):
        if not text.strip():
            raise BadConversation(f"turn {number} ({role.value}) is empty")
        if role is Role.SYSTEM:
            if dialogue:
                raise BadConversation(f"turn {number} is a system turn after the conversation started")
            system.append(Message(role=role, content=text.strip()))
        else:
            dialogue.append((role, text.strip()))
    if len(system) > 1:
        system = [Message(role=Role.SYSTEM, content="\n".join(m.content for m in system))]
    return system, dialogue


def _merged(dialogue: Sequence[tuple[Role, str]]) -> tuple[list[Message], list[int]]:
    """Consecutive turns of one speaker as one turn, and how many raw turns each merged turn holds."""
    merged: list[Message] = []
    sizes: list[int] = []
    for role, text in dialogue:
        if merged and merged[-1].role is role:
            merged[-1] = Message(role=role, content=f"{merged[-1].content}\n{text}")
            sizes[-1] += 1
        else:
            merged.append(Message(role=role, content=text))
            sizes.append(1)
    return merged, sizes


def normalise(turns: Sequence[tuple[Role, str]], max_turns: int) -> Normalised:
    """Merge, trim and window one conversation's turns; BadConversation says why it cannot be used."""
    if max_turns < 2:
        raise ValueError(f"max_turns must be at least 2, got {max_turns}")
    system, dialogue = _checked(turns)
    merged, sizes = _merged(dialogue)
    first_user = next((i for i, m in enumerate(merged) if m.role is Role.USER), None)
    if first_user is None:
        raise BadConversation("no user turn for a reply to answer")
    last_reply = max((i for i, m in enumerate(merged) if m.role is Role.ASSISTANT), default=-1)
    if last_reply < first_user:
        raise BadConversation("no assistant turn to learn a reply from")
    body = merged[first_user : last_reply + 1]
    step = 2 * (max_turns // 2)
    windows = tuple((*system, *body[start : start + step]) for start in range(0, len(body), step))
    kept = sizes[first_user : last_reply + 1]
    return Normalised(windows, sum(kept) - len(kept), sum(sizes[:first_user]), sum(sizes[last_reply + 1 :]))
