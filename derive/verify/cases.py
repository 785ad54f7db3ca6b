"""A step restricted to one case: ``A = B, \\quad k = j`` or ``A = B \\quad \\text{if } k \\neq j``.

The condition compares two index letters of the step. Under ``k = j`` the step is
checked with k replaced by j on both sides; under ``k \\neq j`` both sides are
multiplied by ``1 - δ(k, j)``, so they are compared wherever k and j differ (and
agree, both 0, where they do not).

A chain that differentiates by an entry ``z_i`` of a row is about i within that row:
its steps are compared where i lies in the row's range (:func:`within_rows`), as the
derivative itself reads it (the sum's term k = i survives).

A chain may split the cases of two indices without writing them: a step whose old line
is a derivative by an entry, and whose new line writes j for i there
(:func:`substituted_index`), takes the case i = j. Such a step, and a later step of
the chain that fails as written but holds in one of the two cases, is unknown: the text
rests on a case it states only in words, if at all. Nothing is said to hold that way.
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


@dataclass(frozen=True)
class Entry:
    """A chain differentiates by ``array_index`` (``z_i``): ``index`` names an entry of the
    row at ``position``, so it lies within that row's range in every step of the chain."""

    index: str
    array: str
    position: int


def entries_of(exprs: list[sp.Expr]) -> tuple[Entry, ...]:
    """The entries the (not yet unfolded) lines of a chain differentiate by."""
    found: dict[Entry, None] = {}
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if not isinstance(node, sp.Derivative):
                continue
            for var, _ in node.variable_count:
                if isinstance(var, sp.Indexed):
                    for d, index in enumerate(var.indices):
                        if isinstance(index, sp.Symbol):
                            found[Entry(index.name, var.base.label.name, d)] = None
    return tuple(found)


def within_rows(ea: sp.Expr, eb: sp.Expr, entries: tuple[Entry, ...]) -> tuple[sp.Expr, sp.Expr, list[str]]:
    """Both sides where each entry's index lies within its row (the one range the step's sums
    give the row), as a factor that is 1 there and 0 elsewhere; and the entries applied."""
    from ..parsing.ranges import Ranges
    ranges = Ranges.of([ea, eb])
    symbols = {s.name: s for e in (ea, eb) for s in e.free_symbols if isinstance(s, sp.Symbol)}
    applied = []
    for entry in entries:
        index = symbols.get(entry.index)
        dim = (entry.array, entry.position)
        if index is None or dim not in ranges.summed:
            continue
        spans = {(lo, hi) for lo, hi in ranges.dims.get(dim, []) if lo != hi}
        if len(spans) != 1:
            continue
        lo, hi = next(iter(spans))
        if index in sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols:
            continue
        t = sp.Dummy("t", integer=True)
        inside = sp.Sum(sp.KroneckerDelta(index, t), (t, lo, hi))
        ea, eb = ea * inside, eb * inside
        applied.append(f"{entry.index} is an entry of the row of {entry.array}")
    return ea, eb, applied


def _index_symbols(expr: sp.Expr) -> set[sp.Symbol]:
    return {s for n in sp.preorder_traversal(expr) if isinstance(n, sp.Indexed)
            for index in n.indices for s in index.free_symbols if isinstance(s, sp.Symbol)}


def substituted_index(before: sp.Expr, after: sp.Expr) -> Case | None:
    """``i = j`` when ``after`` is ``before`` with the index i written j and nothing else
    changed (``\\frac{\\partial}{\\partial a_i}`` becomes ``\\frac{\\partial}{\\partial a_j}``):
    the step takes the case i = j without writing it."""
    ours = _index_symbols(before)
    for i in sorted(ours, key=str):
        for j in sorted((ours | _index_symbols(after)) - {i}, key=str):
            if before.xreplace({i: j}) == after and before != after:
                return Case(i.name, j.name, True)
    return None
