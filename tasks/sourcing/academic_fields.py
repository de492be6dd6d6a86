"""Lenient readers for the fields of search services' answers: ids normalised, text cleaned.

Services send ids in many spellings (URLs, prefixes, numbers) and leave fields out or null; these
readers turn every spelling into one comparable form and anything else into None, so parsers never
raise on a field's shape and the same paper meets itself across services. They live apart because
the record model, the HTTP helpers and every service's parser read fields the same way.
"""

from __future__ import annotations

import html
import re
from typing import Any

_DOI = re.compile(r"^10\.[^\s/]+/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_PMCID = re.compile(r"(?:^|/)(?:PMC)?(\d+)/?$", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|li|ul|ol)|br\s*/?)[^>]*>", re.I)
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def normalise_doi(value: str) -> str | None:
    """A DOI in its comparable form (lower-case, no resolver prefix), or None when it is not one."""
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return doi if _DOI.match(doi) else None


def pmid_from(value: Any) -> str | None:
    """A PMID from a bare number or a PubMed URL; None when there is none."""
    text = str(value).strip().rstrip("/").rsplit("/", 1)[-1] if value not in (None, "") else ""
    return text if text.isdigit() else None


def pmcid_from(value: Any) -> str | None:
    """A PMCID as `PMC<digits>`, from a bare number, an id or a URL; None when there is none."""
    match = _PMCID.search(str(value).strip()) if value not in (None, "") else None
    return f"PMC{match.group(1)}" if match else None


def doi_from(value: Any) -> str | None:
    """`normalise_doi` for a field that may not be text at all."""
    return normalise_doi(value) if isinstance(value, str) else None


def as_dict(value: Any) -> dict[str, Any]:
    """The object itself, or an empty one, so a missing branch reads as empty."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """The list itself, or an empty one, so a missing branch reads as empty."""
    return value if isinstance(value, list) else []


def clean_text(value: Any) -> str | None:
    """Text with its whitespace collapsed; None for anything empty or not text."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def year_from(value: Any) -> int | None:
    """The first plausible year (1500-2099) in a date field; None when there is none."""
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
