"""The one module that talks to the metadata database (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel, create_engine, select

from tasks.accounting import Counts
from tasks.metadata.models import (
    SCHEMA_VERSION,
    DatasetVersion,
    Run,
    SchemaVersion,
    SourceDocument,
    StageRun,
    Upload,
    UploadPart,
    utcnow,
)
from tasks.settings import PipelineConfig
from tasks.storage.s3 import UploadStats

_log = logging.getLogger(__name__)
_V2_VERSIONS = "dataset_versions"  # schema v2's versions table, keyed by (dataset, version)


def resolve_database_url(config: PipelineConfig) -> str:
    """The first of: the config's URL, the named block, DATABASE_URL, SQLite in the state folder. A
    name given for this run wins over the environment, with a warning when both are set."""
    if config.database_url is not None:
        return config.database_url.get_secret_value()
    if config.database_block:
        from blocks.database import MetadataDatabase

        if os.environ.get("DATABASE_URL"):
            _log.warning(f"database_block {config.database_block!r} is used; DATABASE_URL is ignored")
        block: MetadataDatabase = MetadataDatabase.load(config.database_block)  # type: ignore[assignment]
        return block.url.get_secret_value()
    if url := os.environ.get("DATABASE_URL"):
        return url
    state = Path(config.state_dir).resolve()
    state.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{state / 'metadata.db'}"


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class DocumentRead:
    """A source document as one run read it."""

    sha256: str
    path: str
    bytes: int
    passages: int
    status: str


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer version of this project."""


