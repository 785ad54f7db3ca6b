"""Finiteness oracle: is an expression a finite real at every point of the domain?

An objective shifted by an infinite amount, or scaled by an infinite factor,
loses its optimiser; the map checks need "finite" for every point, not a
bounded range (``2 sigma^2`` is finite for every ``sigma > 0``, although the
values are unbounded). Interval bounds cannot show that, structure can: a
declared symbol takes finite values, sums, products and exp of finite values
are finite, a power of a positive finite base to a finite exponent is finite,
and a log of an argument the interval oracle shows positive is finite.
Anything not understood is *not known finite*, so the oracle errs only
towards "unknown".
"""
from __future__ import annotations

import sympy as sp

from .intervals import Lookup, interval_of


def is_finite(expr: sp.Basic, lookup: Lookup) -> bool:
    """True only when ``expr`` is a finite real everywhere on the domain."""
    try:
        return _finite(expr, lookup)
    except (RecursionError, TypeError, ValueError):
        return False


def _finite(expr: sp.Basic, lookup: Lookup) -> bool:
    if expr.is_Number:
        return bool(expr.is_finite) and expr.is_real is True
    if expr in (sp.E, sp.pi):
        return True
    if isinstance(expr, (sp.Symbol, sp.Indexed)):
        # Every declared domain is a set of finite reals; undeclared: unknown.
        return lookup(expr) is not None and (not isinstance(expr, sp.Indexed)
                                             or all(_finite(i, lookup) for i in expr.indices))
    if isinstance(expr, sp.Add):
        return all(_finite(a, lookup) for a in expr.args)
    if isinstance(expr, sp.Mul):
        return all(_finite(f, lookup) or _weighted_log(f, expr.args, lookup) for f in expr.args)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if not (_finite(base, lookup) and _finite(exponent, lookup)):
            return False
        if exponent.is_Integer and exponent >= 0:
            return True
        b = interval_of(base, lookup)
        if b.strictly_positive:
            return True  # b^e = exp(e log b) with log b finite
        # A negative integer power of a base that is never 0.
        return bool(exponent.is_Integer) and (-b).strictly_positive
    if isinstance(expr, sp.exp):
        return _finite(expr.args[0], lookup)
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        return _finite(expr.args[0], lookup) and interval_of(expr.args[0], lookup).strictly_positive
    if isinstance(expr, sp.Abs):
        return _finite(expr.args[0], lookup)
    if isinstance(expr, sp.factorial):
        return _finite(expr.args[0], lookup) and interval_of(expr.args[0], lookup).nonnegative
    if isinstance(expr, sp.KroneckerDelta):
        return True
    if isinstance(expr, (sp.Sum, sp.Product)):
        # Finitely many finite terms (the bounds are finite numbers).
        return (_finite(expr.function, lookup)
                and all(_finite(lo, lookup) and _finite(hi, lookup) for _, lo, hi in expr.limits))
    return False


def _weighted_log(factor: sp.Basic, factors: tuple, lookup: Lookup) -> bool:
    """``log w`` weighed by ``w >= 0`` itself: ``w log w`` is finite (0 log 0 = 0)."""
    if not (isinstance(factor, sp.log) and len(factor.args) == 1):
        return False
    w = factor.args[0]
    return (w in factors and isinstance(w, (sp.Symbol, sp.Indexed)) and _finite(w, lookup)
            and interval_of(w, lookup).nonnegative)


#: The name the information catalogue's checks use.
finite_everywhere = is_finite
