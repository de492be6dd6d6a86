"""Gating subflow: preprocess each shard, run the safety and quality gates, dedup globally (exact and
near-duplicate), then split 70/15/15.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger
from pydantic import BaseModel, ConfigDict

from tasks.accounting import GateTallies, KindCounts, ShardOutcome, merge_counts, merge_tallies
from tasks.gates.custom import is_import_path, source_hash
from tasks.observe import collect
from tasks.preprocess.clean import CleanedShard, clean_shard
from tasks.routing import RoutedShard, plan_routes_task, route_shard
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef
from tasks.split import SPLITS
from tasks.stages.gate_shard import GatedShard, gate_shard


class GatingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cleaned: list[CleanedShard]
    gated: list[GatedShard]
    routed: list[RoutedShard]

    @property
    def preprocess_counts(self) -> KindCounts:
        return merge_counts(c.counts for c in self.cleaned)

    @property
    def gate_counts(self) -> KindCounts:
        return merge_counts(g.counts for g in self.gated)

    @property
    def dedup_counts(self) -> KindCounts:
        return merge_counts(r.counts for r in self.routed)

    @property
    def tallies(self) -> GateTallies:
        """Every gate's evaluated/passed/failed counts per kind, preprocessing gates included."""
        return merge_tallies([*(c.tallies for c in self.cleaned), *(g.tallies for g in self.gated)])

    @property
    def pii(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for c in self.cleaned:
            found.update(c.pii)
        return dict(sorted(found.items()))

    @property
    def quarantine(self) -> dict[str, list[ShardRef]]:
        return {
            "preprocess": [c.quarantine for c in self.cleaned],
            "gates": [g.quarantine for g in self.gated],
        }

    @property
    def kinds_per_split(self) -> dict[str, dict[str, int]]:
        """Records per kind in each split, over every routed shard."""
        totals: dict[str, Counter[str]] = {split: Counter() for split in SPLITS}
        for routed in self.routed:
            for split, per_kind in routed.split_kinds.items():
                totals[split].update(per_kind)
        return {split: dict(sorted(counts.items())) for split, counts in totals.items()}


@flow(name="gating", log_prints=True)
def gating(shards: list[ShardOutcome], passages: list[ShardRef], config: PipelineConfig) -> GatingResult:
    """Gate every record of `shards`; each one ends kept, quarantined or deduplicated.

    `passages` are the run's source passages, against which grounded citations are checked.
    """
    logger = get_run_logger()
    work = config.work_dir
    inputs = [s for s in shards if s.kept.records > 0]
    cleaned = collect(
        "preprocess",
        [(s.name, clean_shard.submit(s.kept, s.name, config.gating, work)) for s in inputs],
        lambda o: o.entered(),
        logger,
    )
    custom = {g: source_hash(g) for kind in config.gates.per_kind.values() for g in kind if is_import_path(g)}
    gated = collect(
        "gates",
        [(c.name, gate_shard.submit(c.kept, c.name, config.gates, passages, custom, work)) for c in cleaned],
        lambda o: o.entered(),
        logger,
    )
    routes = plan_routes_task(
        [g.fingerprints for g in gated], config.seed, config.gating.near_duplicate_threshold, work
    )
    routed = collect(
        "dedup+split",
        [(g.name, route_shard.submit(g.kept, r, g.name, work)) for g, r in zip(gated, routes, strict=True)],
        lambda o: sum(ref.records for ref in o.splits.values()),
        logger,
    )
    return GatingResult(cleaned=cleaned, gated=gated, routed=routed)
