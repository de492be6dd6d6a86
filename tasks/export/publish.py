"""Immutable dataset versions on local disk: `{root}/{dataset}/v{N}/`, manifest written last.

A version is staged in a hidden folder and published by one atomic rename, so readers see a whole
version or none; a folder that already exists is never touched, and of two concurrent runs one
wins the number and the other takes the next one (or finds the winner already holds its content).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from tasks.records import canonical_json
from tasks.shards import ShardRef, read_lines

MANIFEST = "manifest.json"
_STAGING_PREFIX = ".staging-"


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    sha256: str
    records: int
    bytes: int


class PlannedFile(BaseModel):
    """A file of the version (path relative to the version folder) and the shard it copies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    shard: ShardRef

    def entry(self) -> FileEntry:
        return FileEntry(
            path=self.path, sha256=self.shard.sha256, records=self.shard.records, bytes=self.shard.bytes
        )


class Published(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    path: str
    up_to_date: bool
    manifest_sha256: str


def version_content_id(inputs: Sequence[dict[str, Any]], settings: dict[str, Any], code_version: str) -> str:
    """Hash of the inputs' sha256s, the content settings (seed included) and the code version."""
    payload = {"inputs": sorted(inputs, key=lambda i: i["path"]), "settings": settings, "code": code_version}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def latest_version(dataset_dir: Path) -> tuple[int, dict[str, Any]] | None:
    """The highest published version and its manifest, or None for a new dataset."""
    numbers = sorted(
        (
            int(p.name[1:])
            for p in dataset_dir.glob("v*")
            if p.name[1:].isdigit() and (p / MANIFEST).is_file()
        ),
        reverse=True,
    )
    if not numbers:
        return None
    return numbers[0], orjson.loads((dataset_dir / f"v{numbers[0]}" / MANIFEST).read_bytes())


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def _copy_verified(shard: ShardRef, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("xb") as out:
        for line in read_lines(shard):
            out.write(line)


def _remove_abandoned_staging(dataset_dir: Path) -> None:
    """Staging folders of runs that died (their process is gone) are removed; live ones are left."""
    for staging in dataset_dir.glob(f"{_STAGING_PREFIX}*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(
    dataset_dir: Path, content_id: str, files: Sequence[PlannedFile], manifest: dict[str, Any]
) -> Published:
    """Publish the files and manifest as the next version, or report the latest one as up to date."""
    dataset_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(dataset_dir)
    latest = latest_version(dataset_dir)
    if latest and latest[1].get("content_id") == content_id:
        return _up_to_date(dataset_dir, latest[0])
    staging = dataset_dir / f"{_STAGING_PREFIX}{content_id[:16]}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for planned in files:
        _copy_verified(planned.shard, staging / planned.path)
    number = latest[0] + 1 if latest else 1
    while True:
        body = encode_manifest({**manifest, "version": number, "content_id": content_id})
        (staging / MANIFEST).write_bytes(body)
        try:
            os.rename(staging, dataset_dir / f"v{number}")
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            winner = latest_version(dataset_dir)
            if winner and winner[1].get("content_id") == content_id:
                shutil.rmtree(staging, ignore_errors=True)
                return _up_to_date(dataset_dir, winner[0])
            number += 1
            continue
        path = dataset_dir / f"v{number}"
        return Published(
            version=number, path=str(path), up_to_date=False, manifest_sha256=hashlib.sha256(body).hexdigest()
        )


def _up_to_date(dataset_dir: Path, number: int) -> Published:
    path = dataset_dir / f"v{number}"
    digest = hashlib.sha256((path / MANIFEST).read_bytes()).hexdigest()
    return Published(version=number, path=str(path), up_to_date=True, manifest_sha256=digest)
