"""Shard I/O: bounded JSONL files of contract models, written atomically and verified on read.

A `ShardRef` is what tasks pass around instead of records: small enough for Prefect results and
cache keys, and carrying the content sha256 so a stale or truncated file is caught on read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import IO, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict

from tasks.records import canonical_json
from tasks.storage import work_store

Model = TypeVar("Model", bound=BaseModel)

DEFAULT_SHARD_RECORDS = 1_000


class ShardRef(BaseModel):
    """A finished shard (local path or `block://` location), its line count and the sha256 of its bytes."""

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


def write_shard(location: str | Path, items: Iterable[BaseModel | dict[str, object]]) -> ShardRef:
    """Write one shard atomically so a killed task never leaves half a shard behind.

    Locally that is a temp file and a rename; in a storage block it is one put of the whole shard.
    """
    if work_store.is_block(str(location)):
        lines = b"".join(encode(item) for item in items)
        return write_file(location, lines, lines.count(b"\n"))
    path = Path(location)
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


def write_file(location: str | Path, data: bytes, records: int) -> ShardRef:
    """Write a shard that is not JSONL (Parquet, a dataset card) atomically, described like any other."""
    if work_store.is_block(str(location)):
        work_store.write_bytes(str(location), data)
    else:
        path = Path(location)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return ShardRef(
        path=str(location), records=records, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data)
    )


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


def _missing(ref: ShardRef) -> ShardMissingError:
    return ShardMissingError(
        f"work shard {ref.path} is missing: its checkpoint was made on another machine or its state "
        "folder was deleted; restore the state folder's work/, keep checkpoints and work shards together "
        "in a saved --result-storage block, or point --result-storage/--state-dir at fresh locations"
    )


def _corrupt(ref: ShardRef, actual: str) -> ShardCorruptError:
    return ShardCorruptError(
        f"shard {ref.path} changed since it was written (sha256 {actual[:12]} != {ref.sha256[:12]}); "
        "delete the pipeline state folder's work/ and results/ and run again"
    )


def read_lines(ref: ShardRef) -> Iterator[bytes]:
    """Yield a shard's lines, failing at the end if its bytes differ from the recorded sha256."""
    if work_store.is_block(ref.path):
        yield from read_bytes(ref).splitlines(keepends=True)
        return
    digest = hashlib.sha256()
    try:
        handle = open(ref.path, "rb")  # noqa: SIM115 - closed below; the generator owns it
    except FileNotFoundError as error:
        raise _missing(ref) from error
    with handle:
        yield from _hashed_lines(handle, digest)
    if digest.hexdigest() != ref.sha256:
        raise _corrupt(ref, digest.hexdigest())


def read_bytes(ref: ShardRef) -> bytes:
    """A whole shard's bytes, verified against its sha256."""
    try:
        data = (
            work_store.read_bytes(ref.path) if work_store.is_block(ref.path) else Path(ref.path).read_bytes()
        )
    except FileNotFoundError as error:
        raise _missing(ref) from error
    actual = hashlib.sha256(data).hexdigest()
    if actual != ref.sha256:
        raise _corrupt(ref, actual)
    return data


def local_copy(ref: ShardRef, cache: Path) -> ShardRef:
    """The shard as a local file (itself when local; else a verified copy in `cache`, kept by sha256)."""
    if not work_store.is_block(ref.path):
        return ref
    target = cache / ref.sha256[:2] / f"{ref.sha256}{Path(ref.path).suffix}"
    if not (target.exists() and sha256_file(target) == ref.sha256):
        write_file(target, read_bytes(ref), ref.records)
    return ref.model_copy(update={"path": str(target)})


def _hashed_lines(handle: IO[bytes], digest: hashlib._Hash) -> Iterator[bytes]:
    for line in handle:
        digest.update(line)
        yield line


def read_models(ref: ShardRef, model: type[Model], skip: Collection[int] = ()) -> Iterator[Model]:
    """Yield a shard's lines parsed as `model`, less the line numbers (from 0) in `skip`, which are
    not parsed; our own shards are trusted to be well formed."""
    for number, line in enumerate(read_lines(ref)):
        if number not in skip:
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
