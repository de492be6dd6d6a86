"""Throughput of the crisis detector: stage 1 (lexicon) alone and the full detector, texts per second.

Usage: `uv run python benchmarks/crisis_throughput.py [--n 4000]`. Two kinds of text: long posts (the
shared crisis development data when it is present, else the hand-written training cases) and chat turns
(the user turns of generated therapeutic conversations, what the pipeline's gate scores).
CPU time on one core (the process is pinned to one core where the OS allows); record the figures in
docs/models/CRISIS_DETECTOR.md when the lexicon or the features change.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# One BLAS thread, set before NumPy loads: OpenBLAS reads it only then, and its spare threads pinned
# to the same core would spin and count as CPU time (a tenth of the real rate on a busy machine).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from tasks.gates.crisis import detect, load_model  # noqa: E402
from tasks.gates.crisis_lexicon import scan  # noqa: E402
from tasks.gates.training.crisis import hand_cases  # noqa: E402
from tasks.records import Role  # noqa: E402
from tasks.synthesis.therapeutic import synthesize  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "crisis"
FILES = ("sdcnl-train.jsonl", "twitter-suicidal-data.jsonl", "dreaddit.jsonl")


def sample_texts(n: int) -> tuple[list[str], str]:
    """`n` texts interleaved across sources, and a word on where they came from."""
    if all((SHARED / name).exists() for name in FILES):
        per_file = [
            [json.loads(line)["text"] for line in (SHARED / name).read_text(encoding="utf-8").splitlines()]
            for name in FILES
        ]
        mixed = [t for group in zip(*per_file, strict=False) for t in group]
        return list(islice(cycle(mixed), n)), f"shared crisis data ({', '.join(FILES)})"
    idioms, positives = hand_cases()
    return list(islice(cycle(positives + idioms), n)), "hand-written training cases"


def chat_turns(n: int) -> list[str]:
    """`n` user turns of generated therapeutic conversations (seed 42), in order."""
    records, _ = synthesize(max(1, n // 2), 42, 0)
    turns = [m.content for r in records for m in r.messages if m.role is Role.USER]
    return list(islice(cycle(turns), n))


def rate(run: Callable[[Sequence[str]], object], texts: Sequence[str], repeats: int = 3) -> float:
    """Best of `repeats` timings of CPU time (fair on a shared machine), in texts per second."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        run(texts)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="How many texts to score")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts, origin = sample_texts(args.n)
    turns = chat_turns(args.n)
    load_model()
    for label, sample in ((f"posts from {origin}", texts), ("generated therapeutic user turns", turns)):
        mean_chars = sum(map(len, sample)) / len(sample)
        print(f"{len(sample)} {label}, mean {mean_chars:.0f} chars, one core")
        print(f"  stage 1 (lexicon):   {rate(lambda ts: [scan(t) for t in ts], sample):10.0f} texts/s")
        print(f"  full detector:       {rate(detect, sample, repeats=1):10.0f} texts/s")


if __name__ == "__main__":
    main()
