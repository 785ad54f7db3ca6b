r"""``\begin{cases} a & i = j \\ b & i \neq j \end{cases}`` read as ``(a)[i=j] + (b)[i\neq j]``.

A display's rows are cut at ``\\``, which would cut a ``cases`` block apart; so before
the rows are cut, a block of two cases whose conditions compare the same two letters,
one ``=`` and the other ``\neq`` (or ``\text{otherwise}``), is written as the sum of each
value times its Iverson bracket. The rewrite is never longer than the block and keeps
its line breaks, so every offset after it (and so every line number) stays where it was.
Any other ``cases`` block is left as written (its line cannot be read).
"""
from __future__ import annotations

import re

from .cases import CONDITION

_BLOCK = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)
_TEXT = re.compile(r"\\(?:text|mathrm|textrm|mbox)\s*\{([^{}]*)\}")
_SPACING = re.compile(r"\\(?:quad|qquad|,|;|:|!)|~")
_OTHERWISE = re.compile(r"^\s*(?:otherwise|else|o\.w\.|in\s+all\s+other\s+cases)\s*[.,;]?\s*$")


def _condition(text: str):
    """``(left, right, equal)``, ``"otherwise"``, or None for a condition not read."""
    plain = _SPACING.sub(" ", _TEXT.sub(lambda m: f" {m.group(1)} ", text)).strip()
    if _OTHERWISE.match(plain):
        return "otherwise"
    m = CONDITION.match(plain)
    if m is None:
        return None
    left, rel, right = m.groups()
    return (left, right, rel == "=") if left != right else None


def _cut(body: str, sep: str) -> list[str]:
    """``body`` cut at ``sep`` outside braces."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        if body.startswith(sep, i) and depth == 0:
            parts.append(body[start:i])
            i += len(sep)
            start = i
            continue
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in "{}":
            i += 2
            continue
        depth += body[i] == "{"
        depth -= body[i] == "}"
        i += 1
    parts.append(body[start:])
    return parts


def _reading(inner: str) -> str | None:
    """The Iverson-bracket sum for the block's inside, or None when it is not two cases of
    one pair of letters."""
    rows = [r for r in _cut(inner, "\\\\") if r.strip()]
    if len(rows) != 2:
        return None
    cells = [_cut(r, "&") for r in rows]
    if any(len(c) != 2 or not c[0].strip() for c in cells):
        return None
    conditions = [_condition(c[1]) for c in cells]
    if None in conditions or conditions.count("otherwise") > 1:
        return None
    written = [c for c in conditions if c != "otherwise"]
    left, right, equal = written[0]
    if len(written) == 2:
        other = written[1]
        if {other[0], other[1]} != {left, right} or other[2] == equal:
            return None
    out = []
    for (value, _), cond in zip(cells, conditions):
        is_equal = (not equal) if cond == "otherwise" else cond[2]
        bracket = f"[{left}={right}]" if is_equal else f"[{left}\\neq {right}]"
        out.append(f"({value.strip()}){bracket}")
    return "(" + " + ".join(out) + ")"


def read_cases(body: str, start: int, end: int) -> tuple[str, list[tuple[int, str]]]:
    """``body`` with each ``cases`` block of ``body[start:end]`` that can be read rewritten in
    place (same length, same line breaks), and ``(offset, note)`` for each."""
    notes = []
    for m in reversed(list(_BLOCK.finditer(body, start, end))):
        reading = _reading(m.group(1))
        if reading is None:
            continue
        block = m.group(0)
        breaks = block.count("\n")
        if len(reading) + breaks > len(block):
            continue
        filled = reading + " " * (len(block) - len(reading) - breaks) + "\n" * breaks
        body = body[:m.start()] + filled + body[m.end():]
        notes.append((m.start(), f"the cases are read as {reading}"))
    return body, notes
