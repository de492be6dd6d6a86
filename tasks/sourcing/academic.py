"""Paper search on PubMed, Europe PMC, OpenAlex and Semantic Scholar into de-duplicated findings.

Every service is asked politely: one rate limiter per service spaces its requests, 429 and 5xx
answers (and network errors) are retried with exponential backoff where a `Retry-After` in seconds
wins, and a query that still fails, or whose answer does not parse, becomes a quarantine item that
names the service, the query and the cause while every other service carries on. The same paper
found by several services is kept once, so no abstract grounds twice.

Request rates (per second), one limiter per service and run:
- NCBI E-utilities: 3 without an API key, 10 with one (NCBI's published E-utilities policy).
- OpenAlex: 10, its published ceiling; `contact_email` is sent as `mailto` (the polite pool).
- Semantic Scholar: 1, the dedicated rate of an API key; the keyless pool is shared by every user.
- Europe PMC: publishes no number; 5 is a polite default.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import os
import re
import time
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tasks.records import Passage, QuarantineItem, canonical_json
from tasks.sourcing.passages import Document, UnreadableDocument, make_passage

if TYPE_CHECKING:
    from tasks.settings import PassageSettings

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

RAW_EXCERPT_CHARS = 300
_DOI = re.compile(r"^10\.[^\s/]+/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_PMCID = re.compile(r"(?:^|/)(?:PMC)?(\d+)/?$", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|li|ul|ol)|br\s*/?)[^>]*>", re.I)
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


class Service(StrEnum):
    """A search service; the order here is the default preference between duplicates."""

    PUBMED = "pubmed"
    EUROPE_PMC = "europepmc"
    OPENALEX = "openalex"
    SEMANTIC_SCHOLAR = "semanticscholar"


class AcademicSettings(BaseModel):
    """Which services to ask, how much, and how patiently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    services: tuple[Service, ...] = Field(
        tuple(Service), min_length=1, description="Services to search; earlier wins between duplicates"
    )
    max_results_per_query: int = Field(100, ge=1, le=10_000, description="Findings per query and service")
    page_size: int = Field(100, ge=1, le=1_000, description="Results per request (each service caps it)")
    timeout_s: float = Field(30.0, gt=0, description="Seconds one request may take")
    max_attempts: int = Field(
        4, ge=1, le=10, description="Tries per request; 429, 5xx and network errors retry"
    )
    backoff_s: float = Field(
        1.0, gt=0, description="First retry wait, doubled each retry without Retry-After"
    )
    max_wait_s: float = Field(
        60.0, gt=0, description="Longest retry wait; a longer Retry-After ends the tries"
    )
    ncbi_api_key: SecretStr | None = Field(
        None, description="NCBI API key (10 requests/s instead of 3); else the ncbi_api_key_env variable"
    )
    ncbi_api_key_env: str = Field("NCBI_API_KEY", description="Environment variable that holds the NCBI key")
    contact_email: str | None = Field(None, description="Sent as NCBI `email` and OpenAlex `mailto`")
    tool: str = Field("unified-dataset-pipeline", description="Sent as NCBI `tool` and in the User-Agent")

    @field_validator("services")
    @classmethod
    def _distinct(cls, value: tuple[Service, ...]) -> tuple[Service, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each service may be listed once")
        return value

    def ncbi_key(self) -> SecretStr | None:
        """The configured key, else the environment's, so a key never has to sit in a config file."""
        if self.ncbi_api_key is not None:
            return self.ncbi_api_key
        value = os.environ.get(self.ncbi_api_key_env, "").strip()
        return SecretStr(value) if value else None


class Finding(BaseModel):
    """One paper as a service describes it; ids are normalised so duplicates meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    doi: str | None = Field(None, description="Lower-case, without a resolver prefix")
    pmid: str | None = Field(None, pattern=r"^\d+$")
    pmcid: str | None = Field(None, pattern=r"^PMC\d+$")
    mesh_terms: tuple[str, ...] = ()
    licence: str | None = None
    service: Service
    url: str

    @field_validator("doi")
    @classmethod
    def _normal_doi(cls, value: str | None) -> str | None:
        if value is None:
            return None
        doi = normalise_doi(value)
        if doi is None:
            raise ValueError(f"{value!r} is not a DOI")
        return doi


class AcademicResult(BaseModel):
    """What a search run found, what it merged away, and what it could not read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    findings: tuple[Finding, ...]
    duplicates: int = Field(description="Findings merged into another service's record of the same paper")
    failures: tuple[QuarantineItem, ...]


class ServiceError(Exception):
    """A request that failed for good, or an answer that does not parse; its reason is quarantined.

    `raw` is the whole answer: it is scrubbed of secrets before it is cut to an excerpt, so no part of
    a key can survive at the cut.
    """

    def __init__(self, reason: str, raw: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


class RateLimiter:
    """Starts requests at least `1 / per_second` apart, however many tasks share it."""

    def __init__(self, per_second: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep):
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    async def acquire(self) -> None:
        """Wait for the next free slot; the slot is taken before waiting, so tasks queue fairly."""
        now = self._clock()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await self._sleep(start - now)


def retry_delay(attempt: int, retry_after: str | None, settings: AcademicSettings) -> float | None:
    """Seconds to wait after failed try `attempt`: Retry-After (seconds) when sent, else exponential.

    None means the service asked for a longer wait than `max_wait_s`: better to give up and say so.
    An HTTP-date Retry-After is ignored, since honouring it would tie the run to the wall clock.
    """
    if retry_after is not None:
        try:
            asked = max(float(retry_after.strip()), 0.0)
        except ValueError:
            asked = None
        if asked is not None:
            return asked if asked <= settings.max_wait_s else None
    return min(settings.backoff_s * 2 ** (attempt - 1), settings.max_wait_s)


def _excerpt(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= RAW_EXCERPT_CHARS else text[:RAW_EXCERPT_CHARS] + "…"


class _Requester:
    """One service's way to the network: paced, retried, every failure put in words."""

    def __init__(
        self,
        service: Service,
        http: httpx.AsyncClient,
        settings: AcademicSettings,
        per_second: float,
        clock: Clock,
        sleep: Sleep,
    ) -> None:
        self.service = service
        self.http = http
        self.settings = settings
        self.limiter = RateLimiter(per_second, clock=clock, sleep=sleep)
        self.sleep = sleep
        contact = f" (mailto:{settings.contact_email})" if settings.contact_email else ""
        self.headers = {"User-Agent": f"{settings.tool}{contact}"}

    async def fetch(
        self,
        method: str,
        url: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The first 2xx answer; 429, 5xx and network errors are retried, anything else raises."""
        attempts, attempt = self.settings.max_attempts, 0
        while True:
            attempt += 1
            await self.limiter.acquire()
            retry_after: str | None = None
            raw: str | None = None
            try:
                response = await self.http.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=self.headers,
                    timeout=self.settings.timeout_s,
                    follow_redirects=True,
                )
            except httpx.TransportError as error:
                problem = f"{type(error).__name__} {error}".strip()
            else:
                if response.is_success:
                    return response
                problem, raw = f"HTTP {response.status_code}", response.text
                if response.status_code != 429 and response.status_code < 500:
                    raise ServiceError(f"{what} answered {problem}", raw)
                retry_after = response.headers.get("Retry-After")
            if attempt == attempts:
                raise ServiceError(f"{what} answered {problem} on all {attempts} attempts", raw)
            delay = retry_delay(attempt, retry_after, self.settings)
            if delay is None:
                raise ServiceError(
                    f"{what} answered {problem} and asked to wait {retry_after}s, more than max_wait_s", raw
                )
            logger.info(
                "%s %s answered %s; try %d in %.1fs", self.service.value, what, problem, attempt + 1, delay
            )
            await self.sleep(delay)


class SearchClient(ABC):
    """A service's search: pages of findings for a query, up to `limit` of them."""

    service: ClassVar[Service]

    def __init__(self, http: httpx.AsyncClient, settings: AcademicSettings, clock: Clock, sleep: Sleep):
        self.settings = settings
        self.requester = _Requester(self.service, http, settings, self.per_second(settings), clock, sleep)

    @staticmethod
    @abstractmethod
    def per_second(settings: AcademicSettings) -> float:
        """The service's request rate for these settings."""

    @abstractmethod
    def pages(self, query: str, limit: int) -> AsyncIterator[list[Finding]]:
        """Findings page by page, `limit` at most; a failure raises ServiceError."""


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON object of an answer; anything else is the service's fault, put in words."""
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        raise ServiceError(f"{what} answered malformed JSON ({error})", response.text) from error
    if not isinstance(data, dict):
        raise ServiceError(f"{what} answered JSON that is not an object", response.text)
    return data


def _list_at(data: dict[str, Any], response: httpx.Response, what: str, *path: str) -> list[Any]:
    """The list at `path` inside an answer's object, or a ServiceError naming the path."""
    value: Any = data
    for key in path:
        value = _dict(value).get(key)
    if not isinstance(value, list):
        raise ServiceError(f"{what} answered JSON without a {'.'.join(path)} list", response.text)
    return value


def _findings(records: list[Any], build: Callable[[dict[str, Any]], Finding], room: int) -> list[Finding]:
    """The findings of a page's records (objects only), no more than `room` of them."""
    return [build(record) for record in records if isinstance(record, dict)][:room]


def _xml(response: httpx.Response, what: str) -> ET.Element:
    try:
        return ET.fromstring(response.content)
    except ET.ParseError as error:
        raise ServiceError(f"{what} answered malformed XML ({error})", response.text) from error


class PubMedClient(SearchClient):
    """NCBI E-utilities: esearch pages of PMIDs, then efetch XML in batches.

    Requests are POSTed so the API key travels in the body, never in a URL that a log could print.
    """

    service = Service.PUBMED
    BASE = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
    ESEARCH_MAX = 10_000
    EFETCH_BATCH = 200

    @staticmethod
    def per_second(settings: AcademicSettings) -> float:
        return 10.0 if settings.ncbi_key() else 3.0

    def _form(self, **fields: Any) -> dict[str, Any]:
        form = {"db": "pubmed", "retmode": "xml", "tool": self.settings.tool, **fields}
        if self.settings.contact_email:
            form["email"] = self.settings.contact_email
        if key := self.settings.ncbi_key():
            form["api_key"] = key.get_secret_value()
        return form

    async def pages(self, query: str, limit: int) -> AsyncIterator[list[Finding]]:
        ids: list[str] = []
        while len(ids) < limit:
            size = min(self.settings.page_size, self.ESEARCH_MAX, limit - len(ids))
            form = self._form(term=query, retstart=len(ids), retmax=size)
            response = await self.requester.fetch("POST", self.BASE + "esearch.fcgi", "esearch", data=form)
            page, count = parse_esearch(_xml(response, "esearch"))
            ids.extend(page)
            if not page or len(ids) >= count:
                break
        ids = list(dict.fromkeys(ids))[:limit]
        for start in range(0, len(ids), self.EFETCH_BATCH):
            form = self._form(id=",".join(ids[start : start + self.EFETCH_BATCH]))
            response = await self.requester.fetch("POST", self.BASE + "efetch.fcgi", "efetch", data=form)
            yield parse_pubmed_articles(_xml(response, "efetch"))


class EuropePmcClient(SearchClient):
    """Europe PMC REST search, `resultType=core` (abstracts, MeSH, licence), paged by cursorMark."""

    service = Service.EUROPE_PMC
    URL = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
    PAGE_MAX = 1_000

    @staticmethod
    def per_second(settings: AcademicSettings) -> float:
        return 5.0

    async def pages(self, query: str, limit: int) -> AsyncIterator[list[Finding]]:
        cursor, got = "*", 0
        while got < limit:
            size = min(self.settings.page_size, self.PAGE_MAX, limit - got)
            params = {
                "query": query,
                "resultType": "core",
                "format": "json",
                "pageSize": size,
                "cursorMark": cursor,
            }
            response = await self.requester.fetch("GET", self.URL, "search", params=params)
            data = _json(response, "search")
            results = _list_at(data, response, "search", "resultList", "result")
            page = _findings(results, europepmc_finding, limit - got)
            got += len(page)
            yield page
            following = data.get("nextCursorMark")
            if not page or not isinstance(following, str) or following == cursor:
                break
            cursor = following


class OpenAlexClient(SearchClient):
    """OpenAlex works search, paged by page number at a fixed `per_page`."""

    service = Service.OPENALEX
    URL = "https://api.openalex.org/works"
    PAGE_MAX = 200

    @staticmethod
    def per_second(settings: AcademicSettings) -> float:
        return 10.0

    async def pages(self, query: str, limit: int) -> AsyncIterator[list[Finding]]:
        # Page numbers count in units of per_page, so it must not shrink for the last page.
        per_page = min(self.settings.page_size, self.PAGE_MAX, limit)
        number, got = 1, 0
        while got < limit:
            params: dict[str, Any] = {"search": query, "per_page": per_page, "page": number}
            if self.settings.contact_email:
                params["mailto"] = self.settings.contact_email
            response = await self.requester.fetch("GET", self.URL, "works", params=params)
            data = _json(response, "works")
            results = _list_at(data, response, "works", "results")
            page = _findings(results, openalex_finding, limit - got)
            got += len(page)
            yield page
            count = _dict(data.get("meta")).get("count")
            if not page or (isinstance(count, int) and number * per_page >= count):
                break
            number += 1


class SemanticScholarClient(SearchClient):
    """Semantic Scholar Graph API relevance search, paged by `offset` and the answer's `next`."""

    service = Service.SEMANTIC_SCHOLAR
    URL = "https://api.semanticscholar.org/graph/v1/paper/search"
    PAGE_MAX = 100
    FIELDS = "title,abstract,authors,venue,journal,year,externalIds,url,openAccessPdf"

    @staticmethod
    def per_second(settings: AcademicSettings) -> float:
        return 1.0

    async def pages(self, query: str, limit: int) -> AsyncIterator[list[Finding]]:
        offset, got = 0, 0
        while got < limit:
            size = min(self.settings.page_size, self.PAGE_MAX, limit - got)
            params = {"query": query, "offset": offset, "limit": size, "fields": self.FIELDS}
            response = await self.requester.fetch("GET", self.URL, "search", params=params)
            data = _json(response, "search")
            if data.get("total") == 0:  # no hits: the answer may then carry no `data` at all
                break
            papers = _list_at(data, response, "search", "data")
            page = _findings(papers, semantic_scholar_finding, limit - got)
            got += len(page)
            yield page
            following = data.get("next")
            if not page or not isinstance(following, int):
                break
            offset = following


CLIENTS: dict[Service, type[SearchClient]] = {
    client.service: client
    for client in (PubMedClient, EuropePmcClient, OpenAlexClient, SemanticScholarClient)
}


# --- parsing: pure functions from one service's answer to findings ---------------------------------


def normalise_doi(value: str) -> str | None:
    """A DOI in its comparable form (lower-case, no resolver prefix), or None when it is not one."""
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return doi if _DOI.match(doi) else None


def _pmid(value: Any) -> str | None:
    text = str(value).strip().rstrip("/").rsplit("/", 1)[-1] if value not in (None, "") else ""
    return text if text.isdigit() else None


def _pmcid(value: Any) -> str | None:
    match = _PMCID.search(str(value).strip()) if value not in (None, "") else None
    return f"PMC{match.group(1)}" if match else None


def _doi(value: Any) -> str | None:
    return normalise_doi(value) if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _clean(value: Any) -> str | None:
    """Text with its whitespace collapsed; None for anything empty or not text."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _year(value: Any) -> int | None:
    match = _YEAR.search(str(value)) if value not in (None, "") else None
    return int(match.group(1)) if match else None


def html_text(value: Any) -> str | None:
    """Markup-free text: headings become "Heading: " lines, block tags line breaks, entities decoded."""
    if not isinstance(value, str):
        return None
    text = _HEADING.sub(lambda match: f"\n{_TAG.sub('', match.group(1)).strip()}: ", value)
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", text)))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


def _node_text(node: ET.Element | None) -> str | None:
    """An element's text with every child's (italics, sub/superscripts, MathML) run together."""
    return None if node is None else _clean("".join(node.itertext()))


def parse_esearch(root: ET.Element) -> tuple[list[str], int]:
    """PMIDs of one esearch page and the query's total hit count."""
    if root.tag != "eSearchResult":
        raise ServiceError(f"esearch answered <{root.tag}>, not an eSearchResult")
    if (error := _node_text(root.find("ERROR"))) is not None:
        raise ServiceError(f"esearch refused the query: {error}")
    count = root.findtext("Count")
    if count is None or not count.strip().isdigit():
        raise ServiceError("esearch answered without a Count")
    ids = [text for node in root.findall("IdList/Id") if (text := _node_text(node))]
    return ids, int(count)


def parse_pubmed_articles(root: ET.Element) -> list[Finding]:
    """Findings of an efetch PubmedArticleSet: journal articles and Bookshelf chapters."""
    if root.tag != "PubmedArticleSet":
        raise ServiceError(f"efetch answered <{root.tag}>, not a PubmedArticleSet")
    findings = []
    for node in root:
        if node.tag == "PubmedArticle":
            findings.append(_pubmed_article(node))
        elif node.tag == "PubmedBookArticle":
            findings.append(_pubmed_book(node))
    return findings


def _abstract(parent: ET.Element | None) -> str | None:
    """Every AbstractText of an Abstract, a labelled section as "LABEL: text", one per line."""
    if parent is None:
        return None
    sections = []
    for node in parent.findall("Abstract/AbstractText"):
        if text := _node_text(node):
            label = _clean(node.get("Label"))
            sections.append(f"{label}: {text}" if label else text)
    return "\n".join(sections) or None


def _pubmed_authors(author_list: ET.Element | None) -> tuple[str, ...]:
    if author_list is None:
        return ()
    names = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":
            continue
        parts = [_node_text(author.find("ForeName")), _node_text(author.find("LastName"))]
        name = " ".join(part for part in parts if part) or _node_text(author.find("CollectiveName"))
        if name:
            names.append(name)
    return tuple(names)


def _article_ids(id_list: ET.Element | None) -> dict[str, str]:
    if id_list is None:
        return {}
    return {
        node.get("IdType", ""): text for node in id_list.findall("ArticleId") if (text := _node_text(node))
    }


def _pubmed_finding(pmid: str, title: str | None, abstract: str | None, **fields: Any) -> Finding:
    return Finding(
        title=title or "",
        abstract=abstract,
        pmid=_pmid(pmid),
        service=Service.PUBMED,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        **fields,
    )


def _pubmed_article(node: ET.Element) -> Finding:
    citation = node.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if citation is None or article is None:
        raise ServiceError("efetch answered a PubmedArticle without MedlineCitation/Article")
    pmid = _node_text(citation.find("PMID")) or ""
    ids = _article_ids(node.find("PubmedData/ArticleIdList"))  # the article's own, not its references'
    elocation = next(
        (_node_text(e) for e in article.findall("ELocationID") if e.get("EIdType") == "doi"), None
    )
    year = _year(article.findtext("Journal/JournalIssue/PubDate/Year")) or _year(
        article.findtext("Journal/JournalIssue/PubDate/MedlineDate")
    )
    mesh = (_node_text(d) for d in citation.findall("MeshHeadingList/MeshHeading/DescriptorName"))
    return _pubmed_finding(
        pmid,
        _node_text(article.find("ArticleTitle")),
        _abstract(article),
        authors=_pubmed_authors(article.find("AuthorList")),
        journal=_node_text(article.find("Journal/Title")),
        year=year or _year(article.findtext("ArticleDate/Year")),
        doi=_doi(ids.get("doi") or elocation),
        pmcid=_pmcid(ids.get("pmc")),
        mesh_terms=tuple(dict.fromkeys(term for term in mesh if term)),
    )


def _pubmed_book(node: ET.Element) -> Finding:
    document = node.find("BookDocument")
    if document is None:
        raise ServiceError("efetch answered a PubmedBookArticle without a BookDocument")
    pmid = _node_text(document.find("PMID")) or ""
    ids = _article_ids(document.find("ArticleIdList"))
    authors = _pubmed_authors(document.find("AuthorList")) or _pubmed_authors(
        document.find("Book/AuthorList")
    )
    return _pubmed_finding(
        pmid,
        _node_text(document.find("ArticleTitle")) or _node_text(document.find("Book/BookTitle")),
        _abstract(document),
        authors=authors,
        journal=_node_text(document.find("Book/BookTitle")),
        year=_year(document.findtext("Book/PubDate/Year")),
        doi=_doi(ids.get("doi")),
    )


def europepmc_finding(record: dict[str, Any]) -> Finding:
    """A finding from one Europe PMC `core` search result."""
    authors = []
    for author in map(_dict, _list(_dict(record.get("authorList")).get("author"))):
        first, last = _clean(author.get("firstName")), _clean(author.get("lastName"))
        name = f"{first} {last}" if first and last else None
        if name := name or _clean(author.get("fullName")) or _clean(author.get("collectiveName")):
            authors.append(name)
    headings = _list(_dict(record.get("meshHeadingList")).get("meshHeading"))
    mesh = (_clean(_dict(heading).get("descriptorName")) for heading in headings)
    source, ident = _clean(record.get("source")) or "MED", _clean(record.get("id")) or ""
    return Finding(
        title=html_text(record.get("title")) or "",
        abstract=html_text(record.get("abstractText")),
        authors=tuple(authors),
        journal=_clean(_dict(_dict(record.get("journalInfo")).get("journal")).get("title")),
        year=_year(record.get("pubYear")),
        doi=_doi(record.get("doi")),
        pmid=_pmid(record.get("pmid")),
        pmcid=_pmcid(record.get("pmcid")),
        mesh_terms=tuple(dict.fromkeys(term for term in mesh if term)),
        licence=_clean(record.get("license")),
        service=Service.EUROPE_PMC,
        url=f"https://europepmc.org/article/{source}/{ident}",
    )


def abstract_from_inverted_index(index: Any) -> str | None:
    """OpenAlex's `abstract_inverted_index` (word -> positions) read back into running text."""
    if not isinstance(index, dict):
        return None
    placed = {
        position: word
        for word, positions in index.items()
        for position in _list(positions)
        if isinstance(position, int) and position >= 0
    }
    return _clean(" ".join(placed[position] for position in sorted(placed)))


def openalex_finding(work: dict[str, Any]) -> Finding:
    """A finding from one OpenAlex Work object."""
    ids = _dict(work.get("ids"))
    primary = _dict(work.get("primary_location"))
    authorships = map(_dict, _list(work.get("authorships")))
    authors = (_clean(_dict(authorship.get("author")).get("display_name")) for authorship in authorships)
    mesh = (_clean(_dict(m).get("descriptor_name")) for m in _list(work.get("mesh")))
    licence = _clean(_dict(work.get("best_oa_location")).get("license")) or _clean(primary.get("license"))
    year = work.get("publication_year")
    return Finding(
        title=html_text(work.get("title")) or html_text(work.get("display_name")) or "",
        abstract=abstract_from_inverted_index(work.get("abstract_inverted_index")),
        authors=tuple(name for name in authors if name),
        journal=_clean(_dict(primary.get("source")).get("display_name")),
        year=year if isinstance(year, int) else None,
        doi=_doi(work.get("doi")) or _doi(ids.get("doi")),
        pmid=_pmid(ids.get("pmid")),
        pmcid=_pmcid(ids.get("pmcid")),
        mesh_terms=tuple(dict.fromkeys(term for term in mesh if term)),
        licence=licence,
        service=Service.OPENALEX,
        url=_clean(work.get("id")) or "",
    )


def semantic_scholar_finding(paper: dict[str, Any]) -> Finding:
    """A finding from one Semantic Scholar paper object (only the fields that were asked for)."""
    external = _dict(paper.get("externalIds"))
    authors = (_clean(_dict(author).get("name")) for author in _list(paper.get("authors")))
    year = paper.get("year")
    paper_id = _clean(paper.get("paperId")) or ""
    return Finding(
        title=_clean(paper.get("title")) or "",
        abstract=_clean(paper.get("abstract")),
        authors=tuple(name for name in authors if name),
        journal=_clean(_dict(paper.get("journal")).get("name")) or _clean(paper.get("venue")),
        year=year if isinstance(year, int) else None,
        doi=_doi(external.get("DOI")),
        pmid=_pmid(external.get("PubMed")),
        pmcid=_pmcid(external.get("PubMedCentral")),
        licence=_clean(_dict(paper.get("openAccessPdf")).get("license")),
        service=Service.SEMANTIC_SCHOLAR,
        url=_clean(paper.get("url")) or f"https://www.semanticscholar.org/paper/{paper_id}",
    )


# --- one paper, once -------------------------------------------------------------------------------

_MERGED_FIELDS = ("doi", "pmid", "pmcid", "licence", "journal", "year", "mesh_terms")


def identity_keys(finding: Finding) -> tuple[str, ...]:
    """What makes two findings the same paper: a shared DOI, a shared PMID or the same record page."""
    keys = []
    if finding.doi:
        keys.append(f"doi:{finding.doi}")
    if finding.pmid:
        keys.append(f"pmid:{finding.pmid}")
    return (*keys, f"url:{finding.url}") if finding.url else tuple(keys)


def deduplicate(
    findings: Sequence[Finding], order: Sequence[Service] = tuple(Service)
) -> tuple[list[Finding], int]:
    """One finding per paper and how many were merged away.

    Findings sharing a DOI, a PMID or a record URL (transitively) are one paper. The record kept is
    the first with an abstract, by service `order`, then by position; its empty ids, licence, journal,
    year and MeSH terms are filled from the others in that same order. Papers keep the order they were
    first seen.
    """
    parent = list(range(len(findings)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first: dict[str, int] = {}
    for index, finding in enumerate(findings):
        for key in identity_keys(finding):
            if key in first:
                a, b = root(first[key]), root(index)
                parent[max(a, b)] = min(a, b)
            else:
                first[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(findings)):
        groups.setdefault(root(index), []).append(index)
    rank = {service: position for position, service in enumerate(order)}
    kept = []
    for members in groups.values():
        ranked = sorted(
            members, key=lambda i: (findings[i].abstract is None, rank.get(findings[i].service, len(rank)), i)
        )
        kept.append(_merge([findings[i] for i in ranked]))
    return kept, len(findings) - len(kept)


def _merge(ranked: Sequence[Finding]) -> Finding:
    chosen = ranked[0]
    update = {}
    for name in _MERGED_FIELDS:
        if not getattr(chosen, name):
            update[name] = next(
                (value for f in ranked[1:] if (value := getattr(f, name))), getattr(chosen, name)
            )
    return chosen.model_copy(update=update)


# --- findings as grounding passages ------------------------------------------------------------------


def canonical_url(finding: Finding) -> str:
    """The paper's address that every service agrees on: its DOI, else its PubMed page, else the record."""
    if finding.doi:
        return f"https://doi.org/{finding.doi}"
    if finding.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{finding.pmid}/"
    return finding.url


def finding_locator(finding: Finding) -> str:
    """`pmid:…`, else `doi:…`, else `pmcid:…`, else `url:…`: how a citation points at the paper."""
    for name in ("pmid", "doi", "pmcid"):
        if value := getattr(finding, name):
            return f"{name}:{value}"
    return f"url:{finding.url}"


def finding_passage(finding: Finding) -> Passage:
    """The abstract as a grounding passage, hashed from the whole finding so any change shows.

    A finding without an abstract has nothing to ground on and is refused with a ValueError.
    """
    if not finding.abstract:
        raise ValueError(f"{finding_locator(finding)} has no abstract to ground on")
    payload = canonical_json(finding)
    document = Document(
        path=canonical_url(finding), sha256=hashlib.sha256(payload).hexdigest(), bytes=len(payload)
    )
    return make_passage(
        document, finding_locator(finding), finding.abstract, finding.title or None, finding.licence
    )


# --- running every service for every query ----------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    findings: list[Finding]
    failure: QuarantineItem | None


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _quarantine(
    service: Service, query: str, error: ServiceError, secrets: tuple[str, ...]
) -> QuarantineItem:
    reason = _scrub(f"{service.value}: query {query!r}: {error.reason}", secrets)
    raw = _excerpt(_scrub(error.raw, secrets)) if error.raw else None
    ident = hashlib.sha256(f"{service.value}\0{query}\0{reason}".encode()).hexdigest()[:24]
    return QuarantineItem(id=ident, stage="sourcing", kind="finding", reasons=(reason,), raw=raw)


async def _search_one(client: SearchClient, query: str, limit: int, secrets: tuple[str, ...]) -> _Outcome:
    """One service's findings for one query; pages read before a failure are kept."""
    found: list[Finding] = []
    try:
        async for page in client.pages(query, limit):
            found.extend(page)
    except ServiceError as error:
        failure = _quarantine(client.service, query, error, secrets)
        logger.warning("%s", failure.reasons[0])
        return _Outcome(found, failure)
    return _Outcome(found, None)


async def search_all(
    queries: Iterable[str],
    max_per_query: int | None,
    settings: AcademicSettings,
    client: httpx.AsyncClient | None = None,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> AcademicResult:
    """Every enabled service for every query, de-duplicated; failures are quarantined, not raised.

    `clock` and `sleep` pace requests and retries; tests pass fakes so no time really passes.
    """
    limit = max_per_query or settings.max_results_per_query
    unique = list(dict.fromkeys(text for text in (q.strip() for q in queries) if text))
    key = settings.ncbi_key()
    secrets = (key.get_secret_value(),) if key else ()
    http = client or httpx.AsyncClient(timeout=settings.timeout_s, follow_redirects=True)
    try:
        clients = [CLIENTS[service](http, settings, clock, sleep) for service in settings.services]
        searches = (_search_one(c, query, limit, secrets) for query in unique for c in clients)
        outcomes = await asyncio.gather(*searches)
    finally:
        if client is None:
            await http.aclose()
    findings, duplicates = deduplicate([f for o in outcomes for f in o.findings], settings.services)
    failures = tuple(o.failure for o in outcomes if o.failure is not None)
    return AcademicResult(findings=tuple(findings), duplicates=duplicates, failures=failures)


def search(
    queries: Iterable[str],
    max_per_query: int | None = None,
    settings: AcademicSettings | None = None,
    client: httpx.AsyncClient | None = None,
) -> AcademicResult:
    """`search_all` for callers that are not async (it starts its own event loop)."""
    return asyncio.run(search_all(queries, max_per_query, settings or AcademicSettings(), client))


# --- recorded answers as source documents ------------------------------------------------------------


def read_pubmed_xml(path: Path, document: Document, settings: PassageSettings) -> list[Passage]:
    """Finding passages of a saved efetch answer (`.xml` in the sources folder): a recorded search
    grounds a run offline. Papers without an abstract have nothing to cite and are left out."""
    try:
        root = ET.parse(path).getroot()
        findings = parse_pubmed_articles(root)
    except (ET.ParseError, ServiceError) as error:
        raise UnreadableDocument(f"not a PubMed efetch XML answer ({error})") from error
    return [finding_passage(f) for f in findings if f.abstract]
