"""How the offline engine words a sampled therapeutic scenario: four turns built from its specifics.

Data Designer samples the scenario (concern, situation, feeling, persona, people, timeline, what was
tried, when it is worst ...); `compose` turns one sampled row into a conversation. The seeker states
who, what happened and since when; the counsellor reflects those details back (the situation, the
feeling, what the seeker said), asks about something the seeker has not yet said, and the seeker's
second turn answers it. Frames, facets and optional parts are chosen by a generator seeded from the
row's sampled values, so a row always reads the same and the engine's seed fixes the whole shard.

The pools are JSON in `data/`, all original text written for this project (see NOTICE); each file's
"about" field documents its shape:
- therapeutic_concerns.json: per concern, `situations` ({say, topic, bands?, job?, no_timeline?,
  persona_not?: a pattern matching the personas the situation contradicts, not_parts?: one matching
  the other parts, of either voice, it rules out (a person's slot keeps them out of the rest), plural?:
  the topic takes plural verbs}),
  `feelings` ({say, name}), `tried`, `worst`, `impact`, `hope` (seeker phrases, first person) and the
  counsellor's `validation`, `psychoeducation` and `ideas` (plain, or {say, fits} for the situations
  whose wording `fits` matches); concern-level `bands` / `job` / `persona_not`.
- therapeutic_people.json: per age band the `ages` and `personas` ({say, job}: role and life stage);
  `people` per situation slot ({partner}, {relative}, {friend}, {boss}, {colleague}, {lost},
  {child}); `names` (first names by gender, and the roles a seeker would name); `timelines`
  ({for, ago}); `confidants`; `outcomes` (`outcomes_ongoing`: only for a habit, never for what was
  `tried_once`); `openers`; `unsuited_parts` (per life stage, what does not fit it: no school run for
  someone living in halls) and `apart` (no flatmate or neighbour where the wording says they live
  elsewhere).
- therapeutic_details.json: details that fit any concern: more `feelings`, `people` and their
  `reactions`, recent moments (`anchors`, `moments`, and `anchor_times`: no "This morning" before
  "until four"), `body` signs, and shared `tried`, `worst`, `impact` and `hope` phrases joined to each
  concern's own.
- therapeutic_world.json: specifics any seeker phrase may name: `town`, `hobby`, `place`, `event`;
  each is a sampled column, filled in like the people slots; `fits` swaps one for a value of the kind the
  wording naming it needs (the till at {place}: a shop), and `needs_job` the ones only a worker names.
- therapeutic_turns.json: the seeker's and the counsellor's sentence frames (the counsellor's may hold
  {lead} and {tag}, ways into and responses to a reflection drawn afresh at each use).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from tasks.data_files import data_file
from tasks.records import FICTIONAL_NAMES

SLOTS = ("partner", "relative", "friend", "boss", "colleague", "lost", "child")
# Specifics a seeker phrase may name besides people ({town} ...), one sampled column each.
WORLD = ("town", "hobby", "place", "event")
FACETS = ("tried", "support", "worst", "impact", "hope", "timeline", "others", "body", "moment")
SEVERITIES = ["mild", "moderate", "significant"]
STRATEGIES = ["reflection", "validation", "open_question", "psychoeducation", "coping_plan", "referral"]
# Strategies whose move ends in its own check-in question rather than a question about a new facet.
_CHECKED_IN = frozenset({"psychoeducation", "coping_plan", "referral"})
_PERMISSION = 0.4  # the share of closing questions that ask permission first
_NAMED = 0.85  # the share of nameable people the seeker names: real seekers mostly do

_SCENARIOS: dict[str, Any] = data_file(__file__, "therapeutic_concerns.json")["concerns"]
_PEOPLE: dict[str, Any] = data_file(__file__, "therapeutic_people.json")
_DETAILS: dict[str, Any] = data_file(__file__, "therapeutic_details.json")
_TURNS: dict[str, Any] = data_file(__file__, "therapeutic_turns.json")
_WORLD: dict[str, Any] = data_file(__file__, "therapeutic_world.json")
_NAMES: dict[str, Any] = _PEOPLE["names"]
_SEEKER: dict[str, Any] = _TURNS["seeker"]
_COUNSELLOR: dict[str, Any] = _TURNS["counsellor"]
# Fitting the story to the persona: phrases that say the seeker works, roles only someone in work has,
# and per age band the roles that do not fit that life stage; each is swapped for another of its pool.
_NEEDS_JOB: frozenset[str] = frozenset(_PEOPLE["needs_job"])
_JOB_ROLES: frozenset[str] = frozenset(_PEOPLE["job_roles"])
_UNSUITED: dict[str, frozenset[str]] = {band: frozenset(roles) for band, roles in _PEOPLE["unsuited"].items()}
# Kindnesses are spoken of as such, and only a seeker who has kept it to themselves is answered as lonely.
_KIND: frozenset[str] = frozenset(_DETAILS["reactions_kind"])
_ALONE: frozenset[str] = frozenset(_PEOPLE["confidants_alone"])
_WORK_SLOT = re.compile(r"\{(?:boss|colleague)\}")
# What was tried once (a weekend away) is not answered with how a habit went ("I kept forgetting to do it").
_TRIED_ONCE: frozenset[str] = frozenset(_PEOPLE["tried_once"])
_ONGOING: frozenset[str] = frozenset(_PEOPLE["outcomes_ongoing"])
# Specifics that fit the wording naming them: per specific, the cues (a pattern in a phrase before it is filled)
# and the values of the kind each cue needs ("the till at {place}" takes a shop); specifics naming a job.
_FITS: dict[str, list[tuple[re.Pattern[str], frozenset[str]]]] = {
    slot: [(re.compile(cue), frozenset(fits["kinds"][kind])) for cue, kind in fits["cues"]]
    for slot, fits in _WORLD["fits"].items()
}
_WORLD_JOB: frozenset[str] = frozenset(_WORLD["needs_job"])
_JOB_NAMED = _NEEDS_JOB | _WORLD_JOB  # the phrases and specifics only someone in work would say
_SLOT = re.compile(r"\{(\w+)\}")
# Per life stage ("{band}: {persona}"), the phrases and specifics that do not fit it: no school run for
# someone living in halls, no spreadsheet for a bus driver.
_LIFE_UNFIT: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (re.compile(life), re.compile(parts)) for life, parts in _PEOPLE["unsuited_parts"]
]
# People who live with the seeker (a flatmate), and wording that says a person lives elsewhere.
_LIVE_WITH: frozenset[str] = frozenset(_PEOPLE["apart"]["roles"])
_APART = re.compile(_PEOPLE["apart"]["cues"])
# Roles that read badly before a possessive ("a friend from my book club's"), and the slots that take one.
_FROM_ROLES: frozenset[str] = frozenset(
    r for pool in _PEOPLE["people"].values() for r in pool if " from " in r
)
_POSSESSED = re.compile(r"\{(\w+)\}'s\b")
# Moments that name their own time ("until four", "all week"), and the anchors that clash with each.
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_ANCHOR_TIMES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (re.compile(moment), re.compile(clash)) for moment, clash in _DETAILS["anchor_times"]
]
# The counsellor's frames are worded for a singular topic; a plural one ("the nightmares") takes these.
_PLURAL = {
    "has": "have",
    "is": "are",
    "does": "do",
    "What's": "What have",
    "what's": "what have",
    "its": "their",
} | {verb: verb[:-1] for verb in ("sounds", "seems", "feels", "gets", "weighs")}
# The topic as a subject: "{topic} sounds heavy", not "Coping with {topic} sounds tough".
_TOPIC_VERB = re.compile(
    r"(?<!with )(?<!through )(?<!about )(?<!of )(?P<subject>\{topic\} )(?P<verb>has|is|sounds|seems|feels|gets|weighs)\b"
    r"|\b(?:has|is|does|[Ww]hat's)(?= \{topic\})|(?<=\{topic\} loosened )its\b|(?<=\{topic\} at )its\b"
)


def _plural_topic(match: re.Match[str]) -> str:
    return match["subject"] + _PLURAL[match["verb"]] if match["subject"] else _PLURAL[match.group(0)]


# Seeker-side texts per concern and part (the concern's own, then the shared details): what Data
# Designer samples, and what the crisis tests scan.
CONCERNS: dict[str, dict[str, list[str]]] = {
    concern: {
        "situation": [s["say"] for s in pools["situations"]],
        "feeling": [f["say"] for f in pools["feelings"]],
        **{part: [*pools[part], *_DETAILS[part]] for part in ("tried", "worst", "impact", "hope")},
    }
    for concern, pools in _SCENARIOS.items()
}
OPENERS: list[str] = list(_PEOPLE["openers"])
AGE_BANDS: dict[str, dict[str, list[str]]] = {
    band: {"age": list(pools["ages"]), "role": [p["say"] for p in pools["personas"]]}
    for band, pools in _PEOPLE["bands"].items()
}
PEOPLE: dict[str, list[str]] = {slot: list(_PEOPLE["people"][slot]) for slot in SLOTS}
# Scenario columns drawn from one pool each, whatever the concern: column -> values.
SHARED: dict[str, list[str]] = {
    "timeline": [t["for"] for t in _PEOPLE["timelines"]],
    "confidant": list(_PEOPLE["confidants"]),
    "outcome": list(_PEOPLE["outcomes"]),
    "opener": list(_PEOPLE["openers"]),
    "feeling_2": list(_DETAILS["feelings"]),
    "feeling_3": list(_DETAILS["feelings"]),
    "feeling_4": list(_DETAILS["feelings"]),
    "feeling_5": list(_DETAILS["feelings"]),
    "person": list(_DETAILS["people"]),
    "reaction": list(_DETAILS["reactions"]),
    "anchor": list(_DETAILS["anchors"]),
    "moment": list(_DETAILS["moments"]),
    "body": list(_DETAILS["body"]),
    "name_female": list(_NAMES["female"]),
    "name_male": list(_NAMES["male"]),
    **{slot: list(_WORLD[slot]) for slot in WORLD},
}

# The sampled seeker phrases besides the situation, each of which may name people and specifics.
_PARTS = (
    "feeling",
    "tried",
    "worst",
    "impact",
    "hope",
    "confidant",
    "outcome",
    "reaction",
    "moment",
    "body",
    "timeline",
)

_FIRST_PERSON = re.compile(
    r"\bI (?:am|was|wasn't)\b|\b(?:I'm|I've|I'd|I'll|I|me|my|mine|myself|we're|we've|we'd|we'll|we|us|our"
    r"|ours|ourselves)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = {
    "i am": "you are", "i was": "you were", "i wasn't": "you weren't", "i'm": "you're", "i've": "you've",
    "i'd": "you'd", "i'll": "you'll", "i": "you", "me": "you", "my": "your", "mine": "yours",
    "myself": "yourself", "we're": "you're", "we've": "you've", "we'd": "you'd", "we'll": "you'll",
    "we": "you", "us": "you", "our": "your", "ours": "yours", "ourselves": "yourselves",
}  # fmt: skip
# The counsellor's name for a feeling said of anyone ("out of your depth" -> "out of their depth").
_THEIR = {"yourself": "themselves", "you're": "they're", "your": "their", "you": "they"}
_ANYONE = re.compile(r"\b(?:yourself|you're|your|you)\b")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")
_LEAD_OR_TAG = re.compile(r"\{(lead|tag)\}")
# Questions that already ask permission, or open with "I" or a slot, take no permission opener.
_ASKS_LEAVE = re.compile(r"I\b|\{|If you|Would you like|Only if")


def second_person(text: str) -> str:
    """The seeker's words as the counsellor says them back ("my manager" -> "your manager"), in lower
    case: frames put them mid-sentence, and `_sentences` capitalises any that open one."""
    return _FIRST_PERSON.sub(lambda match: _SECOND_PERSON[match.group(0).lower()], text)


def _sentences(text: str) -> str:
    """Capitalise each sentence's first letter (frames may open with a lower-case slot)."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), " ".join(text.split()))


