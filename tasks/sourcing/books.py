"""EPUB and PDF books into chapter- and page-located passages.

Only the body of a book is training text: Project Gutenberg headers and licences, title pages,
contents, indexes, running heads and footnotes are dropped, and words a typesetter hyphenated
across lines are joined, so a passage reads like the page a person would quote.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebooklib import ITEM_DOCUMENT, epub
from lxml import etree
from pypdf import PdfReader

from tasks.records import Passage
from tasks.settings import PassageSettings
from tasks.sourcing.epub_archive import load_epub
from tasks.sourcing.limit_settings import DEFAULT_LIMITS, SourceLimits
from tasks.sourcing.passages import (
    GUTENBERG_END,
    GUTENBERG_LICENCE,
    GUTENBERG_START,
    GUTENBERG_TAIL,
    Document,
    UnreadableDocument,
    group_units,
    make_passage,
    strip_footnote_marks,
)

# Parts of a book that are not its text, by EPUB 3 epub:type, EPUB 2 guide type or heading.
_NOT_BODY_TYPES = {
    "cover",
    "titlepage",
    "halftitlepage",
    "title-page",
    "toc",
    "landmarks",
    "loi",
    "lot",
    "copyright-page",
    "colophon",
    "imprint",
    "index",
    "dedication",
    "footnotes",
    "endnotes",
    "rearnotes",
}
_NOT_BODY_TITLE = re.compile(
    r"^\s*(contents|table of contents|index|footnotes|endnotes|notes|credits|title page|colophon"
    r"|copyright|list of illustrations|illustrations)\b",
    re.I,
)
_NOTE_TYPES = {"noteref", "footnote", "endnote", "rearnote", "note", "pagebreak"}
_OPS = "{http://www.idpf.org/2007/ops}type"
_BLOCKS = {"p", "li", "blockquote", "pre", "dd", "dt", "div", "section", "td", "h1", "h2", "h3", "h4"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED = {"figure", "figcaption", "aside", "nav", "script", "style", "table", "img", "svg", "head"}
_FOOTNOTE_SUP = re.compile(r"^\s*[\[(]?(\d{1,3}|[*†‡§]+)[\])]?\s*$")
_DOT_LEADER = re.compile(r"(\.\s?){4,}\s*[\divxlcdm]+\s*$", re.I)
_NUMERAL = r"(\d+|(?=[ivxlcdm])m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3}))"
# Footnotes are set at about 0.8 of the body size (LaTeX \footnotesize, Word's 10 on 12), quotations
# at about 0.9 (\small): runs under this ratio are footnotes, their marks or margin page numbers.
_FOOTNOTE_RATIO = 0.87
_SMALL_CAPS = re.compile(r"[A-Z][A-Z\s.,;:'’&-]*")
_PAGE_NUMBER = re.compile(rf"^\s*{_NUMERAL}(\s+|$)|\s+{_NUMERAL}\s*$", re.I)


@dataclass(frozen=True)
class BookParagraph:
    """A paragraph and where it starts and ends (paragraph numbers in a chapter, or page labels)."""

    start: str
    end: str
    text: str


def drop_gutenberg(items: Sequence[tuple[str | None, BookParagraph]]) -> tuple[list[Any], bool]:
    """Keep what lies between the Gutenberg START and END markers; say whether markers were found."""
    texts = [paragraph.text for _, paragraph in items]
    start = next((i for i, text in enumerate(texts) if GUTENBERG_START.search(text)), None)
    if start is None:
        return list(items), False
    end = next(
        (
            i
            for i in range(start + 1, len(texts))
            if GUTENBERG_END.search(texts[i]) or GUTENBERG_TAIL.search(texts[i])
        ),
        len(texts),
    )
    return list(items[start + 1 : end]), True


def book_passages(
    document: Document,
    items: Sequence[tuple[str | None, BookParagraph]],
    unit: str,
    title: str | None,
    licence: str | None,
    settings: PassageSettings,
) -> list[Passage]:
    """Group located paragraphs into passages; `unit` is the locator's prefix ("¶" or "p. ")."""
    body, gutenberg = drop_gutenberg(items)
    if gutenberg and licence is None:
        licence = GUTENBERG_LICENCE
    passages = []
    for section, group in group_units(body, settings):
        first, last = group[0].start, group[-1].end
        locator = f"{unit}{first}" if first == last else f"{unit}{first}-{last}"
        locator = f"{section}, {locator}" if section else locator
        text = "\n\n".join(paragraph.text for paragraph in group)
        passages.append(make_passage(document, locator, text, title, licence))
    return passages


