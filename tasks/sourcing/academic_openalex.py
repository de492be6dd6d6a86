"""OpenAlex works search, and its Work objects read into findings.

Requests run at 10 per second, OpenAlex's published ceiling; `contact_email` is sent as `mailto`
so the run joins the polite pool.
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
)
from tasks.sourcing.academic_http import SearchClient, json_object, list_at, page_findings
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service


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
            data = json_object(response, "works")
            results = list_at(data, response, "works", "results")
            page = page_findings(results, openalex_finding, limit - got)
            got += len(page)
            yield page
            count = as_dict(data.get("meta")).get("count")
            if not page or (isinstance(count, int) and number * per_page >= count):
                break
            number += 1


def abstract_from_inverted_index(index: Any) -> str | None:
    """OpenAlex's `abstract_inverted_index` (word -> positions) read back into running text."""
    if not isinstance(index, dict):
        return None
    placed = {
        position: word
        for word, positions in index.items()
        for position in as_list(positions)
        if isinstance(position, int) and position >= 0
    }
    return clean_text(" ".join(placed[position] for position in sorted(placed)))


def openalex_finding(work: dict[str, Any]) -> Finding:
    """A finding from one OpenAlex Work object."""
    ids = as_dict(work.get("ids"))
    primary = as_dict(work.get("primary_location"))
    authorships = map(as_dict, as_list(work.get("authorships")))
    authors = (
        clean_text(as_dict(authorship.get("author")).get("display_name")) for authorship in authorships
    )
    mesh = (clean_text(as_dict(m).get("descriptor_name")) for m in as_list(work.get("mesh")))
    licence = clean_text(as_dict(work.get("best_oa_location")).get("license")) or clean_text(
        primary.get("license")
    )
    year = work.get("publication_year")
    return Finding(
        title=html_text(work.get("title")) or html_text(work.get("display_name")) or "",
        abstract=abstract_from_inverted_index(work.get("abstract_inverted_index")),
        authors=tuple(name for name in authors if name),
        journal=clean_text(as_dict(primary.get("source")).get("display_name")),
        year=year if isinstance(year, int) else None,
        doi=doi_from(work.get("doi")) or doi_from(ids.get("doi")),
        pmid=pmid_from(ids.get("pmid")),
        pmcid=pmcid_from(ids.get("pmcid")),
        mesh_terms=tuple(dict.fromkeys(term for term in mesh if term)),
        licence=licence,
        service=Service.OPENALEX,
        url=clean_text(work.get("id")) or "",
    )
