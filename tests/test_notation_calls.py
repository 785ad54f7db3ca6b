"""What `derive check` reads of calls and named distributions: each spelling with a wrong twin
that must come out not_equivalent, the domains a distribution gives its names, the notes, and
the refusals where a text has two readings."""
from __future__ import annotations

import pytest

from derive import check
from derive.parsing import ParseError, read_formulas
from derive.parsing.reader.distributions import DISTRIBUTIONS, WORDS

GAUSS = r"\frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)"

# (reading, its standard formula, wrong twin)
DISTRIBUTION_CASES = [
    (r"\mathcal{N}(x \mid \mu, \sigma^2)", GAUSS,
     r"\frac{1}{\sqrt{2\pi\sigma}} \exp\left(-\frac{(x-\mu)^2}{2\sigma}\right)"),
    (r"\mathcal{N}(x; \mu, \sigma^2)", r"\frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}",
     r"\frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{(x-\mu)^2}{\sigma^2}}"),
    (r"\mathcal N(x | \mu, \sigma^2)", GAUSS, r"\frac{1}{\sqrt{2\pi}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)"),
    # a variance named v (\sigma alone is refused: standard deviation or variance?)
    (r"\mathcal{N}(x; \mu, v)", r"\frac{1}{\sqrt{2\pi v}} \exp\left(-\frac{(x-\mu)^2}{2 v}\right)",
     r"\frac{1}{\sqrt{2\pi v}} \exp\left(-\frac{(x-\mu)^2}{2 v^2}\right)"),
    (r"\mathcal{N}(x; 0, 1)", r"\frac{1}{\sqrt{2\pi}} e^{-x^2/2}", r"\frac{1}{\sqrt{2\pi}} e^{-x^2}"),
    (r"\mathrm{Bern}(y \mid p)", r"p^y (1-p)^{1-y}", r"p^{1-y} (1-p)^{y}"),
    (r"\text{Bernoulli}(y; p)", r"y p + (1-y)(1-p)", r"y (1-p) + (1-y) p"),
    (r"\operatorname{Ber}(y \mid \sigma(z))", r"\sigma(z)^y (1-\sigma(z))^{1-y}", r"\sigma(z)^{1-y} (1-\sigma(z))^{y}"),
    (r"\log \mathrm{Bern}(y \mid p)", r"y \log p + (1-y) \log(1-p)", r"y \log(1-p) + (1-y) \log p"),
    (r"\mathrm{Cat}(y \mid \boldsymbol\pi)", r"\prod_k \pi_k^{[y=k]}", r"\prod_k \pi_k^{[y \neq k]}"),
    (r"\text{Categorical}(y \mid \pi)", r"\pi_y", r"1 - \pi_y"),
    (r"\mathrm{Poisson}(k; \lambda)", r"\frac{\lambda^k e^{-\lambda}}{k!}", r"\frac{\lambda^k e^{\lambda}}{k!}"),
    (r"\operatorname{Pois}(k \mid \lambda)", r"\frac{\lambda^k \exp(-\lambda)}{k!}", r"\frac{k^\lambda e^{-\lambda}}{k!}"),
    (r"\mathrm{Poiss}(k; \lambda)", r"\exp(k \log\lambda - \lambda - \log k!)", r"\exp(k \log\lambda - \lambda)"),
    (r"\mathrm{Laplace}(x \mid \mu, b)", r"\frac{1}{2b} \exp\left(-\frac{|x-\mu|}{b}\right)",
     r"\frac{1}{2b} \exp\left(-\frac{x-\mu}{b}\right)"),
    (r"\mathrm{Exp}(x; \lambda)", r"\lambda e^{-\lambda x}", r"\lambda e^{-x/\lambda}"),
    (r"\text{Exponential}(x \mid \lambda)", r"\lambda \exp(-\lambda x)", r"\exp(-\lambda x)"),
    (r"\mathrm{Beta}(x; 2, 3)", r"12 x (1-x)^2", r"6 x (1-x)^2"),
    (r"\mathrm{Beta}(x; \alpha, 1)", r"\alpha x^{\alpha - 1}", r"\alpha x^{\alpha}"),
    (r"\mathrm{Binomial}(k \mid n, p)", r"\binom{n}{k} p^k (1-p)^{n-k}", r"\binom{n}{k} p^{n-k} (1-p)^{k}"),
    (r"\mathrm{Bern}(1 \mid p)", "p", "1 - p"),
    (r"\mathcal{N}(y - c \mid 0, 1)", r"\mathcal{N}(y \mid c, 1)", r"\mathcal{N}(y \mid -c, 1)"),
    (r"\mathrm{Bin}(k; 4, p)", r"\binom{4}{k} p^k (1-p)^{4-k}", r"\binom{4}{k} p^k (1-p)^{k}"),
]


