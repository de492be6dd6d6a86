"""Grounded support conversations: passages from books, talks and papers become multi-turn chats whose
assistant turn quotes the passage verbatim, in quotation marks and attributed, and cites it.

A pure planner does what needs judgement. It cuts every passage into quotable spans (a sentence, or a
clause of a long sentence, of 8-40 words; dialogue, footnotes, headings, names, caption filler, violent
or crisis wording are skipped), scores each span against a keyword lexicon per concern (reflection on
meaning included), and deals the passages out round after round in a seeded order: each use of a
passage takes its next most relevant concern and quote, so 5,000 conversations over a few hundred
passages reuse none of them often.

Data Designer then reads that plan as a seed dataset, ORDERED (its SHUFFLE is DuckDB's unseeded
`ORDER BY RANDOM()`, which no seed reaches), and its sampler and expression columns write the turns:
persona, strategy and every phrasing slot. Samplers cannot condition on seed columns, so the engine
runs once per concern, with that concern's phrase pools as its category samplers.

A passage with no quotable span relevant to any concern is skipped rather than cited off-topic;
`index_passages` names every skipped passage with the reason.

The phrasing and the lexicon are data, in `data/` beside this module (original project text):
- `grounded_lexicon.json`: per concern, the `core` and `related` words that make a sentence relevant
  to it. A core word counts twice, a related word once, and a sentence is relevant from a score of 2;
  "stem*" matches any word starting with the stem, others whole words only ("die" must not match
  "diet"). The concern `meaning` (how to live) is the broadest and is ranked last.
- `grounded_phrasings.json`: the phrase pools. `concerns`: per concern, the seeker's situation,
  feeling and later detail, the counsellor's reflection, the line linking a cited passage back to
  the seeker's experience without telling them what to do, and the echo of the later detail.
  `personas`: who the seeker is (working-age roles only, so a persona never contradicts a
  situation), two phrasings each. `strategy_moves`: exploratory closing moves per support strategy.
  `reactions`, `follow_ups` and `second_acknowledgements` are keyed by the tone of the seeker's
  reaction to the quote, so a seeker who finds the line distant is never told it moved them.
  `wonderings` end the seeker's second turn by wondering aloud, which the cited line answers;
  `second_questions` leave the seeker free to take or leave the offered perspective. `cite_forms`:
  three ways per source type to introduce a quote, `{author}` and `{work}` filled from the passage.
  The other lists are single slots of the turns. Nothing mentions self-harm or suicide: crisis
  conversations are the edge-case generator's job.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from prefect import task

from tasks.accounting import ShardOutcome
from tasks.caching import SHARD_CACHE
from tasks.data_files import data_file
from tasks.records import (
    Citation,
    Lineage,
    Passage,
    QuarantineItem,
    Record,
    RecordKind,
    SourceRef,
    canonical_json,
    content_id,
)
from tasks.retries import SHARD_RETRIES
from tasks.shards import ShardRef, read_all
from tasks.sourcing.passages import GUTENBERG_LICENCE
from tasks.storage.work_store import join
from tasks.synthesis.engine import DD_VERSION, generate_rows, shard_seed
from tasks.synthesis.rows import Row, reject, shard_outcome, turns_from_row

GENERATOR = "grounding"
VERSION = f"1+data-designer-{DD_VERSION}"
KIND = RecordKind.GROUNDED
TURN_COLUMNS = ("user_1", "assistant_1", "user_2", "assistant_2", "user_3", "assistant_3")
QUOTE_TURN = TURN_COLUMNS.index("assistant_2")
MIN_WORDS, MAX_WORDS = 8, 40
ANGLES_PER_PASSAGE = 4  # concerns one passage may ground, most relevant first
QUOTES_PER_ANGLE = 6  # quotes kept per passage and concern, most relevant first
DROPPED = "generator dropped the row (requested, not produced)"
NO_SPAN = (
    f"no quotable sentence ({MIN_WORDS}-{MAX_WORDS} words of prose, not dialogue, a footnote or a heading)"
)
NO_RELEVANT_SPAN = "no quotable sentence is relevant to any concern's lexicon"

# A sentence ends at . ! or ? (and any closing bracket or quote) followed by a capitalised word.
_BOUNDARY = re.compile(r"(?<=[.!?])[)\]’”'\"]*\s+(?=[(\[‘“'\"]?[A-Z])")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "viz", "cf", "vol", "ch", "no", "etc", "vs", "prof"}
)
_CLAUSE_BREAK = re.compile(r"[;:]\s+")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Dialogue (any quotation mark, or an apostrophe opening or closing a word), asides, markup, footnote marks,
# numbers, table-of-contents runs ("defined,--Conduct") and headings in capitals.
_NOT_PROSE = re.compile(
    r"[\"“”‘_()\[\]*{}<>|#=/\\0-9@&]|(?:^|\s)['’]|['’](?:\s|$)|,--|--.*--|\b[A-Z]{2,}\b.*\b[A-Z]{2,}\b"
)
# Words that keep a span out of a support conversation's citation, by why.
_OFF_LIMIT_WORDS = {
    "violence or self-harm": r"suicid\w* kill\w* slay\w* slain slew murder\w* self-harm\w* blood\w* corpse\w*"
    r" poison\w* drown\w* stab\w* sword\w* tortur\w*",
    "sex": r"sex\w* genital\w* erotic\w* coitus libid\w* incest\w* intercourse masturbat\w* prostitut\w*"
    r" seduc\w* naked\w* homosexual\w*",
    "doctrine": r"christ\w* jesus lord sin sins sinn\w* salvation saviou?r church\w* pray\w* holy saint\w*"
    r" hell damn\w* convert\w* conversion\w* devil\w* bible scriptur\w* gospel\w* religio\w* theolog\w*",
    "a diagnostic label the seeker could read as a verdict": r"neuro\w* hysteri\w* insan\w* lunatic\w*"
    r" madness maniac\w* patholog\w* morbid\w*",
    "the book's own context": r"lecture\w* chapter\w* teachers? pupils? ladies gentlemen hearers audience"
    r" footnote\w* foregoing aforesaid psychoanaly\w* analys\w* investigat\w* authors? schoolroom\w*"
    r" pedagog\w* mnemonic\w* dreamers? patients? translat\w* readers? instances? examples? illustrat\w*"
    r" quoted? psychic\w* repress\w* ego",
    "caption filler": r"um uh erm gonna kinda yeah",
    "a story about someone": r"she her hers herself",
}
# Phrases likewise: ending a life, a command to the seeker ("you must"), the author at work ("let us",
# "the following") and a first-person story ("I went").
_OFF_LIMIT_PHRASES = (
    r"\bend (?:to )?(?:his|her|my|thy|your|their|one's) (?:own )?life\b",
    r"\bhang\w* (?:my|thy|your|him|her|them|one)sel(?:f|ves)\b",
    r"\bdepart (?:out )?of (?:this )?life\b",
    r"\byou (?:must|should|ought|need to|have to)\b",
    r"^let us\b|\bthe following\b",
    r"\bI (?:was|had|stood|went|saw|said|dreamt|dreamed|did|took|spent|met)\b",
)
_OFF_LIMITS = re.compile(
    r"\b(?:"
    + "|".join(w for words in _OFF_LIMIT_WORDS.values() for w in words.split())
    + r")\b|"
    + "|".join(_OFF_LIMIT_PHRASES),
    re.IGNORECASE,
)
# Openings that point back at a sentence the quote leaves out, and words a title keeps in lower case.
_CONTINUATION_WORDS = (
    "this these those such thus hence therefore here he she they him his her their them which whereas"
    " but and or nor for so yet also then that whereof wherefore whereby who whom whose"
)
_CONTINUATIONS = frozenset(_CONTINUATION_WORDS.split())
_CAPITALISED = frozenset(["I", "O", "God", "Gods", "Nature", "Providence", "Heaven"])
# Words of a general statement ("we", "thou", "every") and of a story ("was", "had").
_GENERAL_WORDS = (
    "we us our ourselves man men one thou thee thy thyself every all nothing life people always never"
)
_GENERAL = frozenset(_GENERAL_WORDS.split())
_NARRATIVE = frozenset(["was", "were", "had", "did"])
_SMALL_TITLE_WORDS = "a an and as at by for in of on or the to with"
_SMALL_WORDS = frozenset(_SMALL_TITLE_WORDS.split())
_BUNDLED_NAME = re.compile(r"^[^_]+_(?P<author>[a-z-]+)_pg\d+$")
_TRANSCRIPT_SUFFIXES = frozenset({".vtt", ".srt", ".json", ".json3"})


@dataclass(frozen=True)
class _Terms:
    words: frozenset[str]
    stems: tuple[str, ...]

    @classmethod
    def parse(cls, entries: Sequence[str]) -> _Terms:
        return cls(
            frozenset(t for t in entries if not t.endswith("*")),
            tuple(t[:-1] for t in entries if t.endswith("*")),
        )

    def count(self, words: set[str]) -> int:
        return sum(1 for w in words if w in self.words or w.startswith(self.stems))


MEANING = "meaning"
_PHRASES = data_file(__file__, "grounded_phrasings.json")
_LEXICON = {
    concern: (_Terms.parse(terms["core"]), _Terms.parse(terms["related"]))
    for concern, terms in sorted(data_file(__file__, "grounded_lexicon.json").items())
}
RELEVANT = 2  # the score from which a span is relevant: one core word, or two related words
TOPICAL = 6  # the score from which a whole passage is about a concern
# The least a whole passage must score for a concern before any of its sentences is quoted for it: more
# than one core word alone, so a passage is not cited for a concern that only one stray word names ("by
# virtue of" in a genetics abstract, "alone" in a film's quest).
PASSAGE_RELEVANT = 3


def _words(span: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(span)}


def _score(words: set[str], concern: str) -> int:
    core, related = _LEXICON[concern]
    return 2 * core.count(words) + related.count(words)


def _general(words: set[str]) -> bool:
    """A span that speaks of people in general and tells no story: preferred among equally relevant ones."""
    return bool(words & _GENERAL) and not words & _NARRATIVE


def relevance(span: str, concern: str) -> int:
    """Twice the distinct core words of the concern's lexicon in the span, plus its related words."""
    return _score(_words(span), concern)


