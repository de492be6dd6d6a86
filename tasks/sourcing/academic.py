"""Paper search on PubMed, Europe PMC, OpenAlex and Semantic Scholar into de-duplicated findings.

This module runs every enabled service for every query and keeps the public surface: a query that
fails, or whose answer does not parse, becomes a quarantine item that names the service, the query
and the cause while every other service carries on, and the same paper found by several services is
kept once, so no abstract grounds twice. Pacing and retries live in `academic_http`, each service's
client and parser in its own `academic_<service>` module.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tasks.records import Passage, QuarantineItem, canonical_json
from tasks.sourcing.academic_europepmc import EuropePmcClient
from tasks.sourcing.academic_http import Clock, SearchClient, ServiceError, Sleep
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service
from tasks.sourcing.academic_openalex import OpenAlexClient
from tasks.sourcing.academic_pubmed import PubMedClient, parse_pubmed_articles
from tasks.sourcing.academic_semanticscholar import SemanticScholarClient
from tasks.sourcing.passages import Document, UnreadableDocument, make_passage

if TYPE_CHECKING:
    from tasks.settings import PassageSettings

logger = logging.getLogger(__name__)

RAW_EXCERPT_CHARS = 300

CLIENTS: dict[Service, type[SearchClient]] = {
    client.service: client
    for client in (PubMedClient, EuropePmcClient, OpenAlexClient, SemanticScholarClient)
}


class AcademicResult(BaseModel):
    """What a search run found, what it merged away, and what it could not read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    findings: tuple[Finding, ...]
    duplicates: int = Field(description="Findings merged into another service's record of the same paper")
    failures: tuple[QuarantineItem, ...]


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


def _excerpt(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= RAW_EXCERPT_CHARS else text[:RAW_EXCERPT_CHARS] + "…"


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
