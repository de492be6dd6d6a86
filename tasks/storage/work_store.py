"""Where work shards live: the local state folder, or the saved storage block that holds the checkpoints.

A checkpoint is only reusable where the shards it names can be read. When task results go to a saved
block (an S3Bucket in production), the work shards go into the same block under `work/`, and every
shard location is `block://{block-type}/{block-name}/{path}`: the same string on every machine, so a
run resumed elsewhere computes the same cache keys and reads the same shards.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tasks.settings import BLOCK_SCHEME


def join(location: str, *parts: str) -> str:
    """`location/part/...` without collapsing the `//` of a block location."""
    return "/".join([location.rstrip("/"), *(p.strip("/") for p in parts)])


def is_block(location: str) -> bool:
    return location.startswith(BLOCK_SCHEME)


def split_block(location: str) -> tuple[str, str]:
    """The block's slug (`type/name`) and the path inside it."""
    block_type, name, *path = location[len(BLOCK_SCHEME) :].split("/")
    if not path:
        raise ValueError(f"{location!r} names a block but no path inside it")
    return f"{block_type}/{name}", "/".join(path)


@lru_cache(maxsize=8)
def _filesystem(slug: str) -> Any:
    """The saved block behind `slug`, loaded once per process (workers load it themselves)."""
    from prefect.blocks.core import Block

    block = Block.load(slug)
    if not (hasattr(block, "read_path") and hasattr(block, "write_path")):
        raise TypeError(f"block {slug!r} cannot hold work shards: it has no read_path/write_path")
    return block


def write_bytes(location: str, data: bytes) -> None:
    slug, path = split_block(location)
    _filesystem(slug).write_path(path, data)


def read_bytes(location: str) -> bytes:
    """The object's bytes; FileNotFoundError when the block holds nothing at that path."""
    slug, path = split_block(location)
    try:
        data: bytes = _filesystem(slug).read_path(path)
    except Exception as error:  # each block type reports a missing object its own way
        if _is_missing(error):
            raise FileNotFoundError(location) from error
        raise
    return data


def _is_missing(error: Exception) -> bool:
    if isinstance(error, FileNotFoundError):
        return True
    if isinstance(error, ValueError):  # Prefect's LocalFileSystem: "Path ... does not exist."
        return "does not exist" in str(error)
    code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
    return str(code) in {"NoSuchKey", "404", "NotFound"}
