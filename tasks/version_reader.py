"""Read a published version's files wherever it lives, so one verifier serves a folder and S3.

A reader lists every file under the version (relative paths, the manifest included) and streams
any one of them; nothing is cached, so a check sees what a training job downloading it would see.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

CHUNK = 1 << 20
S3_CLAIM = "_CLAIM"  # S3VersionStore's create-only claim of a version number: bookkeeping, not content


class VersionReader(Protocol):
    """The files of one version."""

    uri: str

    def paths(self) -> set[str]:
        """Every file under the version, as paths relative to it."""

    def chunks(self, path: str) -> Iterator[bytes]:
        """The bytes of one file; FileNotFoundError if it is not there."""


class FolderReader:
    """A version folder on this machine (or a mounted network folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.uri = str(root)

    def paths(self) -> set[str]:
        return {p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if not p.is_dir()}

    def chunks(self, path: str) -> Iterator[bytes]:
        with (self.root / path).open("rb") as handle:
            while block := handle.read(CHUNK):
                yield block


class S3Reader:
    """A version prefix in an S3 bucket, read through a boto3 client."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")
        self.uri = f"s3://{bucket}/{self.prefix}"

    def paths(self) -> set[str]:
        found: set[str] = set()
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + "/"
        )
        for page in pages:
            found |= {o["Key"][len(self.prefix) + 1 :] for o in page.get("Contents", [])}
        return found - {S3_CLAIM}

    def chunks(self, path: str) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=f"{self.prefix}/{path}")["Body"]
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(f"{self.uri}/{path}") from error
        yield from body.iter_chunks(CHUNK)


def read_all(reader: VersionReader, path: str) -> bytes:
    return b"".join(reader.chunks(path))


def open_version(uri: str, client: Any | None = None) -> VersionReader:
    """A reader for a version folder path or an `s3://bucket/prefix/{dataset}/v{N}` URI."""
    if uri.startswith("s3://"):
        from tasks.storage.s3 import S3Location, s3_client

        location = S3Location.parse(uri)
        return S3Reader(client or s3_client(), location.bucket, location.prefix)
    return FolderReader(Path(uri))
