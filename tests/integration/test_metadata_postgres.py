"""Run metadata on a real PostgreSQL server: every table, and a whole pipeline run."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from blocks.database import MetadataDatabase
from flows.full_pipeline import run_pipeline
from tasks.metadata.models import SCHEMA_VERSION
from tasks.metadata.store import MetadataStore
from tasks.settings import PipelineConfig
from tests.integration.runs import storage_config
from tests.unit.metadata.test_store import check_upgraded, exercise, upgraded_from_v2

pytestmark = pytest.mark.integration


def fresh_database(admin_url: str, name: str) -> str:
    engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        version = connection.execute(sqlalchemy.text("SHOW server_version_num")).scalar_one()
    engine.dispose()
    assert int(version) >= 150000, "production runs PostgreSQL 15+"
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def test_every_table_on_postgres(postgres_url):
    store = MetadataStore(fresh_database(postgres_url, "tables"))
    exercise(store)
    assert store.engine.dialect.name == "postgresql"
    store.dispose()


def test_schema_creation_is_idempotent(postgres_url):
    url = fresh_database(postgres_url, "idempotent")
    MetadataStore(url).dispose()
    store = MetadataStore(url)
    with store.engine.connect() as connection:
        versions = connection.execute(sqlalchemy.text("SELECT version FROM schema_version")).all()
    assert versions == [(SCHEMA_VERSION,)]
    store.dispose()


def test_a_v2_database_is_upgraded_on_postgres(postgres_url):
    store = upgraded_from_v2(fresh_database(postgres_url, "upgrade"))
    check_upgraded(store)
    store.dispose()


def assert_run_recorded(config: PipelineConfig, url: str) -> None:
    state = run_pipeline(config)
    assert state.is_completed()
    store = MetadataStore(url)
    run = store.run(str(state.state_details.flow_run_id))
    assert run is not None and run.status == "completed" and run.version == 1
    stages = {(s.stage, s.kind): (s.entered, s.kept) for s in store.stage_runs(run.id)}
    assert stages[("synthesis", "therapeutic")] == (200, 200)
    assert stages[("dedup", "therapeutic")] == (200, 200)
    assert [v.records for v in store.versions("mental-health-support")] == [200]
    assert not (Path(config.state_dir) / "metadata.db").exists()
    store.dispose()


def test_pipeline_records_its_run_in_postgres(postgres_url, tmp_path, monkeypatch):
    url = fresh_database(postgres_url, "pipeline")
    monkeypatch.setenv("DATABASE_URL", url)
    assert_run_recorded(storage_config(tmp_path, therapeutic_samples=200), url)


def test_the_database_url_can_come_from_a_saved_block(postgres_url, tmp_path, monkeypatch):
    url = fresh_database(postgres_url, "from_block")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    MetadataDatabase(url=url).save("metadata-test", overwrite=True)
    assert_run_recorded(
        storage_config(tmp_path, therapeutic_samples=200, database_block="metadata-test"), url
    )
