"""The sourcing subflow over a folder of good and corrupt files: nothing crashes, nothing disappears."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from flows.sourcing import sourcing
from flows.synthesis import synthesis
from tasks.accounting import check_balanced
from tasks.records import Passage, QuarantineItem, Record, RecordKind
from tasks.settings import BUNDLED_SOURCES
from tasks.shards import read_all
from tests.integration.runs import config_for

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ASSISTANT = {"role": "assistant", "content": "That sounds heavy. What made it hardest?"}


@pytest.fixture
def mixed_sources(tmp_path: Path) -> Path:
    root = tmp_path / "sources"
    (root / "books").mkdir(parents=True)
    (root / "captions").mkdir()
    (root / "dialogues").mkdir()
    shutil.copy(next(BUNDLED_SOURCES.glob("meditations*.txt")), root / "books")
    shutil.copy(FIXTURES / "books" / "alices-adventures-in-wonderland_carroll.epub", root / "books")
    (root / "books" / "broken.epub").write_bytes(b"PK\x03\x04 this is not a zip archive")
    (root / "books" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    shutil.copy(FIXTURES / "transcripts" / "sintel_en_blender-foundation.vtt", root / "captions")
    (root / "captions" / "empty.vtt").write_bytes(b"")
    (root / "captions" / "binary.vtt").write_bytes(bytes(range(256)) * 8)
    shutil.copy(FIXTURES / "conversations" / "chat.jsonl", root / "dialogues")
    shutil.copy(FIXTURES / "conversations" / "esconv.jsonl", root / "dialogues")
    (root / "dialogues" / "garbage.parquet").write_bytes(b"PAR1 not really parquet")
    lines = [
        orjson.dumps({"messages": [{"role": "user", "content": f"Week {i} was hard."}, ASSISTANT]})
        for i in range(30)
    ]
    (root / "dialogues" / "many.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return root


def test_good_files_are_read_and_corrupt_ones_quarantined_with_reasons(tmp_path, mixed_sources):
    config = config_for(tmp_path, sources=str(mixed_sources), shard_records=12)
    result = sourcing(config)

    check_balanced("sourcing", result.counts)
    by_path = {o.document.path: o for o in result.per_document()}
    assert len(by_path) == 11
    for good in ("books/meditations_marcus-aurelius_pg2680.txt", "captions/sintel_en_blender-foundation.vtt"):
        assert by_path[good].kept > 0 and by_path[good].quarantined == 0
    for bad in ("books/broken.epub", "books/broken.pdf", "captions/empty.vtt", "captions/binary.vtt"):
        assert (by_path[bad].kept, by_path[bad].quarantined) == (0, 1)
    assert by_path["dialogues/many.jsonl"].kept == 30
    assert by_path["dialogues/garbage.parquet"].kept == 0

    refused = list(read_all(result.quarantine, QuarantineItem))
    reasons = {item.id: item.reasons for item in refused}
    assert len(refused) == sum(o.quarantined for o in by_path.values())
    assert all(reason for item_reasons in reasons.values() for reason in item_reasons)

    conversations = list(read_all([o.kept for o in result.conversations], Record))
    assert conversations and {r.kind for r in conversations} == {RecordKind.THERAPEUTIC}
    assert all(r.messages[-1].role.value == "assistant" for r in conversations)
    assert max(o.kept.records + o.quarantine.records for o in result.records) <= 12
    counts = result.counts["therapeutic"]
    assert counts.entered == counts.kept + counts.quarantined == len(conversations) + counts.quarantined


def test_grounded_conversations_cite_the_passages_sourcing_read(tmp_path, mixed_sources):
    config = config_for(tmp_path, sources=str(mixed_sources), shard_records=12)
    result = sourcing(config)
    passages = {p.id: p for p in read_all(result.passage_shards, Passage)}

    outcomes = synthesis(config, result.passage_shards, {"grounded": 30})

    grounded = list(read_all([o.kept for o in outcomes], Record))
    assert len(grounded) == 30 and {r.kind for r in grounded} == {RecordKind.GROUNDED}
    for record in grounded:
        replies = " ".join(m.content for m in record.messages if m.role.value == "assistant")
        for citation in record.grounding:
            passage = passages[citation.passage_id]
            assert citation.quote in passage.text and citation.quote in replies
            assert record.source.uri == passage.document and citation.locator == passage.locator
    assert all(o.counts["grounded"].balanced for o in outcomes)
