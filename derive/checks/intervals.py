"""Interval arithmetic over sympy expressions: the positivity oracle.

Rewrites such as ``log(a*b) -> log a + log b`` are only sound where every
argument is positive on the domain. Sympy's assumptions know that ``p`` is
positive, but not that ``1 - p`` is when ``p`` lies in (0, 1); intervals do.

Soundness rules: ends are exact rationals (``Fraction``) or infinite; the
results of transcendental functions are rounded outward; an end is *open*
only when no point of the domain attains it; anything not understood gets the
whole real line, and any arithmetic trouble (overflow) does too. So the oracle
can only err towards "not known positive".
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Union

import mpmath
import sympy as sp

INF = math.inf
End = Union[Fraction, float]  # a Fraction, or +-inf
MAX_EXACT_POWER = 64


def _end(value) -> End:
    if isinstance(value, float):
        if math.isinf(value):
            return value
        return Fraction(value)
    return Fraction(value)


MAX_END_BITS = 256


FLOAT_MAX = Fraction(sys.float_info.max)


def _tame(x: End, direction: int) -> End:
    """Keep exact ends small: a huge fraction is rounded outward.

    ``direction`` is -1 for a lower end (round down), +1 for an upper end.
    Beyond the float range a lower end becomes the largest float (still a
    lower bound), never +inf; an upper end becomes +inf.
    """
    if isinstance(x, float):
        return x
    if x.numerator.bit_length() + x.denominator.bit_length() <= MAX_END_BITS:
        return x
    if abs(x) > FLOAT_MAX:
        if direction < 0:
            return FLOAT_MAX if x > 0 else -INF
        return INF if x > 0 else -FLOAT_MAX
    outward = math.nextafter(float(x), INF if direction > 0 else -INF)
    return Fraction(outward) if not math.isinf(outward) else (INF if direction > 0 else -INF)


@dataclass(frozen=True)
class Interval:
    """The set of reals between ``lo`` and ``hi``; each end open or closed."""

    lo: End
    hi: End
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "lo", _tame(_end(self.lo), -1))
        object.__setattr__(self, "hi", _tame(_end(self.hi), +1))
        # An infinite end is never attained.
        if self.lo == -INF:
            object.__setattr__(self, "lo_open", True)
        if self.hi == INF:
            object.__setattr__(self, "hi_open", True)

    @property
    def strictly_positive(self) -> bool:
        return self.lo > 0 or (self.lo == 0 and self.lo_open)

    @property
    def nonnegative(self) -> bool:
        return self.lo >= 0

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(_add(self.lo, other.lo, -1), _add(self.hi, other.hi, +1),
                        self.lo_open or other.lo_open, self.hi_open or other.hi_open)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def __mul__(self, other: "Interval") -> "Interval":
        corners = []
        for a, a_open in ((self.lo, self.lo_open), (self.hi, self.hi_open)):
            for b, b_open in ((other.lo, other.lo_open), (other.hi, other.hi_open)):
                # A product is attained when both factors are, or when one
                # factor attains 0 (whatever the other does).
                attained = (not a_open and not b_open) or (a == 0 and not a_open) or (b == 0 and not b_open)
                corners.append((_mul(a, b), attained))
        lo = min(v for v, _ in corners)
        hi = max(v for v, _ in corners)
        lo_open = not any(att for v, att in corners if v == lo)
        hi_open = not any(att for v, att in corners if v == hi)
        # A zero end reached only as a limit of (0 * inf) corners stays open.
        return Interval(lo, hi, lo_open, hi_open)


REAL = Interval(-INF, INF, True, True)


def _add(a: End, b: End, direction: int) -> End:
    """``a + b`` for ends; ``inf - inf`` is resolved outward (never 0)."""
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a) if isinstance(a, float) else 0.0, float(b) if isinstance(b, float) else 0.0
        if math.isinf(fa) and math.isinf(fb) and fa != fb:
            return INF if direction > 0 else -INF
        return fa if math.isinf(fa) else fb
    return a + b


def _mul(a: End, b: End) -> End:
    if a == 0 or b == 0:
        return Fraction(0)  # 0 * inf as a limit of bounded corners
    if isinstance(a, float) or isinstance(b, float):
        return math.copysign(INF, float(a) * float(b))
    return a * b


def _down(x: float) -> End:
    return x if math.isinf(x) else Fraction(math.nextafter(x, -INF))


def _up(x: float) -> End:
    return x if math.isinf(x) else Fraction(math.nextafter(x, INF))


def _mp(x: Fraction):
    return mpmath.mpf(x.numerator) / x.denominator


def _to_end(value, rounding) -> End:
    """A 60-digit value as an end: to float, then one ulp outward.

    The 60-digit error is far below an ulp, so the float one ulp outward
    is a true bound, whatever error converting the argument introduced.
    """
    try:
        f = float(value)
    except OverflowError:
        f = INF if value > 0 else -INF
    if math.isinf(f):
        if rounding is _down:
            return FLOAT_MAX if f > 0 else -INF
        return INF if f > 0 else -FLOAT_MAX
    return rounding(f)


def _exp(x: End, rounding) -> End:
    if x == INF:
        return INF
    if x == -INF:
        return Fraction(0)
    if x == 0:
        return Fraction(1)
    if x > 10 ** 6:
        return FLOAT_MAX if rounding is _down else INF
    if x < -10 ** 6:
        return Fraction(0) if rounding is _down else _up(5e-324)
    with mpmath.workdps(60):
        return _to_end(mpmath.exp(_mp(Fraction(x))), rounding)


def _log(x: End, rounding) -> End:
    if x == INF:
        return INF
    if x <= 0:
        return -INF
    if x == 1:
        return Fraction(0)
    with mpmath.workdps(60):
        return _to_end(mpmath.log(_mp(Fraction(x))), rounding)


def _constant(value: float) -> Interval:
    return Interval(_down(value), _up(value))


Lookup = Callable[[sp.Basic], "Interval | None"]


def interval_of(expr: sp.Basic, lookup: Lookup) -> Interval:
    """An interval containing every value ``expr`` takes on the domain.

    ``lookup`` gives the interval of a symbol or indexed element, or None.
    """
    try:
        return _interval(expr, lookup)
    except (OverflowError, ValueError, ZeroDivisionError, TypeError):
        return REAL


def _interval(expr: sp.Basic, lookup: Lookup) -> Interval:
    known = lookup(expr)
    if known is not None:
        return known
    if expr.is_Rational:
        value = Fraction(int(expr.p), int(expr.q))
        return Interval(value, value)
    if expr.is_Float:
        value = Fraction(*sp.Rational(expr).as_numer_denom())
        return Interval(value, value)
    if expr is sp.E:
        return _constant(math.e)
    if expr is sp.pi:
        return _constant(math.pi)
    if isinstance(expr, sp.Add):
        total = Interval(0, 0)
        for arg in expr.args:
            total = total + _interval(arg, lookup)
        return total
    if isinstance(expr, sp.Mul):
        total = Interval(1, 1)
        for arg in expr.args:
            total = total * _interval(arg, lookup)
        return total
    if isinstance(expr, sp.Pow):
        return _pow_interval(expr, lookup)
    if isinstance(expr, sp.exp):
        inner = _interval(expr.args[0], lookup)
        lo = _exp(inner.lo, _down)
        # exp is never 0: a lower bound of 0 is never attained.
        return Interval(lo, _exp(inner.hi, _up), inner.lo_open or lo == 0, inner.hi_open)
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        inner = _interval(expr.args[0], lookup)
        if inner.strictly_positive:
            return Interval(_log(inner.lo, _down), _log(inner.hi, _up), inner.lo_open, inner.hi_open)
        return REAL
    if isinstance(expr, (sp.Sum, sp.Product)):
        return _limits_interval(expr, lookup)
    if isinstance(expr, sp.KroneckerDelta):
        return Interval(0, 1)
    if isinstance(expr, sp.Abs):
        return _abs_interval(_interval(expr.args[0], lookup))
    if isinstance(expr, sp.factorial):
        # x! = Gamma(x + 1) >= 0.8856... for x >= 0 (1 at every natural x).
        if _interval(expr.args[0], lookup).nonnegative:
            return Interval(Fraction(88, 100), INF, False, True)
        return REAL
    return REAL


def _abs_interval(inner: Interval) -> Interval:
    if inner.nonnegative:
        return inner
    if inner.hi <= 0:
        return -inner
    # 0 lies inside: |x| reaches 0, and the larger of the two ends (attained
    # if either end of that size is).
    hi = max(-inner.lo, inner.hi)
    hi_open = all(is_open for end, is_open in ((-inner.lo, inner.lo_open), (inner.hi, inner.hi_open))
                  if end == hi)
    return Interval(0, hi, False, hi_open)


def _limits_interval(expr, lookup: Lookup) -> Interval:
    body = _interval(expr.function, lookup)
    counts = [hi - lo + 1 for _, lo, hi in expr.limits]
    if isinstance(expr, sp.Product):
        # An empty product is 1, which stays inside (0, 1] and (0, inf).
        if body.strictly_positive:
            if body.hi <= 1:
                return Interval(0, 1, True, False)
            return Interval(0, INF, True, True)
        return REAL
    nonempty = all(c.is_positive is True for c in counts)
    if body.strictly_positive:
        return Interval(0, INF, nonempty, True)
    if body.nonnegative:
        return Interval(0, INF, False, True)
    negated = -body
    if negated.nonnegative:
        return Interval(-INF, 0, True, not (negated.strictly_positive and nonempty))
    return REAL


def _pow_interval(expr: sp.Pow, lookup: Lookup) -> Interval:
    base, exponent = expr.args
    b = _interval(base, lookup)
    if exponent.is_Integer and abs(int(exponent)) <= MAX_EXACT_POWER:
        n = int(exponent)
        if n == 0:
            return Interval(1, 1)
        if n > 0 and b.nonnegative:
            return Interval(b.lo ** n, b.hi ** n if b.hi != INF else INF, b.lo_open, b.hi_open)
        if n < 0 and b.strictly_positive:
            lo = Fraction(0) if b.hi == INF else b.hi ** n
            hi = INF if b.lo == 0 else b.lo ** n
            return Interval(lo, hi, b.hi_open, b.lo_open)
        if n % 2 == 0 and n > 0:
            return Interval(0, INF, False, True)
        return REAL
    if b.strictly_positive:
        e = _interval(exponent, lookup)
        # b^e = exp(e log b): positive; at most 1 when b <= 1 and e >= 0.
        if b.hi <= 1 and e.nonnegative:
            return Interval(0, 1, True, False)
        return Interval(0, INF, True, True)
    if b.nonnegative and exponent.is_positive:
        return Interval(0, INF, False, True)
    return REAL


def is_positive(expr: sp.Basic, lookup: Lookup) -> bool:
    """True only when ``expr`` is known to be > 0 everywhere on the domain."""
    return interval_of(expr, lookup).strictly_positive
