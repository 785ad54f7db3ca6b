"""``derive verify`` on equations: a row that sets an expression to zero is a condition the
text poses, and the rows after it are checked as equations (equivalent, implied, solved),
each with a wrong twin that fails at its line with the point, or stays unknown with its reason."""
from __future__ import annotations

import textwrap

import pytest

from derive.verify import StepVerdict, verify_text
from derive.verify.chains import chains_of
from derive.verify.extract import read_source


def tex(body: str, domains: str = "") -> str:
    head = f"% derive: {domains}\n" if domains else ""
    return head + "\\begin{align*}\n" + textwrap.dedent(body).strip("\n") + "\n\\end{align*}\n"


def steps(text: str):
    return verify_text(text).steps


POISSON = r"""
\ell(\lambda) &= \sum_{i=1}^n x_i \log\lambda - n\lambda \\
\frac{1}{\hat\lambda}\sum_{i=1}^n x_i - n &= 0 \\
\sum_{i=1}^n x_i &= n\hat\lambda \\
\hat\lambda &= SOLUTION
"""


def poisson(solution: str) -> list:
    return steps(tex(POISSON.replace("SOLUTION", solution), "x=positive"))


def test_a_first_order_condition_is_posed_and_then_solved():
    report = poisson(r"\frac{1}{n}\sum_{i=1}^n x_i")
    posed, moved, solved = report[1:]
    assert (posed.relation, posed.verdict, posed.method) == ("equation", StepVerdict.UNKNOWN, "equation")
    assert "not an identity" in posed.reason
    assert moved.verdict is StepVerdict.HOLDS and moved.relation in ("implies", "equivalent equation")
    assert (solved.relation, solved.verdict) == ("solves", StepVerdict.HOLDS)
    assert "only solution" in solved.reason


@pytest.mark.parametrize("wrong", [r"\frac{2}{n}\sum_{i=1}^n x_i", r"-\frac{1}{n}\sum_{i=1}^n x_i",
                                   r"\frac{1}{n-1}\sum_{i=1}^n x_i", r"\sum_{i=1}^n x_i"])
def test_a_wrong_solution_fails_at_its_line_with_the_point(wrong):
    solved = poisson(wrong)[-1]
    assert (solved.relation, solved.verdict) == ("solves", StepVerdict.FAILS), solved.reason
    assert solved.line == 6 and solved.counterexample  # the comment is line 1
    assert "does not solve" in solved.reason


def test_a_sign_slip_in_a_rearranged_row_fails_at_the_root():
    text = tex(r"""
    \frac{1}{\hat\lambda}\sum_{i=1}^n x_i - n &= 0 \\
    \sum_{i=1}^n x_i &= -n\hat\lambda
    """, "x=positive")
    step = steps(text)[-1]
    assert step.verdict is StepVerdict.FAILS, step.reason
    assert "only solution" in step.reason and step.counterexample["at"].startswith(r"\hat")


def test_multiplying_by_a_factor_never_zero_is_an_equivalent_equation():
    text = tex(r"""
    \frac{\partial \ell}{\partial \hat\mu} &= 0 \\
    0 &= \frac{n}{\sigma^2}\left(\frac{1}{n}\sum_{i=1}^n x_i - \hat\mu\right) \\
    0 &= \frac{1}{n}\sum_{i=1}^n x_i - \hat\mu \\
    \hat\mu &= \frac{1}{n}\sum_{i=1}^n x_i
    """, r"\sigma=positive")
    report = steps(text)
    assert report[1].verdict is StepVerdict.UNKNOWN  # a condition on an opaque derivative: not a claim
    assert (report[2].relation, report[2].verdict) == ("equivalent equation", StepVerdict.HOLDS)
    assert (report[3].relation, report[3].verdict) == ("solves", StepVerdict.HOLDS)


def test_dividing_by_a_factor_that_may_be_zero_is_unknown_with_the_reason():
    text = tex(r"""
    \hat\mu (\hat\mu - a) &= 0 \\
    \hat\mu - a &= 0
    """)
    step = steps(text)[-1]
    assert step.verdict is StepVerdict.UNKNOWN
    assert "divides by" in step.reason and "may be zero" in step.reason


