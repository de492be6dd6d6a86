"""The task runner a run's shard tasks use, chosen in configuration: the same tasks, the same bytes.

Threads suit I/O and the BLAS-heavy crisis encoder; processes give each worker its own interpreter,
so the Python-heavy gates (regex, hashing) use every core; Ray spreads the shards over a cluster.
Worker processes import only what their tasks need (configuration loads no models), and each
loads a gate's model once, on first use, for every task it runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.settings.legacy import Setting
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from tasks.settings import PipelineConfig


@contextmanager
def worker_settings(runner: str, settings: Mapping[Setting, Any]) -> Iterator[None]:
    """`settings` for this process and, through the environment, for the worker processes a runner
    starts. Without a Prefect API configured, the run's temporary API server is started here, so
    every worker reports to it rather than starting (and locking the database of) one of its own."""
    values = {setting: str(value) for setting, value in settings.items()}
    started: SubprocessASGIServer | None = None
    if runner != "threads" and not PREFECT_API_URL.value():
        started = SubprocessASGIServer()
        started.start()
        values[PREFECT_API_URL] = started.api_url
    saved = {setting.name: os.environ.get(setting.name) for setting in values}
    os.environ.update({setting.name: value for setting, value in values.items()})
    try:
        with temporary_settings(dict(values)):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if started is not None:
            started.stop()


@contextmanager
def runner_session(config: PipelineConfig) -> Iterator[None]:
    """Start the local Ray (or join `ray_address`) once for the whole run, so each subflow's runner
    reuses it instead of starting and stopping one of its own; nothing to do for threads or processes."""
    if config.runner != "ray":
        yield
        return
    import ray

    if ray.is_initialized():
        yield
        return
    if config.ray_address:
        ray.init(address=config.ray_address)
    else:
        ray.init(num_cpus=config.workers, include_dashboard=False)
    try:
        yield
    finally:
        ray.shutdown()


def task_runner(config: PipelineConfig) -> TaskRunner[Any]:
    """A fresh runner for one subflow run (a runner is started and stopped by the flow that uses it)."""
    if config.runner == "processes":
        return ProcessPoolTaskRunner(max_workers=config.workers)
    if config.runner == "ray":
        from prefect_ray import RayTaskRunner

        return RayTaskRunner(address=config.ray_address)
    return ThreadPoolTaskRunner(max_workers=config.workers)
