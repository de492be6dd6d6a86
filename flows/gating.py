"""Gating subflow: normalise and format-check each shard, dedup globally, then split 70/15/15."""

from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger
from pydantic import BaseModel, ConfigDict

from tasks.accounting import KindCounts, ShardOutcome, merge_counts
from tasks.observe import collect
from tasks.preprocess.clean import CleanedShard, clean_shard
from tasks.routing import RoutedShard, plan_routes_task, route_shard
from tasks.settings import PipelineConfig
from tasks.split import SPLITS


class GatingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cleaned: list[CleanedShard]
    routed: list[RoutedShard]

    @property
    def preprocess_counts(self) -> KindCounts:
        return merge_counts(c.counts for c in self.cleaned)

    @property
    def dedup_counts(self) -> KindCounts:
        return merge_counts(r.counts for r in self.routed)

    @property
    def kinds_per_split(self) -> dict[str, dict[str, int]]:
        """Records per kind in each split, over every routed shard."""
        totals: dict[str, Counter[str]] = {split: Counter() for split in SPLITS}
        for routed in self.routed:
            for split, per_kind in routed.split_kinds.items():
                totals[split].update(per_kind)
        return {split: dict(sorted(counts.items())) for split, counts in totals.items()}


@flow(name="gating", log_prints=True)
def gating(shards: list[ShardOutcome], config: PipelineConfig) -> GatingResult:
    """Gate every record of `shards`; each one ends kept, quarantined or deduplicated."""
    logger = get_run_logger()
    work = str(config.work_dir)
    inputs = [s for s in shards if s.kept.records > 0]
    cleaned = collect(
        "preprocess",
        [(s.name, clean_shard.submit(s.kept, s.name, config.gating, work)) for s in inputs],
        lambda o: o.entered(),
        logger,
    )
    routes = plan_routes_task([c.fingerprints for c in cleaned], config.seed, work)
    routed = collect(
        "dedup+split",
        [(c.name, route_shard.submit(c.kept, r, c.name, work)) for c, r in zip(cleaned, routes, strict=True)],
        lambda o: sum(ref.records for ref in o.splits.values()),
        logger,
    )
    return GatingResult(cleaned=cleaned, routed=routed)
