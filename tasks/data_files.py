"""Rules kept as data: word lists, phrase pools and patterns live in JSON files beside the code that
applies them, so a reviewer edits a list without reading Python, and Python keeps only the logic.

Each file is read once per process. The files sit under `tasks/`, so `caching.code_version` hashes
them into every checkpoint key: editing a list invalidates exactly the checkpoints it could change.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson


@cache
def _read(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def data_file(beside: str, name: str) -> Any:
    """The parsed JSON file `name` in the `data/` folder next to the module file `beside` (pass
    `__file__`). Callers must not mutate the result: every reader in the process shares it.
    """
    return _read(Path(beside).resolve().parent / "data" / name)
