"""The parent flow: sourcing → synthesis → gating → export, with run metadata and accounting.

Run it with `python -m flows.full_pipeline --help`. The flow's one parameter is `PipelineConfig`,
so a deployment's parameters and this CLI are the same surface.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, get_args

from prefect import Flow, flow, get_run_logger, tags
from prefect.runtime import flow_run
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH
from prefect.states import State
from prefect.task_runners import TaskRunner
from pydantic import SecretStr, ValidationError

from flows.export import check_output, export
from flows.gating import GatingResult, gating
from flows.journal_research import journal_research, research_deployment_listening
from flows.run_artifacts import RunProgress, publish_run_report
from flows.sourcing import DocumentOutcome, SourcingResult, grounding, research_dir, sourcing
from flows.synthesis import TOP_UP_KINDS, synthesis, top_up_volumes
from tasks.accounting import Counts, GateTallies, KindCounts, ShardOutcome, check_balanced, merge_counts
from tasks.caching import code_version
from tasks.export.publish import Published
from tasks.metadata.models import DatasetVersion, Run
from tasks.metadata.store import DocumentRead, MetadataStore, resolve_database_url
from tasks.runners import runner_session, worker_settings
from tasks.settings import PipelineConfig

T = TypeVar("T")


class StageLedger:
    """Times each stage subflow, checks its accounting, and records both in the metadata DB."""

    def __init__(
        self,
        store: MetadataStore,
        run_id: str,
        config: PipelineConfig,
        runner: Callable[[], TaskRunner[Any]],
        progress: RunProgress,
    ) -> None:
        self.store, self.run_id = store, run_id
        self.config, self.runner, self.progress = config, runner, progress
        self.options: dict[str, Any] = {}
        if config.result_storage:
            self.options["result_storage"] = config.result_storage
        self.counts: dict[str, KindCounts] = {}
        self.seconds: dict[str, float] = {}

    def run(self, name: str, subflow: Flow[..., T], *args: Any) -> tuple[T, float]:
        """Run one stage subflow, named and tagged by stage and dataset so the UI says which is which."""
        started = time.monotonic()
        dataset = self.config.dataset_name
        try:
            with tags(f"stage:{name}", f"dataset:{dataset}"):  # the subflow's run and its task runs
                result = subflow.with_options(
                    task_runner=self.runner(), flow_run_name=f"{name}-{dataset}", **self.options
                )(*args)
        except BaseException:
            self.store.record_stage(self.run_id, name, {}, time.monotonic() - started, "failed")
            raise
        took = time.monotonic() - started
        self.seconds[name] = self.seconds.get(name, 0.0) + took
        self.progress.stage_done(name)
        return result, took

    def record_gates(self, tallies: GateTallies) -> None:
        """Each gate's verdicts per kind as a `gate:{name}` row: in = evaluated, kept = passed,
        quarantined = failed (for the crisis gate, failed means flagged and rerouted)."""
        for gate, kinds in tallies.items():
            counts = {
                k: Counts(entered=t.evaluated, kept=t.passed, quarantined=t.failed) for k, t in kinds.items()
            }
            self.store.record_stage(self.run_id, f"gate:{gate}", counts, 0.0, "completed")

    def record(self, counts: dict[str, KindCounts], seconds: float) -> None:
        for stage, stage_counts in counts.items():
            check_balanced(stage, stage_counts)
            self.store.record_stage(self.run_id, stage, stage_counts, seconds, "completed")
            self.counts[stage] = stage_counts


@flow(name="full-pipeline", log_prints=True)
def full_pipeline(config: PipelineConfig = PipelineConfig()) -> Published:  # noqa: B008
    """Build one dataset version from the sources and the generators, gated and split 70/15/15."""
    logger = get_run_logger()
    store = MetadataStore(resolve_database_url(config))
    run_id = str(flow_run.get_id() or "local")
    store.start_run(
        Run(
            id=run_id,
            dataset=config.dataset_name,
            seed=config.seed,
            config_hash=config.config_hash(),
            code_version=code_version(),
        )
    )
    try:
        check_output(config)
        progress = RunProgress(config.dataset_name)
        with runner_session(config) as runner:
            ledger = StageLedger(store, run_id, config, runner, progress)
            published = build_version(ledger, config, logger)
        publish_run_report(config, published, ledger.seconds)
        store.finish_run(run_id, "completed", version=published.version)
        logger.info(
            f"v{published.version} {'up to date' if published.up_to_date else 'published'}: {published.path}"
        )
        return published
    except BaseException as error:
        store.finish_run(run_id, "failed", error=f"{type(error).__name__}: {error}"[:2000])
        raise
    finally:
        store.dispose()


def build_version(ledger: StageLedger, config: PipelineConfig, logger: Any) -> Published:
    """Source, generate, gate and export, each stage a subflow timed and counted by the ledger."""
    store, run_id = ledger.store, ledger.run_id
    sourced, seconds = ledger.run("sourcing", sourcing, config)
    store.record_documents(run_id, _source_documents(sourced.per_document()))
    if sourced.research_queries and config.research and not research_deployment_listening():
        research = journal_research(sourced.research_queries, research_dir=str(research_dir(config)))
        logger.info(
            f"journal research: {research.findings} findings in {research.path}; the next run uses them"
        )
    sourced, synthesized, gated, took = generate_and_gate(ledger, config, sourced, logger)
    ledger.record({"sourcing": sourced.counts}, seconds + took["grounding"])
    ledger.record({"synthesis": merge_counts(o.counts for o in synthesized)}, took["synthesis"])
    ledger.record(
        {"preprocess": gated.preprocess_counts, "gates": gated.gate_counts, "dedup": gated.dedup_counts},
        took["gating"],
    )
    ledger.record_gates(gated.tallies)
    published, _ = ledger.run("export", export, config, sourced, synthesized, gated, ledger.counts)
    if not published.up_to_date:
        store.record_version(_dataset_version(config, published, run_id))
    return published


def generate_and_gate(
    ledger: StageLedger, config: PipelineConfig, sourced: SourcingResult, logger: Any
) -> tuple[SourcingResult, list[ShardOutcome], GatingResult, dict[str, float]]:
    """Generate, gate, and while the gates leave a generated or grounded kind short of its target,
    generate the shortfall again (scaled by the measured pass rate) and re-gate: finished shards are
    cache hits, and the global dedup and split are planned again over everything."""
    seconds = {"grounding": 0.0, "synthesis": 0.0, "gating": 0.0}
    synthesized: list[ShardOutcome] = []
    volumes: dict[str, int] | None = None
    for round_ in range(config.top_up_rounds + 1):
        more_grounded = volumes.pop("grounded", 0) if volumes else 0
        if more_grounded:  # grounding is sourcing's work: its own subflow, before synthesis's kinds
            sourced, took = ledger.run("grounding", grounding, config, sourced, more_grounded)
            seconds["grounding"] += took
        if volumes is None or volumes:  # the first round generates every target
            more, took = ledger.run("synthesis", synthesis, config, volumes, len(synthesized))
            synthesized += more
            seconds["synthesis"] += took
        records = [*sourced.records, *synthesized]
        gated, took = ledger.run("gating", gating, records, sourced.passage_shards, config)
        seconds["gating"] += took
        splits = gated.kinds_per_split.values()
        exported = {kind: sum(s.get(kind, 0) for s in splits) for kind in TOP_UP_KINDS}
        generated = {
            k: c.entered for k, c in merge_counts(o.counts for o in [*synthesized, *sourced.grounded]).items()
        }
        volumes = top_up_volumes(config.target_volumes(), generated, exported)
        if not volumes or round_ == config.top_up_rounds:
            break
        logger.info(f"top-up {round_ + 1}: generating {volumes} more to meet the targets after the gates")
    return sourced, synthesized, gated, seconds


def _source_documents(outcomes: Sequence[DocumentOutcome]) -> list[DocumentRead]:
    return [
        DocumentRead(
            sha256=o.document.sha256,
            path=o.document.path,
            bytes=o.document.bytes,
            passages=o.kept,
            status="quarantined" if o.quarantined else "read",
        )
        for o in outcomes
    ]


def _dataset_version(config: PipelineConfig, published: Published, run_id: str) -> DatasetVersion:
    return DatasetVersion(
        dataset=config.dataset_name,
        version=published.version,
        content_id=published.content_id,
        uri=published.path,
        manifest_sha256=published.manifest_sha256,
        records=published.records,
        run_id=run_id,
    )


def build_parser() -> argparse.ArgumentParser:
    """One option per scalar field of PipelineConfig, with its description and default."""
    parser = argparse.ArgumentParser(
        prog="python -m flows.full_pipeline",
        description=full_pipeline.description,
    )
    defaults = PipelineConfig()
    for name, field in PipelineConfig.model_fields.items():
        annotation = field.annotation
        if annotation is bool:
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=f"{field.description} (default: {'on' if getattr(defaults, name) else 'off'})",
            )
            continue
        scalar = next((t for t in (int, str) if t is annotation or t in get_args(annotation)), None)
        if scalar is None and SecretStr in get_args(annotation):
            scalar = str
        if scalar is None:
            continue
        default = getattr(defaults, name)
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=scalar,
            default=argparse.SUPPRESS,
            help=f"{field.description} (default: {'unset' if default is None else default})",
        )
    return parser


def run_pipeline(config: PipelineConfig) -> State[Published]:
    """Run the parent flow; checkpoints go to `config.result_storage` or `{state_dir}/results`."""
    results = Path(config.state_dir).resolve() / "results"
    with (
        worker_settings(config.task_runner, {PREFECT_LOCAL_STORAGE_PATH: results}),
        tags(f"dataset:{config.dataset_name}"),
    ):
        return full_pipeline(config, return_state=True)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """SIGTERM ends the run as Ctrl-C does: the flow is marked crashed, and the temporary API server and
    worker pool this process started are stopped on the way out instead of outliving it."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    # The temporary API server inherits this; without it, an offline machine logs telemetry errors.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = vars(build_parser().parse_args(argv))
    try:
        config = PipelineConfig(**args)
    except ValidationError as error:
        for problem in error.errors():
            option = "--" + str(problem["loc"][0]).replace("_", "-")
            print(f"error: {option}: {problem['msg']}", file=sys.stderr)
        return 2
    state = run_pipeline(config)
    if not state.is_completed():
        print(f"error: run {state.name}: {state.message}", file=sys.stderr)
        return 1
    published: Published = state.result()
    print(f"{'up to date' if published.up_to_date else 'published'}: {published.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
