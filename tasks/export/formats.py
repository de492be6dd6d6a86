"""The export formats, written per split shard: the canonical chat records (`{split}/`), OpenAI chat
fine-tuning (`messages` with `weight` on assistant turns), Parquet (the records, typed by
`RECORD_SCHEMA`), ShareGPT (`conversations` of `from`/`value`), Alpaca as LLaMA-Factory reads it
(`instruction`, `input`, `output`, `system`, `history`), and for bias pairs the evaluation set and
the preference rows (see `bias_pairs`). No deliberately biased reply is a row of a fine-tuning format.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task
from prefect.futures import PrefectFuture

from tasks.caching import SHARD_CACHE, work_path
from tasks.export.bias_pairs import in_bias_pair, preference_rows, sft_records
from tasks.export.format_names import CHAT, FORMATS, PER_SHARD, PREFERENCE
from tasks.export.record_rows import to_row
from tasks.export.schemas import RECORD_SCHEMA
from tasks.observe import collect
from tasks.records import Message, Record, Role
from tasks.retries import SHARD_RETRIES
from tasks.shards import ShardRef, read_all, read_models, write_file, write_shard
from tasks.split import SPLITS

_SHAREGPT_ROLE = {Role.SYSTEM: "system", Role.USER: "human", Role.ASSISTANT: "gpt"}


def trainable_runs(record: Record) -> list[tuple[str, tuple[Message, ...]]]:
    """The record as (row id, messages) runs in which every assistant turn is trained on.

    ShareGPT and Alpaca carry no per-message weight, and trainers learn every assistant turn in them, so
    a corpus conversation with context-only turns (weight 0) becomes one row per run of consecutive
    trainable exchanges, each run opened by the system prompt; the context-only exchanges stay in the
    chat JSONL and Parquet files only. A record without context-only turns is one row under its own id.
    """
    messages = list(record.messages)
    system = (messages.pop(0),) if messages and messages[0].role is Role.SYSTEM else ()
    if all(m.weight != 0 for m in messages):
        return [(record.id, tuple(record.messages))]
    runs: list[list[Message]] = [[]]
    for user, reply in zip(messages[::2], messages[1::2], strict=True):
        if reply.weight == 0:
            runs.append([])
        else:
            runs[-1] += [user, reply]
    kept = [run for run in runs if run]
    return [(f"{record.id}-{n}", (*system, *run)) for n, run in enumerate(kept, 1)]


def to_openai(record: Record) -> list[dict[str, Any]]:
    """OpenAI chat fine-tuning: `messages` only, every assistant turn weighted (1 where the record
    leaves it unset), so each file has one type per field and `datasets` reads any mix of kinds."""
    return [
        {
            "messages": [
                {"role": m.role.value, "content": m.content}
                | ({"weight": 1 if m.weight is None else m.weight} if m.role is Role.ASSISTANT else {})
                for m in record.messages
            ]
        }
    ]


def to_sharegpt(record: Record) -> list[dict[str, Any]]:
    return [
        {"id": ident, "conversations": [{"from": _SHAREGPT_ROLE[m.role], "value": m.content} for m in run]}
        for ident, run in trainable_runs(record)
    ]


def _alpaca_row(ident: str, run: tuple[Message, ...]) -> dict[str, Any]:
    messages = list(run)
    system = messages.pop(0).content if messages and messages[0].role is Role.SYSTEM else ""
    pairs = [(messages[i].content, messages[i + 1].content) for i in range(0, len(messages) - 1, 2)]
    *history, (instruction, output) = pairs
    return {
        "id": ident,
        "instruction": instruction,
        "input": "",
        "output": output,
        "system": system,
        "history": [list(pair) for pair in history],
    }


def to_alpaca(record: Record) -> list[dict[str, Any]]:
    """Per trainable run: the last user turn is the instruction, earlier exchanges the history, the
    system turn the system."""
    return [_alpaca_row(ident, run) for ident, run in trainable_runs(record)]


def write_parquet(records: Sequence[Record], path: str | Path) -> ShardRef:
    """One Parquet file, written atomically; same records, same bytes (no timestamps in metadata)."""
    table = pa.Table.from_pylist([to_row(r) for r in records], schema=RECORD_SCHEMA)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer, compression="zstd")
    return write_file(path, buffer.getvalue().to_pybytes(), len(records))


_SFT_ROWS: dict[str, Callable[[Record], list[dict[str, Any]]]] = {
    CHAT: lambda record: [to_row(record)],
    "openai": to_openai,
    "sharegpt": to_sharegpt,
    "alpaca": to_alpaca,
}


def format_rows(records: Iterable[Record], fmt: str) -> Iterator[dict[str, Any]]:
    """`records` as rows of one JSONL format: the bias evaluation set holds every bias pair record,
    every other format the fine-tuning records only, so no biased reply is ever a training target."""
    if fmt == "bias_eval":
        return (to_row(r) for r in records if in_bias_pair(r))
    return (row for r in sft_records(records) for row in _SFT_ROWS[fmt](r))


def write_format(records: Sequence[Record], shard: ShardRef, fmt: str, work_dir: str) -> ShardRef:
    """One split shard's records in one format (`chat` is the canonical `{split}/` records)."""
    path = work_path(work_dir, f"formats/{fmt}", [shard, fmt], f"part.{FORMATS.get(fmt, 'jsonl')}")
    if fmt == "parquet":
        return write_parquet(sft_records(records), path)
    return write_shard(path, format_rows(records, fmt))


