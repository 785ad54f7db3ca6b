"""Keyword arguments that were renamed: the old name still works, with a warning.

Every time limit of the public API is called ``timeout=`` (seconds); some
functions took ``seconds=`` before.
"""
from __future__ import annotations

import warnings
from typing import TypeVar

T = TypeVar("T")


def timeout_or_seconds(timeout: T, seconds: T | None, where: str) -> T:
    """``timeout``, or the old ``seconds`` when it was given (with a
    :class:`DeprecationWarning` naming ``where``, the function called)."""
    if seconds is None:
        return timeout
    warnings.warn(f"{where}(seconds=...) is now {where}(timeout=...); the old name will go",
                  DeprecationWarning, stacklevel=3)
    return seconds
