"""prefect.yaml stays loadable: entrypoints exist and their parameters validate as PipelineConfig."""

import importlib
from pathlib import Path

import yaml

from tasks.settings import PipelineConfig

REPO = Path(__file__).resolve().parents[2]


def test_every_deployment_points_at_a_flow_and_valid_parameters():
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    assert spec["deployments"]
    for deployment in spec["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, name)
        assert flow.name == deployment["name"]
        PipelineConfig.model_validate(deployment["parameters"]["config"])
        assert deployment["work_pool"]["name"]
