"""Assertions for test suites: a derivation holds, two formulas are equal.

    >>> from derive.testing import assert_derivation, assert_equivalent
    >>> assert_equivalent(r"\\log(ab)", r"\\log a + \\log b", {"a": "positive", "b": "positive"})  # doctest: +SKIP
    >>> assert_derivation("docs/proof.tex")  # doctest: +SKIP

Both raise :class:`AssertionError` when the claim is not proved, with a message
that shows what was checked and the counterexample, so a failing ``pytest``
test reads like ``derive verify``/``derive check`` output. Input that cannot
be used is not an assertion failure: :class:`derive.parsing.ParseError` and
:class:`derive.verify.VerifyError` (a file missing, not text, with no display)
propagate as they are; a line of a derivation that cannot be read is a step
not proved, so it fails the assertion with its line and reason.

To check files without writing tests, see the pytest plugin
(:mod:`derive.pytest_plugin`, ini option ``derive_files``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .core.renamed import timeout_or_seconds

if TYPE_CHECKING:
    from .equivalence.verdict import Verdict
    from .verify.results import VerifyReport

__all__ = ["assert_derivation", "assert_equivalent"]

#: "Not given" for an old keyword whose ``None`` had a meaning.
_UNSET: object = object()

_FORMATS = {".tex": "tex", ".md": "md", ".markdown": "md"}


def _existing_file(value) -> Path | None:
    """``value`` as a path when it names an existing file (a ``Path`` always counts)."""
    if isinstance(value, os.PathLike):
        return Path(value)
    if not isinstance(value, str) or "\n" in value or not value.strip() or len(value) > 4096:
        return None
    try:
        path = Path(value)
        return path if path.is_file() else None
    except (OSError, ValueError):  # a name too long, a NUL byte: text, not a path
        return None


def _looks_like_a_path(text: str) -> bool:
    """``docs/missing.tex``: one line, no LaTeX, a derivation file's suffix."""
    return "\n" not in text and "\\" not in text and "$" not in text and \
        text.strip().lower().endswith((".tex", ".md", ".markdown"))


def assert_derivation(path_or_text, domains: dict[str, str] | None = None, fmt: str | None = None,
                      timeout: float = 20.0, *, seconds: float | None = None) -> VerifyReport:
    """Assert that every step of a derivation holds; return its :class:`~derive.verify.VerifyReport`.

    ``path_or_text`` is a :class:`pathlib.Path`, a ``str`` naming an existing
    file (``.tex``, ``.md``), or else the derivation itself as text, read as
    ``fmt`` (``"tex"`` by default, or ``"md"``). ``fmt`` given with a file
    overrides its suffix. ``domains`` maps symbols to kinds
    (``{"a": "positive"}``) as ``derive verify --domain`` does; ``timeout``
    is the time budget per step, in seconds (``seconds=`` is its old name).

    Steps that hold and lines that define a name pass. Otherwise
    :class:`AssertionError` is raised with the report's table and the text of
    every step that failed (with its counterexample) or stayed undecided: an
    undecided step is not proved, so it fails the assertion too.

    A file that cannot be used (missing, not text, no display) raises
    :class:`derive.verify.VerifyError` (it is bad input, not a failed claim);
    a line that cannot be read is an undecided step, with its reason.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not these frames
    from .verify import VerifyError, verify_file, verify_text

    timeout = timeout_or_seconds(timeout, seconds, "assert_derivation")
    path = _existing_file(path_or_text)
    if path is not None:
        if fmt is None:
            report = verify_file(path, domains=domains, timeout=timeout)
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise VerifyError(f"cannot read the file ({exc})", str(path)) from None
            report = verify_text(text, fmt, domains, str(path), timeout)
    elif isinstance(path_or_text, str) and _looks_like_a_path(path_or_text):
        raise VerifyError("no such file", path_or_text)
    elif isinstance(path_or_text, str):
        report = verify_text(path_or_text, fmt or "tex", domains, "<text>", timeout)
    else:
        raise TypeError(f"assert_derivation takes a path or LaTeX/Markdown text, not {type(path_or_text).__name__}")

    bad = [s for s in report.steps if not s.ok]
    if not bad:
        return report
    failing = [s for s in bad if s.verdict.value == "fails"]
    undecided = [s for s in bad if s.verdict.value == "unknown"]
    head = []
    if failing:
        head.append(f"{report.source}: the derivation fails at "
                    + ", ".join(f"line {s.line}" for s in failing))
    if undecided:
        head.append(f"{report.source}: undecided (not proved) at "
                    + ", ".join(f"line {s.line}" for s in undecided))
    parts = ["\n".join(head), "", report.rows().rstrip(), ""]
    parts += ["steps that do not hold:"] + [s.text() for s in bad]
    raise AssertionError("\n".join(parts))


def assert_equivalent(a: str, b: str, domains: dict[str, str] | None = None, timeout: float | None = 20.0, *,
                      seconds: object = _UNSET) -> Verdict:
    """Assert that LaTeX formulas ``a`` and ``b`` are equal wherever both are defined.

    Uses :func:`derive.check`; returns its :class:`~derive.equivalence.Verdict`
    when the answer is ``equivalent``. Otherwise raises :class:`AssertionError`
    whose message is the verdict's text: for ``not_equivalent`` the
    counterexample (the value of every symbol and of both sides), for
    ``unknown`` why it stayed undecided (undecided is not proved).

    ``domains`` maps symbols as written (``"y"``, ``"\\\\hat{y}"``) to kinds
    (``"binary"``, ``"prob"``, ``"positive"``, ...). ``timeout`` (seconds) limits
    the check (it runs in a worker process; an overrun is ``unknown``);
    ``timeout=None`` runs it in this process without a limit. ``seconds=`` is
    the old name of ``timeout=``.

    Unreadable input raises :class:`derive.parsing.ParseError`, not
    :class:`AssertionError`.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not these frames
    from . import check

    if seconds is not _UNSET:  # the old name; seconds=None meant no limit, as timeout=None does
        timeout = timeout_or_seconds(timeout, cast("float | None", seconds), "assert_equivalent")
    verdict = check(a, b, domains, timeout=timeout)
    if verdict.answer.value == "equivalent":
        return verdict
    if verdict.answer.value == "unknown":
        head = "undecided (not proved) whether the two formulas are equal"
    else:
        head = "the two formulas are not equal"
    raise AssertionError(f"{head}:\n  A: {a}\n  B: {b}\n{verdict.text()}")
