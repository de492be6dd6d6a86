"""Upload throughput to a local S3-compatible server (moto on 127.0.0.1), and what resuming saves.

    uv run python -m benchmarks.s3_upload [--mib 256]

Uploads one file whole, then uploads it again under another key, kills that upload half way
(an exception after half the parts, as a crash would leave it), and resumes it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tasks.storage.s3 import PART_SIZE, UploadStats, s3_client, upload_file


class Killed(Exception):
    pass


class DiesHalfWay:
    """An upload progress listener that kills the upload after `part`, as a crash would."""

    def __init__(self, part: int) -> None:
        self.part = part

    def started(self, uri: str, upload_id: str | None, size: int, parts: int) -> None:
        return

    def part_stored(self, uri: str, part: int, etag: str, size: int) -> None:
        if part == self.part:
            raise Killed

    def finished(self, uri: str, stats: UploadStats) -> None:
        return


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            httpx.get(endpoint, timeout=1)
            return process, endpoint
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("moto server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256, help="File size in MiB")
    options = parser.parse_args()
    process, endpoint = start_moto()
    os.environ.update(
        OVH_S3_ENDPOINT=endpoint, OVH_S3_REGION="us-east-1", OVH_S3_ACCESS_KEY="x", OVH_S3_SECRET_KEY="x"
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "shard.jsonl"
            path.write_bytes(os.urandom(options.mib * 1024 * 1024))
            client = s3_client()
            client.create_bucket(Bucket="bench")
            mib = path.stat().st_size / 2**20
            parts = -(-path.stat().st_size // PART_SIZE)

            started = time.perf_counter()
            upload_file(client, path, "bench", "whole")
            whole = time.perf_counter() - started
            print(
                f"upload {mib:,.0f} MiB in {parts} parts: {whole:.2f} s, {mib / whole:.1f} MiB/s (verified)"
            )

            with contextlib.suppress(Killed):
                upload_file(client, path, "bench", "resumed", progress=DiesHalfWay(parts // 2))
            started = time.perf_counter()
            stats = upload_file(s3_client(), path, "bench", "resumed")
            resumed = time.perf_counter() - started
            print(
                f"resume after a kill at part {parts // 2}: sent {stats.parts_sent} parts "
                f"({stats.bytes_sent / 2**20:,.0f} MiB), reused {stats.parts_reused}; {resumed:6.2f} s, "
                f"{1 - stats.bytes_sent / path.stat().st_size:.0%} of the bytes not sent again"
            )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
