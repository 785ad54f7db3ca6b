"""Regression likelihoods: Gaussian, Laplace and Poisson maximum likelihood.

A Gaussian with fixed sigma gives the squared error, a Laplace with fixed
scale b the absolute error, a Poisson the Poisson negative log-likelihood:
each after dropping a term and a factor that do not depend on the parameters.
"""
from __future__ import annotations

import sympy as sp

from ..core import rules_models  # noqa: F401  (registers the model rules)
from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Builder, Derivation
from ..core.domains import Domain
from . import entry

N_SPEC = SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4, description="number of samples")
I_SPEC = SymbolSpec("i", "i", Role.INDEX, lower=1, upper="N", description="sample index")
DENSITY = SymbolSpec("L", "L", Role.DEFINED, Domain.parse("positive"),
                     template=r"p(\mathbf{y} \mid \mathbf{X}, \theta)",
                     description="likelihood (density) of the targets")
SAMPLE_DENSITY = SymbolSpec("P", "P", Role.DEFINED, Domain.parse("positive"), ("i",),
                            template=r"p(y_{@0} \mid \mathbf{x}_{@0}, \theta)",
                            description="likelihood (density) of sample $i$")
REAL_TARGET = SymbolSpec("y", "y", Role.DATA, Domain.parse("real"), ("i",),
                         description="real target of sample $i$")
REAL_PREDICTION = SymbolSpec("mu", r"\mu", Role.PREDICTION, Domain.parse("real"), ("i",),
                             description=r"predicted location for sample $i$, a function of $\theta$")


def iid(ctx: Context) -> Definition:
    i = ctx["i"]
    return Definition("iid", "L", (), sp.Product(ctx["P"][i], (i, 1, ctx["N"])), "model",
                      "i.i.d. samples: the likelihood is a product over samples")


#: The sample a gradient of the mean loss is taken at (by that sample's prediction).
J_SPEC = SymbolSpec("j", "j", Role.INDEX, lower=1, upper="N",
                    description="the sample whose prediction the gradient is taken by")


def _location_scale(name: str, title: str, scale: SymbolSpec, normaliser: SymbolSpec,
                    normaliser_rhs, error, pdf_name: str, pdf_statement: str, summary: str,
                    gradient: bool = False) -> Derivation:
    """The shared chain: density -> NLL = error / scale + N log Z -> mean error (and, with
    ``gradient``, its derivative by the prediction of sample j)."""
    ctx = Context(symbols=(N_SPEC, I_SPEC, *((J_SPEC,) if gradient else ()), REAL_TARGET, REAL_PREDICTION,
                           scale, normaliser, DENSITY, SAMPLE_DENSITY))
    i, y, mu, s = ctx["i"], ctx["y"], ctx["mu"], ctx[scale.name]
    Z = ctx[normaliser.name]
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition(pdf_name, "P", ("i",), sp.exp(-error(y[i] - mu[i], s)) / Z, "model", pdf_statement),
        Definition("normaliser", normaliser.name, (), normaliser_rhs(s), "quantity",
                   "the normalising constant of the density"),
    ))
    b = Builder(name, title, ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary=summary, sources=())
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition=pdf_name)
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("split-sum")
    b.apply("drop-constant")
    b.apply("drop-factor")
    b.apply("normalise", size="N")
    if gradient:
        b.apply("differentiate", variable="mu", index=("j",))
    return b.build()


@entry("gaussian-mean-squared-error")
def gaussian() -> Derivation:
    sigma = SymbolSpec("sigma", r"\sigma", Role.CONSTANT, Domain.parse("positive"),
                       description="noise standard deviation, fixed")
    Z = SymbolSpec("Zg", r"Z", Role.DEFINED, Domain.parse("positive"), template=r"\sigma \sqrt{2 \pi}",
                   description="normalising constant of the Gaussian density")
    return _location_scale(
        "gaussian-mean-squared-error",
        "Gaussian maximum likelihood is the mean squared error",
        sigma, Z, lambda s: s * sp.sqrt(2 * sp.pi),
        lambda r, s: r ** 2 / (2 * s ** 2),
        r"gaussian-pdf", r"Gaussian density around the prediction, fixed $\sigma$",
        r"$N$ i.i.d. real targets with Gaussian noise of fixed $\sigma$ around the predictions: the "
        r"negative log-likelihood is the squared error over $2 \sigma^2$ plus $N \log(\sigma \sqrt{2 \pi})$, "
        "so maximising the likelihood is minimising the (mean) squared error.")


