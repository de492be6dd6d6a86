"""Academic clients against real recorded answers (tests/fixtures/academic/SOURCES.md).

Europe PMC and OpenAlex have no permissively licensed recording, so their tests read the GPL-3.0
recordings from ../shared/data at test time (skipped locally when absent, required in CI); their
failure-path tests need no recording and always run. No test sleeps: pacing runs on a fake clock.
"""

import asyncio
import hashlib
import json
import logging
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import respx
import yaml

from tasks.records import canonical_json
from tasks.sourcing.academic import AcademicResult, deduplicate, finding_passage, search, search_all
from tasks.sourcing.academic_http import RateLimiter, retry_delay
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service
from tasks.sourcing.academic_pubmed import parse_pubmed_articles
from tasks.sourcing.academic_semanticscholar import semantic_scholar_finding
from tests.shared_data import shared_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "academic"
ESEARCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
EFETCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
EUROPE_PMC = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
OPENALEX = "https://api.openalex.org/works"
S2 = "https://api.semanticscholar.org/graph/v1/paper/search"
PUBMED_QUERY = "science[journal] AND breast cancer AND 2008[pdat]"
PUBMED_IDS = ["19008416", "18927361", "18787170", "18487186", "18239126", "18239125"]


def fixture(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


ESEARCH_PAGES = [fixture(f"pubmed/esearch_science-breast-cancer-2008_retstart{n}.xml") for n in (0, 3)]
EFETCH_SIX = fixture("pubmed/efetch_19008416-18239125.xml")
S2_PAGES = [fixture(f"semanticscholar/paper_search_turing_offset{n}.json") for n in (0, 100)]


def europepmc_recording() -> bytes:
    return shared_file("academic/europepmc/europepmc_search_core.json").read_bytes()


def openalex_recording() -> bytes:
    return shared_file("academic/openalex/openalex_works_search.json").read_bytes()


class FakeTime:
    """A clock that only moves when something sleeps, recording every requested wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def run(
    queries: list[str], settings: AcademicSettings, time: FakeTime, limit: int | None = None
) -> AcademicResult:
    return asyncio.run(search_all(queries, limit, settings, clock=time.clock, sleep=time.sleep))


def only(service: Service, **fields) -> AcademicSettings:
    return AcademicSettings(services=(service,), **fields)


def ok(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body)


def form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in urllib.parse.parse_qs(request.content.decode()).items()}


@pytest.fixture(autouse=True)
def no_ncbi_key(monkeypatch):
    monkeypatch.delenv("NCBI_API_KEY", raising=False)


# --- PubMed ------------------------------------------------------------------------------------------


def test_pubmed_pages_esearch_then_fetches_and_parses_the_recorded_articles():
    time = FakeTime()
    with respx.mock:
        search_route = respx.post(ESEARCH).mock(side_effect=[ok(body) for body in ESEARCH_PAGES])
        fetch_route = respx.post(EFETCH).mock(return_value=ok(EFETCH_SIX))
        result = run([PUBMED_QUERY], only(Service.PUBMED, page_size=3), time, limit=6)
    pages = [form(call.request) for call in search_route.calls]
    assert [(p["term"], p["retstart"], p["retmax"]) for p in pages] == [
        (PUBMED_QUERY, "0", "3"),
        (PUBMED_QUERY, "3", "3"),
    ]
    assert form(fetch_route.calls.last.request)["id"] == ",".join(PUBMED_IDS)
    assert all("api_key" not in form(call.request) for call in respx.calls)
    assert time.sleeps == pytest.approx([1 / 3, 1 / 3])  # 3 requests a second without a key
    assert result.failures == () and result.duplicates == 0
    assert [f.pmid for f in result.findings] == PUBMED_IDS
    first = result.findings[0]
    assert (
        first.title
        == "Genomic loss of microRNA-101 leads to overexpression of histone methyltransferase EZH2 in cancer."
    )
    assert first.abstract.startswith(
        "Enhancer of zeste homolog 2 (EZH2) is a mammalian histone methyltransferase"
    )
    assert first.authors[:2] == ("Sooryanarayana Varambally", "Qi Cao") and len(first.authors) == 20
    assert (first.journal, first.year, first.doi, first.pmcid) == (
        "Science (New York, N.Y.)",
        2008,
        "10.1126/science.1165395",
        "PMC2684823",
    )
    assert "Breast Neoplasms" in first.mesh_terms and first.url == "https://pubmed.ncbi.nlm.nih.gov/19008416/"
    news = result.findings[1]  # a news item: no abstract, no PMC copy
    assert news.abstract is None and news.pmcid is None and news.doi == "10.1126/science.322.5900.357"


def test_pubmed_structured_abstract_keeps_each_labelled_section():
    (finding,) = parse_pubmed_articles(
        ET.fromstring(fixture("pubmed/efetch_21813367_structured-abstract.xml"))
    )
    sections = finding.abstract.split("\n")
    assert [s.split(":")[0] for s in sections] == [
        "BACKGROUND",
        "OBJECTIVES",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert sections[0] == (
        "BACKGROUND: People living or working in eastern Ohio and western West Virginia have been exposed to"
        " perfluorooctanoic acid (PFOA) released by DuPont Washington Works facilities."
    )
    assert finding.authors[1] == "Verónica M Vieira"
    assert (finding.pmid, finding.pmcid, finding.doi, finding.year) == (
        "21813367",
        "PMC3261988",
        "10.1289/ehp.1103729",
        2011,
    )


def test_pubmed_markup_inside_an_abstract_is_read_as_plain_text():
    (finding,) = parse_pubmed_articles(ET.fromstring(fixture("pubmed/efetch_29186030_abstract-markup.xml")))
    assert finding.abstract.startswith(
        "CYP353D1v2 is a cytochrome P450 related to imidacloprid resistance in Laodelphax striatellus. This"
    )
    assert "model substrate p-nitroanisole" in finding.abstract and "Km = 6.21 µM." in finding.abstract
    assert "<i>" not in finding.abstract


def test_pubmed_book_chapter_from_the_shared_cassette():
    cassette = shared_file("academic/pubmed/hawc_cassettes/TestPubMedFetch.test_book_chapter.yaml")
    body = yaml.safe_load(cassette.read_text())["interactions"][0]["response"]["body"]["string"]
    (chapter,) = parse_pubmed_articles(ET.fromstring(body.encode()))
    assert chapter.pmid == "20301382" and chapter.title and chapter.year
    assert chapter.abstract.startswith(
        "CLINICAL CHARACTERISTICS: Single large-scale mitochondrial DNA deletion"
    )


def test_ncbi_key_raises_the_rate_travels_in_the_body_and_never_leaks(monkeypatch, caplog):
    secret = "ncbi-test-key-0123456789"
    monkeypatch.setenv("NCBI_API_KEY", secret)
    settings = AcademicSettings(services=(Service.PUBMED,), page_size=3, max_attempts=2)
    time = FakeTime()
    # NCBI error pages can echo the request; here the key straddles the 300-character excerpt cut.
    echo = httpx.Response(500, text=f"<ERROR>{'x' * 280} api_key={secret}</ERROR>")
    caplog.set_level(logging.INFO)
    with respx.mock:
        search_route = respx.post(ESEARCH).mock(side_effect=[ok(ESEARCH_PAGES[0]), echo, echo])
        result = run([PUBMED_QUERY], settings, time, limit=6)
    assert form(search_route.calls[0].request)["api_key"] == secret
    assert all(secret not in str(call.request.url) for call in search_route.calls)
    assert time.sleeps[0] == pytest.approx(0.1)  # 10 requests a second with a key
    (failure,) = result.failures
    assert failure.reasons == (
        f"pubmed: query {PUBMED_QUERY!r}: esearch answered HTTP 500 on all 2 attempts",
    )
    assert failure.raw == "<ERROR>" + "x" * 280 + " api_key=***<…"  # scrubbed first, then cut
    assert secret not in repr(settings) and secret not in repr(settings.ncbi_key())
    assert secret not in caplog.text and "esearch answered HTTP 500" in caplog.text


# --- Semantic Scholar -----------------------------------------------------------------------------------


def test_semantic_scholar_search_parses_the_recorded_page():
    time = FakeTime()
    with respx.mock:
        route = respx.get(S2).mock(return_value=ok(S2_PAGES[0]))
        result = run(["turing"], only(Service.SEMANTIC_SCHOLAR), time)
    params = route.calls.last.request.url.params
    assert (params["query"], params["offset"], params["limit"]) == ("turing", "0", "100")
    assert {"abstract", "externalIds", "authors"} <= set(params["fields"].split(","))
    assert len(result.findings) == 100 and result.failures == ()
    first = result.findings[0]
    assert first.title == (
        "Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B,"
        " A Large-Scale Generative Language Model"
    )
    assert first.url == "https://www.semanticscholar.org/paper/7cbc2a7843411a1768ab762930707af0a3c33a19"
    assert first.abstract is None and first.doi is None  # the recording asked for titles only


def test_semantic_scholar_pages_by_offset_and_next():
    time = FakeTime()
    with respx.mock:
        route = respx.get(S2).mock(side_effect=[ok(body) for body in S2_PAGES])
        result = run(["turing"], only(Service.SEMANTIC_SCHOLAR), time, limit=200)
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "100"]
    assert len(result.findings) == 200 and result.duplicates == 0
    assert result.findings[100].title == "How to Run Turing Machines on Encrypted Data"
    assert time.sleeps == [1.0]  # one request a second


def test_semantic_scholar_paper_fields_from_a_recorded_paper():
    paper = json.loads(fixture("semanticscholar/paper_2d5673ca_fields-excerpt.json"))
    finding = semantic_scholar_finding(paper)
    assert finding.doi == "10.1093/mind/lix.236.433"  # upper-case in the answer, compared lower-case
    assert (finding.journal, finding.year, finding.licence) == ("Mind", 1950, None)
    assert finding.abstract.startswith("I propose to consider the question, “Can machines think?”")


def test_a_failure_after_the_first_page_keeps_what_was_read():
    time = FakeTime()
    with respx.mock:
        respx.get(S2).mock(side_effect=[ok(S2_PAGES[0]), httpx.Response(503), httpx.Response(503)])
        result = run(["turing"], only(Service.SEMANTIC_SCHOLAR, max_attempts=2), time, limit=200)
    assert len(result.findings) == 100
    assert result.failures[0].reasons == (
        "semanticscholar: query 'turing': search answered HTTP 503 on all 2 attempts",
    )


# --- Europe PMC and OpenAlex (GPL recordings, read from ../shared) ------------------------------------


def test_europepmc_core_search_parses_the_recording():
    time = FakeTime()
    with respx.mock:
        route = respx.get(EUROPE_PMC).mock(return_value=ok(europepmc_recording()))
        result = run(["attention mechanism"], only(Service.EUROPE_PMC, page_size=3), time, limit=3)
    params = route.calls.last.request.url.params
    assert (params["resultType"], params["format"], params["cursorMark"], params["pageSize"]) == (
        "core",
        "json",
        "*",
        "3",
    )
    first, second, third = result.findings
    assert first.title == "Object tracking algorithm based on deformable attention mechanism."
    assert first.abstract.startswith(
        "Occlusion, sudden illumination changes, and rapid motion in complex scenes"
    )
    assert (first.pmid, first.doi, first.licence, first.year, first.journal) == (
        "41792208",
        "10.1038/s41598-026-43147-x",
        "cc by",
        2026,
        "Scientific reports",
    )
    assert first.url == "https://europepmc.org/article/MED/41792208" and first.authors
    assert second.pmcid == "PMC12938590"
    assert (third.pmid, third.pmcid, third.url) == (
        None,
        "PMC13013079",
        "https://europepmc.org/article/PMC/PMC13013079",
    )


def test_europepmc_pages_by_cursor_mark():
    """The one recorded page, cut into two: the first keeps the recorded nextCursorMark, the second
    answers that cursor with the last record and repeats it, Europe PMC's sign of the last page."""
    recording = json.loads(europepmc_recording())
    cursor, records = recording["nextCursorMark"], recording["resultList"]["result"]
    first = {**recording, "resultList": {"result": records[:2]}}
    last = {**recording, "nextCursorMark": cursor, "resultList": {"result": records[2:]}}
    time = FakeTime()
    with respx.mock:
        route = respx.get(EUROPE_PMC).mock(
            side_effect=[ok(json.dumps(page).encode()) for page in (first, last)]
        )
        result = run(["attention mechanism"], only(Service.EUROPE_PMC, page_size=2), time, limit=5)
    sent = [call.request.url.params for call in route.calls]
    assert [(p["cursorMark"], p["pageSize"]) for p in sent] == [("*", "2"), (cursor, "2")]
    assert [f.pmcid or f.pmid for f in result.findings] == ["41792208", "PMC12938590", "PMC13013079"]


def test_openalex_search_parses_the_recording():
    time = FakeTime()
    with respx.mock:
        route = respx.get(OPENALEX).mock(return_value=ok(openalex_recording()))
        result = run(
            ["attention mechanism"],
            only(Service.OPENALEX, page_size=3, contact_email="a@b.org"),
            time,
            limit=3,
        )
    params = route.calls.last.request.url.params
    assert (params["search"], params["per_page"], params["page"], params["mailto"]) == (
        "attention mechanism",
        "3",
        "1",
        "a@b.org",
    )
    first, second, third = result.findings
    assert first.doi == "10.1016/j.neucom.2021.03.091" and first.abstract is None
    assert (
        second.abstract.split()[:1]
        and second.licence == "cc-by"
        and second.journal == "Computational Visual Media"
    )
    assert second.url == "https://openalex.org/W3212386989"
    assert third.pmid == "8759451" and third.year == 1996
    assert third.mesh_terms[:3] == ("Adult", "Attention", "Cues")  # repeated headings once each


def test_openalex_abstract_is_rebuilt_from_the_inverted_index():
    work = json.loads(openalex_recording())["results"][1]
    positions = sorted((p, w) for w, ps in work["abstract_inverted_index"].items() for p in ps)
    time = FakeTime()
    with respx.mock:
        respx.get(OPENALEX).mock(return_value=ok(openalex_recording()))
        result = run(["attention mechanism"], only(Service.OPENALEX, page_size=3), time, limit=3)
    assert result.findings[1].abstract == " ".join(" ".join(w for _, w in positions).split())


def test_openalex_pages_by_page_number():
    """The recorded page cut into two pages of two at a fixed per_page, as OpenAlex numbers them."""
    recording = json.loads(openalex_recording())
    works = recording["results"]
    pages = [{**recording, "results": works[:2]}, {**recording, "results": works[2:]}]
    time = FakeTime()
    with respx.mock:
        route = respx.get(OPENALEX).mock(side_effect=[ok(json.dumps(page).encode()) for page in pages])
        result = run(["attention mechanism"], only(Service.OPENALEX, page_size=2), time, limit=3)
    assert [(c.request.url.params["page"], c.request.url.params["per_page"]) for c in route.calls] == [
        ("1", "2"),
        ("2", "2"),
    ]
    assert [f.url.rsplit("/", 1)[1] for f in result.findings] == ["W3146366485", "W3212386989", "W2023053047"]


# --- retries, failures and malformed answers, for every client --------------------------------------


@dataclass
class Scenario:
    """One service's successful exchange: its search route, the answers in order, and side routes."""

    service: Service
    url: str
    method: str
    answers: list[bytes]
    side: dict[str, bytes] = field(default_factory=dict)
    limit: int = 3
    page_size: int = 3
    expected: int = 3


SCENARIOS: dict[Service, Callable[[], Scenario]] = {
    Service.PUBMED: lambda: Scenario(
        Service.PUBMED, ESEARCH, "POST", ESEARCH_PAGES, {EFETCH: EFETCH_SIX}, limit=6, expected=6
    ),
    Service.EUROPE_PMC: lambda: Scenario(Service.EUROPE_PMC, EUROPE_PMC, "GET", [europepmc_recording()]),
    Service.OPENALEX: lambda: Scenario(Service.OPENALEX, OPENALEX, "GET", [openalex_recording()]),
    Service.SEMANTIC_SCHOLAR: lambda: Scenario(
        Service.SEMANTIC_SCHOLAR, S2, "GET", [S2_PAGES[0]], limit=100, page_size=100, expected=100
    ),
}
WHAT = {
    Service.PUBMED: "esearch",
    Service.EUROPE_PMC: "search",
    Service.OPENALEX: "works",
    Service.SEMANTIC_SCHOLAR: "search",
}


def exchange(scenario: Scenario, first: list[httpx.Response], settings: AcademicSettings, time: FakeTime):
    with respx.mock:
        route = respx.route(method=scenario.method, url=scenario.url).mock(
            side_effect=[*first, *(ok(body) for body in scenario.answers)]
        )
        for url, body in scenario.side.items():
            respx.post(url).mock(return_value=ok(body))
        result = run(["anxiety"], settings, time, limit=scenario.limit)
    return route, result


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_429_waits_exactly_retry_after_then_succeeds(service):
    scenario = SCENARIOS[service]()
    time = FakeTime()
    busy = httpx.Response(429, headers={"Retry-After": "7"})
    route, result = exchange(scenario, [busy], only(service, page_size=scenario.page_size), time)
    assert time.sleeps[0] == 7.0
    assert route.call_count == len(scenario.answers) + 1
    assert result.failures == () and len(result.findings) == scenario.expected


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_500_backs_off_then_succeeds(service):
    scenario = SCENARIOS[service]()
    time = FakeTime()
    settings = only(service, page_size=scenario.page_size, backoff_s=2.5)
    route, result = exchange(scenario, [httpx.Response(500)], settings, time)
    assert time.sleeps[0] == 2.5
    assert route.call_count == len(scenario.answers) + 1
    assert result.failures == () and len(result.findings) == scenario.expected


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_500_forever_is_quarantined_while_another_service_still_finds(service):
    other = Service.SEMANTIC_SCHOLAR if service != Service.SEMANTIC_SCHOLAR else Service.PUBMED
    scenario = SCENARIOS[other]()
    settings = AcademicSettings(services=(service, other), max_attempts=3, page_size=scenario.page_size)
    time = FakeTime()
    broken = {
        Service.PUBMED: ESEARCH,
        Service.EUROPE_PMC: EUROPE_PMC,
        Service.OPENALEX: OPENALEX,
        Service.SEMANTIC_SCHOLAR: S2,
    }
    with respx.mock:
        failing = respx.route(url=broken[service]).mock(
            return_value=httpx.Response(500, text="Internal Server Error")
        )
        respx.route(method=scenario.method, url=scenario.url).mock(
            side_effect=[ok(b) for b in scenario.answers]
        )
        for url, body in scenario.side.items():
            respx.post(url).mock(return_value=ok(body))
        result = run(["anxiety"], settings, time, limit=scenario.limit)
    assert failing.call_count == 3
    (failure,) = result.failures
    assert failure.reasons == (
        f"{service}: query 'anxiety': {WHAT[service]} answered HTTP 500 on all 3 attempts",
    )
    assert (failure.stage, failure.kind, failure.raw) == ("sourcing", "finding", "Internal Server Error")
    assert len(result.findings) == scenario.expected and {f.service for f in result.findings} == {other}


@pytest.mark.parametrize("service", list(Service), ids=str)
def test_truncated_answer_is_quarantined_with_the_parse_error(service):
    scenario = SCENARIOS[service]()
    last = scenario.side.get(EFETCH, scenario.answers[-1])
    cut = last[: len(last) // 2]
    if service == Service.PUBMED:
        scenario.side[EFETCH] = cut
    else:
        scenario.answers[-1] = cut
    time = FakeTime()
    _, result = exchange(scenario, [], only(service, page_size=scenario.page_size), time)
    (failure,) = result.failures
    kind = "XML" if service == Service.PUBMED else "JSON"
    what = "efetch" if service == Service.PUBMED else WHAT[service]
    assert failure.reasons[0].startswith(f"{service}: query 'anxiety': {what} answered malformed {kind} (")
    assert failure.raw.endswith("…") and len(failure.raw) == 301
    assert result.findings == ()


def test_an_answer_of_the_wrong_shape_is_quarantined_but_no_hits_is_not():
    """Hand-written bodies: hits promised without a `data` list, and zero hits with no `data` at all."""
    time = FakeTime()
    with respx.mock:
        respx.get(S2).mock(
            side_effect=[
                httpx.Response(200, json={"total": 5, "offset": 0}),
                httpx.Response(200, json={"total": 0, "offset": 0}),
            ]
        )
        result = run(["turing", "no such paper"], only(Service.SEMANTIC_SCHOLAR), time)
    assert [f.reasons for f in result.failures] == [
        ("semanticscholar: query 'turing': search answered JSON without a data list",)
    ]
    assert result.findings == ()


def test_a_retry_after_beyond_max_wait_gives_up_at_once():
    time = FakeTime()
    with respx.mock:
        respx.get(S2).mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
        result = run(["turing"], only(Service.SEMANTIC_SCHOLAR), time)
    assert result.failures[0].reasons == (
        "semanticscholar: query 'turing': search answered HTTP 429 and asked to wait 3600s,"
        " more than max_wait_s",
    )
    assert time.sleeps == []


def test_client_errors_are_not_retried():
    time = FakeTime()
    with respx.mock:
        route = respx.get(S2).mock(return_value=httpx.Response(400, json={"error": "Unrecognized field"}))
        result = run(["turing"], only(Service.SEMANTIC_SCHOLAR), time)
    assert route.call_count == 1
    assert result.failures[0].reasons == ("semanticscholar: query 'turing': search answered HTTP 400",)
    assert result.failures[0].raw == '{"error":"Unrecognized field"}'


def test_retry_delay_doubles_up_to_max_wait_and_honours_retry_after_in_seconds():
    settings = AcademicSettings(backoff_s=1.0, max_wait_s=5.0)
    assert [retry_delay(n, None, settings) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    assert retry_delay(3, "2", settings) == 2.0 and retry_delay(1, "0.5", settings) == 0.5
    assert retry_delay(1, "6", settings) is None
    assert retry_delay(2, "Wed, 21 Oct 2015 07:28:00 GMT", settings) == 2.0


# --- rate limiter ----------------------------------------------------------------------------------------


def test_rate_limiter_spaces_request_starts():
    time = FakeTime()
    limiter = RateLimiter(3, clock=time.clock, sleep=time.sleep)
    starts = []

    async def burst(count: int) -> None:
        for _ in range(count):
            await limiter.acquire()
            starts.append(time.now)

    asyncio.run(burst(4))
    assert starts == pytest.approx([0, 1 / 3, 2 / 3, 1])
    time.now = 10.0  # after a pause nothing is owed
    asyncio.run(burst(1))
    assert starts[-1] == 10.0 and len(time.sleeps) == 3


# --- one paper, once --------------------------------------------------------------------------------------


def pubmed_findings() -> list[Finding]:
    return parse_pubmed_articles(ET.fromstring(EFETCH_SIX))


def test_dedup_keeps_the_record_with_an_abstract_and_merges_ids_by_doi_then_pmid():
    pubmed = pubmed_findings()[-1]  # 18239125, doi 10.1126/science.1149185
    by_doi = Finding(
        title=pubmed.title,
        doi="https://doi.org/10.1126/SCIENCE.1149185",
        service=Service.SEMANTIC_SCHOLAR,
        url="https://www.semanticscholar.org/paper/x",
    )
    by_pmid = Finding(
        title=pubmed.title,
        abstract="A shorter abstract.",
        pmid="18239125",
        licence="cc by",
        service=Service.EUROPE_PMC,
        url="https://europepmc.org/article/MED/18239125",
    )
    kept, duplicates = deduplicate([by_doi, by_pmid, pubmed])
    assert duplicates == 2 and len(kept) == 1
    (paper,) = kept
    assert paper.service == Service.PUBMED and paper.abstract == pubmed.abstract
    assert (paper.doi, paper.pmid, paper.pmcid, paper.licence) == (
        "10.1126/science.1149185",
        "18239125",
        "PMC2981861",
        "cc by",
    )
    assert deduplicate([pubmed, by_pmid, by_doi])[0] == kept  # the choice does not depend on order


def test_dedup_prefers_an_abstract_over_service_order_and_joins_transitively():
    a = Finding(title="A", doi="10.1/x", service=Service.PUBMED, url="u1")
    b = Finding(title="A", abstract="text", doi="10.1/X", pmid="7", service=Service.OPENALEX, url="u2")
    c = Finding(title="A", pmid="7", pmcid="PMC9", service=Service.SEMANTIC_SCHOLAR, url="u3")
    other = Finding(title="B", doi="10.1/y", service=Service.PUBMED, url="u4")
    kept, duplicates = deduplicate([a, other, b, c])
    assert duplicates == 2 and [f.title for f in kept] == ["A", "B"]
    assert (kept[0].service, kept[0].doi, kept[0].pmid, kept[0].pmcid) == (
        Service.OPENALEX,
        "10.1/x",
        "7",
        "PMC9",
    )


def test_the_same_paper_found_by_two_queries_is_kept_once():
    time = FakeTime()
    with respx.mock:
        respx.get(S2).mock(return_value=ok(S2_PAGES[0]))
        result = run(["turing", "turing machines"], only(Service.SEMANTIC_SCHOLAR), time)
    assert len(result.findings) == 100 and result.duplicates == 100


# --- findings as passages, and the sync wrapper ---------------------------------------------------------


def test_finding_passage_grounds_on_the_abstract_located_by_pmid():
    (finding,) = parse_pubmed_articles(
        ET.fromstring(fixture("pubmed/efetch_21813367_structured-abstract.xml"))
    )
    passage = finding_passage(finding)
    assert passage.text == finding.abstract and passage.title == finding.title
    assert (passage.locator, passage.document) == ("pmid:21813367", "https://doi.org/10.1289/ehp.1103729")
    assert passage.document_sha256 == hashlib.sha256(canonical_json(finding)).hexdigest()
    assert finding_passage(finding) == passage
    relicensed = finding.model_copy(update={"licence": "cc by"})
    assert finding_passage(relicensed).licence == "cc by" and finding_passage(relicensed).id != passage.id


def test_finding_passage_refuses_a_finding_without_an_abstract():
    news = pubmed_findings()[1]
    with pytest.raises(ValueError, match="pmid:18927361 has no abstract"):
        finding_passage(news)


def test_sync_search_wrapper():
    with respx.mock:
        respx.get(S2).mock(return_value=ok(S2_PAGES[0]))
        result = search(["turing"], 5, only(Service.SEMANTIC_SCHOLAR))
    assert [f.service for f in result.findings] == [Service.SEMANTIC_SCHOLAR] * 5
