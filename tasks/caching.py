"""Checkpoint keys: a shard task is reused exactly when its inputs and the project's code are unchanged.

Prefect's TASK_SOURCE hashes only the task body, not the helpers it calls, so a change to a pure
core function would hit a stale cache; the code version of the whole package closes that gap.
Work shards live at content-addressed paths so two configurations never overwrite each other.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect.cache_policies import INPUTS, TASK_SOURCE, CacheKeyFnPolicy

from tasks.records import canonical_json
from tasks.storage.work_store import join

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("flows", "tasks", "blocks")
CODE_SUFFIXES = {".py", ".json", ".npz", ".jinja"}


@lru_cache(maxsize=1)
def code_version() -> str:
    """sha256 over every source file and model artefact of the package, in a stable order."""
    digest = hashlib.sha256()
    for top in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / top).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _code_version_key(_context: Any, _parameters: dict[str, Any]) -> str:
    return code_version()


CODE_VERSION = CacheKeyFnPolicy(cache_key_fn=_code_version_key)
SHARD_CACHE = INPUTS + TASK_SOURCE + CODE_VERSION


def work_path(work_dir: str, stage: str, key: Any, name: str) -> str:
    """A content-addressed location for a task's output: `{work}/{stage}/{hash(key, code)}/{name}`."""
    digest = hashlib.sha256(canonical_json([code_version(), key])).hexdigest()[:16]
    return join(work_dir, stage, digest, name)