@entry("gaussian-mean-squared-error-gradient")
def gaussian_gradient() -> Derivation:
    sigma = SymbolSpec("sigma", r"\sigma", Role.CONSTANT, Domain.parse("positive"),
                       description="noise standard deviation, fixed")
    Z = SymbolSpec("Zg", r"Z", Role.DEFINED, Domain.parse("positive"), template=r"\sigma \sqrt{2 \pi}",
                   description="normalising constant of the Gaussian density")
    return _location_scale(
        "gaussian-mean-squared-error-gradient",
        "The gradient of the mean squared error over N samples",
        sigma, Z, lambda s: s * sp.sqrt(2 * sp.pi),
        lambda r, s: r ** 2 / (2 * s ** 2),
        r"gaussian-pdf", r"Gaussian density around the prediction, fixed $\sigma$",
        r"$N$ i.i.d. real targets with Gaussian noise of fixed $\sigma$ around the predictions: "
        r"maximising the likelihood is minimising the mean squared error "
        r"$\frac{1}{N} \sum_i (y_i - \mu_i)^2$, whose derivative by the prediction $\mu_j$ of one "
        r"sample is $\frac{2}{N} (\mu_j - y_j)$: every other term of the mean is free of $\mu_j$.",
        gradient=True)


@entry("laplace-mean-absolute-error")
def laplace() -> Derivation:
    scale = SymbolSpec("b", "b", Role.CONSTANT, Domain.parse("positive"),
                       description="Laplace scale, fixed")
    Z = SymbolSpec("Zl", r"Z", Role.DEFINED, Domain.parse("positive"), template=r"2 b",
                   description="normalising constant of the Laplace density")
    return _location_scale(
        "laplace-mean-absolute-error",
        "Laplace maximum likelihood is the mean absolute error",
        scale, Z, lambda s: 2 * s,
        lambda r, s: sp.Abs(r) / s,
        "laplace-pdf", "Laplace density around the prediction, fixed scale $b$",
        "$N$ i.i.d. real targets with Laplace noise of fixed scale $b$ around the predictions: the "
        r"negative log-likelihood is the absolute error over $b$ plus $N \log(2 b)$, so maximising "
        "the likelihood is minimising the (mean) absolute error.")


@entry("poisson-negative-log-likelihood")
def poisson() -> Derivation:
    return _poisson("poisson-negative-log-likelihood",
                    "Poisson maximum likelihood is the Poisson negative log-likelihood",
                    r"$N$ i.i.d. counts with predicted rates $\lambda_i > 0$: the negative "
                    r"log-likelihood is $\sum_i (\lambda_i - y_i \log \lambda_i + \log y_i!)$; dropping "
                    r"$\sum_i \log y_i!$, free of the parameters, keeps the optimiser.")


@entry("poisson-negative-log-likelihood-gradient")
def poisson_gradient() -> Derivation:
    return _poisson("poisson-negative-log-likelihood-gradient",
                    "The gradient of the mean Poisson negative log-likelihood over N samples",
                    r"$N$ i.i.d. counts with predicted rates $\lambda_i > 0$: the mean negative "
                    r"log-likelihood, $\sum_i \log y_i!$ dropped, is "
                    r"$\frac{1}{N} \sum_i (\lambda_i - y_i \log \lambda_i)$, and its derivative by the "
                    r"rate $\lambda_j$ of one sample is $\frac{1}{N} (1 - y_j / \lambda_j)$: zero at "
                    r"$\lambda_j = y_j$.", gradient=True)


