"""Information theory around the cross-entropy (seed 002, and seed 000's open question).

Seed 002's notation: M classes indexed by j, the label y (one-hot, or a
distribution p), the prediction y-hat; N examples indexed by i.
"""
from __future__ import annotations

import sympy as sp

from ..context import Context, Definition, Role, SymbolSpec
from ..domains import Domain
from ..refutation import Claim
from . import refutation_entry

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
