"""PII scrubbing: replaces contact details, identifiers and person names with typed placeholders.

Emails, phone numbers, personal URLs (social profiles, user paths), street addresses, national ids
(US SSN, UK NI number, Canadian SIN with its checksum) and Luhn-valid card numbers become "[EMAIL]",
"[PHONE]", "[URL]", "[ADDRESS]", "[ID]" and "[CARD]" in every turn; person names become "[NAME]" in
user turns. Crisis resources are never touched: 988, 911, 112, 999, 116 123 and 741741 are shorter
than any phone pattern, the listed helpline numbers and domains are kept explicitly, and bare domains
("988lifeline.org") are not personal. No NLP model is available, so names come from Faker's bundled
first-name lists (Latin-script locales) read with context cues ("my name is", "my sister", "said")
and with words that are also names ("Hope", "Will", "May") needing a strong cue.

The word lists live in `data/pii.json`; the patterns that are logic (the shape of a phone number, an
address, an id) stay here. Its keys, each a list of strings unless said otherwise:
- `crisis_numbers` ({number, service} objects) and `crisis_domains`: helplines never replaced, the
  defaults of `PiiSettings.keep_phone_numbers` and `keep_domains`; `crisis_context`: phrases that,
  just before a number, make it a crisis service's; `toll_free_prefixes`: US toll-free area codes.
- `url_tlds`: top-level domains a bare domain may end in; `spelled_email_tlds`: those of "name at host
  dot com"; `social_sites`, `social_feature_paths` (first path segments naming a feature, not a
  person), `personal_hosting`, `user_path_segments` ("/u/name") and `user_query_keys` ("?user=").
- `street_suffixes`, `street_abbreviations` and their `plain_` subsets (those trusted in lower-case
  text); `not_street_words`: words that cannot be part of a lower-case street name ("3 more miles").
- Names: `name_locales` (the Faker locales whose first names are read) and `core_name_locales`;
  `ambiguous_names` (words that are also names), `not_names`, `relations`, `possessives`,
  `relation_adjectives`, `titles`, `abbreviated_titles`, `after_name_verbs`, `intro_verbs`,
  `place_prefixes`, `place_suffixes` and `places` (cities written alone that share a first name).
Lists that build a regex keep their order; word sets are sorted.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import NamedTuple

from tasks.data_files import data_file
from tasks.preprocess.settings import PiiSettings, PiiType
from tasks.records import FICTIONAL_NAMES, Record, Role, with_contents

_RULES = data_file(__file__, "pii.json")


def _alternatives(key: str) -> str:
    """The rules file's list `key` as one regex group."""
    return f"(?:{'|'.join(_RULES[key])})"


# --- URLs and emails ----------------------------------------------------------------------------------

_TLD = _alternatives("url_tlds")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'\[\]]+"
    # A bare domain needs a lower-case top-level domain: "feelings.In" is a missing space, not a URL.
    rf"|(?<![@\w.\-/])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?-i:{_TLD})\b(?![@\-])(?:/[^\s<>\"'\[\]]*)?",
    re.IGNORECASE,
)
_URL_HINT = re.compile(rf"www\.|\.(?-i:{_TLD})\b", re.IGNORECASE)  # what a match needs; cheap to find
_EMAIL = re.compile(
    r"(?<![\w.+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"
    r"|\b[a-z0-9._%+-]+\s*(?:\[at\]|\(at\)|\s+at\s+)\s*[a-z0-9-]+\s*(?:\[dot\]|\(dot\)|\s+dot\s+)\s*"
    rf"{_alternatives('spelled_email_tlds')}\b",
    re.IGNORECASE,
)
_SOCIAL: tuple[str, ...] = tuple(_RULES["social_sites"])
# First path segments of social sites that name a feature, not a person.
_SOCIAL_GENERIC = frozenset(_RULES["social_feature_paths"])
_PERSONAL_HOSTING: tuple[str, ...] = tuple(_RULES["personal_hosting"])
_USER_PATH = re.compile(
    rf"(?:^|/)(?:~[^/]+|@[^/]+|{_alternatives('user_path_segments')}/[^/?#]+)", re.IGNORECASE
)
_USER_QUERY = re.compile(f"[?&]{_alternatives('user_query_keys')}=", re.I)
_TRAILING = ".,;:!?)'\""


