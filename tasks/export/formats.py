"""Extra export formats for common fine-tuning tools, written per split shard beside the canonical
chat JSONL: OpenAI chat fine-tuning (`messages` with `weight` on assistant turns), Parquet (a typed
schema that `datasets.load_dataset("parquet", ...)` reads), ShareGPT
(`conversations` of `from`/`value`) and Alpaca as LLaMA-Factory reads it (`instruction`, `input`,
`output`, `system`, `history`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task

from tasks.caching import SHARD_CACHE, work_path
from tasks.export.format_names import FORMATS
from tasks.records import Message, Record, Role
from tasks.shards import ShardRef, read_models, write_file, write_shard

_SHAREGPT_ROLE = {Role.SYSTEM: "system", Role.USER: "human", Role.ASSISTANT: "gpt"}

PARQUET_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("kind", pa.string()),
        (
            "messages",
            pa.list_(pa.struct([("role", pa.string()), ("content", pa.string()), ("weight", pa.int8())])),
        ),
        (
            "source",
            pa.struct([(name, pa.string()) for name in ("type", "uri", "locator", "licence", "title")]),
        ),
        (
            "grounding",
            pa.list_(
                pa.struct([("passage_id", pa.string()), ("quote", pa.string()), ("locator", pa.string())])
            ),
        ),
        ("labels", pa.string()),
        (
            "gates",
            pa.list_(
                pa.struct(
                    [
                        ("gate", pa.string()),
                        ("passed", pa.bool_()),
                        ("score", pa.float64()),
                        ("reasons", pa.list_(pa.string())),
                    ]
                )
            ),
        ),
        (
            "lineage",
            pa.struct(
                [
                    ("generator", pa.string()),
                    ("version", pa.string()),
                    ("seed", pa.int64()),
                    ("parents", pa.list_(pa.string())),
                ]
            ),
        ),
    ],
    metadata={b"labels": b"JSON object of label name to value"},
)


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


def to_parquet_row(record: Record) -> dict[str, Any]:
    row = record.model_dump(mode="json")
    row["labels"] = orjson.dumps(row["labels"], option=orjson.OPT_SORT_KEYS).decode()
    return row


def write_parquet(records: Sequence[Record], path: str | Path) -> ShardRef:
    """One Parquet file, written atomically; same records, same bytes (no timestamps in metadata)."""
    table = pa.Table.from_pylist([to_parquet_row(r) for r in records], schema=PARQUET_SCHEMA)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer, compression="zstd")
    return write_file(path, buffer.getvalue().to_pybytes(), len(records))


_JSONL: dict[str, Callable[[Record], list[dict[str, Any]]]] = {
    "openai": to_openai,
    "sharegpt": to_sharegpt,
    "alpaca": to_alpaca,
}


@task(cache_policy=SHARD_CACHE, persist_result=True, retries=2, retry_delay_seconds=1)
def format_shard(shard: ShardRef, fmt: str, work_dir: str) -> ShardRef:
    """One split shard in one extra format."""
    records = list(read_models(shard, Record))
    path = work_path(work_dir, f"formats/{fmt}", [shard, fmt], f"part.{FORMATS[fmt]}")
    if fmt == "parquet":
        return write_parquet(records, path)
    return write_shard(path, (row for r in records for row in _JSONL[fmt](r)))
