"""Explicit patterns behind the EARS criteria that have no (or too little) labelled data.

Each detector reads one reply (or one seeker turn) and returns the first matching phrase, or None.
The phrasings come from the frameworks the spec cites (EPITOME's mechanisms; Motivational
Interviewing's reflections, open questions, affirmations and autonomy support; Gordon's "roadblocks"
for dismissal, judgement and directives) and from crisis-response guidance, not from the pipeline's
generator: a gate sharing phrasings with the generator would grade its own homework. The criteria
they implement are defined in docs/guides/EMPATHY_RESPONSE_STYLE.md.

The phrasings live in `data/ears_patterns.json`; this module keeps the logic that applies them (which
sentence, which clause, what excuses a match). Its keys:
- `parts`: named regex fragments shared by several patterns (feeling words, copulas, command verbs,
  disorders, drugs...), a string or a list of alternatives; a pattern names one as `{name}` (a list
  as `(?:{name})`).
- `alternations`: detector name -> its phrasings, matched as one regex against `normalise`d text; the
  first alternative that matches at a position is the phrase reported, so order matters.
- `directive_modal`: the one regex for "you should / must / need to ...", with the praise it spares.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tasks.data_files import data_file, fill, regex_parts
from tasks.gates.char_tables import CharTable

_RULES = data_file(__file__, "ears_patterns.json")
_PARTS = regex_parts(_RULES["parts"])
_QUOTES = CharTable({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces: the form every pattern is written against. Cached:
    each of a reply's dozen or so detectors asks for it in turn."""
    return " ".join(_QUOTES(text).lower().split())


def words(text: str) -> list[str]:
    """Word tokens of normalised text (contractions kept whole)."""
    return _WORD.findall(normalise(text))


@lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[str, ...]:
    """Sentences of normalised text, each with its closing punctuation. A line break ends one too: a
    merged turn joins a speaker's consecutive messages with newlines, and no sentence spans two.
    Cached, as `normalise`: three detectors and the learned scorers split each reply."""
    return tuple(
        s.strip() for line in text.splitlines() for s in _SENTENCE.findall(normalise(line)) if s.strip()
    )


