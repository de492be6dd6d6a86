"""One task per conversation file: its conversations as bounded record shards, ready for the gates.

A multi-GB corpus is read once, streamed into shards of at most `shard_records` items and about
`shard_bytes` of message text, so memory stays at one shard whatever the file's size; each shard's
content fingerprints go beside it, so exact copies are found before the gates (`stages.copies`). Conversations
the dataset itself marks as failed (ESConv's FailedESConv: low empathy ratings) are refused here,
with that reason, rather than trained on. Quarantine shards are written PII-scrubbed (`quarantine`).
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from pydantic import Field

from tasks.accounting import Counts, ShardOutcome
from tasks.caching import CODE_VERSION, work_path
from tasks.records import QuarantineItem, Record
from tasks.retries import SHARD_RETRIES
from tasks.shards import write_shard
from tasks.sourcing.conversations import conversation_shards, normalisation_tally
from tasks.sourcing.discovery import entry_path, source_path
from tasks.sourcing.file_parts import WHOLE_FILE, FilePart, plan_parts
from tasks.sourcing.limit_settings import DEFAULT_LIMITS, SourceLimits
from tasks.sourcing.passages import Document, UnreadableDocument
from tasks.sourcing.quarantine import write_quarantine
from tasks.stages.copies import content_prints

STAGE = "sourcing"
NEGATIVE_SAMPLE = "the dataset marks this conversation as a failed (negative) sample; not a training example"


def refuse_negative_samples(
    records: list[Record], rejects: list[QuarantineItem]
) -> tuple[list[Record], list[QuarantineItem]]:
    """Move records labelled `negative_sample` to the rejects, keeping file order within each list."""
    negative = [r for r in records if r.labels.get("negative_sample") is True]
    refused = [
        QuarantineItem(
            id=r.id,
            stage=STAGE,
            kind=r.kind.value,
            reasons=(NEGATIVE_SAMPLE,),
            record=r.model_dump(mode="json"),
        )
        for r in negative
    ]
    return [r for r in records if r.labels.get("negative_sample") is not True], rejects + refused


class ConversationShard(ShardOutcome):
    """A shard of a conversation file, with what normalising its conversations took."""

    normalised: dict[str, int] = Field(default_factory=dict)


# As for passages: the document's sha256 is its content, the folder holding it differs per machine.
CONVERSATION_CACHE = (INPUTS - "sources") + TASK_SOURCE + CODE_VERSION


@task(
    cache_policy=CONVERSATION_CACHE,
    persist_result=True,
    **SHARD_RETRIES,
    task_run_name="conversation_file_shards-{document.path}",
)
def conversation_file_shards(
    sources: str,
    document: Document,
    shard_size: tuple[int, int],
    max_turns: int,
    work_dir: str,
    limits: SourceLimits = DEFAULT_LIMITS,
    part: FilePart = WHOLE_FILE,
) -> list[ConversationShard]:
    """Stream one conversation file (or one `part` of it) into record shards (windows of at most
    `max_turns` turns) and their quarantine shards, with counts; `shard_size` is (records, bytes of
    message text), and no line over `limits`' line cap is read."""
    outcomes: list[ConversationShard] = []
    shard_records, shard_bytes = shard_size
    path = entry_path(Path(sources), document.path)
    shards = conversation_shards(
        path, Path(sources), shard_records, max_turns, shard_bytes=shard_bytes, limits=limits, part=part
    )
    prefix = "" if part == WHOLE_FILE else f"{part.first_line}-"
    for index, (read, unreadable) in enumerate(shards):
        records, rejects = refuse_negative_samples(read, unreadable)
        key = [document, shard_records, shard_bytes, max_turns, limits, part, index]
        name = f"part-{index:05d}.jsonl"
        outcomes.append(
            ConversationShard(
                name=f"{document.path}#{prefix}{index}",
                kept=write_shard(work_path(work_dir, "sourcing/conversations", key, name), records),
                quarantine=write_quarantine(
                    work_path(work_dir, "sourcing/conversations-quarantine", key, name), rejects
                ),
                prints=write_shard(
                    work_path(work_dir, "sourcing/conversations-prints", key, name), content_prints(records)
                ),
                counts={
                    "therapeutic": Counts(
                        entered=len(records) + len(rejects), kept=len(records), quarantined=len(rejects)
                    )
                },
                normalised=normalisation_tally(read),
            )
        )
    return outcomes


def file_parts(sources: Path, document: Document, part_bytes: int) -> list[FilePart]:
    """The parts one conversation file is read in; the whole file where it cannot be planned (the
    reading task then refuses it, with the reason)."""
    try:
        return plan_parts(source_path(sources, document.path), part_bytes)
    except (UnreadableDocument, OSError):
        return [WHOLE_FILE]
