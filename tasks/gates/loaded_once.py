"""A model loaded once per process, with BLAS on one thread, however many gate threads ask at once.

OpenBLAS gives a product's rows different last bits with one thread than with two, so a score would
depend on the machine's cores and the task runner (Ray workers run BLAS on one thread). BLAS runs
single-threaded in any process that loads a model; shard tasks give the parallelism.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from threadpoolctl import threadpool_limits

Model = TypeVar("Model")


def loaded_once(build: Callable[[], Model]) -> Callable[[], Model]:
    """`build`'s model, built on the first call in this process and shared by every later one."""
    lock = threading.Lock()

    @lru_cache(maxsize=1)
    def load() -> Model:
        threadpool_limits(limits=1, user_api="blas")
        return build()

    def model() -> Model:
        with lock:
            return load()

    return model
