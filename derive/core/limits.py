"""Hard time limits: run a function in a child process and stop it when late.

Sympy's algebra cannot be interrupted from inside a thread, and
``signal.alarm`` works only in the main thread; a child process can always be
killed. Used for work on user input (certificates), where a hang is a bug.
"""
from __future__ import annotations

import multiprocessing as mp
import traceback
from typing import Any, Callable


class TimedOut(Exception):
    """The function did not finish within its time limit."""


class ChildFailed(Exception):
    """The function raised an exception in the child; its text is the message."""


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _child(conn, fn, args) -> None:
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
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
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
