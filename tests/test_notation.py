"""What `derive check` reads, by notation family: each reading with a wrong twin that must
come out not_equivalent, the notes that say which reading was taken, and refusals."""
from __future__ import annotations

import pytest

from derive import check
from derive.parsing import ParseError, read_formulas


def verdict(a: str, b: str, domains: dict | None = None):
    return check(a, b, domains)


def notes(*texts: str) -> str:
    return " ".join(read_formulas(list(texts)).notes)


# (reading, equal form, wrong twin)
FUNCTIONS = [
    (r"\sin^2 x + \cos^2 x", "1", r"\sin^2 x + \cos x"),
    (r"\tanh^2 z", r"(\tanh z)^2", r"\tanh(z^2)"),
    (r"\sin^{-1} a", r"\arcsin a", r"\frac{1}{\sin a}"),
    (r"\sinh^{-1} a", r"\operatorname{arsinh}(a)", r"\operatorname{asin}(a)"),
    (r"\operatorname{asinh}(a)", r"\operatorname{arcsinh}(a)", r"\operatorname{acosh}(a)"),
    (r"\arctan x", r"\operatorname{atan}(x)", r"\tan x"),
    (r"\tan^2(y)+1", r"\sec^2(y)", r"\sec(y)"),
    (r"2 \sin b \cos a", r"2 \cos a \sin b", r"2 \sin(b \cos a)"),
    (r"\exp(x)", "e^x", "e^{-x}"),
    (r"\sqrt[3]{8}", "2", "3"),
    (r"\binom{5}{2}", "10", "20"),
    (r"{5 \choose 2}", r"\binom{5}{2}", r"\binom{5}{3} + 1"),
    (r"\lfloor 2.5 \rfloor", "2", "3"),
    (r"\lceil 2.5 \rceil", "3", "2"),
    (r"\floor{x} + 1", r"\operatorname{floor}(x) + 1", r"\ceil{x}"),
    (r"\gcd(18, 12)", "6", "3"),
    (r"\operatorname{lcm}(4, 6)", r"\lcm(6, 4)", "24"),
    (r"\gcd(2.4, 3.6)", r"\frac{6}{5}", r"\frac{6}{7}"),
    (r"128 \mod 3", "2", "1"),
    (r"\max(a, b)", r"\max\{b, a\}", r"\min(a, b)"),
    (r"\operatorname{sigmoid}(z)", r"\frac{1}{1+e^{-z}}", r"\frac{1}{1+e^{z}}"),
    (r"\operatorname{softplus}(z)", r"\log(1+e^{z})", r"\log(1+e^{-z})"),
    (r"\operatorname{LSE}(a, b)", r"\log(e^a + e^b)", r"\log(e^a + e^{-b})"),
    (r"\operatorname{ReLU}(z)", r"\max(0, z)", r"\max(1, z)"),
    (r"\operatorname{erf}(x)", r"\mathrm{erf}(x)", r"\operatorname{erf}(2x)"),
    (r"\operatorname{sign}(x) |x|", "x", "|x|"),
    (r"\operatorname{foo}(x) + 1", r"1 + \operatorname{foo}(x)", r"\operatorname{foo}(x) + 2"),
]

DELIMITERS_AND_NUMBERS = [
    # TeX sets x^\frac{a}{b} with the whole fraction as the exponent
    (r"e^\frac{a}{b} c", r"c e^{a/b}", r"c e^{a}/b"),
    # a bare \sum whose body uses one index: the sum over that index (with a note)
    (r"\frac{e^{x_i}}{\sum e^{x_k}}", r"\frac{e^{x_i}}{\sum_k e^{x_k}}", r"\frac{e^{x_i}}{\sum_k e^{2 x_k}}"),
    (r"\vert x \vert", "|x|", "x"),
    (r"\lvert x - 1 \rvert", r"|1 - x|", "x - 1"),
    (r"\mleft( x + 1 \mright)^2", "(x+1)^2", "x^2 + 1"),
    (r"\bigl(x + 1\bigr) \Bigl[y\Bigr]", r"(x + 1) y", "x + y"),
    (r"\lbrace x \rbrace + \lbrack y \rbrack + \lgroup z \rgroup", "x + y + z", "x y z"),
    (r"\dfrac{1}{2} + \tfrac{1}{3} + \cfrac{1}{6}", "1", r"\frac{1}{2}"),
    (r"x \! + ~ y", "x + y", "x - y"),
    (r"\boxed{x + 1}", "1 + x", "x"),
    ("2.5E2", "250", "2.5"),
    ("1e-3", r"\frac{1}{1000}", "1"),
    (r"1\frac12", r"\frac{3}{2}", r"\frac{1}{2}"),
    (r"1\frac{1}{2}", "1.5", "0.5"),
    (r"\\frac{1}{2} + \\frac{1}{72}", r"\frac{37}{72}", r"\frac{2}{3}"),
    ("185\\", "185", "186"),
]

