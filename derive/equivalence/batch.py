"""Many comparisons: worker processes, a hard time limit per pair, order kept.

The workers are started once and reused (parsing memoises pieces, so a warm
worker is fast). A pair that runs past its limit has its worker killed and
replaced; that pair gets ``unknown`` and the others go on. The parent only
waits on pipes, so the limits hold whatever thread the caller runs in.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time
from multiprocessing.connection import wait
from typing import Iterable, Iterator

from ..core.limits import ChildFailed, TimedOut, call_with_timeout
from ..parsing import ParseError
from .decide import check
from .verdict import Verdict


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def record(pair: dict, timeout: float, require_proof: bool = False) -> dict:
    """The batch-line answer for one input object (in this process); the line's
    ``require_proof`` field, when given, wins over ``require_proof``."""
    started = time.perf_counter()
    out = dict(pair)
    try:
        a, b, domains, required = _fields(pair, require_proof)
        verdict = check(a, b, domains, seconds=timeout, require_proof=required)
        out.update(_verdict_fields(verdict))
    except ParseError as exc:
        out.update(verdict="error", method="parse", reason=exc.render())
    except (ValueError, TypeError) as exc:
        out.update(verdict="error", method="input", reason=str(exc))
    except RecursionError:
        out.update(verdict="unknown", method="limits", reason="the formula is nested too deeply to evaluate")
    out["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def _fields(pair: dict, require_proof: bool) -> tuple[str, str, dict, bool]:
    if not isinstance(pair, dict):
        raise ValueError("each line must be a JSON object with keys a and b")
    a, b, domains = pair.get("a"), pair.get("b"), pair.get("domains") or {}
    if not isinstance(a, str) or not isinstance(b, str):
        raise ValueError("keys a and b must be strings of LaTeX")
    if not isinstance(domains, dict):
        raise ValueError("domains must be an object such as {\"y\": \"binary\"}")
    required = pair.get("require_proof", require_proof)
    if not isinstance(required, bool):
        raise ValueError("require_proof must be true or false")
    return a, b, domains, required


def _verdict_fields(v: Verdict) -> dict:
    full = v.to_json()
    return {key: full[key] for key in ("verdict", "method", "proved", "evidence", "reason", "counterexample", "notes")
            if key in full}


def _timed_out(pair: dict, timeout: float) -> dict:
    out = dict(pair)
    out.update(verdict="unknown", method="limits", reason=f"no answer within {timeout:g} s",
               ms=round(timeout * 1000, 1))
    return out


def check_with_timeout(a: str, b: str, domains: dict | None, timeout: float,
                       require_proof: bool = False) -> Verdict:
    """:func:`check` in a child process, stopped after ``timeout`` seconds."""
    from .verdict import Answer
    try:
        return call_with_timeout(check, a, b, domains, timeout, require_proof, seconds=timeout)
    except TimedOut:
        return Verdict(Answer.UNKNOWN, "limits", f"no answer within {timeout:g} s", a, b)
    except ChildFailed as exc:
        return Verdict(Answer.UNKNOWN, "limits", f"the check stopped: {exc}", a, b)
    except ParseError:
        raise
    except (MemoryError, RecursionError) as exc:
        return Verdict(Answer.UNKNOWN, "limits", f"the check ran out of resources ({type(exc).__name__})", a, b)
    except Exception as exc:  # noqa: BLE001 -- raised in the child; reported, never a traceback
        return Verdict(Answer.UNKNOWN, "internal", f"internal error, please report: {type(exc).__name__}: {exc}",
                       a, b)


# -- worker pool ---------------------------------------------------------------
def _worker(conn, timeout: float, require_proof: bool) -> None:
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        index, pair = job
        try:
            out = record(pair, timeout, require_proof)
        except Exception as exc:  # noqa: BLE001 -- reported on the line; the batch goes on
            out = dict(pair)
            out.update(verdict="unknown", method="internal",
                       reason=f"internal error, please report: {type(exc).__name__}: {exc}", ms=0.0)
        conn.send((index, out))


class _Pool:
    def __init__(self, jobs: int, timeout: float, require_proof: bool = False):
        self.ctx = _context()
        self.timeout = timeout
        self.require_proof = require_proof
        self.workers: list[list] = [self._start() for _ in range(jobs)]  # [process, conn, job, started]

    def _start(self) -> list:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker, args=(child, self.timeout, self.require_proof), daemon=True)
        process.start()
        child.close()
        return [process, parent, None, 0.0]

    def close(self) -> None:
        for process, conn, _, _ in self.workers:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
            process.join(1)
            if process.is_alive():
                process.kill()
            conn.close()

    def run(self, jobs: list[tuple[int, dict]]) -> Iterator[tuple[int, dict]]:
        queue = list(reversed(jobs))
        while queue or any(w[2] is not None for w in self.workers):
            for w in self.workers:
                if w[2] is None and queue:
                    job = queue.pop()
                    w[1].send(job)
                    w[2], w[3] = job, time.monotonic()
            busy = [w for w in self.workers if w[2] is not None]
            soonest = min(w[3] + self.timeout for w in busy)
            ready = wait([w[1] for w in busy], timeout=max(0.0, soonest - time.monotonic()))
            now = time.monotonic()
            for slot, w in enumerate(self.workers):
                if w[2] is None:
                    continue
                if w[1] in ready:
                    try:
                        index, out = w[1].recv()
                    except EOFError:
                        index, out = w[2][0], _died(w[2][1])
                        self._replace(slot)
                        yield index, out
                        continue
                    w[2] = None
                    yield index, out
                elif now >= w[3] + self.timeout:
                    index, pair = w[2]
                    self._replace(slot)
                    yield index, _timed_out(pair, self.timeout)

    def _replace(self, slot: int) -> None:
        process, conn = self.workers[slot][:2]
        process.kill()
        process.join(1)
        conn.close()
        self.workers[slot] = self._start()


def _died(pair: dict) -> dict:
    out = dict(pair)
    out.update(verdict="unknown", method="limits", reason="the worker process died on this pair", ms=0.0)
    return out


def run_batch(lines: Iterable[str], jobs: int = 1, timeout: float = 10.0,
              progress: bool = False, require_proof: bool = False) -> Iterator[dict]:
    """One output object per input line, in input order (see DESIGN.md, Batch lines);
    ``require_proof`` applies to the lines without a ``require_proof`` field."""
    parsed: list[dict | None] = []
    results: dict[int, dict] = {}
    pending: list[tuple[int, dict]] = []
    for index, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            results[index] = {"line": index + 1, "verdict": "error", "method": "input",
                              "reason": f"not JSON: {exc.msg} at column {exc.colno}", "ms": 0.0}
            parsed.append(None)
            continue
        if not isinstance(obj, dict):
            results[index] = {"line": index + 1, "verdict": "error", "method": "input",
                              "reason": "each line must be a JSON object with keys a and b", "ms": 0.0}
            parsed.append(None)
            continue
        parsed.append(obj)
        pending.append((index, obj))
    total = len(parsed)
    done = len(results)
    emitted = 0
    pool = _Pool(max(1, min(jobs, len(pending))), timeout, require_proof) if pending else None
    try:
        stream = pool.run(pending) if pool else iter(())
        while emitted < total:
            while emitted in results:
                yield results.pop(emitted)
                emitted += 1
            if emitted >= total:
                break
            index, out = next(stream)
            results[index] = out
            done += 1
            if progress:
                _bar(done, total)
    finally:
        if pool:
            pool.close()
        if progress:
            sys.stderr.write("\n")


def _bar(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()