def _under(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _personal_url(url: str, keep_domains: Iterable[str]) -> bool:
    """True when a URL names a person: a social profile, a personal blog host or a user-ish path."""
    rest = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    host, _, path = rest.partition("/")
    host = host.split(":")[0].split("?")[0].split("#")[0].lower()
    path = "/" + path if path else rest[len(host) :]
    if _under(host, keep_domains):
        return False
    if any(host.endswith("." + base) for base in _PERSONAL_HOSTING):
        return True
    if _under(host, _SOCIAL):
        first = next((s for s in re.split(r"[/?#&]", path) if s), "")
        return bool(first) and first.lower() not in _SOCIAL_GENERIC
    return bool(_USER_PATH.search(path) or _USER_QUERY.search(path))


# --- numbers: cards, national ids, phones -----------------------------------------------------------------

_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])")
_SIN = re.compile(r"(?<![\d-])\d{3}([- ])\d{3}\1\d{3}(?![\d-])")
# A bare nine-digit number is an id only after its name ("my SSN is 123456789").
_CUED_ID = re.compile(
    r"(?i:\b(?:ssn|sin|social\s+security(?:\s+(?:number|no))?|social\s+insurance(?:\s+(?:number|no))?)"
    r"(?:\s+(?:is|was))?\s*[:#]?\s*)\d{9}\b"
)
_NI = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
_NANP = re.compile(
    r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\s*[2-9]\d{2}\s*\)|[2-9]\d{2})[\s.-]?[2-9]\d{2}[\s.-]?\d{4}(?!\w)"
)
_INTERNATIONAL = re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[\s.-]?\(\d{1,4}\))?(?:[\s.-]?\d{1,5}){2,6}(?!\w)")
_NATIONAL = re.compile(r"(?<![\w+])\(?0\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}(?!\w)")
# (pattern, fewest digits of a phone, most digits, fewest digits a match can hold)
_PHONES = ((_NANP, 10, 11, 10), (_INTERNATIONAL, 8, 15, 3), (_NATIONAL, 9, 11, 6))
_CRISIS_CONTEXT = re.compile(f"(?i:{'|'.join(_RULES['crisis_context'])})")
_US_TOLL_FREE = frozenset(_RULES["toll_free_prefixes"])
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d+")
# Hints: a text no hint finds cannot match the pattern it stands for (each is a part every match of
# that pattern holds), and these start with a character class, which the regex engine scans for fast;
# the patterns start with look-behinds and word boundaries, tried at every position of every text.
_CARD_HINT = re.compile(r"\d(?:[ -]?\d){12}")  # _CARD: 13 digits, single separators between them
_GROUPED_HINT = re.compile(r"\d{3}[- ]\d\d")  # _SSN and _SIN: three digits, a separator, more digits
_NI_HINT = re.compile(r"[A-Z] ?\d\d ?\d\d ?\d\d ?[A-D]")  # _NI without its prefix's first letter
_SPELLED_DOT = re.compile(r"dot", re.IGNORECASE)  # "name at host dot com": _EMAIL's second form


