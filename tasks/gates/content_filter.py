"""Content filter: blocks records whose assistant turns would teach a model something harmful.

Categories: self-harm instructions or encouragement, lethal-means details, pro-eating-disorder
coaching, sexual content involving minors, hate and harassment, violent threats, medication dosing
advice and diagnoses stated as fact. Patterns are explainable and each hit names its category and
the matched words. Context keeps safe support responses passing: a negation ("please don't take more
pills"), a question ("are you thinking about killing yourself?" is the crisis protocol), reported or
conditional speech ("you might feel you're worthless", "if you have depression") and, for advice
categories, the absence of an advising frame ("your doctor may increase your dose"). Text is first
de-obfuscated (leetspeak, homoglyphs, s.p.a.c.e.d letters) and then normalised with the crisis
lexicon's `normalise`, so both gates read one spelling. Nothing here imports the synthesis package:
a gate sharing phrasings with the generator would grade its own homework.

The rules live in `data/content_filter.json` (non-ASCII characters written as \\u escapes, so the
look-alikes stay visible); this module keeps the logic that applies them. Its keys:
- `severity`: category -> severity of a hit (0..1); a verdict's score is its highest.
- `parts`: named regex fragments (drugs, units, minors, groups, disorders...), a string or a list of
  alternatives; a pattern names one as `{name}` (a list as `(?:{name})`). The context word lists
  (`negators`, `conditionals`, `reporting`, `condemning`, `hedges`, `modals`) are parts too.
- `advising_frames`: what ends the clause before an advice match for it to count ("you should",
  "try", "feel free to"); `{modals}` there is `modals` (plus `tentative_modals` for ADVISORY).
- `groups`: rows of {category, context, anchors, patterns}, matched in order. `context` names the
  `_Ctx` checks a match must pass; `anchors` are words one of which every pattern of the row needs
  ("#": any digit), so a set test over the text's words skips rows that cannot match (tests check no
  hand case depends on the skip); a row without anchors always runs. Each row's patterns are one
  alternation, written against `filter_text`; the first match that counts is the hit's phrase.
- `homoglyphs`: confusable character -> Latin letter ("" drops invisible ones); `leetspeak`: digit or
  symbol -> letter; `number_units`: what may follow a number without it being leetspeak ("50mg").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Flag, auto
from functools import reduce
from operator import or_
from types import MappingProxyType

from tasks.data_files import data_file, fill, regex_parts
from tasks.gates.char_tables import CharTable
from tasks.gates.content_filter_settings import Category, ContentFilterSettings
from tasks.gates.crisis_lexicon import normalise
from tasks.records import GateVerdict, Record, Role

GATE = "content_filter"
EXCERPT_CHARS = 60
_RULES = data_file(__file__, "content_filter.json")
_PARTS = regex_parts(_RULES["parts"])

# Verdict score is the highest severity among a record's hits, so quarantine can be sorted by harm.
SEVERITY = MappingProxyType({Category(c): severity for c, severity in _RULES["severity"].items()})


@dataclass(frozen=True)
class Hit:
    """One matched pattern: its category, the normalised words matched, and their severity."""

    category: Category
    phrase: str
    severity: float

    @property
    def label(self) -> str:
        return f"{self.category.value}: '{self.phrase}'"


class _Ctx(Flag):
    """Context checks a pattern group applies before a match counts as a hit."""

    NONE = 0
    NEGATION = auto()  # "please don't ..." in the clause before the match
    QUESTION = auto()  # the sentence ends in "?"
    CONDITIONAL = auto()  # "if / when / unless ..." in the clause before
    REPORTED = auto()  # "you might feel / they said / the myth that ..." in the clause before
    ADVISORY = auto()  # only an imperative or an advising frame ("you should", "try") counts
    IMPERATIVE = auto()  # as ADVISORY, but "you could / might / may" is a warning, not advice
    CONDEMNED = auto()  # the sentence condemns or reports it ("... is illegal", "report it")
    HEDGED = auto()  # "maybe / it is possible that ..." in the clause before: an impression, not a verdict


_ORDER = MappingProxyType({category: index for index, category in enumerate(Category)})
_NEGATOR = re.compile(rf"\b(?:{_PARTS['negators']})\b")
_CONDITIONAL = re.compile(rf"\b(?:{_PARTS['conditionals']})\b")
_REPORTED = re.compile(rf"\b(?:{_PARTS['reporting']})\b")


def _lead(modals: str) -> re.Pattern[str]:
    """An advising frame ending the clause before a match (an empty clause is an imperative)."""
    frames = fill("|".join(_RULES["advising_frames"]), {**_PARTS, "modals": modals})
    return re.compile(rf"(?:^|\b(?:{frames}))\s*$")


_ADVISORY_LEAD = _lead(f"{_PARTS['modals']}|{_PARTS['tentative_modals']}")
_IMPERATIVE_LEAD = _lead(_PARTS["modals"])
_CONDEMNED = re.compile(rf"\b(?:{_PARTS['condemning']})\b")
_HEDGE = re.compile(rf"\b(?:{_PARTS['hedges']})\b")
# "Why don't you just ...?" is a suggestion in a question's clothes.
_RHETORICAL = re.compile(r"\bwhy\s+(?:dont|not)\b")
_CLAUSE_BREAK = re.compile(r"[.;!?,]|\b(?:but|because|although|though|however|whereas)\b")
_SENTENCE_END = re.compile(r"[.!?]")
_NEGATION_WORDS = 6


@dataclass(frozen=True)
class _Group:
    category: Category
    ctx: _Ctx
    anchors: frozenset[str]
    pattern: re.Pattern[str]


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation, each branch at a word start (the boundary written once, outside the group)."""
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(f'(?:{p})' for p in patterns)})")


