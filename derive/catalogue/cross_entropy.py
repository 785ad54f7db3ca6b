"""Maximum likelihood to cross-entropy: the categorical and Bernoulli cases.

Seeds 000 and 001 (categorical, one-hot labels, notation ``\\hat{p}_i^{(k)}``)
and seed 003 (Bernoulli, ``\\hat{y}_i^{y_i} (1 - \\hat{y}_i)^{1 - y_i}``).
"""
from __future__ import annotations

import sympy as sp

from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Builder, Derivation
from ..core.domains import Domain
from . import entry
from .sources import BERNOULLI_POST, CROSS_VALIDATED_QUESTION, DATA_SCIENCE_ANSWER

N_SPEC = SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4, description="number of samples")
C_SPEC = SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes")
I_SPEC = SymbolSpec("i", "i", Role.INDEX, lower=1, upper="N", description="sample index")
K_SPEC = SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index")
LIKELIHOOD = SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"),
                        template=r"P(\mathbf{Y} \mid \mathbf{X}, \theta)",
                        description="likelihood of the whole data set")


def iid(ctx: Context) -> Definition:
    """``L := prod_i P_i``: the samples are independent and identically distributed."""
    i = ctx["i"]
    return Definition("iid", "L", (), sp.Product(ctx["P"][i], (i, 1, ctx["N"])), "model",
                      "i.i.d. samples: the likelihood is a product over samples")


@entry("categorical-cross-entropy")
def categorical() -> Derivation:
    ctx = Context(
        symbols=(
            N_SPEC, C_SPEC, I_SPEC, K_SPEC,
            SymbolSpec("p", "p", Role.DATA, Domain.parse("onehot"), ("i", "k"), style="seed",
                       description="true label probabilities, one-hot: 1 exactly when sample $i$ is in class $k$"),
            SymbolSpec("phat", r"\hat{p}", Role.PREDICTION, Domain.parse("simplex+"), ("i", "k"),
                       style="seed", description="predicted class probabilities, a softmax output; "
                                                 "the sources allow $[0, 1]$, entries $> 0$ keep every log defined"),
            LIKELIHOOD,
            SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                       template=r"P(\mathbf{y}_{@0} \mid \mathbf{x}_{@0}, \theta)",
                       description="likelihood of sample $i$"),
            SymbolSpec("H", "H", Role.DEFINED, None, ("i",),
                       template=r"H(\mathbf{p}_{@0}, \hat{\mathbf{p}}_{@0})",
                       description="cross-entropy of sample $i$"),
        ),
    )
    C, i, k = (ctx[n] for n in "Cik")
    p, phat, L = (ctx[n] for n in ("p", "phat", "L"))
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition("categorical-pmf", "P", ("i",),
                   sp.Product(phat[i, k] ** sp.KroneckerDelta(p[i, k], 1), (k, 1, C)), "model",
                   "categorical distribution with the predicted probabilities"),
        Definition("cross-entropy", "H", ("i",), -sp.Sum(p[i, k] * sp.log(phat[i, k]), (k, 1, C)),
                   "quantity", "the cross-entropy of the predictions against the labels"),
    ))
    b = Builder("categorical-cross-entropy",
                "Categorical maximum likelihood is the cross-entropy",
                ctx, start=L, sense="max", lhs=r"\hat{\theta}",
                summary=r"$N$ i.i.d. samples with $C$ classes and one-hot labels: maximising the "
                        r"likelihood is minimising the summed (or mean) cross-entropy; at $N = 1$ "
                        r"the negative log-likelihood is $H(p, \hat{p})$.",
                sources=(CROSS_VALIDATED_QUESTION, DATA_SCIENCE_ANSWER))
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="categorical-pmf")
    b.apply("indicator-to-exponent")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-power")
    b.apply("negate")
    nll = len(b.steps)
    b.apply("specialise", size="N", value=1)
    b.apply("recognise", definition="cross-entropy")
    b.apply("sign-into-sum", from_line=nll)
    b.apply("recognise", definition="cross-entropy")
    b.apply("normalise", size="N")
    return b.build()


@entry("bernoulli-binary-cross-entropy")
def bernoulli() -> Derivation:
    # Seed 003's notation: P(D | theta), y-hat_{theta, i}, n samples.
    ctx = Context(
        symbols=(
            SymbolSpec("N", "n", Role.SIZE, lower=1, upper=4, description="number of samples"),
            I_SPEC,
            SymbolSpec("y", "y", Role.DATA, Domain.parse("binary"), ("i",),
                       description="binary label of sample $i$"),
            SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("prob"), ("i",), style="param",
                       description="predicted probability that $y_i = 1$"),
            SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"),
                       template=r"\mathbb{P}(\mathcal{D} \mid \theta)",
                       description=r"likelihood of the data set $\mathcal{D}$"),
            SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                       template=r"\mathbb{P}(y_{@0} \mid \mathbf{x}_{@0}, \theta)",
                       description="likelihood of sample $i$"),
            SymbolSpec("Hb", "H_b", Role.DEFINED, None, ("i",),
                       template=r"H_b(y_{@0}, \hat{y}_{\theta, @0})",
                       description="binary cross-entropy of sample $i$"),
        ),
    )
    i, y, yhat = ctx["i"], ctx["y"], ctx["yhat"]
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition("bernoulli-pmf", "P", ("i",), yhat[i] ** y[i] * (1 - yhat[i]) ** (1 - y[i]),
                   "model", "Bernoulli distribution with the predicted probability"),
        Definition("binary-cross-entropy", "Hb", ("i",),
                   -(y[i] * sp.log(yhat[i]) + (1 - y[i]) * sp.log(1 - yhat[i])), "quantity",
                   "the binary cross-entropy of the prediction against the label"),
    ))
    b = Builder("bernoulli-binary-cross-entropy",
                "Bernoulli maximum likelihood is the mean binary cross-entropy",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary="$N$ i.i.d. binary labels with predicted probabilities: maximising the "
                        "Bernoulli likelihood is minimising the mean binary cross-entropy.",
                sources=(BERNOULLI_POST,))
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="bernoulli-pmf")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("normalise", size="N")
    b.apply("sign-into-sum")
    b.apply("recognise", definition="binary-cross-entropy")
    return b.build()