def test_multiplying_by_a_factor_that_may_be_zero_still_follows():
    text = tex(r"""
    \frac{y}{\hat p} - \frac{n - y}{1 - \hat p} &= 0 \\
    y (1 - \hat p) - (n - y) \hat p &= 0 \\
    \hat p &= \frac{y}{n}
    """)
    report = steps(text)
    assert (report[1].relation, report[1].verdict) == ("implies", StepVerdict.HOLDS)
    assert report[2].verdict is StepVerdict.HOLDS


def test_a_wrong_transformation_without_a_root_in_reach_is_never_held():
    text = tex(r"""
    \frac{y}{\hat p} - \frac{n - y}{1 - \hat p} &= 0 \\
    y (1 - \hat p) + (n - y) \hat p &= 0
    """)
    assert steps(text)[-1].verdict is StepVerdict.FAILS


def test_the_hat_names_the_root_of_an_equation_in_the_plain_symbol():
    good = tex(r"""
    \frac{dl}{dp} = \frac{k}{p} - \frac{n - k}{1 - p} &= 0 \\
    k - pn &= 0 \\
    \hat p &= \frac{k}{n}
    """, "p=prob")
    report = steps(good)
    assert report[-1].relation == "solves" and report[-1].verdict is StepVerdict.HOLDS
    bad = steps(good.replace(r"\hat p &= \frac{k}{n}", r"\hat p &= \frac{n}{k}"))[-1]
    assert bad.verdict is StepVerdict.FAILS


def test_a_power_of_the_unknown_is_solved_for_as_written():
    good = tex(r"""
    -\frac{n}{\hat\sigma^2} + \frac{1}{\hat\sigma^4}\sum_{i=1}^n (x_i - m)^2 &= 0 \\
    \hat\sigma^2 &= \frac{1}{n}\sum_{i=1}^n (x_i - m)^2
    """)
    assert steps(good)[-1].verdict is StepVerdict.HOLDS
    bad = tex(r"""
    -\frac{n}{\hat\sigma^2} + \frac{1}{\hat\sigma^4}\sum_{i=1}^n (x_i - m)^2 &= 0 \\
    \hat\sigma^2 &= \frac{1}{n-1}\sum_{i=1}^n (x_i - m)^2
    """)
    assert steps(bad)[-1].verdict is StepVerdict.FAILS


def test_one_root_of_several_is_not_the_value_the_equation_gives():
    text = tex(r"""
    \hat x^2 - 1 &= 0 \\
    \hat x &= 1
    """)
    step = steps(text)[-1]
    assert step.verdict is StepVerdict.UNKNOWN and "other solutions" in step.reason
    wrong = steps(text.replace(r"\hat x &= 1", r"\hat x &= 2"))[-1]
    assert wrong.verdict is StepVerdict.FAILS


@pytest.mark.parametrize("arrow", [r"\Rightarrow", r"\implies", r"\iff", r"\Longrightarrow", r"\therefore"])
def test_a_connective_on_the_row_splits_the_equations(arrow):
    text = tex(rf"\sum_{{i=1}}^n (x_i - \mu) = 0 \quad {arrow} \quad \hat\mu = \frac{{1}}{{n}}\sum_{{i=1}}^n x_i")
    report = steps(text)
    assert report[0].relation == "equation" and report[0].verdict is StepVerdict.UNKNOWN
    assert (report[1].relation, report[1].verdict) == ("solves", StepVerdict.HOLDS)
    wrong = steps(text.replace(r"\frac{1}{n}", r"\frac{1}{n+1}"))
    assert wrong[1].verdict is StepVerdict.FAILS


def test_connectives_start_chains_that_remember_them():
    src = read_source(tex(r"a = 0 \quad\Rightarrow\quad b &= c \iff \\ d = e"), "tex", "x")
    chains = chains_of(src)
    assert [c.connective for c in chains] == ["", r"\Rightarrow", r"\iff"]
    assert [[s.raw.split()[0] for s in c.segments] for c in chains] == [["a", "0"], ["b", "c"], ["d", "e"]]


def test_an_identity_is_no_equation_to_solve():
    # a + b = b + a holds for every a: it cannot give the value of \hat a
    report = steps(tex(r"""
    a + b &= b + a \\
    \Rightarrow \hat a &= 5
    """))
    assert all(s.verdict is not StepVerdict.HOLDS or s.relation == "=" for s in report)
    assert report[0].verdict is StepVerdict.HOLDS


