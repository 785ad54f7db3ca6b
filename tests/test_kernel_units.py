"""Units of the kernel: combinators, intervals, evaluation, rules, srepr."""
from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp

from derive.core import strategies
from derive.checks.evaluate import Budget, BudgetExceeded, Undefined, evaluate
from derive.checks.intervals import Interval, interval_of, is_positive
from derive.core.rules import RULES, make_rule
from derive.certificates.srepr import SreprError, parse_srepr

from .helpers import scalar_context

x, y = sp.symbols("x y")


# -- combinators, on plain integers as sympy's strategies are tested --------------
def inc_small(e):
    return e + 1 if e.is_Integer and e < 5 else None


def test_at_root_rewrites_only_the_root():
    assert strategies.at_root(inc_small)(sp.Integer(1)) == 2
    assert strategies.at_root(inc_small)(sp.Tuple(1, 2)) is None


def test_everywhere_rewrites_every_node_once():
    assert strategies.everywhere(inc_small)(sp.Tuple(1, 2, 7)) == sp.Tuple(2, 3, 7)


def test_first_rewrites_one_node():
    assert strategies.first(inc_small)(sp.Tuple(7, 1, 2)) == sp.Tuple(7, 2, 2)


def test_exhaust_reaches_a_fixed_point():
    assert strategies.exhaust(strategies.everywhere(inc_small))(sp.Tuple(1, 4)) == sp.Tuple(5, 5)


def test_exhaust_is_bounded():
    with pytest.raises(RuntimeError):
        strategies.exhaust(lambda e: e + 1, limit=10)(sp.Integer(0))


def test_chain_applies_in_turn():
    double = lambda e: e * 2 if e.is_Integer else None  # noqa: E731
    assert strategies.chain(inc_small, double)(sp.Integer(1)) == 4


# -- intervals -----------------------------------------------------------------
def test_interval_arithmetic():
    p = Interval(0.0, 1.0, True, True)
    assert (Interval(1.0, 1.0) + -p).strictly_positive            # 1 - p > 0
    assert not (Interval(1.0, 1.0) + -Interval(0, 1)).strictly_positive
    assert (p * p).hi == 1.0 and (p * p).hi_open


def test_oracle_on_domains():
    ctx = scalar_context(a="prob", z="real", s="positive")
    a, z, s = ctx["a"], ctx["z"], ctx["s"]
    assert is_positive(1 - a, ctx.interval)
    assert is_positive(a ** z, ctx.interval)
    assert is_positive(sp.exp(z), ctx.interval)
    assert not is_positive(z, ctx.interval)
    assert not is_positive(1 - s, ctx.interval)
    assert not is_positive(sp.log(a), ctx.interval)
    assert interval_of(sp.log(a), ctx.interval).hi <= 0


# -- evaluation ----------------------------------------------------------------
def test_evaluate_conventions():
    env = {x: mpmath.mpf(0)}
    assert evaluate(x * sp.log(x), env) == 0          # 0 log 0 = 0
    assert evaluate(x ** 0, env) == 1
    with pytest.raises(Undefined):
        evaluate(sp.log(x - 1), env)                  # log of a negative
    with pytest.raises(Undefined):
        evaluate(1 / x, env)


def test_evaluate_is_bounded():
    i = sp.Symbol("i", integer=True)
    with pytest.raises(BudgetExceeded):
        evaluate(sp.Sum(i, (i, 1, 10 ** 12)), {})
    with pytest.raises(BudgetExceeded):
        evaluate(sp.Sum(i, (i, 1, 90_000)), {}, Budget(max_ops=1000))


def test_evaluate_has_precision():
    env = {x: mpmath.mpf(1)}
    a = evaluate(x * sp.Rational(1, 10 ** 20), env)
    b = evaluate(x * sp.Rational(2, 10 ** 20), env)
    assert a != b and math.isclose(float(b / a), 2.0)


# -- rules ---------------------------------------------------------------------
def test_rules_are_registered_by_name_with_docstrings():
    for name, cls in RULES.items():
        assert cls.name == name
        assert cls.__doc__ and "->" in cls.__doc__, name


def test_log_rules_respect_side_conditions():
    ctx = scalar_context(a="real", s="positive", t="prob")
    a, s, t = ctx["a"], ctx["s"], ctx["t"]
    mul = make_rule("log-of-mul")
    assert mul.apply(sp.log(a * s), ctx) is None               # a may be negative
    assert mul.apply(sp.log(2 * s * (1 - t)), ctx) == sp.log(2) + sp.log(s) + sp.log(1 - t)
    power = make_rule("log-of-power")
    assert power.apply(sp.log(a ** 2), ctx) is None
    assert power.apply(sp.log(s ** a), ctx) == a * sp.log(s)
    assert make_rule("take-log").apply(a, ctx) is None          # log needs F > 0


def test_indicator_rule_needs_zero_one_labels():
    ctx = scalar_context(z="real")
    rule = make_rule("indicator-to-exponent")
    b, i = ctx["b"], ctx["i"]
    assert rule.apply(sp.KroneckerDelta(b[i], 1), ctx) == b[i]
    assert rule.apply(sp.KroneckerDelta(ctx["z"], 1), ctx) is None


def test_unknown_rule_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown rule"):
        make_rule("no-such-rule")


# -- srepr reader ----------------------------------------------------------------
def test_srepr_round_trip():
    i = sp.Symbol("i", integer=True, positive=True)
    p = sp.IndexedBase("p", positive=True)
    e = -sp.Sum(p[i] * sp.log(p[i]), (i, 1, sp.Symbol("N"))) / 3 + sp.Float("0.25") + sp.pi
    assert parse_srepr(sp.srepr(e)) == e


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "open('/etc/passwd')", "(lambda: 1)()",
    "Symbol('x').evalf()", "Integer(1) + Integer(2)", "Pow(Integer(10), Integer(100000000))",
    "(" * 10000 + "Integer(1)" + ")" * 10000, "Symbol('x', __class__=True)", "Integer(" + "9" * 100 + ")",
    "Symbol('x y')", "", "Float('1e999999999999')",
])
def test_srepr_rejects_hostile_text(text):
    with pytest.raises(SreprError):
        parse_srepr(text)


def test_recognise_folds_definitions_with_any_number_of_indices():
    from derive.core.context import Context, Definition, Role, SymbolSpec

    base = scalar_context()
    specs = base.symbols + (SymbolSpec("G", "G", Role.DEFINED, None, ("i", "k")),
                            SymbolSpec("Z", "Z", Role.DEFINED, None))
    ctx0 = Context(specs)
    y, q, i, k, N = (ctx0[n] for n in ("y", "q", "i", "k", "N"))
    ctx = Context(specs, (Definition("g", "G", ("i", "k"), y[i, k] * sp.log(q[i, k])),
                          Definition("z", "Z", (), sp.Sum(q[i, 1], (i, 1, N)))))
    fold_g, fold_z = make_rule("recognise", definition="g"), make_rule("recognise", definition="z")
    assert fold_g.apply(y[2, 1] * sp.log(q[2, 1]), ctx) == ctx["G"][2, 1]
    assert fold_g.apply(y[2, 1] * sp.log(q[1, 2]), ctx) is None
    assert fold_z.apply(sp.Sum(q[i, 1], (i, 1, N)), ctx) == ctx["Z"]