def _poisson(name: str, title: str, summary: str, gradient: bool = False) -> Derivation:
    """Counts -> the mean Poisson negative log-likelihood (and, with ``gradient``, its
    derivative by the rate of sample j)."""
    ctx = Context(symbols=(
        N_SPEC, I_SPEC, *((J_SPEC,) if gradient else ()),
        SymbolSpec("y", "y", Role.DATA, Domain.parse("natural"), ("i",), description="count of sample $i$"),
        SymbolSpec("lam", r"\lambda", Role.PREDICTION, Domain.parse("positive"), ("i",),
                   description=r"predicted rate for sample $i$, a function of $\theta$"),
        SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"),
                   template=r"P(\mathbf{y} \mid \mathbf{X}, \theta)", description="likelihood of the counts"),
        SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                   template=r"P(y_{@0} \mid \mathbf{x}_{@0}, \theta)", description="likelihood of sample $i$"),
    ))
    i, y, lam = ctx["i"], ctx["y"], ctx["lam"]
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition("poisson-pmf", "P", ("i",), lam[i] ** y[i] * sp.exp(-lam[i]) / sp.factorial(y[i]),
                   "model", "Poisson distribution with the predicted rate"),
    ))
    b = Builder(name, title, ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}", summary=summary, sources=())
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="poisson-pmf")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("sign-into-sum")
    b.apply("split-sum")
    b.apply("drop-constant")
    b.apply("normalise", size="N")
    if gradient:
        b.apply("differentiate", variable="lam", index=("j",))
    return b.build()


@entry("gaussian-nll-gradient-mean")
def gaussian_nll_gradient_mean() -> Derivation:
    return _gaussian_nll(
        "gaussian-nll-gradient-mean",
        "The gradient of the mean Gaussian negative log-likelihood in a predicted mean",
        r"$N$ i.i.d. real targets, each Gaussian with a predicted mean $\mu_i$ and a predicted standard "
        r"deviation $\sigma_i > 0$: the mean negative log-likelihood, $\log \sqrt{2 \pi}$ dropped, is "
        r"$\frac{1}{N} \sum_i \left(\log \sigma_i + \frac{(y_i - \mu_i)^2}{2 \sigma_i^2}\right)$, and its "
        r"derivative by the mean $\mu_j$ of one sample is $\frac{\mu_j - y_j}{N \sigma_j^2}$.", "mu")


@entry("gaussian-nll-gradient-sigma")
def gaussian_nll_gradient_scale() -> Derivation:
    return _gaussian_nll(
        "gaussian-nll-gradient-sigma",
        "The gradient of the mean Gaussian negative log-likelihood in a predicted standard deviation",
        r"$N$ i.i.d. real targets, each Gaussian with a predicted mean $\mu_i$ and a predicted standard "
        r"deviation $\sigma_i > 0$: the derivative of the mean negative log-likelihood by the standard "
        r"deviation $\sigma_j$ of one sample is "
        r"$\frac{1}{N} \left(\frac{1}{\sigma_j} - \frac{(y_j - \mu_j)^2}{\sigma_j^3}\right)$: zero at "
        r"$\sigma_j = |y_j - \mu_j|$.", "sigma")


def _gaussian_nll(name: str, title: str, summary: str, variable: str) -> Derivation:
    """Gaussian targets with a predicted mean and standard deviation per sample -> the mean
    negative log-likelihood -> its derivative by ``variable`` (``mu`` or ``sigma``) of sample j."""
    ctx = Context(symbols=(
        N_SPEC, I_SPEC, J_SPEC, REAL_TARGET, REAL_PREDICTION,
        SymbolSpec("sigma", r"\sigma", Role.PREDICTION, Domain.parse("positive"), ("i",),
                   description=r"predicted standard deviation for sample $i$, a function of $\theta$"),
        SymbolSpec("Z", "Z", Role.DEFINED, Domain.parse("positive"), template=r"\sqrt{2 \pi}",
                   description="the constant factor of the Gaussian normaliser"),
        DENSITY, SAMPLE_DENSITY,
    ))
    i, y, mu, sigma, Z = ctx["i"], ctx["y"], ctx["mu"], ctx["sigma"], ctx["Z"]
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition("gaussian-pdf", "P", ("i",),
                   sp.exp(-(y[i] - mu[i]) ** 2 / (2 * sigma[i] ** 2)) / (sigma[i] * Z),
                   "model", r"Gaussian density with the predicted mean and standard deviation"),
        Definition("normaliser", "Z", (), sp.sqrt(2 * sp.pi), "quantity",
                   "the constant factor of the normaliser"),
    ))
    b = Builder(name, title, ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}", summary=summary, sources=())
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="gaussian-pdf")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("sign-into-sum")
    b.apply("split-sum")
    b.apply("drop-constant")
    b.apply("normalise", size="N")
    b.apply("differentiate", variable=variable, index=("j",))
    return b.build()
