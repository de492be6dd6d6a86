"""Sourcing subflow: documents become passage shards, conversation files become record shards.

Text, books and captions are read one task per document into located passages; conversation datasets
(chat JSONL, ShareGPT, Parquet, ESConv, CounselChat, EmpatheticDialogues) one task per file, or per
part of a large JSON Lines file, into therapeutic record shards that go through the gates with the
generated ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from pydantic import BaseModel, ConfigDict, Field

from tasks.accounting import KindCounts, ShardOutcome, merge_counts
from tasks.observe import collect
from tasks.records import Passage
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef, read_all
from tasks.sourcing.conversation_files import ConversationShard, conversation_file_shards, file_parts
from tasks.sourcing.conversation_layouts import CONVERSATION_SUFFIXES, is_conversation_file
from tasks.sourcing.discovery import Skipped, discover, entry_path
from tasks.sourcing.documents import DOCUMENT_SUFFIXES, Document, discovery_outcome, passages_shard
from tasks.sourcing.research import emit_research_request, research_queries, topics_lacking_findings


class DocumentOutcome(BaseModel):
    """What one source file gave: passages or conversations kept, and whether any part was refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: Document
    kept: int
    quarantined: int


class SourcingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    documents: list[Document]
    passages: list[ShardOutcome]
    conversations: list[ConversationShard]
    findings: list[ShardRef] = Field(default_factory=list, description="Findings shards of journal research")
    research_queries: list[str] = Field(default_factory=list, description="Asked for: topics lacked findings")
    refused: ShardOutcome | None = Field(None, description="Entries of the sources refused unread")
    skipped: list[Skipped] = Field(default_factory=list, description="Files no reader takes")

    @property
    def outcomes(self) -> list[ShardOutcome]:
        """Every shard outcome of sourcing, for its counts and quarantine."""
        refused = [self.refused] if self.refused else []
        return [*refused, *self.passages, *self.conversations]

    @property
    def counts(self) -> KindCounts:
        return merge_counts(o.counts for o in self.outcomes)

    @property
    def normalised(self) -> dict[str, int]:
        """What normalising the corpus conversations took, over every conversation file."""
        total: Counter[str] = Counter()
        for outcome in self.conversations:
            total.update(outcome.normalised)
        return dict(total)

    @property
    def records(self) -> list[ShardOutcome]:
        """Record shards this stage hands to the gates."""
        return list(self.conversations)

    @property
    def passage_shards(self) -> list[ShardRef]:
        """Every passage this run can ground on: documents' passages and research findings."""
        return [o.kept for o in self.passages if o.kept.records] + self.findings

    @property
    def quarantine(self) -> list[ShardRef]:
        return [o.quarantine for o in self.outcomes]

    def per_document(self) -> list[DocumentOutcome]:
        """Each source file with what it gave, for the metadata database's source_documents table."""
        totals = {doc.path: [0, 0] for doc in self.documents}
        for outcome in self.passages:
            totals[outcome.name][0] += outcome.kept.records
            totals[outcome.name][1] += outcome.quarantine.records
        for outcome in self.conversations:
            path = outcome.name.rsplit("#", 1)[0]
            totals[path][0] += outcome.kept.records
            totals[path][1] += outcome.quarantine.records
        return [
            DocumentOutcome(document=doc, kept=totals[doc.path][0], quarantined=totals[doc.path][1])
            for doc in self.documents
        ]


@flow(name="sourcing", log_prints=True)
def sourcing(config: PipelineConfig) -> SourcingResult:
    """Read every file under `config.sources` into passages (documents) or records (conversations)."""
    logger = get_run_logger()
    sources = Path(config.sources).resolve()
    found = discover(sources, (*DOCUMENT_SUFFIXES, *CONVERSATION_SUFFIXES))
    documents = found.documents
    dialogues = [doc for doc in documents if is_conversation_file(entry_path(sources, doc.path))]
    texts = [doc for doc in documents if doc not in dialogues]
    work = config.work_dir
    refused = discovery_outcome(found.refused, work)
    logger.info(f"sourcing: {len(found.refused)} entries refused unread, {len(found.skipped)} files skipped")
    passages = collect(
        "sourcing",
        [
            (doc.path, passages_shard.submit(str(sources), doc, config.passages, work, config.limits))
            for doc in texts
        ],
        lambda o: o.kept.records,
        logger,
    )
    per_file = collect(
        "conversations",
        [
            (
                doc.path,
                conversation_file_shards.submit(
                    str(sources),
                    doc,
                    (config.shard_records, config.shard_bytes),
                    config.preprocess.max_turns,
                    work,
                    config.limits,
                    part,
                ),
            )
            for doc in dialogues
            for part in file_parts(sources, doc, config.part_bytes)
        ],
        lambda shards: sum(o.kept.records for o in shards),
        logger,
    )
    conversations = [outcome for shards in per_file for outcome in shards]
    findings = findings_shards(research_dir(config))
    queries = request_research(config, findings, logger)
    studies = [
        Document(path=f"research/{Path(f.path).name}", sha256=f.sha256, bytes=f.bytes) for f in findings
    ]
    return SourcingResult(
        documents=[*texts, *dialogues, *studies],
        passages=passages,
        conversations=conversations,
        findings=findings,
        research_queries=queries,
        refused=refused,
        skipped=found.skipped,
    )


def research_dir(config: PipelineConfig) -> Path:
    """Where journal research writes its findings shards, and where sourcing picks them up."""
    return Path(config.state_dir).resolve() / "research"


def findings_shards(directory: Path) -> list[ShardRef]:
    """The findings shards journal research has written, described (and later verified) by sha256. A
    search that found nothing is not an input: an empty shard would change the version's content id
    and publish a new version with the same records."""
    paths = sorted(directory.glob("findings-*.jsonl")) if directory.is_dir() else []
    return [ref for ref in (_described(p, p.read_bytes()) for p in paths) if ref.records]


def _described(path: Path, data: bytes) -> ShardRef:
    """A ShardRef for a file read once (its lines, sha256 and size from the same bytes)."""
    return ShardRef(
        path=str(path), records=data.count(b"\n"), sha256=hashlib.sha256(data).hexdigest(), bytes=len(data)
    )


def request_research(
    config: PipelineConfig, findings: list[ShardRef], logger: logging.Logger | logging.LoggerAdapter[Any]
) -> list[str]:
    """Emit `dataset.research.requested` for the configured topics that lack findings; the queries asked."""
    topics = [t for t in config.research_topics.split(",") if t.strip()]
    lacking = topics_lacking_findings(
        topics, list(read_all(findings, Passage)), config.min_findings_per_topic
    )
    if not lacking:
        return []
    queries = research_queries(lacking)
    emit_research_request(queries, lacking, config.dataset_name, str(research_dir(config)))
    logger.info(f"sourcing: {len(lacking)} topics lack findings ({', '.join(lacking)}); research requested")
    return queries