def test_a_wrong_zero_with_nothing_saying_equation_still_fails():
    report = steps(tex(r"(a + b)^2 - a^2 - b^2 &= 0"))
    assert report[0].verdict is StepVerdict.FAILS and report[0].relation == "="


def test_a_solved_estimate_is_read_as_its_value_afterwards():
    text = tex(r"""
    \sum_{i=1}^n (x_i - \hat\mu) &= 0 \\
    \hat\mu &= \frac{1}{n}\sum_{i=1}^n x_i \\
    s &= \frac{1}{n}\sum_{i=1}^n (x_i - \hat\mu)^2 \\
    s &= \frac{1}{n}\sum_{i=1}^n x_i^2 - \hat\mu^2
    """)
    report = verify_text(text)
    assert report.steps[-1].verdict is StepVerdict.HOLDS
    assert any("later lines read" in n for n in report.notes)


def test_rows_after_an_equation_that_cannot_be_read_are_not_checked():
    text = tex(r"""
    \frac{d\ell(\hat\lambda; x)}{d\lambda} &= 0 \\
    0 &= \frac{1}{\hat\lambda}\sum_{i=1}^n x_i - n \\
    \hat\lambda &= \frac{1}{n}\sum_{i=1}^n x_i
    """, "x=positive")
    report = steps(text)
    assert report[1].verdict is StepVerdict.UNKNOWN  # not checked against the unread row, or posed anew
    assert report[2].relation == "solves" and report[2].verdict is StepVerdict.HOLDS
    wrong = steps(text.replace(r"\hat\lambda &= \frac{1}{n}", r"\hat\lambda &= \frac{2}{n}"))
    assert wrong[2].verdict is StepVerdict.FAILS


def test_a_claim_after_an_unread_equation_is_still_checked():
    text = tex(r"""
    \frac{d\ell}{d\lambda} &= 0 \\
    (a + b)^2 &= a^2 + b^2
    """)
    assert steps(text)[-1].verdict is StepVerdict.FAILS


def test_a_name_used_only_in_a_definition_may_be_defined_after_it():
    text = tex(r"""
    \hat\lambda &= \bar{y} \\
    \bar{y} &= \frac{1}{n}\sum_{i=1}^n y_i \\
    n \hat\lambda &= \sum_{i=1}^n y_i
    """)
    report = steps(text)
    assert [s.verdict for s in report] == [StepVerdict.DEFINES, StepVerdict.DEFINES, StepVerdict.HOLDS]
    wrong = steps(text.replace(r"n \hat\lambda &=", r"(n+1) \hat\lambda &="))
    assert wrong[-1].verdict is StepVerdict.FAILS


def test_definitions_that_lead_back_to_themselves_are_checked():
    text = tex(r"""
    a &= b + 1 \\
    b &= a + 1 \\
    a - b &= 1
    """)
    report = steps(text)
    assert report[1].verdict is StepVerdict.FAILS
    assert not any(s.verdict is StepVerdict.HOLDS for s in report[1:2])


def test_a_value_where_the_equation_has_no_value_is_no_solution():
    # 1/x = 0 has no solution: x = 0 follows from it only vacuously, and is not one
    report = steps(tex(r"""
    \frac{1}{\hat x} &= 0 \\
    \hat x &= 0
    """))
    assert report[-1].relation == "solves" and report[-1].verdict is not StepVerdict.HOLDS


UNREAD_ZERO = "$$\\frac{d\\ell}{dp} = \\frac{\\sum x_i y_k}{p} - n = 0$$\n\n$$\\sum_i x_i - p n = 0$$\n"


def test_a_row_setting_zero_after_an_unread_row_set_to_zero_is_an_equation_not_checked():
    report = verify_text(UNREAD_ZERO, fmt="md", domains={})
    last = [s for s in report.steps if s.line == 3]
    assert last and last[0].verdict.value == "unknown", report.table()
    assert "cannot be read" in last[0].reason


def test_wrong_twin_the_same_row_alone_is_an_identity_that_fails():
    report = verify_text("$$\\sum_i x_i - p n = 0$$\n", fmt="md", domains={})
    assert report.status == "fails" and report.first_failure.line == 1