@pytest.mark.parametrize("a,b,wrong", DISTRIBUTION_CASES, ids=[c[0] for c in DISTRIBUTION_CASES])
def test_distribution_reading_and_its_wrong_twin(a, b, wrong):
    right = check(a, b)
    assert right.verdict == "equivalent", right.text()
    twin = check(a, wrong)
    assert twin.verdict == "not_equivalent", twin.text()
    assert twin.counterexample is not None


def test_every_distribution_in_the_registry_has_a_spelling_and_a_case():
    spelled = set(WORDS.values()) | {"normal"}
    assert spelled == set(DISTRIBUTIONS)
    tested = " ".join(c[0] for c in DISTRIBUTION_CASES)
    for word, name in WORDS.items():
        if name in ("normal",):
            continue
        assert any(w in tested for w, n in WORDS.items() if n == name), name


@pytest.mark.parametrize("text,name,kind", [
    (r"\mathcal{N}(x \mid \mu, \sigma^2)", r"\sigma", "positive"),
    (r"\mathrm{Bern}(y \mid p)", "p", "prob"),
    (r"\mathrm{Bern}(y \mid p)", "y", "binary"),
    (r"\mathrm{Poisson}(k; \lambda)", "k", "natural"),
    (r"\mathrm{Laplace}(x; \mu, b)", "b", "positive"),
    (r"\mathrm{Exp}(x; \lambda)", "x", "positive"),
])
def test_a_distribution_takes_its_names_in_their_domains_with_a_note(text, name, kind):
    parsed = read_formulas([text])
    assert parsed.table.domains[name].name == kind
    assert any(f"{name} is " in n and f"domain {kind}" in n and "random points" in n for n in parsed.notes)


def test_the_domain_matters_a_real_sigma_would_differ():
    # 1/sigma equals 1/sqrt(sigma^2) only for sigma > 0: the domain taken is what makes it hold
    assert check(r"\mathcal{N}(x; \mu, \sigma^2)", GAUSS.replace(r"\sqrt{2\pi\sigma^2}", r"\sigma\sqrt{2\pi}")).verdict \
        == "equivalent"
    declared = check(r"\mathcal{N}(x; \mu, \sigma^2)", GAUSS.replace(r"\sqrt{2\pi\sigma^2}", r"\sigma\sqrt{2\pi}"),
                     {r"\sigma": "real"})
    assert declared.verdict == "not_equivalent"
    assert any("declared domain real is kept" in n for n in declared.notes)


def test_a_declared_binary_outcome_and_bernoulli_agree_on_the_linear_form():
    assert check(r"\mathrm{Bern}(y \mid p)", r"y p + (1 - y)(1 - p)").verdict == "equivalent"
    # taken as real, y = 1/2 tells the two apart
    assert check(r"\mathrm{Bern}(y \mid p)", r"y p + (1 - y)(1 - p)", {"y": "real"}).verdict == "not_equivalent"


def test_two_distributions_asking_two_domains_of_one_name_are_refused():
    with pytest.raises(ParseError, match="cannot be both"):
        read_formulas([r"\mathrm{Bern}(y \mid p) + \mathrm{Poisson}(p; \lambda)"])