NAMES = [
    (r"\mathrm{CE}", r"\text{CE}", r"\mathrm{NLL}"),
    (r"\operatorname{KL} + \text{NLL}", r"\mathrm{NLL} + \mathrm{KL}", r"\mathrm{KL}"),
    (r"\mathcal{L}_{\text{CE}}", r"\mathcal{L}_{\mathrm{CE}}", r"\mathcal{L}_{\text{NLL}}"),
    (r"\text{Cross-entropy}", r"\mathrm{Cross-entropy}", r"\mathrm{Cross}"),
    ("q' + q", "q + q'", "2q"),
    (r"\theta' \theta", r"\theta \theta'", r"\theta^2"),
    ("a''", "a''", "a'"),
    ("log x", r"\log x", "l o g x"),
    ("ln(x) + exp(y)", r"\ln x + e^y", "l n x + e x p y"),
    ("w_0 + w x", "x w + w_0", "w_0 + w_1 x"),
    (r"\theta_0 + \theta x", r"\theta x + \theta_0", r"\theta_0 + \theta_1 x"),
    ("β − x", r"\beta - x", r"\beta + x"),
    ("2 × 3 · x", r"6 x", "5 x"),
]


@pytest.mark.parametrize("a,b,wrong", FUNCTIONS + DELIMITERS_AND_NUMBERS + NAMES,
                         ids=[c[0] for c in FUNCTIONS + DELIMITERS_AND_NUMBERS + NAMES])
def test_reading_and_its_wrong_twin(a, b, wrong):
    right = verdict(a, b)
    assert right.verdict == "equivalent", right.text()
    twin = verdict(a, wrong)
    assert twin.verdict == "not_equivalent", twin.text()
    assert twin.counterexample is not None


@pytest.mark.parametrize("text,says", [
    (r"\sin^{-1} a", "inverse function"),
    (r"\operatorname{foo}(x)", "unknown function"),
    (r"1\frac{1}{2}", "mixed number"),
    (r"1\frac12", "mixed number"),
    ("2.5E2", "scientific notation"),
    ("CE", "product of the letters"),
    ("log x", "without a backslash"),
    ("w_0 + w x", "two names"),
    (r"\ulcorner 1.1 \urcorner", "ceiling"),
    (r"a \mod b", "remainder"),
    (r"\\frac{1}{2}", "doubled backslash"),
    (r"e^\frac{a}{b}", "the whole fraction as the exponent"),
    (r"\sum x_k y_k", "read as \\sum_k"),
])
def test_a_reading_with_two_meanings_says_which_it_took(text, says):
    assert says in notes(text)


def test_notes_reach_the_verdict():
    assert any("mixed number" in n for n in verdict(r"1\frac12", "1.5").notes)


@pytest.mark.parametrize("text,says", [
    (r"\sum x_i y_k", "needs an index below it"),
    (r"\sum p(x) h(x)", "needs an index below it"),
    (r"\sum_i x_i + \sum e^{x_i}", "needs an index below it"),
    (r"\sum x_{i+1}", "needs an index below it"),
    ("f'(x)", "derivative"),
    (r"\max_k z_k", "range"),
    (r"\imaginaryunit", "imaginary unit"),
    (r"\text{ for } x", "text"),
    ("argmax x", "arg max"),
    (r"x \pmod{3}", "congruence"),
    (r"\operatorname{softmax}(a, b)", "one vector"),
    (r"\gcd(\pi, 2)", "not rational"),
])
def test_refused_with_a_message(text, says):
    with pytest.raises(ParseError) as info:
        read_formulas([text])
    assert says in str(info.value)


@pytest.mark.parametrize("a,b", [
    (r"\lfloor 2x \rfloor", r"\lfloor x \rfloor + \lfloor x + \frac{1}{2} \rfloor"),
    (r"\operatorname{foo}(2 x)", r"\operatorname{foo}(x) \cdot 0 + \operatorname{foo}(x + x) + \sin(0)"),
])
def test_jumps_and_unknown_functions_are_never_equivalent_on_points_alone(a, b):
    v = verdict(a, b)
    assert v.verdict in ("unknown", "equivalent")
    if v.verdict == "equivalent":
        assert v.method == "symbolic"
    if v.verdict == "unknown":
        assert "only a proof" in v.reason


def test_floor_differs_from_ceiling_at_integers():
    v = verdict(r"\lfloor x \rfloor + 1", r"\lceil x \rceil")
    assert v.verdict == "not_equivalent", v.text()


@pytest.mark.parametrize("a,b", [("x_1e2", "2 e x_1"), ("x^2e3", "3 e x^2"), (r"\frac1e 2", r"\frac{2}{e}")])
def test_a_script_takes_one_digit_even_before_an_e(a, b):
    assert verdict(a, b).verdict == "equivalent"
    assert verdict(a, b + " + 1").verdict == "not_equivalent"


def test_a_difference_that_depends_on_an_unknown_function_decides_nothing():
    v = verdict(r"\operatorname{foo}(x)", r"\operatorname{foo}(y)")
    assert v.verdict == "unknown" and "does not know" in v.reason


@pytest.mark.parametrize("a,b", [
    ("w_0 + w", r"\sum_k w_k"),   # a plain name beside rows summed over: still an error
    ("x_{x^2}", "x"),
])
def test_plain_and_summed_elements_stay_an_error(a, b):
    with pytest.raises(ParseError, match="used as"):
        read_formulas([a, b])


def test_function_of_a_braced_binomial():
    """``\\log{n \\choose k}``: the braces hold a binomial, not a bracketed sum."""
    from derive import check
    assert check(r"\log{n \choose k}", r"\log\binom{n}{k}").answer.value == "equivalent"
    assert check(r"\log{n \choose k}", r"\log\binom{n}{k+1}").answer.value == "not_equivalent"
