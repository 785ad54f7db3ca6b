"""Many comparisons: the batch-line contract (DESIGN.md, "Batch lines").

One answer per input, in input order; a bad input gets ``error`` and the rest
go on. The layers, each usable alone:

- :func:`check_records` -- JSON objects in, answer objects out (the input
  object plus ``verdict``, ``method``, ``reason``, ``ms``...).
- :func:`read_lines` / :func:`run_batch` -- the bytes of a JSON-lines file in,
  answers out: a line that is not UTF-8, not a JSON object, nested too deeply
  or too long is answered by its own ``error`` line (with its line number).
- :func:`answer_line` -- an answer as one line of valid UTF-8 JSON.

Only the pair (``a``, ``b``, ``domains``) travels to a worker process; the
other keys of a line stay in the parent and come back unchanged.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Generator, Hashable, Iterable, Iterator, Protocol

from ..core.jsontext import JSONLimit, read_json
from ..core.progress import progress as progress_bar
from ..core.workers import Done, Failed, KeptWorker, WorkerPool
from ..core.limits import limit_reason
from ..parsing import ParseError
from ..parsing.lexer import MAX_INPUT
from .decide import check
from .verdict import Answer, Verdict

#: Bounds on one input line; past them the line is answered ``error``.
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_DOMAINS = 100
MAX_DOMAIN_TEXT = 200
#: Answers kept waiting for an earlier line before no new pair is started.
REORDER_WINDOW = 256

ERROR, UNKNOWN = "error", "unknown"


class BadLine(ValueError):
    """An input line that cannot be read as a JSON object; the text says why."""


@dataclass(frozen=True)
class Pair:
    """What a worker needs for one comparison, and nothing else."""
    a: str
    b: str
    domains: dict = field(default_factory=dict)
    timeout: float = 10.0
    require_proof: bool = False


# -- one pair ------------------------------------------------------------------
def pair_of(record: object, timeout: float, require_proof: bool = False) -> Pair:
    """The pair a batch object asks about; :class:`ValueError` naming what is wrong.
    The object's own ``require_proof`` field, when present, wins over ``require_proof``."""
    if not isinstance(record, dict):
        raise ValueError("each line must be a JSON object with keys a and b")
    a, b, domains = record.get("a"), record.get("b"), record.get("domains") or {}
    if not isinstance(a, str) or not isinstance(b, str):
        raise ValueError("keys a and b must be strings of LaTeX")
    for name, text in (("a", a), ("b", b)):
        if len(text) > MAX_INPUT:
            raise ValueError(f"{name} is {len(text)} characters long; at most {MAX_INPUT} are read")
    if not isinstance(domains, dict):
        raise ValueError("domains must be an object such as {\"y\": \"binary\"}")
    if len(domains) > MAX_DOMAINS:
        raise ValueError(f"domains: more than {MAX_DOMAINS} symbols")
    for key, kind in domains.items():
        if not isinstance(kind, str) or len(key) > MAX_DOMAIN_TEXT or len(kind) > MAX_DOMAIN_TEXT:
            raise ValueError("domains: each symbol maps to the name of a kind, such as \"binary\"")
    required = record.get("require_proof", require_proof)
    if not isinstance(required, bool):
        raise ValueError("require_proof must be true or false")
    return Pair(a, b, dict(domains), timeout, required)