_GROUPS = tuple(
    _Group(
        Category(row["category"]),
        reduce(or_, (_Ctx[check.upper()] for check in row["context"]), _Ctx.NONE),
        frozenset(row["anchors"]),
        _compile(tuple(fill(pattern, _PARTS) for pattern in row["patterns"])),
    )
    for row in _RULES["groups"]
)
_CLAUSE_MARKS = CharTable({c: " " for c in ".;!?,'"})
_DIGIT = re.compile(r"\d")

# De-obfuscation: confusable letters, digits and symbols standing in for letters, spaced letters.
_HOMOGLYPHS = str.maketrans(_RULES["homoglyphs"])
_LEET = str.maketrans(_RULES["leetspeak"])
_LEET_TOKEN = re.compile(r"(?<![a-z0-9@$])(?=[a-z0-9@$]*[a-z])[a-z@$]*[0-9@$][a-z0-9@$]*")
# "50mg", "3am", "2nd", "20s": numbers with a unit are numbers, not leetspeak.
_NUMBER_WITH_UNIT = re.compile(rf"\d+(?:{'|'.join(_RULES['number_units'])})")
_INNER_SYMBOL = re.compile(r"(?<=[a-z])[!|](?=[a-z])")
# "k.i.l.l" needs three letters; "d i e" needs four, or text-speak ("u r a") would be glued together.
_SPACED = re.compile(
    r"(?<![a-z0-9])[a-z](?:[._*\-][a-z](?![a-z0-9])){2,}|(?<![a-z0-9])[a-z](?: (?! )[a-z](?![a-z0-9])){3,}"
)
_SPACED_SEPARATORS = re.compile(r"[ ._*\-]")
_SPACED_HINT = re.compile(r"\b[a-z][._*\- ][a-z][._*\- ][a-z]\b")
_LEET_HINT = re.compile(r"[a-z][0-9@$]|[0-9@$][a-z]")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    return token if _NUMBER_WITH_UNIT.fullmatch(token) else token.translate(_LEET)


