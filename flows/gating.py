"""Gating subflow: plan the corpora's exact copies, one pass per shard (preprocess, then the safety and
quality gates), dedup globally (exact and near-duplicate), then split 70/15/15.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow, get_run_logger
from pydantic import BaseModel, ConfigDict

from tasks.accounting import GateTallies, KindCounts, ShardOutcome, merge_counts, merge_tallies
from tasks.gates.custom import source_hash
from tasks.gates.gate_settings import is_import_path
from tasks.observe import collect
from tasks.routing import RoutedShard, plan_routes_task, route_shard
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef
from tasks.split import SPLITS
from tasks.stages.copies import plan_copies_task
from tasks.stages.gate_records import STAGE as GATES
from tasks.stages.shard_pass import PREPROCESS, PassedShard, pass_shard


class GatingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    passed: list[PassedShard]
    routed: list[RoutedShard]

    @property
    def preprocess_counts(self) -> KindCounts:
        return merge_counts(p.counts[PREPROCESS] for p in self.passed)

    @property
    def gate_counts(self) -> KindCounts:
        return merge_counts(p.counts[GATES] for p in self.passed)

    @property
    def dedup_counts(self) -> KindCounts:
        return merge_counts(r.counts for r in self.routed)

    @property
    def duplicates(self) -> list[ShardRef]:
        """Every removed duplicate: copies set aside before the pass, then the global dedup's."""
        return [p.duplicates for p in self.passed if p.duplicates] + [r.duplicates for r in self.routed]

    @property
    def tallies(self) -> GateTallies:
        """Every gate's evaluated/passed/failed counts per kind, preprocessing gates included."""
        return merge_tallies(p.tallies for p in self.passed)

    @property
    def pii(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for p in self.passed:
            found.update(p.pii)
        return dict(sorted(found.items()))

    @property
    def quarantine(self) -> dict[str, list[ShardRef]]:
        return {stage: [p.quarantine[stage] for p in self.passed] for stage in (PREPROCESS, GATES)}

    @property
    def step_seconds(self) -> dict[str, float]:
        """CPU seconds per step of the shard pass, over every shard (cache hits included)."""
        total: Counter[str] = Counter()
        for p in self.passed:
            total.update(p.seconds)
        return {step: round(seconds, 1) for step, seconds in total.items()}

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
    custom = {g: source_hash(g) for kind in config.gates.per_kind.values() for g in kind if is_import_path(g)}
    copies = plan_copies_task([s.prints for s in inputs], work)
    passed = collect(
        "preprocess+gates",
        [
            (
                s.name,
                pass_shard.submit(
                    s.kept, s.name, config.preprocess, config.gates, passages, custom, work, copies=listed
                ),
            )
            for s, listed in zip(inputs, copies, strict=True)
        ],
        lambda o: o.entered(),
        logger,
    )
    routes = plan_routes_task(
        [p.fingerprints for p in passed], config.seed, config.preprocess.near_duplicate_threshold, work
    )
    routed = collect(
        "dedup+split",
        [(p.name, route_shard.submit(p.kept, r, p.name, work)) for p, r in zip(passed, routes, strict=True)],
        lambda o: sum(ref.records for ref in o.splits.values()),
        logger,
    )
    result = GatingResult(passed=passed, routed=routed)
    steps = ", ".join(f"{step} {seconds:,.1f}" for step, seconds in result.step_seconds.items())
    logger.info(f"shard pass CPU seconds per step: {steps}")
    return result
