"""The shared development data beside the repository (../shared/data): optional on a developer's
machine, required in CI (CI=true), where a missing file fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """`../shared/data/{relative}`, or skip (fail in CI) with the reason when it is not there."""
    path = SHARED_DATA / relative
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI must provide ../shared/data")
        pytest.skip(f"{path} is absent (the shared development data is not checked out here)")
    return path