class MetadataStore:
    """Records runs, stage counts, source documents and dataset versions."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        self._migrate()

    def _session(self) -> Session:
        # Returned rows stay readable after the session closes.
        return Session(self.engine, expire_on_commit=False)

    def _migrate(self) -> None:
        SQLModel.metadata.create_all(self.engine)
        with self._session() as session:
            current = max(session.exec(select(SchemaVersion.version)).all(), default=0)
            if current > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"metadata schema is v{current} but this code knows v{SCHEMA_VERSION}; upgrade the code"
                )
        if 0 < current < 3:
            self._upgrade_to_v3()
        if current < SCHEMA_VERSION:
            with self._session() as session:
                session.add(SchemaVersion(version=SCHEMA_VERSION))
                session.commit()

    def _upgrade_to_v3(self) -> None:
        """Runs gain host and pid; versions move to `published_versions`, keyed by uri, so the same
        dataset and number published to two places are two rows (v2 refused the second)."""
        with self.engine.begin() as connection:
            inspector = inspect(connection)
            columns = {column["name"] for column in inspector.get_columns("runs")}
            for name, sql_type in (("host", "VARCHAR"), ("pid", "INTEGER")):
                if name not in columns:
                    connection.execute(text(f"ALTER TABLE runs ADD COLUMN {name} {sql_type}"))
            if inspector.has_table(_V2_VERSIONS):
                fields = "dataset, version, content_id, uri, manifest_sha256, records, run_id, created_at"
                connection.execute(
                    text(f"INSERT INTO published_versions ({fields}) SELECT {fields} FROM {_V2_VERSIONS}")
                )
                connection.execute(text(f"DROP TABLE {_V2_VERSIONS}"))

    def start_run(self, run: Run) -> None:
        with self._session() as session:
            session.merge(run)
            session.commit()

    def abandon_dead_runs(self, host: str, alive: Callable[[int], bool]) -> list[str]:
        """Mark `abandoned` the runs still `running` that this host started from a process that is gone
        (killed: nothing recorded their end); their ids. Runs of other hosts are left as they are."""
        with self._session() as session:
            query = select(Run).where(Run.status == "running", Run.host == host)
            dead = [run for run in session.exec(query).all() if run.pid is not None and not alive(run.pid)]
            for run in dead:
                run.status, run.finished_at = "abandoned", utcnow()
                run.error = f"process {run.pid} on {host} ended without recording the run's end"
                session.add(run)
            session.commit()
            return [run.id for run in dead]

    def finish_run(
        self, run_id: str, status: str, version: int | None = None, error: str | None = None
    ) -> None:
        with self._session() as session:
            run = session.get(Run, run_id)
            if run is None:
                raise KeyError(f"run {run_id} was never started in the metadata database")
            run.status, run.version, run.error, run.finished_at = status, version, error, utcnow()
            session.add(run)
            session.commit()

    def record_stage(
        self, run_id: str, stage: str, counts: Mapping[str, Counts], seconds: float, status: str
    ) -> None:
        with self._session() as session:
            for kind, c in sorted(counts.items()):
                session.add(
                    StageRun(
                        run_id=run_id,
                        stage=stage,
                        kind=kind,
                        entered=c.entered,
                        kept=c.kept,
                        quarantined=c.quarantined,
                        deduplicated=c.deduplicated,
                        seconds=seconds,
                        status=status,
                    )
                )
            session.commit()

    def record_documents(self, run_id: str, documents: Iterable[DocumentRead]) -> int:
        """Store documents not seen before (by sha256) as first seen in this run; returns how many."""
        new = 0
        with self._session() as session:
            for document in documents:
                if session.get(SourceDocument, document.sha256) is None:
                    session.add(SourceDocument(**asdict(document), first_run_id=run_id))
                    new += 1
            session.commit()
        return new

    def record_version(self, version: DatasetVersion) -> bool:
        """Record a version the first time any run sees it at its uri (published, or found up to date
        after a run that published it died before recording it); whether it was new here."""
        with self._session() as session:
            known = session.exec(select(DatasetVersion).where(DatasetVersion.uri == version.uri)).first()
            if known is not None:
                if known.content_id != version.content_id:
                    raise ValueError(
                        f"{version.uri} is recorded with content {known.content_id[:12]}, not "
                        f"{version.content_id[:12]}: a published version never changes"
                    )
                return False
            session.add(version)
            session.commit()
            return True

    def stage_runs(self, run_id: str) -> list[StageRun]:
        with self._session() as session:
            return list(session.exec(select(StageRun).where(StageRun.run_id == run_id)).all())

    def run(self, run_id: str) -> Run | None:
        with self._session() as session:
            return session.get(Run, run_id)

    def versions(self, dataset: str) -> list[DatasetVersion]:
        with self._session() as session:
            query = select(DatasetVersion).where(DatasetVersion.dataset == dataset)
            return sorted(session.exec(query).all(), key=lambda v: v.version)

    def documents(self) -> list[SourceDocument]:
        with self._session() as session:
            return list(session.exec(select(SourceDocument).order_by(SourceDocument.path)).all())

    def upload_started(self, uri: str, upload_id: str, size: int, parts: int, flow_run_id: str | None) -> int:
        """The id of this upload's row, created on first sight; a resumed upload finds its own."""
        with self._session() as session:
            query = select(Upload).where(Upload.uri == uri, Upload.upload_id == upload_id)
            row = session.exec(query).first()
            if row is None:
                row = Upload(uri=uri, upload_id=upload_id, bytes=size, parts=parts, flow_run_id=flow_run_id)
            row.status = "in_progress"
            session.add(row)
            session.commit()
            return int(row.id or 0)

    def upload_part_stored(self, upload: int, part: int, etag: str, size: int) -> None:
        with self._session() as session:
            query = select(UploadPart).where(UploadPart.upload == upload, UploadPart.part == part)
            if session.exec(query).first() is None:
                session.add(UploadPart(upload=upload, part=part, etag=etag, bytes=size))
                session.commit()

    def upload_finished(self, upload: int, parts_sent: int, parts_reused: int) -> None:
        with self._session() as session:
            row = session.get(Upload, upload)
            if row is None:
                raise KeyError(f"upload {upload} was never started in the metadata database")
            row.parts_sent, row.parts_reused = parts_sent, parts_reused
            row.status, row.finished_at = "completed", utcnow()
            session.add(row)
            session.commit()

    def uploads(self, status: str | None = None) -> list[Upload]:
        with self._session() as session:
            query = select(Upload) if status is None else select(Upload).where(Upload.status == status)
            return list(session.exec(query).all())

    def upload_parts(self, upload: int) -> list[UploadPart]:
        with self._session() as session:
            rows = session.exec(select(UploadPart).where(UploadPart.upload == upload)).all()
            return sorted(rows, key=lambda p: p.part)

    def dispose(self) -> None:
        self.engine.dispose()


class UploadLog:
    """Records an S3 upload's progress in the metadata database (tasks.storage.s3.UploadProgress)."""

    def __init__(self, store: MetadataStore, flow_run_id: str | None) -> None:
        self.store, self.flow_run_id = store, flow_run_id
        self._rows: dict[str, int] = {}

    def started(self, uri: str, upload_id: str | None, size: int, parts: int) -> None:
        self._rows[uri] = self.store.upload_started(uri, upload_id or "", size, parts, self.flow_run_id)

    def part_stored(self, uri: str, part: int, etag: str, size: int) -> None:
        self.store.upload_part_stored(self._rows[uri], part, etag, size)

    def finished(self, uri: str, stats: UploadStats) -> None:
        self.store.upload_finished(self._rows.pop(uri), stats.parts_sent, stats.parts_reused)
