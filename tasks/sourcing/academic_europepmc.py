"""Europe PMC search, and its `core` results read into findings.

Europe PMC publishes no request rate; 5 per second is a polite default.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tasks.sourcing.academic_fields import (
    as_dict,
    as_list,
    clean_text,
    doi_from,
    html_text,
    pmcid_from,
    pmid_from,
    year_from,
)
from tasks.sourcing.academic_http import SearchClient, json_object, list_at, page_findings
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service


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
            data = json_object(response, "search")
            results = list_at(data, response, "search", "resultList", "result")
            page = page_findings(results, europepmc_finding, limit - got)
            got += len(page)
            yield page
            following = data.get("nextCursorMark")
            if not page or not isinstance(following, str) or following == cursor:
                break
            cursor = following


def europepmc_finding(record: dict[str, Any]) -> Finding:
    """A finding from one Europe PMC `core` search result."""
    authors = []
    for author in map(as_dict, as_list(as_dict(record.get("authorList")).get("author"))):
        first, last = clean_text(author.get("firstName")), clean_text(author.get("lastName"))
        name = f"{first} {last}" if first and last else None
        if name := name or clean_text(author.get("fullName")) or clean_text(author.get("collectiveName")):
            authors.append(name)
    headings = as_list(as_dict(record.get("meshHeadingList")).get("meshHeading"))
    mesh = (clean_text(as_dict(heading).get("descriptorName")) for heading in headings)
    source, ident = clean_text(record.get("source")) or "MED", clean_text(record.get("id")) or ""
    return Finding(
        title=html_text(record.get("title")) or "",
        abstract=html_text(record.get("abstractText")),
        authors=tuple(authors),
        journal=clean_text(as_dict(as_dict(record.get("journalInfo")).get("journal")).get("title")),
        year=year_from(record.get("pubYear")),
        doi=doi_from(record.get("doi")),
        pmid=pmid_from(record.get("pmid")),
        pmcid=pmcid_from(record.get("pmcid")),
        mesh_terms=tuple(dict.fromkeys(term for term in mesh if term)),
        licence=clean_text(record.get("license")),
        service=Service.EUROPE_PMC,
        url=f"https://europepmc.org/article/{source}/{ident}",
    )
