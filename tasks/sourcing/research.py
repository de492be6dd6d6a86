"""Journal research on demand: which therapeutic topics lack findings, what to ask the journals for
them, the event that asks, and the findings shard a research run leaves behind.

The sourcing subflow grounds conversations in findings; when a topic it must ground is covered by too
few of them it emits `RESEARCH_EVENT`, and the journal-research deployment's trigger turns the event
into a flow run. Matching is by keyword stems on the passage's title and text, so the same passages
and topics always give the same answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from pydantic import BaseModel, ConfigDict, Field

from tasks.accounting import Counts, KindCounts
from tasks.records import Passage, QuarantineItem, canonical_json
from tasks.retries import SHARD_RETRIES
from tasks.shards import ShardRef, write_shard
from tasks.sourcing.academic import AcademicResult, finding_locator, finding_passage, search
from tasks.sourcing.academic_models import AcademicSettings
from tasks.storage.work_store import join

RESEARCH_EVENT = "dataset.research.requested"
RESEARCH_RESOURCE_PREFIX = "dataset.research."
# What `finding_locator` writes: a finding passage is located by a paper id, never a page or time.
_FINDING_LOCATORS = ("pmid:", "doi:", "pmcid:", "url:")


@dataclass(frozen=True)
class Topic:
    """A therapeutic concern: the word stems that show a passage is about it, and the query to research it."""

    stems: tuple[str, ...]
    query: str


TOPICS: dict[str, Topic] = {
    "anxiety": Topic(("anxiety", "anxious", "worry"), "anxiety disorder cognitive behavioural therapy"),
    "depression": Topic(("depress",), "depression psychotherapy behavioural activation"),
    "grief": Topic(("grief", "griev", "bereave", "mourning"), "grief bereavement intervention"),
    "insomnia": Topic(("insomnia", "sleep"), "cognitive behavioural therapy insomnia"),
    "trauma": Topic(
        ("trauma", "ptsd", "posttraumatic", "post-traumatic"), "posttraumatic stress trauma-focused therapy"
    ),
    "panic": Topic(("panic",), "panic disorder cognitive behavioural therapy"),
    "loneliness": Topic(("lonel", "social isolation"), "loneliness social isolation intervention"),
    "self-harm": Topic(("self-harm", "self harm", "self-injur"), "self-harm psychosocial intervention"),
    "suicide": Topic(("suicid",), "suicide prevention brief intervention"),
    "substance use": Topic(
        ("substance use", "addict", "alcohol", "drug use"), "substance use motivational interviewing"
    ),
    "eating disorders": Topic(
        ("eating disorder", "anorexi", "bulimi", "binge eating"),
        "eating disorders cognitive behavioural therapy",
    ),
    "anger": Topic(("anger", "angry", "hostil"), "anger management cognitive behavioural intervention"),
    "stress": Topic(("stress", "burnout"), "stress management mindfulness intervention"),
    "obsessive-compulsive disorder": Topic(
        ("obsessive", "compulsi", "ocd"), "obsessive-compulsive disorder exposure response prevention"
    ),
    "relationships": Topic(("relationship", "couple", "marital"), "couples therapy relationship distress"),
}
ALIASES = {
    "sleep": "insomnia",
    "ptsd": "trauma",
    "bereavement": "grief",
    "ocd": "obsessive-compulsive disorder",
    "addiction": "substance use",
    "self harm": "self-harm",
    "suicidal ideation": "suicide",
    "burnout": "stress",
    "isolation": "loneliness",
}


def normalise_topic(topic: str) -> str:
    """Lower case, single spaces: how a topic is compared and reported."""
    return " ".join(topic.lower().split())


def _topic(name: str) -> Topic:
    """The known topic (through its aliases), else one that matches and searches for the words given."""
    known = TOPICS.get(ALIASES.get(name, name))
    return known or Topic((name,), f"{name} psychotherapy intervention")


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def is_finding_passage(passage: Passage) -> bool:
    """A passage made by `finding_passage`: its document is the paper's URL and its locator a paper id."""
    return passage.document.startswith("https://") and passage.locator.startswith(_FINDING_LOCATORS)


def findings_per_topic(topics: Sequence[str], passages: Sequence[Passage]) -> dict[str, int]:
    """How many finding passages mention each (normalised) topic, by a word-stem match on title and text."""
    findings = [f"{p.title or ''}\n{p.text}".lower() for p in passages if is_finding_passage(p)]
    coverage = {}
    for name in _distinct(normalise_topic(t) for t in topics):
        pattern = re.compile("|".join(rf"\b{re.escape(stem)}" for stem in _topic(name).stems))
        coverage[name] = sum(1 for text in findings if pattern.search(text))
    return coverage


