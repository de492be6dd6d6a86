"""Export subflow: lay the gated shards out as one immutable dataset version with its manifest."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect_aws import AwsCredentials

from flows.gating import GatingResult
from flows.sourcing import SourcingResult
from tasks.accounting import KindCounts, ShardOutcome
from tasks.caching import SHARD_CACHE, code_version, work_path
from tasks.export.bias_pairs import held_out_report
from tasks.export.card import render_card
from tasks.export.diversity import diversity_report
from tasks.export.format_names import CHAT, PER_SHARD, PREFERENCE, parse_formats
from tasks.export.formats import format_shard, preference_split
from tasks.export.manifest import build_manifest, plan_files
from tasks.export.publish import PlannedFile, Published, VersionStore, publish, version_content_id
from tasks.export.ready_packages import pack, package_name
from tasks.export.training_turns import turn_report
from tasks.metadata.store import MetadataStore, UploadLog, resolve_database_url
from tasks.observe import collect
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef, local_copy, write_file
from tasks.sourcing.discovery import skipped_summary
from tasks.split import SPLITS
from tasks.storage.local import LocalVersionStore
from tasks.storage.s3 import S3Location, S3VersionStore, UploadProgress, is_s3_uri, s3_client
from tasks.verify import require_valid


def version_store(config: PipelineConfig, progress: UploadProgress | None = None) -> VersionStore:
    """Where this run's versions live: a local folder, or an S3 prefix for an s3:// output."""
    if is_s3_uri(config.output):
        client = _s3_client(config)
        return S3VersionStore(client, S3Location.parse(config.output), config.dataset_name, progress=progress)
    return LocalVersionStore(Path(config.output).resolve() / config.dataset_name)


def _s3_client(config: PipelineConfig) -> Any:
    """The client for an s3:// output: the saved credentials block when named, else OVH_S3_*."""
    credentials = AwsCredentials.load(config.s3_credentials_block) if config.s3_credentials_block else None
    return s3_client(credentials)


class OutputUnusableError(RuntimeError):
    """The run could not publish where it was told; found before any compute."""


def check_output(config: PipelineConfig) -> None:
    """Fail now, not after the compute, when the output cannot take a version: a local folder that
    cannot be created or written, an S3 bucket that cannot be reached or is not there."""
    if is_s3_uri(config.output):
        location = S3Location.parse(config.output)
        try:
            _s3_client(config).head_bucket(Bucket=location.bucket)
        except Exception as error:  # botocore raises many kinds; each means the same here
            raise OutputUnusableError(
                f"cannot reach the output bucket {location.bucket!r} ({type(error).__name__}: {error}); "
                "check OVH_S3_ENDPOINT, the credentials and the bucket name"
            ) from error
        return
    folder = Path(config.output).resolve() / config.dataset_name
    made = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    probe = folder / f".write-probe-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise OutputUnusableError(
            f"cannot write to the output folder {folder} ({error.strerror or error}); choose another --output"
        ) from error
    finally:
        for created in made:  # deepest first: a run that fails later leaves no empty folders behind
            with contextlib.suppress(OSError):
                created.rmdir()


def local_files(config: PipelineConfig, files: list[PlannedFile]) -> list[PlannedFile]:
    """The files with every shard on this machine's disk: uploads and packages read local files."""
    cache = Path(config.state_dir).resolve() / "cache" / "shards"
    return [f.model_copy(update={"shard": local_copy(f.shard, cache)}) for f in files]


@task(persist_result=False, task_run_name="publish_version-{config.dataset_name}")
def publish_version(
    config: PipelineConfig, content_id: str, files: list[PlannedFile], manifest: dict
) -> Published:
    """Not cached on purpose: whether a version exists is a question for the store, every time.

    S3 uploads and their parts are recorded in the metadata database as they go. A version this run
    published is verified (`tasks.verify`) before the run reports it; a failure fails the run.
    """
    metadata = MetadataStore(resolve_database_url(config))
    try:
        progress = UploadLog(metadata, str(flow_run.get_id()))
        store = version_store(config, progress)
        published = publish(store, content_id, local_files(config, files), manifest)
        if not published.up_to_date:  # re-read what training jobs will read before calling it published
            require_valid(published.path, store.client if isinstance(store, S3VersionStore) else None)
        return published
    finally:
        metadata.dispose()


