"""Execution engines for the per-file stages: a local process pool, or Ray Data.

Both apply the same pure function (`pipeline.process_file`) to the same inputs and return results
in input order, so the published bytes do not depend on the engine or the worker count.
"""

from __future__ import annotations

import collections
import gc
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from .config import GC_THRESHOLDS

T = TypeVar("T")
R = TypeVar("R")
ENGINES = ("local", "ray")
SRC_DIR = Path(__file__).resolve().parents[1]


def exit_with_parent() -> None:
    """A pool worker's initializer: the worker exits once the process that made its pool is gone.

    A build killed with SIGKILL (or by the kernel's OOM killer) cannot shut its pools down: their
    workers would wait for work forever, holding their memory, and a checker would keep its
    forkserver alive too. multiprocessing gives each child a sentinel of the process that asked
    for it (for a forkserver's child, the build, not the server): a thread waits on it, without
    polling or holding the GIL."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def map_local(fn: Callable[[T], R], jobs: Sequence[T], workers: int, chunksize: int | None = None) -> Iterator[R]:
    if workers <= 1 or len(jobs) < 2:
        yield from map(fn, jobs)
        return
    # Executor.map keeps input order; chunks amortize pickling over many small files.
    if chunksize is None:
        chunksize = max(1, min(64, len(jobs) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, initializer=_forked_worker) as pool:
        yield from pool.map(fn, jobs, chunksize=chunksize)


def _forked_worker() -> None:
    """A forked pool worker's initializer: `exit_with_parent`, and what the worker inherited (the
    loaded libraries, the parent's objects) is moved out of the garbage collector's reach: its
    full collections no longer scan them, nor write to their pages, which then stay shared. A
    worker forked from the preloaded server (a fresh interpreter) gets the build's thresholds here."""
    exit_with_parent()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def map_ray(fn: Callable[[T], R], jobs: Sequence[T], workers: int) -> Iterator[R]:
    """Ray Data: connects to RAY_ADDRESS when set (a cluster), else starts a local instance."""
    import ray
    import ray.data

    started = False
    if not ray.is_initialized():
        runtime_env = {"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, [str(SRC_DIR),
                                                                                 os.environ.get("PYTHONPATH")]))}}
        kwargs = {} if os.environ.get("RAY_ADDRESS") else {"num_cpus": workers, "include_dashboard": False}
        ray.init(runtime_env=runtime_env, log_to_driver=False, **kwargs)
        started = True
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        items = [{"i": i, "job": pickle.dumps(job)} for i, job in enumerate(jobs)]

        def apply(row: dict) -> dict:
            return {"i": row["i"], "result": pickle.dumps(fn(pickle.loads(row["job"])))}

        rows = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), workers * 4))).map(apply)
        results = sorted(rows.take_all(), key=lambda r: r["i"])
        for r in results:
            yield pickle.loads(r["result"])
    finally:
        if started:
            ray.shutdown()


def start_preloaded_server(preload: Sequence[str]) -> None:
    """Start the server `preloaded_pool` forks from, without waiting for its imports: it is a fresh
    process (fork and exec), so this is safe at any time, and a pool made later finds it ready."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(preload))
    multiprocessing.forkserver.ensure_running()


def preloaded_pool(workers: int, preload: Sequence[str]) -> ProcessPoolExecutor | None:
    """A pool of `workers` processes forked from a server that imported `preload` once.

    multiprocessing's forkserver: a module that takes seconds to import (Great Expectations) is
    imported once, not once per worker, and the workers share its pages. None for one worker.
    The server is one per parent process: a later pool reuses it (and its preload) as it is.
    """
    if workers <= 1:
        return None
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    # Frozen on arrival like the per-file workers: a checker's first full collection then scans only
    # what it makes itself, not all of Great Expectations (~0.12 s of CPU per checker).
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_forked_worker)


def map_bounded(fn: Callable[[T], R], jobs: Iterable[T], pool: Executor | None,
                max_pending: int = 4) -> Iterator[R]:
    """`map` over `pool` (in this process when None) that keeps input order and has at most
    `max_pending` jobs submitted: `jobs` is consumed lazily, so a generator of large jobs never sits
    whole in memory."""
    if pool is None:
        yield from map(fn, jobs)
        return
    pending: collections.deque[Future[R]] = collections.deque()
    for job in jobs:
        pending.append(pool.submit(fn, job))
        if len(pending) >= max_pending:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def map_files(fn: Callable[[T], R], jobs: Sequence[T], engine: str, workers: int,
              chunksize: int | None = None) -> Iterator[R]:
    """`fn` over `jobs` in input order; `chunksize` jobs go to a local worker at a time (default: by count)."""
    if engine == "ray":
        return map_ray(fn, jobs, workers)
    return map_local(fn, jobs, workers, chunksize)
