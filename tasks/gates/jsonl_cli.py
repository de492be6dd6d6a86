"""What the gates' command-line entries share: JSON lines in, one JSON line out per input line, in
input order, scored in batches; a line that cannot be read gets an error row instead of ending the run."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def batches(lines: TextIO, size: int) -> Iterator[list[str]]:
    """Non-blank input lines in batches of `size`, so a model scores many texts per call."""
    batch: list[str] = []
    for line in lines:
        if line.strip():
            batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def json_object(line: str, expected: str) -> dict[str, Any]:
    """One input line as a JSON object; ValueError says what is wrong (`expected` names its fields)."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON: {error.msg}") from None
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object with {expected}")
    return item


@dataclass(frozen=True)
class _Unreadable:
    error: str


def serve(
    lines: TextIO,
    out: TextIO,
    parse: Callable[[str], Item],
    score: Callable[[list[Item]], Sequence[Result]],
    row: Callable[[Item, Result], dict[str, Any]],
    batch_size: int,
) -> None:
    """Parse each line (a ValueError becomes an error row), score the good ones of a batch in one call,
    and write a row per line in input order."""
    for batch in batches(lines, batch_size):
        parsed: list[Item | _Unreadable] = []
        for line in batch:
            try:
                parsed.append(parse(line))
            except ValueError as error:
                parsed.append(_Unreadable(str(error)))
        results = iter(score([item for item in parsed if not isinstance(item, _Unreadable)]))
        for item in parsed:
            if isinstance(item, _Unreadable):
                written: dict[str, Any] = {"id": None, "error": item.error}
            else:
                written = row(item, next(results))
            out.write(json.dumps(written) + "\n")
        out.flush()
