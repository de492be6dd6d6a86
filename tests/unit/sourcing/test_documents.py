import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tasks.settings import BUNDLED_SOURCES, PassageSettings
from tasks.sourcing.documents import (
    GUTENBERG_LICENCE,
    Document,
    chunk_passages,
    discover_documents,
    read_passages,
)
from tasks.sourcing.passages import group_units

SETTINGS = PassageSettings()


def document(path: Path, root: Path) -> Document:
    return next(d for d in discover_documents(root) if d.path == path.relative_to(root).as_posix())


def test_bundled_gutenberg_books_lose_their_boilerplate():
    meditations = next(d for d in discover_documents(BUNDLED_SOURCES) if d.path.startswith("meditations"))
    passages, rejects = read_passages(BUNDLED_SOURCES, meditations, SETTINGS)
    assert rejects == [] and len(passages) > 100
    text = "\n".join(p.text for p in passages)
    assert "Project Gutenberg" not in text and "Produced by" not in text
    assert passages[0].title == "Meditations" and passages[0].licence == GUTENBERG_LICENCE
    assert all(p.locator.startswith("¶") for p in passages)
    assert "\r" not in text


def test_passages_end_on_paragraph_boundaries_near_the_target(tmp_path):
    paragraphs = [f"Paragraph {i} " + "word " * 60 for i in range(30)]
    (tmp_path / "essay.txt").write_text("\n\n".join(paragraphs))
    passages = chunk_passages(
        document(tmp_path / "essay.txt", tmp_path), (tmp_path / "essay.txt").read_text(), SETTINGS
    )
    joined = "\n\n".join(p.text for p in passages)
    assert joined.split("\n\n") == [p.strip() for p in paragraphs]
    assert all(len(p.text) < SETTINGS.target_chars * 2 for p in passages)


def test_markdown_headings_become_locators_and_wrapped_lines_join(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# Sleep\n\nGood sleep hy-\ngiene helps\nmost people.\n\n## Worry\n\nWrite worries down.\n"
    )
    passages, _ = read_passages(tmp_path, document(path, tmp_path), SETTINGS)
    assert [(p.locator, p.text) for p in passages] == [
        ("Sleep, ¶1", "Good sleep hygiene helps most people."),
        ("Worry, ¶2", "Write worries down."),
    ]


def test_binary_and_empty_files_are_quarantined_with_a_reason(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    (tmp_path / "empty.md").write_text("\n\n   \n")
    docs = {d.path: d for d in discover_documents(tmp_path)}
    _, binary = read_passages(tmp_path, docs["binary.txt"], SETTINGS)
    _, empty = read_passages(tmp_path, docs["empty.md"], SETTINGS)
    assert "not UTF-8 text" in binary[0].reasons[0]
    assert empty[0].reasons == ("no text left after stripping headers and blank lines",)


def test_missing_sources_folder_says_which_option_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="--sources"):
        discover_documents(tmp_path / "nope")


def test_every_suffix_is_discovered_and_read_by_its_own_reader(tmp_path):
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "film.srt").write_bytes(
        (fixtures / "transcripts" / "sintel_en_blender-foundation.srt").read_bytes()
    )
    (tmp_path / "notes.md").write_text("# Rest\n\nSleep on it.\n")
    (tmp_path / "cover.png").write_bytes(b"\x89PNG")
    docs = {d.path: d for d in discover_documents(tmp_path)}
    assert list(docs) == ["notes.md", "talks/film.srt"]
    srt, _ = read_passages(tmp_path, docs["talks/film.srt"], SETTINGS)
    md, _ = read_passages(tmp_path, docs["notes.md"], SETTINGS)
    assert srt[0].locator == "00:02:17.250-00:10:59.800" and md[0].locator == "Rest, ¶1"


def test_shared_grouping_never_crosses_a_section_and_folds_a_short_tail():
    @dataclass(frozen=True)
    class Unit:
        text: str

    units = [("a", Unit("x" * 700)), ("a", Unit("y" * 700)), ("a", Unit("z" * 50)), ("b", Unit("w" * 10))]
    groups = group_units(units, PassageSettings(target_chars=1_000, min_chars=100))
    assert [(section, [len(u.text) for u in group]) for section, group in groups] == [
        ("a", [700, 700]),
        ("a", [50]),
        ("b", [10]),
    ]
    tail = group_units(units[:3], PassageSettings(target_chars=1_000, min_chars=100))
    assert [[len(u.text) for u in group] for _, group in tail] == [[700, 700, 50]]


def test_a_recorded_pubmed_answer_is_read_as_finding_passages_and_a_broken_one_is_refused(tmp_path):
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "academic" / "pubmed"
    shutil.copy(fixture / "efetch_19008416-18239125.xml", tmp_path / "answer.xml")
    (tmp_path / "broken.xml").write_bytes(b"<PubmedArticleSet><PubmedArticle>")
    documents = {d.path: d for d in discover_documents(tmp_path)}
    passages, refused = read_passages(tmp_path, documents["answer.xml"], PassageSettings())
    assert len(passages) == 5 and not refused
    assert all(p.locator.startswith("pmid:") and p.document.startswith("https://") for p in passages)
    passages, refused = read_passages(tmp_path, documents["broken.xml"], PassageSettings())
    assert not passages and "not a PubMed efetch XML answer" in refused[0].reasons[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path, encoding):
    text = "# Rest\n\nSleep comes easier after a café-free evening.\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "notes.txt").write_bytes(data)
    passages, refused = read_passages(tmp_path, document(tmp_path / "notes.txt", tmp_path), SETTINGS)
    assert refused == [] and [p.text for p in passages] == ["Sleep comes easier after a café-free evening."]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"MZP\x00\x03\x00\x00\x00\x04\x00" * 50, "binary content (NUL bytes); UTF-16 or UTF-32"),
        ("Sleep well.".encode("utf-16-le"), "binary content (NUL bytes); UTF-16 or UTF-32"),
        (bytes(range(1, 32)) * 20 + b"some words", "binary content (520 control characters in 630)"),
    ],
)
def test_binary_text_files_are_quarantined_not_read_as_passages(tmp_path, content, reason):
    (tmp_path / "data.txt").write_bytes(content)
    passages, refused = read_passages(tmp_path, document(tmp_path / "data.txt", tmp_path), SETTINGS)
    assert passages == [] and refused[0].reasons[0].startswith(reason)
