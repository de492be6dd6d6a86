"""Runs NeMo Data Designer reproducibly: offline, or with an LLM endpoint writing the text columns.

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
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from tasks.records import QuarantineItem, Record, canonical_json
from tasks.storage.work_store import join
from tasks.synthesis.llm import KeyResolver, lineage_version, provider, redact
from tasks.synthesis.llm_settings import LlmSettings

DD_VERSION = version("data-designer")
# Data Designer reads both when it is first imported, and this module is imported before it anywhere
# here. Telemetry off matters most on the LLM path, whose usage events would otherwise leave the host.
DD_HOME = Path(os.environ.setdefault("DATA_DESIGNER_HOME", str(Path.home() / ".cache" / "data-designer")))
os.environ.setdefault("NEMO_TELEMETRY_ENABLED", "false")

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
def _prepare_engine() -> None:
    """Fix the sampler order and quieten the engine's logger, once per process."""
    _stable_sampler_order()
    logging.getLogger("data_designer").setLevel(logging.WARNING)


def _new_designer(providers: list[Any], key: SecretStr | None = None) -> Any:
    import data_designer.config as dd
    from data_designer.interface import DataDesigner

    _prepare_engine()
    designer = DataDesigner(
        artifact_path=DD_HOME / "artifacts",
        model_providers=providers,
        secret_resolver=KeyResolver(key),
        auto_configure_logging=False,
    )
    designer.set_run_config(dd.RunConfig(otel_metrics_port=None))
    return designer


@lru_cache(maxsize=1)
def _designer() -> Any:
    import data_designer.config as dd

    return _new_designer([dd.ModelProvider(name="offline", endpoint=_UNUSED_PROVIDER_ENDPOINT)])


def _seed_all(seed: int) -> None:
    import numpy as np
    from faker import Faker

    random.seed(seed)
    np.random.seed(seed)
    Faker.seed(seed)


def generate_rows(builder: Any, count: int, seed: int) -> list[dict[str, Any]]:
    """Generate `count` rows from a Data Designer config builder; rows it drops are simply absent."""
    if count == 0:  # the engine refuses to build zero rows
        return []
    designer = _designer()
    with _ENGINE_LOCK:
        _seed_all(seed)
        frame = designer.preview(builder, num_records=count).dataset
    return frame.to_dict(orient="records") if frame is not None else []


@dataclass(frozen=True)
class LlmRun:
    """What an LLM-driven config produced, why rows went missing, and what the endpoint did."""

    rows: list[dict[str, Any]]
    failure: str | None
    requests: int
    failed_requests: int
    input_tokens: int
    output_tokens: int
    seconds: float


def generate_llm_rows(
    builder: Any, count: int, seed: int, settings: LlmSettings, key: SecretStr | None
) -> LlmRun:
    """Generate `count` rows through the LLM endpoint; failed calls drop rows, which the caller counts.

    Samplers draw under the same seeds and lock as offline. `preview()` is bypassed because it then
    profiles the rows, and its token statistics download a tokenizer at run time.
    """
    if count == 0:
        return LlmRun([], None, 0, 0, 0, 0, 0.0)
    designer = _new_designer([provider(settings, key)], key)
    resources = designer._create_resource_provider("llm-synthesis", builder)
    dataset = designer._create_dataset_builder(builder.build(), resources)
    error: str | None = None
    with _ENGINE_LOCK:
        _seed_all(seed)
        started = time.perf_counter()
        try:
            frame = dataset.process_preview(dataset.build_preview(num_records=count))
        except Exception as failure:  # every provider failure is a lost row to count, not a crash
            frame, error = None, f"{type(failure).__name__}: {failure}"
        seconds = time.perf_counter() - started
    stats = [model.usage_stats for model in resources.model_registry.models.values()]
    resources.model_registry.close()
    requests = sum(s.request_usage.total_requests for s in stats)
    failed = sum(s.request_usage.failed_requests for s in stats)
    if error is None and dataset.first_non_retryable_error is not None:
        error = f"{type(dataset.first_non_retryable_error).__name__}: {dataset.first_non_retryable_error}"
    rows = frame.to_dict(orient="records") if frame is not None else []
    parts = [f"{failed} of {requests} model requests failed"] if failed else []
    parts += [f"first error: {error}"] if error else []
    if not parts and len(rows) < count:
        parts = [f"Data Designer returned {len(rows)} of {count} rows without reporting an error"]
    return LlmRun(
        rows=rows,
        failure=redact("; ".join(parts), key)[:1000] if parts else None,
        requests=requests,
        failed_requests=failed,
        input_tokens=sum(s.token_usage.input_tokens for s in stats),
        output_tokens=sum(s.token_usage.output_tokens for s in stats),
        seconds=seconds,
    )


@dataclass(frozen=True)
class Origin:
    """Which engine made a record: the generator and version its lineage and source name."""

    generator: str
    version: str
    judged: bool = False


def offline_origin(generator: str) -> Origin:
    """The offline engine's origin: the generator as named, at the engine's version."""
    return Origin(generator, DD_VERSION)


def llm_origin(generator: str, settings: LlmSettings, builder: Any) -> Origin:
    """`<name>-llm:<model>` at the engine's version plus the hash of the prompts and models used."""
    return Origin(
        f"{generator.removesuffix('-offline')}-{settings.engine}", lineage_version(DD_VERSION, builder), True
    )


def run_engine(
    builder: Any, count: int, seed: int, generator: str, llm: LlmSettings | None, key: SecretStr | None
) -> tuple[list[dict[str, Any]], Origin, str | None]:
    """Rows from the offline engine, or from the LLM endpoint: the rows, the origin that made them, and
    why the endpoint lost rows (None offline or when none were lost)."""
    if llm is None:
        return generate_rows(builder, count, seed), offline_origin(generator), None
    run = generate_llm_rows(builder, count, seed, llm, key)
    return run.rows, llm_origin(generator, llm, builder), run.failure


def llm_work_dir(work_dir: str, settings: LlmSettings | None) -> str:
    """Where LLM shards go: apart from offline ones, and per endpoint settings, so neither overwrites."""
    if settings is None:
        return work_dir
    digest = hashlib.sha256(canonical_json(settings.model_dump(mode="json"))).hexdigest()[:12]
    return join(work_dir, f"llm-{digest}")


_DROPPED = "generator dropped the row (requested, not produced)"


def explain_drops(
    generated: tuple[list[Record], list[QuarantineItem]], failure: str | None
) -> tuple[list[Record], list[QuarantineItem]]:
    """Add why the endpoint lost rows to the reasons of the rows it lost."""
    records, rejects = generated
    if failure is None:
        return generated
    return records, [
        r.model_copy(update={"reasons": (*r.reasons, f"LLM: {failure}")}) if _DROPPED in r.reasons else r
        for r in rejects
    ]
