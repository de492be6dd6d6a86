import pytest
from pydantic import ValidationError

from tasks.settings import RUN_ONLY_FIELDS, PipelineConfig


def test_defaults_are_the_product_target_volumes():
    assert PipelineConfig().therapeutic_samples == 10_000


def test_where_it_runs_does_not_change_the_config_hash():
    a = PipelineConfig(output="/a", state_dir="/x", workers=1)
    b = PipelineConfig(output="/b", state_dir="/y", workers=8)
    assert a.config_hash() == b.config_hash()
    assert RUN_ONLY_FIELDS.isdisjoint(a.content_settings())
    assert PipelineConfig(seed=1).config_hash() != PipelineConfig(seed=2).config_hash()


def test_auto_runner_uses_processes_only_when_there_are_workers_to_spread_over():
    assert PipelineConfig(workers=2).task_runner == "processes"
    assert PipelineConfig(workers=1).task_runner == "threads"
    assert PipelineConfig(workers=4, runner="threads").task_runner == "threads"
    assert PipelineConfig(workers=1, runner="ray").task_runner == "ray"
    assert PipelineConfig().runner == "auto"


def test_bad_values_name_the_field():
    with pytest.raises(ValidationError, match="dataset_name"):
        PipelineConfig(dataset_name="Has Spaces")


def test_database_url_is_a_secret_in_reprs():
    config = PipelineConfig(database_url="postgresql+psycopg://u:hunter2@h/db")
    assert "hunter2" not in repr(config) and "hunter2" not in str(config.model_dump())


def test_readme_configuration_table_matches_the_model():
    from pathlib import Path

    from tasks.settings import config_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("<!-- config-table:start -->\n")[1].split("\n<!-- config-table:end -->")[0]
    assert table == config_table()
