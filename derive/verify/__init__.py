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

from .results import (EXIT_FAILS, EXIT_HOLDS, EXIT_UNDECIDED, EXIT_USAGE, UNREAD, StepResult, StepVerdict, VerifyError,
                      VerifyReport)

__all__ = ["verify_file", "verify_text", "VerifyReport", "StepResult", "StepVerdict", "VerifyError",
           "EXIT_HOLDS", "EXIT_FAILS", "EXIT_USAGE", "EXIT_UNDECIDED", "UNREAD"]


def verify_text(text: str, fmt: str = "tex", domains: dict[str, str] | None = None,
                source: str = "<text>", seconds: float = 20.0) -> VerifyReport:
    """Verify the derivation in ``text`` (``fmt`` is ``"tex"`` or ``"md"``)."""
    from .engine import verify_source
    return verify_source(text, fmt, domains or {}, source, seconds)


def verify_file(path, domains: dict[str, str] | None = None, seconds: float = 20.0) -> VerifyReport:
    """Verify a ``.tex`` or ``.md`` file; :class:`VerifyError` if it cannot be read."""
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
    return verify_text(text, fmt, domains, str(path), seconds)
