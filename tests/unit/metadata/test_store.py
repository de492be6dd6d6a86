import pytest
import sqlalchemy

from tasks.accounting import Counts
from tasks.metadata.models import SCHEMA_VERSION, DatasetVersion, Run, SchemaVersion
from tasks.metadata.store import DocumentRead, MetadataStore, SchemaTooNewError, resolve_database_url
from tasks.settings import PipelineConfig


def version(**changes: object) -> DatasetVersion:
    """A fresh row (a copy of a stored one would share its session identity) for ds v1."""
    fields: dict[str, object] = {"dataset": "ds", "version": 1, "content_id": "x", "uri": "/o/ds/v1"}
    return DatasetVersion(**fields | {"manifest_sha256": "m", "records": 2, "run_id": "r1"} | changes)


def exercise(store: MetadataStore) -> None:
    """Every table written and read back; shared with the PostgreSQL integration test."""
    store.start_run(Run(id="r1", dataset="ds", seed=1, config_hash="h", code_version="c"))
    store.record_stage(
        "r1", "dedup", {"therapeutic": Counts(entered=3, kept=2, deduplicated=1)}, 1.5, "completed"
    )
    doc = DocumentRead(sha256="s" * 64, path="a.txt", bytes=10, passages=2, status="read")
    assert store.record_documents("r1", [doc]) == 1
    assert store.record_documents("r1", [doc]) == 0
    assert store.record_version(version())
    elsewhere = {"content_id": "y", "uri": "s3://b/ds/v1", "manifest_sha256": "n"}
    assert store.record_version(version(**elsewhere))  # the same dataset and number elsewhere: another one
    assert not store.record_version(version(**elsewhere))  # found again: recorded once
    with pytest.raises(ValueError, match="a published version never changes"):
        store.record_version(version(**elsewhere | {"content_id": "z"}))
    store.start_run(Run(id="dead", dataset="ds", seed=1, config_hash="h", code_version="c", host="h", pid=7))
    store.start_run(Run(id="alive", dataset="ds", seed=1, config_hash="h", code_version="c", host="h", pid=8))
    store.start_run(Run(id="away", dataset="ds", seed=1, config_hash="h", code_version="c", host="g", pid=7))
    assert store.abandon_dead_runs("h", alive=lambda pid: pid == 8) == ["dead"]
    abandoned = store.run("dead")
    assert (
        abandoned is not None
        and abandoned.status == "abandoned"
        and "process 7 on h" in (abandoned.error or "")
    )
    assert [getattr(store.run(r), "status", None) for r in ("alive", "away")] == ["running", "running"]
    store.finish_run("r1", "completed", version=1)
    upload = store.upload_started("s3://b/k", "u-1", size=20, parts=2, flow_run_id="r1")
    assert store.upload_started("s3://b/k", "u-1", size=20, parts=2, flow_run_id="r1") == upload
    store.upload_part_stored(upload, 2, "e2", 10)
    store.upload_part_stored(upload, 1, "e1", 10)
    store.upload_part_stored(upload, 1, "e1", 10)
    store.upload_finished(upload, parts_sent=2, parts_reused=0)

    run = store.run("r1")
    assert run is not None and (run.status, run.version) == ("completed", 1) and run.finished_at
    [stage] = store.stage_runs("r1")
    assert (stage.stage, stage.kind, stage.entered, stage.kept, stage.deduplicated) == (
        "dedup",
        "therapeutic",
        3,
        2,
        1,
    )
    assert [d.first_run_id for d in store.documents()] == ["r1"]
    assert sorted((v.version, v.uri) for v in store.versions("ds")) == [(1, "/o/ds/v1"), (1, "s3://b/ds/v1")]
    [row] = store.uploads(status="completed")
    assert (row.uri, row.parts_sent, row.finished_at is not None) == ("s3://b/k", 2, True)
    assert [(p.part, p.etag) for p in store.upload_parts(upload)] == [(1, "e1"), (2, "e2")]


