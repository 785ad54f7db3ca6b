"""Integrals of densities written out, over the real line, in closed form: each with a wrong
twin that must come out not_equivalent; anything else refused with a message."""
from __future__ import annotations

import pytest

from derive import check
from derive.parsing import ParseError, read_formulas

GAUSS = r"\frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(x-\mu)^2}{2\sigma^2}}"
STANDARD = r"\frac{1}{\sqrt{2\pi}} e^{-\frac{x^2}{2}}"
VAE_KL = rf"\int_{{-\infty}}^{{\infty}} {GAUSS} \log\frac{{{GAUSS}}}{{{STANDARD}}} \, dx"

# (integral, closed form, wrong twin)
INTEGRALS = [
    # the VAE's KL(N(mu, sigma^2) || N(0, 1)); the twin drops the 1/2
    (VAE_KL, r"\frac{1}{2}\left(\mu^2 + \sigma^2 - 1 - \log\sigma^2\right)", r"\mu^2 + \sigma^2 - 1 - \log\sigma^2"),
    # a density integrates to 1; its mean and second moment
    (rf"\int {GAUSS} dx", "1", "2"),
    (rf"\int_{{-\infty}}^{{+\infty}} x {GAUSS} \, \mathrm{{d}}x", r"\mu", r"\sigma"),
    (rf"\int_{{\mathbb{{R}}}} x^2 {GAUSS} \, dx", r"\mu^2 + \sigma^2", r"\sigma^2"),
    # the entropy of a Gaussian
    (rf"-\int_{{-\infty}}^{{\infty}} {GAUSS} \log\left({GAUSS}\right) dx", r"\frac{1}{2}\log(2\pi e\sigma^2)",
     r"\log(2\pi e\sigma^2)"),
    (r"\int_{-\infty}^{\infty} e^{-\frac{x^2}{2}} dx", r"\sqrt{2\pi}", r"\sqrt{\pi}"),
]


@pytest.mark.parametrize("a,b,wrong", INTEGRALS, ids=[c[1] for c in INTEGRALS])
def test_integral_and_its_wrong_twin(a, b, wrong):
    right = check(a, b)
    assert right.verdict == "equivalent", right.text()
    twin = check(a, wrong)
    assert twin.verdict == "not_equivalent", twin.text()
    assert twin.counterexample is not None


def test_the_vae_kl_is_proved():
    v = check(VAE_KL, r"\frac{1}{2}\left(\mu^2 + \sigma^2 - 1 - \log\sigma^2\right)")
    assert v.verdict == "equivalent" and v.method == "symbolic", v.text()


def test_kl_of_two_gaussians():
    other = r"\frac{1}{\sqrt{2\pi s^2}} e^{-\frac{(x-m)^2}{2 s^2}}"
    kl = rf"\int {GAUSS} \log\frac{{{GAUSS}}}{{{other}}} dx"
    closed = r"\log\frac{s}{\sigma} + \frac{\sigma^2 + (\mu - m)^2}{2 s^2} - \frac{1}{2}"
    domains = {r"\sigma": "positive", "s": "positive"}
    assert check(kl, closed, domains).verdict == "equivalent"
    assert check(kl, closed + r" + \frac{1}{2}", domains).verdict == "not_equivalent"


def test_a_width_that_may_be_negative_must_be_declared():
    with pytest.raises(ParseError, match="declare its symbols positive"):
        read_formulas([r"\int_{-\infty}^{\infty} e^{-a x^2} dx"])
    v = check(r"\int_{-\infty}^{\infty} e^{-a x^2} dx", r"\sqrt{\frac{\pi}{a}}", {"a": "positive"})
    assert v.verdict == "equivalent", v.text()


def test_an_integral_without_bounds_says_it_runs_over_the_real_line():
    assert any("whole real line" in n for n in read_formulas([rf"\int {GAUSS} dx"]).notes)


@pytest.mark.parametrize("text,says", [
    (r"\int_0^1 x dx", r"write \int_{-\infty}^{\infty}"),
    (r"\int x dx", "Gaussian density written out"),
    (r"\int p(x) \log\frac{p(x)}{q(x)} dx", "written out"),
    (r"\int_{-\infty}^{\infty} e^{x^2} dx", "not negative"),
    (r"\int e^{-x^2 + \sin x} dx", "Gaussian density"),
    (r"\int_{-\infty}^{\infty} \frac{1}{1+x^2} e^{-x^2} dx", "Gaussian density"),
    (r"\int_{-\infty}^{\infty} e^{x^3} e^{-x^2} dx", "Gaussian density"),
    (r"\int_{-\infty}^{\infty} x^{-1} e^{-x^2} dx", "Gaussian density"),
    (r"\int e^{-x^2}", "no differential"),
])
def test_refused_with_a_message(text, says):
    with pytest.raises(ParseError) as info:
        read_formulas([text])
    assert says in str(info.value)


STANDARD_NORMAL = r"\frac{1}{\sqrt{2\pi}} e^{-\frac{x^2}{2}}"


@pytest.mark.parametrize("a,b,wrong", [
    (rf"\int_{{-\infty}}^{{\infty}} \frac{{1}}{{1+e^{{-x}}}} {STANDARD_NORMAL} dx", r"\frac{1}{2}", r"\frac{1}{3}"),
    (rf"\int_{{-\infty}}^{{\infty}} |x| {STANDARD_NORMAL} dx", r"\sqrt{\frac{2}{\pi}}", r"\frac{2}{\pi}"),
], ids=["sigmoid", "abs"])
def test_no_closed_form_is_quadrature_and_never_proved(a, b, wrong):
    right = check(a, b)
    assert right.verdict == "equivalent" and right.method == "numeric" and not right.proved, right.text()
    twin = check(a, wrong)
    assert twin.verdict == "not_equivalent", twin.text()


def test_quadrature_keeps_the_sign_of_a_width():
    """The mean absolute deviation is |sigma| sqrt(2/pi): with sigma of either sign, sigma sqrt(2/pi) fails."""
    a = r"\int |x - \mu| \frac{1}{\sqrt{2\pi\sigma^2}} e^{-\frac{(x-\mu)^2}{2\sigma^2}} dx"
    assert check(a, r"\sigma\sqrt{\frac{2}{\pi}}").verdict == "not_equivalent"


def test_the_variable_of_an_integral_takes_no_domain():
    """With x declared positive, sympy would read |x| as x before the integral: refused."""
    with pytest.raises(ParseError, match="no other domain"):
        read_formulas([rf"\int |x| {STANDARD_NORMAL} dx"], {"x": "positive"})



DATA = __import__("pathlib").Path(__file__).parent / "data" / "integrals"


def test_verify_holds_on_the_vae_kl_and_names_the_missing_half_in_its_broken_copy():
    from derive.verify import verify_file
    report = verify_file(DATA / "vae_kl.md")
    assert report.status == "holds", [(s.line, s.verdict.value, s.reason) for s in report.steps]
    broken = verify_file(DATA / "vae_kl.broken.md")
    assert broken.status == "fails" and broken.first_failure.line == 6
    assert broken.first_failure.suggestion is not None and "1/2" in broken.first_failure.suggestion.text
