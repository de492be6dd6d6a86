"""Run metadata tables: what ran, what each stage counted, which documents and versions exist.

Wall-clock times, host names and run ids live here and in Prefect, never in the dataset's bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 1


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
    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(index=True)
    version: int
    content_id: str = Field(index=True)
    uri: str
    manifest_sha256: str
    records: int
    run_id: str = Field(foreign_key="runs.id")
    created_at: datetime = Field(default_factory=utcnow)