def luhn(digits: str) -> bool:
    """The Luhn checksum cards and Canadian SINs carry; a random number passes one time in ten."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _phone_keys(digits: str) -> set[str]:
    """The forms a number may be listed in: as written, without the +1 or +44 country code."""
    keys = {digits}
    if len(digits) == 11 and digits.startswith("1"):
        keys.add(digits[1:])
    if digits.startswith("44"):
        keys.add("0" + digits[2:])
    return keys


# --- street addresses ---------------------------------------------------------------------------------------

# Abbreviations may carry their full stop ("St."); a full word's full stop ends the sentence.
_SUFFIX_ANY = rf"{_alternatives('street_suffixes')}\b|{_alternatives('street_abbreviations')}\b\.?"
_SUFFIX_PLAIN = (
    rf"{_alternatives('plain_street_suffixes')}\b|{_alternatives('plain_street_abbreviations')}\b\.?"
)
_NOT_STREET = "|".join(_RULES["not_street_words"])
_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}"
_ADDRESS_TAIL = (
    r"(?:,?\s*(?i:apt|apartment|suite|ste|unit|flat|\#)\.?\s*[\w-]+)?"
    r"(?:,?\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2},?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?"  # city, state and ZIP
    r"|,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})?"
    rf"(?:,?\s*{_POSTCODE}\b)?"
)
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:(?:[NSEW]\.?|North|South|East|West)\s+)?(?:[A-Z][a-zA-Z'.-]*\s+){1,3}"
    rf"(?i:{_SUFFIX_ANY}){_ADDRESS_TAIL}"
    r"|\b\d{1,5}[a-z]?\s+(?:(?:n|s|e|w|north|south|east|west)\.?\s+)?"
    rf"(?!(?:{_NOT_STREET})\b)[a-z][a-z'.-]*(?:\s+(?!(?:{_NOT_STREET})\b)[a-z][a-z'.-]*)?\s+"
    rf"(?i:{_SUFFIX_PLAIN})"
    r"(?=\s*(?:$|[,.;:!?)\n])|\s(?:apt|apartment|suite|unit|flat|in|and|near|by|on|with|where|next|across|"
    rf"behind|which|that|for|since|so|but|when|to|from|is|was)\b){_ADDRESS_TAIL}"
    rf"|\b{_POSTCODE}\b"
    r"|\b(?i:p\.?\s?o\.?\s+box)\s+\d+"
)
# _ADDRESS's hints: a house number before a space or a postcode's inward code; or "box" (a PO box).
_ADDRESS_HINTS = (re.compile(r"\d(?:[A-Za-z]?\s|[A-Z]{2})"), re.compile(r"(?i:box)"))


# --- person names ------------------------------------------------------------------------------------------

_NAME_LOCALES: tuple[str, ...] = tuple(_RULES["name_locales"])
# Names common enough at the start of an English sentence to trust without another cue.
_CORE_LOCALES: tuple[str, ...] = tuple(_RULES["core_name_locales"])
# Words that are also first names: replaced only after a strong cue ("my friend Hope", "Will said").
_AMBIGUOUS_WORDS = frozenset(_RULES["ambiguous_names"])
_STOP_AFTER_CUE = frozenset(_RULES["not_names"])
_RELATIONS = frozenset(_RULES["relations"])
_POSSESSIVES = frozenset(_RULES["possessives"])
_RELATION_ADJECTIVES = frozenset(_RULES["relation_adjectives"])
_TITLES = frozenset(_RULES["titles"])
_AFTER_VERBS = frozenset(_RULES["after_name_verbs"])
_INTRO_VERBS = frozenset(_RULES["intro_verbs"])
_PLACE_PREFIXES = frozenset(_RULES["place_prefixes"])
_PLACE_SUFFIXES = frozenset(_RULES["place_suffixes"])
# Cities that share a first name and are written alone; states and countries come from Faker.
_PLACES = frozenset(_RULES["places"])
_ABBREVIATED_TITLES = frozenset(_RULES["abbreviated_titles"])
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_GAP = re.compile(r"[.!?\n:;\"“”]")


@dataclass(frozen=True)
class _NameLexicon:
    first: frozenset[str]
    core: frozenset[str]
    last: frozenset[str]
    ambiguous: frozenset[str]


def _latin(name: str) -> bool:
    return all(c in "-'" or (c.isalpha() and "LATIN" in unicodedata.name(c, "")) for c in name)


def _name_forms(names: Iterable[str]) -> set[str]:
    """Lower-case single-word forms of names (multi-word names split), with accents also stripped."""
    forms: set[str] = set()
    for name in names:
        for part in name.split():
            if len(part) >= 2 and _latin(part):
                lower = part.lower()
                forms.add(lower)
                forms.add(
                    "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))
                )
    return forms


@cache
def name_lexicon() -> _NameLexicon:
    """First and last names from Faker's bundled person providers, read once (about half a second)."""
    first: set[str] = set()
    core: set[str] = set()
    last: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        names = [
            n
            for attr in ("first_names", "first_names_male", "first_names_female")
            for n in getattr(provider, attr, ())
        ]
        forms = _name_forms(names)
        first |= forms
        if locale in _CORE_LOCALES:
            core |= forms
        last |= _name_forms(getattr(provider, "last_names", ()))
    lorem = importlib.import_module("faker.providers.lorem.en_US").Provider.word_list
    address = importlib.import_module("faker.providers.address.en_US").Provider
    places = _PLACES | _name_forms([*address.states, *address.countries])
    ambiguous = _AMBIGUOUS_WORDS | (first & (set(lorem) | places)) | {n for n in first if len(n) <= 2}
    return _NameLexicon(frozenset(first), frozenset(core), frozenset(last - set(lorem)), frozenset(ambiguous))


