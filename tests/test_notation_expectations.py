"""What `derive check` reads of expectations: the sum over a discrete support with the pmf as
weights, each spelling with a wrong twin that must come out not_equivalent; a density or an
infinite support is refused with its reason."""
from __future__ import annotations

import pytest

from derive import check
from derive.parsing import ParseError, read_formulas

BCE = r"-p \log q - (1-p) \log(1-q)"

# (expectation, what it sums to, wrong twin)
CASES = [
    (r"\mathbb{E}_{k \sim p}[f(k)]", r"\sum_k p_k f_k", r"\sum_k f_k"),
    (r"\mathbb{E}_{x \sim p}\left[\log q(x)\right]", r"\sum_x p(x) \log q(x)", r"\sum_x q(x) \log p(x)"),
    (r"-\mathbb{E}_{x \sim p(x)}[\log q(x)]", r"-\sum_x p_x \log q_x", r"\sum_x p_x \log q_x"),
    (r"E_{x \sim p}[\log p(x)]", r"\sum_x p_x \log p_x", r"\sum_x \log p_x"),
    (r"\mathbb{E}_{y \sim \mathrm{Bern}(p)}[y]", "p", "1 - p"),
    (r"\mathbb{E}_{y \sim \mathrm{Bern}(p)}\left[-\log \mathrm{Bern}(y \mid q)\right]", BCE,
     r"-p \log(1-q) - (1-p) \log q"),
    (r"\mathbb{E}_{y \sim \text{Bernoulli}(p)}[(y - p)^2]", "p (1-p)", "p^2"),
    (r"\mathbb{E}_{k \sim \mathrm{Binomial}(3, p)}[k]", "3 p", "3 (1 - p)"),
    (r"\mathbb{E}_{k \sim \mathrm{Bin}(n, p)}[1]", "1", "n"),
    (r"\mathbb{E}_{k \sim \mathrm{Cat}(\boldsymbol\pi)}[f(k)]", r"\sum_k \pi_k f_k", r"\sum_k \pi_k"),
    (r"\mathrm{E}_{k \sim p}\left(g_k\right)", r"\sum_j p_j g_j", r"\sum_j p_j g_1"),
]


@pytest.mark.parametrize("a,b,wrong", CASES, ids=[c[0] for c in CASES])
def test_expectation_and_its_wrong_twin(a, b, wrong):
    right = check(a, b)
    assert right.verdict == "equivalent", right.text()
    twin = check(a, wrong)
    assert twin.verdict == "not_equivalent", twin.text()
    assert twin.counterexample is not None


@pytest.mark.parametrize("text,says", [
    (r"\mathbb{E}_{x \sim p}[f(x)]", "discrete distribution"),
    (r"\mathbb{E}_{y \sim \mathrm{Bern}(p)}[y]", "sum over y = 0..1"),
])
def test_the_reading_is_said_in_a_note(text, says):
    assert says in " ".join(read_formulas([text]).notes)


@pytest.mark.parametrize("text,says", [
    (r"\mathbb{E}_{x \sim \mathcal{N}(\mu, \sigma^2)}[x]", "a density, is an integral"),
    (r"\mathbb{E}_{x \sim \mathrm{Exp}(\lambda)}[x]", "a density, is an integral"),
    (r"\mathbb{E}_{k \sim \mathrm{Poisson}(\lambda)}[k]", "infinitely many values"),
    (r"\mathbb{E}[x]", "variable and distribution below the E"),
    (r"\mathbb{E}_{p}[x]", "which variable follows which distribution"),
    (r"\mathbb{E}_{x \sim p} x", "in brackets"),
    (r"\mathbb{E}_{x \sim p(x \mid \theta)}[x]", "a conditional or another argument is not read"),
    (r"\mathbb{E}_{x \sim p}[x^2]", "used as a number"),
    (r"\mathbb{E}_{k \sim \mathrm{Cat}(\pi)}[k]", "used as a number"),
])
def test_refused_with_its_reason(text, says):
    with pytest.raises(ParseError) as info:
        read_formulas([text])
    assert says in str(info.value)


@pytest.mark.parametrize("a,b", [("E", r"\mathrm{E}"), (r"\mathrm{E}_1 + 1", r"1 + \mathrm{E}_1"),
                                 (r"E_k x", r"x E_k")])
def test_an_e_without_a_distribution_below_it_stays_a_name(a, b):
    assert check(a, b).verdict == "equivalent"
