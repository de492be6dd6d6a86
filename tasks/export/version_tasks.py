"""The tasks that turn planned files into a version: the plots, the card, the create-only publish
(verified before it counts) and the ready package."""

from __future__ import annotations

import os
from pathlib import Path

from prefect import task
from prefect.runtime import flow_run

from tasks.caching import SHARD_CACHE, work_path
from tasks.export.card import render_card
from tasks.export.destination import local_files, version_store
from tasks.export.format_names import parse_formats
from tasks.export.plots import render_plots
from tasks.export.publish import PlannedFile, Published, publish
from tasks.export.ready_packages import pack, package_name
from tasks.metadata.store import MetadataStore, UploadLog, resolve_database_url
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef, write_file
from tasks.storage.s3 import S3VersionStore
from tasks.verify import require_valid


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


@task(cache_policy=SHARD_CACHE, persist_result=True, task_run_name="write_plots-{manifest[dataset]}")
def write_plots(manifest: dict, work_dir: str) -> list[PlannedFile]:
    """The version's figures (`plots/*.png`), drawn from the manifest's numbers and staged with its files."""
    staged = {
        name: write_file(work_path(work_dir, "plots", manifest, name), png, 0)
        for name, png in render_plots(manifest).items()
    }
    return [PlannedFile(path=f"plots/{name}", shard=shard) for name, shard in staged.items()]


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
