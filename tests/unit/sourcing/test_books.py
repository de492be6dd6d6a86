import re
import shutil
from pathlib import Path

from lxml import etree
from pypdf import PdfWriter

from tasks.settings import PassageSettings
from tasks.sourcing.books import _chapter_text
from tasks.sourcing.documents import GUTENBERG_LICENCE, discover_documents, read_passages
from tasks.sourcing.passages import strip_footnote_marks
from tests.shared_data import shared_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "books"
ALICE = "alices-adventures-in-wonderland_carroll.epub"
VARIETIES = "varieties-of-religious-experience_excerpt_pg621.pdf"
SETTINGS = PassageSettings()


def read(root: Path, name: str, settings: PassageSettings = SETTINGS):
    document = next(d for d in discover_documents(root) if d.path == name)
    return read_passages(root, document, settings)


def test_alice_starts_at_chapter_one_and_names_every_chapter():
    passages, rejects = read(FIXTURES, ALICE)
    assert rejects == [] and len(passages) > 30
    assert passages[0].locator == "ch. 1 'Down The Rabbit-Hole', ¶1-3"
    assert passages[0].text.startswith("Alice was beginning to get very tired of sitting by her sister")
    assert passages[-1].text.endswith("what a wonderful dream it had been.")
    assert all(re.fullmatch(r"ch\. \d+ '[^']+(?:'[^']+)*', ¶\d+(-\d+)?", p.locator) for p in passages)
    chapters = list(dict.fromkeys(p.locator.split(",")[0] for p in passages))
    assert len(chapters) == 10 and chapters[9] == "ch. 10 'Alice's Evidence'"
    assert passages[0].title == "Alice's Adventures in Wonderland"
    assert {p.licence for p in passages} == {"Public domain in the USA."}


def test_alice_loses_title_page_contents_and_figure_captions():
    passages, _ = read(FIXTURES, ALICE)
    text = "\n".join(p.text for p in passages)
    for front_matter in (
        "Copyright, 1916",
        "Sam'l Gabriel",
        "Alice in the Room of the Duchess",
        "Title Page",
    ):
        assert front_matter not in text
    assert "\n\n\n" not in text and "  " not in text


def test_alice_is_read_to_the_same_bytes_twice():
    first, _ = read(FIXTURES, ALICE)
    second, _ = read(FIXTURES, ALICE)
    assert [p.model_dump_json() for p in first] == [p.model_dump_json() for p in second]
    assert len({p.id for p in first}) == len(first)


def test_pdf_excerpt_keeps_only_the_body_located_by_outline_and_page():
    passages, rejects = read(FIXTURES, VARIETIES)
    assert rejects == []
    assert [p.locator for p in passages[:3]] == [
        "Preface, p. 7",
        "Preface, p. 8",
        "Lecture I. Religion And Neurology, p. 9",
    ]
    assert passages[0].text.startswith("This book would never have been written had I not been honored")
    assert {p.licence for p in passages} == {GUTENBERG_LICENCE}
    assert passages[0].title == "The Varieties of Religious Experience"
    text = "\n".join(p.text for p in passages)
    for furniture in ("Gutenberg", "Contents", "Gifford Lectures on Natural Religion", "[0", "[v"):
        assert furniture not in text
    assert "The Varieties of Religious Experience" not in text  # the running head of even pages


def test_pdf_drops_footnotes_and_their_marks_and_joins_hyphenated_words():
    passages, _ = read(FIXTURES, VARIETIES)
    text = "\n".join(p.text for p in passages)
    assert "As with many ideas that float in the air" not in text  # footnote 1's body
    assert "object of affection. And the like.\nWe are surely all familiar" in text  # no mark "1"
    assert "take my place behind this desk" in text  # "be-" / "hind" across a line break
    assert "HARVARD UNIVERSITY, March, 1902." in text  # small capitals are text, not marks
    last = passages[-1]
    assert last.locator == "Lecture I. Religion And Neurology, p. 18"
    assert last.text.endswith("But when other people criticise")


def test_footnote_marks_glued_to_words_are_removed_but_numbers_in_text_stay():
    assert strip_footnote_marks("And the like.1 We are") == "And the like. We are"
    assert strip_footnote_marks("a soul² in pain [12] here") == "a soul in pain here"
    assert strip_footnote_marks("on the 14th of August, 1902, page 38.") == (
        "on the 14th of August, 1902, page 38."
    )


def test_epub_note_references_and_gutenberg_header_are_not_text():
    xhtml = b"""<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
    <body><section id="pg-header"><p>The Project Gutenberg eBook of Meditations</p></section>
    <h2>The First Book</h2>
    <p>Of my grand-<span>father</span> Verus I have learned<a epub:type="noteref" href="#n1">1</a> to be
    gentle<sup>2</sup>, and meek.</p>
    <aside epub:type="footnote" id="n1"><p>Annius Verus.</p></aside></body></html>"""
    heading, texts = _chapter_text(etree.fromstring(xhtml))
    assert heading == "The First Book"
    assert texts == ["Of my grand- father Verus I have learned to be gentle, and meek."]


def test_corrupt_books_are_quarantined_with_a_reason(tmp_path):
    epub_bytes = (FIXTURES / ALICE).read_bytes()
    (tmp_path / "truncated.epub").write_bytes(epub_bytes[: len(epub_bytes) // 3])
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.5\n" + bytes(range(256)) * 40)
    blank = PdfWriter()
    blank.add_blank_page(width=300, height=400)
    blank.write(tmp_path / "scanned.pdf")
    reasons = {name: read(tmp_path, name) for name in ("truncated.epub", "garbage.pdf", "scanned.pdf")}
    assert all(passages == [] for passages, _ in reasons.values())
    assert (
        reasons["truncated.epub"][1][0].reasons[0]
        == "not a readable EPUB (BadZipFile: File is not a zip file)"
    )
    assert reasons["garbage.pdf"][1][0].reasons[0].startswith("not a readable PDF")
    assert reasons["scanned.pdf"][1][0].reasons == ("PDF has no text layer (scanned images need OCR first)",)
    assert reasons["scanned.pdf"][1][0].raw == "scanned.pdf"


def test_discovery_picks_up_books_beside_text(tmp_path):
    shutil.copy(FIXTURES / ALICE, tmp_path / ALICE)
    shutil.copy(FIXTURES / VARIETIES, tmp_path / "b.PDF")
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    assert [d.path for d in discover_documents(tmp_path)] == [ALICE, "b.PDF"]
    assert read(tmp_path, "b.PDF")[0]


def shared_book(name: str) -> Path:
    return shared_file(f"books/{name}")


def test_whole_gutenberg_pdf_reads_every_lecture_without_boilerplate():
    path = shared_book("varieties-of-religious-experience_william-james_pg621.pdf")
    passages, rejects = read(path.parent, path.name)
    assert rejects == [] and len(passages) > 400
    sections = list(dict.fromkeys(p.locator.rsplit(", p. ", 1)[0] for p in passages))
    assert sections[0] == "Preface" and sections[-1] == "Postscript" and "Lecture XX. Conclusions" in sections
    text = "\n".join(p.text for p in passages)
    assert "Gutenberg" not in text and "Index" not in sections
    assert sum(map(len, (p.text for p in passages))) > 800_000
