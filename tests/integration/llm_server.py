"""A real OpenAI-compatible server for the LLM synthesis path: llama.cpp's `llama-server` with the
SmolLM2-135M-Instruct GGUF, both built and cached by `.ci/llama_server.sh`, on a free loopback port and
stopped by its PID. With CI=true a missing binary or model fails the test; elsewhere it skips.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import REPO, free_port, stop_pid, wait_healthy

SETUP_SCRIPT = REPO / ".ci" / "llama_server.sh"


_PINNED = ("LLAMA_CPP_PYTHON_VERSION", "LLAMA_BUILD_FLAVOUR")


def _pinned_version() -> str:
    """The cache folder the setup script builds into (llama-cpp-python version and build flavour), so
    the cache path cannot drift from it."""
    script = SETUP_SCRIPT.read_text()
    found = [re.search(rf"^{name}=(\S+)$", script, re.MULTILINE) for name in _PINNED]
    if not all(found):
        raise RuntimeError(f"{SETUP_SCRIPT} no longer pins {' and '.join(_PINNED)}")
    return "-".join(match.group(1) for match in found if match)


def server_files() -> tuple[Path, Path] | None:
    """(binary, model) from LLAMA_SERVER_BIN / LLAMA_SERVER_MODEL, else the setup script's cache."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    root = cache / "unified-dataset-pipeline" / "llama-server" / _pinned_version()
    binary = Path(os.environ.get("LLAMA_SERVER_BIN", root / "bin" / "llama-server"))
    models = sorted((root / "models").glob("*/*.gguf"))
    model = (
        Path(os.environ["LLAMA_SERVER_MODEL"])
        if "LLAMA_SERVER_MODEL" in os.environ
        else next(iter(models), None)
    )
    if model is None or not binary.is_file() or not model.is_file():
        return None
    return binary, model


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (`http://127.0.0.1:{port}/v1`) of a running llama-server."""
    files = server_files()
    if files is None:
        message = f"llama-server or its model is not built; run `bash {SETUP_SCRIPT.relative_to(REPO)}`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
        return
    binary, model = files
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(port)]
    # Two slots of 2,048 tokens: a judge prompt with its rubric and schema needs about 1,000. One thread
    # for decoding and batches alike: on a busy 2-core machine two threads wait on each other at every
    # token (measured here: 2-10 tokens/s with two, about 120 with one; 4 rows took 340 s against 49 s).
    command += ["-c", "4096", "-np", "2", "-t", "1", "-tb", "1", "--no-warmup"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(f"{base}/health", process, 60, log_path, "llama-server")
    try:
        yield f"{base}/v1"
    finally:
        stop_pid(process.pid)
        process.wait(timeout=10)
