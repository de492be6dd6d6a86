"""Caps on what one source file may make the pipeline hold: EPUB archives and text lines."""

import random
import zipfile
from pathlib import Path

import pytest

from tasks.records import QuarantineItem
from tasks.settings import PassageSettings
from tasks.shards import read_models
from tasks.sourcing.documents import LINE_KIND, discover_documents, passages_shard, read_passages
from tasks.sourcing.limit_settings import MIB, SourceLimits

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
PARAGRAPH = "<p>Sleep comes easier after a quiet evening, and a short walk helps many people settle.</p>"
CHAPTER = f"<html><body><h1>Rest</h1>{PARAGRAPH * 3}</body></html>"
EMAIL = "jane.doe@example.com"


def opf(items: int) -> str:
    """A package whose manifest names chapter.xhtml `items` times (one spine entry each)."""
    manifest = "".join(
        f'<item id="c{n}" href="chapter.xhtml" media-type="application/xhtml+xml"/>' for n in range(items)
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(items))
    return (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"'
        ' unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:identifier id="id">t</dc:identifier><dc:title>Rest</dc:title><dc:language>en</dc:language>'
        f"</metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    )


def write_epub(
    path: Path, chapter: str = CHAPTER, items: int = 1, extra: dict[str, bytes] | None = None
) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", opf(items))
        archive.writestr("OEBPS/chapter.xhtml", chapter)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)


def read_book(root: Path, limits: SourceLimits) -> tuple[list, list[QuarantineItem]]:
    [document] = discover_documents(root)
    return read_passages(root, document, PassageSettings(), limits)


def test_a_book_within_the_caps_is_read(tmp_path):
    write_epub(tmp_path / "rest.epub")
    passages, refused = read_book(tmp_path, SourceLimits())
    assert refused == [] and "quiet evening" in passages[0].text


@pytest.mark.parametrize(
    ("extra", "limits", "reason"),
    [
        (
            {f"OEBPS/img{n}.png": b"." for n in range(20)},
            SourceLimits(max_archive_entries=10),
            "EPUB holds 24 entries, over the cap of 10 entries (raise limits.max_archive_entries to read it)",
        ),
        (
            {"OEBPS/cover.png": b"\0" * (2 * MIB)},
            SourceLimits(max_entry_bytes=MIB),
            "EPUB entry 'OEBPS/cover.png' unpacks to 2097152 bytes, over the cap of 1048576 bytes"
            " (raise limits.max_entry_bytes to read it)",
        ),
        (
            {f"OEBPS/img{n}.png": b"\0" * (MIB // 2) for n in range(3)},
            SourceLimits(max_archive_bytes=MIB),
            "bytes, over the cap of 1048576 bytes (raise limits.max_archive_bytes to read it)",
        ),
    ],
)
def test_the_central_directory_is_checked_before_anything_is_unpacked(tmp_path, extra, limits, reason):
    write_epub(tmp_path / "big.epub", extra=extra)
    passages, [item] = read_book(tmp_path, limits)
    assert passages == [] and reason in item.reasons[0] and item.raw == "big.epub"


def test_a_manifest_naming_one_entry_many_times_stops_at_the_unpacked_cap(tmp_path):
    chapter = f"<html><body>{PARAGRAPH * (400 * 1024 // len(PARAGRAPH))}</body></html>"
    write_epub(tmp_path / "loop.epub", chapter=chapter, items=20)
    passages, [item] = read_book(tmp_path, SourceLimits(max_archive_bytes=MIB))
    assert passages == []
    assert item.reasons == (
        "EPUB unpacks to more than its headers said (or names entries many times), over the cap of"
        " 1048576 bytes (raise limits.max_archive_bytes to read it)",
    )


def understate(data: bytearray, name: bytes, size: int) -> None:
    """Make the local and central directory headers of entry `name` claim it unpacks to `size` bytes."""
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = -1
        while (start := data.find(signature, start + 1)) != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = size.to_bytes(4, "little")


def test_an_entry_whose_header_understates_its_size_is_not_unpacked_past_it(tmp_path):
    chapter = f"<html><body>{PARAGRAPH * (2 * MIB // len(PARAGRAPH))}</body></html>".encode()
    write_epub(tmp_path / "liar.epub", chapter=chapter.decode())
    data = bytearray((tmp_path / "liar.epub").read_bytes())
    understate(data, b"OEBPS/chapter.xhtml", 1000)
    (tmp_path / "liar.epub").write_bytes(bytes(data))
    passages, [item] = read_book(tmp_path, SourceLimits(max_entry_bytes=MIB))
    assert passages == [] and item.reasons[0].startswith("not a readable EPUB (BadZipFile: Bad CRC-32")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_text_line_over_the_cap_is_refused_alone_and_nothing_of_it_kept(tmp_path, encoding):
    long = f"Write to {EMAIL} " + "x" * 5000
    text = f"Sleep comes easier after a quiet evening.\n\n{long}\n\nA short walk helps many people settle.\n"
    (tmp_path / "notes.txt").write_bytes(text.encode(encoding))
    [document] = discover_documents(tmp_path)
    limits = SourceLimits(max_line_bytes=2048)
    outcome = passages_shard.fn(str(tmp_path), document, PassageSettings(), str(tmp_path / "work"), limits)
    [item] = read_models(outcome.quarantine, QuarantineItem)
    size = len(long.encode("utf-16-le" if encoding == "utf-16" else encoding))
    assert (item.kind, item.raw) == (LINE_KIND, "")
    assert item.reasons == (
        f"notes.txt line 3: skipped unread: {size} bytes, over the cap of 2048 bytes"
        " (raise limits.max_line_bytes to read it)",
    )
    assert outcome.counts[LINE_KIND].model_dump() == {
        "entered": 5,
        "kept": 4,
        "quarantined": 1,
        "deduplicated": 0,
    }
    assert outcome.counts["document"].kept == 1 and outcome.kept.records == 1
    written = b"".join(p.read_bytes() for p in (tmp_path / "work").rglob("*") if p.is_file())
    assert EMAIL.encode() not in written and b"xxxxxxxx" not in written


@pytest.mark.parametrize("name", ["notes.txt", "talk.vtt", "answer.xml"])
def test_a_document_read_whole_is_quarantined_unread_over_the_document_cap(tmp_path, name):
    (tmp_path / name).write_bytes(b"x" * (MIB + 1))
    passages, (refused,) = read_book(tmp_path, SourceLimits(max_document_bytes=MIB))
    assert passages == []
    reason = f"the file holds {MIB + 1} bytes, over the cap of {MIB} bytes"
    assert refused.reasons == (f"{reason} (raise limits.max_document_bytes to read it)",)


def test_an_epub_is_bounded_by_the_archive_caps_not_the_document_cap(tmp_path):
    write_epub(tmp_path / "rest.epub", extra={"OEBPS/cover.bin": random.Random(0).randbytes(MIB)})
    assert (tmp_path / "rest.epub").stat().st_size > MIB  # the cover does not compress
    passages, refused = read_book(tmp_path, SourceLimits(max_document_bytes=MIB))
    assert refused == [] and passages
