"""Runs NeMo Data Designer offline, reproducibly.

Data Designer has no seed parameter: its samplers draw from the global `random`, numpy and Faker
generators. Each shard therefore seeds all three from (run seed, generator, shard index) and runs
under one lock, so threads never interleave draws and the same seed gives the same rows.

Data Designer 0.9.7 also orders its sampler columns by iterating a `set` of names, so the order
in which columns draw from the shared generator changed with PYTHONHASHSEED, i.e. with every
process: a resumed run produced different rows. `_stable_sampler_order` inserts the DAG's nodes
and edges in sorted order, which makes the topological order, and so the rows, the same everywhere.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

DD_VERSION = version("data-designer")

_ENGINE_LOCK = threading.Lock()
# The constructor needs one model provider even when every column is a sampler or expression.
_UNUSED_PROVIDER_ENDPOINT = "http://127.0.0.1:9/v1"


def shard_seed(run_seed: int, generator: str, shard_index: int) -> int:
    """A 32-bit seed that differs per generator and shard but is fixed for a run seed."""
    digest = hashlib.sha256(f"{run_seed}:{generator}:{shard_index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _stable_sampler_order() -> None:
    import networkx as nx
    from data_designer.engine.sampling_gen.schema import Dag

    def to_networkx(self: Dag) -> nx.DiGraph:
        dag = nx.DiGraph()
        dag.add_nodes_from(sorted(self.nodes))
        dag.add_edges_from(sorted(self.edges))
        return dag

    Dag.to_networkx = to_networkx  # type: ignore[method-assign]


@lru_cache(maxsize=1)
def _designer() -> Any:
    home = Path(os.environ.setdefault("DATA_DESIGNER_HOME", str(Path.home() / ".cache" / "data-designer")))
    os.environ.setdefault("NEMO_TELEMETRY_ENABLED", "false")
    import data_designer.config as dd
    from data_designer.interface import DataDesigner

    _stable_sampler_order()

    designer = DataDesigner(
        artifact_path=home / "artifacts",
        model_providers=[dd.ModelProvider(name="offline", endpoint=_UNUSED_PROVIDER_ENDPOINT)],
        auto_configure_logging=False,
    )
    designer.set_run_config(dd.RunConfig(otel_metrics_port=None))
    logging.getLogger("data_designer").setLevel(logging.WARNING)
    return designer


def generate_rows(builder: Any, count: int, seed: int) -> list[dict[str, Any]]:
    """Generate `count` rows from a Data Designer config builder; rows it drops are simply absent."""
    import numpy as np
    from faker import Faker

    if count == 0:  # the engine refuses to build zero rows
        return []
    designer = _designer()
    with _ENGINE_LOCK:
        random.seed(seed)
        np.random.seed(seed)
        Faker.seed(seed)
        frame = designer.preview(builder, num_records=count).dataset
    return frame.to_dict(orient="records") if frame is not None else []
