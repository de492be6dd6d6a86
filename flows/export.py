"""Export subflow: lay the gated shards out as one immutable dataset version with its manifest."""

from __future__ import annotations

from collections.abc import Mapping

from prefect import flow, get_run_logger

from flows.gating import GatingResult
from flows.sourcing import SourcingResult
from tasks.accounting import KindCounts, ShardOutcome
from tasks.caching import code_version
from tasks.export.bias_pairs import held_out_report
from tasks.export.diversity import diversity_report
from tasks.export.format_names import CHAT
from tasks.export.formats import convert_formats
from tasks.export.manifest import build_manifest, plan_files, source_report
from tasks.export.publish import PlannedFile, Published, version_content_id
from tasks.export.safety_invariants import require_safe_exports
from tasks.export.training_turns import turn_report
from tasks.export.version_tasks import package_version, publish_version, write_card, write_plots
from tasks.settings import PipelineConfig
from tasks.sourcing.discovery import skipped_summary
from tasks.split import SPLITS


@flow(name="export", log_prints=True)
def export(
    config: PipelineConfig,
    sourced: SourcingResult,
    synthesized: list[ShardOutcome],
    gated: GatingResult,
    stages: Mapping[str, KindCounts],
) -> Published:
    """Publish `{output}/{dataset}/v{N}/`, or report the latest version as up to date."""
    logger = get_run_logger()
    work = str(config.work_dir)
    splits = {split: [r.splits[split] for r in gated.routed] for split in SPLITS}
    exported = [ref for refs in splits.values() for ref in refs if ref.records]
    # Reports read every exported record; submitted first, they run beside the format conversions.
    diversity = diversity_report.submit(exported)
    provenance = source_report.submit(exported)
    safety = require_safe_exports.submit(exported, config.gates)
    formats = convert_formats(
        {s: [(r.name, r.splits[s]) for r in gated.routed] for s in SPLITS}, work, logger
    )
    files = plan_files(
        splits=formats.pop(CHAT),
        quarantine={
            "sourcing": sourced.quarantine,
            "synthesis": [o.quarantine for o in synthesized],
            **gated.quarantine,
        },
        duplicates=gated.duplicates,
        formats=formats,
    )
    inputs = [doc.model_dump() for doc in sourced.documents]
    version = code_version()
    report = diversity.result()
    held_out = held_out_report(formats["bias_eval"])
    manifest = build_manifest(config, version, inputs, stages, files, gated.kinds_per_split, report, held_out)
    manifest["gates"] = {
        gate: {k: t.model_dump() for k, t in kinds.items()} for gate, kinds in gated.tallies.items()
    }
    manifest["pii_replaced"] = gated.pii
    manifest["training_turns"] = turn_report(exported)
    manifest["corpus_normalisation"] = sourced.normalised
    manifest["sources_skipped"] = skipped_summary(sourced.skipped)
    manifest["provenance"] = provenance.result()
    manifest["safety"] = safety.result()
    plots = write_plots(manifest, work)
    manifest["plots"] = [plot.entry().model_dump() for plot in plots]
    card = PlannedFile(path="README.md", shard=write_card(manifest, work))
    manifest["card"] = card.entry().model_dump()
    content_id = version_content_id(inputs, config.content_settings(), version)
    every_file = [*files, *plots, card]
    published = publish_version(config, content_id, every_file, manifest)
    if config.package_formats:
        logger.info(f"export: ready package {package_version(config, published, every_file, manifest)}")
    if published.up_to_date:
        logger.info(f"export: {published.path} is up to date (content {content_id[:12]}); nothing written")
    else:
        logger.info(f"export: published {published.path} ({len(files) + 1} files)")
    for kind, volume in manifest["volumes"].items():
        if volume["shortfall"]:
            logger.warning(
                f"export: {kind}: {volume['exported']:,} records exported, {volume['shortfall']:,} short of "
                f"the {volume['target']:,} target (the manifest's stage counts say where they went)"
            )
    return published
