"""Step checks see what small sizes at 40 digits cannot.

A step that differs from its target by a non-zero constant, however small,
or by a function of the sizes that is 0 at every size sampled, must not come
out ``proved`` (nor ``numeric``): the symbolic check refutes it with the size
and the values, and the numeric check works at the precision the constants
need. True identities with the same shapes still pass.
"""
from __future__ import annotations

import pytest
import sympy as sp

from derive.checks.algebra import exact_check, sizes_where_nonzero, symbolic_check
from derive.checks.evaluate import PRECISION_DIGITS, Budget, digits_for
from derive.checks.numeric import numeric_check
from derive.checks.results import DEFAULT, Status
from derive.checks.steps import check_step
from derive.core.derivation import Step
from derive.core.relations import Relation

from .helpers import scalar_context

CTX = scalar_context()
y, q, i, k, N, C = (CTX[n] for n in ("y", "q", "i", "k", "N", "C"))
LOSS = -sp.Sum(y[i, k] * sp.log(q[i, k]), (k, 1, C), (i, 1, N))


def _step(after, before=LOSS) -> Step:
    return Step(index=1, source=0, rule="test", relation=Relation.EQ, before=before, after=after,
                sense_before="min", sense_after="min", justification="")


def _indicator(size, threshold):
    return sp.Piecewise((1, size > threshold), (0, True))


FORGED = {
    "tiny constant": sp.Rational(1, 10 ** 40),
    "tiny float": sp.Float("1e-40"),
    "polynomial zero up to 16": sp.Mul(*[C - n for n in range(1, 17)]),
    "indicator of C > 16": _indicator(C, 16),
    "indicator of N >= 50": sp.Piecewise((1, N >= 50), (0, True)),
    "indicator of a huge size": _indicator(N, 999_999),
    "two sizes": _indicator(C, 16) * _indicator(N, 20),
}


@pytest.mark.parametrize("kind", FORGED)
def test_a_step_off_by_a_constant_or_a_function_of_the_sizes_fails(kind):
    report = check_step(_step(LOSS + FORGED[kind]), CTX)
    assert report.status is Status.FAILED
    symbolic = next(r for r in report.results if r.kind == "symbolic")
    assert symbolic.status is Status.FAILED
    assert symbolic.counterexample is not None and symbolic.counterexample.point["sizes"]
    assert not any(r.kind == "exact" for r in report.results), "no exact check once refuted"


@pytest.mark.parametrize("kind,sizes", [("polynomial zero up to 16", {"C": 17}),
                                        ("indicator of C > 16", {"C": 17}),
                                        ("indicator of N >= 50", {"N": 50}),
                                        ("indicator of a huge size", {"N": 1_000_000}),
                                        ("two sizes", {"C": 17, "N": 21})])
def test_the_counterexample_names_the_first_size_where_the_difference_shows(kind, sizes):
    found = sizes_where_nonzero(FORGED[kind], CTX, {})
    assert found is not None and found[0] == sizes and found[1] != "0"


def test_a_counterexample_at_a_large_size_carries_the_values_there():
    report = check_step(_step(LOSS + _indicator(C, 16)), CTX)
    cex = report.failure.counterexample
    assert cex.point["sizes"]["C"] == 17
    assert len(cex.point["values"]["y"][0]) == 17, "values drawn at the size found"
    assert cex.before != cex.after


@pytest.mark.parametrize("tiny", [sp.Rational(1, 10 ** 40), sp.Float("1e-40"), sp.exp(-100)])
def test_numeric_check_sees_a_tiny_difference_that_depends_on_the_data(tiny):
    # Not a function of the sizes alone: only the numbers can refute it, and only
    # at a precision chosen from the constant.
    after = LOSS + tiny * q[1, 1]
    assert digits_for(after, LOSS) > PRECISION_DIGITS
    num = numeric_check(after, LOSS, CTX, {}, ("tiny",), DEFAULT, Budget())
    assert num.status is Status.FAILED
    assert "differ by" in num.counterexample.note
    assert check_step(_step(after), CTX).status is Status.FAILED


def test_usual_constants_keep_the_usual_precision():
    assert digits_for(LOSS / 2 + sp.Rational(3, 4) * sp.log(2), LOSS) == PRECISION_DIGITS


@pytest.mark.parametrize("after,before", [
    # 1 + 10^-40 is not 1, but 10^-40 (1 + q) is 10^-40 + 10^-40 q
    (sp.Rational(1, 10 ** 40) * (1 + q[1, 1]), sp.Rational(1, 10 ** 40) + sp.Rational(1, 10 ** 40) * q[1, 1]),
    # a function of the sizes sympy leaves as a sum, true for every size
    (sp.Sum(k, (k, 1, C)) + LOSS, C * (C + 1) / 2 + LOSS),
    # a piecewise form of a size, equal for every size
    (sp.Piecewise((C, C > 16), (C, True)) + LOSS, C + LOSS),
])
def test_true_identities_with_the_same_shapes_are_not_refuted(after, before):
    report = check_step(_step(after, before), CTX)
    assert report.status is not Status.FAILED, [r.detail for r in report.results]


def test_a_data_dependent_difference_at_large_sizes_is_at_most_proved_at_sizes():
    # [C > 16] y_{1,1}: neither the algebra nor the points reach it; the step
    # must not claim `proved` (a certificate recording that is rejected).
    after = LOSS + _indicator(C, 16) * y[1, 1]
    report = check_step(_step(after), CTX)
    assert report.status is Status.PROVED_AT_SIZES


def test_exact_check_records_the_sizes_it_covered():
    exact = exact_check(LOSS, LOSS + 0 * C, CTX, {}, DEFAULT)
    exact = exact_check(sp.Sum(y[i, k], (k, 1, C), (i, 1, N)), N, CTX, {}, DEFAULT)
    assert exact.status is Status.PROVED_AT_SIZES
    assert exact.sizes == ({"C": 2, "N": 1}, {"C": 2, "N": 2}, {"C": 3, "N": 1}, {"C": 3, "N": 2})
    assert exact.to_json()["sizes"] == [dict(s) for s in exact.sizes]
    assert "C = 3, N = 2" in exact.detail


def test_symbolic_check_alone_refutes_a_constant_difference():
    result = symbolic_check(LOSS + sp.Rational(1, 10 ** 40), LOSS, CTX, {}, DEFAULT)
    assert result.status is Status.FAILED and "a constant" in result.detail
    assert "1.0e-40" in result.detail
