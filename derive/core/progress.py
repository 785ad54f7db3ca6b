"""The progress bar of long commands: tqdm on stderr, and only on a terminal.

Results go to stdout (or a file); the bar never does. When stderr is not a
terminal (a pipe, a file, a CI log) nothing is drawn at all.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator


def progress(total: int | None, unit: str, *, enabled: bool = True) -> Any:
    """A tqdm bar counting ``unit`` (``"file"``, ``"derivation"``, ``"line"``) up to
    ``total`` (``None``: a plain count), on stderr; disabled unless ``enabled``
    and stderr is a terminal. Call ``update(1)`` per item and ``close()`` at the end
    (or use it as a context manager)."""
    from tqdm import tqdm

    stream = sys.stderr
    on_terminal = enabled and hasattr(stream, "isatty") and stream.isatty()
    return tqdm(total=total, unit=unit, file=stream, disable=not on_terminal, leave=False,
                dynamic_ncols=True, mininterval=0.2)


def emit(text: str) -> None:
    """Write ``text`` (ending with a newline) to stdout, clearing a bar drawn on
    the same terminal first so that the two never share a line."""
    from tqdm import tqdm

    tqdm.write(text.rstrip("\n"), file=sys.stdout)
    sys.stdout.flush()


def warn(text: str) -> None:
    """Write a message line to stderr without breaking a bar drawn there."""
    from tqdm import tqdm

    tqdm.write(text.rstrip("\n"), file=sys.stderr)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block ends, so that a result
    written and its count stay in step: a signal that arrives meanwhile is
    handled, by the handler it would have had, right after the block. (Python
    runs signal handlers in the main thread only; elsewhere this holds nothing.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def defer(signum: int, _frame: Any) -> None:
        pending.append(signum)

    held = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {int(signum): signal.signal(signum, defer) for signum in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if pending:
            first = previous[pending[0]]
            if callable(first):
                first(pending[0], None)  # Ctrl-C: KeyboardInterrupt; SIGTERM in a command: Stopped
            elif first == signal.SIG_DFL:
                os.kill(os.getpid(), pending[0])