@pytest.mark.parametrize("text,says", [
    (r"\mathrm{Bern}(p)", "names the distribution, not a number"),
    (r"\mathcal{N}(\mu, \sigma^2)", "names the distribution"),
    (r"\mathcal{N}(x, \mu, \sigma^2)", "which argument is the value"),
    (r"\mathcal{N}(x \mid \mu)", "takes 2 parameters"),
    (r"\mathcal{N}(|x| \mid \mu, 1)", "more than one bar"),
    (r"\mathrm{Beta}(a, b)", "names the distribution"),
    (r"\mathrm{Exp}(x)", r"\exp(x)"),
    (r"\mathrm{Bern}(2 \mid p)", "number in its support"),
    (r"\mathrm{Exp}(y - c; \lambda)", "must be a name or a number"),
    (r"\mathrm{Bern}(y \mid 1.5)", "outside its domain"),
    (r"\mathcal{N}(x \mid 0, -1)", "outside its domain"),
])
def test_a_distribution_with_two_readings_is_refused(text, says):
    with pytest.raises(ParseError) as info:
        read_formulas([text])
    assert says in str(info.value)


def test_the_reading_is_said_in_a_note():
    notes = " ".join(read_formulas([r"\mathcal{N}(x \mid \mu, \sigma^2)"]).notes)
    assert "density" in notes and r"\sigma^2" in notes


# -- calls ----------------------------------------------------------------------------------------
def test_an_event_is_one_probability_equal_to_itself():
    a = r"\log p(y=1 \mid x) + \log p(y=0 \mid x)"
    assert check(a, r"\log\left(p(y = 1 | x)\, p(y=0|x)\right)").verdict == "equivalent"
    assert check(a, r"\log\left(p(y = 1 | x)\, p(y=0|x)\right) + 1").verdict == "not_equivalent"
    assert any("unknown probability" in n for n in read_formulas([a]).notes)


def test_nothing_is_assumed_of_an_event_beyond_itself():
    # p(y=1|x) = 1 - p(y=0|x) needs the law of total probability, which is not assumed
    assert check(r"p(y=1 \mid x)", r"1 - p(y=0 \mid x)").verdict == "unknown"


def test_a_call_at_an_element_is_that_function_there():
    assert check(r"\lambda(f_i) + 1", r"1 + \lambda(f_i)").verdict == "equivalent"
    assert check(r"\lambda(f_i) + 1", r"2 + \lambda(f_i)").verdict == "not_equivalent"
    # at another element it is another value: never equivalent on points alone
    assert check(r"\lambda(f_i)", r"\lambda(f_j)").verdict == "unknown"
    assert check(r"\sum_{i=1}^{N} \log p(x_i)", r"\sum_{i=1}^{N} \log p(x_i) + 1").verdict == "not_equivalent"
    assert any("the function p at x_i" in n for n in read_formulas([r"p(x_i)"]).notes)


def test_a_name_called_and_used_as_a_variable_is_refused():
    with pytest.raises(ParseError, match="called as a function"):
        read_formulas([r"p(x_i) + p"])


#: Each distribution at standard arguments, and its formula written out.
AT_STANDARD = {
    "normal": (r"x \mid \mu, \sigma^2", GAUSS),
    "bernoulli": (r"y \mid p", r"p^y (1-p)^{1-y}"),
    "categorical": (r"y \mid \pi", r"\pi_y"),
    "poisson": (r"k \mid \lambda", r"\frac{\lambda^k e^{-\lambda}}{k!}"),
    "laplace": (r"x \mid \mu, b", r"\frac{1}{2b} e^{-|x-\mu|/b}"),
    "exponential": (r"x \mid \lambda", r"\lambda e^{-\lambda x}"),
    "beta": (r"x \mid 2, 3", r"12 x (1-x)^2"),
    "binomial": (r"k \mid n, p", r"\binom{n}{k} p^k (1-p)^{n-k}"),
}


@pytest.mark.parametrize("command", [r"\mathrm", r"\operatorname", r"\text"])
@pytest.mark.parametrize("word", sorted(WORDS))
def test_every_spelling_reads_its_formula(word, command):
    args, formula = AT_STANDARD[WORDS[word]]
    text = f"{command}{{{word}}}({args})"
    assert check(text, formula).verdict == "equivalent"
    assert check(text, f"2 \\cdot {formula}").verdict == "not_equivalent"
