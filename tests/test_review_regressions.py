"""Regression cases from the soundness review: each was a wrong verdict once."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sympy as sp

from derive.certificates.derivation import CertificateError, from_json, recheck
from derive.checks.algebra import symbolic_check
from derive.checks.steps import check_step
from derive.checks.numeric import numeric_check
from derive.checks.results import DEFAULT, Status
from derive.core.context import Context, Role, SymbolSpec
from derive.core.derivation import Step
from derive.core.domains import Domain
from derive.checks.evaluate import Budget
from derive.checks.intervals import is_positive
from derive.core.relations import MapKind, MonotoneMap, Relation

from .helpers import scalar_context

OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"


def _numeric(after, target, ctx, fixed=None):
    return numeric_check(after, target, ctx, fixed or {}, ("t",), DEFAULT, Budget())


def _data_simplex_context():
    specs = (SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4), SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4),
             SymbolSpec("i", "i", Role.INDEX, upper="N"), SymbolSpec("k", "k", Role.INDEX, upper="C"),
             SymbolSpec("p", "p", Role.DATA, Domain.parse("simplex"), ("i", "k")),
             SymbolSpec("q", "q", Role.PREDICTION, Domain.parse("simplex+"), ("i", "k")))
    return Context(specs)


def test_a_product_that_reaches_zero_is_not_positive():
    ctx = scalar_context()
    b, r, i = ctx["b"], ctx["r"], ctx["i"]
    assert not is_positive(b[i] * r[i], ctx.interval)          # b = 0 gives 0
    p = _data_simplex_context()["p"]
    assert not is_positive((p[1, 1] + p[1, 2]) * sp.sqrt(2), _data_simplex_context().interval)


def test_tiny_constants_are_not_rounded_away():
    ctx = scalar_context(x="prob")
    assert not is_positive(ctx["x"] - sp.Rational(1, 10 ** 400), ctx.interval)


def test_scale_by_a_factor_that_can_vanish_is_never_proved():
    ctx = _data_simplex_context()
    p, q, i, k, N, C = (ctx[n] for n in ("p", "q", "i", "k", "N", "C"))
    F = -sp.Sum(p[i, k] * sp.log(q[i, k]), (k, 1, C), (i, 1, N))
    c = (p[1, 1] + p[1, 2]) * sp.sqrt(2)
    step = Step(1, 0, "t", Relation.SAME_ARGMIN, F, c * F, "min", "min", "",
                maps=(MonotoneMap(MapKind.SCALE, c),))
    assert check_step(step, ctx).status is not Status.PROVED


def test_an_infinite_shift_is_rejected():
    ctx = _data_simplex_context()
    p, q, i, k, N, C = (ctx[n] for n in ("p", "q", "i", "k", "N", "C"))
    F = -sp.Sum(p[i, k] * sp.log(q[i, k]), (k, 1, C), (i, 1, N))
    t = -sp.log(p[1, 1])                                        # +inf where p_11 = 0
    step = Step(1, 0, "t", Relation.SAME_ARGMIN, F, F + t, "min", "min", "",
                maps=(MonotoneMap(MapKind.SHIFT, t),))
    report = check_step(step, ctx)
    assert report.status is Status.FAILED
    assert report.failure.obligation == "map:shift" and report.failure.counterexample is not None


def test_reversed_ranges_are_not_proved_by_karr_convention():
    ctx = scalar_context(x="real")
    i, N, x = ctx["i"], ctx["N"], ctx["x"]
    step = Step(1, 0, "t", Relation.EQ, sp.Sum(sp.sin(x), (i, 1, N - 3)), (N - 3) * sp.sin(x), "max", "max", "")
    assert check_step(step, ctx).status is not Status.PROVED
    r = ctx["r"]
    assert symbolic_check(-r[2], sp.Sum(r[i], (i, 3, 1)), ctx, {}, DEFAULT).status is Status.UNCHECKED
    assert _numeric((N - 3) * x, sp.Sum(x, (i, 1, N - 3)), ctx).status is Status.FAILED


def test_a_dummy_assumed_positive_cannot_start_at_zero():
    ctx = scalar_context(x="real")
    i, x = ctx["i"], ctx["x"]
    built = sp.Sum(sp.Abs(i - 1) * x, (i, 0, 2))     # sympy already used i >= 1 here
    assert symbolic_check(built, sp.Integer(0), ctx, {}, DEFAULT).status is Status.UNCHECKED


def test_inner_bounds_name_the_outer_index():
    ctx = scalar_context()
    q, r, k, i, N = (ctx[n] for n in ("q", "r", "k", "i", "N"))
    inner = sp.Sum(q[1, k], (k, 1, i), (i, 1, 2))              # = 2 q11 + q12
    T = sp.Sum(inner * r[i], (i, 1, N))
    assert _numeric((2 * q[1, 1] + q[1, 2]) * sp.Sum(r[i], (i, 1, N)), T, ctx).status is Status.NUMERIC
    assert _numeric(sp.Sum(2 * sp.Sum(q[1, k], (k, 1, i)) * r[i], (i, 1, N)), T, ctx).status is Status.FAILED


def test_numeric_blind_spots_are_covered():
    ctx = scalar_context(n="natural", x="positive")
    n, x, r = ctx["n"], ctx["x"], ctx["r"]
    assert _numeric(sp.Mul(*[n - j for j in range(7)]), sp.Integer(0), ctx).status is Status.FAILED
    assert _numeric(x * (1 + sp.Rational(1, 10 ** 21)), x, ctx).status is Status.FAILED
    assert _numeric(r[1] ** 2 * sp.Rational(1, 10 ** 31), sp.Integer(0), ctx).status is Status.FAILED
    sctx = _data_simplex_context()
    p, k, C = sctx["p"], sctx["k"], sctx["C"]
    zeros = sp.Sum(sp.KroneckerDelta(p[1, k], 0), (k, 1, C))
    assert _numeric(zeros * (zeros - 1), sp.Integer(0), sctx).status is Status.FAILED


def test_a_specialisation_may_not_keep_the_fixed_size():
    ctx = scalar_context()
    r, i, N = ctx["r"], ctx["i"], ctx["N"]
    step = Step(1, 0, "t", Relation.SPECIALISE, sp.Sum(r[i], (i, 1, N)), N * r[1], "max", "max", "",
                substitution=(("N", 1),))
    assert check_step(step, ctx).status is Status.FAILED


def test_an_opaque_defined_symbol_is_not_parameter_free():
    ctx = Context(scalar_context().symbols + (SymbolSpec("L", r"\ell", Role.DEFINED),))
    r, i, N = ctx["r"], ctx["i"], ctx["N"]
    F = sp.Sum(sp.log(r[i]), (i, 1, N))
    L = ctx["L"]
    step = Step(1, 0, "t", Relation.SAME_ARGMIN, F, F + L, "min", "min", "", maps=(MonotoneMap(MapKind.SHIFT, L),))
    assert check_step(step, ctx).status is Status.FAILED


def test_optimiser_steps_without_predictions_are_undecided():
    specs = tuple(s if s.role is not Role.PREDICTION else SymbolSpec(s.name, s.latex, Role.DATA, s.domain, s.indices)
                  for s in scalar_context().symbols)
    ctx = Context(specs)
    r, i, N = ctx["r"], ctx["i"], ctx["N"]
    F = sp.Sum(sp.log(r[i]), (i, 1, N))
    step = Step(1, 0, "t", Relation.SAME_ARGMIN, F, -F, "max", "min", "", maps=(MonotoneMap(MapKind.NEGATE),))
    assert check_step(step, ctx).status is Status.UNCHECKED


def _certificate():
    return json.loads((OUTPUTS / "bernoulli-binary-cross-entropy.json").read_text())


def test_recheck_compares_the_start_line_and_definitions_as_shown():
    data = _certificate()
    data["start"]["latex"] = r"\text{anything at all}"
    assert 0 in recheck(data).display_mismatches
    data = _certificate()
    data["definitions"][1]["latex"] = r"\hat{y}_{i}"
    assert not recheck(data).holds


def test_certificates_must_define_every_defined_symbol_once():
    data = _certificate()
    data["symbols"].append({"name": "R", "latex": "R", "role": "defined", "domain": None, "indices": []})
    with pytest.raises(CertificateError, match="no definition"):
        from_json(data)
    data = _certificate()
    data["definitions"].append(copy.deepcopy(data["definitions"][0]))
    with pytest.raises(CertificateError, match="defined twice"):
        from_json(data)


# -- second review round -----------------------------------------------------------
DATA = Path(__file__).resolve().parent / "data"


def test_canonical_dummies_cannot_collide_with_declared_names():
    from derive.checks.canonical import canonical
    from derive.certificates.srepr import NAME

    ctx = scalar_context()
    r, i, N = ctx["r"], ctx["i"], ctx["N"]
    dummies = {s.name for s in canonical(sp.Sum(r[i], (i, 1, N)), ctx).atoms(sp.Symbol)} - {"N", "r"}
    assert dummies and not any(NAME.match(name) for name in dummies)


def test_constants_beyond_float_range_keep_sound_intervals():
    ctx = scalar_context()
    C = ctx["C"]
    big = sp.Integer(10) ** 400
    assert not is_positive(big - big * C, ctx.interval)
    assert is_positive(big * C - 1, ctx.interval)


def test_exp_and_log_bounds_cover_argument_rounding():
    ctx = scalar_context()
    x = sp.Rational(1, 4 * 10 ** 12)
    true_log = sp.log(1 + x).evalf(60)
    assert not is_positive(sp.log(1 + x) - (true_log + sp.Rational(1, 10 ** 40)), ctx.interval)
    e = sp.Integer(700) + sp.Rational(1, 997)
    from derive.checks.intervals import interval_of
    iv = interval_of(sp.exp(e), ctx.interval)
    assert iv.lo <= sp.exp(e).evalf(60) <= iv.hi


def test_proved_algebra_without_numbers_is_not_proved():
    # c * (x + 1) vs c * (x^2 - 1)/(x - 1): equal where both are defined, but
    # nothing checked that the new line is defined (c has no domain).
    data = json.loads((DATA / "no-domain-constant.json").read_text())
    assert recheck(data).report.status is Status.UNCHECKED


def test_a_sum_may_not_start_below_its_index_declaration():
    data = json.loads((DATA / "index-declared-above-sum.json").read_text())
    assert recheck(data).report.status is not Status.PROVED


def test_huge_constants_do_not_prove_a_log_step():
    data = json.loads((DATA / "huge-constant-log.json").read_text())
    assert recheck(data).report.status is Status.FAILED


def test_malformed_certificates_are_errors_not_crashes(tmp_path):
    from derive.certificates.derivation import load

    data = json.loads((DATA / "self-referential-definition.json").read_text())
    with pytest.raises(CertificateError, match="refers to itself"):
        from_json(data)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    with pytest.raises(CertificateError, match="nested too deeply|not JSON"):
        load(deep)


def test_recheck_goes_on_after_a_bad_file(tmp_path, capsys):
    from derive.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code = main(["recheck", str(bad), str(OUTPUTS / "bernoulli-binary-cross-entropy.json")])
    captured = capsys.readouterr()
    assert code == 2 and "bad.json" in captured.err and "OK" in captured.out


def test_a_line_wrong_only_for_larger_sizes_is_caught():
    # (N-1)...(N-5) vanishes at every size the exact check and the small
    # draws use; large draws must still find the error.
    ctx = scalar_context()
    r, i, N = ctx["r"], ctx["i"], ctx["N"]
    line = sp.Sum(sp.log(r[i]), (i, 1, N))
    bump = 1 + sp.Mul(*[N - j for j in range(1, 6)])
    report = check_step(Step(1, 0, "t", Relation.EQ, line, bump * line, "max", "max", ""), ctx)
    assert report.status is Status.FAILED and report.failure.counterexample.point["sizes"]["N"] > 5
