"""Journal research: the flow over recorded academic answers, and the research event turning into a
flow run of the deployment in prefect.yaml on a real Prefect server.

Nothing leaves loopback: the academic services are respx routes serving the recorded answers, and the
server, the CLI and the emitting process talk over 127.0.0.1. The prefect CLI is the project's own
dependency, so a missing one fails the test everywhere instead of skipping it.
"""

from __future__ import annotations

import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from prefect.events.clients import PrefectEventsClient
from prefect.events.worker import EventsWorker
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.workers.process import ProcessWorker

from flows.journal_research import journal_research, main, research_deployment_listening
from tasks.records import Passage, QuarantineItem
from tasks.shards import read_models
from tasks.sourcing.academic import finding_passage
from tasks.sourcing.academic_models import AcademicSettings, Service
from tasks.sourcing.academic_pubmed import parse_pubmed_articles
from tasks.sourcing.research import RESEARCH_EVENT, emit_research_request, research_name
from tests.integration.conftest import REPO
from tests.integration.prefect_servers import Server, prefect_cli, prefect_server

pytestmark = pytest.mark.integration

FIXTURES = REPO / "tests" / "fixtures" / "academic"
ESEARCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
EFETCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"
EUROPE_PMC = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
S2 = "https://api.semanticscholar.org/graph/v1/paper/search"
QUERIES = ["grief bereavement intervention", "cognitive behavioural therapy insomnia"]
DEADLINE_S = 60


def recorded(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def esearch_page(request: httpx.Request) -> httpx.Response:
    """The recorded esearch page that starts where the request asks (0 or 3)."""
    start = urllib.parse.parse_qs(request.content.decode())["retstart"][0]
    return httpx.Response(
        200, content=recorded(f"pubmed/esearch_science-breast-cancer-2008_retstart{start}.xml")
    )


def test_flow_writes_the_findings_of_every_query_once_and_quarantines_the_rest(tmp_path, monkeypatch):
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    settings = AcademicSettings(
        services=(Service.PUBMED, Service.EUROPE_PMC, Service.SEMANTIC_SCHOLAR), page_size=3, max_attempts=1
    )
    efetch = recorded("pubmed/efetch_19008416-18239125.xml")
    with respx.mock:
        respx.route(host="127.0.0.1").pass_through()  # the Prefect API of the test session
        respx.post(ESEARCH).mock(side_effect=esearch_page)
        respx.post(EFETCH).mock(return_value=httpx.Response(200, content=efetch))
        respx.get(EUROPE_PMC).mock(return_value=httpx.Response(500, text="upstream down"))
        respx.get(S2).mock(
            return_value=httpx.Response(
                200, content=recorded("semanticscholar/paper_search_turing_offset0.json")
            )
        )
        result = journal_research(QUERIES, max_per_query=6, research_dir=str(tmp_path), settings=settings)

    # Per query: 6 PubMed papers, the first 6 Semantic Scholar hits (titles only), Europe PMC down.
    # The second query finds the same 12 papers again.
    pubmed = parse_pubmed_articles(ET.fromstring(efetch))
    assert list(read_models(result.shard, Passage)) == [finding_passage(f) for f in pubmed if f.abstract]
    assert (result.findings, result.duplicates, result.without_abstract) == (5, 12, 1 + 6)
    assert len(result.failures) == 2 and all("europepmc" in reason for reason in result.failures)
    quarantined = list(read_models(result.quarantine, QuarantineItem))
    assert len(quarantined) == 2 + 7
    assert all(item.reasons[0].endswith("has no abstract to ground on") for item in quarantined[2:])
    assert result.path.startswith(str(tmp_path))
    assert research_deployment_listening() is False  # the session's API holds no deployments


def test_flow_refuses_a_request_without_queries_or_with_no_room_for_findings(tmp_path):
    state = journal_research([" ", ""], research_dir=str(tmp_path), return_state=True)
    assert state.is_failed()
    assert "at least one non-empty query" in str(state.message)
    state = journal_research(QUERIES, max_per_query=0, research_dir=str(tmp_path), return_state=True)
    assert state.is_failed()
    assert "max_per_query" in str(state.message)


def test_cli_runs_the_flow_and_names_the_shard(tmp_path, capsys):
    page = recorded("semanticscholar/paper_search_turing_offset0.json")
    argv = [
        *QUERIES,
        "--research-dir",
        str(tmp_path),
        "--services",
        "semanticscholar",
        "--max-per-query",
        "2",
    ]
    with respx.mock:
        respx.route(host="127.0.0.1").pass_through()
        route = respx.get(S2).mock(return_value=httpx.Response(200, content=page))
        assert main(argv) == 0
    assert [call.request.url.params["query"] for call in route.calls] == QUERIES
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed.startswith("0 findings (2 duplicates, 2 without abstract, 0 failed searches): ")
    assert printed.endswith(f"findings-{research_name(QUERIES)}.jsonl")


# --- the event-triggered deployment on a real server -------------------------------------------------


@pytest.fixture
def research_server(tmp_path: Path) -> Iterator[Server]:
    with prefect_server(tmp_path) as server:
        yield server


def test_research_event_creates_a_run_of_the_journal_research_deployment(research_server):
    api, env = research_server.api, research_server.env
    pool = {
        "name": "datasets",
        "type": "process",
        "base_job_template": ProcessWorker.get_default_base_job_template(),
    }
    httpx.post(f"{api}/work_pools/", json=pool, timeout=10).raise_for_status()
    spec = (REPO / "prefect.yaml").read_bytes()
    prefect_cli(env, "--no-prompt", "deploy", "--name", "journal-research")
    assert (REPO / "prefect.yaml").read_bytes() == spec  # deploying never rewrites the project's file
    deployment = httpx.get(f"{api}/deployments/name/journal-research/journal-research", timeout=10).json()

    # This process's events go to the session's API unless pointed at this server for the one event.
    EventsWorker.set_client_override(PrefectEventsClient, api_url=api)
    try:
        with temporary_settings({PREFECT_API_URL: api}):
            assert research_deployment_listening()
            emit_research_request(QUERIES, ["grief", "insomnia"], "integration-test", "/runs/state/research")
            EventsWorker.instance().drain()
    finally:
        EventsWorker.set_client_override(None)

    deadline = time.monotonic() + DEADLINE_S
    while True:
        runs = httpx.post(
            f"{api}/flow_runs/filter",
            json={"deployments": {"id": {"any_": [deployment["id"]]}}},
            timeout=10,
        ).json()
        if runs or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(runs) == 1, (
        f"no flow run of journal-research within {DEADLINE_S}s of the {RESEARCH_EVENT} event"
    )
    (run,) = runs
    assert run["parameters"]["queries"] == QUERIES
    assert run["parameters"]["research_dir"] == "/runs/state/research"  # where the asking run reads
    assert run["parameters"]["max_per_query"] == 20
    assert run["state"]["type"] == "SCHEDULED"
    assert run["work_pool_name"] == "datasets"
