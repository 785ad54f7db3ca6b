"""Closed-form maximum-likelihood estimates: the gradient of the mean negative
log-likelihood in one shared parameter, set to zero and solved (``solves`` steps).

Poisson rate and Bernoulli probability: the sample mean; Gaussian mean: the sample
mean; Gaussian variance (known mean): the mean squared deviation.
"""
from __future__ import annotations

import sympy as sp

from ..core import rules_models  # noqa: F401  (registers the model rules)
from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Builder, Derivation
from ..core.domains import Domain
from . import entry
from .regression import I_SPEC, N_SPEC, iid

LIKELIHOOD = SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"),
                        template=r"P(\mathbf{y} \mid \theta)", description="likelihood of the sample")
SAMPLE_LIKELIHOOD = SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                               template=r"P(y_{@0} \mid \theta)", description="likelihood of observation $i$")
DENSITY = SymbolSpec("L", "L", Role.DEFINED, Domain.parse("positive"), template=r"p(\mathbf{y} \mid \theta)",
                     description="likelihood (density) of the sample")
SAMPLE_DENSITY = SymbolSpec("P", "P", Role.DEFINED, Domain.parse("positive"), ("i",),
                            template=r"p(y_{@0} \mid \theta)", description="likelihood (density) of observation $i$")


def _estimate(name: str, title: str, summary: str, symbols: tuple, pmf, pmf_name: str, pmf_statement: str,
              variable: str, steps: tuple[str, ...], normaliser=None, mean: bool = True) -> Derivation:
    """Likelihood -> mean negative log-likelihood -> its gradient in ``variable`` -> the root.
    ``normaliser(ctx)``: the value of a density's normalising constant ``Z``, when it has one;
    ``mean=False`` differentiates the sum (the same root, a shorter line)."""
    ctx = Context(symbols=(N_SPEC, I_SPEC, *symbols))
    i = ctx["i"]
    extra = () if normaliser is None else (
        Definition("normaliser", "Z", (), normaliser(ctx), "quantity", "the normalising constant of the density"),)
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition(pmf_name, "P", ("i",), pmf(ctx, i), "model", pmf_statement),
        *extra,
    ))
    b = Builder(name, title, ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}", summary=summary, sources=())
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition=pmf_name)
    for rule in steps:
        b.apply(rule)
    if mean:
        b.apply("normalise", size="N")
    b.apply("differentiate", variable=variable)
    b.apply("solve", variable=variable)
    return b.build()


@entry("poisson-rate-estimate")
def poisson_rate() -> Derivation:
    return _estimate(
        "poisson-rate-estimate", "The maximum-likelihood Poisson rate is the sample mean",
        r"$N$ i.i.d. counts $y_i$ from one Poisson rate $\lambda > 0$: the mean negative log-likelihood is "
        r"$\lambda - \frac{1}{N} \sum_i y_i \log \lambda$ plus a term free of $\lambda$; its derivative "
        r"$1 - \frac{1}{N \lambda} \sum_i y_i$ is zero only at $\hat\lambda = \frac{1}{N} \sum_i y_i$.",
        (SymbolSpec("y", "y", Role.DATA, Domain.parse("natural"), ("i",), description="count $i$"),
         SymbolSpec("lam", r"\lambda", Role.PREDICTION, Domain.parse("positive"),
                    description="the rate, shared by every count"),
         LIKELIHOOD, SAMPLE_LIKELIHOOD),
        lambda ctx, i: ctx["lam"] ** ctx["y"][i] * sp.exp(-ctx["lam"]) / sp.factorial(ctx["y"][i]),
        "poisson-pmf", "Poisson distribution with rate $\\lambda$", "lam",
        ("take-log", "log-of-product", "log-of-mul", "log-of-power", "negate", "sign-into-sum", "split-sum",
         "drop-constant"))


