"""Hard time limits: run a function in a child process and stop it when late.

Sympy's algebra cannot be interrupted from inside a thread, and
``signal.alarm`` works only in the main thread; a child process can always be
killed. Used for work on user input (certificates), where a hang is a bug.
"""
from __future__ import annotations

import os
import traceback
from typing import Any, Callable

from .workers import fork_context, worker_setup


class TimedOut(Exception):
    """The function did not finish within its time limit."""


class ChildFailed(Exception):
    """The function raised an exception in the child; its text is the message."""


def limit_reason(exc: BaseException) -> str | None:
    """What limit ``exc`` means was reached, or ``None`` when it is not a limit.

    Numbers past what floats hold, integers past Python's digit limit for
    conversion to text, memory and recursion are bounds of the work, answered
    as such rather than reported as faults."""
    if isinstance(exc, MemoryError):
        return "the check ran out of memory"
    if isinstance(exc, RecursionError):
        return "the formula is nested too deeply to evaluate"
    if isinstance(exc, OverflowError):
        return f"a number grew past what can be evaluated ({exc})"
    if isinstance(exc, ValueError) and ("digits" in str(exc) and ("integer" in str(exc) or "limit" in str(exc))):
        return "a number grew past the digits that can be evaluated"
    return None


def _child(conn, fn, args, parent_pid: int) -> None:
    worker_setup(parent_pid)
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # sent to the parent, which decides
        try:
            conn.send(("error", exc))
        except Exception:
            conn.send(("failed", traceback.format_exc()))
    finally:
        conn.close()


def call_with_timeout(fn: Callable[..., Any], *args: Any, seconds: float) -> Any:
    """``fn(*args)`` in a child process; :class:`TimedOut` after ``seconds``.

    An exception raised by ``fn`` is raised again here when it can be pickled.
    """
    ctx = fork_context()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args, os.getpid()), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise TimedOut(f"no answer within {seconds:g} s")
        try:
            kind, value = receive.recv()
        except EOFError:
            raise ChildFailed(f"the worker process died (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    raise ChildFailed(value)