# ---------------------------------------------------------------------------------------- EPUB


def read_epub(
    path: Path, document: Document, settings: PassageSettings, limits: SourceLimits = DEFAULT_LIMITS
) -> list[Passage]:
    """Passages of an EPUB, one chapter per spine document, located as "ch. 3 'Title', ¶4-7"; a book
    over one of `limits`' caps (a zip bomb) is refused before it is unpacked."""
    try:
        book = load_epub(path, limits)
    except UnreadableDocument:
        raise
    except Exception as error:  # ebooklib raises anything from BadZipFile to KeyError on bad input
        raise UnreadableDocument(f"not a readable EPUB ({type(error).__name__}: {error})") from error
    items = list(_epub_paragraphs(book))
    title = _first_metadata(book, "title")
    return book_passages(document, items, "¶", title, _first_metadata(book, "rights"), settings)


def _first_metadata(book: epub.EpubBook, name: str) -> str | None:
    values = [value for value, _ in book.get_metadata("DC", name) if isinstance(value, str) and value.strip()]
    return " ".join(values[0].split()) if values else None


def _epub_paragraphs(book: epub.EpubBook) -> Iterator[tuple[str | None, BookParagraph]]:
    """(chapter locator, paragraph) for every body document in reading order."""
    labels = dict(_toc_labels(book.toc))
    skipped_hrefs = {
        str(ref.get("href", "")).split("#")[0]
        for ref in book.guide
        if str(ref.get("type", "")).lower() in _NOT_BODY_TYPES
    }
    chapter = 0
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref) if idref else None
        if item is None or item.get_type() != ITEM_DOCUMENT or linear == "no":
            continue
        if item.get_name() in skipped_hrefs or isinstance(item, epub.EpubNav):
            continue
        root = _parse_xhtml(item.get_content())
        if root is None or _is_not_body(root):
            continue
        heading, texts = _chapter_text(root)
        label = labels.get(item.get_name()) or heading
        if not texts or (label and _NOT_BODY_TITLE.match(label)):
            continue
        chapter += 1
        section = f"ch. {chapter} '{label}'" if label else f"ch. {chapter}"
        for number, text in enumerate(texts, start=1):
            yield section, BookParagraph(str(number), str(number), text)


def _toc_labels(toc: Iterable[Any]) -> Iterator[tuple[str, str]]:
    """(file name, title) for every entry of the (possibly nested) table of contents, first wins."""
    for entry in toc:
        if isinstance(entry, tuple | list):
            yield from _toc_labels(entry)
        elif getattr(entry, "href", None) and getattr(entry, "title", None):
            yield str(entry.href).split("#")[0], " ".join(str(entry.title).split())


def _parse_xhtml(content: bytes) -> Any:
    # Entities are not resolved and nothing is fetched: book files are untrusted input.
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        return None


def _local(element: Any) -> str:
    return etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""


def _types(element: Any) -> set[str]:
    return set(str(element.get(_OPS, "")).lower().split())


def _is_not_body(root: Any) -> bool:
    """A title page, contents, colophon …: marked by epub:type on the body or its first section."""
    for element in root.iter():
        name = _local(element)
        if name in {"body", "section"} and _types(element) & _NOT_BODY_TYPES:
            return True
        if name == "p":
            return False
    return False


def _chapter_text(root: Any) -> tuple[str | None, list[str]]:
    """The chapter's first heading and its paragraphs, with notes, figures and boilerplate removed."""
    for element in list(root.iter()):
        if _is_dropped(element):
            _remove(element)
    heading: str | None = None
    texts: list[str] = []
    for element in root.iter():
        name = _local(element)
        if name not in _BLOCKS and name not in _HEADINGS:
            continue
        if name not in _HEADINGS and any(_local(child) in _BLOCKS for child in element.iterdescendants()):
            continue
        text = _clean(" ".join(element.itertext()))
        if not text:
            continue
        if name in _HEADINGS:
            heading = heading or text
        else:
            texts.append(text)
    return heading, texts


def _is_dropped(element: Any) -> bool:
    name = _local(element)
    if not name or name in _SKIPPED:
        return True
    marks = f"{element.get('id', '')} {element.get('class', '')}".lower()
    if "pg-header" in marks or "pg-footer" in marks or "pgheader" in marks or "footnote" in marks:
        return True
    if _types(element) & _NOTE_TYPES:
        return True
    return name == "sup" and bool(_FOOTNOTE_SUP.match("".join(element.itertext())))