def _sentences(text: str) -> Iterator[str]:
    """Sentences in reading order, as slices of `text`; they never cross a line or end at "Mr."."""
    for line in text.splitlines():
        cut = 0
        for match in _BOUNDARY.finditer(line):
            before = line[: match.start() - 1].rsplit(maxsplit=1)
            word = before[-1].lstrip("(").lower() if before else ""
            if word in _ABBREVIATIONS or len(word) == 1:
                continue
            yield line[cut : match.start()].strip()
            cut = match.end()
        yield line[cut:].strip()


def _clauses(sentence: str) -> Iterator[str]:
    """The clauses of a sentence between semicolons and colons, without their closing punctuation."""
    cut = 0
    for piece in [*_CLAUSE_BREAK.finditer(sentence), None]:
        end = piece.start() if piece else len(sentence)
        yield sentence[cut:end].strip().rstrip(" ,.;:!?")
        cut = piece.end() if piece else end


def _quotable(span: str, whole_sentence: bool) -> bool:
    words = _WORD.findall(span)
    if not (MIN_WORDS <= len(words) <= MAX_WORDS) or span != " ".join(span.split()):
        return False
    if _NOT_PROSE.search(span) or _OFF_LIMITS.search(span) or words[0].lower() in _CONTINUATIONS:
        return False
    if any(w[0].isupper() and re.split("['’]", w)[0] not in _CAPITALISED for w in words[1:]):
        return False  # a name or place: the quote is about someone, not about the seeker's concern
    if any(c in ".!?" for c in span[:-1]):
        return False  # a second sentence hides inside ("are! yea but"): its opening reads as the reply's own
    if whole_sentence:
        return span[0].isupper() and span[-1] in ".!?"
    return span[-1].isalpha() and any(c.islower() for c in span)


