"""PubMed search through NCBI E-utilities, and the efetch XML it answers read into findings.

Requests run at 3 per second without an NCBI API key and 10 with one (NCBI's published E-utilities
policy). The parsers are pure and public because a saved efetch answer is also a source document
(`academic.read_pubmed_xml`) and a test fixture.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

from tasks.sourcing.academic_fields import clean_text, doi_from, pmcid_from, pmid_from, year_from
from tasks.sourcing.academic_http import SearchClient, ServiceError, xml_root
from tasks.sourcing.academic_models import AcademicSettings, Finding, Service


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
            page, count = parse_esearch(xml_root(response, "esearch"))
            ids.extend(page)
            if not page or len(ids) >= count:
                break
        ids = list(dict.fromkeys(ids))[:limit]
        for start in range(0, len(ids), self.EFETCH_BATCH):
            form = self._form(id=",".join(ids[start : start + self.EFETCH_BATCH]))
            response = await self.requester.fetch("POST", self.BASE + "efetch.fcgi", "efetch", data=form)
            yield parse_pubmed_articles(xml_root(response, "efetch"))


def _node_text(node: ET.Element | None) -> str | None:
    """An element's text with every child's (italics, sub/superscripts, MathML) run together."""
    return None if node is None else clean_text("".join(node.itertext()))


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
            label = clean_text(node.get("Label"))
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
        pmid=pmid_from(pmid),
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
    year = year_from(article.findtext("Journal/JournalIssue/PubDate/Year")) or year_from(
        article.findtext("Journal/JournalIssue/PubDate/MedlineDate")
    )
    mesh = (_node_text(d) for d in citation.findall("MeshHeadingList/MeshHeading/DescriptorName"))
    return _pubmed_finding(
        pmid,
        _node_text(article.find("ArticleTitle")),
        _abstract(article),
        authors=_pubmed_authors(article.find("AuthorList")),
        journal=_node_text(article.find("Journal/Title")),
        year=year or year_from(article.findtext("ArticleDate/Year")),
        doi=doi_from(ids.get("doi") or elocation),
        pmcid=pmcid_from(ids.get("pmc")),
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
        year=year_from(document.findtext("Book/PubDate/Year")),
        doi=doi_from(ids.get("doi")),
    )
