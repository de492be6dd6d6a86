"""Sourcing subflow: documents become passage shards, conversation files become record shards.

Text, books and captions are read one task per document into located passages; conversation datasets
(chat JSONL, ShareGPT, Parquet, ESConv, CounselChat, EmpatheticDialogues) one task per file into
therapeutic record shards that go through the gates with the generated ones.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from pydantic import BaseModel, ConfigDict

from tasks.accounting import KindCounts, ShardOutcome, merge_counts
from tasks.observe import collect
from tasks.settings import PipelineConfig
from tasks.shards import ShardRef
from tasks.sourcing.conversation_files import conversation_file_shards
from tasks.sourcing.conversations import CONVERSATION_SUFFIXES, is_conversation_file
from tasks.sourcing.documents import DOCUMENT_SUFFIXES, Document, discover_documents, passages_shard


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
    conversations: list[ShardOutcome]

    @property
    def counts(self) -> KindCounts:
        return merge_counts(o.counts for o in [*self.passages, *self.conversations])

    @property
    def records(self) -> list[ShardOutcome]:
        """Record shards this stage hands to the gates."""
        return self.conversations

    @property
    def passage_shards(self) -> list[ShardRef]:
        return [o.kept for o in self.passages if o.kept.records]

    @property
    def quarantine(self) -> list[ShardRef]:
        return [o.quarantine for o in [*self.passages, *self.conversations]]

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
    documents = discover_documents(sources, (*DOCUMENT_SUFFIXES, *CONVERSATION_SUFFIXES))
    dialogues = [doc for doc in documents if is_conversation_file(sources / doc.path)]
    texts = [doc for doc in documents if doc not in dialogues]
    work = config.work_dir
    passages = collect(
        "sourcing",
        [(doc.path, passages_shard.submit(str(sources), doc, config.passages, work)) for doc in texts],
        lambda o: o.kept.records,
        logger,
    )
    per_file = collect(
        "conversations",
        [
            (doc.path, conversation_file_shards.submit(str(sources), doc, config.shard_records, work))
            for doc in dialogues
        ],
        lambda shards: sum(o.kept.records for o in shards),
        logger,
    )
    conversations = [outcome for shards in per_file for outcome in shards]
    return SourcingResult(documents=[*texts, *dialogues], passages=passages, conversations=conversations)
