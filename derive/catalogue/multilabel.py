"""Multi-label classification: independent Bernoulli outputs per class.

Each sample carries C binary labels, each with its own predicted probability;
the likelihood factorises over samples and classes, and its negative log,
averaged over the samples, is the sum over classes of binary cross-entropies.
"""
from __future__ import annotations

import sympy as sp

from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Builder, Derivation
from ..core.domains import Domain
from . import entry
from .cross_entropy import C_SPEC, I_SPEC, K_SPEC, LIKELIHOOD, N_SPEC, iid


@entry("multi-label-binary-cross-entropy")
def multilabel() -> Derivation:
    ctx = Context(symbols=(
        N_SPEC, C_SPEC, I_SPEC, K_SPEC,
        SymbolSpec("y", "y", Role.DATA, Domain.parse("binary"), ("i", "k"),
                   description="1 when label $k$ applies to sample $i$, else 0 (any number of labels)"),
        SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("prob"), ("i", "k"),
                   description="predicted probability that label $k$ applies to sample $i$"),
        LIKELIHOOD,
        SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                   template=r"P(\mathbf{y}_{@0} \mid \mathbf{x}_{@0}, \theta)",
                   description="likelihood of the labels of sample $i$"),
        SymbolSpec("Hb", "H_b", Role.DEFINED, None, ("i", "k"),
                   template=r"H_b(y_{@0,@1}, \hat{y}_{@0,@1})",
                   description="binary cross-entropy of label $k$ of sample $i$"),
    ))
    C, i, k, y, yhat = ctx["C"], ctx["i"], ctx["k"], ctx["y"], ctx["yhat"]
    ctx = Context(ctx.symbols, definitions=(
        iid(ctx),
        Definition("independent-bernoulli", "P", ("i",),
                   sp.Product(yhat[i, k] ** y[i, k] * (1 - yhat[i, k]) ** (1 - y[i, k]), (k, 1, C)),
                   "model", "the labels of a sample are independent Bernoulli variables"),
        Definition("binary-cross-entropy", "Hb", ("i", "k"),
                   -(y[i, k] * sp.log(yhat[i, k]) + (1 - y[i, k]) * sp.log(1 - yhat[i, k])), "quantity",
                   "the binary cross-entropy of one label's prediction"),
    ))
    b = Builder("multi-label-binary-cross-entropy",
                "Multi-label maximum likelihood is the mean summed binary cross-entropy",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary="$N$ i.i.d. samples, each with $C$ independent binary labels: maximising the "
                        "likelihood is minimising the mean over samples of the sum over classes "
                        "of binary cross-entropies.",
                sources=())
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="independent-bernoulli")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("normalise", size="N")
    b.apply("sign-into-sum")
    b.apply("sign-into-sum")
    b.apply("recognise", definition="binary-cross-entropy")
    return b.build()
