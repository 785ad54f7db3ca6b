"""Information theory around the cross-entropy (seed 002, and seed 000's open question).

Seed 002's notation: M classes indexed by j, the label y (one-hot, or a
distribution p), the prediction y-hat; N examples indexed by i.
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log2

from ..core import rules_information  # noqa: F401  (registers the family's rules)
from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Builder, Derivation
from ..core.domains import Domain
from ..core.refutation import Claim
from . import entry, refutation_entry
from .sources import BERNOULLI_POST, CROSS_VALIDATED_QUESTION, DATA_SCIENCE_ANSWER, WEBB_2017

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
                   description=r"a distribution over the $M$ classes (entries $> 0$, so $\log p$ is defined)"),
        SymbolSpec("q", "q", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                   description="another distribution over the $M$ classes"),
        SymbolSpec("Hpq", "H_pq", Role.DEFINED, template=r"H(p, q)", description="cross-entropy of $q$ against $p$"),
        SymbolSpec("Hqp", "H_qp", Role.DEFINED, template=r"H(q, p)", description="cross-entropy of $p$ against $q$"),
    ))
    ctx = Context(ctx.symbols, definitions=(
        _cross_entropy(ctx, "Hpq", "p", "q", "the cross-entropy $H(p, q)$"),
        _cross_entropy(ctx, "Hqp", "q", "p", "the cross-entropy with the roles swapped, $H(q, p)$"),
    ))
    return Claim("cross-entropy-asymmetry", "The cross-entropy is not symmetric in its two distributions",
                 ctx, ctx["Hpq"], ctx["Hqp"],
                 summary="Webb (2017) warns that $H(p, q)$ and $H(q, p)$ differ, so it matters which "
                         "distribution is the label and which the prediction. The claim that they are "
                         "equal is refuted by a counterexample the engine finds and checks.",
                 sources=(WEBB_2017,))


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
                   r"the cross-entropy $H(y, \hat{y})$"),
        Definition("entropy", "Hy", (), -sp.Sum(a[k] * sp.log(a[k]), (k, 1, C)), "quantity",
                   "the entropy $H(y)$ of the label"),
    ))


PREDICTION = SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                        description="predicted distribution, a softmax output (entries > 0)")


@entry("kl-divergence")
def kl_divergence() -> Derivation:
    ctx = _kl_context(
        SymbolSpec("y", "y", Role.DATA, Domain.parse("simplex"), ("k",),
                   description=r"label distribution: soft, or one-hot (entries may be 0; $0 \log 0 = 0$)"),
        PREDICTION)
    b = Builder("kl-divergence", "Minimising the KL divergence is minimising the cross-entropy",
                ctx, start=ctx["KL"], sense="min", lhs=r"\hat{\theta}",
                summary=r"$D_{\mathrm{KL}}(y \,\|\, \hat{y}) = H(y, \hat{y}) - H(y)$; the entropy $H(y)$ of "
                        "the label does not depend on the parameters, so minimising the KL divergence and "
                        "minimising the cross-entropy give the same parameters.",
                sources=(WEBB_2017,))
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
                summary=r"With a one-hot label $y$, $y_j \log y_j = 0$ for every $j$ ($1 \log 1 = 0$, "
                        r"$0 \log 0 = 0$): the entropy $H(y)$ is 0 and $D_{\mathrm{KL}}(y \,\|\, \hat{y})$ "
                        r"equals the cross-entropy $H(y, \hat{y})$.",
                sources=(WEBB_2017,))
    b.apply("unfold", definition="kl-divergence")
    b.apply("one-hot-log-ratio")
    b.apply("sum-of-terms")
    b.apply("recognise", definition="cross-entropy")
    return b.build()


# -- a batch of examples (seed 002, "Multiple observations") ----------------------------
@entry("batch-cross-entropy")
def batch() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4, description="number of examples"),
        M_SPEC,
        SymbolSpec("i", "i", Role.INDEX, lower=1, upper="N", description="example index"),
        J_SPEC,
        SymbolSpec("y", "y", Role.DATA, Domain.parse("onehot"), ("i", "k"), style="seed-class-below",
                   description="one-hot outcome of example $i$"),
        SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("simplex+"), ("i", "k"),
                   style="seed-class-below", description="predicted distribution for example $i$ (softmax)"),
        SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"), template=r"p(\mathbf{Y} \mid \mathbf{X}, \theta)",
                   description="joint likelihood of the $N$ examples"),
        SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                   template=r"p(\mathbf{y}^{(@0)} \mid \mathbf{x}^{(@0)}, \theta)",
                   description="likelihood of example $i$"),
        SymbolSpec("H", "H", Role.DEFINED, None, ("i",), template=r"H(\mathbf{y}^{(@0)}, \hat{\mathbf{y}}^{(@0)})",
                   description="cross-entropy of example $i$"),
    ))
    i, k, C, N = ctx["i"], ctx["k"], ctx["C"], ctx["N"]
    y, yhat = ctx["y"], ctx["yhat"]
    ctx = Context(ctx.symbols, definitions=(
        Definition("iid", "L", (), sp.Product(ctx["P"][i], (i, 1, N)), "model",
                   "independently sampled examples: the joint likelihood is the product"),
        Definition("categorical-pmf", "P", ("i",), sp.Product(yhat[i, k] ** y[i, k], (k, 1, C)), "model",
                   "the likelihood of a one-hot outcome: every factor but the observed one is 1"),
        Definition("cross-entropy", "H", ("i",), -sp.Sum(y[i, k] * sp.log(yhat[i, k]), (k, 1, C)),
                   "quantity", "the cross-entropy of example $i$"),
    ))
    b = Builder("batch-cross-entropy", "The negative log-likelihood of a batch is a sum of cross-entropies",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary="$N$ independently sampled examples: the negative log of the joint likelihood is the "
                        "sum of the per-example cross-entropies, each against its own model distribution "
                        "(Webb's \u201cMultiple observations\u201d); dividing by $N$ gives the mean, the usual "
                        "batch loss. (A later edit of that post reads the sum as one cross-entropy between "
                        "distributions over the batch's vector of outcomes; that reading is not derived here.)",
                sources=(WEBB_2017,))
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="categorical-pmf")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("sign-into-sum")
    b.apply("recognise", definition="cross-entropy")
    b.apply("normalise", size="N")
    return b.build()


# -- soft labels (seed 000's open question) ---------------------------------------------
@entry("soft-label-cross-entropy")
def soft_label() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("p", "p", Role.DATA, Domain.parse("simplex"), ("k",),
                   description="soft label: a distribution over the classes (entries may be 0)"),
        SymbolSpec("phat", r"\hat{p}", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                   description="predicted distribution (softmax, entries > 0)"),
        SymbolSpec("E", "E", Role.DEFINED, template=r"\mathbb{E}_{k \sim p}\left[-\log \hat{p}_{k}\right]",
                   description="expected negative log-likelihood of a label drawn from $p$"),
        SymbolSpec("H", "H", Role.DEFINED, template=r"H(p, \hat{p})", description="cross-entropy"),
    ))
    k, C, p, phat = ctx["k"], ctx["C"], ctx["p"], ctx["phat"]
    ctx = Context(ctx.symbols, definitions=(
        Definition("expectation", "E", (), sp.Sum(p[k] * -sp.log(phat[k]), (k, 1, C)), "model",
                   r"the label is drawn from the soft label: expectation of $-\log \hat{p}_k$ over $k \sim p$"),
        Definition("cross-entropy", "H", (), -sp.Sum(p[k] * sp.log(phat[k]), (k, 1, C)), "quantity",
                   r"the cross-entropy $H(p, \hat{p})$"),
    ))
    b = Builder("soft-label-cross-entropy",
                "Soft labels: the expected negative log-likelihood is the cross-entropy",
                ctx, start=ctx["E"], sense="min", lhs=r"\hat{\theta}",
                summary=r"What does the cross-entropy mean when the labels $p_k$ are a distribution "
                        r"rather than one-hot? First reading: the label is drawn from $p$; the expected "
                        r"negative log-likelihood $\mathbb{E}_{k \sim p}[-\log \hat{p}_k]$ is $H(p, \hat{p})$. "
                        "(The second reading, $n$ annotations, is the derivation soft-label-annotations.)",
                sources=(CROSS_VALIDATED_QUESTION,))
    b.apply("unfold", definition="expectation")
    b.apply("sum-of-terms")
    b.apply("recognise", definition="cross-entropy")
    return b.build()


@entry("soft-label-annotations")
def soft_label_annotations() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("n", "n", Role.SIZE, lower=1, upper=4, description="number of annotations of the example"),
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("a", "a", Role.INDEX, lower=1, upper="n", description="annotation index"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("z", "z", Role.DATA, Domain.parse("onehot"), ("a", "k"),
                   description="annotation $a$, one-hot: 1 when the annotator chose class $k$"),
        SymbolSpec("phat", r"\hat{p}", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                   description="predicted distribution for the example (softmax, entries > 0)"),
        SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"), template=r"P(z_{1}, \dots, z_{n} \mid \theta)",
                   description="likelihood of the $n$ annotations"),
        SymbolSpec("m", "n", Role.DEFINED, None, ("k",), template=r"n_{@0}",
                   description="count of annotations for class $k$ (they sum to $n$)"),
        SymbolSpec("p", "p", Role.DEFINED, None, ("k",), template=r"p_{@0}",
                   description="soft label: the share of annotations for class $k$"),
        SymbolSpec("H", "H", Role.DEFINED, template=r"H(p, \hat{p})", description="cross-entropy"),
    ))
    a, k, n, C = ctx["a"], ctx["k"], ctx["n"], ctx["C"]
    z, phat, m, p = ctx["z"], ctx["phat"], ctx["m"], ctx["p"]
    ctx = Context(ctx.symbols, definitions=(
        Definition("annotations", "L", (), sp.Product(sp.Product(phat[k] ** z[a, k], (k, 1, C)), (a, 1, n)),
                   "model", r"$n$ independent annotations of the example, each categorical with $\hat{p}$"),
        Definition("counts", "m", ("k",), sp.Sum(z[a, k], (a, 1, n)), "quantity",
                   "the count $n_k$ of annotations for class $k$"),
        Definition("shares", "p", ("k",), m[k] / n, "quantity", r"the soft label $p_k = n_k / n$"),
        Definition("cross-entropy", "H", (), -sp.Sum(p[k] * sp.log(phat[k]), (k, 1, C)), "quantity",
                   r"the cross-entropy $H(p, \hat{p})$"),
    ))
    b = Builder("soft-label-annotations",
                "Soft labels from annotations: the negative log-likelihood is a multiple of the cross-entropy",
                ctx, start=ctx["L"], sense="max", lhs=r"\hat{\theta}",
                summary=r"Second reading of soft labels: $n$ annotations of one example, with "
                        r"counts $n_k$ summing to $n$. Their likelihood is $\prod_k \hat{p}_k^{n_k}$, and its "
                        r"negative log is $n H(p, \hat{p})$ with $p_k = n_k / n$; dividing by $n$ leaves the "
                        "cross-entropy.",
                sources=(CROSS_VALIDATED_QUESTION,))
    b.apply("unfold", definition="annotations")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("exchange-sums")
    b.apply("constant-out-of-sum")
    b.apply("recognise", definition="counts")
    b.apply("recognise-scaled", definition="shares")
    b.apply("constant-out-of-sum")
    b.apply("recognise-scaled", definition="cross-entropy")
    b.apply("normalise", size="n")
    return b.build()


# -- bits and nats (seed 002) -----------------------------------------------------------
@entry("entropy-in-bits")
def entropy_in_bits() -> Derivation:
    ctx = Context(symbols=(
        M_SPEC, J_SPEC,
        SymbolSpec("y", "y", Role.DATA, Domain.parse("simplex"), ("k",),
                   description=r"label distribution (one-hot or soft; $0 \log 0 = 0$)"),
        PREDICTION,
        SymbolSpec("H2", "H_2", Role.DEFINED, template=r"H_{2}(y, \hat{y})",
                   description="cross-entropy in bits (base-2 logarithm)"),
        SymbolSpec("H", "H", Role.DEFINED, template=r"H(y, \hat{y})",
                   description="cross-entropy in nats (natural logarithm)"),
    ))
    k, C, y, yhat = ctx["k"], ctx["C"], ctx["y"], ctx["yhat"]
    ctx = Context(ctx.symbols, definitions=(
        Definition("cross-entropy-bits", "H2", (), -sp.Sum(y[k] * log2(yhat[k]), (k, 1, C)), "quantity",
                   "the cross-entropy in bits"),
        Definition("cross-entropy", "H", (), -sp.Sum(y[k] * sp.log(yhat[k]), (k, 1, C)), "quantity",
                   "the cross-entropy in nats"),
    ))
    b = Builder("entropy-in-bits", "Cross-entropy in bits is the cross-entropy in nats divided by log 2",
                ctx, start=ctx["H2"], sense="min", lhs=r"\hat{\theta}",
                summary=r"Counting in bits (yes/no questions): with base-2 logs, $H_2(y, \hat{y}) = "
                        r"H(y, \hat{y}) / \log 2$ (the entropy is the case $\hat{y} = y$). Multiplying by "
                        r"$\log 2 > 0$ moves no optimiser, so training in bits or nats gives the same model.",
                sources=(WEBB_2017,))
    b.apply("unfold", definition="cross-entropy-bits")
    b.apply("change-log-base")
    b.apply("constant-out-of-sum")
    b.apply("recognise-scaled", definition="cross-entropy")
    b.apply("scale-by-log-base", base=2)
    return b.build()


@entry("entropy-in-bits-example")
def entropy_in_bits_example() -> Derivation:
    ctx = Context(symbols=(
        M_SPEC, J_SPEC,
        SymbolSpec("f", "f", Role.DEFINED, None, ("k",), template=r"f(x_{@0})",
                   description=r"the example distribution: $\tfrac12, \tfrac14, \tfrac14$ for $M = 3$"),
        SymbolSpec("H2", "H_2", Role.DEFINED, template=r"H_{2}(f)", description="entropy of $f$ in bits"),
    ))
    k, C, f = ctx["k"], ctx["C"], ctx["f"]
    ctx = Context(ctx.symbols, definitions=(
        Definition("example", "f", ("k",), sp.Rational(1, 4) + sp.KroneckerDelta(k, 1) / 4, "model",
                   r"the example: $f(x_1) = \tfrac12$ and $f(x_j) = \tfrac14$ otherwise"),
        Definition("entropy-bits", "H2", (), -sp.Sum(f[k] * log2(f[k]), (k, 1, C)), "quantity",
                   "the entropy in bits"),
    ))
    b = Builder("entropy-in-bits-example", "Probabilities 1/2, 1/4 and 1/4 have an entropy of 1.5 bits",
                ctx, start=ctx["H2"], sense="min", lhs=r"\hat{\theta}",
                summary=r"Webb's example: outcomes with probabilities $\tfrac12$, $\tfrac14$ and $\tfrac14$ "
                        r"need 1.5 yes/no questions on average; the entropy in bits at $M = 3$, computed "
                        r"exactly, is $\tfrac32$.",
                sources=(WEBB_2017,))
    b.apply("unfold", definition="entropy-bits")
    b.apply("write-out", size="C", value=3)
    return b.build()


# -- two classes ------------------------------------------------------------------------
@entry("two-class-reduction")
def two_class() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4, description="number of samples"),
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("i", "i", Role.INDEX, lower=1, upper="N", description="sample index"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("y", "y", Role.DATA, Domain.parse("prob"), ("i",),
                   description="label: probability of class 1 for sample $i$"),
        SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("prob"), ("i",),
                   description="predicted probability of class 1 (a sigmoid output)"),
        SymbolSpec("p", "p", Role.DEFINED, None, ("i", "k"), style="seed", template=r"p_{@0}^{(@1)}",
                   description="label row of sample $i$: $(y_i, 1 - y_i)$, on the simplex"),
        SymbolSpec("phat", r"\hat{p}", Role.DEFINED, None, ("i", "k"), style="seed",
                   template=r"\hat{p}_{@0}^{(@1)}",
                   description=r"predicted row of sample $i$: $(\hat{y}_i, 1 - \hat{y}_i)$, on the simplex"),
        SymbolSpec("H", "H", Role.DEFINED, None, ("i",), template=r"H(\mathbf{p}_{@0}, \hat{\mathbf{p}}_{@0})",
                   description="categorical cross-entropy of sample $i$"),
        SymbolSpec("Hb", "H_b", Role.DEFINED, None, ("i",), template=r"H_b(y_{@0}, \hat{y}_{@0})",
                   description="binary cross-entropy of sample $i$"),
    ))
    i, k, C, N = ctx["i"], ctx["k"], ctx["C"], ctx["N"]
    y, yhat, p, phat = ctx["y"], ctx["yhat"], ctx["p"], ctx["phat"]

    def two_columns(first):
        return first * sp.KroneckerDelta(k, 1) + (1 - first) * sp.KroneckerDelta(k, 2)

    ctx = Context(ctx.symbols, definitions=(
        Definition("label-row", "p", ("i", "k"), two_columns(y[i]), "model",
                   r"two classes on the simplex: $p_i^{(1)} = y_i$ and $p_i^{(2)} = 1 - y_i$"),
        Definition("prediction-row", "phat", ("i", "k"), two_columns(yhat[i]), "model",
                   r"two classes on the simplex: $\hat{p}_i^{(1)} = \hat{y}_i$ and $\hat{p}_i^{(2)} = 1 - \hat{y}_i$"),
        Definition("cross-entropy", "H", ("i",), -sp.Sum(p[i, k] * sp.log(phat[i, k]), (k, 1, C)),
                   "quantity", "the categorical cross-entropy of sample $i$"),
        Definition("binary-cross-entropy", "Hb", ("i",),
                   -(y[i] * sp.log(yhat[i]) + (1 - y[i]) * sp.log(1 - yhat[i])), "quantity",
                   "the binary cross-entropy of sample $i$"),
    ))
    b = Builder("two-class-reduction", "With two classes the categorical cross-entropy is the binary one",
                ctx, start=sp.Sum(ctx["H"][i], (i, 1, N)) / N, sense="min", lhs=r"\hat{\theta}",
                summary=r"The mean categorical cross-entropy at $C = 2$, with rows on the simplex "
                        r"($p_i^{(2)} = 1 - p_i^{(1)}$ and $\hat{p}_i^{(2)} = 1 - \hat{p}_i^{(1)}$, introduced by "
                        r"definition from $y_i = p_i^{(1)}$ and $\hat{y}_i = \hat{p}_i^{(1)}$), is the mean binary "
                        "cross-entropy.",
                sources=(CROSS_VALIDATED_QUESTION, BERNOULLI_POST))
    b.apply("write-out", size="C", value=2, unfold="cross-entropy")
    b.apply("unfold", definition="label-row")
    b.apply("unfold", definition="prediction-row")
    b.apply("recognise", definition="binary-cross-entropy")
    return b.build()


# -- MAP with a uniform prior is maximum likelihood (seed 001) ----------------------------
@entry("map-to-mle")
def map_to_mle() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4, description="number of samples"),
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("i", "i", Role.INDEX, lower=1, upper="N", description="sample index"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("p", "p", Role.DATA, Domain.parse("onehot"), ("i", "k"), style="seed",
                   description="true label probabilities, one-hot (hard labels)"),
        SymbolSpec("phat", r"\hat{p}", Role.PREDICTION, Domain.parse("simplex+"), ("i", "k"), style="seed",
                   description="estimated class probabilities (softmax, entries > 0)"),
        SymbolSpec("evidence", r"P(\mathbf{X})", Role.DATA, Domain.parse("prob"),
                   description=r"the evidence $P(\mathbf{X})$: positive, and fixed by the data"),
        SymbolSpec("c", "c", Role.CONSTANT, Domain.parse("positive"),
                   description="the uniform prior's constant density"),
        SymbolSpec("post", "post", Role.DEFINED, template=r"P(\boldsymbol{\theta} \mid \mathbf{X})",
                   description="posterior of the parameters"),
        SymbolSpec("L", "L", Role.DEFINED, Domain.parse("prob"), template=r"P(\mathbf{X} \mid \boldsymbol{\theta})",
                   description="likelihood of the data"),
        SymbolSpec("prior", "prior", Role.DEFINED, template=r"P(\boldsymbol{\theta})",
                   description="prior of the parameters"),
        SymbolSpec("P", "P", Role.DEFINED, Domain.parse("prob"), ("i",),
                   template=r"P\Big( (\mathbf{x}_{@0}, y_{@0}) \mid \boldsymbol{\theta}\Big)",
                   description="likelihood of sample i"),
        SymbolSpec("H", "H", Role.DEFINED, None, ("i",), template=r"H(\mathbf{p}_{@0}, \hat{\mathbf{p}}_{@0})",
                   description="cross-entropy of sample i"),
    ), parameter_latex=r"\boldsymbol{\theta}")
    i, k, C, N = ctx["i"], ctx["k"], ctx["C"], ctx["N"]
    p, phat = ctx["p"], ctx["phat"]
    ctx = Context(ctx.symbols, parameter_latex=ctx.parameter_latex, definitions=(
        Definition("bayes", "post", (), ctx["L"] * ctx["prior"] / ctx["evidence"], "model",
                   "Bayes' rule"),
        Definition("uniform-prior", "prior", (), ctx["c"], "model",
                   "a uniform prior: every parameter vector equally likely"),
        Definition("iid", "L", (), sp.Product(ctx["P"][i], (i, 1, N)), "model",
                   "i.i.d. samples: the likelihood is a product over samples"),
        Definition("categorical-pmf", "P", ("i",),
                   sp.Product(phat[i, k] ** sp.KroneckerDelta(p[i, k], 1), (k, 1, C)), "model",
                   "categorical distribution with the estimated probabilities"),
        Definition("cross-entropy", "H", ("i",), -sp.Sum(p[i, k] * sp.log(phat[i, k]), (k, 1, C)),
                   "quantity", "the cross-entropy of the estimates against the labels"),
    ))
    b = Builder("map-to-mle", "MAP with a uniform prior is maximum likelihood, and the cross-entropy",
                ctx, start=ctx["post"], sense="max", lhs=r"\hat{\boldsymbol{\theta}}",
                summary=r"The MAP estimate maximises $P(\boldsymbol{\theta} \mid \mathbf{X}) = "
                        r"P(\mathbf{X} \mid \boldsymbol{\theta}) P(\boldsymbol{\theta}) / P(\mathbf{X})$. "
                        r"The evidence $P(\mathbf{X})$ is positive and free of $\boldsymbol{\theta}$, and a "
                        "uniform prior is a positive constant: dropping both leaves the likelihood, whose "
                        "maximiser minimises the summed cross-entropy.",
                sources=(DATA_SCIENCE_ANSWER,))
    b.apply("unfold", definition="bayes")
    b.apply("drop-scalar-factor", symbol="evidence", exponent=-1)
    b.apply("unfold", definition="uniform-prior")
    b.apply("drop-scalar-factor", symbol="c", exponent=1)
    b.apply("unfold", definition="iid")
    b.apply("unfold", definition="categorical-pmf")
    b.apply("indicator-to-exponent")
    b.apply("take-log")
    b.apply("log-of-product")
    b.apply("log-of-power")
    b.apply("negate")
    b.apply("sign-into-sum")
    b.apply("recognise", definition="cross-entropy")
    return b.build()


# -- label smoothing ------------------------------------------------------------------------
@entry("label-smoothing")
def label_smoothing() -> Derivation:
    ctx = Context(symbols=(
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4, description="number of classes"),
        SymbolSpec("k", "k", Role.INDEX, lower=1, upper="C", description="class index"),
        SymbolSpec("y", "y", Role.DATA, Domain.parse("onehot"), ("k",), description="one-hot label"),
        SymbolSpec("yhat", r"\hat{y}", Role.PREDICTION, Domain.parse("simplex+"), ("k",),
                   description="predicted distribution (softmax, entries > 0)"),
        SymbolSpec("eps", r"\varepsilon", Role.CONSTANT, Domain.parse("prob"),
                   description="smoothing strength, a constant in $(0, 1)$"),
        SymbolSpec("ys", r"\tilde{y}", Role.DEFINED, None, ("k",), template=r"\tilde{y}_{@0}",
                   description="smoothed label"),
        SymbolSpec("Hs", "H_s", Role.DEFINED, template=r"H(\tilde{y}, \hat{y})",
                   description="cross-entropy against the smoothed label"),
        SymbolSpec("H", "H", Role.DEFINED, template=r"H(y, \hat{y})", description="cross-entropy"),
        SymbolSpec("Hu", "H_u", Role.DEFINED, template=r"H(u, \hat{y})",
                   description="cross-entropy against the uniform distribution $u_k = 1/C$"),
    ))
    k, C, y, yhat, eps, ys = (ctx[n] for n in ("k", "C", "y", "yhat", "eps", "ys"))
    ctx = Context(ctx.symbols, definitions=(
        Definition("smoothed-label", "ys", ("k",), (1 - eps) * y[k] + eps / C, "model",
                   r"label smoothing: $(1 - \varepsilon) y_k + \varepsilon / C$"),
        Definition("smoothed-cross-entropy", "Hs", (), -sp.Sum(ys[k] * sp.log(yhat[k]), (k, 1, C)), "quantity",
                   "the cross-entropy against the smoothed label"),
        Definition("cross-entropy", "H", (), -sp.Sum(y[k] * sp.log(yhat[k]), (k, 1, C)), "quantity",
                   r"the cross-entropy $H(y, \hat{y})$"),
        Definition("uniform-cross-entropy", "Hu", (), -sp.Sum(sp.log(yhat[k]), (k, 1, C)) / C, "quantity",
                   "the cross-entropy against the uniform distribution"),
    ))
    b = Builder("label-smoothing",
                "Label smoothing mixes the cross-entropy with the cross-entropy against uniform",
                ctx, start=ctx["Hs"], sense="min", lhs=r"\hat{\theta}",
                summary=r"With smoothed labels $(1 - \varepsilon) y_k + \varepsilon / C$ ($\varepsilon$ a "
                        r"constant in $(0, 1)$), the cross-entropy is $(1 - \varepsilon) H(y, \hat{y}) + "
                        r"\varepsilon H(u, \hat{y})$, $u$ the uniform distribution.",
                sources=())
    b.apply("unfold", definition="smoothed-cross-entropy")
    b.apply("unfold", definition="smoothed-label")
    b.apply("distribute")
    b.apply("sum-of-terms")
    b.apply("constant-out-of-sum")
    b.apply("constant-out-of-sum")
    b.apply("recognise-scaled", definition="cross-entropy")
    b.apply("recognise-scaled", definition="uniform-cross-entropy")
    return b.build()
