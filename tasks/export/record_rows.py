"""The exported shape of a record: the record contract with `labels` as one JSON string.

Labels differ by kind (a therapeutic record has a concern and a strategy, a bias record an axis and a
pair id, a corpus record whatever its source carried) and a key's type can differ between producers,
so no single struct of known keys stays true as generators and corpora add labels. A key-sorted JSON
object in a string column has one type in every file, in JSONL and Parquet alike, loses nothing, and
`json.loads(row["labels"])` gives back the dict; `record_from_row` gives back the `Record`.
"""

from __future__ import annotations

from typing import Any

import orjson

from tasks.records import Record


def to_row(record: Record) -> dict[str, Any]:
    """The record as one row of `{split}/`, `formats/parquet/` and `formats/bias_eval/`."""
    row = record.model_dump(mode="json")
    row["labels"] = orjson.dumps(row["labels"], option=orjson.OPT_SORT_KEYS).decode()
    return row


def record_from_row(row: dict[str, Any]) -> Record:
    """The `Record` a JSONL or Parquet row was exported from (Parquet's null weights read as unset)."""
    return Record.model_validate(row | {"labels": orjson.loads(row["labels"])})
