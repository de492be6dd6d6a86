"""Rules kept as data: word lists, phrase pools and patterns live in JSON files beside the code that
applies them, so a reviewer edits a list without reading Python, and Python keeps only the logic.

Each file is read once per process. The files sit under `tasks/`, so `caching.code_version` hashes
them into every checkpoint key: editing a list invalidates exactly the checkpoints it could change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def fill(template: str, parts: Mapping[str, str]) -> str:
    """`template` with each `{name}` replaced by that part; regex counts such as `{0,3}` are left alone."""
    return re.sub(r"\{([a-z_]+)\}", lambda m: parts[m.group(1)], template)


def regex_parts(raw: Mapping[str, str | list[str]]) -> dict[str, str]:
    """A rules file's named regex fragments: a list is an alternation; a part may use earlier parts
    (the crisis lexicon, the content filter and the EARS patterns write their shared pieces this way)."""
    parts: dict[str, str] = {}
    for name, value in raw.items():
        parts[name] = fill(value if isinstance(value, str) else "|".join(value), parts)
    return parts
