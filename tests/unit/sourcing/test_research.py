"""Journal research core: which topics lack findings, the queries for them, the event that asks,
and the findings shard. Papers come from the recorded PubMed answer (tests/fixtures/academic).
"""

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import orjson
import pytest

from tasks.records import Passage, QuarantineItem
from tasks.shards import read_models
from tasks.sourcing import research
from tasks.sourcing.academic import AcademicResult, finding_passage
from tasks.sourcing.academic_models import Finding, Service
from tasks.sourcing.academic_pubmed import parse_pubmed_articles
from tasks.sourcing.passages import Document, make_passage
from tasks.sourcing.research import (
    RESEARCH_EVENT,
    emit_research_request,
    findings_per_topic,
    is_finding_passage,
    research_name,
    research_queries,
    topics_lacking_findings,
    write_findings,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "academic"
RECORDED = parse_pubmed_articles(ET.parse(FIXTURES / "pubmed" / "efetch_19008416-18239125.xml").getroot())
NO_ABSTRACT_PMID = "18927361"  # "DNA test for breast cancer risk draws criticism": a news item


def paper(pmid: str, title: str, abstract: str | None) -> Finding:
    """A test paper whose wording each test chooses; not a real record."""
    return Finding(
        title=title, abstract=abstract, pmid=pmid, service=Service.PUBMED, url=f"https://x.test/{pmid}"
    )


def book_passage(text: str) -> Passage:
    document = Document(path="books/grief.txt", sha256="0" * 64, bytes=len(text))
    return make_passage(document, "¶1-3", text, "A Grief Observed", None)


def test_recorded_findings_are_finding_passages_and_book_passages_are_not():
    passages = [finding_passage(f) for f in RECORDED if f.abstract]
    assert len(passages) == 5
    assert all(is_finding_passage(p) for p in passages)
    assert not is_finding_passage(book_passage("No one ever told me that grief felt so like fear."))


def test_a_topic_lacks_findings_when_too_few_finding_passages_mention_it():
    passages = [finding_passage(f) for f in RECORDED if f.abstract]
    coverage = findings_per_topic(["Cancer", "grief", "microRNA"], passages)
    assert coverage == {"cancer": 4, "grief": 0, "microrna": 1}
    assert topics_lacking_findings(["Cancer", "grief", "microRNA"], passages, min_findings=2) == [
        "grief",
        "microrna",
    ]
    assert topics_lacking_findings(["Cancer"], passages, min_findings=4) == []
    assert topics_lacking_findings(["Cancer"], passages, min_findings=5) == ["cancer"]


def test_topics_match_by_word_stem_in_title_or_abstract_and_only_in_findings():
    passages = [
        finding_passage(paper("1", "Complicated mourning", "Outcomes after bereavement in older adults.")),
        finding_passage(paper("2", "Sleeplessness in students", "A survey of sleeping habits.")),
        finding_passage(paper("3", "Depressed mood and work", "Compressed schedules and wellbeing.")),
        book_passage("Grief and depression and insomnia, all at once."),
    ]
    coverage = findings_per_topic(["grief", "sleep", "insomnia", "depression", "compression"], passages)
    # "sleep" is an alias of insomnia; "Compressed" is not "depress"; the book passage never counts.
    assert coverage == {"grief": 1, "sleep": 1, "insomnia": 1, "depression": 1, "compression": 0}


def test_topics_are_normalised_once_each_in_the_order_given():
    assert topics_lacking_findings(["  Grief ", "grief", "ANXIETY", "grief"], [], 1) == ["grief", "anxiety"]
    assert topics_lacking_findings([], [], 1) == []


def test_research_queries_come_from_the_map_or_the_generic_fallback():
    queries = research_queries(["grief", "Sleep", "insomnia", "  ", "body   image", "PTSD"])
    assert queries == [
        "grief bereavement intervention",
        "cognitive behavioural therapy insomnia",
        "body image psychotherapy intervention",
        "posttraumatic stress trauma-focused therapy",
    ]


def test_emit_research_request_sends_the_queries_and_topics_on_the_research_resource(monkeypatch):
    sent: list[dict[str, object]] = []
    monkeypatch.setattr(research, "emit_event", lambda **event: sent.append(event))
    emit_research_request(["grief bereavement intervention"], ["grief"], "run-7", "/state/research")
    assert sent == [
        {
            "event": RESEARCH_EVENT,
            "resource": {"prefect.resource.id": "dataset.research.run-7"},
            "payload": {
                "queries": ["grief bereavement intervention"],
                "topics": ["grief"],
                "research_dir": "/state/research",
            },
        }
    ]


def failure(query: str) -> QuarantineItem:
    reason = f"europepmc: query {query!r}: search answered HTTP 500 on all 1 attempts"
    return QuarantineItem(id="f" * 24, stage="sourcing", kind="finding", reasons=(reason,), raw="oops")


def test_write_findings_keeps_abstracts_and_quarantines_failures_then_papers_without_one(tmp_path):
    result = AcademicResult(findings=tuple(RECORDED), duplicates=3, failures=(failure("grief"),))
    written = write_findings(result, ["grief", "cbt insomnia"], tmp_path)

    key = research_name(["grief", "cbt insomnia"])
    assert written.shard.path == str(tmp_path / f"findings-{key}.jsonl")
    assert written.quarantine.path == str(tmp_path / f"quarantine-{key}.jsonl")
    passages = list(read_models(written.shard, Passage))
    assert passages == [finding_passage(f) for f in RECORDED if f.abstract]
    quarantined = list(read_models(written.quarantine, QuarantineItem))
    assert quarantined[0] == failure("grief")
    assert quarantined[1].reasons == (f"pmid:{NO_ABSTRACT_PMID} has no abstract to ground on",)
    assert quarantined[1].record is not None and quarantined[1].record["pmid"] == NO_ABSTRACT_PMID
    assert (written.findings, written.without_abstract, written.duplicates) == (5, 1, 3)
    assert written.failures == failure("grief").reasons
    assert written.queries == ("grief", "cbt insomnia")
    (counts,) = written.counts.values()
    assert (counts.entered, counts.kept, counts.quarantined, counts.deduplicated) == (9, 5, 1, 3)
    assert counts.balanced


def test_write_findings_is_byte_identical_and_named_by_the_normalised_queries(tmp_path):
    result = AcademicResult(findings=tuple(RECORDED), duplicates=0, failures=())
    first = write_findings(result, ["grief", "cbt insomnia"], tmp_path / "a")
    again = write_findings(result, [" grief ", "cbt  insomnia", "grief"], tmp_path / "b")
    assert Path(first.shard.path).name == Path(again.shard.path).name
    assert Path(first.shard.path).read_bytes() == Path(again.shard.path).read_bytes()
    assert Path(first.quarantine.path).read_bytes() == Path(again.quarantine.path).read_bytes()
    assert first.shard.sha256 == hashlib.sha256(Path(first.shard.path).read_bytes()).hexdigest()
    assert research_name(["cbt insomnia", "grief"]) != research_name(["grief", "cbt insomnia"])


@pytest.mark.parametrize("findings", [(), tuple(f for f in RECORDED if not f.abstract)])
def test_write_findings_with_nothing_to_ground_on_still_writes_both_shards(tmp_path, findings):
    written = write_findings(
        AcademicResult(findings=findings, duplicates=0, failures=()), ["grief"], tmp_path
    )
    assert written.shard.records == 0 and Path(written.shard.path).read_bytes() == b""
    lines = Path(written.quarantine.path).read_bytes().splitlines()
    assert [orjson.loads(line)["kind"] for line in lines] == ["finding"] * len(findings)
