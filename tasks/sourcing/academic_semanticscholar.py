"""Semantic Scholar paper search, and its paper objects read into findings.

Requests run at 1 per second, the dedicated rate of an API key; the keyless pool is shared by every
user, so asking faster would only earn 429s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tasks.sourcing.academic_fields import as_dict, as_list, clean_text, doi_from, pmcid_from, pmid_from
from tasks.sourcing.academic_http import SearchClient, json_object, list_at, page_findings
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service


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
            data = json_object(response, "search")
            if data.get("total") == 0:  # no hits: the answer may then carry no `data` at all
                break
            papers = list_at(data, response, "search", "data")
            page = page_findings(papers, semantic_scholar_finding, limit - got)
            got += len(page)
            yield page
            following = data.get("next")
            if not page or not isinstance(following, int):
                break
            offset = following


def semantic_scholar_finding(paper: dict[str, Any]) -> Finding:
    """A finding from one Semantic Scholar paper object (only the fields that were asked for)."""
    external = as_dict(paper.get("externalIds"))
    authors = (clean_text(as_dict(author).get("name")) for author in as_list(paper.get("authors")))
    year = paper.get("year")
    paper_id = clean_text(paper.get("paperId")) or ""
    return Finding(
        title=clean_text(paper.get("title")) or "",
        abstract=clean_text(paper.get("abstract")),
        authors=tuple(name for name in authors if name),
        journal=clean_text(as_dict(paper.get("journal")).get("name")) or clean_text(paper.get("venue")),
        year=year if isinstance(year, int) else None,
        doi=doi_from(external.get("DOI")),
        pmid=pmid_from(external.get("PubMed")),
        pmcid=pmcid_from(external.get("PubMedCentral")),
        licence=clean_text(as_dict(paper.get("openAccessPdf")).get("license")),
        service=Service.SEMANTIC_SCHOLAR,
        url=clean_text(paper.get("url")) or f"https://www.semanticscholar.org/paper/{paper_id}",
    )
