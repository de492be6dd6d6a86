import re
from collections import Counter
from pathlib import Path

import pytest

from tasks.preprocess.chat_format import format_problems
from tasks.records import Passage, Record, RecordKind, Role
from tasks.settings import BUNDLED_SOURCES, PassageSettings, PreprocessSettings
from tasks.shards import read_models, write_shard
from tasks.sourcing.documents import discover_documents, read_passages
from tasks.sourcing.passages import GUTENBERG_LICENCE, Document, make_passage
from tasks.synthesis import grounded

BOOKS = (
    "meditations_marcus-aurelius_pg2680.txt",
    "talks-to-teachers-on-psychology_william-james_pg16287.txt",
)
GRIEF_WORDS = re.compile(
    r"\b(?:death|deaths|die[sd]?|dying|dead|mourn\w*|grie(?:f|ve[sd]?|ving)|bereav\w*|funeral\w*|widow\w*"
    r"|sorrow\w*|mortal\w*|loss|losses|lose|lost|perish\w*|departed|tears|weep\w*|wept|buried|graves?|tomb\w*"
    r"|ashes|gone|absence)\b",
    re.IGNORECASE,
)


def _doc(name: str, text: str) -> Document:
    return Document(path=name, sha256=name.encode().hex().ljust(64, "0")[:64], bytes=len(text))


def _passage(name: str, text: str, locator: str = "¶1") -> Passage:
    return make_passage(_doc(name, text), locator, text, None, None)


GRIEF = _passage(
    "notes_on-loss.txt",
    "Grief is the shape that love takes when the one we loved has died. Every mourner learns that the dead"
    " stay with us in small habits and remembered voices. We lose people, and the loss changes how each"
    " ordinary morning feels.",
)
HABIT = _passage(
    "notes_on-habit.txt",
    "A habit grows from small repetitions that nobody notices at the time they happen. Our daily routine"
    " carries us through the hours when motivation runs thin and attention wanders.",
)
UNUSABLE = _passage("heading.txt", 'CHAPTER II\n\n"Come here," said he.\n\n[12] See the note above.')


@pytest.fixture(scope="module")
def bundled() -> list[Passage]:
    passages = []
    for document in discover_documents(BUNDLED_SOURCES):
        if document.path in BOOKS:
            passages += read_passages(BUNDLED_SOURCES, document, PassageSettings())[0]
    assert passages, "the bundled books are missing"
    return passages


@pytest.fixture(scope="module")
def shard(bundled: list[Passage]) -> tuple[list[Record], list]:
    return grounded.ground(bundled, 36, run_seed=7, shard_index=1)


def test_a_shard_holds_the_requested_well_formed_conversations(shard):
    records, rejects = shard
    assert len(records) == 36 and rejects == []
    for record in records:
        assert Record.model_validate(record.model_dump(mode="json")) == record
        assert format_problems(record, PreprocessSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT] * 3
        assert record.kind is RecordKind.GROUNDED
        assert set(record.labels) == {"concern", "strategy", "persona", "source_type", "grounding_relevance"}
        assert record.lineage.generator == grounded.GENERATOR and record.lineage.version == grounded.VERSION
    assert len({r.id for r in records}) == 36
    assert len({r.labels["concern"] for r in records}) >= 5


def test_every_citation_is_an_exact_quote_shown_verbatim_and_attributed(bundled, shard):
    by_id = {p.id: p for p in bundled}
    for record in shard[0]:
        (citation,) = record.grounding
        passage = by_id[citation.passage_id]
        assert citation.quote in passage.text
        assert grounded.MIN_WORDS <= len(citation.quote.split()) <= grounded.MAX_WORDS
        assert citation.locator == passage.locator == record.source.locator
        assert record.lineage.parents == (passage.id,)
        assert (record.source.uri, record.source.licence, record.source.title) == (
            passage.document,
            passage.licence,
            passage.title,
        )
        reply = record.messages[grounded.QUOTE_TURN].content
        assert f"“{citation.quote}”" in reply
        assert sum(f"“{citation.quote}”" in m.content for m in record.messages) == 1
        author = "Marcus Aurelius" if "meditations" in passage.document else "William James"
        assert author in reply and grounded.work_title(passage, "book") in reply


