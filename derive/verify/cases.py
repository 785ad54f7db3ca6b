"""A step restricted to one case: ``A = B, \\quad k = j`` or ``A = B \\quad \\text{if } k \\neq j``.

The condition compares two index letters of the step. Under ``k = j`` the step is
checked with k replaced by j on both sides; under ``k \\neq j`` both sides are
multiplied by ``1 - δ(k, j)``, so they are compared wherever k and j differ (and
agree, both 0, where they do not).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

#: Words that may announce a case (``\\text{if } k = j``, ``\\text{for } k \\neq j``).
_WORDS = r"(?:(?:if|for|when|where|whenever|in\s+the\s+case|case)\s*:?\s*)?"
_LETTER = r"([A-Za-z])"
_RELATION = r"(=|\\neq\b|\\ne\b|≠|!=)"
CONDITION = re.compile(r"^\s*" + _WORDS + _LETTER + r"\s*" + _RELATION + r"\s*" + _LETTER + r"\s*[.,;]?\s*$")
#: The same, as maths after ``, \\quad`` in a row (no words).
BARE_CONDITION = re.compile(r"^\s*" + _LETTER + r"\s*" + _RELATION + r"\s*" + _LETTER + r"\s*[.,;]?\s*$")


@dataclass(frozen=True)
class Case:
    """``left = right`` (``equal``) or ``left != right``, between two index letters."""

    left: str
    right: str
    equal: bool

    def describe(self) -> str:
        return f"{self.left} {'=' if self.equal else '≠'} {self.right}"


def case_of(justification: str) -> Case | None:
    """The case a step's justification restricts it to, or None when it names none."""
    m = CONDITION.match(justification or "")
    if m is None:
        return None
    left, rel, right = m.groups()
    if left == right:
        return None
    return Case(left, right, rel == "=")


def restrict(ea: sp.Expr, eb: sp.Expr, case: Case) -> tuple[sp.Expr, sp.Expr] | str:
    """Both sides under ``case``, or why the case cannot be applied (a reason)."""
    symbols = {str(s): s for e in (ea, eb) for s in e.free_symbols if isinstance(s, sp.Symbol)}
    missing = [n for n in (case.left, case.right) if n not in symbols]
    if missing:
        return f"the case {case.describe()} names {', '.join(missing)}, which the step does not use as a free index"
    left, right = symbols[case.left], symbols[case.right]
    if case.equal:
        return ea.xreplace({left: right}), eb.xreplace({left: right})
    apart = 1 - sp.KroneckerDelta(left, right)
    return ea * apart, eb * apart
