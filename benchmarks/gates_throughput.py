"""Throughput of every gate on generated conversations, records per second on one process.

Usage: `uv run python -m benchmarks.gates_throughput [--n 2000] [--corpus FILE.jsonl]`. Generates
therapeutic synthetic conversations offline (seed 42), or reads the first `--n` conversations of a
chat corpus the way `--sources` does, then times each preprocessing step and gate on the same
records, and the whole gate pass (crisis routing included) the way the gates task runs it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tasks.gates import content_filter, ears, quality
from tasks.gates.gate_settings import GateSettings
from tasks.gates.safety_routing import risky_turns
from tasks.preprocess import language
from tasks.preprocess.clean import scrub
from tasks.preprocess.near_dup import signature
from tasks.records import Record
from tasks.settings import PreprocessSettings
from tasks.sourcing.conversations import iter_conversations
from tasks.stages.gate_records import gate_records
from tasks.synthesis.therapeutic import synthesize


def timed(name: str, records: Sequence[Record], run: Callable[[Sequence[Record]], Any]) -> None:
    run(records[:20])  # load models outside the timing
    started = time.perf_counter()
    run(records)
    seconds = time.perf_counter() - started
    print(f"{name:<28} {len(records) / seconds:>10,.0f} records/s  ({seconds:.2f} s)")


def corpus_records(path: Path, n: int, preprocessing: PreprocessSettings) -> list[Record]:
    """The first `n` records a `--sources` run reads from one file (quarantined conversations skipped)."""
    read = iter_conversations(path, path.parent, preprocessing.max_turns)
    return [item for item in read if isinstance(item, Record)][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2_000, help="conversations to time each gate on")
    parser.add_argument("--corpus", type=Path, help="chat JSONL to read instead of generating")
    args = parser.parse_args()
    preprocessing, gates = PreprocessSettings(), GateSettings()
    records = (
        corpus_records(args.corpus, args.n, preprocessing) if args.corpus else synthesize(args.n, 42, 0)[0]
    )
    print(f"{len(records):,} conversations, {sum(len(r.messages) for r in records):,} turns")
    timed("pii scrub (+ normalise)", records, lambda rs: scrub(list(rs), preprocessing))
    timed("language", records, lambda rs: language.check(rs, preprocessing.language))
    timed("crisis (user turns)", records, lambda rs: risky_turns(rs, gates.crisis))
    timed("content filter", records, lambda rs: content_filter.check(rs, gates.content_filter))
    timed("ears", records, lambda rs: ears.check(rs, gates.ears))
    timed("quality", records, lambda rs: quality.check(rs, gates.quality, {}))
    timed("minhash signature", records, lambda rs: [signature(r) for r in rs])
    timed("all gates (gate_records)", records, lambda rs: gate_records(rs, gates, {}))


if __name__ == "__main__":
    main()
