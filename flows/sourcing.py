"""Sourcing subflow: documents in the sources folder become passage shards, one task per document."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from pydantic import BaseModel, ConfigDict

from tasks.accounting import KindCounts, ShardOutcome, merge_counts
from tasks.observe import collect
from tasks.settings import PipelineConfig
from tasks.sourcing.documents import Document, discover_documents, passages_shard


class SourcingResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    documents: list[Document]
    outcomes: list[ShardOutcome]

    @property
    def counts(self) -> KindCounts:
        return merge_counts(o.counts for o in self.outcomes)


@flow(name="sourcing", log_prints=True)
def sourcing(config: PipelineConfig) -> SourcingResult:
    """Read every document under `config.sources` (text, books, captions) into located passages."""
    sources = Path(config.sources).resolve()
    documents = discover_documents(sources)
    work = str(config.work_dir)
    futures = [
        (doc.path, passages_shard.submit(str(sources), doc, config.passages, work)) for doc in documents
    ]
    outcomes = collect("sourcing", futures, lambda o: o.kept.records, get_run_logger())
    return SourcingResult(documents=documents, outcomes=outcomes)