def answer(pair: Pair) -> dict:
    """The answer fields for one pair, computed in this process."""
    started = time.perf_counter()
    try:
        out = verdict_fields(check(pair.a, pair.b, pair.domains, timeout=pair.timeout,
                                   require_proof=pair.require_proof))
    except ParseError as exc:
        out = {"verdict": ERROR, "method": "parse", "reason": exc.render()}
    except Exception as exc:  # noqa: BLE001 -- limits are answers; anything else is reported
        limit = limit_reason(exc)
        if limit is not None:
            out = {"verdict": UNKNOWN, "method": "limits", "reason": limit}
        elif isinstance(exc, (ValueError, TypeError)):
            out = {"verdict": ERROR, "method": "input", "reason": str(exc)}
        else:
            out = {"verdict": UNKNOWN, "method": "internal",
                   "reason": f"internal error, please report: {type(exc).__name__}: {exc}"}
    out["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def record(pair: dict, timeout: float, require_proof: bool = False) -> dict:
    """The batch-line answer for one input object, computed in this process."""
    try:
        fields = answer(pair_of(pair, timeout, require_proof))
    except ValueError as exc:
        fields = {"verdict": ERROR, "method": "input", "reason": str(exc), "ms": 0.0}
    return {**pair, **fields} if isinstance(pair, dict) else fields


def verdict_fields(v: Verdict) -> dict:
    """A verdict's fields on a batch line (``proved`` and ``evidence`` for an ``equivalent``)."""
    full = v.to_json()
    return {key: full[key] for key in ("verdict", "method", "proved", "evidence", "reason", "counterexample", "notes")
            if full[key] not in (None, [])}


def _check_task(task: tuple) -> tuple[str, object]:
    """In the kept worker: ``("ok", verdict)``, or ``("error", exception)``."""
    a, b, domains, seconds, require_proof = task
    try:
        return "ok", check(a, b, domains, seconds, require_proof)
    except Exception as exc:  # noqa: BLE001 -- sent back to the caller, who decides
        return "error", exc


#: The worker that :func:`check_with_timeout` keeps between calls.
_KEPT = KeptWorker(_check_task)


def check_with_timeout(a: str, b: str, domains: dict | None, timeout: float,
                       require_proof: bool = False) -> Verdict:
    """:func:`check` in a worker process kept between calls, stopped after
    ``timeout`` seconds (``unknown``; the late worker is replaced)."""
    outcome = _KEPT.run((a, b, domains, timeout, require_proof), timeout)
    if isinstance(outcome, Failed):
        if outcome.timed_out:
            return Verdict(Answer.UNKNOWN, "limits", f"no answer within {timeout:g} s", a, b)
        return Verdict(Answer.UNKNOWN, "limits", f"the check stopped: {outcome.reason}", a, b)
    kind, value = outcome.value
    if kind == "ok":
        return value
    if isinstance(value, ParseError):
        raise value
    limit = limit_reason(value)
    if limit is not None:
        return Verdict(Answer.UNKNOWN, "limits", limit, a, b)
    return Verdict(Answer.UNKNOWN, "internal", f"internal error, please report: {type(value).__name__}: {value}",
                   a, b)


# -- many pairs ----------------------------------------------------------------
@dataclass(frozen=True)
class _Ready:
    """An input whose answer is known without a worker (a bad line)."""
    answer: dict


def check_records(records: Iterable[object], *, timeout: float = 10.0, jobs: int = 1,
                  require_proof: bool = False, pool: Callable[[float], Pool] | None = None) -> Iterator[dict]:
    """One answer object per record, in order: the record (when it is an object)
    plus ``verdict``, ``method``, ``reason``, ``ms`` (DESIGN.md, "Batch lines").

    ``records`` is read lazily; ``jobs`` worker processes compare the pairs, each
    stopped after ``timeout`` seconds (``unknown``); a worker that dies is
    replaced and its pair tried once more. ``pool`` (given the timeout) makes
    another engine with the same interface as :class:`WorkerPool`, such as the
    Dask one of :mod:`derive.equivalence.dask_engine`. Stopping the iteration
    (or Ctrl-C) stops the workers.
    """
    return _answers(records, timeout, pool or _local_pool(jobs), require_proof)


class Pool(Protocol):
    """What :func:`check_records` needs of an engine (:class:`WorkerPool` has it)."""

    def idle(self) -> bool: ...
    def pending(self) -> bool: ...
    def submit(self, key: Hashable, payload: Any) -> None: ...
    def collect(self) -> list[tuple[Hashable, Done | Failed]]: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Lost(Failed):
    """The engine gave up on the pair: the machine running it died on every try."""


def _local_pool(jobs: int) -> Callable[[float], Pool]:
    return lambda timeout: WorkerPool(answer, jobs, timeout)


def outcome_fields(outcome: Done | Failed, timeout: float) -> dict:
    """The answer fields for a pair's outcome in a worker: its answer, or why it has none."""
    if isinstance(outcome, Done):
        return outcome.value
    if isinstance(outcome, Lost):
        return {"verdict": ERROR, "method": "worker", "reason": outcome.reason, "ms": 0.0}
    reason = (f"no answer within {timeout:g} s" if outcome.timed_out
              else f"the check stopped: {outcome.reason}")
    ms = round(timeout * 1000, 1) if outcome.timed_out else 0.0
    return {"verdict": UNKNOWN, "method": "limits", "reason": reason, "ms": ms}


def _answers(items: Iterable[object], timeout: float, make_pool: Callable[[float], Pool],
             require_proof: bool = False) -> Iterator[dict]:
    source = iter(items)
    waiting: dict[int, object] = {}  # index -> record, while its pair is out
    buffered: dict[int, dict] = {}  # answers ahead of the next one to give
    taken = given = 0
    exhausted = False
    pool: Pool | None = None
    try:
        while True:
            while not exhausted and taken - given < REORDER_WINDOW and (pool is None or pool.idle()):
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                index, taken = taken, taken + 1
                if isinstance(item, _Ready):
                    buffered[index] = item.answer
                    continue
                try:
                    pair = pair_of(item, timeout, require_proof)
                except ValueError as exc:
                    buffered[index] = _merge(item, {"verdict": ERROR, "method": "input", "reason": str(exc), "ms": 0.0})
                    continue
                if pool is None:
                    pool = make_pool(timeout)
                waiting[index] = item
                try:
                    pool.submit(index, pair)
                except ValueError:
                    del waiting[index]
                    buffered[index] = _merge(item, {"verdict": ERROR, "method": "input",
                                                    "reason": "the pair is too large to check", "ms": 0.0})
            while given in buffered:
                yield buffered.pop(given)
                given += 1
            if exhausted and given == taken:
                return
            if pool is None or not pool.pending():
                continue
            for key, outcome in pool.collect():
                assert isinstance(key, int)  # the keys given to submit
                buffered[key] = _merge(waiting.pop(key), outcome_fields(outcome, timeout))
    finally:
        if pool is not None:
            pool.close()


def _merge(item: object, fields: dict) -> dict:
    return {**item, **fields} if isinstance(item, dict) else fields


# -- lines ---------------------------------------------------------------------
def read_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` for each non-blank line of a binary stream; the
    bytes are ``None`` for a line longer than :data:`MAX_LINE_BYTES`."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the long line
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        if raw.strip():
            yield number, raw


def parse_line(raw: bytes) -> object:
    """The JSON value on one line; :class:`BadLine` saying why it cannot be read."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise BadLine(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})") from None
    try:
        return read_json(text, MAX_JSON_DEPTH)
    except JSONLimit as exc:
        raise BadLine(str(exc).replace(" at line 1 column", " at column")) from None


def _line_items(lines: Iterable[tuple[int, bytes | None]]) -> Iterator[object]:
    for number, raw in lines:
        try:
            if raw is None:
                raise BadLine(f"longer than {MAX_LINE_BYTES} bytes")
            value = parse_line(raw)
            if not isinstance(value, dict):
                raise BadLine("each line must be a JSON object with keys a and b")
        except BadLine as exc:
            yield _Ready({"line": number, "verdict": ERROR, "method": "input",
                          "reason": f"line {number}: {exc}", "ms": 0.0})
            continue
        yield value


def run_batch(lines: Iterable[tuple[int, bytes | None]] | Iterable[str], jobs: int = 1,
              timeout: float = 10.0, progress: bool = False, require_proof: bool = False,
              pool: Callable[[float], Pool] | None = None) -> Generator[dict, None, None]:
    """One answer per non-blank line, in order. ``lines`` are ``(number, bytes)``
    from :func:`read_lines`, or plain strings (numbered from 1); ``require_proof``
    applies to the lines without a ``require_proof`` field; ``pool`` as in
    :func:`check_records` (default: ``jobs`` local worker processes)."""
    numbered = (item if isinstance(item, tuple) else
                (n, item.encode("utf-8", "surrogatepass") if isinstance(item, str) else item)
                for n, item in enumerate(lines, 1))
    bar = progress_bar(None, "line", enabled=progress)
    try:
        for out in _answers(_line_items(numbered), timeout, pool or _local_pool(jobs), require_proof):
            bar.update(1)
            yield out
    finally:
        bar.close()


def answer_line(answer: dict) -> bytes:
    """One answer as a line of UTF-8 JSON. Text that cannot be UTF-8 (a lone
    surrogate such as ``"\\ud800"`` read from the input) is written as the same
    ``\\u`` escape, so the line reads back to the same value."""
    text = json.dumps(answer, ensure_ascii=False)
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(answer, ensure_ascii=True) + "\n").encode("ascii")