def _remove(element: Any) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _clean(text: str) -> str:
    text = " ".join(text.replace("\u00ad", "").split())
    return " ".join(strip_footnote_marks(text).split())


# ----------------------------------------------------------------------------------------- PDF


@dataclass
class _Line:
    page: int
    x: float
    y: float
    size: float
    text: str


def read_pdf(path: Path, document: Document, settings: PassageSettings) -> list[Passage]:
    """Passages of a PDF's text layer, located as "Lecture I, p. 12-13" (outline entry, page labels)."""
    try:
        reader = PdfReader(path, strict=False)
        pages = [_page_runs(page) for page in reader.pages]
        labels = list(reader.page_labels)
        sections = _outline_starts(reader)
        meta: Any = reader.metadata or {}
        licence = _pdf_rights(reader, meta)
    except Exception as error:  # pypdf raises a dozen types (PdfReadError, struct, zlib …) on damage
        raise UnreadableDocument(f"not a readable PDF ({type(error).__name__}: {error})") from error
    if not any(pages):
        raise UnreadableDocument("PDF has no text layer (scanned images need OCR first)")
    lines = pdf_lines(pages)
    items = pdf_paragraphs(lines, labels, sections)
    title = meta.get("/Title")
    title = " ".join(str(title).split()) if title else None
    return book_passages(document, items, "p. ", title, licence, settings)


def _page_runs(page: Any) -> list[tuple[float, float, float, str]]:
    """(x, y, font size, text) of every text run on a page, in content order."""
    runs: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _font: Any, size: float) -> None:
        if not text:
            return
        # Position and size in page space: the text matrix composed with the graphics matrix.
        a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                      tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])  # fmt: skip
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (c * c + d * d) ** 0.5 or (a * a + b * b) ** 0.5 or 1.0
        runs.append((round(x, 1), round(y, 1), round(size * scale, 1), text))

    page.extract_text(visitor_text=visit)
    return runs


def _outline_starts(reader: PdfReader) -> list[tuple[int, float, str]]:
    """(page index, top, title) of each top-level outline entry, in reading order."""
    starts = []
    for entry in reader.outline:
        if isinstance(entry, list):
            continue
        try:
            page = reader.get_destination_page_number(entry)
        except Exception:  # an outline entry pointing nowhere names no section; the text stays
            continue
        if page is None:
            continue
        top = entry.get("/Top")
        title = " ".join(str(entry.title).split()).rstrip(".")
        starts.append((page, float(top) if isinstance(top, int | float) else float("inf"), title))
    return sorted(starts, key=lambda start: (start[0], -start[1]))


def _pdf_rights(reader: PdfReader, meta: Any) -> str | None:
    for key in ("/Rights", "/License", "/Copyright"):
        if meta.get(key):
            return " ".join(str(meta[key]).split())
    xmp = reader.xmp_metadata
    rights = xmp.dc_rights if xmp is not None else None
    if rights:
        value = next(iter(rights.values()), None) if isinstance(rights, dict) else str(rights)
        return " ".join(str(value).split()) if value else None
    return None


def pdf_lines(pages: Sequence[Sequence[tuple[float, float, float, str]]]) -> list[_Line]:
    """Body-size text lines of every page; smaller type (footnotes, their marks, margin page
    numbers) is dropped, and so are running heads and bare page numbers."""
    sizes: Counter[float] = Counter()
    for runs in pages:
        for _, _, size, text in runs:
            sizes[size] += len(text.strip())
    if not sizes:
        return []
    body = max(sizes.items(), key=lambda item: (item[1], -item[0]))[0]
    lines: list[_Line] = []
    for index, runs in enumerate(pages):
        page_lines = _page_lines(index, runs, body)
        lines.extend(page_lines)
    return _drop_running_lines(lines, body)


def _page_lines(index: int, runs: Sequence[tuple[float, float, float, str]], body: float) -> list[_Line]:
    """Runs of body size or larger joined into lines: a newline or a change of baseline ends one."""
    lines: list[_Line] = []
    current: _Line | None = None
    for x, y, size, text in runs:
        if size < body * _FOOTNOTE_RATIO and not _is_small_caps(current, y, text, body):
            continue
        for n, piece in enumerate(text.split("\n")):
            if n > 0:
                current = None
            same_line = current is not None and abs(y - current.y) <= body * 0.5
            if current is not None and same_line:
                current.text += piece
                current.size = max(current.size, size)
            elif piece.strip():
                current = _Line(index, x, y, size, piece)
                lines.append(current)
    for line in lines:
        line.text = " ".join(line.text.split())
    return [line for line in lines if line.text]