@task(cache_policy=SHARD_CACHE, persist_result=True, **SHARD_RETRIES)
def format_shard(shard: ShardRef, work_dir: str) -> dict[str, ShardRef]:
    """One split shard in every per-shard format: read and validated once, not once per format (six
    reads, and six task runs' overhead, were most of the export stage's time)."""
    records = list(read_models(shard, Record))
    return {fmt: write_format(records, shard, fmt, work_dir) for fmt in PER_SHARD}


@task(cache_policy=SHARD_CACHE, persist_result=True, **SHARD_RETRIES)
def preference_split(shards: list[ShardRef], work_dir: str) -> ShardRef:
    """A split's bias pairs as preference rows, matched across all its shards."""
    path = work_path(work_dir, "formats/preference", shards, "part.jsonl")
    return write_shard(path, preference_rows(read_all(shards, Record)))


def _records_written(result: ShardRef | dict[str, ShardRef]) -> int:
    """Rows written by one formatting task, for the progress line."""
    refs = result.values() if isinstance(result, dict) else [result]
    return sum(ref.records for ref in refs)


def _run_name(name: str) -> str:
    """A literal task run name: Prefect reads a name string as a template of the task's parameters."""
    return name.replace("{", "{{").replace("}", "}}")


def convert_formats(
    splits: Mapping[str, list[tuple[str, ShardRef]]],
    work: str,
    logger: logging.Logger | logging.LoggerAdapter[Any],
) -> dict[str, dict[str, list[ShardRef]]]:
    """The split shards, each with the name of the gated shard it came from, in every format, `chat`
    (the `{split}/` records) included, as {format: {split: [shard, ...]}}: shard by shard, and the
    preference rows of each whole split."""
    jobs = [(split, name, ref) for split in SPLITS for name, ref in splits[split] if ref.records]
    futures: list[tuple[str, PrefectFuture[Any]]] = [
        (
            f"{split}/{name}",
            format_shard.with_options(task_run_name=_run_name(f"format_shard-{split}-{name}")).submit(
                ref, work
            ),
        )
        for split, name, ref in jobs
    ]
    futures += [
        (
            f"{PREFERENCE}/{split}",
            preference_split.with_options(task_run_name=f"preference_split-{split}").submit(
                [r for _, r in splits[split] if r.records], work
            ),
        )
        for split in SPLITS
    ]
    converted = collect("formats", futures, _records_written, logger)
    formats: dict[str, dict[str, list[ShardRef]]] = {
        fmt: {split: [] for split in SPLITS} for fmt in (*PER_SHARD, PREFERENCE)
    }
    for (split, _, _), written in zip(jobs, converted[: len(jobs)], strict=True):
        for fmt, ref in written.items():
            formats[fmt][split].append(ref)
    for split, ref in zip(SPLITS, converted[len(jobs) :], strict=True):
        formats[PREFERENCE][split].append(ref)
    return formats
