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
from derive.certificate import CertificateError
from derive.cli import main
from derive.refutation import Outcome, RationalPoint, confirm, refute
from derive.refutation_certificate import recheck, to_json

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
    from derive.refutation import domain_violation
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