def _is_small_caps(line: _Line | None, y: float, text: str, body: float) -> bool:
    """Small capitals ("H" + "ARVARD") sit on the line's baseline; footnote marks are raised."""
    on_baseline = line is not None and abs(y - line.y) < body * 0.1
    return on_baseline and bool(_SMALL_CAPS.fullmatch(text))


def _drop_running_lines(lines: list[_Line], body: float) -> list[_Line]:
    """Running heads ("14 The Varieties of …", "Lecture I. … 11") and page numbers are furniture."""
    firsts: dict[int, _Line] = {}
    lasts: dict[int, _Line] = {}
    for line in lines:
        firsts.setdefault(line.page, line)
        lasts[line.page] = line
    repeated = Counter(_PAGE_NUMBER.sub("", line.text).strip().lower() for line in firsts.values())
    furniture = set()
    for line in [*firsts.values(), *lasts.values()]:
        bare = _PAGE_NUMBER.sub("", line.text).strip().lower()
        numbered = bare != line.text.strip().lower()
        if not bare or (numbered and repeated[bare] >= 3 and line.size < body * 1.1):
            furniture.add(id(line))
    return [line for line in lines if id(line) not in furniture]


def pdf_paragraphs(
    lines: Sequence[_Line], labels: Sequence[str], sections: Sequence[tuple[int, float, str]]
) -> list[tuple[str | None, BookParagraph]]:
    """Join lines into paragraphs located by page label and named by the outline entry they follow.

    A paragraph starts at a first-line indent, after a larger vertical gap than the page's line
    spacing, or at a heading (larger type). Text before the first outline entry (title page,
    contents, dedication) and sections such as the index or footnotes are not body text.
    """
    body = statistics.median(line.size for line in lines) if lines else 0.0
    spacing = _line_spacing(lines)
    items: list[tuple[str | None, BookParagraph]] = []
    current: list[_Line] = []
    current_section: str | None = None
    heading: str | None = None
    after_heading = False

    def flush() -> None:
        if current and not _is_front_or_back(current_section, sections, current):
            text = _join_lines(current)
            if text:
                first, last = labels[current[0].page], labels[current[-1].page]
                items.append(
                    (current_section or (None if sections else heading), BookParagraph(first, last, text))
                )
        current.clear()

    for index, line in enumerate(lines):
        section = _section_of(line, sections)
        if line.size > body * 1.15:
            flush()
            heading = f"{heading} {line.text}" if after_heading and heading else line.text
            after_heading = True
            continue
        after_heading = False
        if _DOT_LEADER.search(line.text):
            continue
        previous = lines[index - 1] if index else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        marker = GUTENBERG_START.search(line.text) or GUTENBERG_END.search(line.text)
        if (
            marker
            or section != current_section
            or _starts_paragraph(line, previous, following, body, spacing)
        ):
            flush()
            current_section = section
        current.append(line)
    flush()
    return items


def _line_spacing(lines: Sequence[_Line]) -> float:
    gaps = [
        round(a.y - b.y, 1)
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and 0 < a.y - b.y < a.size * 3
    ]
    return statistics.median(gaps) if gaps else 0.0


def _starts_paragraph(
    line: _Line, previous: _Line | None, following: _Line | None, body: float, spacing: float
) -> bool:
    if previous is None:
        return True
    indent = body * 0.5
    if previous.page == line.page and spacing and previous.y - line.y > spacing * 1.4:
        return True
    if following is not None and following.page == line.page:
        return line.x > following.x + indent
    return previous.page == line.page and line.x > previous.x + indent


def _section_of(line: _Line, sections: Sequence[tuple[int, float, str]]) -> str | None:
    found = None
    for page, top, title in sections:
        if (page, -top) <= (line.page, -line.y - 1.0):
            found = title
        else:
            break
    return found


def _is_front_or_back(
    section: str | None, sections: Sequence[tuple[int, float, str]], lines: Sequence[_Line]
) -> bool:
    if GUTENBERG_START.search(lines[0].text) or GUTENBERG_END.search(lines[0].text):
        return False  # the markers must reach drop_gutenberg, which cuts the book between them
    if sections and section is None:
        return True
    return bool(section and _NOT_BODY_TITLE.match(section))


def _join_lines(lines: Sequence[_Line]) -> str:
    """Lines into one paragraph: a hyphen at a line end before a lower-case word is a typesetter's."""
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line.text[:1].islower():
            text = text[:-1] + line.text
        else:
            text = f"{text} {line.text}" if text else line.text
    return " ".join(strip_footnote_marks(text.replace("\u00ad", "")).split())
