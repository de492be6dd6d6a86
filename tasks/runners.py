"""The task runner a run's shard tasks use, chosen in configuration: the same tasks, the same bytes.

Threads suit I/O and the BLAS-heavy crisis encoder; processes give each worker its own interpreter,
so the Python-heavy gates (regex, hashing) use every core; Ray spreads the shards over a cluster.
Worker processes import only what their tasks need (configuration loads no models), and each
loads a gate's model once, on first use, for every task it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prefect import Task
from prefect.client.schemas.objects import RunInput
from prefect.context import refresh_global_settings_context
from prefect.futures import PrefectConcurrentFuture, PrefectFuture
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.settings.legacy import Setting
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from tasks import parent_watch
from tasks.settings import PipelineConfig


def drain_reports() -> None:
    """Send the logs and events still queued for the API while it is up: once the temporary server is
    stopped, the queues' last flush at interpreter exit retries against a closed port for a minute
    or more before the process can end."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=30)
    EventsWorker.drain_all(timeout=30)


class GuardedServer(SubprocessASGIServer):
    """Prefect's temporary API server, with a watcher (`tasks.parent_watch`) that stops it if this
    process is killed outright (SIGKILL, the OOM killer), when no `finally` or atexit can run."""

    # Its own registry: Prefect's keeps one server per port, which would hand back an unguarded one.
    _instances: dict[int | None, SubprocessASGIServer] = {}  # noqa: RUF012  # Prefect's own shape
    _watcher: subprocess.Popen[bytes] | None = None

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        server = super()._run_uvicorn_command()
        if parent_watch.supported():
            command = [sys.executable, "-I", "-S", parent_watch.__file__, str(server.pid), str(os.getpid())]
            self._watcher = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        return server

    def stop(self) -> None:
        """Stop the server, then reap its watcher, which ends once the server has."""
        super().stop()
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            try:
                watcher.wait(timeout=parent_watch.POLL_SECONDS * 10)
            except subprocess.TimeoutExpired:
                watcher.kill()
                watcher.wait()


@contextmanager
def worker_settings(settings: Mapping[Setting, Any], start_server: bool) -> Iterator[None]:
    """`settings` for this process and, through the environment, for the worker processes a runner
    starts. With `start_server` and no Prefect API configured, the run's temporary API server is
    started here, guarded so it never outlives this process: every worker reports to it rather than
    starting (and locking the database of) one of its own. Without it, an in-process run uses
    Prefect's own ephemeral API, which outlives the run, so a caller can still read the run back."""
    values = {setting: str(value) for setting, value in settings.items()}
    started: GuardedServer | None = None
    if start_server and not PREFECT_API_URL.value():
        started = GuardedServer()
        started.start()
        values[PREFECT_API_URL] = started.api_url
    saved = {setting.name: os.environ.get(setting.name) for setting in values}
    os.environ.update({setting.name: value for setting, value in values.items()})
    # Threads Prefect starts itself (the process pool's message forwarder, the log and event workers)
    # do not inherit `temporary_settings`: they read the process-wide settings, which were built from
    # the environment when Prefect was imported. Rebuilt now, so they report to this run's server
    # instead of each starting a temporary server of its own.
    refresh_global_settings_context()
    try:
        with temporary_settings(dict(values)):
            yield
    finally:
        if started is not None:
            drain_reports()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        refresh_global_settings_context()
        if started is not None:
            started.stop()


class _BorrowedPool(TaskRunner[PrefectConcurrentFuture[Any]]):
    """A subflow's runner that submits to the run's process pool instead of starting its own: spawning
    workers and importing the task modules into them cost tens of seconds per stage, and a worker keeps
    the models it loaded for every later stage."""

    def __init__(self, pool: ProcessPoolTaskRunner) -> None:
        super().__init__()
        self._pool = pool

    def duplicate(self) -> _BorrowedPool:
        return type(self)(self._pool)

    def __getstate__(self) -> dict[str, Any]:
        """Without the pool: the flow (and so this runner) is pickled into every task sent to a worker,
        and the pool's message queue may only reach its workers when they are spawned."""
        return self.__dict__ | {"_pool": None}

    def submit(  # type: ignore[override]  # one signature for Prefect's sync and async overloads
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[PrefectFuture[Any]] | None = None,
        dependencies: dict[str, set[RunInput]] | None = None,
    ) -> PrefectConcurrentFuture[Any]:
        return self._pool.submit(task, parameters, wait_for, dependencies)


@contextmanager
def runner_session(config: PipelineConfig) -> Iterator[Callable[[], TaskRunner[Any]]]:
    """The runner factory for one run's subflows. Processes: one pool for the whole run, which every
    subflow borrows. Ray: the local Ray started once (or `ray_address` joined), which each subflow's
    runner reuses instead of starting and stopping one of its own. Threads: a fresh pool per subflow."""
    if config.task_runner == "processes":
        with ProcessPoolTaskRunner(max_workers=config.workers) as pool:
            yield lambda: _BorrowedPool(pool)
        return
    if config.task_runner != "ray":
        yield lambda: ThreadPoolTaskRunner(max_workers=config.workers)
        return
    import ray
    from prefect_ray import RayTaskRunner

    def ray_runner() -> TaskRunner[Any]:
        return RayTaskRunner(address=config.ray_address)

    if ray.is_initialized():
        yield ray_runner
        return
    if config.ray_address:
        ray.init(address=config.ray_address)
    else:
        ray.init(num_cpus=config.workers, include_dashboard=False)
    try:
        yield ray_runner
    finally:
        ray.shutdown()