class _Token(NamedTuple):
    start: int
    end: int
    word: str
    lower: str
    capitalised: bool
    sentence_start: bool


def _ends_sentence(gap: str, previous_lower: str) -> bool:
    """Whether the text between two words ends a sentence ("Dr. Patel" does not); most gaps are one space."""
    if gap == " " or _SENTENCE_GAP.search(gap) is None:
        return False
    return not (previous_lower in _ABBREVIATED_TITLES and gap.startswith("."))


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = 0
    previous_lower = ""
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        start, matched_end = match.span()
        end = matched_end
        if word.endswith(("'s", "’s")) and len(word) > 3:
            word, end = word[:-2], end - 2
        lower = word.lower()
        starts = not tokens or _ends_sentence(text[previous_end:start], previous_lower)
        capitalised = word[0].isupper() and not (len(word) > 1 and word.isupper())
        tokens.append(_Token(start, end, word, lower, capitalised, starts))
        previous_end, previous_lower = matched_end, lower
    return tokens


def _cue(tokens: list[_Token], i: int) -> str:
    """The kind of cue right before token i: "intro" ("my name is"), "title" ("Dr."), "relation"
    ("my sister", "a friend named", "Aunt") or "" for none."""
    before = [t.lower for t in tokens[max(0, i - 3) : i]]
    if not before or tokens[i].sentence_start:
        return ""
    p1 = before[-1]
    p2 = before[-2] if len(before) > 1 else ""
    p3 = before[-3] if len(before) > 2 else ""
    if (p1 == "is" and p2 == "name" and p3 == "my") or (p1 in {"name's", "names"} and p2 == "my"):
        return "intro"
    if p1 == "me" and p2 == "call":
        return "intro"
    if p1 in _ABBREVIATED_TITLES and p2 != "tl":  # "Dr. Patel", but not "TL;DR Found ..."
        return "title"
    if p1 in _TITLES and p1 not in _ABBREVIATED_TITLES:
        return "relation"
    if p1 in _INTRO_VERBS or (
        p1 in _RELATIONS and (p2 in _POSSESSIVES or (p2 in _RELATION_ADJECTIVES and p3 in _POSSESSIVES))
    ):
        return "relation"
    return ""


def _in_place_name(tokens: list[_Token], i: int) -> bool:
    """ "San Diego", "South America", "Jensen Beach": a name-like word inside a place name."""
    previous = tokens[i - 1].lower if i > 0 else ""
    following = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    return previous in _PLACE_PREFIXES or following in _PLACE_SUFFIXES


def _after_article(tokens: list[_Token], i: int) -> bool:
    """ "a Christian", "an Evangelical Christian": after an article a capitalised word names a group or a
    thing, not a person (without a cue such as "my name is")."""
    articles = {"a", "an", "the"}
    if i > 0 and tokens[i - 1].lower in articles:
        return True
    return i > 1 and tokens[i - 2].lower in articles and tokens[i - 1].capitalised


def _is_name(tokens: list[_Token], i: int, lexicon: _NameLexicon) -> bool:
    """Whether token i is a person's name, from the name lists and the cues around it.

    A cue lets in any capitalised word after "my name is" or a title, and any listed name after a
    relation ("my sister Hope"). Without a cue, only capitalised English-locale names that are not also
    words count; names from other locales need a cue, as many of them are English words ("Marine").
    """
    token = tokens[i]
    lower = token.lower
    if len(lower) < 2 or lower in _STOP_AFTER_CUE or lower.startswith(("i'", "i’")):
        return False
    known = lower in lexicon.first
    clear = known and lower not in lexicon.ambiguous and len(lower) >= 3
    cue = _cue(tokens, i)
    if cue in ("intro", "title"):
        return token.capitalised or clear
    if cue == "relation":
        return (token.capitalised and known) or clear
    if _in_place_name(tokens, i) or _after_article(tokens, i):
        return False
    following = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    after_cue = following in _AFTER_VERBS or (
        following == "and" and i + 2 < len(tokens) and tokens[i + 2].lower in {"i", "me"}
    )
    if after_cue and known:
        return token.capitalised or (clear and lower in lexicon.core)
    if i > 0 and tokens[i - 1].lower in {"i'm", "im"} and not token.sentence_start:
        return token.capitalised and clear
    return token.capitalised and clear and lower in lexicon.core


