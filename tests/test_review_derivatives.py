"""Soundness review of derivatives by an entry, calls, distributions and expectations:
each case is a pair (or a file), the verdict it must get, and why."""
from __future__ import annotations

import pytest

from derive.verify import verify_text


def md(*lines: str) -> str:
    return "\n\n".join(f"$${line}$$" for line in lines) + "\n"


G = r"g_i = e^{a_i}"
D = r"\frac{\partial g_i}{\partial a_j} = "

# (right-hand side, expected status, reason)
VERIFY = [
    (r"(e^{a_j})[i=j] + (e^{a_i})[i\neq j]", "fails", "e^{a_i} where i != j: the derivative is 0 there"),
    (r"(e^{a_j})[i=j] - (e^{a_i})[i\neq j]", "fails", "the sign-flipped twin is as wrong where i != j"),
    (r"e^{a_j}[i=j] - e^{a_i}[i\neq j]", "fails", "wrong where i != j"),
    (r"e^{a_j}", "fails", "wrong where i != j"),
    (r"e^{a_i}", "fails", "wrong where i != j"),
    (r"(e^{a_j})[i=j]", "holds", "where i = j, e^{a_j} is e^{a_i}"),
    (r"e^{a_i}[i=j]", "holds", "the derivative itself"),
]


@pytest.mark.parametrize("rhs, status, reason", VERIFY)
def test_a_derivative_by_an_entry_is_compared_in_both_cases(rhs, status, reason):
    report = verify_text(md(G, D + rhs), "md")
    assert report.status == status, f"{reason}\n{report.table()}"


def test_no_false_slip_is_suggested_for_a_term_wrong_where_i_differs_from_j():
    report = verify_text(md(G, D + r"(e^{a_j})[i=j] + (e^{a_i})[i\neq j]"), "md")
    step = report.first_failure
    assert step is not None
    # flipping the sign of the term (1 - delta) e^{a_i} is wrong too where i != j
    assert step.suggestion is None or "sign" not in step.suggestion.change, report.table()


def test_a_counterexample_reads_arrays_at_whole_positions():
    report = verify_text(md(G, D + r"e^{a_i}"), "md")
    values = report.first_failure.counterexample["values"]
    for name in ("i", "j"):
        assert float(values[name]).is_integer(), values


def test_a_value_too_large_to_evaluate_is_set_aside_not_a_point_without_one():
    # x e^{e^x} e^{-e^x} = x: at a wide draw (x = 10^200) e^{e^x} is beyond what is evaluated,
    # which says nothing about where the new line is defined: the true step is not failed
    import sympy as sp
    from derive.checks.evaluate import Budget
    from derive.checks.numeric import numeric_check
    from derive.checks.results import DEFAULT, Status
    from .helpers import scalar_context
    ctx = scalar_context(x="real")
    x = ctx["x"]
    after = sp.Mul(x, sp.exp(sp.exp(x)), sp.exp(-sp.exp(x)), evaluate=False)
    assert numeric_check(after, x, ctx, {}, ("t",), DEFAULT, Budget()).status is Status.NUMERIC
    wrong = sp.Mul(2, x, sp.exp(sp.exp(x)), sp.exp(-sp.exp(x)), evaluate=False)
    assert numeric_check(wrong, x, ctx, {}, ("t",), DEFAULT, Budget()).status is Status.FAILED


# -- named distributions ---------------------------------------------------------------------------
from derive import check  # noqa: E402

DENSITY_VAR = r"\frac{1}{\sqrt{2\pi\sigma}} e^{-\frac{(x-\mu)^2}{2\sigma}}"
DENSITY_STD = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}"


@pytest.mark.parametrize("b", [DENSITY_VAR, DENSITY_STD])
def test_a_normal_with_sigma_alone_is_refused_naming_both_readings(b):
    # sigma as the variance made the first pair equivalent, the second not: the text does not say which
    with pytest.raises(Exception, match="standard deviation .* or the variance"):
        check(r"\mathcal{N}(x \mid \mu, \sigma)", b, domains={r"\sigma": "positive"})


def test_a_normal_with_sigma_squared_or_a_named_variance_is_read():
    assert check(r"\mathcal{N}(x \mid \mu, \sigma^2)", DENSITY_STD).answer.value == "equivalent"
    assert check(r"\mathcal{N}(x \mid \mu, v)", DENSITY_STD.replace(r"\sigma^2", " v")).answer.value == "equivalent"
    # wrong twin: the variance read where the standard deviation is written
    assert check(r"\mathcal{N}(x \mid \mu, \sigma^2)", DENSITY_VAR,
                 domains={r"\sigma": "positive"}).answer.value == "not_equivalent"


# -- derivatives by an entry in check ----------------------------------------------------------------
CHECK = [
    (r"\frac{\partial}{\partial z_j} \sum_{k=1}^{C-1} z_k^2", r"\frac{\partial}{\partial z_j} \sum_{k=1}^{C} z_k^2",
     "not_equivalent", "0 and 2 z_C at j = C: each side once assumed j within its own sum"),
    (r"\frac{\partial}{\partial z_j} \sum_{k=1}^{C} z_k^2", r"2 z_j", "equivalent", "j is an entry of the row 1..C"),
    (r"\frac{\partial}{\partial z_j} \sum_{k} z_k^2", r"2 z_j", "equivalent", "a sum without bounds is the whole row"),
    (r"\frac{\partial}{\partial z_j} \sum_{k=0}^{C-1} z_k^2", r"\frac{\partial}{\partial z_j} \sum_{k=1}^{C} z_k^2",
     "not_equivalent", "0..C-1 and 1..C are different rows"),
    (r"\frac{\partial}{\partial x_i} \sum_{j=1}^{n} \sum_{k=1}^{n} A_{jk} x_j x_k",
     r"\sum_{k=1}^{n} (A_{ik} + A_{ki}) x_k", "equivalent", "a double sum is sifted index by index (once failed at i = 0)"),
    (r"\frac{\partial}{\partial x_i} \sum_{j=1}^{n} \sum_{k=1}^{n} A_{jk} x_j x_k",
     r"2\sum_{k=1}^{n} A_{ik} x_k", "not_equivalent", "A is not symmetric"),
]


@pytest.mark.parametrize("a, b, answer, reason", CHECK)
def test_a_derivative_by_an_entry_in_check(a, b, answer, reason):
    assert check(a, b).answer.value == answer, reason


# -- a one-hot row has one length in the whole file ----------------------------------------------------
SOFTMAX = md(r"p_k = \frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}}",
             r"L = -\sum_{k=1}^{C} y_k \log p_k",
             r"\frac{\partial L}{\partial z_j} = -\sum_{k=1}^{C} y_k ([k=j] - p_j) "
             r"= p_j \sum_{k=1}^{C} y_k - y_j = p_j - y_j")


def test_a_one_hot_row_summed_short_in_one_step_is_the_files_row():
    assert verify_text(SOFTMAX, "md", domains={"y": "onehot"}).status == "holds"
    # the sum to C - 1 misses y_C, which the file's row has (L sums y to C): once it held,
    # the step alone drawing y as a row of C - 1 entries
    bad = verify_text(SOFTMAX.replace(r"p_j \sum_{k=1}^{C} y_k - y_j", r"p_j \sum_{k=1}^{C-1} y_k - y_j"),
                      "md", domains={"y": "onehot"})
    assert bad.status == "fails" and all(s.verdict.value != "holds" for s in bad.steps[-2:]), bad.table()
