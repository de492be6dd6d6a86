"""Dataset versions on S3-compatible storage (OVH in production), and `S3DatasetLoader`, the small
public API training jobs use to find, download and stream them.

Uploads are resumable: large files go up as multipart uploads, and a restarted upload lists the
parts the server already holds and sends only the rest. Every object is verified after upload by
its ETag (MD5 of the bytes, or of the part MD5s for multipart uploads), which OVH, MinIO and AWS
all compute. A version is published by claiming its number with a create-only write, copying
the staged objects into `v{N}/`, and writing the manifest last, also create-only.

Staging is per run (`.staging/{content id}-{run token}/`), so two runs of the same content never
remove each other's objects. The claim holds everything needed to finish the version (the staging
prefix, the staged files' sizes, the manifest), so a run killed between claim and manifest leaves
work the next run completes: it copies what is staged and writes the manifest, byte for byte what
the killed run would have written; a claim whose staged files are gone cannot be completed, and its
partial `v{N}/` is removed so the number is taken again. Staging that no run has written to for
`STALE_STAGING` (objects and unfinished multipart uploads) is removed by the next publishing run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import orjson
from botocore.config import Config
from botocore.exceptions import ClientError

from tasks.export.publish import MANIFEST, PlannedFile, Published, listed_files, publish
from tasks.export.ready_packages import PackageExistsError
from tasks.shards import ShardRef

PART_SIZE = 8 * 1024 * 1024  # S3's minimum part is 5 MiB; 8 MiB keeps request counts low
_CLAIM = "_CLAIM"
_STAGING = ".staging"
_STARTED = "_STARTED"  # the first object a run stages: its folder's age counts from here
# Staging untouched this long belongs to a run that died; a live run writes far more often than this.
STALE_STAGING = timedelta(hours=24)

_log = logging.getLogger(__name__)

S3Client = Any


class UploadVerificationError(RuntimeError):
    """The server holds different bytes than were sent."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"{uri!r} is not an s3://bucket/prefix URI")
        return cls(bucket=parsed.netloc, prefix=parsed.path.strip("/"))

    def key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p)


def is_s3_uri(uri: str) -> bool:
    return uri.startswith("s3://")


def s3_client(credentials: Any | None = None) -> S3Client:
    """A boto3 S3 client for OVH_S3_ENDPOINT (path-style, adaptive retries on SlowDown/503).

    Credentials come from a prefect-aws `AwsCredentials` block when given, else from
    OVH_S3_ACCESS_KEY / OVH_S3_SECRET_KEY, else from boto3's usual chain.
    """
    import boto3

    endpoint = os.environ.get("OVH_S3_ENDPOINT")
    config = Config(
        retries={"mode": "adaptive", "max_attempts": 10},
        s3={"addressing_style": "path"} if endpoint else {},
    )
    if credentials is not None:  # the block's own client parameters (endpoint, retries) apply
        return credentials.get_client("s3")
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=os.environ.get("OVH_S3_REGION"),
        aws_access_key_id=os.environ.get("OVH_S3_ACCESS_KEY"),
        aws_secret_access_key=os.environ.get("OVH_S3_SECRET_KEY"),
        config=config,
    )


def expected_etag(path: Path, part_size: int = PART_SIZE) -> str:
    """The ETag S3 computes for this file uploaded whole (small) or in `part_size` parts (large)."""
    digests = [hashlib.md5(chunk, usedforsecurity=False).digest() for chunk in _chunks(path, part_size)]
    if path.stat().st_size <= part_size:
        return digests[0].hex() if digests else hashlib.md5(b"", usedforsecurity=False).hexdigest()
    combined = hashlib.md5(b"".join(digests), usedforsecurity=False).hexdigest()
    return f"{combined}-{len(digests)}"