# A name is a listed first name or a word right after "my name is", "call me" or a title (see _is_name).
_CUE_WORDS = frozenset({"name", "names", "call"}) | _ABBREVIATED_TITLES


def _may_hold_a_name(text: str, lexicon: _NameLexicon) -> bool:
    """Whether any word could be a name; most turns have none, and this is much cheaper than _tokens."""
    words = {word.lower() for word in _TOKEN.findall(text)}
    words |= {word[:-2] for word in words if word.endswith(("'s", "’s"))}
    return not (words.isdisjoint(lexicon.first) and words.isdisjoint(_CUE_WORDS))


def find_names(text: str) -> set[str]:
    """Lower-case person names (first names and the surnames that follow them) found in `text`."""
    lexicon = name_lexicon()
    if not _may_hold_a_name(text, lexicon):
        return set()
    tokens = _tokens(text)
    found: set[str] = set()
    for i, token in enumerate(tokens):
        # Only a capitalised word or a listed name can be a name: skip the rest before any cue test.
        if not (token.capitalised or token.lower in lexicon.first) or not _is_name(tokens, i, lexicon):
            continue
        found.add(token.lower)
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            following is not None
            and following.capitalised
            and text[token.end : following.start] == " "
            and following.lower not in lexicon.ambiguous
            and following.lower not in _STOP_AFTER_CUE
            and (following.lower in lexicon.last or following.lower in lexicon.first)
        ):
            found.add(following.lower)
    return found


def _replace_names(text: str, names: set[str], counts: Counter[str]) -> str:
    """Every occurrence of a found name becomes "[NAME]"; a lower-case one only for plain English names
    (so "Marine" found after "my sister" leaves "the marine corps" alone)."""
    if not names:
        return text
    lexicon = name_lexicon()
    spans: list[tuple[int, int]] = []
    for token in _tokens(text):
        plain = token.lower in lexicon.core and token.lower not in lexicon.ambiguous
        if token.lower in names and (token.capitalised or plain):
            if spans and text[spans[-1][1] : token.start] == " ":
                spans[-1] = (spans[-1][0], token.end)  # first name + surname: one placeholder
            else:
                spans.append((token.start, token.end))
    for start, end in reversed(spans):
        text = f"{text[:start]}[{PiiType.NAME}]{text[end:]}"
    counts[PiiType.NAME.value] += len(spans)
    return text


# --- the scrubber -------------------------------------------------------------------------------------------

# Whether to keep a match, given the matched text and up to CONTEXT_CHARS of text before it.
Keep = Callable[[str, str], bool]
CONTEXT_CHARS = 60


def _sub(
    pattern: re.Pattern[str], kind: PiiType, text: str, counts: Counter[str], keep: Keep | None = None
) -> str:
    """Replace each match of `pattern` with the placeholder of `kind`, except those `keep` says to keep."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        core = found.rstrip(_TRAILING) if kind is PiiType.URL else found
        if keep is not None and keep(core, text[max(0, match.start() - CONTEXT_CHARS) : match.start()]):
            return found
        counts[kind.value] += 1
        return f"[{kind}]{found[len(core) :]}"

    return pattern.sub(replace, text)


def _not_card(number: str, _: str) -> bool:
    digits = _digits(number)
    return not (13 <= len(digits) <= 19 and luhn(digits))


def _not_sin(number: str, _: str) -> bool:
    return not luhn(_digits(number))


@lru_cache(maxsize=8)
def _kept_numbers(numbers: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key for number in numbers for key in _phone_keys(_digits(number)))


def _toll_free(digits: str) -> bool:
    national = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return national[:3] in _US_TOLL_FREE or digits.startswith(("0800", "0808", "44800", "44808"))


def _keep_phone(number: str, before: str, low: int, high: int, settings: PiiSettings) -> bool:
    """Keep what is not a phone (wrong length, a date), listed helplines, toll-free lines and numbers
    introduced as a crisis service ("the local crisis center is 719-...")."""
    digits = _digits(number)
    if not low <= len(digits) <= high or _DATE.fullmatch(number):
        return True
    if _phone_keys(digits) & _kept_numbers(settings.keep_phone_numbers):
        return True
    if settings.keep_toll_free and _toll_free(digits):
        return True
    return settings.keep_crisis_context and _CRISIS_CONTEXT.search(before) is not None


def _cued_id(match: re.Match[str], counts: Counter[str]) -> str:
    found = match.group(0)
    digits_at = len(found) - 9
    counts[PiiType.ID.value] += 1
    return f"{found[:digits_at]}[{PiiType.ID}]"


def _may_be_phone(pattern: re.Pattern[str], text: str) -> bool:
    """_INTERNATIONAL needs a "+"; _NATIONAL's leading 0 begins a run of digits (its look-behind)."""
    if pattern is _INTERNATIONAL:
        return "+" in text
    if pattern is _NATIONAL:
        return any(run.startswith("0") for run in _DIGIT_RUN.findall(text))
    return True


