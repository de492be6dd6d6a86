"""The export's diversity figures over real human support conversations, for the card to compare against.

Usage: `uv run python -m benchmarks.diversity_reference [--data DIR]`. Reads ESConv (train, valid and
test; not FailedESConv, whose conversations the dataset marks as failed) and CounselChat from
`../shared/data/conversations` the way `--sources` reads them, runs `tasks.export.diversity.diversity`
on each corpus, prints a table and writes `tasks/export/data/diversity_reference.json`. ESConv is for
non-commercial use only and CounselChat's answers are its therapists' words, so the file holds aggregate
figures and no text.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from tasks.export import diversity as diversity_module
from tasks.export.diversity import NGRAMS, ROLES, SAMPLE_TURNS, diversity
from tasks.records import Record
from tasks.settings import PreprocessSettings
from tasks.sourcing.conversations import iter_conversations

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "conversations"
OUTPUT = Path(diversity_module.__file__).resolve().parent / "data" / diversity_module.REFERENCE_FILE
CORPORA = {
    "ESConv": (
        ("esconv/train.jsonl", "esconv/valid.jsonl", "esconv/test.jsonl"),
        "ESConv (Liu et al., ACL 2021): trained crowd-worker supporters and help-seekers in chat "
        "sessions, CC BY-NC 4.0",
    ),
    "CounselChat": (
        ("counselchat/20200325_counsel_chat.csv",),
        "CounselChat (Bertagnolli 2020, MIT): licensed therapists' answers to posted questions, one "
        "question and one answer a record (a question answered several times repeats its user turn)",
    ),
}


def corpus_records(data: Path, files: tuple[str, ...]) -> Iterator[Record]:
    """Every conversation of the files as the pipeline's records (windows of the default turn limit)."""
    max_turns = PreprocessSettings().max_turns
    for name in files:
        path = data / name
        yield from (r for r in iter_conversations(path, path.parent, max_turns) if isinstance(r, Record))


def reference(data: Path) -> dict[str, Any]:
    """Per corpus: its description, records, and the assistant and user figures (no labels, no text)."""
    corpora: dict[str, Any] = {}
    for name, (files, about) in CORPORA.items():
        (figures,) = diversity(corpus_records(data, files)).values()
        corpora[name] = {"about": about, "records": figures["records"]} | {
            role.value: figures[role.value] for role in ROLES
        }
    return {
        "about": "Diversity of real human support conversations, computed by "
        "benchmarks/diversity_reference.py with the export's own function; aggregate figures only.",
        "sample_turns": SAMPLE_TURNS,
        "corpora": corpora,
    }


def print_table(figures: dict[str, Any]) -> None:
    columns = ["turns", "distinct_turns", *(f"distinct_{n}" for n in NGRAMS), "cosine_distance"]
    print(f"{'corpus':<12} {'speaker':<10}" + "".join(f"{c:>17}" for c in columns))
    for name, corpus in figures["corpora"].items():
        for role in ROLES:
            row = corpus[role.value]
            print(f"{name:<12} {role.value:<10}" + "".join(f"{row[c]:>17}" for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared conversations folder")
    args = parser.parse_args()
    figures = reference(args.data)
    print_table(figures)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")


if __name__ == "__main__":
    main()