def _compile(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _search(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(normalise(text))
    return match.group(0) if match else None


def _rule(name: str) -> re.Pattern[str]:
    """The rules file's phrasings for one detector, as one regex."""
    return _compile(*(fill(alternative, _PARTS) for alternative in _RULES["alternations"][name]))


# EPITOME "emotional reactions": warmth, compassion, concern or validation aimed at the seeker.
EMOTIONAL_REACTION = _rule("emotional_reaction")

# EPITOME "interpretations" / MI reflections: saying back what the seeker feels or means.
REFLECTION = _rule("reflection")

_GREETING_QUESTION = _rule("greeting_question")
_ROADBLOCK_QUESTION = _rule("roadblock_question")
# MI open questions and explicit invitations to say more (EPITOME "explorations").
INVITATION = _rule("invitation")


# Questions typed without a question mark ("how is your work going so far").
_UNMARKED_QUESTION = _rule("unmarked_question")


def explores(text: str) -> str | None:
    """An open question or invitation to the seeker; greeting and roadblock questions do not count."""
    for sentence in sentences(text):
        asks = sentence.endswith("?") or _UNMARKED_QUESTION.search(sentence)
        if asks and not _GREETING_QUESTION.search(sentence) and not _ROADBLOCK_QUESTION.search(sentence):
            return sentence
    return _search(INVITATION, text)


def emotional_reaction(text: str) -> str | None:
    """A phrase expressing warmth, compassion, concern or validation (EPITOME ER)."""
    return _search(EMOTIONAL_REACTION, text)


def reflection(text: str) -> str | None:
    """A phrase saying back what the seeker feels or means (EPITOME IP, MI reflection)."""
    return _search(REFLECTION, text)


# Minimising, premature reassurance and "cheering up" (Gordon's roadblocks; the spec's "dismissal").
DISMISSAL = _rule("dismissal")

# Arguing with, labelling or lecturing the seeker (MI "confront", "warn", "argue").
CONFRONTATION = _rule("confrontation")

# Blame, moral labels and contempt aimed at the seeker (MI "judge, criticise, blame").
JUDGEMENT = _rule("judgement")

# A roadblock phrase is the reply's own stance unless it is negated ("it's not your fault") or reports
# what the seeker or others say or feel ("you feel it's your fault", "people tell you to get over it").
_NEGATED = re.compile(r"\b(?:not|never|nobody|none)\b|n't\b|\bno one\b")
_REPORTED = _rule("reported")


def _asserted(pattern: re.Pattern[str], text: str) -> str | None:
    normal = normalise(text)
    for match in pattern.finditer(normal):
        clause_start = max(normal.rfind(mark, 0, match.start()) for mark in ".!?;")
        before = normal[max(clause_start + 1, match.start() - 40) : match.start()]
        if not _NEGATED.search(before) and not _REPORTED.search(before):
            return match.group(0)
    return None


def confrontation(text: str) -> str | None:
    """Arguing with, labelling or lecturing the seeker."""
    return _asserted(CONFRONTATION, text)


def dismissal(text: str) -> str | None:
    """Minimising the seeker's experience or hurrying them past it."""
    return _asserted(DISMISSAL, text)


def judgement(text: str) -> str | None:
    """Blame or a moral label for the seeker; "it's not your fault" is not one."""
    return _asserted(JUDGEMENT, text)


_IMPERATIVE = re.compile(rf"^{_PARTS['lead_in']}(?:{_PARTS['command_verbs']})\b")
# Imperative in form only: courtesies, self-kindness, offers to listen and crisis instructions.
_SOFT_IMPERATIVE = _rule("soft_imperative")
_DIRECTIVE_MODAL = re.compile(_RULES["directive_modal"])


def directive(text: str) -> str | None:
    """A command aimed at the seeker: "you should/must/need to …" or a sentence opening with an imperative."""
    modal = _search(_DIRECTIVE_MODAL, text)
    if modal:
        return modal
    for sentence in sentences(text):
        if sentence.endswith("?") or _SOFT_IMPERATIVE.search(sentence) or PERMISSION.search(sentence):
            continue
        match = _IMPERATIVE.search(sentence)
        if match:
            return match.group(0)
    return None


# Suggestions and advice (detected to decide whether autonomy support is owed).
ADVICE = _rule("advice")
# MI autonomy support: the choice stays the seeker's; tentative offers rather than commands.
PERMISSION = _rule("permission")


def advice(text: str) -> str | None:
    """A suggestion or piece of advice, in any form."""
    return _search(ADVICE, text)


def autonomy_support(text: str) -> str | None:
    """Language that leaves the choice with the seeker (permission, options, tentative offers)."""
    return _search(PERMISSION, text)


_ASKS_ADVICE = _rule("asks_advice")


def asks_for_advice(seeker: str) -> str | None:
    """The seeker asked for advice, so directive phrasing is solicited rather than imposed."""
    return _search(_ASKS_ADVICE, seeker)


_HEDGE = re.compile(rf"\b(?:{_PARTS['hedges']})\b")
_DIAGNOSIS = _rule("diagnosis")
_DOSING = _rule("dosing")
# Medication talk is in scope when it routes the seeker to a prescriber or to emergency care.
_PRESCRIBER = re.compile(rf"\b(?:{_PARTS['prescribers']})\b")


def out_of_scope(text: str) -> str | None:
    """A diagnosis stated as fact, or medication advice not routed through a prescriber."""
    for sentence in sentences(text):
        match = _DIAGNOSIS.search(sentence)
        if match and not _HEDGE.search(sentence[: match.start()]):
            return match.group(0)
        dose = _DOSING.search(sentence)
        if dose and not _PRESCRIBER.search(sentence):
            return dose.group(0)
    return None


_STOCK = _rule("stock")


def specific_words(text: str) -> int:
    """Words left once greetings, fillers and stock sympathy formulas are removed."""
    return len(_WORD.findall(_STOCK.sub(" ", normalise(text))))


_SAFETY_QUESTION = _rule("safety_question")
_CRISIS_RESOURCE = _rule("crisis_resource")
_PROFESSIONAL = re.compile(rf"\b(?:{_PARTS['professionals']})\b")


def asks_about_safety(text: str) -> str | None:
    """A direct question about suicidal thoughts, plans or immediate safety."""
    return _search(_SAFETY_QUESTION, text)


def offers_crisis_help(text: str) -> str | None:
    """A crisis line or emergency service, or else a referral to professional help."""
    return _search(_CRISIS_RESOURCE, text) or _search(_PROFESSIONAL, text)