def quotable_spans(text: str) -> list[str]:
    """Every quotable sentence, and clause of a sentence too long to quote whole, in reading order.

    Each span is a slice of `text`, so an exact substring of it; a span that occurs twice is listed once.
    """
    spans: dict[str, None] = {}
    for sentence in _sentences(text):
        if _quotable(sentence, whole_sentence=True):
            spans.setdefault(sentence, None)
        elif len(_WORD.findall(sentence)) > MAX_WORDS:
            for clause in _clauses(sentence):
                if _quotable(clause, whole_sentence=False):
                    spans.setdefault(clause, None)
    return list(spans)


@dataclass(frozen=True)
class Angle:
    """A concern one passage can ground, with its quotes (span, relevance), most relevant first."""

    concern: str
    quotes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Quotable:
    """A passage that can ground conversations: where it is from, how to cite it, and its angles."""

    passage: Passage
    source_type: str
    cites: tuple[str, str, str]
    angles: tuple[Angle, ...]


@dataclass(frozen=True)
class PassageIndex:
    """The passages that can ground conversations, and those skipped with the reason why."""

    quotable: tuple[Quotable, ...]
    skipped: tuple[tuple[str, str], ...]


def source_type(passage: Passage) -> str:
    """book | transcript | academic | document, from where the passage's document came from."""
    if passage.document.startswith(("http://", "https://")):
        return "academic"
    suffix = PurePosixPath(passage.document).suffix.lower()
    if suffix in _TRANSCRIPT_SUFFIXES:
        return "transcript"
    if suffix in {".epub", ".pdf"} or passage.licence == GUTENBERG_LICENCE:
        return "book"
    return "document"


