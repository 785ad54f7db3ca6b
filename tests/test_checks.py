"""Each kind of check accepts identities and rejects non-identities."""
from __future__ import annotations

import sympy as sp
import pytest

from derive.checks.algebra import exact_check, symbolic_check
from derive.checks.numeric import numeric_check
from derive.checks.results import DEFAULT, Status
from derive.checks.evaluate import Budget

from .helpers import scalar_context


def _all(after, target, ctx, fixed=None):
    fixed = fixed or {}
    return (symbolic_check(after, target, ctx, fixed, DEFAULT),
            exact_check(after, target, ctx, fixed, DEFAULT),
            numeric_check(after, target, ctx, fixed, ("t",), DEFAULT, Budget()))


def test_identity_on_sums_is_proved_for_every_size():
    ctx = scalar_context()
    y, q, i, k, N, C = (ctx[n] for n in ("y", "q", "i", "k", "N", "C"))
    j = sp.Symbol("j", integer=True, positive=True)
    a = sp.log(sp.Product(sp.Product(q[i, k] ** y[i, k], (k, 1, C)), (i, 1, N)))
    b = sp.Sum(y[j, k] * sp.log(q[j, k]), (k, 1, C), (j, 1, N))  # renamed dummy
    sym, exact, num = _all(a, b, ctx)
    assert sym.status is Status.PROVED
    assert exact.status is Status.PROVED_AT_SIZES
    assert num.status is Status.NUMERIC


@pytest.mark.parametrize("wrong", [
    lambda e, ctx: -e,
    lambda e, ctx: 2 * e,
    lambda e, ctx: e.xreplace({ctx["N"]: ctx["N"] - 1}),
])
def test_non_identity_is_refuted_with_counterexample(wrong):
    ctx = scalar_context()
    y, q, i, k, N, C = (ctx[n] for n in ("y", "q", "i", "k", "N", "C"))
    a = sp.Sum(y[i, k] * sp.log(q[i, k]), (k, 1, C), (i, 1, N))
    sym, exact, num = _all(wrong(a, ctx), a, ctx)
    assert sym.status is Status.UNCHECKED and exact.status is Status.UNCHECKED
    assert num.status is Status.FAILED
    cex = num.counterexample
    assert cex.point["sizes"] and cex.before != cex.after
    assert set(cex.point["values"]) >= {"y", "q"}


def test_log_of_product_is_not_expanded_for_real_arguments():
    # log(ab) = log a + log b only for positive a, b: for reals the new line is
    # undefined where the old one is defined (a, b < 0).
    ctx = scalar_context(a="real", b2="real")
    a, b = ctx["a"], ctx["b2"]
    sym, exact, num = _all(sp.log(a) + sp.log(b), sp.log(a * b), ctx)
    assert sym.status is Status.UNCHECKED
    assert num.status is Status.FAILED and "undefined" in num.counterexample.note


def test_log_of_product_is_proved_for_positive_arguments():
    ctx = scalar_context(a="positive", b2="prob")
    a, b = ctx["a"], ctx["b2"]
    sym, _, num = _all(sp.log(a) + sp.log(1 - b), sp.log(a * (1 - b)), ctx)
    assert sym.status is Status.PROVED and num.status is Status.NUMERIC


def test_sqrt_of_square_is_not_the_identity_on_the_reals():
    # A sampler that only drew (0, 1) would accept this.
    ctx = scalar_context(x="real")
    x = ctx["x"]
    sym, _, num = _all(sp.sqrt(x ** 2), x, ctx)
    assert sym.status is not Status.PROVED
    assert num.status is Status.FAILED
    assert float(num.counterexample.point["values"]["x"]) < 0


def test_tiny_values_are_told_apart():
    ctx = scalar_context(x="positive")
    x = ctx["x"]
    num = numeric_check(x * sp.Rational(2, 10 ** 20), x * sp.Rational(1, 10 ** 20), ctx, {}, ("t",),
                        DEFAULT, Budget())
    assert num.status is Status.FAILED


def test_log_base_change_is_refuted():
    ctx = scalar_context(x="positive")
    x = ctx["x"]
    sym, _, num = _all(sp.log(x, 2), sp.log(x), ctx)
    assert sym.status is Status.UNCHECKED and num.status is Status.FAILED


@pytest.mark.parametrize("value,expected", [
    # 1{b = 1} is the binary label itself: proved every way.
    (1, (Status.PROVED, Status.PROVED_AT_SIZES, Status.NUMERIC)),
    # 1{b = 0} is not: undecided by algebra, refuted by the numbers.
    (0, (Status.UNCHECKED, Status.UNCHECKED, Status.FAILED)),
])
def test_indicator_of_a_binary_label(value, expected):
    ctx = scalar_context()
    b, r, i, N = ctx["b"], ctx["r"], ctx["i"], ctx["N"]
    after = sp.Product(r[i] ** b[i], (i, 1, N))
    before = sp.Product(r[i] ** sp.KroneckerDelta(b[i], value), (i, 1, N))
    assert tuple(c.status for c in _all(after, before, ctx)) == expected


def test_exact_check_enumerates_one_hot_rows():
    # prod_k (1 - y_k) = 0 holds for one-hot rows (one factor is 0) but not as an
    # algebraic identity. (sum_k y_k = 1 is a canonical lemma now, proved symbolically.)
    ctx = scalar_context()
    y, k, C = ctx["y"], ctx["k"], ctx["C"]
    lhs = sp.Product(1 - y[1, k], (k, 1, C))
    sym, exact, num = _all(lhs, sp.Integer(0), ctx)
    assert sym.status is Status.UNCHECKED
    assert exact.status is Status.PROVED_AT_SIZES
    assert num.status is Status.NUMERIC


def test_zero_log_zero_is_zero():
    # With one-hot y, y log y = 0 everywhere (0 log 0 = 0 and 1 log 1 = 0).
    ctx = scalar_context()
    y, k, C = ctx["y"], ctx["k"], ctx["C"]
    num = numeric_check(sp.Sum(y[1, k] * sp.log(y[1, k]), (k, 1, C)), sp.Integer(0), ctx, {}, ("t",),
                        DEFAULT, Budget())
    assert num.status is Status.NUMERIC


def test_undecidable_is_unchecked_not_proved():
    # No valid points at all: the check must say so rather than pass.
    ctx = scalar_context(x="positive")
    x = ctx["x"]
    num = numeric_check(x, sp.log(-x), ctx, {}, ("t",), DEFAULT, Budget())
    assert num.status is Status.UNCHECKED and "domain" in num.detail


def test_huge_powers_are_left_to_the_numeric_check():
    ctx = scalar_context(a="prob", c="prob")
    a, c = ctx["a"], ctx["c"]
    big = (a + c + 1) ** 1000
    sym, exact, num = _all(big * 2, (a + c + 1) ** 999 * (2 * a + 2 * c + 2), ctx)
    assert sym.status is Status.UNCHECKED and "not attempted" in sym.detail
    assert exact.status is Status.UNCHECKED
    assert num.status is Status.NUMERIC
