"""Interval arithmetic over sympy expressions: the positivity oracle.

Rewrites such as ``log(a*b) -> log a + log b`` are only sound where every
argument is positive on the domain. Sympy's assumptions know that ``p`` is
positive, but not that ``1 - p`` is when ``p`` lies in (0, 1); intervals do.
The oracle is deliberately conservative: anything it does not understand
gets the whole real line, so it can only ever answer "not known positive".
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import sympy as sp

INF = math.inf


@dataclass(frozen=True)
class Interval:
    """The set of reals between ``lo`` and ``hi``; each end open or closed."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        # An infinite end is always open.
        if self.lo == -INF and not self.lo_open:
            object.__setattr__(self, "lo_open", True)
        if self.hi == INF and not self.hi_open:
            object.__setattr__(self, "hi_open", True)

    @property
    def strictly_positive(self) -> bool:
        return self.lo > 0 or (self.lo == 0 and self.lo_open)

    @property
    def nonnegative(self) -> bool:
        return self.lo >= 0

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.lo + other.lo, self.hi + other.hi,
                        self.lo_open or other.lo_open, self.hi_open or other.hi_open)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def __mul__(self, other: "Interval") -> "Interval":
        ends = []
        for a, a_open in ((self.lo, self.lo_open), (self.hi, self.hi_open)):
            for b, b_open in ((other.lo, other.lo_open), (other.hi, other.hi_open)):
                ends.append((_mul(a, b), a_open or b_open))
        lo = min(v for v, _ in ends)
        hi = max(v for v, _ in ends)
        # An end is open only if every corner reaching it is open.
        lo_open = all(o for v, o in ends if v == lo)
        hi_open = all(o for v, o in ends if v == hi)
        return Interval(lo, hi, lo_open, hi_open)


REAL = Interval(-INF, INF, True, True)


def _mul(a: float, b: float) -> float:
    if a == 0 or b == 0:
        return 0.0  # 0 * inf as a limit of bounded corners
    return a * b


def _monotone(f: Callable[[float], float], iv: Interval) -> Interval:
    """The image of ``iv`` under an increasing ``f`` (which maps the infinite ends)."""
    return Interval(f(iv.lo), f(iv.hi), iv.lo_open, iv.hi_open)


def _safe_log(x: float) -> float:
    if x == INF or x == -INF:
        return INF
    return math.log(x) if x > 0 else -INF


def _safe_exp(x: float) -> float:
    if x == INF:
        return INF
    if x == -INF:
        return 0.0
    try:
        return math.exp(x)
    except OverflowError:
        return INF


Lookup = Callable[[sp.Basic], "Interval | None"]


def interval_of(expr: sp.Basic, lookup: Lookup) -> Interval:
    """An interval containing every value ``expr`` takes on the domain.

    ``lookup`` gives the interval of a symbol or indexed element, or None.
    """
    known = lookup(expr)
    if known is not None:
        return known
    if expr.is_Number:
        value = float(expr)
        return Interval(value, value)
    if expr is sp.E:
        return Interval(math.e, math.e)
    if expr is sp.pi:
        return Interval(math.pi, math.pi)
    if isinstance(expr, sp.Add):
        total = Interval(0.0, 0.0)
        for arg in expr.args:
            total = total + interval_of(arg, lookup)
        return total
    if isinstance(expr, sp.Mul):
        total = Interval(1.0, 1.0)
        for arg in expr.args:
            total = total * interval_of(arg, lookup)
        return total
    if isinstance(expr, sp.Pow):
        return _pow_interval(expr, lookup)
    if isinstance(expr, sp.exp):
        return _monotone(_safe_exp, interval_of(expr.args[0], lookup))
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        inner = interval_of(expr.args[0], lookup)
        if inner.strictly_positive:
            return _monotone(_safe_log, inner)
        return REAL
    if isinstance(expr, sp.Product):
        body = interval_of(expr.function, lookup)
        if body.strictly_positive:
            return Interval(0.0, 1.0 if body.hi <= 1 else INF, True, body.hi > 1 or body.hi_open)
        return REAL
    if isinstance(expr, sp.Sum):
        body = interval_of(expr.function, lookup)
        # A sum of at least one term (ranges are never empty in a derivation):
        # it keeps the sign of its terms.
        if body.strictly_positive:
            return Interval(0.0, INF, True, True)
        if body.nonnegative:
            return Interval(0.0, INF, False, True)
        if (-body).nonnegative:
            return Interval(-INF, 0.0, True, (-body).strictly_positive)
        return REAL
    if isinstance(expr, sp.KroneckerDelta):
        return Interval(0.0, 1.0)
    return REAL


def _pow_interval(expr: sp.Pow, lookup: Lookup) -> Interval:
    base, exponent = expr.args
    b = interval_of(base, lookup)
    if exponent.is_Integer:
        n = int(exponent)
        if n == 0:
            return Interval(1.0, 1.0)
        if n > 0 and b.nonnegative:
            return Interval(b.lo ** n, b.hi ** n if b.hi < INF else INF, b.lo_open, b.hi_open)
        if n < 0 and b.strictly_positive:
            lo = 0.0 if b.hi == INF else b.hi ** n
            hi = INF if b.lo == 0 else b.lo ** n
            return Interval(lo, hi, b.hi_open, b.lo_open)
        if n % 2 == 0 and n > 0:
            return Interval(0.0, INF, False, True)
        return REAL
    if b.strictly_positive:
        e = interval_of(exponent, lookup)
        # b^e = exp(e log b): positive; at most 1 when b <= 1 and e >= 0.
        if b.hi <= 1 and e.nonnegative:
            return Interval(0.0, 1.0, True, False)
        return Interval(0.0, INF, True, True)
    return REAL


def is_positive(expr: sp.Basic, lookup: Lookup) -> bool:
    """True only when ``expr`` is known to be > 0 everywhere on the domain."""
    return interval_of(expr, lookup).strictly_positive
