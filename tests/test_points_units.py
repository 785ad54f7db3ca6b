"""The point generator's parts: guard solutions, their precision, and the kernel's use of them."""
from __future__ import annotations

import mpmath
import sympy as sp

from derive.checks.evaluate import Budget
from derive.checks.guards import guards_of
from derive.checks.numeric import numeric_check
from derive.checks.points import digits_for_values, draw_point, draw_sizes, seeded_rng
from derive.checks.results import Settings, Status

from .helpers import scalar_context

x, q = sp.Symbol("x"), sp.Symbol("q")


def _near(values, target, rel=1e-6) -> bool:
    return any(abs(v - target) <= rel * abs(target) for v in values)


def test_guard_through_log_is_solved_at_its_magnitude():
    values = guards_of([sp.Max(sp.log(q), -600)]).for_name("q")
    assert _near(values, mpmath.exp(-600))
    assert any(v < mpmath.exp(-600) for v in values) and any(v > mpmath.exp(-600) for v in values)


def test_guard_through_abs_power_exp_and_tanh_gives_both_signs_and_sides():
    assert _near(guards_of([sp.Min(sp.Abs(3 * x - 1), sp.Integer(10) ** 200)]).for_name("x"), (10 ** 200 + 1) / 3)
    assert _near(guards_of([sp.Min(sp.Abs(x), 10 ** 5)]).for_name("x"), -10 ** 5)
    assert _near(guards_of([sp.Min(x ** 2, 100)]).for_name("x"), -10)
    assert _near(guards_of([sp.Min(sp.exp(x), sp.Integer(10) ** 250)]).for_name("x"), 250 * mpmath.log(10))
    assert _near(guards_of([sp.Max(sp.tanh(x), sp.Rational(-1, 2))]).for_name("x"), mpmath.atanh(-0.5))


def test_guard_next_to_one_asks_for_more_digits():
    sigmoid = 1 / (1 + sp.exp(-x))
    guards = guards_of([sp.Min(sigmoid, 1 - sp.Rational(1, 10 ** 50))])
    assert guards.digits >= 85
    assert _near(guards.for_name("x"), 50 * mpmath.log(10), rel=1e-3)


def test_no_guard_no_values_and_unsolvable_guards_are_left_alone():
    assert not guards_of([sp.exp(x) + x ** 2])
    assert guards_of([-sp.log(q)]).for_name("q")  # the edge of the log: q = 0 and next to it
    assert not guards_of([sp.Max(sp.sin(x) + x, 3)])  # sin is not inverted


def test_precision_follows_the_drawn_magnitudes():
    assert digits_for_values([0.5, 2.0]) <= 45
    assert digits_for_values([1e270, 0.5]) > 300
    assert digits_for_values([1e-300]) > 330


def test_kernel_points_reach_the_guards():
    ctx = scalar_context(z="real")
    z = ctx["z"]
    guards = guards_of([sp.Min(sp.exp(z), sp.Integer(10) ** 200)])
    rng = seeded_rng("units")
    drawn = [draw_point(ctx, rng, draw_sizes(ctx, rng), guards=guards).values["z"] for _ in range(60)]
    assert any(mpmath.exp(v) > mpmath.mpf(10) ** 200 for v in drawn)


def test_kernel_identity_check_rejects_a_far_guard():
    ctx = scalar_context(z="real")
    z = ctx["z"]
    result = numeric_check(sp.Min(sp.exp(z), sp.Integer(10) ** 200), sp.exp(z), ctx, {}, ("units", 1),
                           Settings(), Budget())
    assert result.status is Status.FAILED and result.counterexample is not None
    same = numeric_check(sp.Min(sp.exp(z), sp.exp(z) + 1), sp.exp(z), ctx, {}, ("units", 2), Settings(), Budget())
    assert same.status is Status.NUMERIC
