"""Shard I/O: bounded JSONL files of contract models, written atomically and verified on read.

A `ShardRef` is what tasks pass around instead of records: small enough for Prefect results and
cache keys, and carrying the content sha256 so a stale or truncated file is caught on read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict

from tasks.records import canonical_json

Model = TypeVar("Model", bound=BaseModel)

DEFAULT_SHARD_RECORDS = 1_000


class ShardRef(BaseModel):
    """A finished shard on disk: where it is, how many lines, and the sha256 of its bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    records: int
    sha256: str
    bytes: int


class ShardCorruptError(RuntimeError):
    """A shard's bytes no longer match the sha256 recorded when it was written."""


class ShardMissingError(FileNotFoundError):
    """A checkpoint names a work shard that is not on this machine."""


def encode(item: BaseModel | dict[str, object]) -> bytes:
    return canonical_json(item) + b"\n"


def write_shard(path: Path, items: Iterable[BaseModel | dict[str, object]]) -> ShardRef:
    """Write one shard atomically (temp file + rename) so a killed task never leaves half a shard."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    count = size = 0
    with tmp.open("wb") as out:
        for item in items:
            line = encode(item)
            out.write(line)
            digest.update(line)
            count += 1
            size += len(line)
    os.replace(tmp, path)
    return ShardRef(path=str(path), records=count, sha256=digest.hexdigest(), bytes=size)


def write_file(path: Path, data: bytes, records: int) -> ShardRef:
    """Write a shard that is not JSONL (Parquet, a dataset card) atomically, described like any other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return ShardRef(path=str(path), records=records, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))


def write_parts(
    directory: Path, items: Iterable[BaseModel | dict[str, object]], max_records: int = DEFAULT_SHARD_RECORDS
) -> list[ShardRef]:
    """Stream items into `part-NNNNN.jsonl` files of at most `max_records` lines each."""
    refs: list[ShardRef] = []
    batch: list[BaseModel | dict[str, object]] = []
    for item in items:
        batch.append(item)
        if len(batch) == max_records:
            refs.append(write_shard(directory / f"part-{len(refs):05d}.jsonl", batch))
            batch = []
    if batch:
        refs.append(write_shard(directory / f"part-{len(refs):05d}.jsonl", batch))
    return refs


def read_lines(ref: ShardRef) -> Iterator[bytes]:
    """Yield a shard's lines, failing at the end if its bytes differ from the recorded sha256."""
    digest = hashlib.sha256()
    try:
        handle = open(ref.path, "rb")  # noqa: SIM115 - closed below; the generator owns it
    except FileNotFoundError as error:
        raise ShardMissingError(
            f"work shard {ref.path} is missing: its checkpoint was made on another machine or its state "
            "folder was deleted; restore the state folder's work/, or point --result-storage/--state-dir "
            "at fresh locations to recompute"
        ) from error
    with handle:
        yield from _hashed_lines(handle, digest)
    if digest.hexdigest() != ref.sha256:
        raise ShardCorruptError(
            f"shard {ref.path} changed since it was written (sha256 {digest.hexdigest()[:12]} != "
            f"{ref.sha256[:12]}); delete the pipeline state folder's work/ and results/ and run again"
        )


def _hashed_lines(handle: IO[bytes], digest: hashlib._Hash) -> Iterator[bytes]:
    for line in handle:
        digest.update(line)
        yield line


def read_models(ref: ShardRef, model: type[Model]) -> Iterator[Model]:
    """Yield a shard's lines parsed as `model`; our own shards are trusted to be well formed."""
    for line in read_lines(ref):
        yield model.model_validate(orjson.loads(line))


def read_all(refs: Iterable[ShardRef], model: type[Model]) -> Iterator[Model]:
    for ref in refs:
        yield from read_models(ref, model)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
