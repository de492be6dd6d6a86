"""prefect.yaml stays loadable: entrypoints exist, parameters validate (full-pipeline's as the
PipelineConfig fields they name), and the research trigger hands the event's queries to the flow as
a list.
"""

import importlib
from pathlib import Path

import yaml
from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger, DeploymentTriggerTypes
from prefect.events.schemas.events import Resource
from prefect.utilities.schema_tools.hydration import HydrationContext, hydrate
from pydantic import TypeAdapter

from flows.full_pipeline import config_from_parameters
from tasks.settings import PipelineConfig
from tasks.sourcing.research import RESEARCH_EVENT, RESEARCH_RESOURCE_PREFIX

REPO = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((REPO / "prefect.yaml").read_text())
DEPLOYMENTS = {deployment["name"]: deployment for deployment in SPEC["deployments"]}
EXAMPLE_QUERIES = ["grief bereavement intervention", "cognitive behavioural therapy insomnia"]


def flow_of(deployment):
    path, name = deployment["entrypoint"].split(":")
    return getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)


def test_every_deployment_points_at_a_flow_and_valid_parameters():
    assert set(DEPLOYMENTS) == {"full-pipeline", "journal-research"}
    for deployment in DEPLOYMENTS.values():
        flow = flow_of(deployment)
        assert flow.name == deployment["name"]
        # Trigger-supplied parameters count as given: the deployment alone need not name them.
        supplied = {name: [] for trigger in deployment.get("triggers", []) for name in trigger["parameters"]}
        flow.validate_parameters(supplied | deployment["parameters"])
        assert deployment["work_pool"]["name"] == "datasets"


def test_full_pipeline_pins_a_few_settings_and_leaves_the_rest_to_their_defaults():
    pinned = DEPLOYMENTS["full-pipeline"]["parameters"]
    assert {"dataset_name", "output", "seed"} <= set(pinned) < set(PipelineConfig.model_fields)
    flow = flow_of(DEPLOYMENTS["full-pipeline"])
    config = config_from_parameters(flow.validate_parameters(pinned))
    assert config == PipelineConfig(**pinned)


def test_research_trigger_fires_on_the_research_event_and_passes_the_queries_and_folder():
    (raw,) = DEPLOYMENTS["journal-research"]["triggers"]
    trigger = TypeAdapter(DeploymentTriggerTypes).validate_python(raw)
    assert isinstance(trigger, DeploymentEventTrigger)
    assert trigger.enabled
    assert trigger.expect == {RESEARCH_EVENT}
    assert trigger.match.matches(Resource({"prefect.resource.id": f"{RESEARCH_RESOURCE_PREFIX}run-1"}))
    assert not trigger.match.matches(Resource({"prefect.resource.id": "dataset.export.run-1"}))

    folder = "/srv/state/research"
    event = {"payload": {"queries": EXAMPLE_QUERIES, "topics": ["grief", "insomnia"], "research_dir": folder}}
    rendered = hydrate(
        trigger.parameters or {}, HydrationContext(render_jinja=True, jinja_context={"event": event})
    )
    assert rendered == {"queries": EXAMPLE_QUERIES, "research_dir": folder}
    flow_of(DEPLOYMENTS["journal-research"]).validate_parameters(rendered)