@cache
def _by_say(concern: str, part: str) -> dict[str, dict[str, Any]]:
    return {entry["say"]: entry for entry in _SCENARIOS[concern][part]}


@cache
def _personas(band: str) -> dict[str, dict[str, Any]]:
    return {entry["say"]: entry for entry in _PEOPLE["bands"][band]["personas"]}


@cache
def _ago(span: str) -> str:
    return next(t["ago"] for t in _PEOPLE["timelines"] if t["for"] == span)


def _row_rng(row: Mapping[str, Any]) -> random.Random:
    """A generator fixed by the row's sampled values: the same scenario is always worded the same way."""
    key = "\x1f".join(f"{name}={row[name]}" for name in sorted(row))
    return random.Random(int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big"))


def _people(
    row: Mapping[str, Any],
    rng: random.Random,
    unsuited: frozenset[str],
    worded_out: Mapping[str, frozenset[str]],
    unfit: Sequence[re.Pattern[str]],
) -> tuple[dict[str, str], list[str]]:
    """One person per slot (the friend who died is not the friend you told), plus the person who
    reacted (anyone but the one who died, or one the situation keeps out of the story), none of them
    `unsuited` to the seeker's life stage where the slot has another, nor one the wording rules out
    for the slot (`worded_out`). Most roles a seeker would name get a first name of their gender: the
    sampled one first, then others from the pool, so no two people share a name. Returns the people by
    slot and the first names given."""
    sampled = {"female": row["name_female"], "male": row["name_male"]}
    chosen: dict[str, str] = {}
    named: dict[str, str] = {}
    for slot in (*SLOTS, "person"):
        role = row[slot]
        pool = PEOPLE[slot] if slot != "person" else SHARED["person"]
        # The person who reacted may be the partner, but not a second one ("my partner Seb" beside
        # "my boyfriend Eddie"), nor someone the situation keeps out of the rest (the friend who moved away).
        if slot == "person":
            taken = {chosen["lost"], *(other for other in PEOPLE["partner"] if other != chosen["partner"])}
            taken |= {chosen[other] for other in SLOTS if any(p.search(f"{{{other}}}") for p in unfit)}
        else:
            taken = set(chosen.values())
        # A role the scenario rules out ("my friend from work" for someone who lost their job) is swapped too.
        ruled_out = {p for p in pool if any(pattern.search(p) for pattern in unfit)}
        blocked = unsuited | ruled_out | worded_out.get(slot, frozenset())
        if role in taken or role in blocked:
            fits = [p for p in pool if p not in taken and p not in blocked]
            role = rng.choice(fits or [p for p in pool if p not in taken])
        chosen[slot] = role
        gender = _NAMES["roles"].get(role)
        if role not in named and gender and rng.random() < _NAMED:
            gender = rng.choice(("female", "male")) if gender == "any" else gender
            taken = {value.rsplit(" ", 1)[1] for value in named.values()}
            name = sampled[gender]
            if name in taken:
                name = rng.choice([n for n in _NAMES[gender] if n not in taken])
            named[role] = f"{role} {name}"
    names = sorted(value.rsplit(" ", 1)[1] for value in named.values())
    return {slot: named.get(role, role) for slot, role in chosen.items()}, names


def _job(situation: Mapping[str, Any], concern: Mapping[str, Any]) -> str | None:
    """Whether the situation needs the seeker to have a job ("needs"), names their role ("sets"), or
    neither; one that names a manager or colleague needs a job."""
    job = situation.get("job") or concern.get("job")
    return job or ("needs" if _WORK_SLOT.search(situation["say"]) else None)


def _persona(
    row: Mapping[str, Any],
    situation: Mapping[str, Any],
    concern: Mapping[str, Any],
    life_unfit: Sequence[re.Pattern[str]],
) -> str | None:
    """The persona's role-and-life-stage phrase, or None where it would contradict the situation (the
    row's age band already fits it: `_life_stage`)."""
    job = _job(situation, concern)
    persona = _personas(row["age_band"])[row["role"]]
    if job == "sets" or (job == "needs" and not persona["job"]):
        return None
    # A situation names the personas it contradicts ("I had a frightening birth": not a stay-at-home dad;
    # "{partner} snores": not someone who lives on their own).
    if re.search(situation.get("persona_not") or concern.get("persona_not") or "(?!)", persona["say"]):
        return None
    if any(parts.search(situation["say"]) for parts in life_unfit):
        return None
    return str(persona["say"])


def _unfit(situation: Mapping[str, Any]) -> re.Pattern[str] | None:
    """What the situation rules out in the other parts (`not_parts`): no phone calls or funeral for the
    dog who died, no "the person" for a pregnancy that ended, no coffee with the friend who moved away."""
    return re.compile(situation["not_parts"]) if "not_parts" in situation else None


def _life_unfit(row: Mapping[str, Any]) -> list[re.Pattern[str]]:
    """What the seeker's life stage rules out (`unsuited_parts`), whether or not the persona is told."""
    life = f"{row['age_band']}: {row['role']}"
    return [parts for stage, parts in _LIFE_UNFIT if stage.search(life)]


def _fits(value: str, has_job: bool, unfit: Sequence[re.Pattern[str]]) -> bool:
    """Whether a phrase or specific fits the scenario: it names no job the seeker does not have
    (`has_job`), and nothing the situation or the life stage rules out (`unfit`)."""
    return (has_job or value not in _JOB_NAMED) and not any(pattern.search(value) for pattern in unfit)


def _fitted(
    row: Mapping[str, Any], has_job: bool, unfit: Sequence[re.Pattern[str]], rng: random.Random
) -> dict[str, Any]:
    """The row with any phrase that does not fit the scenario (`_fits`) swapped for another of its pool."""
    pools = {
        **CONCERNS[row["concern"]],
        **{c: SHARED[c] for c in ("confidant", "outcome", "reaction", "moment", "body", "timeline")},
        **{c: SHARED[c] for c in ("feeling_2", "feeling_3", "feeling_4", "feeling_5")},
    }
    fitted = dict(row)
    for column, pool in pools.items():
        if column != "situation" and not _fits(row[column], has_job, unfit):
            fitted[column] = rng.choice([value for value in pool if _fits(value, has_job, unfit)])
    return fitted


@cache
def _counsellor_texts(concern: str, situation: str, part: str) -> list[str]:
    """The concern's `part` texts (psychoeducation, ideas) that fit the situation: the plain ones, and
    those given as {say, fits} only where `fits` matches the situation's wording (shift work only for a
    shift worker), minus what the situation rules out."""
    unfit = _unfit(_by_say(concern, "situations")[situation])
    texts = [
        entry if isinstance(entry, str) else entry["say"]
        for entry in _SCENARIOS[concern][part]
        if isinstance(entry, str) or re.search(entry["fits"], situation)
    ]
    return [text for text in texts if not (unfit and unfit.search(text))]


@cache
def _needs(slot: str, phrase: str) -> tuple[frozenset[str], ...]:
    """The kinds of `slot` value the wording of `phrase` needs ("the till at {place}": a shop)."""
    if "{" + slot + "}" not in phrase:
        return ()
    return tuple(kind for cue, kind in _FITS.get(slot, ()) if cue.search(phrase))


def _specifics(
    row: Mapping[str, Any],
    phrases: Sequence[str],
    people: Mapping[str, str],
    has_job: bool,
    unfit: Sequence[re.Pattern[str]],
    rng: random.Random,
) -> dict[str, str]:
    """The sampled specifics ({town} ...), each swapped for another of its pool where the wording of the
    `phrases` that name it needs a kind it is not (a till, a night shift, a relative at a family occasion),
    where it names a job the seeker does not have or something the life stage rules out (`unfit`: a
    daughter's sports day at 19), or where an occasion is a named person's own ("my mum" at "my mum's
    retirement do")."""
    owners = tuple(" ".join(person.split(" ")[:2]) + "'s" for person in people.values())
    chosen: dict[str, str] = {}
    for slot in WORLD:
        value = row[slot]
        fits = [kind for phrase in phrases for kind in _needs(slot, phrase)]
        if not fits and _fits(value, has_job, unfit) and not any(owner in value for owner in owners):
            chosen[slot] = value
            continue
        pool = [v for v in SHARED[slot] if _fits(v, has_job, unfit)]
        pool = [v for v in pool if not any(owner in v for owner in owners)] or pool
        for kind in fits:  # the situation's first; a kind that no value left fits is passed over
            pool = [v for v in pool if v in kind] or pool
        chosen[slot] = value if value in pool else rng.choice(pool)
    return chosen


def _anchor(moment: str, anchor: str, rng: random.Random) -> str:
    """When the moment happened: the sampled anchor, or another where it clashes with a time the moment
    names itself ("On Friday" with "all week", "This morning" with "until four", "Last Friday" at "my
    Saturday parkrun")."""
    clashes = [clash for cue, clash in _ANCHOR_TIMES if cue.search(moment)]
    days = set(_WEEKDAY.findall(moment))

    def fits(when: str) -> bool:
        return not any(clash.search(when) for clash in clashes) and not (
            days and set(_WEEKDAY.findall(when)) - days
        )

    return anchor if fits(anchor) else rng.choice([when for when in SHARED["anchor"] if fits(when)])


def _life_stage(
    row: Mapping[str, Any], situation: Mapping[str, Any], concern: Mapping[str, Any], rng: random.Random
) -> dict[str, Any]:
    """The row with a life stage the situation fits: a situation only some age bands have (grandchildren)
    takes one of those bands, with an age and a persona of it, so the people and details fit it too."""
    bands = situation.get("bands") or concern.get("bands")
    if not bands or row["age_band"] in bands:
        return dict(row)
    band = rng.choice(bands)
    pools = _PEOPLE["bands"][band]
    persona = rng.choice(pools["personas"])["say"]
    return dict(row) | {"age_band": band, "age": rng.choice(pools["ages"]), "role": persona}


def _worded_out(situation: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Per slot, the roles its wording rules out: no one who lives with or beside the seeker where a
    phrase says they live elsewhere ("we mostly see each other at ..."; the person who reacted is told
    by the reaction that follows them), and no "a friend from my book club" before "'s" (the possessive
    reads as the book club's) or beside another club."""
    phrases = [situation["say"], situation["topic"], *(row[part] for part in _PARTS)]
    apart = {slot for phrase in phrases if _APART.search(phrase) for slot in _SLOT.findall(phrase)}
    apart |= {"person"} if _APART.search(row["reaction"]) else set()
    # "A friend from my book club" reads badly before "'s" and beside "my {hobby}" ("we mostly see each
    # other at my film club").
    no_from = {slot for phrase in phrases for slot in _POSSESSED.findall(phrase)}
    no_from |= {slot for phrase in phrases if "{hobby}" in phrase for slot in _SLOT.findall(phrase)}
    return {
        slot: (_LIVE_WITH if slot in apart else frozenset())
        | (_FROM_ROLES if slot in no_from else frozenset())
        for slot in apart | no_from
    }


def _extra_feelings(
    row: Mapping[str, Any], named: str, fits: Callable[[str], bool], rng: random.Random
) -> list[str]:
    """Four more feelings (two for the opening, two for the second turn) that `fit` the scenario,
    different from each other and from the one the concern named."""
    chosen: list[str] = []
    for column in ("feeling_2", "feeling_3", "feeling_4", "feeling_5"):
        feeling = row[column]
        if feeling in named or named in feeling or feeling in chosen:  # not "lonely, lonely in company"
            feeling = rng.choice(
                [
                    f
                    for f in SHARED[column]
                    if f not in named and named not in f and f not in chosen and fits(f)
                ]
            )
        chosen.append(feeling)
    return chosen


class _Conversation:
    """One scenario's details in both voices, and the facets the seeker has told so far."""

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.rng = _row_rng(row)
        self.concern = row["concern"]
        pools = _SCENARIOS[self.concern]
        situation = _by_say(self.concern, "situations")[row["situation"]]
        row = _life_stage(row, situation, pools, self.rng)
        has_job = bool(_personas(row["age_band"])[row["role"]]["job"] or _job(situation, pools))
        life_unfit = _life_unfit(row)
        ruled_out = _unfit(situation)
        unfit = [*life_unfit, *([ruled_out] if ruled_out else [])]
        row = _fitted(row, has_job, unfit, self.rng)
        feeling = _by_say(self.concern, "feelings")[row["feeling"]]
        unsuited = _UNSUITED.get(row["age_band"], frozenset()) | (frozenset() if has_job else _JOB_ROLES)
        people, self.names = _people(row, self.rng, unsuited, _worded_out(situation, row), unfit)
        f2, f3, f4, f5 = _extra_feelings(row, feeling["name"], lambda f: _fits(f, has_job, unfit), self.rng)
        self.strategy: str = row["strategy"]
        self.persona = _persona(row, situation, pools, life_unfit)
        self.timed = bool(situation.get("no_timeline"))
        mine = {
            "situation": situation["say"],
            "feeling": feeling["say"],
            "for": row["timeline"],
            "ago": _ago(row["timeline"]),
            "tried": row["tried"],
            "outcome": self._outcome(row, lambda o: _fits(o, has_job, unfit)),
            "worst": row["worst"],
            "impact": row["impact"],
            "hope": row["hope"],
            "confidant": row["confidant"],
            "persona": self.persona or "",
            "age": row["age"],
            "f2": f2,
            "f3": f3,
            "f4": f4,
            "f5": f5,
            "person": people["person"],
            "reaction": row["reaction"],
            "moment": row["moment"],
            "body": row["body"],
        }
        # Any phrase may name a person ({partner} ...) or a specific ({town} ...): fill every slot once,
        # in the seeker's words.
        phrases = [situation["topic"], *(value for value in mine.values() if "{" in value)]
        fills = people | _specifics(row, phrases, people, has_job, unfit, self.rng)
        anchor = _anchor(row["moment"].format_map(fills), row["anchor"], self.rng)
        mine |= {"anchor": anchor, "anchor_l": anchor[0].lower() + anchor[1:]}
        self.mine = {key: value.format_map(fills) for key, value in mine.items()} | fills
        self.yours = {key: second_person(value) for key, value in self.mine.items()}
        self.yours |= {
            "persona": second_person(f"I {self.persona}").removeprefix("you ") if self.persona else "",
            "topic": second_person(situation["topic"].format_map(fills)),
            "feeling": feeling["name"],
            "feeling_anyone": _ANYONE.sub(lambda m: _THEIR[m.group(0)], feeling["name"]),
            "feelings": feeling["name"],
            "psychoeducation": self.rng.choice(
                _counsellor_texts(self.concern, situation["say"], "psychoeducation")
            ),
            "idea": self.rng.choice(_counsellor_texts(self.concern, situation["say"], "ideas")),
        }
        self.pools = pools
        self.plural = bool(situation.get("plural"))
        self.dated = " since " in situation["topic"]
        self.told: set[str] = set()
        self.felt = False  # whether the seeker's second turn said how it leaves them feeling
        self.kind = row["reaction"] in _KIND  # the person who reacted did something kind
        self.alone = row["confidant"] in _ALONE  # the seeker has kept it mostly to themselves

    def _outcome(self, row: Mapping[str, Any], suits: Callable[[str], bool]) -> str:
        """How what they tried went, one that `suits` the scenario: something tried once takes an
        outcome that fits a one-off, and one that named a person ("talking it over with {friend}") no
        outcome naming them again."""
        outcome: str = row["outcome"]
        once = row["tried"] in _TRIED_ONCE
        named = set(_SLOT.findall(row["tried"]))

        def fits(o: str) -> bool:
            return not (once and o in _ONGOING) and not named & set(_SLOT.findall(o)) and suits(o)

        return outcome if fits(outcome) else self.rng.choice([o for o in SHARED["outcome"] if fits(o)])

    def pick(self, options: Sequence[str]) -> str:
        """One of `options`, drawn from the row's generator."""
        return self.rng.choice(options)

    def seeker_opening(self, opener: str) -> str:
        """Who (sometimes), what happened, how it feels and, unless the situation says when, since when;
        now and then a recent moment and more feelings."""
        stated_time = not self.timed and self.rng.random() < 0.75
        frames = _SEEKER["opening_timed"] if stated_time else _SEEKER["opening"]
        parts = [opener]
        if self.persona and self.rng.random() < 0.4:
            parts.append(self.pick(_SEEKER["persona"]))
            self.told.add("persona")
        parts.append(self.pick(frames))
        if stated_time or self.timed:
            self.told.add("timeline")
        if self.rng.random() < 0.45:
            parts.append(self.pick(_SEEKER["moment"]))
            self.told.add("moment")
        if self.rng.random() < 0.35:
            parts.append(self.pick(_SEEKER["others_kind" if self.kind else "others"]))
            self.told.add("others")
        if self.rng.random() < 0.85:
            parts.append(self.pick(_SEEKER["feelings"]))
            self.yours["feelings"] = f"{self.yours['feeling']}, {self.yours['f2']} and {self.yours['f3']}"
        return _sentences(" ".join(parts).format_map(self.mine))

    def unsaid(self) -> list[str]:
        """The facets the seeker has not told yet, in a fixed order."""
        return [facet for facet in FACETS if facet not in self.told]

    def first_reply(self, facet: str) -> str:
        """Reflect the situation, feelings, and any persona, moment or people the seeker named, perhaps
        validate, and ask about a facet not yet told."""
        # A topic that says since when ("the noise since the move") is not dated again ("... for a month").
        timed = "timeline" in self.told and not self.timed and not self.dated
        parts = [self.pick(_COUNSELLOR["acknowledgements"])] if self.rng.random() < 0.1 else []
        parts.append(self.pick(_COUNSELLOR["reflect_timed" if timed else "reflect"]))
        told = [
            self.pick(
                _COUNSELLOR["others_reflect_kind" if part == "others" and self.kind else f"{part}_reflect"]
            )
            for part in ("persona", "moment", "others")
            if part in self.told and (part != "persona" or self.rng.random() < 0.5)
        ]
        self.rng.shuffle(told)
        parts += told
        if len(parts) < 3 and self.rng.random() < 0.25:
            personal = _COUNSELLOR["validations_persona"] if "persona" in self.told else []
            parts.append(self.pick([*_COUNSELLOR["validations"], *personal, *self.pools["validation"]]))
        parts.append(self._ask(_COUNSELLOR["ask"][facet]))
        return self._say(parts)

    def seeker_answer(self, facet: str) -> tuple[str, tuple[str, ...]]:
        """Answer the question asked, now and then volunteering one more detail and how it leaves them
        feeling; the facets told."""
        self.told.add(facet)
        told = [facet]
        text = self.pick(_SEEKER["answers"][facet]).format_map(self.mine)
        extra = self.unsaid()
        if extra and self.rng.random() < 0.45:
            more = self.rng.choice(extra)
            self.told.add(more)
            told.append(more)
            detail = _SEEKER["answers"][more][0].format_map(self.mine)  # the plain form reads as an aside
            detail = detail if re.match(r"I\b", detail) else detail[0].lower() + detail[1:]
            text += " " + self.pick(_SEEKER["second_facet"]).format(text=detail)
        if self.rng.random() < 0.75:
            self.felt = True
            text += " " + self.pick(_SEEKER["answer_feelings"]).format_map(self.mine)
        return _sentences(text), tuple(told)

    def second_reply(self, answered: tuple[str, ...]) -> str:
        """Reflect what the seeker just said, make the strategy's move, and close on a question."""
        parts = [self.pick(self._answered(facet)) for facet in answered]
        if self.felt:
            parts.insert(self.rng.randint(0, len(parts)), self.pick(_COUNSELLOR["answer_feelings"]))
        if self.rng.random() < 0.12:
            parts.append(self.pick(_COUNSELLOR["tie_back"]))
        if self.strategy == "psychoeducation":
            parts.append("{psychoeducation}")
        elif self.strategy in _CHECKED_IN or (len(answered) == 1 and self.rng.random() < 0.25):
            parts.append(self.pick(_COUNSELLOR["strategies"][self.strategy]))
        if self.strategy in _CHECKED_IN:
            parts.append(self.pick(_COUNSELLOR["strategy_questions"][self.strategy]))
        elif self.rng.random() < 0.5:
            # Follow up what they just said (without repeating a detail just reflected), or ask about
            # something they have not said yet.
            said = {slot for part in parts for slot in _SLOT.findall(part)} - {"lead", "tag"}
            follow = _COUNSELLOR["follow"][self.pick(answered)]
            fresh = [question for question in follow if not said & set(_SLOT.findall(question))]
            parts.append(self._ask(fresh or follow))
        else:
            unsaid = self.unsaid()
            parts.append(
                self._ask(_COUNSELLOR["ask"][self.pick(unsaid)] if unsaid else _COUNSELLOR["deeper"])
            )
        return self._say(parts)

    def _answered(self, facet: str) -> list[str]:
        """The reflections of an answered facet: kindnesses as such, loneliness only where it fits, and
        support that matters only where someone knows."""
        if facet == "others" and self.kind:
            return list(_COUNSELLOR["answered_kind"]["others"])
        frames = list(_COUNSELLOR["answered"][facet])
        if facet == "support":
            frames += _COUNSELLOR["answered_alone" if self.alone else "answered_supported"]["support"]
        return frames

    def _ask(self, questions: Sequence[str]) -> str:
        """One of `questions`, now and then opened by asking permission ("If you feel up to it, ...")."""
        question = self.pick(questions)
        if self.rng.random() >= _PERMISSION or _ASKS_LEAVE.match(question):
            return question
        return f"{self.pick(_COUNSELLOR['permission'])} {question[0].lower()}{question[1:]}"

    def _say(self, parts: list[str]) -> str:
        """The counsellor's frames joined and filled; each {lead} (a way into a reflection) and {tag} (a
        short response to what was said) is drawn afresh, so one turn does not repeat itself."""
        text = _LEAD_OR_TAG.sub(lambda m: self.pick(_COUNSELLOR[m.group(1)]), " ".join(parts))
        if self.plural:
            text = _TOPIC_VERB.sub(_plural_topic, text)
        return _sentences(text.format_map(self.yours))


def compose(row: Mapping[str, Any]) -> dict[str, str]:
    """The four turns of one sampled scenario, and under `fictional_names` the first names they give
    people (comma-separated), which PII scrubbing leaves alone; raises KeyError if a scenario column
    is missing."""
    conversation = _Conversation(row)
    user_1 = conversation.seeker_opening(row["opener"])
    asked = conversation.pick(conversation.unsaid())
    assistant_1 = conversation.first_reply(asked)
    user_2, answered = conversation.seeker_answer(asked)
    assistant_2 = conversation.second_reply(answered)
    return {
        "user_1": user_1,
        "assistant_1": assistant_1,
        "user_2": user_2,
        "assistant_2": assistant_2,
        FICTIONAL_NAMES: ", ".join(conversation.names),
    }
