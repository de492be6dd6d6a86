"""The sourcing subflow over a zip-bomb EPUB (1 MB on disk, 1 GiB unpacked) and 50 MB lines in a JSON
Lines and a text file, run in a child process whose peak RSS is measured: the run completes, the good
conversations and paragraphs are read, each hostile input is quarantined with the cap it broke and the
setting that raises it, nothing of the long lines is kept, and the process stays under 1 GB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.integration.conftest import REPO

pytestmark = pytest.mark.integration

GIB, MIB = 1024**3, 1024**2
PEAK_RSS_LIMIT = 1_000_000_000
LONG_LINE_BYTES = 50 * MIB
SECRET = "jane.doe@example.com"
CHAT = {
    "messages": [
        {"role": "user", "content": "I keep waking at 4am and cannot get back to sleep."},
        {"role": "assistant", "content": "That sounds exhausting. What tends to run through your mind then?"},
    ]
}
CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
OPF = (
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">bomb</dc:identifier>'
    "<dc:title>Bomb</dc:title><dc:language>en</dc:language></metadata>"
    '<manifest><item id="c1" href="chapter.xhtml" media-type="application/xhtml+xml"/></manifest>'
    '<spine><itemref idref="c1"/></spine></package>'
)
# The child runs the subflow and writes what the parent asserts on; it reports to the session's API.
CHILD = """
import json, sys
from pathlib import Path
from flows.sourcing import sourcing
from tasks.records import Passage, QuarantineItem, Record
from tasks.shards import read_all
from tests.integration.runs import config_for

root = Path(sys.argv[1])
result = sourcing(config_for(root, sources=str(root / "sources")))
items = read_all(result.quarantine, QuarantineItem)
summary = {
    "quarantine": [[item.kind, item.reasons, item.raw] for item in items],
    "records": len(list(read_all([o.kept for o in result.conversations], Record))),
    "passages": sorted({p.document for p in read_all(result.passage_shards, Passage)}),
    "counts": {kind: counts.model_dump() for kind, counts in result.counts.items()},
    # The high-water mark of this process's own memory since exec: rusage's ru_maxrss would also count
    # the pages of the (large) test process it was forked from.
    "peak_rss": next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    ),
}
(root / "summary.json").write_text(json.dumps(summary))
"""


def zip_bomb(path: Path) -> None:
    """A well-formed EPUB whose one chapter unpacks to 1 GiB of spaces: about 1 MB on disk."""
    chunk = b" " * (16 * MIB)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", OPF)
        with archive.open("OEBPS/chapter.xhtml", "w", force_zip64=True) as entry:
            entry.write(b"<html><body><p>")
            for _ in range(GIB // len(chunk)):
                entry.write(chunk)
            entry.write(b"</p></body></html>")


def long_line(handle, prefix: bytes, suffix: bytes) -> int:
    """Write one line of LONG_LINE_BYTES (a contact address in it) without holding it; its size."""
    filler = b"x" * MIB
    handle.write(prefix + SECRET.encode())
    for _ in range(LONG_LINE_BYTES // len(filler)):
        handle.write(filler)
    handle.write(suffix + b"\n")
    return len(prefix) + len(SECRET) + LONG_LINE_BYTES + len(suffix)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    sources = tmp_path / "sources"
    sources.mkdir()
    zip_bomb(sources / "bomb.epub")
    good = json.dumps(CHAT).encode() + b"\n"
    with (sources / "chats.jsonl").open("wb") as handle:
        handle.write(good * 3)
        chat_line = long_line(handle, b'{"messages": [{"role": "user", "content": "', b'"}]}')
        handle.write(good * 2)
    with (sources / "notes.txt").open("wb") as handle:
        handle.write(b"Sleep comes easier after a quiet evening.\n\n")
        text_line = long_line(handle, b"Write to ", b".")
        handle.write(b"\nA short walk before bed helps many people settle.\n")
    return tmp_path, {"chat": chat_line, "text": text_line}


def run_child(root: Path, api_url: str) -> int:
    """Run the sourcing subflow in a child process; its exit status."""
    env = os.environ | {"PREFECT_API_URL": api_url}
    with (root / "child.log").open("wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(root)], cwd=REPO, env=env, stdout=log, stderr=log
        )
        return child.wait()


def test_a_zip_bomb_and_50_mb_lines_are_quarantined_in_bounded_memory(hostile, prefect_api):
    root, sizes = hostile
    assert (root / "sources" / "bomb.epub").stat().st_size < 2 * MIB

    status = run_child(root, prefect_api)

    assert status == 0, (root / "child.log").read_text()[-3000:]
    summary = json.loads((root / "summary.json").read_text())
    assert summary["records"] == 5
    assert summary["passages"] == ["notes.txt"]
    reasons = {reason for _, reasons, _ in summary["quarantine"] for reason in reasons}
    assert reasons == {
        "EPUB entry 'OEBPS/chapter.xhtml' unpacks to 1073741857 bytes, over the cap of 33554432 bytes"
        " (raise limits.max_entry_bytes to read it)",
        f"chats.jsonl line 4: skipped unread: {sizes['chat']} bytes, over the cap of 8388608 bytes"
        " (raise limits.max_line_bytes to read it)",
        f"notes.txt line 3: skipped unread: {sizes['text']} bytes, over the cap of 8388608 bytes"
        " (raise limits.max_line_bytes to read it)",
    }
    assert {kind for kind, _, _ in summary["quarantine"]} == {"document", "therapeutic", "text_line"}
    assert all(not raw or raw == "bomb.epub" for _, _, raw in summary["quarantine"])
    assert summary["counts"]["therapeutic"] == {"entered": 6, "kept": 5, "quarantined": 1, "deduplicated": 0}
    assert summary["counts"]["text_line"] == {"entered": 5, "kept": 4, "quarantined": 1, "deduplicated": 0}
    written = b"".join(p.read_bytes() for p in (root / "state").rglob("*") if p.is_file())
    assert SECRET.encode() not in written
    peak = summary["peak_rss"]
    print(f"sourcing child's peak RSS: {peak / MIB:.0f} MiB")
    assert peak < PEAK_RSS_LIMIT, f"peak RSS {peak / MIB:.0f} MiB"
