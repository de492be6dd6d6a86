import pytest

from tasks.accounting import Counts
from tasks.metadata.models import DatasetVersion, Run, SchemaVersion
from tasks.metadata.store import DocumentRead, MetadataStore, SchemaTooNewError, resolve_database_url
from tasks.settings import PipelineConfig


def exercise(store: MetadataStore) -> None:
    """Every table written and read back; shared with the PostgreSQL integration test."""
    store.start_run(Run(id="r1", dataset="ds", seed=1, config_hash="h", code_version="c"))
    store.record_stage(
        "r1", "dedup", {"therapeutic": Counts(entered=3, kept=2, deduplicated=1)}, 1.5, "completed"
    )
    doc = DocumentRead(sha256="s" * 64, path="a.txt", bytes=10, passages=2, status="read")
    assert store.record_documents("r1", [doc]) == 1
    assert store.record_documents("r1", [doc]) == 0
    store.record_version(
        DatasetVersion(
            dataset="ds",
            version=1,
            content_id="x",
            uri="/o/ds/v1",
            manifest_sha256="m",
            records=2,
            run_id="r1",
        )
    )
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
    assert [v.version for v in store.versions("ds")] == [1]
    [row] = store.uploads(status="completed")
    assert (row.uri, row.parts_sent, row.finished_at is not None) == ("s3://b/k", 2, True)
    assert [(p.part, p.etag) for p in store.upload_parts(upload)] == [(1, "e1"), (2, "e2")]


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
