"""The parent flow: sourcing → synthesis → gating → export, with run metadata and accounting.

Run it with `python -m flows.full_pipeline --help`. The flow's parameters are `PipelineConfig`'s
fields, one keyword each, validated together as one `PipelineConfig`: a deployment's parameters and
this CLI are the same surface, and `prefect deployment run ... --param NAME=value` overrides one.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Sequence
from typing import Any, cast

from prefect import flow, get_run_logger, tags
from prefect.runtime import flow_run
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH
from prefect.states import State

from flows.cli import parse_config
from flows.export import export
from flows.gating import GatingResult, gating
from flows.journal_research import journal_research, research_deployment_listening
from flows.parameters import config_from_parameters, config_parameters, with_config_parameters
from flows.sourcing import DocumentOutcome, SourcingResult, research_dir, sourcing
from flows.synthesis import synthesis
from tasks.accounting import ShardOutcome, merge_counts
from tasks.caching import code_version
from tasks.export.destination import check_output
from tasks.export.publish import Published
from tasks.metadata.models import DatasetVersion, Run
from tasks.metadata.store import DocumentRead, MetadataStore, process_alive, resolve_database_url
from tasks.run_artifacts import RunProgress, publish_run_report
from tasks.runners import runner_session, worker_settings
from tasks.settings import PipelineConfig
from tasks.stages.ledger import StageLedger, results_block
from tasks.synthesis.volumes import GENERATED_KINDS, top_up_volumes

SUMMARY = "Build one dataset version from the sources and the generators, gated and split 70/15/15."


@flow(name="full-pipeline", description=SUMMARY, log_prints=True)
@with_config_parameters
def full_pipeline(**settings: Any) -> Published:
    """Build one dataset version; the settings, one parameter each, are listed below."""
    config = config_from_parameters(settings)
    logger = get_run_logger()
    store = MetadataStore(resolve_database_url(config))
    run_id = str(flow_run.get_id() or "local")
    host = socket.gethostname()
    for abandoned in store.abandon_dead_runs(host, process_alive):
        logger.warning(f"run {abandoned} on {host} was killed before it finished: marked abandoned")
    store.start_run(
        Run(
            id=run_id,
            dataset=config.dataset_name,
            seed=config.seed,
            config_hash=config.config_hash(),
            code_version=code_version(),
            host=host,
            pid=os.getpid(),
        )
    )
    try:
        check_output(config)
        progress = RunProgress(config.dataset_name)
        with runner_session(config) as runner:
            storage = config.result_storage or results_block(config.results_dir)
            ledger = StageLedger(store, run_id, config, runner, progress, storage)
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
    with ledger.stage("sourcing") as stage:
        sourced = stage.options(sourcing)(config)
    store.record_documents(run_id, _source_documents(sourced.per_document()))
    if sourced.research_queries and config.research and not research_deployment_listening():
        research = journal_research(sourced.research_queries, research_dir=str(research_dir(config)))
        logger.info(
            f"journal research: {research.findings} findings in {research.path}; the next run uses them"
        )
    ledger.record({"sourcing": sourced.counts}, stage.seconds)
    synthesized, gated, took = generate_and_gate(ledger, config, sourced, logger)
    ledger.record({"synthesis": merge_counts(o.counts for o in synthesized)}, took["synthesis"])
    ledger.record(
        {"preprocess": gated.preprocess_counts, "gates": gated.gate_counts, "dedup": gated.dedup_counts},
        took["gating"],
    )
    ledger.record_gates(gated.tallies)
    with ledger.stage("export") as stage:
        published = stage.options(export)(config, sourced, synthesized, gated, ledger.counts)
    # Recorded when found up to date too: a run killed between publishing and recording left it out.
    if store.record_version(_dataset_version(config, published, run_id)) and published.up_to_date:
        logger.warning(f"v{published.version} at {published.path} was missing from the catalogue: recorded")
    return published


def generate_and_gate(
    ledger: StageLedger, config: PipelineConfig, sourced: SourcingResult, logger: Any
) -> tuple[list[ShardOutcome], GatingResult, dict[str, float]]:
    """Generate, gate, and while the gates leave a generated kind short of its target, generate the
    shortfall again (scaled by the measured pass rate) and re-gate: finished shards are cache hits,
    and the global dedup and split are planned again over everything."""
    seconds = {"synthesis": 0.0, "gating": 0.0}
    synthesized: list[ShardOutcome] = []
    volumes = config.target_volumes()
    for round_ in range(config.top_up_rounds + 1):
        with ledger.stage("synthesis") as stage:
            synthesized += stage.options(synthesis)(config, sourced.passage_shards, volumes, len(synthesized))
        seconds["synthesis"] += stage.seconds
        with ledger.stage("gating") as stage:
            gated = stage.options(gating)([*sourced.records, *synthesized], sourced.passage_shards, config)
        seconds["gating"] += stage.seconds
        splits = gated.kinds_per_split.values()
        exported = {kind: sum(s.get(kind, 0) for s in splits) for kind in GENERATED_KINDS}
        generated = {k: c.entered for k, c in merge_counts(o.counts for o in synthesized).items()}
        volumes = top_up_volumes(config.target_volumes(), generated, exported)
        if not volumes or round_ == config.top_up_rounds:
            break
        logger.info(f"top-up {round_ + 1}: generating {volumes} more to meet the targets after the gates")
    return synthesized, gated, seconds


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


def run_pipeline(config: PipelineConfig, own_server: bool = False) -> State[Published]:
    """Run the parent flow; checkpoints go to `config.result_storage` or `{state_dir}/results`.

    Worker processes need one API to report to, so a run on processes or Ray starts its own guarded
    server when none is configured; `own_server` asks for one whatever the runner (the CLI does, so
    the server it leaves can never outlive it)."""
    start_server = own_server or config.task_runner != "threads"
    with (
        worker_settings({PREFECT_LOCAL_STORAGE_PATH: config.results_dir}, start_server),
        tags(f"dataset:{config.dataset_name}"),
    ):
        # `**settings` takes any keyword, so the type checker reads return_state as a setting.
        return cast(State[Published], full_pipeline(**config_parameters(config), return_state=True))


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """SIGTERM ends the run as Ctrl-C does: the flow is marked crashed, and the temporary API server and
    worker pool this process started are stopped on the way out instead of outliving it."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    # The temporary API server inherits this; without it, an offline machine logs telemetry errors.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    config = parse_config(argv, full_pipeline.description)
    if config is None:
        return 2
    state = run_pipeline(config, own_server=True)
    if not state.is_completed():
        print(f"error: run {state.name}: {state.message}", file=sys.stderr)
        return 1
    published: Published = state.result()
    print(f"{'up to date' if published.up_to_date else 'published'}: {published.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
