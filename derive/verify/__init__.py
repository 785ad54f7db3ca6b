"""``derive verify``: check a user's own derivation, written in LaTeX or Markdown, line by line.

    >>> from derive.verify import verify_text
    >>> report = verify_text(r"\\begin{align} \\log(ab) &= \\log a + \\log b \\end{align}",
    ...                      domains={"a": "positive", "b": "positive"})
    >>> report.status
    'holds'

``verify_file(path, domains=None)`` reads ``.tex`` or ``.md``; both return a
:class:`VerifyReport` (one :class:`StepResult` per step; a line that cannot be
read is an ``unknown`` step whose method is ``unread``, with its line and reason)
or raise :class:`VerifyError` for a file that cannot be used (exit status 2).
"""
from __future__ import annotations

import os

from ..core.renamed import timeout_or_seconds
from .results import (EXIT_FAILS, EXIT_HOLDS, EXIT_UNDECIDED, EXIT_USAGE, UNREAD, StepResult, StepVerdict, VerifyError,
                      VerifyReport)

__all__ = ["verify_file", "verify_text", "VerifyReport", "StepResult", "StepVerdict", "VerifyError",
           "EXIT_HOLDS", "EXIT_FAILS", "EXIT_USAGE", "EXIT_UNDECIDED", "UNREAD"]


def verify_text(text: str, fmt: str = "tex", domains: dict[str, str] | None = None,
                source: str = "<text>", timeout: float = 20.0, *, seconds: float | None = None) -> VerifyReport:
    """Verify the derivation in ``text`` (``fmt`` is ``"tex"`` or ``"md"``), named
    ``source`` in the report; ``domains`` as ``derive verify --domain`` takes them;
    ``timeout`` is the time budget of the numeric work per step, in seconds.
    :class:`VerifyError` when the text cannot be used at all."""
    from .engine import verify_source
    return verify_source(text, fmt, domains or {}, source, timeout_or_seconds(timeout, seconds, "verify_text"))


def verify_file(path: str | os.PathLike[str], domains: dict[str, str] | None = None, timeout: float = 20.0, *,
                seconds: float | None = None) -> VerifyReport:
    """Verify a ``.tex`` or ``.md`` file (see :func:`verify_text`); :class:`VerifyError`
    if it cannot be read."""
    timeout = timeout_or_seconds(timeout, seconds, "verify_file")
    from pathlib import Path
    p = Path(path)
    fmt = {".tex": "tex", ".md": "md", ".markdown": "md"}.get(p.suffix.lower())
    if fmt is None:
        raise VerifyError("derive verify reads .tex and .md files", str(path))
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VerifyError("no such file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VerifyError(f"cannot read the file ({exc})", str(path)) from None
    return verify_text(text, fmt, domains, str(path), timeout)
