"""One conversation's raw value into speaker turns and labels, per dataset layout.

Each dataset names its speakers and annotations differently; the parsers here map them onto user,
assistant and system turns so the reader and the record builder need not know any dataset's shape.
Speakers' consecutive turns stay separate here: `conversation_windows` merges, trims and windows the
turns of every layout the same way.
"""

from __future__ import annotations

from typing import Any

from tasks.records import LabelValue, Role

Turns = tuple[list[tuple[Role, str]], dict[str, LabelValue]]


class BadConversation(ValueError):
    """A conversation that cannot become a record; the message becomes the quarantine reason."""


def _role(value: Any, roles: dict[str, Role], number: int) -> Role:
    role = roles.get(value.lower()) if isinstance(value, str) else None
    if role is None:
        raise BadConversation(f"turn {number} has unknown role {value!r} (expected one of {sorted(roles)})")
    return role


def _text(value: Any, number: int) -> str:
    """A turn's text: a string, or OpenAI content parts that are all text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(
        isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
        for part in value
    ):
        return "\n".join(part["text"] for part in value)
    raise BadConversation(f"turn {number} has no text content ({type(value).__name__})")


def _turn_list(value: Any, key: str) -> list[Any]:
    turns = value.get(key) if isinstance(value, dict) else None
    if not isinstance(turns, list):
        raise BadConversation(f"no {key!r} list")
    if not all(isinstance(turn, dict) for turn in turns):
        raise BadConversation(f"an entry of {key!r} is not an object")
    return turns


_CHAT_ROLES = {"system": Role.SYSTEM, "user": Role.USER, "assistant": Role.ASSISTANT}
_SHAREGPT_ROLES = {
    "system": Role.SYSTEM,
    "human": Role.USER,
    "user": Role.USER,
    "gpt": Role.ASSISTANT,
    "assistant": Role.ASSISTANT,
    "chatgpt": Role.ASSISTANT,
}
_ESCONV_ROLES = {
    "usr": Role.USER,
    "seeker": Role.USER,
    "speaker": Role.USER,
    "sys": Role.ASSISTANT,
    "supporter": Role.ASSISTANT,
    "listener": Role.ASSISTANT,
}
_INTENTS_ROLES = {"speaker": Role.USER, "listener": Role.ASSISTANT}


def chat_turns(value: Any) -> Turns:
    """OpenAI chat: `messages` of {role, content}; a system turn is kept."""
    turns = _turn_list(value, "messages")
    return [
        (_role(t.get("role"), _CHAT_ROLES, n), _text(t.get("content"), n)) for n, t in enumerate(turns, 1)
    ], {}


def sharegpt_turns(value: Any) -> Turns:
    """ShareGPT: `conversations` of {from, value}, with an optional top-level `system` prompt."""
    turns = [
        (_role(t.get("from"), _SHAREGPT_ROLES, n), _text(t.get("value"), n))
        for n, t in enumerate(_turn_list(value, "conversations"), 1)
    ]
    system = value.get("system")
    return ([(Role.SYSTEM, system)] if isinstance(system, str) and system.strip() else []) + turns, {}


def parquet_turns(value: Any) -> Turns:
    """A Parquet row holds the chat column or the ShareGPT one; `parquet_entries` read only that."""
    return chat_turns(value) if "messages" in value else sharegpt_turns(value)


def _survey(value: dict[str, Any]) -> dict[str, LabelValue]:
    """ESConv's 1-5 ratings: the seeker's emotion intensity before and after, and both sides' scores."""
    labels: dict[str, LabelValue] = {}
    survey = value.get("survey_score")
    for side in ("seeker", "supporter"):
        scores = survey.get(side) if isinstance(survey, dict) else None
        for name, score in (scores or {}).items():
            if (count := _count(score)) is not None:
                labels[f"{side}_{name}"] = count
    return labels


def esconv_turns(value: Any) -> Turns:
    """ESConv: seeker turns are the user's, supporter turns the assistant's, with their strategies."""
    dialog = _turn_list(value, "dialog")
    turns, strategies = [], []
    for number, turn in enumerate(dialog, 1):
        role = _role(turn.get("speaker"), _ESCONV_ROLES, number)
        turns.append((role, _text(turn.get("text", turn.get("content")), number)))
        annotation = turn.get("annotation")
        strategy = turn.get("strategy") or (
            annotation.get("strategy") if isinstance(annotation, dict) else None
        )
        if role is Role.ASSISTANT and isinstance(strategy, str):
            strategies.append(strategy)
    labels: dict[str, LabelValue] = {
        key: value[key]
        for key in ("emotion_type", "problem_type", "experience_type")
        if isinstance(value.get(key), str)
    }
    if strategies:
        labels["strategies"] = "|".join(strategies)
    return turns, labels | _survey(value)


def _count(value: Any) -> int | None:
    """A non-negative count written as text (CSV cells), or None where the cell holds none."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def counselchat_turns(row: dict[str, Any]) -> Turns:
    """CounselChat: the question (its title where the text is missing) and one therapist's answer."""
    question = row.get("questionText") or row.get("questionTitle")
    turns = [(Role.USER, _text(question, 1)), (Role.ASSISTANT, _text(row.get("answerText"), 2))]
    labels: dict[str, LabelValue] = {
        label: row[column]
        for label, column in (("topic", "topic"), ("question_id", "questionID"), ("source_split", "split"))
        if row.get(column)
    }
    for column in ("upvotes", "views"):
        if (count := _count(row.get(column))) is not None:
            labels[column] = count
    return turns, labels


def empathetic_dialogues_turns(rows: list[dict[str, Any]]) -> Turns:
    """EmpatheticDialogues: the first speaker is the user, the other the assistant; `_comma_` is a comma
    and the prompt (the situation) is not a turn."""
    roles: dict[Any, Role] = {}
    turns = []
    for number, row in enumerate(rows, 1):
        speaker = row.get("speaker_idx")
        if speaker not in roles:
            if len(roles) == 2:
                raise BadConversation(f"turn {number} has a third speaker {speaker!r}")
            roles[speaker] = Role.ASSISTANT if roles else Role.USER
        turns.append((roles[speaker], _text(row.get("utterance"), number).replace("_comma_", ",")))
    emotion = rows[0].get("context")
    return turns, {"emotion": emotion} if emotion else {}


def empathetic_intents_turns(rows: list[dict[str, Any]]) -> Turns:
    """EmpatheticIntents: the situation row gives the emotion; each listener turn's label is its intent."""
    turns, intents = [], []
    labels: dict[str, LabelValue] = {}
    for number, row in enumerate((r for r in rows if r.get("Type") != "situation"), 1):
        role = _role(row.get("Actor"), _INTENTS_ROLES, number)
        turns.append((role, _text(row.get("Text"), number)))
        if role is Role.ASSISTANT and row.get("Label"):
            intents.append(row["Label"])
    situation = next((r for r in rows if r.get("Type") == "situation"), None)
    if situation and situation.get("Label"):
        labels["emotion"] = situation["Label"]
    if intents:
        labels["listener_intents"] = "|".join(intents)
    return turns, labels
