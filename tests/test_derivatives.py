"""Derivatives in ``derive check`` and ``derive verify``: every spelling read, each with a
wrong twin that must come out ``not_equivalent`` (or fail at its line)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive import check
from derive.parsing import ParseError, read_formulas
from derive.verify import verify_file, verify_text

DATA = Path(__file__).parent / "data" / "derivatives"

#: Each spelling twice (pairs.jsonl, also timed by benchmarks/check.py): with the right B, and
#: with a wrong twin that differs by a sign, a missing factor, the derivative in the wrong
#: index, sigma(1 + sigma), ...
PAIRS = [json.loads(line) for line in (DATA / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("pair", PAIRS, ids=[p["id"] for p in PAIRS])
def test_each_spelling_is_read_and_its_wrong_twin_differs(pair):
    verdict = check(pair["a"], pair["b"], pair.get("domains"))
    assert verdict.verdict == pair["expected"], verdict
    if pair["expected"] == "not_equivalent":
        assert verdict.counterexample, verdict


def test_every_spelling_has_its_wrong_twin():
    right = {p["id"].rsplit("-", 1)[0]: p["a"] for p in PAIRS if p["expected"] == "equivalent"}
    wrong = {p["id"].rsplit("-", 1)[0]: p["a"] for p in PAIRS if p["expected"] == "not_equivalent"}
    assert right == wrong and len(right) * 2 == len(PAIRS)


def test_a_sum_over_part_of_the_range_keeps_its_delta():
    # k from 2: the entry z_1 is not summed, so the term k = j does not always survive
    a = r"\frac{\partial}{\partial z_j}\sum_{k=2}^{C} z_k^2"
    assert check(a, r"\sum_{k=2}^{C} 2 z_k \mathbb{1}\{k = j\}").verdict == "equivalent"
    assert check(a, "2 z_j").verdict != "equivalent"


def test_a_derivative_of_an_undefined_name_is_unknown_not_zero():
    a = r"\frac{\partial L}{\partial z}"
    assert check(a, a).verdict == "equivalent"
    assert check(a, "0").verdict != "equivalent"
    assert check(r"\frac{dy}{dx}", "0").verdict != "equivalent"


def test_a_d_that_is_a_variable_stays_a_fraction():
    assert check(r"\frac{a}{d}", r"a d^{-1}").verdict == "equivalent"
    assert check(r"\frac{d}{2}", r"0.5 d").verdict == "equivalent"


@pytest.mark.parametrize("a, b", [
    (r"d + \frac{dy}{dx}", "d"),            # d a variable of the same formula
    (r"\frac{dy}{dx}", "d"),                # d a variable of the other formula
    (r"\frac{d}{dx}", r"\frac{1}{x}"),      # an operator with nothing to differentiate, or d/(d x)
])
def test_an_ambiguous_d_is_refused_naming_both_readings(a, b):
    with pytest.raises(ParseError) as exc:
        read_formulas([a, b])
    assert "derivative" in exc.value.message and ("fraction" in exc.value.message)


def test_a_declared_d_is_refused_as_a_differential():
    with pytest.raises(ParseError):
        read_formulas([r"\frac{dy}{dx}"], {"d": "positive"})


@pytest.mark.parametrize("text", [
    r"\frac{d}{dx}(x^2) y",                      # the bracket alone, or the product?
    r"\frac{\partial^2 f}{\partial x}",          # orders differ
    r"\frac{\partial}{dx} x",                    # d and \partial mixed
    r"\frac{\partial}{\partial (x + y)} x",      # not a variable
    r"f'(x)",                                    # a function derive does not know
    r"\frac{\partial}{\partial z_k}\sum_{k=1}^{C} z_k",  # the variable's index is bound inside
])
def test_unreadable_derivatives_are_refused(text):
    with pytest.raises(ParseError):
        read_formulas([text])


def test_second_derivative_of_an_unknown_function_is_refused_or_unknown():
    with pytest.raises(ParseError):
        read_formulas([r"\frac{d}{dx} f(x)"])


# -- derive verify ---------------------------------------------------------------------------
GOOD = {"sigmoid_bce_chain_rule.md": {"y": "binary"}, "softmax_gradient_cases.md": {"y": "onehot"},
        "logistic_regression_gradient.md": {}}
#: estimates by setting a derivative to zero: the condition is set, not proved (unknown); every
#: row after it holds, the last one solving the equation
ESTIMATES = {"poisson_rate_estimate.md": {}, "gaussian_mean_estimate.md": {},
             "bernoulli_probability_estimate.md": {}}
BROKEN = {
    "sigmoid_bce_chain_rule.dropped.md": 20,   # a chain-rule factor dropped
    "sigmoid_bce_chain_rule.plus.md": 13,      # sigma(1 + sigma)
    "sigmoid_bce_chain_rule.sign.md": 11,      # a sign
    "softmax_gradient_cases.case.md": 11,      # the k = j case written for k != j
    "softmax_gradient_cases.sign.md": 13,      # a sign in the k != j case
    "softmax_gradient_cases.index.md": 17,     # p_k for p_j: the wrong index
    "softmax_gradient_cases.dropped.md": 22,   # the factor 1/p_k dropped
    "logistic_regression_gradient.sign.md": 13,     # + y_i for - y_i
    "logistic_regression_gradient.dropped.md": 13,  # the factor x_ij dropped
    "logistic_regression_gradient.index.md": 14,    # x_ji for x_ij
    "poisson_rate_estimate.sign.md": 9,             # a sign in the derivative
    "poisson_rate_estimate.mean.md": 13,            # over N - 1
    "gaussian_mean_estimate.sign.md": 10,           # x_i + mu
    "gaussian_mean_estimate.factor.md": 12,         # mu for N mu
    "gaussian_mean_estimate.mean.md": 14,           # twice the mean
    "bernoulli_probability_estimate.sign.md": 11,   # a sign in the derivative
    "bernoulli_probability_estimate.mean.md": 17,   # over N + 1
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_gradient_derivations_hold(name):
    report = verify_file(DATA / name, domains=GOOD[name])
    assert report.status == "holds", report.table()


@pytest.mark.parametrize("name", sorted(ESTIMATES))
def test_estimates_by_setting_the_derivative_to_zero_hold_after_the_condition(name):
    report = verify_file(DATA / name, domains=ESTIMATES[name])
    assert report.status == "unknown" and report.first_failure is None, report.table()
    rows = [r for r in report.steps if r.relation not in ("defines",)]
    assert [r.relation for r in rows][:2] == ["=", "equation"], report.table()
    assert all(r.verdict == "holds" for r in rows if r.relation != "equation"), report.table()
    assert rows[-1].relation == "solves"


def test_a_function_name_written_alone_is_the_function_at_its_arguments():
    text = md(r"L(\mathbf{w}) = \sum_{i=1}^{N}\left(\mathbf{w}^\top\mathbf{x}_i - y_i\right)^2",
              r"\frac{\partial L}{\partial w_j} = 2\sum_{i=1}^{N}\left(\mathbf{w}^\top\mathbf{x}_i - y_i\right)x_{ij}")
    report = verify_text(text, "md")
    assert report.status == "holds", report.table()
    report = verify_text(text.replace("= 2\\sum", "= \\sum"), "md")
    assert report.first_failure is not None and report.first_failure.line == 3, report.table()


def test_a_function_name_already_used_alone_is_not_read_as_the_call():
    text = md(r"L = 3", r"L(x) = x^2", r"\frac{d L}{d x} = 2x")
    assert verify_text(text, "md").status != "holds"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_gradient_derivations_fail_at_their_line(name):
    good = name.split(".")[0] + ".md"
    report = verify_file(DATA / "broken" / name, domains={**GOOD, **ESTIMATES}[good])
    assert report.first_failure is not None and report.first_failure.line == BROKEN[name], report.table()
    good_lines = (DATA / good).read_text().splitlines()
    bad_lines = (DATA / "broken" / name).read_text().splitlines()
    assert [i + 1 for i, (x, y) in enumerate(zip(good_lines, bad_lines)) if x != y] == [BROKEN[name]]


def md(*displays: str) -> str:
    return "\n\n".join(f"$${d}$$" for d in displays)


def test_a_case_in_words_restricts_the_step():
    text = md(r"p_k = \frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}}",
              r"\frac{\partial p_k}{\partial z_j} = p_j(1 - p_j) \quad \text{if } k = j")
    assert verify_text(text, "md").status == "holds"
    wrong = text.replace(r"\text{if } k = j", r"\text{if } k \neq j")
    report = verify_text(wrong, "md")
    assert report.first_failure is not None and report.first_failure.line == 3, report.table()


def test_a_case_naming_letters_the_step_does_not_use_is_unknown():
    text = md(r"\frac{\partial}{\partial x} x^2 = 2x, \quad k = j")
    report = verify_text(text, "md")
    assert report.status == "unknown", report.table()


def test_a_derivative_of_a_defined_name_is_unfolded_and_its_wrong_twin_fails():
    text = md(r"J = \frac{1}{2}\sum_{i=1}^{N}(w x_i - y_i)^2",
              r"\frac{\partial J}{\partial w} = \sum_{i=1}^{N}(w x_i - y_i) x_i")
    assert verify_text(text, "md").status == "holds"
    report = verify_text(text.replace(r"y_i) x_i", "y_i)"), "md")
    assert report.first_failure is not None and report.first_failure.line == 3, report.table()


def test_verify_and_check_agree_on_an_undefined_name():
    report = verify_text(md(r"\frac{\partial L}{\partial w} = 0"), "md")
    assert report.status != "holds", report.table()


def test_examples_of_this_module_are_listed():
    names = {p.name for p in DATA.glob("*.md")} | {p.name for p in (DATA / "broken").glob("*.md")}
    assert names == set(GOOD) | set(ESTIMATES) | set(BROKEN)
    json.dumps(BROKEN)  # plain data



@pytest.mark.parametrize("text, wrong", [
    (md(r"\log \prod_{i=1}^{n} e^{x_i^{4}} = \sum_{i=1}^{n} x_i^{4}"), ("x_i^{4}}", "x_i^{3}}")),
    (md(r"L = \prod_{i=1}^{n} e^{-x_i^{4} s}", r"\frac{d}{d s}\log L = -\sum_{i=1}^{n} x_i^{4}"),
     ("= -", "= ")),
])
def test_a_value_too_large_to_evaluate_is_not_a_point_without_one(text, wrong):
    # at far data e^{x^4} is beyond the evaluated range: that says nothing about where the
    # line is defined, so such points are set aside instead of failing the step
    report = verify_text(text, "md")
    assert report.status == "holds", report.table()
    report = verify_text(text.replace(*wrong), "md")
    assert report.status == "fails", report.table()
    assert "no value" not in report.first_failure.reason, report.table()


SOFTMAX_LOSS = (r"a_j = \frac{e^{z_j}}{\sum_k e^{z_k}}", r"L = -\sum_k y_k \log a_k")


def test_a_defined_row_and_the_sums_over_it_have_one_length():
    # a_j is defined from z_j, so a is as long as z: the sum of the loss over a and the sum of
    # the definition over z run over one range, and the term k = i of the loss survives
    text = md(*SOFTMAX_LOSS, r"\frac{\partial L}{\partial z_i} = -\sum_k y_k \frac{1}{a_k}\frac{\partial a_k}{\partial z_i}",
              r"= a_i \sum_k y_k - y_i")
    report = verify_text(text, "md")
    assert report.status == "holds", report.table()
    report = verify_text(text.replace(r"= a_i \sum_k y_k - y_i", r"= a_i \sum_k y_k + y_i"), "md")
    assert report.first_failure is not None and report.first_failure.line == 7, report.table()


def test_two_chains_summing_one_row_without_bounds_share_its_length():
    text = md(r"S = \sum_k y_k p_k", r"T = \sum_j y_j", r"S + T = \sum_k y_k (p_k + 1)")
    assert verify_text(text, "md").status == "holds", verify_text(text, "md").table()
    report = verify_text(text.replace(r"(p_k + 1)", r"(p_k + 2)"), "md")
    assert report.first_failure is not None and report.first_failure.line == 5, report.table()


SPLIT = r"-y_i + y_i a_i + \sum_{k \neq i} y_k a_i = a_i \sum_k y_k - y_i"


def test_a_chain_differentiating_by_an_entry_is_checked_with_its_index_in_the_row():
    # z_i is an entry of the row: i lies in its range, where the term k = i of the sum exists
    text = md(*SOFTMAX_LOSS, r"\frac{\partial L}{\partial z_i} = -y_i + y_i a_i + \sum_{k \neq i} y_k a_i",
              r"= a_i \sum_k y_k - y_i")
    report = verify_text(text, "md")
    assert report.status == "holds", report.table()
    assert "entry of the row of z" in report.steps[-1].reason
    report = verify_text(text.replace(r"= a_i \sum_k y_k - y_i", r"= a_i \sum_k y_k - 2 y_i"), "md")
    assert report.first_failure is not None and report.first_failure.line == 7, report.table()


def test_without_a_derivative_by_an_entry_a_free_index_may_lie_outside_the_row():
    # the same split with nothing saying i is in the row: at i outside it the sum keeps every term
    report = verify_text(md(SPLIT), "md")
    assert report.status == "fails", report.table()


def test_a_name_whose_definition_cannot_be_read_leaves_its_steps_unknown():
    # \sigma(\mathbf{z})_i = ... is refused by the reader: a later \sigma_i is not a free array
    step = r"\frac{\partial}{\partial z_j}\frac{e^{z_i}}{\sum_k e^{z_k}} = s_i(1_{i=j} - s_j)"
    unread = md(r"\sigma(\mathbf{z})_i = \frac{e^{z_i}}{\sum_k e^{z_k}}", step.replace("s_", r"\sigma_"))
    report = verify_text(unread, "md")
    assert report.status == "unknown", report.table()
    assert r"uses \sigma, whose definition cannot be read (line 1" in report.steps[-1].reason
    wrong = unread.replace(r"- \sigma_j", r"+ \sigma_j")
    assert verify_text(wrong, "md").status == "unknown"
    # read, the same definition makes the step hold and its wrong twin fail
    read = md(r"s_i = \frac{e^{z_i}}{\sum_k e^{z_k}}", step)
    assert verify_text(read, "md").status == "holds", verify_text(read, "md").table()
    report = verify_text(read.replace("- s_j", "+ s_j"), "md")
    assert report.first_failure is not None and report.first_failure.line == 3, report.table()


P_DEF = r"p_j = \frac{\exp(a_j)}{\sum_k^C \exp(a_k)}"
CASE_SPLIT = md(P_DEF,
                r"\frac{\partial p_j}{\partial a_i} = \frac{\partial}{\partial a_i} \frac{\exp(a_j)}{\sum_k^C \exp(a_k)}",
                r"= \frac{\partial}{\partial a_j} \frac{\exp(a_j)}{\sum_k^C \exp(a_k)} = p_j(1 - p_j)",
                r"= \frac{\partial}{\partial a_i} \frac{\exp(a_j)}{\sum_k^C \exp(a_k)} "
                r"= -\exp(a_j) \left(\sum_k^C \exp(a_k)\right)^{-2} \exp(a_i) = -p_j p_i")


def test_a_case_split_the_text_does_not_write_is_unknown_never_holds():
    # a_i becomes a_j: the i = j case, taken in words only; the next display goes back to a_i
    # for the case i != j. Each of those steps is false for some i, j as written: unknown
    report = verify_text(CASE_SPLIT, "md")
    assert report.status == "unknown", report.table()
    by_line = [(s.line, s.verdict.value) for s in report.steps]
    assert (5, "unknown") in by_line and (7, "unknown") in by_line and (7, "holds") in by_line, report.table()
    assert "takes the case i = j" in next(s.reason for s in report.steps if s.line == 5 and s.method == "case")
    assert sum("holds only where" in s.reason for s in report.steps) == 2, report.table()


def test_a_wrong_step_inside_an_unwritten_case_still_fails():
    wrong = CASE_SPLIT.replace(r"= -p_j p_i", r"= p_j p_i")
    report = verify_text(wrong, "md")
    assert report.first_failure is not None and report.first_failure.line == 7, report.table()


def test_a_derivative_true_only_for_distinct_indices_fails_without_a_split():
    # the delta forgotten: -p_j p_i is the derivative only where i != j, and nothing splits the cases
    report = verify_text(md(P_DEF, r"\frac{\partial p_j}{\partial a_i} = -p_j p_i"), "md")
    assert report.first_failure is not None and report.first_failure.line == 3, report.table()


def test_a_prime_of_a_function_the_file_defines_is_its_derivative():
    text = md(r"f(x) = x^2 + 3x", r"f'(x) = 2x + 3", r"f''(x) = 2")
    report = verify_text(text, "md")
    assert report.status == "holds", report.table()
    assert any("f'(x) is read as the derivative of f" in n for n in report.notes)
    for wrong, line in ((r"f'(x) = 2x + 2", 3), (r"f''(x) = 2x", 5)):
        right = wrong.replace("2x + 2", "2x + 3") if line == 3 else "f''(x) = 2"
        report = verify_text(text.replace(right, wrong), "md")
        assert report.first_failure is not None and report.first_failure.line == line, report.table()


def test_a_prime_of_a_function_the_file_does_not_define_is_never_decided():
    report = verify_text(md(r"g'(x) = 2x"), "md")
    assert report.status == "unknown", report.table()


def test_writing_one_index_for_another_outside_a_derivative_is_a_claim_not_a_case():
    report = verify_text(md(r"x_i = x_j"), "md")
    assert report.status == "fails", report.table()


CASES_BLOCK = md(r"g_i = e^{a_i}",
                 r"\frac{\partial}{\partial a_j}g_i = \begin{cases} e^{a_i} & \text{if } i = j \\ 0 & \text{otherwise} \end{cases}",
                 r"x = 1")


def test_a_cases_block_reads_as_each_value_times_its_case():
    report = verify_text(CASES_BLOCK, "md")
    assert [(s.line, s.verdict.value) for s in report.steps][:2] == [(1, "defines"), (3, "holds")], report.table()
    assert report.steps[-1].line == 5  # the lines after the block keep their numbers
    assert any("the cases are read as" in n for n in report.notes)
    # e^{a_j} where i = j is e^{a_i}: right, and it holds (it once failed at fractional positions)
    assert verify_text(CASES_BLOCK.replace(r"e^{a_i} & \text{if } i = j", r"e^{a_j} & \text{if } i = j"),
                       "md").status == "holds"
    for wrong in (r"e^{-a_j} & \text{if } i = j", r"e^{a_i} & \text{if } i \neq j"):
        bad = verify_text(CASES_BLOCK.replace(r"e^{a_i} & \text{if } i = j", wrong), "md")
        assert bad.first_failure is not None and bad.first_failure.line == 3, bad.table()


def test_a_cases_block_of_other_conditions_is_not_read():
    text = CASES_BLOCK.replace(r"\text{otherwise}", r"k = j")
    report = verify_text(text, "md")
    assert report.status == "unknown", report.table()


def test_a_prime_of_e_is_not_a_derivative_of_a_function():
    # e(p) = ... reads e as Euler's number: e'(p) is not read as its derivative
    report = verify_text(md(r"e(p) = t \log p", r"e'(p) = \frac{t}{p}"), "md")
    assert report.steps[-1].verdict.value == "unknown" and report.steps[-1].method == "unread", report.table()
