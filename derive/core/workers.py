"""Worker processes that can be stopped: a hard limit per task, deaths survived.

One pool serves ``derive check --batch`` and ``derive build``. The parent only
waits on pipes and process sentinels (no threads), so it notices at once a
worker that answers, one that dies (killed, out of memory, crashed) and one
that runs past its limit, and the limits hold whatever thread the caller runs
in. Every worker ignores Ctrl-C (the parent decides what stops) and dies with
its parent, so none is ever left behind.

Why not ``concurrent.futures`` or pebble: a dead worker breaks a
``ProcessPoolExecutor`` for every pending task and it cannot kill one late
task; pebble would add a dependency and threads in the parent for the same
few guarantees written here.
"""
from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Hashable

#: A task sent to a worker is at most this large, so sending never blocks on a
#: worker that has stopped reading (it fits in the empty pipe buffer).
MAX_TASK_BYTES = 64 * 1024
#: A task whose worker died is run once more on a fresh worker, then given up.
ATTEMPTS = 2

_PR_SET_PDEATHSIG = 1


def fork_context():
    """``fork`` where it exists (workers start fast, warm), else ``spawn``."""
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); exit now
    if the parent is already gone. Elsewhere the parent's own cleanup applies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)  # this process's symbols include libc's
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)


def worker_setup(parent_pid: int) -> None:
    """What every worker does first: die with the parent, leave Ctrl-C and
    SIGTERM handling to the default (the parent stops its workers itself)."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Stopped(BaseException):
    """The process received SIGTERM (or SIGHUP): stop, keep what is finished."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def raise_stopped(signum, _frame) -> None:
    """Signal handler: turn SIGTERM/SIGHUP into :class:`Stopped` in the main thread."""
    raise Stopped(signum)


@dataclass(frozen=True)
class Done:
    """The task's function returned ``value``."""
    value: Any


@dataclass(frozen=True)
class Failed:
    """The task got no value: it ran out of time, its worker died twice, or it raised."""
    reason: str
    timed_out: bool = False


