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
