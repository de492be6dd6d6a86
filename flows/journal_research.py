"""Journal research on demand: academic findings for a list of therapeutic queries, as one shard.

The journal-research deployment in prefect.yaml runs this flow whenever the sourcing subflow emits
`dataset.research.requested`; without a server holding that deployment the parent flow calls it as a
subflow. By hand: `python -m flows.journal_research "grief bereavement intervention" "cbt insomnia"`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL
from pydantic import Field

from tasks.sourcing.academic_models import AcademicSettings, Service
from tasks.sourcing.research import ResearchResult, normalise_queries, research_findings

DEPLOYMENT = "journal-research/journal-research"
DEFAULT_RESEARCH_DIR = ".pipeline/research"


@flow(name="journal-research", log_prints=True)
def journal_research(
    queries: list[str],
    max_per_query: Annotated[int, Field(ge=1, le=10_000)] = 20,
    research_dir: str = DEFAULT_RESEARCH_DIR,
    settings: AcademicSettings | None = None,
) -> ResearchResult:
    """Search the journals for each query, merge papers found twice, and write the findings shard."""
    logger = get_run_logger()
    wanted = normalise_queries(queries)
    if not wanted:
        raise ValueError("journal-research needs at least one non-empty query")
    result = research_findings(wanted, max_per_query, settings or AcademicSettings(), research_dir)
    for reason in result.failures:
        logger.warning(f"quarantined: {reason}")
    logger.info(
        f"{len(wanted)} queries: {result.findings} findings, {result.duplicates} duplicates merged, "
        f"{result.without_abstract} without abstract, {len(result.failures)} failed searches → {result.path}"
    )
    return result


def research_deployment_listening() -> bool:
    """Whether a Prefect server (PREFECT_API_URL) holds the journal-research deployment, so that a research
    event becomes a flow run there; when it does not, the caller runs `journal_research` itself.
    """
    if not PREFECT_API_URL.value():
        return False
    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(DEPLOYMENT)
        except ObjectNotFound:
            return False
    return True


def build_parser() -> argparse.ArgumentParser:
    defaults = AcademicSettings()
    parser = argparse.ArgumentParser(
        prog="python -m flows.journal_research", description=journal_research.description
    )
    parser.add_argument("queries", nargs="+", help='Journal queries, e.g. "grief bereavement intervention"')
    parser.add_argument(
        "--max-per-query", type=int, default=20, help="Findings per query and service (default: 20)"
    )
    parser.add_argument(
        "--research-dir",
        default=DEFAULT_RESEARCH_DIR,
        help=f"Where shards go (default: {DEFAULT_RESEARCH_DIR})",
    )
    parser.add_argument(
        "--services",
        nargs="+",
        choices=[service.value for service in Service],
        default=[service.value for service in defaults.services],
        help=AcademicSettings.model_fields["services"].description,
    )
    parser.add_argument("--contact-email", help=AcademicSettings.model_fields["contact_email"].description)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    args = build_parser().parse_args(argv)
    settings = AcademicSettings(
        services=tuple(Service(name) for name in args.services), contact_email=args.contact_email
    )
    state = journal_research(args.queries, args.max_per_query, args.research_dir, settings, return_state=True)
    if not state.is_completed():
        print(f"error: run {state.name}: {state.message}", file=sys.stderr)
        return 1
    result: ResearchResult = state.result()
    print(
        f"{result.findings} findings ({result.duplicates} duplicates, {result.without_abstract} without "
        f"abstract, {len(result.failures)} failed searches): {result.path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
