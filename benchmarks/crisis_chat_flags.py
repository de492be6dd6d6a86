"""Which seeker turns of a real chat corpus the crisis detector flags, and on what evidence.

Usage: `uv run python -m benchmarks.crisis_chat_flags --corpus FILE.jsonl [--n 1000]`, e.g. the
corpus `benchmarks.throughput --keep DIR` builds from ESConv. Reads conversations the way `--sources`
does and prints the share of user turns flagged, how many of those carry no affirmed stage-1
(lexicon) signal, so that the learned model alone flagged them, how their scores sit above the
threshold, how many conversations hold a flagged turn, and the shortest flagged turns. In a chat, one
flagged turn cuts or quarantines the conversation, so a small per-turn false-flag rate compounds.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from benchmarks.gates_throughput import corpus_records
from tasks.gates.crisis import detect, load_model
from tasks.records import Role
from tasks.settings import PreprocessSettings

SHOWN = 15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="chat JSONL, as `--sources` reads it")
    parser.add_argument("--n", type=int, default=1_000, help="conversations to read")
    args = parser.parse_args()
    records = corpus_records(args.corpus, args.n, PreprocessSettings())
    turns = [(r.id, m.content) for r in records for m in r.messages if m.role is Role.USER]
    results = detect([text for _, text in turns])
    flagged = [(rid, text, res) for (rid, text), res in zip(turns, results, strict=True) if res.flagged]
    learned_only = [f for f in flagged if not any(not s.startswith("negated:") for s in f[2].reasons)]
    scores = [res.score for *_, res in flagged]
    threshold = load_model().threshold
    print(f"{len(records):,} conversations, {len(turns):,} user turns; threshold {threshold:.4f}")
    print(f"flagged turns           {len(flagged):,} ({len(flagged) / max(len(turns), 1):.1%})")
    print(f"  no stage-1 signal     {len(learned_only):,} (the learned model alone)")
    if scores:
        below = sum(score < 0.2 for score in scores) / len(scores)
        print(f"  score median          {statistics.median(scores):.3f}; {below:.0%} below 0.2")
    print(f"conversations flagged   {len({rid for rid, *_ in flagged}):,} of {len(records):,}")
    for _, text, res in sorted(flagged, key=lambda f: len(f[1]))[:SHOWN]:
        print(f"  {res.score:.2f}  {text[:100]!r}")


if __name__ == "__main__":
    main()
