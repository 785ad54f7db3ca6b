"""The hard time limit stops work that does not finish, and passes results back."""
from __future__ import annotations

import time

import pytest

from derive.core.limits import TimedOut, call_with_timeout


def _sleep(seconds):
    time.sleep(seconds)
    return "done"


def _boom():
    raise ValueError("bad input")


def test_result_comes_back():
    assert call_with_timeout(_sleep, 0, seconds=30) == "done"


def test_late_work_is_stopped():
    start = time.monotonic()
    with pytest.raises(TimedOut):
        call_with_timeout(_sleep, 60, seconds=0.5)
    assert time.monotonic() - start < 10


def test_exceptions_are_raised_again():
    with pytest.raises(ValueError, match="bad input"):
        call_with_timeout(_boom, seconds=30)
