"""Immutable dataset versions: `{root}/{dataset}/v{N}/`, files first, manifest last.

Publishing is the same protocol wherever versions live (a local folder, an S3 prefix): stage every
file, then commit a version number, which either succeeds atomically or reports the number taken.
An existing version is never touched; of two concurrent runs one wins the number and the other
takes the next one, or finds the winner already holds its content and reports it up to date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson
from pydantic import BaseModel, ConfigDict, Field

from tasks.records import canonical_json
from tasks.shards import ShardRef

MANIFEST = "manifest.json"


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
    content_id: str
    manifest_sha256: str
    records: int = Field(description="Records in the splits")


def version_content_id(inputs: Sequence[dict[str, Any]], settings: dict[str, Any], code_version: str) -> str:
    """Hash of the inputs' sha256s, the content settings (seed included) and the code version."""
    payload = {"inputs": sorted(inputs, key=lambda i: i["path"]), "settings": settings, "code": code_version}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


class VersionStore(Protocol):
    """Where one dataset's versions live; see tasks/storage/ for the local and S3 stores."""

    def recover(self) -> list[int]:
        """Finish or remove what killed runs left half-published; the numbers it completed."""

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        """The highest published version number and its manifest, or None."""

    def stage(self, content_id: str, files: Sequence[PlannedFile]) -> None:
        """Put every file where `commit` can publish it from; resumable, verified."""

    def commit(self, content_id: str, number: int, manifest: bytes) -> bool:
        """Publish the staged files as v{number} with this manifest; False if the number is taken."""

    def discard(self, content_id: str) -> None:
        """Remove what `stage` left, after another run published the same content first."""

    def put_package(self, built: Path, name: str) -> str:
        """Store a built ready package under `{dataset}/packages/name`, create-only; returns its URI."""

    def uri(self, number: int) -> str: ...


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def publish(
    store: VersionStore, content_id: str, files: Sequence[PlannedFile], manifest: dict[str, Any]
) -> Published:
    """Publish the files and manifest as the next version, or report the latest one as up to date."""
    store.recover()
    latest = store.latest()
    if latest and latest[1].get("content_id") == content_id:
        return _published(store, *latest, up_to_date=True)
    store.stage(content_id, files)
    number = latest[0] + 1 if latest else 1
    while True:
        body = encode_manifest({**manifest, "version": number, "content_id": content_id})
        if store.commit(content_id, number, body):
            return _published(store, number, orjson.loads(body), up_to_date=False)
        winner = store.latest()
        if winner and winner[1].get("content_id") == content_id:
            store.discard(content_id)
            return _published(store, *winner, up_to_date=True)
        number = max(number, winner[0] if winner else 0) + 1


def _published(store: VersionStore, number: int, manifest: dict[str, Any], up_to_date: bool) -> Published:
    return Published(
        version=number,
        path=store.uri(number),
        up_to_date=up_to_date,
        content_id=str(manifest.get("content_id")),
        manifest_sha256=hashlib.sha256(encode_manifest(manifest)).hexdigest(),
        records=sum(split["records"] for split in manifest.get("splits", {}).values()),
    )


def listed_files(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every file entry a manifest lists: split parts, extra formats, quarantine, duplicates, plots, card."""
    entries = [f for split in manifest.get("splits", {}).values() for f in split.get("files", [])]
    entries += [
        f for fmt in manifest.get("formats", {}).values() for split in fmt.values() for f in split["files"]
    ]
    entries += manifest.get("quarantine", {}).get("files", [])
    entries += manifest.get("duplicates", {}).get("files", [])
    entries += manifest.get("plots", [])
    return entries + ([manifest["card"]] if manifest.get("card") else [])