def test_conversations_are_labelled_with_the_relevance_of_their_quote(shard):
    for record in shard[0]:
        quote, concern = record.grounding[0].quote, str(record.labels["concern"])
        assert record.labels["grounding_relevance"] == grounded.relevance(quote, concern) >= 1
        assert record.labels["source_type"] == record.source.type == "book"


def test_grief_conversations_cite_passages_about_loss():
    records, _ = grounded.ground([GRIEF, HABIT], 8, run_seed=3, shard_index=0)
    by_concern = Counter(r.labels["concern"] for r in records)
    assert by_concern["grief"] >= 1
    for record in records:
        if record.labels["concern"] == "grief":
            assert record.grounding[0].passage_id == GRIEF.id
            assert GRIEF_WORDS.search(record.grounding[0].quote)


def test_grief_quotes_from_real_books_contain_grief_words(shard):
    grief = [r for r in shard[0] if r.labels["concern"] == "grief"]
    assert grief
    for record in grief:
        assert GRIEF_WORDS.search(record.grounding[0].quote)


def test_same_seed_same_records_other_seed_others(bundled):
    passages = [GRIEF, HABIT, *bundled[40:60]]
    first, _ = grounded.ground(passages, 12, run_seed=7, shard_index=1)
    again, _ = grounded.ground(list(reversed(passages)), 12, run_seed=7, shard_index=1)
    other, _ = grounded.ground(passages, 12, run_seed=8, shard_index=1)
    assert again == first and len(first) == 12
    assert [r.id for r in other] != [r.id for r in first]


