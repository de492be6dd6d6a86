"""The parent flow's parameters are PipelineConfig's fields, one each: a deployment's schema shows
each setting with its default (none of them the deploying machine's), `--param NAME=value` overrides
one and leaves the rest, and the values still validate as one PipelineConfig."""

import inspect
import json
import os

import pytest
from prefect.exceptions import ParameterTypeError, SignatureMismatchError
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import ValidationError, validate
from pydantic import SecretStr

from flows.full_pipeline import full_pipeline
from flows.parameters import HOST_DEFAULTS, config_from_parameters, config_parameters, with_config_parameters
from tasks.settings import BUNDLED_SOURCES, PipelineConfig, PreprocessSettings

SCHEMA = parameter_schema(full_pipeline).model_dump_for_openapi()


def test_every_setting_is_a_parameter_of_its_own_with_its_description():
    fields = PipelineConfig.model_fields
    assert list(inspect.signature(full_pipeline).parameters) == list(fields)
    assert list(SCHEMA["properties"]) == list(fields)
    for name, field in fields.items():
        described = SCHEMA["properties"][name]["description"]
        assert described.startswith(field.description or "") and described, name
    assert SCHEMA["properties"]["preprocess"]["description"].startswith("Bounds every conversation must meet")
    assert SCHEMA.get("required", []) == []


def test_schema_defaults_are_the_models_and_nothing_of_the_deploying_machine(monkeypatch):
    defaults = PipelineConfig().model_dump(mode="json")
    for name, prop in SCHEMA["properties"].items():
        assert prop["default"] == (None if name in HOST_DEFAULTS else defaults[name]), name
    assert str(BUNDLED_SOURCES) not in json.dumps(SCHEMA)
    # Another machine (another CPU count) deploys the same schema.
    monkeypatch.setattr(os, "cpu_count", lambda: 977)

    def elsewhere(**settings: object) -> None:
        """Build one dataset version; the settings, one parameter each, are listed below."""

    assert parameter_schema(with_config_parameters(elsewhere)).model_dump_for_openapi() == SCHEMA


def test_unset_host_defaults_take_the_running_machines_values():
    config = config_from_parameters(full_pipeline.validate_parameters({}))
    assert config == PipelineConfig()
    assert (config.sources, config.workers) == (str(BUNDLED_SOURCES), os.cpu_count())


def test_one_parameter_overrides_one_setting_and_the_deployments_values_stay():
    deployment = {"dataset_name": "mental-health-support", "output": "datasets", "seed": 7}
    # `prefect deployment run --param therapeutic_samples=200` sends {"therapeutic_samples": 200};
    # the server lays it over the deployment's parameters and checks them against the schema.
    run = deployment | {"therapeutic_samples": 200, "preprocess": {"max_turns": 20}}
    assert validate(run, SCHEMA, raise_on_error=True) == []
    config = config_from_parameters(full_pipeline.validate_parameters(run))
    assert config == PipelineConfig(
        dataset_name="mental-health-support",
        output="datasets",
        seed=7,
        therapeutic_samples=200,
        preprocess=PreprocessSettings(max_turns=20),
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("seed", -1), ("runner", "gpu"), ("dataset_name", "Not Lowercase"), ("top_up_rounds", 9)],
)
def test_a_bad_value_is_refused_by_the_server_schema_and_the_flow_naming_the_setting(name, value):
    with pytest.raises(ValidationError, match=name):
        validate({name: value}, SCHEMA, raise_on_error=True)
    with pytest.raises(ParameterTypeError, match=name):
        full_pipeline.validate_parameters({name: value})


def test_an_unknown_setting_is_refused():
    with pytest.raises(SignatureMismatchError, match="therapeutic_sample"):
        full_pipeline.validate_parameters({"therapeutic_sample": 200})


def test_a_config_goes_through_the_parameters_unchanged():
    config = PipelineConfig(
        dataset_name="round-trip",
        sources="/data/sources",
        workers=3,
        database_url=SecretStr("postgresql+psycopg://u:pw@db/x"),
        preprocess=PreprocessSettings(max_turns=12, near_duplicate_threshold=None),
        package_formats="chat,parquet",
    )
    again = config_from_parameters(full_pipeline.validate_parameters(config_parameters(config)))
    assert again == config
    assert again.config_hash() == config.config_hash()
    assert again.database_url is not None
    assert again.database_url.get_secret_value() == "postgresql+psycopg://u:pw@db/x"