def author(passage: Passage) -> str | None:
    """The author a bundled file names (`title_author-name_pgNNN.txt`), else None."""
    match = _BUNDLED_NAME.match(PurePosixPath(passage.document).stem)
    return match.group("author").replace("-", " ").title() if match else None


def work_title(passage: Passage, kind: str) -> str:
    """The title to cite: a paper's in full; a book's main title, in title case; else the file name."""
    title = " ".join((passage.title or PurePosixPath(passage.document).stem).split())
    if kind == "academic":
        return title.rstrip(". ")
    if kind == "transcript" and title == PurePosixPath(passage.document).stem:
        return re.sub(r"[_-]+", " ", title).strip()
    words = re.split(r"[;:]", title)[0].split()
    return " ".join(w.lower() if i and w.lower() in _SMALL_WORDS else w for i, w in enumerate(words))


def citation_forms(passage: Passage, kind: str) -> tuple[str, str, str]:
    """Three ways to introduce a quote from this passage, attributed to its author and work."""
    writer = author(passage)
    form = "book" if kind == "book" and writer else "book-anonymous" if kind == "book" else kind
    first, second, third = (
        f.format(author=writer, work=work_title(passage, kind)) for f in _PHRASES["cite_forms"][form]
    )
    return first, second, third


def _angles(text: str, spans: Sequence[str]) -> tuple[Angle, ...]:
    """The concerns the spans are relevant to, most relevant first: only concerns the whole passage
    speaks of (`PASSAGE_RELEVANT`); a span with one related word is relevant too when its whole passage
    is about the concern (scores `TOPICAL` or more).
    """
    words = [_words(span) for span in spans]
    passage_words = _words(text)
    ranked = []
    for concern in _LEXICON:
        topical = _score(passage_words, concern)
        if topical < PASSAGE_RELEVANT:
            continue
        threshold = 1 if topical >= TOPICAL else RELEVANT
        scored = [(span, _score(w, concern), _general(w)) for span, w in zip(spans, words, strict=True)]
        scored.sort(key=lambda q: (-q[1], not q[2]))  # stable: ties keep reading order
        quotes = tuple((span, score) for span, score, _ in scored if score >= threshold)[:QUOTES_PER_ANGLE]
        if quotes:
            ranked.append(Angle(concern, quotes))
    # Specific concerns first: meaning, the broadest lexicon, fits most passages but says least about them.
    ranked.sort(key=lambda a: (a.concern == MEANING, -a.quotes[0][1], -len(a.quotes), a.concern))
    return tuple(ranked[:ANGLES_PER_PASSAGE])


def index_passages(passages: Sequence[Passage]) -> PassageIndex:
    """Index passages by id (so input order never matters); the first of two with one id is kept."""
    quotable, skipped, seen = [], [], set()
    for passage in sorted(passages, key=lambda x: x.id):
        if passage.id in seen:
            continue
        seen.add(passage.id)
        spans = quotable_spans(passage.text)
        angles = _angles(passage.text, spans)
        if not angles:
            skipped.append((passage.id, NO_SPAN if not spans else NO_RELEVANT_SPAN))
            continue
        kind = source_type(passage)
        quotable.append(Quotable(passage, kind, citation_forms(passage, kind), angles))
    return PassageIndex(tuple(quotable), tuple(skipped))


@dataclass(frozen=True)
class Slot:
    """One planned conversation: its place in the shard, and the passage, concern, quote and citation."""

    position: int
    source: Quotable
    concern: str
    quote: str
    relevance: int
    cite: str


