"""Custom gates: a team's own check plugs in by import path, with no change to this package.

A custom gate is any function `check(records: Sequence[Record]) -> list[GateVerdict]`, pure and
deterministic like the built-in ones, named in configuration as `package.module:function`. Its source
file's hash joins the gate task's cache key, so editing the gate re-runs it.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from collections.abc import Callable, Sequence
from functools import lru_cache

from tasks.records import GateVerdict, Record

CustomGate = Callable[[Sequence[Record]], list[GateVerdict]]


class CustomGateError(RuntimeError):
    """A custom gate could not be loaded or broke the gate contract."""


@lru_cache(maxsize=32)
def _load(path: str) -> CustomGate:
    module_name, attribute = path.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise CustomGateError(f"custom gate {path}: cannot import {module_name} ({error})") from error
    gate = getattr(module, attribute, None)
    if not callable(gate):
        raise CustomGateError(f"custom gate {path}: {module_name} has no function {attribute}")
    return gate  # type: ignore[no-any-return]


def load_gate(path: str) -> CustomGate:
    """The gate at `path`, wrapped so a wrong answer (count or type) fails loudly, naming the gate."""
    gate = _load(path)

    def checked(records: Sequence[Record]) -> list[GateVerdict]:
        verdicts = list(gate(records))
        if len(verdicts) != len(records) or not all(isinstance(v, GateVerdict) for v in verdicts):
            raise CustomGateError(f"custom gate {path} must return one GateVerdict per record")
        return verdicts

    return checked


def source_hash(path: str) -> str:
    """sha256 of the module source behind a custom gate, for cache keys."""
    module = inspect.getmodule(_load(path))
    source = inspect.getsource(module) if module else ""
    return hashlib.sha256(source.encode()).hexdigest()[:16]