def test_plan_spreads_five_shards_over_the_passages(bundled):
    index = grounded.index_passages(bundled)
    uses: Counter[str] = Counter()
    quotes: dict[str, set[str]] = {}
    for shard_index in range(5):
        seed = grounded.shard_seed(1, grounded.GENERATOR, shard_index)
        for slot in grounded.plan(index, 1000, seed, shard_index):
            uses[slot.source.passage.id] += 1
            quotes.setdefault(slot.source.passage.id, set()).add(slot.quote)
    per_shard = 1000 / len(index.quotable)  # every shard deals each passage this often, give or take one
    assert len(uses) == len(index.quotable)
    assert (
        5 * int(per_shard) <= min(uses.values()) <= max(uses.values()) <= 5 * -(-1000 // len(index.quotable))
    )
    several = [q for q in index.quotable if sum(len(a.quotes) for a in q.angles) > 1]
    assert sum(len(quotes[q.passage.id]) > 1 for q in several) >= 0.9 * len(several)


def test_quotable_spans_skip_dialogue_footnotes_headings_and_stories():
    text = (
        "BOOK THE SECOND\n\n"
        '"Come here," said he, "and sit with me by the fire for a while tonight."\n\n'
        "[12] See the note above on the rendering of this passage by the old editor.\n\n"
        "Too short to quote.\n\n"
        "She walked to the market every morning and bought bread for the whole household.\n\n"
        "We suffer more often in imagination than in reality, and the fear is larger than the thing.\n\n"
        "The mind that worries about tomorrow loses today; the heart that remembers kindness is rarely"
        " alone for long, even when friends are far away and the evenings are long and quiet and grey,"
        " and the letters come only rarely from across the sea"
    )
    spans = grounded.quotable_spans(text)
    assert (
        spans[0]
        == "We suffer more often in imagination than in reality, and the fear is larger than the thing."
    )
    assert "The mind that worries about tomorrow loses today" in spans
    assert all(span in text for span in spans) and len(spans) == 3
    assert not any("said he" in s or "editor" in s or "market" in s or "BOOK" in s for s in spans)


def test_an_empty_passage_list_quarantines_every_slot_with_the_reason():
    records, rejects = grounded.ground([], 3, run_seed=1, shard_index=2)
    assert records == [] and len(rejects) == 3
    assert {r.id for r in rejects} == {"grounded-2-0", "grounded-2-1", "grounded-2-2"}
    assert all("no passages to ground on" in r.reasons[0] for r in rejects)
    assert grounded.ground([GRIEF], 0, run_seed=1, shard_index=0) == ([], [])


def test_a_passage_without_a_usable_sentence_is_skipped_and_counted():
    index = grounded.index_passages([UNUSABLE, HABIT])
    assert [q.passage.id for q in index.quotable] == [HABIT.id]
    assert index.skipped == ((UNUSABLE.id, grounded.NO_SPAN),)
    records, rejects = grounded.ground([UNUSABLE], 2, run_seed=1, shard_index=0)
    assert records == [] and len(rejects) == 2 and "none of the 1 passages" in rejects[0].reasons[0]


def test_rows_the_engine_drops_or_mangles_are_quarantined(monkeypatch):
    real = grounded.generate_rows

    def lossy(builder, count, seed):
        rows = real(builder, count, seed)
        rows[0] = rows[0] | {"conversation": rows[0]["conversation"].replace("“", "")}
        return rows[:-1]

    monkeypatch.setattr(grounded, "generate_rows", lossy)
    records, rejects = grounded.ground([HABIT], 3, run_seed=1, shard_index=0)
    assert len(records) == 1
    assert sorted(r.reasons[0] for r in rejects) == [
        grounded.DROPPED,
        "malformed generated row: assistant_2 does not quote its passage verbatim",
    ]


def test_source_type_author_and_title_follow_the_document():
    book = make_passage(_doc("meditations_marcus-aurelius_pg2680.txt", "x"), "¶1", "x", "Meditations", None)
    book = book.model_copy(update={"licence": GUTENBERG_LICENCE})
    talk = _passage("talkpython_258-thriving-remote.vtt", "x", "00:01:02")
    paper = make_passage(
        _doc("https://doi.org/10.1/x", "x"), "doi:10.1/x", "x", "Sleep and mood: a trial.", None
    )
    assert [grounded.source_type(p) for p in (book, talk, paper, GRIEF)] == [
        "book",
        "transcript",
        "academic",
        "document",
    ]
    assert grounded.author(book) == "Marcus Aurelius" and grounded.author(talk) is None
    assert grounded.citation_forms(book, "book")[0] == "As Marcus Aurelius wrote in Meditations,"
    assert "thriving remote" in grounded.citation_forms(talk, "transcript")[0]
    assert "“Sleep and mood: a trial”" in grounded.citation_forms(paper, "academic")[0]


def test_the_task_writes_and_counts_a_shard(tmp_path: Path):
    passages = write_shard(tmp_path / "passages.jsonl", [GRIEF, HABIT, UNUSABLE])
    outcome = grounded.generate_grounded_shard.fn([passages], 0, 4, 5, str(tmp_path / "work"))
    counts = outcome.counts["grounded"]
    assert (counts.entered, counts.kept, counts.quarantined) == (4, 4, 0)
    written = list(read_models(outcome.kept, Record))
    assert written == grounded.ground([GRIEF, HABIT, UNUSABLE], 4, run_seed=5, shard_index=0)[0]
    assert outcome.kept.path.startswith(grounded.passages_work_dir(str(tmp_path / "work"), [passages]))


def test_a_passage_is_not_quoted_for_a_concern_that_one_stray_word_names():
    """The sentences a bundled genetics abstract and a film's subtitles were once quoted for."""
    stray = [
        _passage(
            "genetics-abstract.txt",
            "By virtue of their accumulated genetic alterations, tumor cells may acquire vulnerabilities"
            " that create opportunities for therapeutic intervention. We describe a screen of many genes.",
        ),
        _passage(
            "film.vtt",
            "This blade has a dark past. You're a fool for traveling alone, so completely unprepared."
            " What brings you to the land of the gatekeepers? I'm searching for a dragon.",
        ),
    ]
    index = grounded.index_passages(stray)
    assert index.quotable == ()
    assert {reason for _, reason in index.skipped} == {grounded.NO_RELEVANT_SPAN}
    assert grounded.index_passages([GRIEF]).quotable  # a passage about the concern is quoted as before