def _chunks(path: Path, size: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


@dataclass
class UploadStats:
    """What one upload call sent; `parts_reused` are parts a killed upload had already stored."""

    bytes_sent: int = 0
    parts_sent: int = 0
    parts_reused: int = 0
    skipped: bool = False


def _etag(client: S3Client, bucket: str, key: str) -> str | None:
    try:
        return str(client.head_object(Bucket=bucket, Key=key)["ETag"]).strip('"')
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


class UploadProgress(Protocol):
    """Told what an upload does as it goes, so an interrupted one can be seen and accounted for."""

    def started(self, uri: str, upload_id: str | None, size: int, parts: int) -> None: ...

    def part_stored(self, uri: str, part: int, etag: str, size: int) -> None: ...

    def finished(self, uri: str, stats: UploadStats) -> None: ...


def upload_file(
    client: S3Client,
    path: Path,
    bucket: str,
    key: str,
    part_size: int = PART_SIZE,
    progress: UploadProgress | None = None,
) -> UploadStats:
    """Upload `path` to `key`, resuming a multipart upload left by a killed run; verified by ETag."""
    stats = UploadStats()
    expected = expected_etag(path, part_size)
    if _etag(client, bucket, key) == expected:
        return UploadStats(skipped=True)
    size, uri = path.stat().st_size, f"s3://{bucket}/{key}"
    if size <= part_size:
        if progress:
            progress.started(uri, None, size, 1)
        client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
        stats.bytes_sent, stats.parts_sent = size, 1
        if progress:
            progress.part_stored(uri, 1, expected, size)
    else:
        _multipart(client, path, bucket, key, part_size, stats, progress)
    if _etag(client, bucket, key) != expected:
        raise UploadVerificationError(f"{uri} does not match {path} after upload")
    if progress:
        progress.finished(uri, stats)
    return stats


def _multipart(
    client: S3Client,
    path: Path,
    bucket: str,
    key: str,
    part_size: int,
    stats: UploadStats,
    progress: UploadProgress | None,
) -> None:
    upload_id, stored = _resume_or_start(client, bucket, key)
    uri, size = f"s3://{bucket}/{key}", path.stat().st_size
    if progress:
        progress.started(uri, upload_id, size, -(-size // part_size))
    parts = []
    for number, chunk in enumerate(_chunks(path, part_size), start=1):
        etag = hashlib.md5(chunk, usedforsecurity=False).hexdigest()
        if stored.get(number) == etag:
            stats.parts_reused += 1
        else:
            client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=chunk)
            stats.parts_sent += 1
            stats.bytes_sent += len(chunk)
            if progress:
                progress.part_stored(uri, number, etag, len(chunk))
        parts.append({"PartNumber": number, "ETag": f'"{etag}"'})
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
    )


def _resume_or_start(client: S3Client, bucket: str, key: str) -> tuple[str, dict[int, str]]:
    """The newest unfinished upload of `key` and the ETags of its stored parts, or a new upload."""
    uploads = [
        u
        for u in client.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
        if u["Key"] == key
    ]
    if not uploads:
        return client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"], {}
    upload_id = max(uploads, key=lambda u: u["Initiated"])["UploadId"]
    stored: dict[int, str] = {}
    for page in client.get_paginator("list_parts").paginate(Bucket=bucket, Key=key, UploadId=upload_id):
        stored.update({p["PartNumber"]: str(p["ETag"]).strip('"') for p in page.get("Parts", [])})
    return upload_id, stored


def _put_once(client: S3Client, bucket: str, key: str, body: bytes) -> bool:
    """Create-only write: False if the key already exists."""
    try:
        client.put_object(Bucket=bucket, Key=key, Body=body, IfNoneMatch="*")
    except ClientError as error:
        if error.response["Error"]["Code"] in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
            return False
        raise
    return True


def honours_create_only(client: S3Client, location: S3Location, dataset: str) -> bool:
    """Write one probe object create-only twice: a store that honours `If-None-Match: *` refuses
    the second. One that does not would let two runs publish the same version number."""
    key = location.key(dataset, _STAGING, f"probe-{uuid.uuid4().hex[:12]}", "probe")
    try:
        return _put_once(client, location.bucket, key, b"") and not _put_once(
            client, location.bucket, key, b""
        )
    finally:
        client.delete_object(Bucket=location.bucket, Key=key)


@dataclass
class S3VersionStore:
    """`s3://bucket/prefix/{dataset}/v{N}/`; staging under `{dataset}/.staging/{content id}-{run token}/`."""

    client: S3Client
    location: S3Location
    dataset: str
    stats: UploadStats = field(default_factory=UploadStats)
    progress: UploadProgress | None = None
    run_token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    stale_after: timedelta = STALE_STAGING
    _staged: dict[str, int] = field(default_factory=dict)

    def _key(self, *parts: str) -> str:
        return self.location.key(self.dataset, *parts)

    def _staging(self, content_id: str) -> str:
        return self._key(_STAGING, f"{content_id}-{self.run_token}")

    def _numbered(self) -> list[int]:
        """Every `v{N}/` prefix, published or not, oldest first."""
        numbers = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.location.bucket, Prefix=self._key("") + "/", Delimiter="/"
        ):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"].rstrip("/").rsplit("/", 1)[-1]
                if name[:1] == "v" and name[1:].isdigit():
                    numbers.append(int(name[1:]))
        return sorted(numbers)

    def _published(self, number: int) -> bool:
        return _etag(self.client, self.location.bucket, self._key(f"v{number}", MANIFEST)) is not None

    def versions(self) -> list[int]:
        """Published versions (those with a manifest), oldest first."""
        return [n for n in self._numbered() if self._published(n)]

    def manifest(self, number: int) -> dict[str, Any]:
        body = self.client.get_object(Bucket=self.location.bucket, Key=self._key(f"v{number}", MANIFEST))[
            "Body"
        ]
        return dict(orjson.loads(body.read()))

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        numbers = self.versions()
        return (numbers[-1], self.manifest(numbers[-1])) if numbers else None

    def recover(self) -> list[int]:
        """Complete the versions killed runs claimed but never published, remove those that cannot
        be completed, and remove staging no run has written to for `stale_after`; returns the
        numbers completed."""
        completed = []
        for number in self._numbered():
            if self._published(number):
                continue
            claim = self._claim(number)
            if claim is not None and self._complete(number, claim):
                _log.warning(f"completed {self.uri(number)}, which a run claimed and did not publish")
                completed.append(number)
            elif not self._published(number):  # checked again: its owner may have just finished
                _log.warning(f"removed {self.uri(number)}: claimed, never published, its staging is gone")
                self._delete_prefix(self._key(f"v{number}") + "/", last=self._key(f"v{number}", _CLAIM))
        self._remove_stale_staging()
        return completed

    def _claim(self, number: int) -> dict[str, Any] | None:
        """The claim's record of what to publish, or None when there is none or it cannot be read."""
        try:
            body = self.client.get_object(Bucket=self.location.bucket, Key=self._key(f"v{number}", _CLAIM))
            claim = orjson.loads(body["Body"].read())
        except (ClientError, orjson.JSONDecodeError):
            return None
        return claim if isinstance(claim, dict) and {"staging", "files", "manifest"} <= claim.keys() else None

    def _complete(self, number: int, claim: dict[str, Any]) -> bool:
        """Publish a claimed version from the staging its claim names, when all of it is still there."""
        staged = self._sizes(claim["staging"] + "/")
        if any(staged.get(f"{claim['staging']}/{path}") != size for path, size in claim["files"].items()):
            return False
        self._copy_staged(claim["staging"], number, claim["files"])
        _put_once(
            self.client, self.location.bucket, self._key(f"v{number}", MANIFEST), claim["manifest"].encode()
        )
        return True

    def _copy_staged(self, staging: str, number: int, paths: Iterable[str]) -> None:
        bucket = self.location.bucket
        for path in paths:
            self.client.copy(
                {"Bucket": bucket, "Key": f"{staging}/{path}"}, bucket, self._key(f"v{number}", path)
            )

    def _sizes(self, prefix: str) -> dict[str, int]:
        return {o["Key"]: o["Size"] for o in self._objects(prefix)}

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.location.bucket, Prefix=prefix
        ):
            yield from page.get("Contents", [])

    def _delete_prefix(self, prefix: str, last: str | None = None) -> None:
        """Delete every object under `prefix`; `last`, if given, after all the others."""
        keys = [o["Key"] for o in self._objects(prefix) if o["Key"] != last]
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.location.bucket, Delete={"Objects": batch})
        if last is not None:
            self.client.delete_object(Bucket=self.location.bucket, Key=last)

    def _remove_stale_staging(self) -> None:
        """Remove staging folders no run has written to for `stale_after`, with their unfinished
        uploads. A folder's age is its newest object's, and every run writes `_STARTED` first."""
        bucket, root = self.location.bucket, self._key(_STAGING) + "/"
        cutoff = datetime.now(UTC) - self.stale_after

        def folder_of(key: str) -> str:
            return key[len(root) :].split("/", 1)[0]

        newest: dict[str, datetime] = {}
        for obj in self._objects(root):
            folder = folder_of(obj["Key"])
            newest[folder] = max(newest.get(folder, obj["LastModified"]), obj["LastModified"])
        stale = {folder for folder, modified in newest.items() if modified <= cutoff}
        for folder in sorted(stale):
            self._delete_prefix(f"{root}{folder}/")
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=root):
            for upload in page.get("Uploads", []):
                folder = folder_of(upload["Key"])
                if folder in stale or (folder not in newest and upload["Initiated"] <= cutoff):
                    self.client.abort_multipart_upload(
                        Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )

    def stage(self, content_id: str, files: Sequence[PlannedFile]) -> None:
        staging = self._staging(content_id)
        self.client.put_object(Bucket=self.location.bucket, Key=f"{staging}/{_STARTED}", Body=b"")
        for planned in files:
            self._upload_verified_shard(planned, f"{staging}/{planned.path}")
        self._staged = {planned.path: planned.shard.bytes for planned in files}

    def _upload_verified_shard(self, planned: PlannedFile, key: str) -> None:
        path = Path(planned.shard.path)
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest != planned.shard.sha256:
            raise UploadVerificationError(f"work shard {path} changed since it was written; run again")
        sent = upload_file(self.client, path, self.location.bucket, key, progress=self.progress)
        self.stats.bytes_sent += sent.bytes_sent
        self.stats.parts_sent += sent.parts_sent
        self.stats.parts_reused += sent.parts_reused

    def commit(self, content_id: str, number: int, manifest: bytes) -> bool:
        bucket, staging = self.location.bucket, self._staging(content_id)
        claim = self._key(f"v{number}", _CLAIM)
        record = {
            "content_id": content_id,
            "staging": staging,
            "files": self._staged,
            "manifest": manifest.decode(),
        }
        if not _put_once(self.client, bucket, claim, orjson.dumps(record)):
            holder = self._claim(number)
            if holder is None or holder.get("content_id") != content_id:  # another run's: the number is taken
                return False
        self._copy_staged(staging, number, self._staged)
        if not _put_once(self.client, bucket, self._key(f"v{number}", MANIFEST), manifest):
            return False
        self.discard(content_id)
        return True

    def discard(self, content_id: str) -> None:
        self._delete_prefix(self._staging(content_id) + "/")

    def put_package(self, built: Path, name: str) -> str:
        key = self._key("packages", name)
        try:
            existing = _etag(self.client, self.location.bucket, key)
            if existing is None:
                upload_file(self.client, built, self.location.bucket, key)
            elif existing != expected_etag(built):
                raise PackageExistsError(
                    f"s3://{self.location.bucket}/{key} exists with other contents; publish a new version"
                )
        finally:
            built.unlink()
        return f"s3://{self.location.bucket}/{key}"

    def uri(self, number: int) -> str:
        return f"s3://{self.location.bucket}/{self._key(f'v{number}')}"


