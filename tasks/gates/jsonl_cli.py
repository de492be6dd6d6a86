"""Line batching shared by the gates' command-line entries (JSON lines in, JSON lines out)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO


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