def deobfuscate(text: str) -> str:
    """Lower-case text with look-alikes, leetspeak ("k1ll", "$uicide") and s.p.a.c.e.d letters undone."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()).translate(_HOMOGLYPHS))
    text = text.lower()
    # Each rewrite is tried only where its cheap trigger is present: most text has none.
    if _LEET_HINT.search(text):
        text = _LEET_TOKEN.sub(_unleet, text)
    if "!" in text or "|" in text:
        text = _INNER_SYMBOL.sub(lambda m: "i" if m.group(0) == "!" else "l", text)
    if _SPACED_HINT.search(text):
        text = _SPACED.sub(lambda m: _SPACED_SEPARATORS.sub("", m.group(0)), text)
    return text


def filter_text(text: str) -> str:
    """Text as the filter's patterns read it: de-obfuscated, then the crisis lexicon's normalisation."""
    return normalise(deobfuscate(text))


def _clause_prefix(norm: str, start: int) -> str:
    prefix = norm[max(0, start - 120) : start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    return (prefix[breaks[-1].end() :] if breaks else prefix).strip()


def _sentence(norm: str, start: int, end: int) -> tuple[str, str]:
    """The sentence around a match, and its closing mark ('' at the end of the text)."""
    before = norm[:start]
    opened = max(before.rfind("."), before.rfind("!"), before.rfind("?")) + 1
    closing = _SENTENCE_END.search(norm, end)
    stop = closing.end() if closing else len(norm)
    return norm[opened:stop], closing.group(0) if closing else ""


def _counts(group: _Group, norm: str, match: re.Match[str]) -> bool:
    """True when the match is not excused by its group's context checks."""
    ctx = group.ctx
    prefix = _clause_prefix(norm, match.start())
    near = " ".join(prefix.split()[-_NEGATION_WORDS:])
    if _Ctx.NEGATION in ctx and _NEGATOR.search(_RHETORICAL.sub(" ", near)):
        return False
    if _Ctx.CONDITIONAL in ctx and _CONDITIONAL.search(prefix):
        return False
    if _Ctx.REPORTED in ctx and _REPORTED.search(prefix):
        return False
    if _Ctx.HEDGED in ctx and _HEDGE.search(prefix):
        return False
    if _Ctx.ADVISORY in ctx and not _ADVISORY_LEAD.search(prefix):
        return False
    if _Ctx.IMPERATIVE in ctx and not _IMPERATIVE_LEAD.search(prefix):
        return False
    if _Ctx.QUESTION in ctx or _Ctx.CONDEMNED in ctx:
        sentence, mark = _sentence(norm, match.start(), match.end())
        if _Ctx.QUESTION in ctx and mark == "?" and not _RHETORICAL.search(sentence):
            return False
        outside = sentence.replace(match.group(0), " ")
        if _Ctx.CONDEMNED in ctx and _CONDEMNED.search(outside):
            return False
    return True


def _words(norm: str) -> frozenset[str]:
    """The text's words, plus "#" when it holds a digit: what the row anchors are tested against."""
    words = _CLAUSE_MARKS(norm).split()
    return frozenset([*words, "#"] if _DIGIT.search(norm) else words)


def _scan(norm: str, categories: Collection[Category] | None, skip_by_anchor: bool = True) -> list[Hit]:
    words = _words(norm)
    hits: dict[Category, Hit] = {}
    for group in _GROUPS:
        if group.category in hits or (categories is not None and group.category not in categories):
            continue
        if skip_by_anchor and group.anchors and words.isdisjoint(group.anchors):
            continue
        for match in group.pattern.finditer(norm):
            if _counts(group, norm, match):
                phrase = match.group(0).strip()[:EXCERPT_CHARS]
                hits[group.category] = Hit(group.category, phrase, SEVERITY[group.category])
                break
    return sorted(hits.values(), key=lambda h: _ORDER[h.category])


def classify(text: str, categories: Collection[Category] | None = None) -> list[Hit]:
    """Every category `text` hits (at most one hit per category, the first that counts)."""
    return _scan(filter_text(text), categories)


def _turn_categories(role: Role, settings: ContentFilterSettings) -> frozenset[Category]:
    enabled = frozenset(settings.categories)
    return enabled if role in settings.roles else enabled & frozenset(settings.every_turn_categories)


def check(records: Sequence[Record], settings: ContentFilterSettings) -> list[GateVerdict]:
    """One verdict per record: fails on any hit; score is the highest hit severity (0 when clean)."""
    verdicts = []
    for record in records:
        reasons: list[str] = []
        score = 0.0
        for turn, message in enumerate(record.messages):
            categories = _turn_categories(message.role, settings)
            if not categories:
                continue
            for hit in classify(message.content, categories):
                reasons.append(f"turn {turn}: {hit.label}")
                score = max(score, hit.severity)
        verdicts.append(GateVerdict(gate=GATE, passed=not reasons, score=score, reasons=tuple(reasons)))
    return verdicts
