"""Pointwise finiteness: is an expression finite at *every* point of the domain?

Interval bounds answer a stronger question (one bound for all sizes), so a
sum over a symbolic number of bounded terms looks unbounded to them although
it is finite at every size. A shift or scale of an objective needs only
pointwise finiteness: for fixed data it is a finite constant. This predicate
is conservative: ``False`` means "not shown", never "infinite".
"""
from __future__ import annotations

import sympy as sp

from .intervals import Lookup, interval_of


def finite_everywhere(expr: sp.Basic, lookup: Lookup) -> bool:
    """True only when ``expr`` has a finite real value at every point of the domain.

    The evaluator's conventions apply: ``0 * log 0 = 0``, so ``w log w`` with
    ``w >= 0`` is finite. Sums and products range over finitely many terms.
    """
    if expr.is_Number:
        return bool(expr.is_finite) and expr.is_real is True
    if expr in (sp.E, sp.pi):
        return True
    if isinstance(expr, (sp.Symbol, sp.Indexed)):
        return lookup(expr) is not None
    if isinstance(expr, sp.Add):
        return all(finite_everywhere(a, lookup) for a in expr.args)
    if isinstance(expr, sp.Mul):
        return all(finite_everywhere(f, lookup) or _weighted_log(f, expr.args, lookup) for f in expr.args)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if not (finite_everywhere(base, lookup) and finite_everywhere(exponent, lookup)):
            return False
        if exponent.is_Integer and exponent >= 0:
            return True
        return interval_of(base, lookup).strictly_positive
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        arg = expr.args[0]
        return finite_everywhere(arg, lookup) and interval_of(arg, lookup).strictly_positive
    if isinstance(expr, sp.exp):
        return finite_everywhere(expr.args[0], lookup)
    if isinstance(expr, (sp.Sum, sp.Product)):
        return finite_everywhere(expr.function, lookup) and all(
            finite_everywhere(lo, lookup) and finite_everywhere(hi, lookup) for _, lo, hi in expr.limits)
    if isinstance(expr, sp.KroneckerDelta):
        return True
    return False


def _weighted_log(factor: sp.Basic, factors: tuple, lookup: Lookup) -> bool:
    """``log w`` weighed by ``w >= 0`` itself: ``w log w`` is finite (0 log 0 = 0)."""
    if not (isinstance(factor, sp.log) and len(factor.args) == 1):
        return False
    w = factor.args[0]
    return (w in factors and isinstance(w, (sp.Symbol, sp.Indexed)) and finite_everywhere(w, lookup)
            and interval_of(w, lookup).nonnegative)