@entry("bernoulli-probability-estimate")
def bernoulli_probability() -> Derivation:
    return _estimate(
        "bernoulli-probability-estimate", "The maximum-likelihood Bernoulli probability is the sample mean",
        r"$N$ i.i.d. binary outcomes $y_i$ with one probability $p$ of a 1: the derivative of the "
        r"negative log-likelihood is $\sum_i \left(\frac{1 - y_i}{1 - p} - \frac{y_i}{p}\right)$, "
        r"zero only at $\hat p = \frac{1}{N} \sum_i y_i$ (for $0 < p < 1$).",
        (SymbolSpec("y", "y", Role.DATA, Domain.parse("binary"), ("i",), description="outcome $i$"),
         SymbolSpec("p", "p", Role.PREDICTION, Domain.parse("prob"),
                    description="the probability of a 1, shared by every outcome"),
         LIKELIHOOD, SAMPLE_LIKELIHOOD),
        lambda ctx, i: ctx["p"] ** ctx["y"][i] * (1 - ctx["p"]) ** (1 - ctx["y"][i]),
        "bernoulli-pmf", "Bernoulli distribution with probability $p$", "p",
        ("take-log", "log-of-product", "log-of-mul", "log-of-power", "negate", "sign-into-sum", "split-sum"),
        mean=False)


@entry("gaussian-mean-estimate")
def gaussian_mean() -> Derivation:
    return _estimate(
        "gaussian-mean-estimate", "The maximum-likelihood Gaussian mean is the sample mean",
        r"$N$ i.i.d. reals $y_i$ from a Gaussian with one mean $\mu$ and a fixed $\sigma$: the mean "
        r"negative log-likelihood is $\frac{1}{2 N \sigma^2} \sum_i (y_i - \mu)^2$ plus a term free of "
        r"$\mu$; its derivative is zero only at $\hat\mu = \frac{1}{N} \sum_i y_i$.",
        (SymbolSpec("y", "y", Role.DATA, Domain.parse("real"), ("i",), description="observation $i$"),
         SymbolSpec("mu", r"\mu", Role.PREDICTION, Domain.parse("real"), description="the mean, shared"),
         SymbolSpec("sigma", r"\sigma", Role.CONSTANT, Domain.parse("positive"),
                    description="standard deviation, fixed"),
         SymbolSpec("Z", "Z", Role.DEFINED, Domain.parse("positive"), template=r"\sigma \sqrt{2 \pi}",
                    description="normalising constant of the Gaussian density"),
         DENSITY, SAMPLE_DENSITY),
        lambda ctx, i: sp.exp(-(ctx["y"][i] - ctx["mu"]) ** 2 / (2 * ctx["sigma"] ** 2)) / ctx["Z"],
        "gaussian-pdf", r"Gaussian density with mean $\mu$ and fixed $\sigma$", "mu",
        ("take-log", "log-of-product", "log-of-mul", "log-of-power", "negate", "split-sum", "drop-constant"),
        normaliser=lambda ctx: ctx["sigma"] * sp.sqrt(2 * sp.pi))


@entry("gaussian-variance-estimate")
def gaussian_variance() -> Derivation:
    return _estimate(
        "gaussian-variance-estimate",
        "The maximum-likelihood Gaussian variance (known mean) is the mean squared deviation",
        r"$N$ i.i.d. reals $y_i$ from a Gaussian with a known mean $m$ and one variance $v = \sigma^2 > 0$: "
        r"the derivative of the mean negative log-likelihood in $v$ is "
        r"$\frac{1}{2 v} - \frac{1}{2 N v^2} \sum_i (y_i - m)^2$, zero only at "
        r"$\hat v = \frac{1}{N} \sum_i (y_i - m)^2$.",
        (SymbolSpec("y", "y", Role.DATA, Domain.parse("real"), ("i",), description="observation $i$"),
         SymbolSpec("m", "m", Role.CONSTANT, Domain.parse("real"), description="the mean, known"),
         SymbolSpec("v", "v", Role.PREDICTION, Domain.parse("positive"), description=r"the variance $\sigma^2$"),
         SymbolSpec("Z", "Z", Role.DEFINED, Domain.parse("positive"), template=r"\sqrt{2 \pi v}",
                    description="normalising constant of the Gaussian density"),
         DENSITY, SAMPLE_DENSITY),
        lambda ctx, i: sp.exp(-(ctx["y"][i] - ctx["m"]) ** 2 / (2 * ctx["v"])) / ctx["Z"],
        "gaussian-pdf", r"Gaussian density with known mean $m$ and variance $v$", "v",
        ("take-log", "log-of-product", "log-of-mul", "log-of-power", "negate", "split-sum"),
        normaliser=lambda ctx: sp.sqrt(2 * sp.pi * ctx["v"]))
