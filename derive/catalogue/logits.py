"""Losses on logits: softmax cross-entropy and sigmoid binary cross-entropy, with gradients.

One observation, as in seed 002: the model outputs logits z, the softmax (or
sigmoid) turns them into probabilities, and the negative log-likelihood is
written in the logits. Each derivation then differentiates the loss by one
logit: the gradient is the predicted probability minus the label.
"""
from __future__ import annotations

import sympy as sp

from ..core import rules_models  # noqa: F401  (registers the model rules)
from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Builder, Derivation
from ..core.domains import Domain
from . import entry
from .sources import WEBB_2017

SINGLE_LIKELIHOOD = SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"),
                               template=r"P(y \mid \mathbf{x}, \theta)",
                               description="likelihood of the observed label")


@entry("softmax-cross-entropy")
def softmax_cross_entropy() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("m", "m", Role.INDEX, lower=1, upper="C", description="class index of the softmax normaliser"),
        SymbolSpec("j", "j", Role.INDEX, lower=1, upper="C", description="the logit the gradient is taken by"),
        SymbolSpec("y", "y", Role.DATA, Domain.parse("onehot"), ("k",),
                   description="the label, one-hot: $y_k = 1$ exactly for the observed class"),
        SymbolSpec("z", "z", Role.PREDICTION, Domain.parse("real"), ("k",),
                   description=r"logits, the network's outputs before the softmax (functions of $\theta$)"),
        SINGLE_LIKELIHOOD,
        SymbolSpec("phat", r"\hat{p}", Role.DEFINED, Domain.parse("prob"), ("k",),
                   template=r"\operatorname{softmax}(\mathbf{z})_{@0}",
                   description="predicted probability of class $k$"),
    ))
    C, k, m, y, z, phat = (ctx[n] for n in ("C", "k", "m", "y", "z", "phat"))
    ctx = Context(ctx.symbols, definitions=(
        Definition("categorical-pmf", "L", (), sp.Product(phat[k] ** y[k], (k, 1, C)), "model",
                   "categorical distribution of the label with the predicted probabilities"),
        Definition("softmax", "phat", ("k",), sp.exp(z[k]) / sp.Sum(sp.exp(z[m]), (m, 1, C)), "model",
                   "the predicted probabilities are the softmax of the logits"),
    ))
    b = Builder("softmax-cross-entropy",
                "Softmax cross-entropy in the logits, and its gradient",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary=r"One observation with a one-hot label $y$ over $C$ classes and softmax "
                        r"probabilities of the logits $z$: the negative log-likelihood is the "
                        r"cross-entropy $-\sum_k y_k z_k + \log \sum_m e^{z_m}$ (that is "
                        r"$-z_c + \log \sum_m e^{z_m}$ for the observed class $c$), and its derivative by "
                        r"$z_j$ is $\operatorname{softmax}(\mathbf{z})_j - y_j$.",
                sources=(WEBB_2017,))
    b.apply("unfold", definition="categorical-pmf")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("unfold", definition="softmax")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("split-sum")
    b.apply("row-sum-to-one")
    b.apply("differentiate", variable="z", index=("j",))
    b.apply("recognise", definition="softmax")
    return b.build()


@entry("sigmoid-binary-cross-entropy")
def sigmoid_binary_cross_entropy() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("y", "y", Role.DATA, Domain.parse("binary"), description="the binary label"),
        SymbolSpec("z", "z", Role.PREDICTION, Domain.parse("real"),
                   description=r"the logit, the network's output before the sigmoid (a function of $\theta$)"),
        SINGLE_LIKELIHOOD,
        SymbolSpec("yhat", r"\hat{y}", Role.DEFINED, Domain.parse("prob"), template=r"\sigma(z)",
                   description="predicted probability that $y = 1$"),
    ))
    y, z, yhat = ctx["y"], ctx["z"], ctx["yhat"]
    ctx = Context(ctx.symbols, definitions=(
        Definition("bernoulli-pmf", "L", (), yhat ** y * (1 - yhat) ** (1 - y), "model",
                   "Bernoulli distribution of the label with the predicted probability"),
        Definition("sigmoid", "yhat", (), 1 / (1 + sp.exp(-z)), "model",
                   "the predicted probability is the sigmoid of the logit"),
    ))
    b = Builder("sigmoid-binary-cross-entropy",
                "Sigmoid binary cross-entropy in the logit, and its gradient",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary=r"One observation with a binary label $y$ and the sigmoid probability of "
                        r"the logit $z$: the negative log-likelihood is the binary cross-entropy "
                        r"$\log(1 + e^{-z}) + (1 - y) z$, and its derivative by $z$ is $\sigma(z) - y$.",
                sources=())
    b.apply("unfold", definition="bernoulli-pmf")
    b.apply("take-log")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("unfold", definition="sigmoid")
    b.apply("complement-of-fraction")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("collect", variable="z")
    b.apply("differentiate", variable="z")
    b.apply("complement-of-fraction")
    b.apply("recognise", definition="sigmoid")
    return b.build()


@entry("softmax-cross-entropy-label-index")
def softmax_cross_entropy_label_index() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("c", "c", Role.INDEX, lower=1, upper="C", description="the observed class, an index"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("m", "m", Role.INDEX, lower=1, upper="C", description="class index of the softmax normaliser"),
        SymbolSpec("j", "j", Role.INDEX, lower=1, upper="C", description="the logit the gradient is taken by"),
        SymbolSpec("z", "z", Role.PREDICTION, Domain.parse("real"), ("k",),
                   description=r"logits, the network's outputs before the softmax (functions of $\theta$)"),
        SINGLE_LIKELIHOOD,
        SymbolSpec("phat", r"\hat{p}", Role.DEFINED, Domain.parse("prob"), ("k",),
                   template=r"\operatorname{softmax}(\mathbf{z})_{@0}",
                   description="predicted probability of class $k$"),
    ))
    C, c, k, m, z, phat = (ctx[n] for n in ("C", "c", "k", "m", "z", "phat"))
    ctx = Context(ctx.symbols, definitions=(
        Definition("categorical-pmf", "L", (), phat[c], "model",
                   "the likelihood of the observed class $c$ is its predicted probability"),
        Definition("softmax", "phat", ("k",), sp.exp(z[k]) / sp.Sum(sp.exp(z[m]), (m, 1, C)), "model",
                   "the predicted probabilities are the softmax of the logits"),
    ))
    b = Builder("softmax-cross-entropy-label-index",
                "Softmax cross-entropy with a label index, and its gradient",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary=r"One observation of class $c$ (an index, no one-hot vector) over $C$ classes, with "
                        r"softmax probabilities of the logits $z$: the negative log-likelihood is "
                        r"$-z_c + \log \sum_m e^{z_m}$, and its derivative by $z_j$ is "
                        r"$\operatorname{softmax}(\mathbf{z})_j - [j = c]$.",
                sources=(WEBB_2017,))
    b.apply("unfold", definition="categorical-pmf")
    b.apply("take-log")
    b.apply("negate")
    b.apply("unfold", definition="softmax")
    b.apply("log-of-mul")
    b.apply("log-of-power")
    b.apply("differentiate", variable="z", index=("j",))
    b.apply("recognise", definition="softmax")
    return b.build()
