"""Run metadata tables: what ran, what each stage counted, which documents and versions exist.

Wall-clock times, host names and run ids live here and in Prefect, never in the dataset's bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

# 2: uploads, upload_parts. 3: versions keyed by where they live (published_versions, unique uri) and
# runs with the host and process that ran them.
SCHEMA_VERSION = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


class SchemaVersion(SQLModel, table=True):
    __tablename__ = "schema_version"

    version: int = Field(primary_key=True)
    applied_at: datetime = Field(default_factory=utcnow)


class Run(SQLModel, table=True):
    __tablename__ = "runs"

    id: str = Field(primary_key=True, description="Prefect flow run id")
    dataset: str = Field(index=True)
    seed: int
    config_hash: str
    code_version: str
    status: str = Field(default="running", description="running | completed | failed")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    version: int | None = Field(default=None, description="Dataset version published or found up to date")
    error: str | None = None
    host: str | None = Field(default=None, description="Host name of the process running the flow")
    pid: int | None = Field(default=None, description="Its process id, so a later run can tell it died")


class StageRun(SQLModel, table=True):
    __tablename__ = "stage_runs"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="runs.id", index=True)
    stage: str
    kind: str
    entered: int
    kept: int
    quarantined: int
    deduplicated: int
    seconds: float
    status: str


class SourceDocument(SQLModel, table=True):
    __tablename__ = "source_documents"

    sha256: str = Field(primary_key=True)
    path: str
    bytes: int
    passages: int
    status: str = Field(description="read | quarantined")
    first_run_id: str = Field(foreign_key="runs.id")
    first_seen_at: datetime = Field(default_factory=utcnow)


class DatasetVersion(SQLModel, table=True):
    """A published version, keyed by where it lives: `v1` of a dataset in a local folder and `v1` in an
    S3 bucket are two versions, recorded by whichever run published or first found them."""

    __tablename__ = "published_versions"
    __table_args__ = (UniqueConstraint("uri"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(index=True)
    version: int
    content_id: str = Field(index=True)
    uri: str
    manifest_sha256: str
    records: int
    run_id: str = Field(foreign_key="runs.id")
    created_at: datetime = Field(default_factory=utcnow)


class Upload(SQLModel, table=True):
    """One object upload to S3; `in_progress` rows after a crash are what a rerun resumes."""

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("uri", "upload_id"),)

    id: int | None = Field(default=None, primary_key=True)
    uri: str = Field(index=True)
    upload_id: str = Field(default="", description="S3 multipart upload id; empty for a single PUT")
    bytes: int
    parts: int
    parts_sent: int = 0
    parts_reused: int = 0
    status: str = Field(default="in_progress", description="in_progress | completed")
    flow_run_id: str | None = None
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class UploadPart(SQLModel, table=True):
    __tablename__ = "upload_parts"
    __table_args__ = (UniqueConstraint("upload", "part"),)

    id: int | None = Field(default=None, primary_key=True)
    upload: int = Field(foreign_key="uploads.id", index=True)
    part: int
    etag: str
    bytes: int
    stored_at: datetime = Field(default_factory=utcnow)