def topics_lacking_findings(
    topics: Sequence[str], passages: Sequence[Passage], min_findings: int
) -> list[str]:
    """The topics (normalised, in the order given) that fewer than `min_findings` finding passages mention."""
    return [name for name, count in findings_per_topic(topics, passages).items() if count < min_findings]


def research_queries(topics: Sequence[str]) -> list[str]:
    """A journal query per topic: a fixed map for known topics, else "<topic> psychotherapy intervention"."""
    return _distinct(_topic(normalise_topic(topic)).query for topic in topics if topic.strip())


def normalise_queries(queries: Iterable[str]) -> list[str]:
    """Stripped, non-empty and distinct, in the order given: the form a research run is named by."""
    return _distinct(" ".join(query.split()) for query in queries)


def emit_research_request(
    queries: Sequence[str], topics: Sequence[str], resource_id: str, research_dir: str
) -> None:
    """Ask for journal research; the journal-research deployment's trigger turns this into a flow run
    that writes its findings to `research_dir`, the asking run's state folder, where the next run of
    the same state reads them."""
    emit_event(
        event=RESEARCH_EVENT,
        resource={"prefect.resource.id": f"{RESEARCH_RESOURCE_PREFIX}{resource_id}"},
        payload={"queries": list(queries), "topics": list(topics), "research_dir": research_dir},
    )


class ResearchResult(BaseModel):
    """What one research run wrote: its findings shard, the quarantine beside it, the counts that tie them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    queries: tuple[str, ...]
    findings: int = Field(description="Finding passages written (papers with an abstract)")
    duplicates: int = Field(description="Findings merged into another record of the same paper")
    without_abstract: int = Field(description="Papers quarantined for having no abstract to ground on")
    failures: tuple[str, ...] = Field(description="Why a service could not answer a query (also quarantined)")
    shard: ShardRef
    quarantine: ShardRef

    @property
    def path(self) -> str:
        return self.shard.path

    @property
    def counts(self) -> KindCounts:
        """Papers in = kept + quarantined + deduplicated (a failed search is a lost request, not a paper)."""
        entered = self.findings + self.without_abstract + self.duplicates
        return {
            "finding": Counts(
                entered=entered,
                kept=self.findings,
                quarantined=self.without_abstract,
                deduplicated=self.duplicates,
            )
        }


def research_name(queries: Sequence[str]) -> str:
    """The shard names' key: a hash of the normalised queries, so one request always names one file."""
    return hashlib.sha256(canonical_json(normalise_queries(queries))).hexdigest()[:16]


def write_findings(result: AcademicResult, queries: Sequence[str], directory: str | Path) -> ResearchResult:
    """`findings-<key>.jsonl` (abstracts as passages) and `quarantine-<key>.jsonl` (failed queries, then
    papers without an abstract) in `directory`, byte-identical for the same result.
    """
    passages: list[Passage] = []
    refused: list[QuarantineItem] = []
    for finding in result.findings:
        try:
            passages.append(finding_passage(finding))
        except ValueError as error:
            refused.append(
                QuarantineItem(
                    id=hashlib.sha256(canonical_json(finding)).hexdigest()[:24],
                    stage="sourcing",
                    kind="finding",
                    reasons=(str(error),),
                    record=finding.model_dump(mode="json"),
                    raw=finding_locator(finding),
                )
            )
    key = research_name(queries)
    return ResearchResult(
        queries=tuple(normalise_queries(queries)),
        findings=len(passages),
        duplicates=result.duplicates,
        without_abstract=len(refused),
        failures=tuple(reason for item in result.failures for reason in item.reasons),
        shard=write_shard(join(str(directory), f"findings-{key}.jsonl"), passages),
        quarantine=write_shard(join(str(directory), f"quarantine-{key}.jsonl"), [*result.failures, *refused]),
    )


RESEARCH_TIMEOUT = 1_800  # seconds: a search of every service for every query, paced


# Fresh answers on every request: a cached search would hide papers published since. The services
# answer 429/5xx with their own Retry-After-aware retries; the task retries a transient failure of
# the whole search, and gives up on a search that hangs.
@task(name="research-findings", cache_policy=NO_CACHE, timeout_seconds=RESEARCH_TIMEOUT, **SHARD_RETRIES)
def research_findings(
    queries: list[str], max_per_query: int, settings: AcademicSettings, research_dir: str
) -> ResearchResult:
    """Search every service for every query at once (one rate limiter per service) and write the shards."""
    return write_findings(search(queries, max_per_query, settings), queries, research_dir)
