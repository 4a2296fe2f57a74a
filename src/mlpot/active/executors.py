"""concurrent.futures executors for labelling: a local process pool or a Dask cluster."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
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
    executor = ProcessPoolExecutor(cfg.workers, mp_context=multiprocessing.get_context("spawn"))
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
