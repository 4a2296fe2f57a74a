"""concurrent.futures executors for labelling: a local process pool or a Dask cluster.

The local pool's workers die with the process that started them (kill -9 or SIGTERM of
`mlpot active` included): a worker notices that its parent is gone within WATCH_INTERVAL
seconds, finishes the task it is running (whose result the task itself must write to disk to
be kept) and exits, without starting any queued task.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

from mlpot.active.config import ExecutorConfig
from mlpot.errors import MlpotError


@contextmanager
def open_executor(cfg: ExecutorConfig) -> Iterator[Executor]:
    """The executor cfg describes; on an exception (Ctrl-C included) queued work is cancelled
    instead of waited for."""
    if cfg.kind == "dask":
        with _dask_executor(cfg) as executor:
            yield executor
        return
    # spawn: workers start clean, without the threads of torch or numba in this process
    executor = OrphanSafePool(cfg.workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


@contextmanager
def _dask_executor(cfg: ExecutorConfig) -> Iterator[Executor]:
    """A distributed.Client's executor: the scheduler at cfg.address, or a local cluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise MlpotError(
            'executor kind "dask" needs dask.distributed: pip install "mlpot[cluster]"'
        ) from exc
    cluster = None
    if cfg.address is None:
        cluster = LocalCluster(
            n_workers=cfg.workers,
            threads_per_worker=1,
            processes=cfg.processes,
            dashboard_address=None,
        )
    try:
        client = Client(cluster if cluster is not None else cfg.address, timeout="30s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise MlpotError(
            f"cannot reach the Dask scheduler at {cfg.address} ({exc}): start it, or check "
            "executor.address in the configuration"
        ) from exc
    executor = client.get_executor(pure=False)
    try:
        yield executor
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


WATCH_INTERVAL = 0.2  # s between a worker's checks that its parent is alive
_task_running = threading.Event()  # in a worker: a task is being run


class OrphanSafePool(ProcessPoolExecutor):
    """A ProcessPoolExecutor whose workers exit when the parent process is gone."""

    def __init__(self, max_workers: int | None = None, mp_context=None):
        super().__init__(
            max_workers, mp_context=mp_context, initializer=_watch_parent,
            initargs=(os.getpid(),),
        )

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return super().submit(functools.partial(_guarded, fn), *args, **kwargs)


def _guarded(fn, *args, **kwargs):
    """Run one task in a worker: not at all once the parent is gone; exit right after it if the
    parent died meanwhile (its result has nowhere to go)."""
    parent = _parent[0]
    if os.getppid() != parent:
        os._exit(0)
    _task_running.set()
    try:
        return fn(*args, **kwargs)
    finally:
        _task_running.clear()
        if os.getppid() != parent:
            os._exit(0)


_parent = [0]


def _watch_parent(parent: int) -> None:
    """Worker initializer: a daemon thread that ends the worker, between tasks, once `parent`
    has died (the worker is then re-parented and getppid() changes)."""
    _parent[0] = parent

    def watch() -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            if os.getppid() != parent and not _task_running.is_set():
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
