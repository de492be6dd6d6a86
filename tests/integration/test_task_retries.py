"""Retries only where they help, through Prefect's engine: a deterministic failure runs once and fails
at once, a transient one is retried and then succeeds."""

from __future__ import annotations

import pytest
from prefect import flow, task

from tasks.retries import SHARD_RETRIES

pytestmark = pytest.mark.integration
ATTEMPTS: list[str] = []


@task(**{**SHARD_RETRIES, "retry_delay_seconds": 0})
def flaky(kind: str) -> str:
    ATTEMPTS.append(kind)
    if len(ATTEMPTS) == 1:
        raise ConnectionResetError("peer reset") if kind == "transient" else ValueError("malformed record")
    return "done"


@flow
def run(kind: str) -> str:
    return flaky(kind)


@pytest.mark.parametrize(
    ("kind", "attempts", "completed"), [("transient", 2, True), ("deterministic", 1, False)]
)
def test_only_transient_failures_are_retried(kind, attempts, completed):
    ATTEMPTS.clear()
    state = run(kind, return_state=True)
    assert state.is_completed() is completed
    assert [kind] * attempts == ATTEMPTS