V2_SCHEMA = (
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)",
    "CREATE TABLE runs (id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, seed INTEGER NOT NULL,"
    " config_hash VARCHAR NOT NULL, code_version VARCHAR NOT NULL, status VARCHAR NOT NULL,"
    " started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, version INTEGER, error VARCHAR)",
    "CREATE TABLE dataset_versions (id INTEGER PRIMARY KEY, dataset VARCHAR NOT NULL,"
    " version INTEGER NOT NULL, content_id VARCHAR NOT NULL, uri VARCHAR NOT NULL,"
    " manifest_sha256 VARCHAR NOT NULL, records INTEGER NOT NULL,"
    " run_id VARCHAR NOT NULL REFERENCES runs(id), created_at TIMESTAMP NOT NULL, UNIQUE (dataset, version))",
    "INSERT INTO schema_version VALUES (2, '2026-11-01 10:00:00')",
    "INSERT INTO runs VALUES ('r0', 'ds', 1, 'h', 'c', 'completed', '2026-11-01 10:00:00', NULL, 1, NULL)",
    "INSERT INTO dataset_versions VALUES (1, 'ds', 1, 'x', '/o/ds/v1', 'm', 5, 'r0', '2026-11-01 10:05:00')",
)


def upgraded_from_v2(url: str) -> MetadataStore:
    """A database as schema v2 left it, with one run and one version, opened by this code."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        for statement in V2_SCHEMA:
            connection.execute(sqlalchemy.text(statement))
    engine.dispose()
    return MetadataStore(url)


def check_upgraded(store: MetadataStore) -> None:
    """The v2 rows survive the upgrade, and the same number can now live in two places."""
    [kept] = store.versions("ds")
    assert (kept.uri, kept.content_id, kept.records, kept.run_id) == ("/o/ds/v1", "x", 5, "r0")
    assert store.record_version(version(content_id="x", uri="s3://b/ds/v1", run_id="r0"))
    assert sorted(v.uri for v in store.versions("ds")) == ["/o/ds/v1", "s3://b/ds/v1"]
    run = store.run("r0")
    assert run is not None and run.status == "completed" and run.host is None
    tables = sqlalchemy.inspect(store.engine).get_table_names()
    assert "dataset_versions" not in tables and "published_versions" in tables
    with store.engine.connect() as connection:
        versions = connection.execute(sqlalchemy.text("SELECT version FROM schema_version")).scalars().all()
    assert sorted(versions) == [2, SCHEMA_VERSION]


def test_a_v2_database_is_upgraded_keeping_its_runs_and_versions(tmp_path):
    store = upgraded_from_v2(f"sqlite:///{tmp_path / 'm.db'}")
    check_upgraded(store)
    store.dispose()


def test_every_table_on_sqlite(tmp_path):
    store = MetadataStore(f"sqlite:///{tmp_path / 'm.db'}")
    exercise(store)
    store.dispose()


def test_default_url_is_sqlite_in_the_state_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = resolve_database_url(PipelineConfig(state_dir=str(tmp_path / "state")))
    assert url == f"sqlite:///{tmp_path / 'state' / 'metadata.db'}"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    assert resolve_database_url(PipelineConfig()) == "sqlite:///elsewhere.db"
    assert (
        resolve_database_url(PipelineConfig(database_url="sqlite:///explicit.db")) == "sqlite:///explicit.db"
    )


def test_a_database_from_newer_code_is_refused(tmp_path):
    from sqlmodel import Session

    url = f"sqlite:///{tmp_path / 'm.db'}"
    store = MetadataStore(url)
    with Session(store.engine) as session:
        session.add(SchemaVersion(version=99))
        session.commit()
    with pytest.raises(SchemaTooNewError, match="v99"):
        MetadataStore(url)


def test_a_block_named_for_the_run_wins_over_database_url_with_a_warning(monkeypatch, caplog):
    from types import SimpleNamespace

    from pydantic import SecretStr

    from blocks.database import MetadataDatabase

    saved = SimpleNamespace(url=SecretStr("postgresql+psycopg://u:p@db/meta"))
    monkeypatch.setattr(MetadataDatabase, "load", classmethod(lambda cls, name: saved))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")

    url = resolve_database_url(PipelineConfig(database_block="metadata"))

    assert url == "postgresql+psycopg://u:p@db/meta"
    assert "DATABASE_URL is ignored" in caplog.text and "u:p@" not in caplog.text