@task(cache_policy=SHARD_CACHE, persist_result=True, task_run_name="write_card-{manifest[dataset]}")
def write_card(manifest: dict, work_dir: str) -> ShardRef:
    """The dataset card, written where the version's other files are staged from."""
    card = render_card(manifest).encode()
    return write_file(work_path(work_dir, "card", manifest, "README.md"), card, card.count(b"\n"))


@task(persist_result=False, task_run_name="package_version-{config.dataset_name}-v{published.version}")
def package_version(
    config: PipelineConfig, published: Published, files: list[PlannedFile], manifest: dict
) -> str:
    """Build the version's ready package from the verified work files and store it create-only."""
    formats = parse_formats(config.package_formats)
    body = manifest | {"version": published.version, "content_id": published.content_id}
    name = package_name(body, formats)
    by_path = {f.path: Path(f.shard.path) for f in local_files(config, files)}
    scratch = Path(config.state_dir).resolve() / "packages" / f".{name}.{os.getpid()}"
    return version_store(config).put_package(pack(body, by_path.__getitem__, formats, scratch), name)


def _run_name(name: str) -> str:
    """A literal task run name: Prefect reads a name string as a template of the task's parameters."""
    return name.replace("{", "{{").replace("}", "}}")


def convert_formats(
    splits: Mapping[str, list[tuple[str, ShardRef]]],
    work: str,
    logger: logging.Logger | logging.LoggerAdapter[Any],
) -> dict[str, dict[str, list[ShardRef]]]:
    """The split shards, each with the name of the gated shard it came from, in every format, `chat`
    (the `{split}/` records) included, as {format: {split: [shard, ...]}}: shard by shard, and the
    preference rows of each whole split."""
    jobs = [
        (fmt, split, name, ref)
        for fmt in PER_SHARD
        for split in SPLITS
        for name, ref in splits[split]
        if ref.records
    ]
    futures = [
        (
            f"{fmt}/{split}/{name}",
            format_shard.with_options(task_run_name=_run_name(f"format_shard-{fmt}-{split}-{name}")).submit(
                ref, fmt, work
            ),
        )
        for fmt, split, name, ref in jobs
    ]
    futures += [
        (
            f"{PREFERENCE}/{split}",
            preference_split.with_options(task_run_name=f"preference_split-{split}").submit(
                [r for _, r in splits[split] if r.records], work
            ),
        )
        for split in SPLITS
    ]
    converted = collect("formats", futures, lambda ref: ref.records, logger)
    targets = [(fmt, split) for fmt, split, _, _ in jobs] + [(PREFERENCE, split) for split in SPLITS]
    formats: dict[str, dict[str, list[ShardRef]]] = {
        fmt: {split: [] for split in SPLITS} for fmt in (*PER_SHARD, PREFERENCE)
    }
    for (fmt, split), ref in zip(targets, converted, strict=True):
        formats[fmt][split].append(ref)
    return formats


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
        duplicates=[r.duplicates for r in gated.routed],
        formats=formats,
    )
    inputs = [doc.model_dump() for doc in sourced.documents]
    version = code_version()
    exported = [ref for refs in splits.values() for ref in refs if ref.records]
    report = diversity_report(exported)
    held_out = held_out_report(formats["bias_eval"])
    manifest = build_manifest(config, version, inputs, stages, files, gated.kinds_per_split, report, held_out)
    manifest["gates"] = {
        gate: {k: t.model_dump() for k, t in kinds.items()} for gate, kinds in gated.tallies.items()
    }
    manifest["pii_replaced"] = gated.pii
    manifest["training_turns"] = turn_report(exported)
    manifest["corpus_normalisation"] = sourced.normalised
    manifest["sources_skipped"] = skipped_summary(sourced.skipped)
    card = PlannedFile(path="README.md", shard=write_card(manifest, work))
    manifest["card"] = card.entry().model_dump()
    content_id = version_content_id(inputs, config.content_settings(), version)
    published = publish_version(config, content_id, [*files, card], manifest)
    if config.package_formats:
        logger.info(f"export: ready package {package_version(config, published, [*files, card], manifest)}")
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