class S3DatasetLoader:
    """Public API for dataset versions on S3; kept backward compatible.

    >>> loader = S3DatasetLoader("s3://datasets/mental-health")      # OVH_S3_* from the environment
    >>> loader.list_versions("mental-health-support")                # [1, 2]
    >>> for record in loader.load_split("mental-health-support", "train"): ...
    """

    def __init__(self, root: str, client: S3Client | None = None) -> None:
        self.location = S3Location.parse(root)
        self.client = client or s3_client()

    def _store(self, dataset: str) -> S3VersionStore:
        return S3VersionStore(self.client, self.location, dataset)

    def list_versions(self, dataset: str) -> list[int]:
        """Published version numbers, oldest first."""
        return self._store(dataset).versions()

    def exists(self, dataset: str, version: int) -> bool:
        return version in self.list_versions(dataset)

    def upload_dataset(self, version_dir: Path, dataset: str) -> Published:
        """Publish a local version folder (one with a manifest) as this dataset's next S3 version."""
        manifest = orjson.loads((version_dir / MANIFEST).read_bytes())
        files = [_planned_from_entry(version_dir, entry) for entry in listed_files(manifest)]
        body = {k: v for k, v in manifest.items() if k not in ("version", "content_id")}
        return publish(self._store(dataset), manifest["content_id"], files, body)

    def download_dataset(self, dataset: str, version: int, destination: Path) -> Path:
        """Download a version's files and manifest into `destination`, verifying every sha256."""
        store = self._store(dataset)
        manifest = store.manifest(version)
        for entry in listed_files(manifest):
            target = destination / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            body = self.client.get_object(
                Bucket=self.location.bucket, Key=store._key(f"v{version}", entry["path"])
            )
            data = body["Body"].read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise UploadVerificationError(f"{entry['path']} of v{version} does not match its manifest")
            target.write_bytes(data)
        (destination / MANIFEST).write_bytes(
            self.client.get_object(Bucket=self.location.bucket, Key=store._key(f"v{version}", MANIFEST))[
                "Body"
            ].read()
        )
        return destination

    def load_split(self, dataset: str, split: str, version: int | None = None) -> Iterator[dict[str, Any]]:
        """Stream one split's records (the latest version by default), checking each file's sha256."""
        store = self._store(dataset)
        number = version if version is not None else store.versions()[-1]
        for entry in store.manifest(number)["splits"][split]["files"]:
            body = self.client.get_object(
                Bucket=self.location.bucket, Key=store._key(f"v{number}", entry["path"])
            )
            digest = hashlib.sha256()
            for line in body["Body"].iter_lines(keepends=True):
                digest.update(line)
                yield orjson.loads(line)
            if digest.hexdigest() != entry["sha256"]:
                raise UploadVerificationError(f"{entry['path']} of v{number} does not match its manifest")


def _planned_from_entry(version_dir: Path, entry: dict[str, Any]) -> PlannedFile:
    shard = ShardRef(
        path=str(version_dir / entry["path"]),
        records=entry["records"],
        sha256=entry["sha256"],
        bytes=entry["bytes"],
    )
    return PlannedFile(path=entry["path"], shard=shard)