def plan(index: PassageIndex, count: int, seed: int, shard_index: int) -> list[Slot]:
    """Deal passages out round by round, each round in a new seeded order, until `count` slots are set.

    Use number u of a passage (counted across shards of equal size) takes angle u mod A and that angle's
    quote (u div A) mod Q, so repeated uses move through concerns first, then through quotes; the
    seeded generator also picks which of the three citation forms introduces the quote.
    """
    sources = index.quotable
    rounds = -(-count // len(sources))
    rng = random.Random(seed)
    slots: list[Slot] = []
    for round_number in range(rounds):
        use = shard_index * rounds + round_number
        for i in rng.sample(range(len(sources)), len(sources))[: count - len(slots)]:
            angles = sources[i].angles
            angle = angles[use % len(angles)]
            quote, score = angle.quotes[(use // len(angles)) % len(angle.quotes)]
            cite = sources[i].cites[rng.randrange(len(sources[i].cites))]
            slots.append(Slot(len(slots), sources[i], angle.concern, quote, score, cite))
    return slots


# One expression writes all six turns, a line each: the engine compiles every expression template anew for
# every row, so six expression columns took twice as long as one (10.3 s against 4.8 s per 1,000 rows).
CONVERSATION = "\n".join(
    (
        "{{ opener }} {{ persona_line }} {{ situation }} {{ feeling }}",
        "{{ acknowledgement }} {{ reflection }} {{ validation }} {{ first_question }}",
        "{{ detail }} {{ wondering }}",
        "{{ echo }} {{ bridge }} {{ cite }} “{{ quote }}”{{ quote_end }} {{ link }} {{ second_question }}",
        "{{ reaction }} {{ follow_up }}",
        "{{ second_acknowledgement }} {{ strategy_move }} {{ closing }}",
    )
)


def build_config(concern: str, seed_rows: Sequence[Row]) -> Any:
    """The Data Designer config for one concern: the plan's rows as an ORDERED seed dataset, samplers
    for persona, strategy and every phrasing slot, and an expression composing the six turns.
    """
    import data_designer.config as dd
    import pandas as pd

    builder = dd.DataDesignerConfigBuilder(model_configs=[])
    seed = dd.DataFrameSeedSource(df=pd.DataFrame(list(seed_rows)))
    builder.with_seed_dataset(seed, sampling_strategy=dd.SamplingStrategy.ORDERED)

    def category(name: str, values: Sequence[str]) -> None:
        params = dd.CategorySamplerParams(values=list(values))
        builder.add_column(dd.SamplerColumnConfig(name=name, sampler_type="category", params=params))

    def subcategory(name: str, parent: str, values: dict[str, list[str]]) -> None:
        params = dd.SubcategorySamplerParams(category=parent, values=values)
        builder.add_column(dd.SamplerColumnConfig(name=name, sampler_type="subcategory", params=params))

    for part, values in _PHRASES["concerns"][concern].items():
        category(part, values)
    category("persona", sorted(_PHRASES["personas"]))
    subcategory("persona_line", "persona", _PHRASES["personas"])
    category("strategy", sorted(_PHRASES["strategy_moves"]))
    subcategory("strategy_move", "strategy", _PHRASES["strategy_moves"])
    category("reaction_tone", sorted(_PHRASES["reactions"]))
    subcategory("reaction", "reaction_tone", _PHRASES["reactions"])
    subcategory("follow_up", "reaction_tone", _PHRASES["follow_ups"])
    subcategory("second_acknowledgement", "reaction_tone", _PHRASES["second_acknowledgements"])
    slots = {
        "opener": _PHRASES["openers"],
        "acknowledgement": _PHRASES["acknowledgements"],
        "validation": _PHRASES["validations"],
        "first_question": _PHRASES["first_questions"],
        "wondering": _PHRASES["wonderings"],
        "bridge": _PHRASES["bridges"],
        "second_question": _PHRASES["second_questions"],
        "closing": _PHRASES["closings"],
    }
    for name, values in slots.items():
        category(name, values)
    builder.add_column(dd.ExpressionColumnConfig(name="conversation", expr=CONVERSATION))
    return builder


def _seed_row(slot: Slot) -> Row:
    return {
        "slot": slot.position,
        "concern": slot.concern,
        "quote": slot.quote,
        "quote_end": "" if slot.quote[-1] in ".!?" else ".",
        "cite": slot.cite,
    }


def _concern_seed(seed: int, concern: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{concern}".encode()).digest()[:4], "big")


def _generate(slots: Sequence[Slot], seed: int) -> dict[int, Row]:
    """One engine run per concern (in sorted order), seeded from the shard seed; rows keyed by slot."""
    rows: dict[int, Row] = {}
    for concern in sorted({s.concern for s in slots}):
        group = [_seed_row(s) for s in slots if s.concern == concern]
        for row in generate_rows(build_config(concern, group), len(group), _concern_seed(seed, concern)):
            rows[int(row["slot"])] = row
    return rows


def slot_record(slot: Slot, row: Row, seed: int) -> Record:
    """One generated row as a grounded record; raises ValueError if a turn is missing, empty or lost
    the quote.
    """
    lines = str(row["conversation"]).split("\n")
    if len(lines) != len(TURN_COLUMNS):
        raise ValueError(f"conversation has {len(lines)} turns, not {len(TURN_COLUMNS)}")
    turns = turns_from_row(dict(zip(TURN_COLUMNS, lines, strict=True)), TURN_COLUMNS)
    if f"“{slot.quote}”" not in turns[QUOTE_TURN].content:
        raise ValueError(f"{TURN_COLUMNS[QUOTE_TURN]} does not quote its passage verbatim")
    passage = slot.source.passage
    source = SourceRef(
        type=slot.source.source_type,
        uri=passage.document,
        locator=passage.locator,
        licence=passage.licence,
        title=passage.title,
    )
    return Record(
        id=content_id(KIND, turns, source),
        kind=KIND,
        messages=turns,
        source=source,
        grounding=(Citation(passage_id=passage.id, quote=slot.quote, locator=passage.locator),),
        labels={
            "concern": slot.concern,
            "strategy": str(row["strategy"]),
            "persona": str(row["persona"]),
            "source_type": slot.source.source_type,
            "grounding_relevance": slot.relevance,
        },
        lineage=Lineage(generator=GENERATOR, version=VERSION, seed=seed, parents=(passage.id,)),
    )


def ground(
    passages: Sequence[Passage], count: int, run_seed: int, shard_index: int
) -> tuple[list[Record], list[QuarantineItem]]:
    """`count` grounded conversations over `passages`; a slot nothing can fill becomes a quarantine item."""
    if count <= 0:
        return [], []
    index = index_passages(passages)
    if not index.quotable:
        reason = (
            "no passages to ground on: sourcing produced none; add documents to the sources folder"
            if not passages
            else f"none of the {len(index.skipped)} passages has a quotable sentence relevant to any concern"
            f" ({MIN_WORDS}-{MAX_WORDS} words of prose, not dialogue, a footnote or a heading)"
        )
        return [], [reject(KIND, f"{shard_index}-{i}", reason) for i in range(count)]
    seed = shard_seed(run_seed, GENERATOR, shard_index)
    slots = plan(index, count, seed, shard_index)
    rows = _generate(slots, seed)
    records: list[Record] = []
    rejects: list[QuarantineItem] = []
    for slot in slots:
        suffix = f"{shard_index}-{slot.position}"
        if (row := rows.get(slot.position)) is None:
            rejects.append(reject(KIND, suffix, DROPPED))
            continue
        try:
            records.append(slot_record(slot, row, seed))
        except (ValueError, KeyError) as error:
            rejects.append(reject(KIND, suffix, f"malformed generated row: {error}"))
    return records, rejects


def passages_work_dir(work_dir: str, passages: Sequence[ShardRef]) -> str:
    """Where grounded shards go: apart per set of passage shards, so other sources never overwrite them."""
    digest = hashlib.sha256(canonical_json(sorted(ref.sha256 for ref in passages))).hexdigest()[:12]
    return join(work_dir, f"grounding-{digest}")


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    **SHARD_RETRIES,
    task_run_name="generate_shard-grounded-{shard_index:05d}",
)
def generate_grounded_shard(
    passages: list[ShardRef], shard_index: int, count: int, run_seed: int, work_dir: str
) -> ShardOutcome:
    """Ground one shard of conversations in the passage shards, then write and count it."""
    generated = ground(list(read_all(passages, Passage)), count, run_seed, shard_index)
    work = passages_work_dir(work_dir, passages)
    return shard_outcome(KIND, shard_index, count, run_seed, work, generated)
