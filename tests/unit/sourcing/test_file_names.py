"""File names of any bytes are stored and shown escaped, and still lead back to their file."""

import os
import random
import unicodedata
from pathlib import Path

from tasks.accounting import Counts
from tasks.records import Passage, QuarantineItem
from tasks.settings import PassageSettings
from tasks.shards import read_models
from tasks.sourcing.conversation_files import conversation_file_shards
from tasks.sourcing.documents import discover_documents, passages_shard
from tasks.sourcing.file_names import display_name, filesystem_name

CHAT = (
    b'{"messages": [{"role": "user", "content": "I cannot sleep."}, '
    b'{"role": "assistant", "content": "How long has it been?"}]}\n'
)


def test_escaping_is_printable_and_reversible_for_any_bytes():
    rng = random.Random(17)
    names = [
        b"plain.txt",
        b"back\\slash\\x41.txt",
        b"bad\xffname.txt",
        b"new\nline\t.vtt",
        "\u202etxt.md".encode(),
    ]
    names += [bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 40))) for _ in range(2_000)]
    for raw in names:
        shown = display_name(raw)
        # No control, format or line-separator character, and no lone surrogate: valid UTF-8.
        assert not {unicodedata.category(c) for c in shown} & {"Cc", "Cf", "Zl", "Zp", "Cs"}
        assert filesystem_name(shown) == raw
    assert display_name(b"plain/caf\xc3\xa9.txt") == "plain/café.txt"
    assert display_name(b"bad\xffname.txt") == "bad\\xffname.txt"
    assert display_name("new\nline\u202e.vtt") == "new\\x0aline\\u202e.vtt"


def test_odd_names_are_read_and_their_refusals_name_them_escaped(tmp_path):
    root = tmp_path / "sources"
    root.mkdir()
    Path(os.fsdecode(os.fsencode(root) + b"/bad\xffname.txt")).write_text("A paragraph about rest.\n")
    (root / "new\nline.txt").write_bytes(b"\x00\x01binary\x00")
    (root / "odd\x1bchat.jsonl").write_bytes(CHAT + b"{not json\n")
    documents = {d.path: d for d in discover_documents(root, (".txt", ".jsonl"))}
    assert sorted(documents) == ["bad\\xffname.txt", "new\\x0aline.txt", "odd\\x1bchat.jsonl"]

    work = str(tmp_path / "work")
    good = passages_shard.fn(str(root), documents["bad\\xffname.txt"], PassageSettings(), work)
    bad = passages_shard.fn(str(root), documents["new\\x0aline.txt"], PassageSettings(), work)
    assert good.counts["document"] == Counts(entered=1, kept=1)
    assert [p.document for p in read_models(good.kept, Passage)] == ["bad\\xffname.txt"]
    assert [i.raw for i in read_models(bad.quarantine, QuarantineItem)] == ["new\\x0aline.txt"]

    [shard] = conversation_file_shards.fn(str(root), documents["odd\\x1bchat.jsonl"], (100, 10**6), 40, work)
    assert shard.name == "odd\\x1bchat.jsonl#0" and shard.kept.records == 1
    [refused] = read_models(shard.quarantine, QuarantineItem)
    assert refused.reasons[0].startswith("odd\\x1bchat.jsonl line 2: not JSON")
