"""Model likelihoods and gradients (issue 3): the specifics of each derivation,
and the new kinds of check (derivative steps, the finiteness oracle, the
sifting and row-sum lemmas) rejecting what they must reject."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
import sympy as sp

from derive import catalogue
from derive.checks.algebra import symbolic_check
from derive.certificates.derivation import CertificateError, dumps, from_json, recheck, to_json
from derive.checks.steps import check_step
from derive.core.context import Context, Role, SymbolSpec
from derive.core.domains import Domain
from derive.checks.evaluate import Undefined, evaluate
from derive.checks.finiteness import is_finite
from derive.checks.intervals import interval_of
from derive.checks.mutations import mutants
from derive.checks.numeric import numeric_check
from derive.checks.evaluate import Budget
from derive.core.relations import MapKind, MonotoneMap, Relation
from derive.checks.results import DEFAULT, Status

from .conftest import report_for

MODELS = ["gaussian-mean-squared-error", "laplace-mean-absolute-error", "poisson-negative-log-likelihood",
          "multi-label-binary-cross-entropy", "softmax-cross-entropy", "sigmoid-binary-cross-entropy",
          "gaussian-mean-squared-error-gradient", "poisson-negative-log-likelihood-gradient"]


def _step(name: str, rule: str):
    d = catalogue.get(name)
    return d, next(s for s in d.steps if s.rule == rule)


@pytest.mark.parametrize("name", MODELS)
def test_model_derivation_is_proved_for_every_size(name):
    assert name in catalogue.names()
    assert report_for(name).status is Status.PROVED


# -- the lines the issue asks for ----------------------------------------------------
def test_gaussian_nll_is_squared_error_over_two_sigma_squared_plus_a_constant():
    d = catalogue.get("gaussian-mean-squared-error")
    ctx = d.context
    y, mu, i, N, sigma = ctx["y"], ctx["mu"], ctx["i"], ctx["N"], ctx["sigma"]
    sse = sp.Sum((y[i] - mu[i]) ** 2, (i, 1, N))
    split = next(s for s in d.steps if s.rule == "split-sum")
    assert sp.expand(split.after - (sse / (2 * sigma ** 2) + N * sp.log(ctx["Zg"]))) == 0
    assert ctx.unfold(ctx["Zg"]) == sigma * sp.sqrt(2 * sp.pi)
    assert sp.simplify(d.steps[-1].after - sse / N) == 0 and d.steps[-1].sense_after == "min"
    shift = next(s for s in d.steps if s.rule == "drop-constant").maps[0]
    scale = next(s for s in d.steps if s.rule == "drop-factor").maps[0]
    assert (shift.kind, scale.kind) == (MapKind.SHIFT, MapKind.SCALE)
    assert shift.operand == -N * sp.log(ctx["Zg"]) and scale.operand == 2 * sigma ** 2


def test_laplace_ends_at_the_mean_absolute_error():
    d = catalogue.get("laplace-mean-absolute-error")
    y, mu, i, N = (d.context[n] for n in ("y", "mu", "i", "N"))
    assert d.steps[-1].after == sp.Sum(sp.Abs(y[i] - mu[i]), (i, 1, N)) / N


def test_poisson_nll_and_the_dropped_log_factorial():
    d = catalogue.get("poisson-negative-log-likelihood")
    y, lam, i, N = (d.context[n] for n in ("y", "lam", "i", "N"))
    nll = next(s for s in d.steps if s.rule == "sign-into-sum").after
    assert nll == sp.Sum(lam[i] - y[i] * sp.log(lam[i]) + sp.log(sp.factorial(y[i])), (i, 1, N))
    shift = next(s for s in d.steps if s.rule == "drop-constant").maps[0]
    assert shift.operand == -sp.Sum(sp.log(sp.factorial(y[i])), (i, 1, N))


def test_multi_label_ends_at_the_mean_of_summed_binary_cross_entropies():
    d = catalogue.get("multi-label-binary-cross-entropy")
    assert str(d.steps[-1].after) == "Sum(Hb[i, k], (k, 1, C), (i, 1, N))/N"


def test_softmax_loss_and_gradient():
    d = catalogue.get("softmax-cross-entropy")
    ctx = d.context
    y, z, k, m, j, C = (ctx[n] for n in ("y", "z", "k", "m", "j", "C"))
    loss = d.steps[-3].after
    assert loss == -sp.Sum(y[k] * z[k], (k, 1, C)) + sp.log(sp.Sum(sp.exp(z[m]), (m, 1, C)))
    grad = d.steps[-2]
    assert grad.relation is Relation.DERIVATIVE and grad.wrt == z[j]
    assert d.steps[-1].after == ctx["phat"][j] - y[j]


def test_sigmoid_loss_and_gradient():
    d = catalogue.get("sigmoid-binary-cross-entropy")
    y, z, yhat = (d.context[n] for n in ("y", "z", "yhat"))
    collected = next(s for s in d.steps if s.rule == "collect").after
    assert collected == sp.log(1 + sp.exp(-z)) + (1 - y) * z
    assert d.steps[-1].after == yhat - y
    assert next(s for s in d.steps if s.rule == "differentiate").wrt == z


def test_gradient_lines_print_as_derivatives_not_objectives():
    from derive.render.latex import document

    d = catalogue.get("softmax-cross-entropy")
    tex = document(d, report_for(d.name))
    assert r"\frac{\partial}{\partial z_{j}}" in tex
    assert r"} = \operatorname{softmax}(\mathbf{z})_{j} - y_{j}}" in tex
    assert r"\arg\min_{\theta}\ \operatorname{softmax}" not in tex


# -- wrong gradients are refuted with a counterexample -------------------------------
def _wrong_softmax_gradients():
    d, step = _step("softmax-cross-entropy", "differentiate")
    y, z, j, m, C = (d.context[n] for n in ("y", "z", "j", "m", "C"))
    softmax = sp.exp(z[j]) / sp.Sum(sp.exp(z[m]), (m, 1, C))
    return {
        "label minus softmax": y[j] - softmax,
        "softmax only": softmax,
        "softmax plus label": softmax + y[j],
        "softmax times (1 - softmax) - label": softmax * (1 - softmax) - y[j],
        "normaliser over one class less": sp.exp(z[j]) / sp.Sum(sp.exp(z[m]), (m, 1, C - 1)) - y[j],
    }


@pytest.mark.parametrize("kind", sorted(_wrong_softmax_gradients()))
def test_wrong_softmax_gradient_is_rejected(kind):
    d, step = _step("softmax-cross-entropy", "differentiate")
    bad = replace(step, after=_wrong_softmax_gradients()[kind])
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    failure = report.failure
    assert failure.obligation == "identity" and failure.kind == "numeric"
    assert "finite difference" in failure.counterexample.note
    values = failure.counterexample.point["values"]
    assert "j" in values and "z" in values and failure.counterexample.point["sizes"]["C"] >= 2
    assert not [r for r in report.results if r.status in (Status.PROVED, Status.PROVED_AT_SIZES)
                and r.obligation == "identity"]


@pytest.mark.parametrize("wrong", ["yhat + y", "y - yhat", "yhat*(1 - yhat) - y", "2*yhat - y"])
def test_wrong_sigmoid_gradient_is_rejected(wrong):
    d, step = _step("sigmoid-binary-cross-entropy", "differentiate")
    y, yhat = d.context["y"], d.context["yhat"]
    bad = replace(step, after=sp.sympify(wrong, locals={"y": y, "yhat": yhat}))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED and report.failure.counterexample is not None


def test_wrong_gradient_in_a_certificate_is_rejected_by_recheck(tmp_path):
    from derive.cli import main
    from derive.render.latex import to_latex

    d, step = _step("softmax-cross-entropy", "differentiate")
    data = json.loads(dumps(to_json(d, report_for(d.name))))
    bad = _wrong_softmax_gradients()["label minus softmax"]
    data["steps"][step.index - 1]["srepr"] = sp.srepr(bad)
    data["steps"][step.index - 1]["latex"] = to_latex(bad, d.context)
    outcome = recheck(data)
    assert outcome.report.steps[step.index - 1].status is Status.FAILED
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["recheck", str(path)]) == 1


def test_derivative_by_a_label_is_rejected():
    d, step = _step("softmax-cross-entropy", "differentiate")
    bad = replace(step, wrt=d.context["y"][d.context["j"]])
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert report.failure.obligation == "relation" and "not a declared prediction" in report.failure.detail


def test_derivative_by_another_variable_is_rejected():
    # The line is the derivative by z_j, but the step claims z_1: refuted at j != 1.
    d, step = _step("softmax-cross-entropy", "differentiate")
    bad = replace(step, wrt=d.context["z"][1])
    assert check_step(bad, d.context, (d.name,)).status is Status.FAILED


def test_certificate_derivative_step_needs_its_variable():
    d, step = _step("softmax-cross-entropy", "differentiate")
    data = json.loads(dumps(to_json(d, report_for(d.name))))
    assert data["steps"][step.index - 1]["wrt"]["latex"] == "z_{j}"
    missing = json.loads(json.dumps(data))
    del missing["steps"][step.index - 1]["wrt"]
    with pytest.raises(CertificateError, match="needs 'wrt'"):
        from_json(missing)
    stray = json.loads(json.dumps(data))
    stray["steps"][0]["wrt"] = data["steps"][step.index - 1]["wrt"]
    with pytest.raises(CertificateError, match="only derivative and solves steps"):
        from_json(stray)
    shown = json.loads(json.dumps(data))
    shown["steps"][step.index - 1]["wrt"]["latex"] = "z_{1}"
    with pytest.raises(CertificateError, match="does not render"):
        from_json(shown)


# -- the map checks of dropped terms and factors ---------------------------------------
def test_dropping_a_term_that_depends_on_the_predictions_is_rejected():
    d, step = _step("gaussian-mean-squared-error", "drop-constant")
    mu, i, N = d.context["mu"], d.context["i"], d.context["N"]
    shift = -sp.Sum(mu[i] ** 2, (i, 1, N))
    bad = replace(step, after=step.before + shift, maps=(MonotoneMap(MapKind.SHIFT, shift),))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert any(r.obligation == "map:shift" and "depends on the parameters" in r.detail for r in report.results)


def test_dropping_a_negative_factor_is_rejected():
    d, step = _step("gaussian-mean-squared-error", "drop-factor")
    sigma = d.context["sigma"]
    bad = replace(step, after=-step.after, maps=(MonotoneMap(MapKind.SCALE, -2 * sigma ** 2),))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert any(r.obligation == "map:scale" and r.status is Status.FAILED for r in report.results)


# -- finiteness oracle, intervals, evaluator ---------------------------------------
def _ctx():
    return Context(symbols=(
        SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4),
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4),
        SymbolSpec("i", "i", Role.INDEX, lower=1, upper="N"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C"),
        SymbolSpec("j", "j", Role.INDEX, lower=1, upper="C"),
        SymbolSpec("s", "s", Role.CONSTANT, Domain.parse("positive")),
        SymbolSpec("x", "x", Role.PREDICTION, Domain.parse("real"), ("k",)),
        SymbolSpec("p", "p", Role.DATA, Domain.parse("simplex"), ("k",)),
        SymbolSpec("q", "q", Role.DATA, Domain.parse("onehot"), ("k",)),
        SymbolSpec("b", "b", Role.DATA, Domain.parse("binary"), ("k",)),
        SymbolSpec("n", "n", Role.DATA, Domain.parse("natural"), ("k",)),
    ))


@pytest.mark.parametrize("text,finite", [
    ("2*s**2", True), ("N*log(s*sqrt(2*pi))", True), ("log(s)", True), ("1/s", True),
    ("exp(x[k])", True), ("Sum(log(factorial(n[k])), (k, 1, C))", True),
    ("log(p[k])", False),            # a closed simplex entry may be 0
    ("1/x[k]", False),               # a real may be 0
    ("log(x[k])", False), ("zoo", False), ("oo*s", False), ("x[k]**(-2)", False),
])
def test_finiteness_oracle(text, finite):
    ctx = _ctx()
    names = {n: ctx[n] for n in ("N", "C", "k", "s", "x", "p", "n")}
    expr = sp.sympify(text, locals=names)
    assert is_finite(expr, ctx.interval) is finite


def test_abs_and_factorial_intervals():
    ctx = _ctx()
    x, n, k = ctx["x"], ctx["n"], ctx["k"]
    assert interval_of(sp.Abs(x[k]), ctx.interval).nonnegative
    assert interval_of(sp.factorial(n[k]), ctx.interval).strictly_positive
    assert not interval_of(sp.factorial(x[k]), ctx.interval).strictly_positive


def test_factorial_of_a_negative_integer_is_undefined():
    t = sp.Symbol("t")
    with pytest.raises(Undefined):
        evaluate(sp.factorial(t), {t: -2})
    assert evaluate(sp.factorial(t), {t: 5}) == 120


# -- the sifting and row-sum lemmas are sound -----------------------------------------
def test_sifting_proves_a_delta_sum_over_the_declared_range():
    ctx = _ctx()
    x, k, j, C = ctx["x"], ctx["k"], ctx["j"], ctx["C"]
    lhs = sp.Sum(sp.KroneckerDelta(j, k) * sp.exp(x[k]), (k, 1, C))
    assert symbolic_check(sp.exp(x[j]), lhs, ctx, {}, DEFAULT).status is Status.PROVED


def test_sifting_over_a_shorter_range_is_not_proved_and_is_refuted():
    ctx = _ctx()
    x, k, j, C = ctx["x"], ctx["k"], ctx["j"], ctx["C"]
    lhs = sp.Sum(sp.KroneckerDelta(j, k) * sp.exp(x[k]), (k, 2, C))  # misses j = 1
    assert symbolic_check(sp.exp(x[j]), lhs, ctx, {}, DEFAULT).status is not Status.PROVED
    num = numeric_check(sp.exp(x[j]), lhs, ctx, {}, ("sift",), DEFAULT, Budget())
    assert num.status is Status.FAILED and num.counterexample.point["values"]["j"] == 1.0


@pytest.mark.parametrize("row,lower,proved", [
    ("q", 1, True), ("p", 1, True),   # one-hot and simplex rows sum to 1
    ("q", 2, False),                  # not over the whole range
    ("b", 1, False),                  # binary entries need not sum to 1
])
def test_row_sum_lemma(row, lower, proved):
    ctx = _ctx()
    k, C = ctx["k"], ctx["C"]
    total = sp.Sum(ctx[row][k], (k, lower, C))
    status = symbolic_check(total, sp.Integer(1), ctx, {}, DEFAULT).status
    assert (status is Status.PROVED) is proved


def test_symmetric_swap_is_no_mutant_but_real_slips_are():
    d = catalogue.get("gaussian-mean-squared-error")
    step = d.steps[-1]
    found = mutants(step.after, d.context)
    assert "swap-prediction-label" not in found      # (y - mu)^2 = (mu - y)^2: no slip
    assert {"flip-sign", "times-two", "shift-bound"} <= set(found)
    poisson = catalogue.get("poisson-negative-log-likelihood")
    assert "swap-prediction-label" in mutants(poisson.steps[-1].after, poisson.context)


def test_sifting_never_uses_an_index_bound_elsewhere():
    # sum_{j=1}^{C+2} sum_k 1{j = k} k is sum_{j=1}^{C} j, not sum_{j=1}^{C+2} j:
    # j is bound over another range than its declared one, so it is not sifted to.
    ctx = _ctx()
    k, j, C = ctx["k"], ctx["j"], ctx["C"]
    lhs = sp.Sum(sp.Sum(sp.KroneckerDelta(j, k) * k, (k, 1, C)), (j, 1, C + 2))
    wrong = sp.Sum(j, (j, 1, C + 2))
    assert symbolic_check(wrong, lhs, ctx, {}, DEFAULT).status is not Status.PROVED
    num = numeric_check(wrong, lhs, ctx, {}, ("sift-bound",), DEFAULT, Budget())
    assert num.status is Status.FAILED


def test_huge_factorials_are_out_of_range_not_slow():
    t = sp.Symbol("t")
    assert evaluate(sp.log(sp.factorial(t)), {t: 10 ** 6}) > 1.2e7   # counts up to 10^6 evaluate
    with pytest.raises(Undefined, match="beyond"):
        evaluate(sp.factorial(t), {t: 10 ** 60})


def test_total_cancellation_is_ill_conditioned_not_a_counterexample():
    from derive.checks.evaluate import IllConditioned, confirmed_mismatch

    z = sp.Symbol("z")
    cancelled = 1 - sp.exp(-z) / (1 + sp.exp(-z))     # 0 at 40 and 120 digits for z = -545
    exact = 1 / (1 + sp.exp(-z))                       # e^-545
    env = {z: -545}
    a, b = evaluate(cancelled, env), evaluate(exact, env)
    assert a == 0 and 0 < b < 1e-200
    with pytest.raises(IllConditioned):
        confirmed_mismatch(cancelled, exact, env, Budget(), a, b)
    # A real mismatch with an exact 0 is still confirmed.
    assert confirmed_mismatch(sp.Integer(0), exact, {z: 3}, Budget(), evaluate(sp.Integer(0), {}),
                              evaluate(exact, {z: 3}))


@pytest.mark.parametrize("lo,hi,lo_open,hi_open,want_hi_open", [
    (-1, 1, True, False, False),   # |x| = 1 at x = 1
    (-1, 1, False, True, False),   # |x| = 1 at x = -1
    (-1, 1, True, True, True),     # never 1
    (-2, 1, True, False, True),    # never 2
])
def test_abs_interval_keeps_an_attained_end_closed(lo, hi, lo_open, hi_open, want_hi_open):
    from derive.checks.intervals import Interval

    t = sp.Symbol("t")
    iv = interval_of(sp.Abs(t), lambda e: Interval(lo, hi, lo_open, hi_open) if e == t else None)
    assert (iv.lo, iv.lo_open, iv.hi_open) == (0, False, want_hi_open)
    assert iv.hi == max(-lo, hi)
    if hi == 1 and not want_hi_open:   # 1 - |x| reaches 0: not positive
        assert not interval_of(1 - sp.Abs(t), lambda e: Interval(lo, hi, lo_open, hi_open) if e == t
                               else None).strictly_positive


# -- property tests: Abs and factorial intervals, and the finiteness oracle ---------
def _model_expressions():
    from hypothesis import strategies as st

    from .test_intervals_property import LEAVES

    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda t: t[0] + t[1]),
            st.tuples(children, children).map(lambda t: t[0] * t[1]),
            st.tuples(children, children).map(lambda t: t[0] - t[1]),
            st.tuples(children, st.sampled_from([2, -1, sp.Rational(1, 2)])).map(lambda t: t[0] ** t[1]),
            children.map(sp.log), children.map(sp.exp), children.map(sp.Abs), children.map(sp.factorial),
        )

    return st.recursive(st.sampled_from(LEAVES), extend, max_leaves=5)


def test_abs_factorial_intervals_and_finiteness_hold_at_sampled_points():
    import mpmath
    from hypothesis import HealthCheck, given, settings

    from derive.checks.points import draw_point, seeded_rng

    from .test_intervals_property import CTX, _as_mpf, _inside

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_model_expressions())
    def check(expr):
        iv = interval_of(expr, CTX.interval)
        finite = is_finite(expr, CTX.interval)
        rng = seeded_rng("model-intervals", sp.srepr(expr))
        for _ in range(12):
            point = draw_point(CTX, rng, {"N": 2, "C": 3})
            try:
                value = evaluate(expr, point.env(CTX))
            except Undefined as exc:
                assert not finite or "beyond" in str(exc), (expr, point.to_json(), exc)
                continue
            ends = _as_mpf(iv)
            # An open end met exactly is rounding at 40 digits (exp(1e-434) = 1.0).
            on_open_end = (iv.lo_open and value == ends.lo) or (iv.hi_open and value == ends.hi)
            with mpmath.workdps(40):  # the value's own precision: 1 + 2e-30 is above an open 1
                assert on_open_end or _inside(mpmath.mpf(value), ends), (expr, iv, point.to_json(), value)

    check()


# -- property: the new lemmas and the derivative check never prove what the numbers refute
def _lemma_context():
    return Context(symbols=(
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C"),
        SymbolSpec("m", "m", Role.INDEX, lower=1, upper="C"),
        SymbolSpec("j", "j", Role.INDEX, lower=1, upper="C"),
        SymbolSpec("x", "x", Role.PREDICTION, Domain.parse("real"), ("k",)),
        SymbolSpec("w", "w", Role.PREDICTION, Domain.parse("positive"), ("k",)),
        SymbolSpec("q", "q", Role.DATA, Domain.parse("onehot"), ("k",)),
        SymbolSpec("p", "p", Role.DATA, Domain.parse("simplex"), ("k",)),
        SymbolSpec("b", "b", Role.DATA, Domain.parse("binary"), ("k",)),
    ))


LEMMA_CTX = _lemma_context()


def _bodies(v):
    c = LEMMA_CTX
    return [c["x"][v], sp.exp(c["x"][v]), c["w"][v] * c["x"][v], sp.log(c["w"][v]), v * c["x"][v], c["q"][v]]


def test_lemmas_and_derivatives_never_prove_what_the_numbers_refute():
    from hypothesis import HealthCheck, given, settings, strategies as st

    from derive.core.derivation import Step
    from derive.checks.derivative import check_derivative
    from derive.checks.results import Settings

    c = LEMMA_CTX
    k, m, j, C = c["k"], c["m"], c["j"], c["C"]
    fast = Settings(trials=30, needed=6, exact_sizes=1)
    seen = {"refuted": 0, "proved": 0}

    @settings(max_examples=120, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 5), st.integers(0, 5), st.sampled_from([1, 2]), st.sampled_from([C, C - 1]),
           st.sampled_from(["q", "p", "b"]), st.integers(0, 3))
    def check(f, g, lo, hi, row, template):
        body_k, body_j = _bodies(k)[f], _bodies(j)[f]
        if template == 0:      # sifting: sum_k 1{j = k} f(k) = f(j)
            original, candidate = sp.Sum(sp.KroneckerDelta(j, k) * body_k, (k, lo, hi)), body_j
        elif template == 1:    # a row sums to 1
            original, candidate = sp.Sum(c[row][k], (k, lo, hi)), sp.Integer(1)
        else:                  # a derivative by x_j, right or wrong
            g_k = _bodies(k)[g]
            before = sp.Sum(body_k * g_k, (k, lo, hi)) + sp.log(sp.Sum(sp.exp(c["x"][m]), (m, 1, C)))
            right = sp.diff(before, c["x"][j])
            candidate = right if template == 2 else right + _bodies(j)[g]
            step = Step(1, 0, "t", Relation.DERIVATIVE, before, candidate, "min", "min", "", wrt=c["x"][j])
            results = check_derivative(step, c, ("prop",), fast, Budget(seconds=10))
            numeric = next(r for r in results if r.kind == "numeric")
            proved = [r for r in results if r.obligation == "identity"
                      and r.status in (Status.PROVED, Status.PROVED_AT_SIZES)]
            if numeric.status is Status.FAILED:
                seen["refuted"] += 1
                assert not proved, (before, candidate, numeric.detail)
            elif proved:
                seen["proved"] += 1
            return
        numeric = numeric_check(candidate, original, c, {}, ("prop",), fast, Budget(seconds=5))
        symbolic = symbolic_check(candidate, original, c, {}, fast)
        if numeric.status is Status.FAILED and numeric.counterexample.after is not None:
            seen["refuted"] += 1
            assert symbolic.status is not Status.PROVED, (original, candidate, numeric.detail)
        elif symbolic.status is Status.PROVED:
            seen["proved"] += 1

    check()
    assert seen["refuted"] > 10 and seen["proved"] > 10, seen


# -- gradients of the mean loss over N samples -------------------------------------------------
MEAN_GRADIENTS = {
    "gaussian-mean-squared-error-gradient": ("mu", lambda y, p, N: 2 * (p - y) / N),
    "poisson-negative-log-likelihood-gradient": ("lam", lambda y, p, N: (1 - y / p) / N),
}


@pytest.mark.parametrize("name", sorted(MEAN_GRADIENTS))
def test_the_gradient_of_the_mean_loss_is_taken_at_one_sample(name):
    d = catalogue.get(name)
    variable, expected = MEAN_GRADIENTS[name]
    y, p, j, N = (d.context[n] for n in ("y", variable, "j", "N"))
    last = d.steps[-1]
    assert last.rule == "differentiate" and last.relation is Relation.DERIVATIVE
    assert sp.simplify(last.after - expected(y[j], p[j], N)) == 0
    assert report_for(name).status is Status.PROVED


def _wrong_mean_gradients(name):
    variable, expected = MEAN_GRADIENTS[name]
    d = catalogue.get(name)
    y, p, j, N = (d.context[n] for n in ("y", variable, "j", "N"))
    right = expected(y[j], p[j], N)
    return {"without the 1/N": right * N, "sign": -right, "the label's index": right.xreplace({y[j]: y[1]}),
            "summed over the samples": N * right}


@pytest.mark.parametrize("name,kind", [(n, k) for n in sorted(MEAN_GRADIENTS) for k in
                                       ("without the 1/N", "sign", "the label's index", "summed over the samples")])
def test_a_wrong_gradient_of_the_mean_loss_is_rejected_with_a_point(name, kind):
    d, step = _step(name, "differentiate")
    report = check_step(replace(step, after=_wrong_mean_gradients(name)[kind]), d.context, (d.name,))
    assert report.status is Status.FAILED
    assert report.failure.counterexample is not None
    assert not [r for r in report.results if r.status in (Status.PROVED, Status.PROVED_AT_SIZES)
                and r.obligation == "identity"]
