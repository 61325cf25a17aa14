"""Fan work out over series: in this process, a local process pool, or a Dask distributed cluster.

    with make_executor("process") as ex:            # the default: a pool with one process per core
        results = ex.map(run_series, tasks)          # a list, in the order of `tasks`

Specs: "serial"; "process" or "process:4" (worker count); "dask://local" (a LocalCluster on this machine; options
as a query: "dask://local?workers=1&processes=false"); "dask://HOST:PORT" (an existing scheduler). Every executor
returns the same results in the same order: the work is a pure function of its task, so where it runs cannot
change a number. Process workers are forked where the platform allows (fast, and callers need no
`if __name__ == "__main__"` guard), else spawned.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self
from urllib.parse import parse_qs, urlparse

__all__ = ["DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor", "make_executor", "single_thread_blas"]


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run the block with one BLAS thread. The models multiply matrices of a few rows thousands of times; a
    multi-threaded OpenBLAS spends more time waking threads than computing, and on a busy machine it is several
    times slower (measured: 17.5 s against 3.1 s for a small panel). Parallelism comes from the fan-out instead."""
    import scipy.linalg  # noqa: F401  (load scipy's own OpenBLAS now: limits reach only libraries already loaded)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


class Executor:
    """Base: `map(fn, items) -> list` in order, `close()`, and use as a context manager."""

    spec = "serial"

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialExecutor(Executor):
    spec = "serial"

    def map(self, fn, items):
        return [fn(item) for item in items]


class ProcessExecutor(Executor):
    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.spec = f"process:{self.workers}"
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn, items):
        items = list(items)
        if len(items) <= 1 or self.workers == 1:
            return [fn(item) for item in items]
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
        return list(self._pool.map(fn, items, chunksize=1))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    def __init__(self, address: str | None = None, workers: int | None = None, processes: bool = True) -> None:
        from distributed import Client, LocalCluster

        self.spec = f"dask://{address or 'local'}"
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=max(1, workers or os.cpu_count() or 1),
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)

    def map(self, fn, items):
        items = list(items)
        if not items:
            return []
        futures = self._client.map(fn, items, pure=False)
        return self._client.gather(futures)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def make_executor(spec: str | None = "process") -> Executor:
    """An executor from its spec string (see the module docstring); ValueError for an unknown spec."""
    spec = (spec or "process").strip()
    if spec == "serial":
        return SerialExecutor()
    if spec == "process" or spec.startswith("process:"):
        _, _, n = spec.partition(":")
        if n and not n.isdigit():
            raise ValueError(f"bad executor spec {spec!r}: worker count must be a number")
        return ProcessExecutor(int(n) if n else None)
    if spec.startswith("dask://"):
        url = urlparse(spec)
        opts = {k: v[-1] for k, v in parse_qs(url.query).items()}
        unknown = set(opts) - {"workers", "processes"}
        if unknown:
            raise ValueError(f"bad executor spec {spec!r}: unknown option(s) {', '.join(sorted(unknown))}")
        if url.netloc == "local":
            workers = int(opts["workers"]) if "workers" in opts else None
            return DaskExecutor(None, workers, _flag(opts.get("processes", "true")))
        if not url.netloc:
            raise ValueError(f"bad executor spec {spec!r}: give dask://HOST:PORT or dask://local")
        return DaskExecutor(f"tcp://{url.netloc}")
    raise ValueError(f"unknown executor spec {spec!r}; use serial, process[:N], dask://local or dask://HOST:PORT")