def _scrub_types(text: str, settings: PiiSettings, counts: Counter[str]) -> str:
    types = frozenset(settings.types)
    if PiiType.URL in types and ("://" in text or _URL_HINT.search(text)):
        text = _sub(
            _URL, PiiType.URL, text, counts, lambda url, _: not _personal_url(url, settings.keep_domains)
        )
    if PiiType.EMAIL in types and ("@" in text or _SPELLED_DOT.search(text)):
        text = _sub(_EMAIL, PiiType.EMAIL, text, counts)
    # Each pattern below needs at least so many digits in the text; most turns have none or few.
    digits = len(_DIGIT.findall(text))
    if digits == 0:
        return text
    if PiiType.CARD in types and digits >= 13 and _CARD_HINT.search(text):
        text = _sub(_CARD, PiiType.CARD, text, counts, _not_card)
    if PiiType.ID in types and digits >= 6:
        if digits >= 9 and _GROUPED_HINT.search(text):
            text = _sub(_SSN, PiiType.ID, text, counts)
        if digits >= 9 and _GROUPED_HINT.search(text):
            text = _sub(_SIN, PiiType.ID, text, counts, _not_sin)
        if _NI_HINT.search(text):
            text = _sub(_NI, PiiType.ID, text, counts)
        if digits >= 9:
            text = _CUED_ID.sub(partial(_cued_id, counts=counts), text)
    if PiiType.PHONE in types and digits >= 3:
        for pattern, low, high, least in _PHONES:
            if digits >= least and _may_be_phone(pattern, text):
                keep = partial(_keep_phone, low=low, high=high, settings=settings)
                text = _sub(pattern, PiiType.PHONE, text, counts, keep)
    if PiiType.ADDRESS in types and any(hint.search(text) for hint in _ADDRESS_HINTS):
        text = _sub(_ADDRESS, PiiType.ADDRESS, text, counts)
    return text


def scrub_text(text: str, settings: PiiSettings, role: Role) -> tuple[str, Counter[str]]:
    """`text` with the PII its role is scanned for replaced, and how many of each type were replaced."""
    counts: Counter[str] = Counter()
    if role in settings.roles:
        text = _scrub_types(text, settings, counts)
    if PiiType.NAME in settings.types and role in settings.name_roles:
        text = _replace_names(text, find_names(text), counts)
    return text, counts


def fictional_names(record: Record) -> set[str]:
    """The lower-case first names a generator invented for a synthetic record: "your sister [NAME]" in
    half the generated conversations taught a model the placeholder, and protected nobody. A corpus
    record's label is ignored, so no input can exempt a real name."""
    if record.source.type != "synthetic":
        return set()
    listed = str(record.labels.get(FICTIONAL_NAMES, ""))
    return {name.strip().lower() for name in listed.split(",") if name.strip()}


def scrub_record(record: Record, settings: PiiSettings) -> tuple[Record, Counter[str]]:
    """The record with every message scrubbed (its id kept: it names the original), and the counts."""
    counts: Counter[str] = Counter()
    texts = [
        _scrub_types(m.content, settings, counts) if m.role in settings.roles else m.content
        for m in record.messages
    ]
    names: set[str] = set()
    if PiiType.NAME in settings.types:
        for message, text in zip(record.messages, texts, strict=True):
            if message.role in settings.name_roles:
                names |= find_names(text)
        names -= fictional_names(record)
    replaced = (settings.propagate_names or m.role in settings.name_roles for m in record.messages)
    texts = [_replace_names(t, names, counts) if r else t for t, r in zip(texts, replaced, strict=True)]
    return with_contents(record, texts), counts
