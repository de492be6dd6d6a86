"""How much to generate: the shards a kind's volume is cut into, and what a top-up round asks for
when the gates leave a generated kind short of its target."""

from __future__ import annotations

import math
from collections.abc import Mapping

# Kinds the synthesis stage generates (grounded conversations cite the run's source passages).
GENERATED_KINDS = ("therapeutic", "bias", "edge_case", "grounded")
# A bias row is a pair of two members with a biased and an unbiased reply each: shards hold whole pairs.
RECORDS_PER_ROW = {"bias": 4}


def shard_plan(total: int, shard_records: int, first: int = 0) -> list[tuple[int, int]]:
    """(shard index, records) pairs covering `total` in shards of at most `shard_records`, numbered
    from `first` (top-up rounds number theirs past the first round's, so every shard has its own seed)."""
    return [
        (first + i, min(shard_records, total - start))
        for i, start in enumerate(range(0, total, shard_records))
    ]


def top_up_volumes(
    targets: Mapping[str, int], generated: Mapping[str, int], exported: Mapping[str, int]
) -> dict[str, int]:
    """Records to generate again per kind, so that the gates' measured pass rate meets the target.

    The pass rate of what was generated so far estimates the next round's, and the round asks for
    three binomial standard deviations more than the shortfall at that rate, so chance alone rarely
    leaves a kind a few records short; a kind nothing of which survived is generated at its full
    shortfall again rather than guessed at.
    """
    extra = {}
    for kind, target in targets.items():
        short = target - exported.get(kind, 0)
        if kind not in GENERATED_KINDS or short <= 0:
            continue
        rate = exported.get(kind, 0) / generated[kind] if generated.get(kind) else 0.0
        unit = RECORDS_PER_ROW.get(kind, 1)
        wanted = math.ceil((short + 3 * math.sqrt(short * (1 - rate))) / rate) if rate > 0 else short
        extra[kind] = min(math.ceil(wanted / unit) * unit, 4 * target)
    return extra
