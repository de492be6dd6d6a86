"""Throttling (503 SlowDown) and 500 errors from S3 are retried: a loopback proxy injects them in
front of the real moto server, and the upload still completes with the right bytes. The same proxy
plays a store that ignores conditional writes, which the run must refuse before any compute.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tasks.export.destination import OutputUnusableError, check_output
from tasks.storage.s3 import PART_SIZE, s3_client, upload_file
from tests.integration.runs import storage_config

pytestmark = pytest.mark.integration

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
INTERNAL = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)


class FaultyProxy(ThreadingHTTPServer):
    """Forwards to `upstream`, answering the first requests of a chosen kind with injected faults."""

    def __init__(
        self, upstream: str, faults: list[tuple[int, bytes]], matches: str, drops: tuple[str, ...] = ()
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream, self.faults, self.matches = upstream, faults, matches
        self.drops = ("host", "content-length", *drops)  # request headers not passed on
        self.injected: list[int] = []
        self.forwarded = 0
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FaultyProxy

    def log_message(self, *args: object) -> None:
        return

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            targeted = self.server.matches in self.path and self.server.faults
            fault = self.server.faults.pop(0) if targeted else None
            if fault:
                self.server.injected.append(fault[0])
            else:
                self.server.forwarded += 1
        if fault:
            status, payload = fault
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in self.server.drops}
        reply = httpx.request(self.command, self.server.upstream + self.path, headers=headers, content=body)
        self.send_response(reply.status_code)
        for key, value in reply.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.content)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


@contextmanager
def serving(
    server: FaultyProxy, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, bucket: str = "faults"
) -> Iterator[FaultyProxy]:
    """Serve `server` in front of moto, with `bucket` made and the client going through the proxy."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    credentials = {"OVH_S3_REGION": "us-east-1", "OVH_S3_ACCESS_KEY": "k", "OVH_S3_SECRET_KEY": "s"}
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OVH_S3_ENDPOINT", s3_endpoint)
    s3_client().create_bucket(Bucket=bucket)
    monkeypatch.setenv("OVH_S3_ENDPOINT", server.endpoint)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyProxy]:
    faults = [(503, SLOW_DOWN), (500, INTERNAL), (503, SLOW_DOWN)]
    with serving(FaultyProxy(s3_endpoint, faults, matches="partNumber="), s3_endpoint, monkeypatch) as server:
        yield server


def test_slow_down_and_500_on_parts_are_retried(proxy: FaultyProxy, tmp_path: Path) -> None:
    data = os.urandom(2 * PART_SIZE + 10)
    path = tmp_path / "shard.jsonl"
    path.write_bytes(data)
    client = s3_client()
    stats = upload_file(client, path, "faults", "shard.jsonl")
    assert proxy.injected == [503, 500, 503], "every injected fault was met by a retry"
    assert stats.parts_sent == 3
    assert client.get_object(Bucket="faults", Key="shard.jsonl")["Body"].read() == data


@pytest.mark.parametrize("drops", [(), ("if-none-match",)], ids=["honoured", "ignored"])
def test_a_store_that_ignores_create_only_writes_is_refused_before_any_compute(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, drops: tuple[str, ...]
) -> None:
    bucket = f"probe-{len(drops)}"
    config = storage_config(tmp_path, output=f"s3://{bucket}/ready")
    with serving(FaultyProxy(s3_endpoint, [], matches="", drops=drops), s3_endpoint, monkeypatch, bucket):
        if drops:
            with pytest.raises(OutputUnusableError, match="ignores If-None-Match"):
                check_output(config)
        else:
            check_output(config)
        leftovers = s3_client().list_objects_v2(Bucket=bucket).get("KeyCount")
    assert leftovers == 0, "the probe object is removed either way"
