"""Stage 1 of the crisis detector: fast, explainable patterns for suicide and self-harm signals.

Categories follow the Columbia Suicide Severity Rating Scale (wish to be dead, active ideation,
method, intent or plan, preparatory behaviour) plus self-harm and the vague distress ("I can't go
on") that clinicians still treat as potential risk. Idioms ("this commute is killing me") are blanked
out before matching, and a match preceded by a negation ("I would never kill myself") is kept as a
weaker, negated signal rather than dropped: denial is lower risk, not no risk.

The rules live in `data/crisis_lexicon.json`, phrases grouped by the C-SSRS categories above; this
module keeps only the logic that applies them. Its keys:
- `severity`: category -> severity of an affirmed signal (0..1). Its order is CATEGORIES, the order of
  the learned model's signal features: changing the categories means retraining the model.
- `parts`: named regex fragments, each a list of alternatives; a pattern names one as `(?:{name})`.
- `patterns`: category -> regexes, written against `normalise`d text; the first match of a category
  is the phrase a signal reports, so order matters.
- `idioms`: figurative uses that share words with the patterns, blanked before matching.
- `negators`, `negation_bridges`: a negation, and the words that may sit between it and the act it
  denies ("I have no plans to"); `not_a_denial`: negations that are a struggle or a question instead.
- `inner_negation_categories`: categories whose patterns hold no negation of their own.
- `anchors`: category -> words without which its patterns cannot match (each pattern needs one);
  `idiom_anchors` likewise for the idioms; `glued_stems`: stems found inside glued words ("myselfi").
- `contraction_suffixes`: a split contraction's suffix -> the words it is joined to ("don t").
- `leetspeak`: look-alike character -> letter; `maskable`: risk words a masked token ("k*ll") may
  stand for, the first that fits wins.
Regex lists keep their order (alternation order decides the matched phrase); word sets are sorted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tasks.data_files import data_file, fill, regex_parts
from tasks.gates.char_tables import CharTable

_RULES = data_file(__file__, "crisis_lexicon.json")


def _alternatives(words: list[str]) -> str:
    return f"(?:{'|'.join(words)})"


# Severity of an affirmed signal on a 0..1 scale; the detector uses it as a floor on the final
# score, so every first-person category sits above the trained threshold (checked at training).
SEVERITY: Mapping[str, float] = MappingProxyType(_RULES["severity"])
CATEGORIES: tuple[str, ...] = tuple(SEVERITY)

_PARTS = regex_parts(_RULES["parts"])
_PATTERNS: dict[str, tuple[str, ...]] = {
    category: tuple(fill(p, _PARTS) for p in patterns) for category, patterns in _RULES["patterns"].items()
}
_IDIOMS: tuple[str, ...] = tuple(_RULES["idioms"])
_NEGATOR = _alternatives(_RULES["negators"])
_BRIDGE = _alternatives(_RULES["negation_bridges"])
_NEGATED_PREFIX = re.compile(rf"\b{_NEGATOR}\s+(?:{_BRIDGE}\s+){{0,3}}$")
# A negation that is a struggle or a question, not a denial: "trying not to kill myself", "hard not to",
# "why shouldn't I end my life", "why not just kill myself".
_NOT_A_DENIAL = re.compile(rf"\b{_alternatives(_RULES['not_a_denial'])}\s+$")
_INNER_NEGATION = re.compile(r"\b(?:not|never)\b")
# Categories whose patterns never contain a negation of their own, so one inside the match denies it.
_INNER_NEGATION_CATEGORIES = frozenset(_RULES["inner_negation_categories"])
_CLAUSE_BREAK = re.compile(r"[.;!?,]|\bbut\b|\bbecause\b|\bthough\b")

# Words without which a category's patterns cannot match (each pattern holds at least one). A set
# intersection over the text's words is far cheaper than running every alternation over a long post,
# and keeps stage 1 near 4,500 texts/s on one core; tests check no hand case depends on the skip.
_ANCHORS: dict[str, frozenset[str]] = {c: frozenset(words) for c, words in _RULES["anchors"].items()}
_GLUED_STEMS: tuple[str, ...] = tuple(_RULES["glued_stems"])
_IDIOM_ANCHORS = frozenset(_RULES["idiom_anchors"])


def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for many patterns, each starting at a word boundary.

    The boundary is written once, as look-arounds outside the group, instead of a `\\b` per branch:
    the regex engine then rejects most positions before trying any branch (about 45% faster).
    """
    branches = "|".join(f"(?:{p.removeprefix(chr(92) + 'b')})" for p in patterns)
    return re.compile(rf"(?<![a-z0-9])(?=[a-z])(?:{branches})")


_COMPILED = tuple((category, _ANCHORS[category], _alternation(p)) for category, p in _PATTERNS.items())
_IDIOM_RE = _alternation(_IDIOMS)
_CONTRACTION = re.compile(r"(\w)'(\w)")
# A contraction split by a space ("don t", "i m", "you re") is joined only after a word that takes it,
# so a stray letter ("i want to die t") is not glued onto the word before it ("diet").
_TAKES_SUFFIX: dict[str, list[str]] = _RULES["contraction_suffixes"]