def _serve(conn, fn: Callable[[Any], Any], parent_pid: int) -> None:
    worker_setup(parent_pid)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, payload = message
        reply: tuple[Any, Done | Failed]
        try:
            reply = (key, Done(fn(payload)))
        except Exception as exc:  # noqa: BLE001 -- reported on the task; the pool goes on
            reply = (key, Failed(f"{type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except (OSError, pickle.PicklingError, RecursionError) as exc:
            try:
                conn.send((key, Failed(f"the answer could not be sent back ({type(exc).__name__})")))
            except OSError:
                return


_START_LOCK = threading.Lock()


def _start(process) -> None:
    """Start ``process``, also from a daemonic process (a Dask worker is one).

    multiprocessing refuses children to a daemonic process so that none outlives
    it; ours cannot: each dies with its parent (:func:`die_with_parent`) and is
    itself daemonic. The flag is lifted for the start only, under a lock."""
    me = mp.current_process()
    if not me.daemon:
        process.start()
        return
    with _START_LOCK:
        me.daemon = False
        try:
            process.start()
        finally:
            me.daemon = True


class _Worker:
    def __init__(self, ctx, fn, parent_pid: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, fn, parent_pid), daemon=True)
        _start(self.process)
        child.close()
        self.key: Hashable | None = None
        self.payload: Any = None
        self.started = 0.0

    @property
    def busy(self) -> bool:
        return self.key is not None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2)
        self.conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def task_bytes(key: Hashable, payload: Any) -> bytes:
    """A task as sent to a worker; :class:`ValueError` when larger than :data:`MAX_TASK_BYTES`."""
    data = pickle.dumps((key, payload), protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > MAX_TASK_BYTES:
        raise ValueError(f"a task of {len(data)} bytes is larger than {MAX_TASK_BYTES}")
    return data


class WorkerPool:
    """``jobs`` worker processes running ``fn(payload)``; ``timeout`` seconds per
    task (``None``: no limit). Use as a context manager: leaving it stops every
    worker, also on Ctrl-C or :class:`Stopped`.

    :meth:`submit` gives a task to an idle worker; :meth:`collect` waits for
    the next outcomes, ``(key, Done | Failed)``. A late task's worker is killed
    and replaced (``Failed``, ``timed_out``); a dead worker is replaced and its
    task run once more, then ``Failed`` with the reason.
    """

    def __init__(self, fn: Callable[[Any], Any], jobs: int, timeout: float | None):
        self.fn, self.timeout = fn, timeout
        self.ctx = fork_context()
        self.parent_pid = os.getpid()
        self.attempts: dict[Hashable, int] = {}
        self.ready: deque[tuple[Hashable, Done | Failed]] = deque()
        self.workers = [self._start() for _ in range(max(1, jobs))]

    def _start(self) -> _Worker:
        return _Worker(self.ctx, self.fn, self.parent_pid)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker now (a running task is abandoned)."""
        for w in self.workers:
            if not w.busy:
                try:
                    w.conn.send(None)
                except (OSError, ValueError):
                    pass
        for w in self.workers:
            if not w.busy:
                w.process.join(0.5)
            w.stop()
        self.workers = []

    def idle(self) -> bool:
        return any(not w.busy for w in self.workers)

    def busy(self) -> int:
        return sum(w.busy for w in self.workers)

    def pending(self) -> bool:
        """Is a task running, or an outcome waiting for :meth:`collect`?"""
        return bool(self.ready) or self.busy() > 0

    def submit(self, key: Hashable, payload: Any) -> None:
        """Give ``payload`` to an idle worker (call only when :meth:`idle`)."""
        data = task_bytes(key, payload)
        slot = next(i for i, w in enumerate(self.workers) if not w.busy)
        self._send(slot, key, payload, data)

    def _send(self, slot: int, key: Hashable, payload: Any, data: bytes) -> None:
        for _ in range(2):  # an idle worker found dead is replaced once
            w = self.workers[slot]
            try:
                w.conn.send_bytes(data)
            except OSError:
                self._replace(slot)
                continue
            w.key, w.payload, w.started = key, payload, time.monotonic()
            return
        self.ready.append((key, Failed("no worker process could be started")))

    def _replace(self, slot: int) -> None:
        self.workers[slot].stop()
        self.workers[slot] = self._start()

    def collect(self) -> list[tuple[Hashable, Done | Failed]]:
        """Wait until at least one task has an outcome (or none is running)."""
        while not self.ready and self.busy():
            self._step()
        out = list(self.ready)
        self.ready.clear()
        return out

    def _step(self) -> None:
        busy = [w for w in self.workers if w.busy]
        wait_for = None
        if self.timeout is not None:
            soonest = min(w.started for w in busy) + self.timeout
            wait_for = max(0.0, soonest - time.monotonic())
        handles = [w.conn for w in busy] + [w.process.sentinel for w in self.workers]
        ready = set(wait(handles, timeout=wait_for))
        now = time.monotonic()
        for slot, w in enumerate(list(self.workers)):
            if w.busy and w.conn in ready:
                try:
                    key, outcome = w.conn.recv()
                except (EOFError, OSError):
                    self._died(slot)
                    continue
                w.key = w.payload = None
                self.attempts.pop(key, None)
                self.ready.append((key, outcome))
            elif w.process.sentinel in ready:
                if w.busy:
                    self._died(slot)
                else:
                    self._replace(slot)
            elif w.busy and self.timeout is not None and now >= w.started + self.timeout:
                key = w.key
                self.attempts.pop(key, None)
                self._replace(slot)
                self.ready.append((key, Failed(f"no answer within {self.timeout:g} s", timed_out=True)))

    def _died(self, slot: int) -> None:
        w = self.workers[slot]
        key, payload = w.key, w.payload
        w.process.join(2)
        why = _death(w.process.exitcode)
        self._replace(slot)
        tries = self.attempts[key] = self.attempts.get(key, 0) + 1
        if tries < ATTEMPTS:
            self._send(slot, key, payload, pickle.dumps((key, payload), protocol=pickle.HIGHEST_PROTOCOL))
        else:
            self.attempts.pop(key, None)
            self.ready.append((key, Failed(f"the worker process died {tries} times on it "
                                           f"({why}: out of memory, killed or crashed)")))


class KeptWorker:
    """One worker process running ``fn(payload)``, kept alive between calls so
    that a call with a time limit costs a message, not a new process.

    :meth:`run` waits at most ``timeout`` seconds; a late call's worker is
    killed and a fresh one started for the next call, so the limit always
    holds. Calls from several threads take turns. The worker is stopped at
    exit, or by :meth:`close`; after a ``fork`` the child starts its own.
    """

    def __init__(self, fn: Callable[[Any], Any]):
        import threading

        self.fn = fn
        self._pool: WorkerPool | None = None
        self._owner = 0  # the process that started the pool
        self._lock = threading.Lock()
        self._registered = False

    @property
    def pid(self) -> int | None:
        """The worker process's id (``None`` before the first call)."""
        if self._pool is None or self._owner != os.getpid() or not self._pool.workers:
            return None
        return self._pool.workers[0].process.pid

    def run(self, payload: Any, timeout: float) -> Done | Failed:
        """``fn(payload)`` in the worker: :class:`Done`, or :class:`Failed` (late:
        ``timed_out``; the worker died twice; or ``payload`` is too large to send)."""
        with self._lock:
            if self._pool is None or self._owner != os.getpid():
                self._pool, self._owner = WorkerPool(self.fn, 1, timeout), os.getpid()
                if not self._registered:
                    import atexit

                    atexit.register(self.close)
                    self._registered = True
            pool = self._pool
            pool.timeout = timeout
            try:
                pool.submit(0, payload)
                outcomes = pool.collect()
            except ValueError as exc:  # too large to send
                return Failed(str(exc))
            except BaseException:  # Ctrl-C or a signal in the middle of a call: no worker left running
                self._close_locked()
                raise
            return outcomes[0][1] if outcomes else Failed("no answer from the worker process")

    def close(self) -> None:
        """Stop the worker (the next :meth:`run` starts a new one)."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._pool is not None and self._owner == os.getpid():
            self._pool.close()
        self._pool = None
