"""Sound rewrites that let the symbolic check see through common notation.

Applied to both formulas before the kernel's canonical forms:

- ``sum_{k=lo}^{hi} 1{y = k} f(k) -> f(y)`` and ``prod_k f(k)^{1{y = k}} -> f(y)``
  when y (or an element y_i) is a label whose every comparison runs over this
  same range (the ``label`` domain puts y in that range); in a sum over several
  ranges, the innermost one;
- a sum or product with an integer lower bound other than 1 is re-indexed to
  start at 1 (``sum_{i=0}^{N-1} a_{i+1} -> sum_{i=1}^{N} a_i``);
- a sum whose body is a polynomial in its index and sizes only (``sum_i i``) is
  evaluated in closed form (sizes are >= 1, so no range is reversed).
"""
from __future__ import annotations

import sympy as sp

from ..core.strategies import everywhere, exhaust


def normalise(expr: sp.Expr, label_ranges: dict[str, list], labels: set[str]) -> sp.Expr:
    for rule in (_collapse_indicator(label_ranges, labels), _shift_to_one, _closed_form):
        out = exhaust(everywhere(rule))(expr)
        expr = expr if out is None else out
    return expr


def _collapse_indicator(label_ranges: dict[str, list], labels: set[str]):
    def rule(e: sp.Basic):
        if not isinstance(e, (sp.Sum, sp.Product)):
            return None
        inner = one(e)
        if inner is None or len(e.limits) == 1:
            return inner
        return type(e)(inner, *e.limits[1:])  # the outer ranges, around the collapsed innermost one

    def one(e: sp.Basic):
        var, lo, hi = e.limits[0]
        body = e.function
        deltas = [d for d in body.atoms(sp.KroneckerDelta) if var in d.args]
        if len(deltas) != 1:
            return None
        delta = deltas[0]
        other = delta.args[0] if delta.args[1] == var else delta.args[1]
        name = _label(other)
        if name not in labels or other.has(var):
            return None
        if set(label_ranges.get(name, [])) != {(lo, hi)}:
            return None
        if isinstance(e, sp.Sum):
            rest = sp.expand(body)
            terms = rest.args if isinstance(rest, sp.Add) else (rest,)
            if not all(t.has(delta) and _linear_in(t, delta) for t in terms):
                return None
            return sp.Add(*[(t / delta).xreplace({var: other}) for t in terms])
        if isinstance(body, sp.Pow) and body.exp == delta and not body.base.has(sp.KroneckerDelta):
            return body.base.xreplace({var: other})
        return None

    return rule


def _label(expr: sp.Basic) -> str | None:
    """The name of a label read at ``expr``: ``y`` or an element ``y_i``."""
    if isinstance(expr, sp.Symbol):
        return expr.name
    if isinstance(expr, sp.Indexed):
        return expr.base.label.name
    return None


def _linear_in(term: sp.Expr, delta: sp.Basic) -> bool:
    factors = term.args if isinstance(term, sp.Mul) else (term,)
    return sum(1 for f in factors if f == delta) == 1 and not (term / delta).has(delta)


def _shift_to_one(e: sp.Basic):
    if not isinstance(e, (sp.Sum, sp.Product)) or len(e.limits) != 1:
        return None
    var, lo, hi = e.limits[0]
    if not lo.is_Integer or lo == 1:
        return None
    shift = 1 - lo
    body = e.function.xreplace({var: var - shift})
    return type(e)(body, (var, sp.Integer(1), hi + shift))


def _closed_form(e: sp.Basic):
    if not isinstance(e, sp.Sum) or len(e.limits) != 1:
        return None
    var, lo, hi = e.limits[0]
    body = e.function
    if body.atoms(sp.Indexed) or not body.is_polynomial(var) or body.has(sp.Sum, sp.Product):
        return None
    if not all(s.is_integer for s in body.free_symbols | hi.free_symbols | lo.free_symbols):
        return None
    if (hi - lo + 1).is_nonnegative is not True:
        return None
    out = sp.summation(body, (var, lo, hi))
    return None if out.has(sp.Sum) else sp.expand(out)
