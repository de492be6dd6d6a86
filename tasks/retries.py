"""Retries only where they help: a shard task is retried when it failed for a reason that may pass
(the network, a throttling or overloaded service, storage that hiccuped), never when it failed
because of its input or the code, which would fail the same way again and only delay the error.

Shard tasks are pure functions of their inputs, so a ValueError, a validation error or a broken
custom gate is deterministic: it fails at once, and the observe module names the shard.
"""

from __future__ import annotations

import errno
from typing import Any

from prefect.states import State

# Errors an OS reports for storage or a connection that may work on the next try.
_TRANSIENT_ERRNOS = frozenset({errno.EIO, errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.ESTALE})
_THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "SlowDown", "RequestLimitExceeded", "TooManyRequests"}
)


def is_transient(error: BaseException) -> bool:
    """Whether `error` (or the error that caused it) may not happen again on a retry."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient_itself(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _transient_itself(error: BaseException) -> bool:
    if isinstance(error, TimeoutError | ConnectionError):
        return True
    if isinstance(error, OSError):
        return error.errno in _TRANSIENT_ERRNOS
    status = _http_status(error)
    if status is not None:
        return status == 429 or status >= 500
    return type(error).__module__.split(".")[0] in ("httpx", "botocore", "urllib3") and any(
        word in type(error).__name__ for word in ("Timeout", "Connect", "Transport", "Network")
    )


def _http_status(error: BaseException) -> int | None:
    """The HTTP status an httpx or botocore error carries, if any (throttling codes count as 429)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):  # botocore ClientError
        if response.get("Error", {}).get("Code") in _THROTTLING_CODES:
            return 429
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status else None
    status = getattr(response, "status_code", None)
    return int(status) if isinstance(status, int) else None


def retry_transient(_task: Any, _task_run: Any, state: State[Any]) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task run only for a transient error."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            found = state.result(raise_on_failure=False)
        except Exception as unreadable:  # a result that cannot be read says nothing about the cause
            found = unreadable
        error = found if isinstance(found, BaseException) else None
    return error is not None and is_transient(error)


# The retry policy of every shard task: twice, after about 1 and 5 seconds (jittered so that many
# shards failing together do not retry together), and only for transient errors.
SHARD_RETRIES: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": [1, 5],
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": retry_transient,
}
