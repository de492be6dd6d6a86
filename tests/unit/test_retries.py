import errno

import httpx
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tasks.retries import is_transient
from tasks.shards import ShardCorruptError, ShardMissingError


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject")


def _status_error(status: int) -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "https://example.org")
    return httpx.HTTPStatusError("failed", request=request, response=httpx.Response(status, request=request))


@pytest.mark.parametrize(
    "error",
    [
        ConnectionResetError(),
        TimeoutError(),
        OSError(errno.EIO, "I/O error"),
        OSError(errno.ESTALE, "stale NFS handle"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        _status_error(503),
        _status_error(429),
        _client_error("SlowDown", 503),
        _client_error("Throttling", 400),
        _client_error("InternalError", 500),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
    ],
    ids=repr,
)
def test_errors_that_may_pass_are_retried(error):
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad record"),
        KeyError("labels"),
        ShardCorruptError("sha256 mismatch"),
        ShardMissingError("no such shard"),
        PermissionError(errno.EACCES, "denied"),
        _status_error(404),
        _client_error("NoSuchBucket", 404),
        _client_error("AccessDenied", 403),
    ],
    ids=repr,
)
def test_deterministic_errors_are_not(error):
    assert not is_transient(error)


def test_the_cause_of_a_wrapped_error_counts():
    try:
        try:
            raise ConnectionResetError("peer reset")
        except ConnectionResetError as error:
            raise RuntimeError("upload failed") from error
    except RuntimeError as wrapped:
        assert is_transient(wrapped)
