"""Information theory around the cross-entropy (seed 002, and seed 000's open question).

Seed 002's notation: M classes indexed by j, the label y (one-hot, or a
distribution p), the prediction y-hat; N examples indexed by i.
"""
from __future__ import annotations

import sympy as sp

from .. import rules_information  # noqa: F401  (registers the family's rules)
from ..context import Context, Definition, Role, SymbolSpec
from ..derivation import Builder, Derivation
from ..domains import Domain
from ..refutation import Claim
from . import entry, refutation_entry

M_SPEC = SymbolSpec("C", "M", Role.SIZE, lower=2, upper=4, description="number of classes")
J_SPEC = SymbolSpec("k", "j", Role.INDEX, lower=1, upper="C", description="class index")


def _cross_entropy(ctx: Context, symbol: str, first: str, second: str, statement: str) -> Definition:
    """``symbol := -sum_j first_j log second_j``."""
    k, C = ctx["k"], ctx["C"]
    return Definition(f"cross-entropy-{first}-{second}", symbol, (),
                      -sp.Sum(ctx[first][k] * sp.log(ctx[second][k]), (k, 1, C)), "quantity", statement)


@refutation_entry("cross-entropy-asymmetry")
def asymmetry() -> Claim:
    ctx = Context(symbols=(
        M_SPEC, J_SPEC,
        SymbolSpec("p", "p", Role.DATA, Domain.parse("simplex+"), ("k",),
                   description="a distribution over the M classes (entries > 0, so log p is defined)"),
        SymbolSpec("q", "q", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                   description="another distribution over the M classes"),
        SymbolSpec("Hpq", "H_pq", Role.DEFINED, template=r"H(p, q)", description="cross-entropy of q against p"),
        SymbolSpec("Hqp", "H_qp", Role.DEFINED, template=r"H(q, p)", description="cross-entropy of p against q"),
    ))
    ctx = Context(ctx.symbols, definitions=(
        _cross_entropy(ctx, "Hpq", "p", "q", "the cross-entropy H(p, q)"),
        _cross_entropy(ctx, "Hqp", "q", "p", "the cross-entropy with the roles swapped, H(q, p)"),
    ))
    return Claim("cross-entropy-asymmetry", "The cross-entropy is not symmetric: H(p, q) is not H(q, p)",
                 ctx, ctx["Hpq"], ctx["Hqp"],
                 summary="Seed 002 warns that H(p, q) and H(q, p) differ, so it matters which "
                         "distribution is the label and which the prediction. The claim that they are "
                         "equal is refuted by a counterexample the engine finds and checks.",
                 sources=("seed 002",))


def _kl_context(label: SymbolSpec, prediction: SymbolSpec) -> Context:
    """One example: a label distribution, a prediction, D_KL, H(y, y-hat) and H(y)."""
    y, yhat = label.name, prediction.name
    ctx = Context(symbols=(
        M_SPEC, J_SPEC, label, prediction,
        SymbolSpec("KL", "D_KL", Role.DEFINED,
                   template=rf"D_{{\mathrm{{KL}}}}({label.latex} \,\|\, {prediction.latex})",
                   description="Kullback-Leibler divergence of the prediction from the label"),
        SymbolSpec("H", "H", Role.DEFINED, template=rf"H({label.latex}, {prediction.latex})",
                   description="cross-entropy of the prediction against the label"),
        SymbolSpec("Hy", "H_y", Role.DEFINED, template=rf"H({label.latex})",
                   description="entropy of the label distribution"),
    ))
    k, C = ctx["k"], ctx["C"]
    a, b = ctx[y], ctx[yhat]
    return Context(ctx.symbols, definitions=(
        Definition("kl-divergence", "KL", (), sp.Sum(a[k] * sp.log(a[k] / b[k]), (k, 1, C)), "quantity",
                   "the Kullback-Leibler divergence"),
        Definition("cross-entropy", "H", (), -sp.Sum(a[k] * sp.log(b[k]), (k, 1, C)), "quantity",
                   "the cross-entropy H(y, y-hat)"),
        Definition("entropy", "Hy", (), -sp.Sum(a[k] * sp.log(a[k]), (k, 1, C)), "quantity",
                   "the entropy H(y) of the label"),
    ))


PREDICTION = SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                        description="predicted distribution, a softmax output (entries > 0)")


@entry("kl-divergence")
def kl_divergence() -> Derivation:
    ctx = _kl_context(
        SymbolSpec("y", "y", Role.DATA, Domain.parse("simplex"), ("k",),
                   description="label distribution: soft, or one-hot (entries may be 0; 0 log 0 = 0)"),
        PREDICTION)
    b = Builder("kl-divergence", "Minimising the KL divergence is minimising the cross-entropy",
                ctx, start=ctx["KL"], sense="min", lhs=r"\hat{\theta}",
                summary="D_KL(y || y-hat) = H(y, y-hat) - H(y); the entropy H(y) of the label does not "
                        "depend on the parameters, so minimising the KL divergence and minimising the "
                        "cross-entropy give the same parameters (seed 002).",
                sources=("seed 002",))
    b.apply("unfold", definition="kl-divergence")
    b.apply("weighted-log-of-ratio")
    b.apply("sum-of-terms")
    b.apply("recognise", definition="cross-entropy")
    b.apply("recognise-scaled", definition="entropy")
    b.apply("drop-term", definition="entropy", coefficient=-1)
    return b.build()


@entry("kl-divergence-one-hot")
def kl_divergence_one_hot() -> Derivation:
    ctx = _kl_context(
        SymbolSpec("y", "y", Role.DATA, Domain.parse("onehot"), ("k",),
                   description="one-hot label: 1 for the observed class, 0 elsewhere"),
        PREDICTION)
    b = Builder("kl-divergence-one-hot", "For one-hot labels the KL divergence is the cross-entropy",
                ctx, start=ctx["KL"], sense="min", lhs=r"\hat{\theta}",
                summary="With a one-hot label y, y_j log y_j = 0 for every j (1 log 1 = 0, 0 log 0 = 0): "
                        "the entropy H(y) is 0 and D_KL(y || y-hat) equals the cross-entropy H(y, y-hat) "
                        "(seed 002).",
                sources=("seed 002",))
    b.apply("unfold", definition="kl-divergence")
    b.apply("one-hot-log-ratio")
    b.apply("sum-of-terms")
    b.apply("recognise", definition="cross-entropy")
    return b.build()
