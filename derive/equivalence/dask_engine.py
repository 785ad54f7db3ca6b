"""Many comparisons on Dask: the pairs of a batch run as Dask tasks, in chunks.

The batch-line contract and the answers are those of :mod:`.batch` (one
implementation): only the engine changes. The parent reads the records, keeps
their order and writes the answers; a Dask task gets a chunk of pairs. In each
Dask worker thread one worker process of ours is kept between chunks (warm
parser caches) and stops a pair that runs past the time limit, exactly as the
local batch does, so the answers are the same apart from ``ms``.

A Dask worker that dies loses nothing: the scheduler runs its chunk again on
another worker. When the scheduler gives up on a chunk, its pairs are tried one
by one, and a pair that still gets no answer is answered ``error``, with the
reason (method ``worker``).

``dask`` and ``distributed`` are an optional extra: ``pip install 'derive[dask]'``.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator

from ..core.workers import Done, Failed, WorkerPool, task_bytes
from .batch import Lost, Pair, answer

#: Pairs in one Dask task: enough to make a task's cost small beside its pairs
#: (on 10,000 pairs, 32 ran 4% faster than 8), few enough that a lost worker
#: costs little and the workers share the load.
CHUNK = 32
#: Chunks given to the cluster per worker thread before answers are awaited.
CHUNKS_PER_THREAD = 2
#: Deaths of a Dask worker on one chunk that a local cluster survives.
ALLOWED_FAILURES = 2
MISSING = ("the Dask engine needs the optional packages dask and distributed: "
           "pip install 'derive[dask]'")

Outcome = tuple[Hashable, Done | Failed]


class DaskUnavailable(RuntimeError):
    """Dask is not installed, or the scheduler cannot be reached; the text says which."""


# -- in a Dask worker ----------------------------------------------------------
_THREAD = threading.local()


def run_chunk(tasks: list[tuple[int, Pair]], timeout: float) -> list[Outcome]:
    """In a Dask worker: each pair's outcome, compared in the worker process that
    this thread keeps (started at the first chunk, replaced when a pair runs past
    ``timeout`` seconds or its process dies)."""
    pool = getattr(_THREAD, "pool", None)
    if pool is None:
        pool = _THREAD.pool = WorkerPool(answer, 1, timeout)
    pool.timeout = timeout
    out: list[Outcome] = []
    for key, pair in tasks:
        try:
            pool.submit(key, pair)
        except ValueError as exc:
            out.append((key, Failed(str(exc))))
            continue
        out.extend(pool.collect())
    return out


# -- in the parent ---------------------------------------------------------------
class DaskPool:
    """The engine interface of :func:`.batch.check_records` on a Dask client:
    pairs gathered into chunks of ``chunk``, each run by ``task`` (default
    :func:`run_chunk`) as one Dask task, at most ``window`` chunks out at a time."""

    def __init__(self, client: Any, timeout: float, window: int, chunk: int = CHUNK,
                 task: Callable[[list[tuple[int, Pair]], float], list[Outcome]] = run_chunk):
        from distributed import as_completed

        self.client, self.timeout, self.window, self.chunk, self.task = client, timeout, window, chunk, task
        self.filling: list[tuple[int, Pair]] = []
        self.running: dict[Any, list[tuple[int, Pair]]] = {}
        self.finished = as_completed()
        self.ready: list[Outcome] = []
        self.alone: deque[tuple[int, Pair]] = deque()  # pairs of a lost chunk, to try one at a time
        self.alone_out: Any = None  # the future of the one being tried

    def idle(self) -> bool:
        return len(self.running) < self.window

    def pending(self) -> bool:
        return bool(self.filling or self.running or self.ready or self.alone)

    def submit(self, key: Hashable, payload: Any) -> None:
        """Add a pair to the chunk being filled (:class:`ValueError` when too large,
        as in the local pool); a full chunk goes to the cluster."""
        task_bytes(key, payload)
        assert isinstance(key, int)
        self.filling.append((key, payload))
        if len(self.filling) >= self.chunk:
            self._ship()

    def _ship(self, tasks: list[tuple[int, Pair]] | None = None) -> Any:
        if tasks is None:
            tasks, self.filling = self.filling, []
        future = self.client.submit(self.task, tasks, self.timeout, pure=False)
        self.running[future] = tasks
        self.finished.add(future)
        return future

    def collect(self) -> list[Outcome]:
        """Send the chunk being filled; wait until a chunk has its outcomes."""
        if self.filling:
            self._ship()
        self._next_alone()
        while not self.ready and self.running:
            future = next(self.finished)
            self._finished(future, self.running.pop(future))
        out, self.ready = self.ready, []
        return out

    def _next_alone(self) -> None:
        """Send the next pair of a lost chunk, alone on the cluster among such pairs,
        so that a pair that kills its worker cannot take another with it."""
        if self.alone_out is None and self.alone:
            self.alone_out = self._ship([self.alone.popleft()])

    def _finished(self, future: Any, tasks: list[tuple[int, Pair]]) -> None:
        from distributed import KilledWorker

        if future is self.alone_out:
            self.alone_out = None
        try:
            self._outcomes(future, tasks, KilledWorker)
        finally:
            self._next_alone()

    def _outcomes(self, future: Any, tasks: list[tuple[int, Pair]], killed: type) -> None:
        if future.status == "finished":
            self.ready.extend(future.result())
            return
        error = future.exception() if future.status == "error" else None
        if isinstance(error, killed) and len(tasks) > 1:
            self.alone.extend(tasks)  # one by one: only a pair that kills its worker goes unanswered
            return
        if isinstance(error, killed):
            reason = ("the Dask worker running this pair died on every try "
                      "(out of memory, killed or crashed)")
        elif error is not None:
            reason = f"the Dask task failed: {type(error).__name__}: {error}"
        else:
            reason = f"the Dask task was {future.status}"
        self.ready.extend((key, Lost(reason)) for key, _ in tasks)

    def close(self) -> None:
        """Cancel the chunks still out (the client stays open)."""
        if self.running:
            try:
                self.client.cancel(list(self.running))
            except Exception:  # noqa: BLE001 -- the client may already be gone
                pass
        self.running.clear()
        self.alone.clear()


@contextmanager
def _no_ctrl_c() -> Iterator[None]:
    """Processes started inside ignore Ctrl-C (the ignored signal is inherited and
    Python keeps it ignored): a Ctrl-C at the terminal reaches the whole process
    group, and the parent alone decides what stops, as with the local workers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class DaskEngine:
    """A Dask client (on a scheduler, or on a local cluster it starts) that makes
    :class:`DaskPool` engines for :func:`.batch.check_records`. Close it (or use
    it as a context manager) to leave the scheduler, and stop the local cluster."""

    def __init__(self, client: Any, cluster: Any = None, chunk: int = CHUNK):
        self.client, self.cluster, self.chunk = client, cluster, chunk

    @classmethod
    def connect(cls, scheduler: str | None = None, workers: int = 1, chunk: int = CHUNK,
                timeout: float = 30.0) -> "DaskEngine":
        """A client of the scheduler at ``scheduler``, or of a new local cluster of
        ``workers`` worker processes (one thread each); :class:`DaskUnavailable`
        when Dask is not installed or the scheduler cannot be reached."""
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise DaskUnavailable(MISSING) from None
        if scheduler is not None:
            try:
                return cls(Client(scheduler, timeout=timeout), chunk=chunk)
            except (OSError, ValueError, TypeError) as exc:
                raise DaskUnavailable(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}), _no_ctrl_c():
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
        return cls(Client(cluster), cluster, chunk)

    def threads(self) -> int:
        """Worker threads in the cluster now."""
        return sum(self.client.nthreads().values())

    def pool(self, timeout: float) -> DaskPool:
        """An engine for one batch (the argument ``pool`` of :func:`.batch.check_records`)."""
        return DaskPool(self.client, timeout, max(2, CHUNKS_PER_THREAD * self.threads()), self.chunk)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