def _suffix_branches() -> str:
    """One branch per suffix and word length: the suffix first, then a fixed-width look-behind for the
    words of that length, so the regex stays in C and tries the look-behind only after " t", " m"..."""
    branches = []
    for suffix, words in _TAKES_SUFFIX.items():
        by_length: dict[int, list[str]] = {}
        for word in words:
            by_length.setdefault(len(word), []).append(word)
        branches += [
            rf"{suffix}(?<=\b(?:{'|'.join(group)}) {suffix})" for _, group in sorted(by_length.items())
        ]
    return "|".join(branches)


_SPLIT_CONTRACTION = re.compile(rf" ({_suffix_branches()})\b")
# Every ASCII symbol but the clause marks becomes a space; so do common typographic marks.
_KEEP = set(".;!?,'")
_SYMBOLS = CharTable(
    {c: " " for c in [chr(i) for i in range(33, 127)] if not c.isalnum() and c not in _KEEP}
    | {c: " " for c in "“”„«»—–…•"}
    | {"’": "'", "‘": "'"}
)
_PUNCTUATION = CharTable({c: " " for c in _KEEP})
IDIOM_MARKER = "figurativeuse"

# Obfuscation ("k1ll mys3lf", "$uicide", "s u i c i d e", "k*ll"): look-alike digits and symbols between
# letters are read as the letters they stand for, and spelled-out letters are joined. Only characters
# with a letter on both sides (or a leading $/@ before letters) change, so "mp3", "24h" and "14000mg"
# keep their digits.
_LEET = str.maketrans(_RULES["leetspeak"])
_LEET_CHARS = "".join(_RULES["leetspeak"])
_LEET_INSIDE = re.compile(rf"(?<=[a-z])[{_LEET_CHARS}]+(?=[a-z])|(?<![a-z0-9])[@$](?=[a-z]{{2}})")
# Cheap necessary conditions, so the costlier rewrites run only on the few texts that can need them.
_LEET_HINT = re.compile(rf"[{_LEET_CHARS}]+(?=[a-z])")
_SPELLED_HINT = re.compile(r" [a-z] [a-z](?![a-z0-9])")
# Single letters spelled out with spaces, three or more, not starting with "i", "a" or "u" (so the
# lower-cased "i m a mess" of one source and "u r a star" stay as they are).
_SPELLED = re.compile(r"(?<![a-z0-9])[b-hj-tv-z](?: [a-z]){2,}(?![a-z0-9])")
# A masked risk word ("k*ll", "su**ide"; letters on both sides of the stars): the stars are filled in
# only where one of these words fits.
_MASKED = re.compile(r"[a-z]+\*+[a-z][a-z*]*")
_MASKABLE: tuple[str, ...] = tuple(_RULES["maskable"])


def _unmask(match: re.Match[str]) -> str:
    token = match.group(0)
    shape = re.compile("".join("[a-z]{1,3}" if c == "*" else c for c in re.sub(r"\*+", "*", token)))
    return next((word for word in _MASKABLE if shape.fullmatch(word)), token.replace("*", " "))


@dataclass(frozen=True)
class Signal:
    """One matched stage-1 pattern: which C-SSRS category, the words matched, and whether negated."""

    category: str
    phrase: str
    negated: bool

    @property
    def label(self) -> str:
        return f"{'negated:' if self.negated else ''}{self.category}:{self.phrase}"


@dataclass(frozen=True)
class Analysis:
    """Stage-1 signals of one text and the text the learned stage reads.

    `model_text` is normalised, without punctuation, each idiom replaced by IDIOM_MARKER and denied
    phrases removed: the n-gram model cannot read "not" in "I'm not suicidal", so the words it denies
    are not shown to it (the denial still lowers the score, through DENIAL_DISCOUNT in the detector).
    """

    signals: tuple[Signal, ...]
    model_text: str


# Replacements as functions, not templates (r"\1\2"): re expands a template in Python for every match.
def _joined(match: re.Match[str]) -> str:
    return match[1] + match[2]


def _suffix(match: re.Match[str]) -> str:
    return match[1]


def normalise(text: str) -> str:
    """Lower-case, undo common obfuscation, join split contractions ("don t", "don't" -> "dont") and drop
    symbols.

    One source is lower-cased with apostrophes replaced by spaces; normalising both forms to one
    spelling lets one pattern serve every register.
    """
    text = text.lower()
    if _LEET_HINT.search(text):
        text = _LEET_INSIDE.sub(lambda m: m.group(0).translate(_LEET), text)
    if "*" in text:
        text = _MASKED.sub(_unmask, text)
    text = _SYMBOLS(text)
    if "'" in text:
        text = _CONTRACTION.sub(_joined, text)
    text = " ".join(text.split())
    if _SPELLED_HINT.search(text):
        text = _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _SPLIT_CONTRACTION.sub(_suffix, text)


