"""A time limit for the peers' pure-Python work (sympy), shared by the benchmark scripts."""
from __future__ import annotations

import contextlib
import signal


class Late(Exception):
    """The computation did not finish in time."""


@contextlib.contextmanager
def limit(seconds: float):
    """Stop a pure-Python computation after ``seconds`` (main thread only)."""
    def fire(signum, frame):
        raise Late()
    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
