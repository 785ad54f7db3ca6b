"""Property: every value drawn from the domains lies in the oracle's interval.

The positivity oracle guards every log rewrite, so its intervals are tested
against the numbers: random expressions over symbols of every domain, values
drawn by the same sampler the checks use (edges, faces of the simplex, zeros
of binary labels), and each value must sit inside the interval, respecting
open ends.
"""
from __future__ import annotations

import mpmath
import sympy as sp
from hypothesis import HealthCheck, given, settings, strategies as st

from derive.checks.evaluate import Undefined, evaluate
from derive.checks.intervals import interval_of
from derive.checks.points import draw_point, seeded_rng

from .helpers import scalar_context

CTX = scalar_context(a="prob", s="positive", z="real", n="natural", o="binary")
b, r, y, q = CTX["b"], CTX["r"], CTX["y"], CTX["q"]
LEAVES = [CTX[x] for x in ("a", "s", "z", "n", "o")] + [b[1], r[1], y[1, 1], q[1, 2],
                                                         sp.Integer(0), sp.Integer(1), sp.Rational(1, 2),
                                                         sp.Integer(-2), sp.E]


def _expressions():
    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda t: t[0] + t[1]),
            st.tuples(children, children).map(lambda t: t[0] * t[1]),
            st.tuples(children, children).map(lambda t: t[0] - t[1]),
            st.tuples(children, st.sampled_from([2, 3, -1, -2, sp.Rational(1, 2)])).map(lambda t: t[0] ** t[1]),
            st.tuples(children, children).map(lambda t: t[0] ** t[1]),
            children.map(sp.log),
            children.map(sp.exp),
        )

    return st.recursive(st.sampled_from(LEAVES), extend, max_leaves=5)


def _inside(value, iv) -> bool:
    lo, hi = iv.lo, iv.hi
    above = value > lo if iv.lo_open else value >= lo
    below = value < hi if iv.hi_open else value <= hi
    return bool(above and below)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_sampled_values_lie_in_the_interval(expr):
    iv = interval_of(expr, CTX.interval)
    rng = seeded_rng("intervals", sp.srepr(expr))
    for _ in range(12):
        point = draw_point(CTX, rng, {"N": 2, "C": 3})
        try:
            value = evaluate(expr, point.env(CTX))
        except Undefined:
            continue
        with mpmath.workdps(40):  # the value's own precision: 1 + 2e-30 is above an open 1
            ends = _as_mpf(iv)
            # an open end met exactly is rounding at 40 digits (exp(10^-60) = 1.0)
            on_open_end = (iv.lo_open and value == ends.lo) or (iv.hi_open and value == ends.hi)
            assert on_open_end or _inside(mpmath.mpf(value), ends), (expr, iv, point.to_json(), value)


def _as_mpf(iv):
    class _Iv:  # the interval with ends as mpmath numbers for comparison
        lo = mpmath.mpf(iv.lo.numerator) / iv.lo.denominator if not isinstance(iv.lo, float) else mpmath.mpf(iv.lo)
        hi = mpmath.mpf(iv.hi.numerator) / iv.hi.denominator if not isinstance(iv.hi, float) else mpmath.mpf(iv.hi)
        lo_open, hi_open = iv.lo_open, iv.hi_open
    return _Iv