def _is_negated(text: str, start: int) -> bool:
    """True when the clause before `start` ends in a negation of the matched act."""
    prefix = text[max(0, start - 60) : start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    if breaks:
        prefix = prefix[breaks[-1].end() :]
    return _NEGATED_PREFIX.search(prefix) is not None and _NOT_A_DENIAL.search(prefix) is None


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by spaces of the same length, so offsets stay valid."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def blank_idioms(norm: str) -> str:
    """Replace figurative spans of normalised text with spaces of the same length (offsets stay valid).

    Both stages read the blanked text, so "career suicide" cannot teach the model that "suicide" in a
    business sentence is risk.
    """
    return _IDIOM_RE.sub(lambda m: " " * len(m.group(0)), norm)


def _model_view(norm: str, idioms: list[tuple[int, int]], denied: list[tuple[int, int]]) -> str:
    """The learned stage's text: denied phrases removed, each idiom replaced by one marker word.

    The marker keeps the fact that a crisis word was used figuratively, which the model can weigh; a
    blank would make "we need to kill some time before the train leaves" read as a sentence about trains.
    """
    chars = list(_blank(norm, denied))
    for start, end in idioms:
        chars[start:end] = " " * (end - start)
        chars[start] = f" {IDIOM_MARKER} "
    return " ".join(_PUNCTUATION("".join(chars)).split())


def _words_of(norm: str) -> frozenset[str]:
    """The words of normalised text, for the anchor gates."""
    words = frozenset(_PUNCTUATION(norm).split())
    # Scraped text glues words together ("myselfi"); the commonest stems still open their gates.
    return words | {stem for stem in _GLUED_STEMS if stem in norm}


def _idiom_spans(norm: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """Figurative spans ("this commute is killing me"); searched only where an idiom word occurs."""
    return [m.span() for m in _IDIOM_RE.finditer(norm)] if not words.isdisjoint(_IDIOM_ANCHORS) else []


def _collect(
    norm: str, patterns: list[tuple[str, re.Pattern[str], int]], spans: bool
) -> tuple[tuple[Signal, ...], list[tuple[int, int]]]:
    """Signals of idiom-blanked text and, with `spans`, where each denied phrase is.

    A category keeps its first negated match and its first affirmed one; matching in it starts at the
    given offset (where its first match is already known to be) and stops at the affirmed one unless the
    denied spans are wanted (they are blanked for the learned stage).
    """
    found: dict[tuple[str, bool], Signal] = {}
    denied: list[tuple[int, int]] = []
    for category, pattern, start in patterns:
        for match in pattern.finditer(norm, start):
            negated = _is_negated(norm, match.start()) or (
                category in _INNER_NEGATION_CATEGORIES and _INNER_NEGATION.search(match.group(0)) is not None
            )
            if negated:
                denied.append(match.span())
            if (category, False) not in found:
                found.setdefault((category, negated), Signal(category, match.group(0).strip(), negated))
            elif not spans:
                break
    return tuple(found.values()), denied


def analyse(text: str) -> Analysis:
    """Stage-1 signals of `text` and the text the learned stage reads."""
    norm = normalise(text)
    words = _words_of(norm)
    idioms = _idiom_spans(norm, words)
    if idioms:
        norm = _blank(norm, idioms)
    patterns = [(c, p, 0) for c, anchors, p in _COMPILED if not words.isdisjoint(anchors)]
    signals, denied = _collect(norm, patterns, spans=True)
    return Analysis(signals, _model_view(norm, idioms, denied))


def scan(text: str) -> tuple[Signal, ...]:
    """Every category matched in `text`, at most one affirmed and one negated signal per category.

    The same signals as `analyse`, cheaper: idioms are looked for only once some pattern matched, since
    blanking them can only remove matches, and each category is read once from its first match on.
    """
    norm = normalise(text)
    words = _words_of(norm)
    firsts = [(c, p, p.search(norm)) for c, anchors, p in _COMPILED if not words.isdisjoint(anchors)]
    candidates = [(c, p, first.start()) for c, p, first in firsts if first is not None]
    if not candidates:
        return ()
    idioms = _idiom_spans(norm, words)
    if idioms:
        return _collect(_blank(norm, idioms), [(c, p, 0) for c, p, _ in candidates], spans=False)[0]
    return _collect(norm, candidates, spans=False)[0]


def stage1_score(signals: tuple[Signal, ...]) -> float:
    """Highest severity among affirmed signals; negated signals alone never raise the floor."""
    return max((SEVERITY[s.category] for s in signals if not s.negated), default=0.0)


def signal_features(signals: tuple[Signal, ...]) -> list[float]:
    """One indicator per category, in CATEGORIES order, set where the category is affirmed.

    Denials get no column: their words are blanked from the model's text, so "I'm not suicidal, just
    tired" reads as "just tired" plus a discount, never as evidence of risk.
    """
    affirmed = {s.category for s in signals if not s.negated}
    return [float(category in affirmed) for category in CATEGORIES]
