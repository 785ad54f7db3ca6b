"""The information-theory family (seed 002, seed 000's soft labels): specifics.

The generic replay, mutation and golden tests cover every derivation of the
catalogue already; this module checks what is particular to the family, and
refutations, which are a kind of result of their own.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from fractions import Fraction

import pytest
import sympy as sp

from derive import catalogue
from derive.build import build
from derive.certificates.derivation import CertificateError
from derive.cli import main
from derive.core.refutation import Outcome, RationalPoint, confirm, refute
from derive.certificates.refutation import recheck, to_json

ASYMMETRY = "cross-entropy-asymmetry"


@pytest.fixture(scope="module")
def claim():
    return catalogue.get_refutation(ASYMMETRY)


@pytest.fixture(scope="module")
def certificate(claim):
    return to_json(claim, refute(claim))


# -- refutations -----------------------------------------------------------------
def test_the_asymmetry_is_refuted_with_a_counterexample_that_really_differs(claim):
    report = refute(claim)
    assert report.outcome is Outcome.REFUTED
    ctx = claim.context
    # Independently of the engine's evaluator: exact sympy at the rational point.
    point = report.point
    C = point.sizes["C"]
    p = [sp.Rational(str(v)) for v in point.values["p"]]
    q = [sp.Rational(str(v)) for v in point.values["q"]]
    assert sum(p) == 1 and sum(q) == 1 and min(p + q) > 0
    h_pq = -sum(p[j] * sp.log(q[j]) for j in range(C))
    h_qp = -sum(q[j] * sp.log(p[j]) for j in range(C))
    difference = sp.N(h_pq - h_qp, 50)
    assert abs(difference) > 1e-6
    assert sp.N(h_pq, 25) == sp.N(sp.Float(report.lhs_value, 30), 25)
    assert ctx.unfold(claim.lhs) != ctx.unfold(claim.rhs)


def test_a_true_claim_is_not_refuted(claim):
    same = replace(claim, name="same-sides", rhs=claim.lhs)
    report = refute(same)
    assert report.outcome is Outcome.NOT_REFUTED and report.point is None
    assert "no counterexample" in report.detail


def test_a_claim_true_only_on_the_simplex_is_not_refuted_by_rounding(claim):
    # sum_j p_j = 1 holds exactly on the simplex; float rows would break it.
    ctx = claim.context
    k, C, p = ctx["k"], ctx["C"], ctx["p"]
    total = replace(claim, name="rows-sum-to-one", lhs=sp.Sum(p[k], (k, 1, C)), rhs=sp.Integer(1))
    assert refute(total).outcome is Outcome.NOT_REFUTED


def test_swapped_but_equal_cross_entropies_are_not_refuted(claim):
    # H(p, q) written twice, once through its definition: still not refutable.
    unfolded = replace(claim, name="unfolded", rhs=claim.context.unfold(claim.lhs))
    assert refute(unfolded).outcome is Outcome.NOT_REFUTED


def test_certificate_rechecks(certificate):
    outcome = recheck(certificate)
    assert outcome.holds and outcome.report.refuted


def _tampered(certificate, **values):
    data = json.loads(json.dumps(certificate))
    data["counterexample"]["values"].update(values)
    return data


def test_recheck_rejects_a_point_that_does_not_refute(certificate):
    # p = q: both sides are the entropy of p, so the point refutes nothing.
    data = _tampered(certificate, q=list(certificate["counterexample"]["values"]["p"]))
    outcome = recheck(data)
    assert not outcome.holds and outcome.report.outcome is Outcome.NOT_REFUTED


def test_recheck_rejects_a_point_outside_the_domains(certificate):
    size = certificate["counterexample"]["sizes"]["C"]
    off = ["1/2"] * size  # sums to more than 1 when there are 3 classes or more
    off[0] = str(Fraction(1) - Fraction(1, 2) * (size - 1) + Fraction(1, 10))
    outcome = recheck(_tampered(certificate, q=off))
    assert not outcome.holds and "outside the domains" in outcome.report.detail


def test_recheck_rejects_recorded_values_that_are_not_the_values_there(certificate):
    data = json.loads(json.dumps(certificate))
    data["counterexample"]["lhs"] = "0.5"
    assert not recheck(data).holds


def test_recheck_rejects_a_changed_claim_display(certificate):
    data = json.loads(json.dumps(certificate))
    data["claim"]["rhs"]["latex"] = r"H(p, q)"
    assert not recheck(data).holds


def test_recheck_refuses_values_that_are_not_rationals(certificate):
    data = _tampered(certificate, q="__import__('os')")
    with pytest.raises(CertificateError):
        recheck(data)


def test_the_point_is_checked_exactly_not_in_floats(claim):
    # A point whose row sums to 1 - 10^-40 is not on the simplex.
    bad = RationalPoint({"C": 2}, {"p": [Fraction(1, 2), Fraction(1, 2) - Fraction(1, 10 ** 40)],
                                   "q": [Fraction(1, 3), Fraction(2, 3)]})
    from derive.core.refutation import domain_violation
    assert domain_violation(bad, claim.context) is not None
    good = RationalPoint({"C": 2}, {"p": [Fraction(1, 2)] * 2, "q": [Fraction(1, 2)] * 2})
    assert confirm(claim, good).outcome is Outcome.NOT_REFUTED


def test_cli_recheck_exit_codes(certificate, tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(certificate))
    assert main(["recheck", str(good)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_tampered(certificate, q=list(certificate["counterexample"]["values"]["p"]))))
    assert main(["recheck", str(bad)]) == 1
    assert "REJECTED" in capsys.readouterr().out
    broken = json.loads(json.dumps(certificate))
    del broken["claim"]
    ugly = tmp_path / "ugly.json"
    ugly.write_text(json.dumps(broken))
    assert main(["recheck", str(ugly)]) == 2


def test_cli_list_and_show(capsys):
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    row = next(line for line in listing.splitlines() if line.startswith(ASYMMETRY))
    assert "refuted" in row
    assert main(["show", ASYMMETRY]) == 0
    shown = capsys.readouterr().out
    assert "counterexample" in shown and "lhs = " in shown and "rhs = " in shown
    assert main(["show", ASYMMETRY, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "refutation"


def test_refutation_tex_compiles(tmp_path):
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        pytest.skip("pdflatex not installed")
    build(tmp_path, [ASYMMETRY])
    result = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                             f"-output-directory={tmp_path}", str(tmp_path / f"{ASYMMETRY}.tex")],
                            capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-3000:]
    tex = (tmp_path / f"{ASYMMETRY}.tex").read_text()
    assert r"H(p, q) = H(q, p)" in tex and r"\tfrac" in tex


# -- the kernel additions this family needs ----------------------------------------
def _kl(name="kl-divergence"):
    d = catalogue.get(name)
    return d, d.context, d.context["k"], d.context["C"], d.context["y"], d.context["yhat"]


def test_weighted_log_lemma_proves_only_when_the_weight_is_the_zero_able_factor():
    from derive.checks.algebra import symbolic_check
    from derive.checks.results import DEFAULT, Status as S
    d, ctx, k, C, y, yhat = _kl()
    good = symbolic_check(y[k] * sp.log(y[k]) - y[k] * sp.log(yhat[k]), y[k] * sp.log(y[k] / yhat[k]),
                          ctx, {}, DEFAULT)
    assert good.status is S.PROVED
    # A wrong split (the sign of the second log) is never proved.
    bad = symbolic_check(y[k] * sp.log(y[k]) + y[k] * sp.log(yhat[k]), y[k] * sp.log(y[k] / yhat[k]),
                         ctx, {}, DEFAULT)
    assert bad.status is not S.PROVED
    # The lemma itself fires only when the factor that may be 0 weighs the log.
    from derive.checks.canonical import _weighted_log
    assert _weighted_log(ctx)(yhat[k] * sp.log(y[k] / yhat[k])) is None
    assert _weighted_log(ctx)(y[k] * sp.log(y[k] / yhat[k])) is not None


def test_y_log_y_vanishes_only_for_zero_one_labels():
    from derive.checks.steps import identity_checks
    from derive.checks.evaluate import Budget
    from derive.checks.results import DEFAULT, Status as S
    for name, expected in (("kl-divergence-one-hot", S.PROVED), ("kl-divergence", S.FAILED)):
        d, ctx, k, C, y, yhat = _kl(name)
        entropy = -sp.Sum(y[k] * sp.log(y[k]), (k, 1, C))
        results = identity_checks(sp.Integer(0), entropy, ctx, {}, (name, "H=0"), DEFAULT, Budget())
        statuses = {r.kind: r.status for r in results}
        if expected is S.PROVED:
            assert statuses["symbolic"] is S.PROVED and statuses["numeric"] is S.NUMERIC
        else:
            assert statuses["numeric"] is S.FAILED and statuses["symbolic"] is not S.PROVED


def test_pointwise_finiteness():
    from derive.checks.finiteness import finite_everywhere
    d, ctx, k, C, y, yhat = _kl()
    assert finite_everywhere(-sp.Sum(y[k] * sp.log(y[k]), (k, 1, C)), ctx.interval)   # 0 log 0 = 0
    assert finite_everywhere(-sp.Sum(y[k] * sp.log(yhat[k]), (k, 1, C)), ctx.interval)
    assert not finite_everywhere(sp.Sum(sp.log(y[k]), (k, 1, C)), ctx.interval)        # log 0
    assert not finite_everywhere(sp.Sum(yhat[k] * sp.log(y[k]), (k, 1, C)), ctx.interval)
    assert not finite_everywhere(1 / y[k], ctx.interval)


def test_dropping_the_entropy_is_a_parameter_free_finite_shift():
    d = catalogue.get("kl-divergence")
    step = d.steps[-1]
    assert step.rule == "drop-term" and step.maps[0].kind.value == "shift"
    report = check_derivation_step(d, step)
    shift = next(r for r in report.results if r.obligation == "map:shift")
    assert shift.status.value == "proved"
    # Dropping the cross-entropy instead (which depends on the parameters) is refused.
    from derive.core.relations import MapKind, MonotoneMap
    H = d.context["H"]
    bad = replace(step, after=step.before - H, maps=(MonotoneMap(MapKind.SHIFT, -H),))
    assert check_derivation_step(d, bad).status.value == "failed"


def check_derivation_step(d, step):
    from derive.checks.steps import check_step
    return check_step(step, d.context, (d.name,))


def test_kl_for_one_hot_labels_is_the_cross_entropy():
    d = catalogue.get("kl-divergence-one-hot")
    assert str(d.steps[-1].after) == "H"
    assert all(s.relation.value in ("eq", "defn") for s in d.steps)


# -- the derivations' specifics ------------------------------------------------------
def test_the_seed_example_has_exactly_one_and_a_half_bits():
    d = catalogue.get("entropy-in-bits-example")
    last = d.steps[-1]
    assert last.after == sp.Rational(3, 2) and last.substitution == (("C", 3),)
    report = check_derivation_step(d, last)
    assert report.status.value == "proved"
    assert any(r.kind == "symbolic" and r.status.value == "proved" for r in report.results)


def test_bits_are_nats_over_log_two_and_keep_the_optimiser():
    from sympy.codegen.cfunctions import log2
    d = catalogue.get("entropy-in-bits")
    assert d.context.definitions_by_name["cross-entropy-bits"].rhs.has(log2)
    assert [s.rule for s in d.steps][1] == "change-log-base"
    assert d.steps[3].after == d.context["H"] / sp.log(2)
    assert d.steps[-1].after == d.context["H"] and d.steps[-1].relation.value == "same_argmin"


def test_soft_label_readings():
    a = catalogue.get("soft-label-cross-entropy")
    assert a.steps[-1].after == a.context["H"]
    b = catalogue.get("soft-label-annotations")
    n, H = b.context["n"], b.context["H"]
    negative_log = next(s for s in b.steps if s.after == n * H)
    assert negative_log.relation.value == "eq"
    assert b.steps[-1].after == H and b.steps[-1].rule == "normalise"


def test_two_classes_give_the_binary_cross_entropy():
    d = catalogue.get("two-class-reduction")
    assert d.steps[0].substitution == (("C", 2),)
    i, N = d.context["i"], d.context["N"]
    assert d.steps[-1].after == sp.Sum(d.context["Hb"][i], (i, 1, N)) / N


def test_map_drops_the_evidence_and_the_uniform_prior_as_positive_scales():
    d = catalogue.get("map-to-mle")
    drops = [s for s in d.steps if s.rule == "drop-scalar-factor"]
    assert [s.maps[0].kind.value for s in drops] == ["scale", "scale"]
    for s in drops:
        report = check_derivation_step(d, s)
        assert report.status.value == "proved"
    # Dropping a factor that depends on the parameters is refused.
    from derive.core.relations import MapKind, MonotoneMap
    L = d.context["L"]
    step = drops[0]
    bad = replace(step, after=step.before / L, maps=(MonotoneMap(MapKind.SCALE, 1 / L),))
    assert check_derivation_step(d, bad).status.value == "failed"
    assert d.steps[-1].sense_after == "min"


def test_label_smoothing_splits_into_two_cross_entropies():
    d = catalogue.get("label-smoothing")
    ctx = d.context
    eps = ctx["eps"]
    assert sp.expand(d.steps[-1].after - ((1 - eps) * ctx["H"] + eps * ctx["Hu"])) == 0


def test_batch_is_a_sum_then_a_mean_of_per_example_cross_entropies():
    d = catalogue.get("batch-cross-entropy")
    i, N, H = d.context["i"], d.context["N"], d.context["H"]
    lines = [s.after for s in d.steps]
    assert sp.Sum(H[i], (i, 1, N)) in lines
    assert lines[-1] == sp.Sum(H[i], (i, 1, N)) / N


def test_a_shift_that_can_be_infinite_is_not_proved_finite():
    from derive.checks.evaluate import Budget
    from derive.checks.numeric import property_check
    from derive.checks.results import DEFAULT
    d, ctx, k, C, y, yhat = _kl()
    # -sum_j log y_j is +inf where a label entry is 0: not a finite shift.
    result = property_check(-sp.Sum(sp.log(y[k]), (k, 1, C)), ctx, ("shift",), DEFAULT, Budget(),
                            "map:shift", positive=False, finite=True, proved_text="finite")
    assert result.status.value == "failed" and result.counterexample is not None


def test_names_are_unique_across_derivations_and_refutations():
    names = catalogue.all_names()
    assert len(names) == len(set(names))
    with pytest.raises(ValueError):
        catalogue.entry(ASYMMETRY)(lambda: None)
