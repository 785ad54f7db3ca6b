"""Named quantities a found loss is read as: the binary and the categorical cross-entropy.

Each recogniser looks at a likelihood's context (data and parameters with their
domains and indices) and gives the definitions that apply there, with the
symbols that print them; the search recognises them in its last line
(``recognise``), and the checks unfold them again, so a wrong reading fails
its step.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.domains import Kind

Recogniser = Callable[[Context], list[tuple[SymbolSpec, Definition]]]
QUANTITIES: list[Recogniser] = []


def quantity(fn: Recogniser) -> Recogniser:
    """Register a recogniser of named quantities."""
    QUANTITIES.append(fn)
    return fn


def _arrays(ctx: Context, role: Role, kinds: set[Kind], ndim: int) -> list[SymbolSpec]:
    return [s for s in ctx.symbols if s.role is role and s.domain is not None
            and s.domain.kind in kinds and len(s.indices) == ndim]


def _fresh(ctx: Context, base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in ctx.by_name or name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


@quantity
def binary_cross_entropy(ctx: Context) -> list[tuple[SymbolSpec, Definition]]:
    """``H_b(y_i, p_i) := -y_i log p_i - (1 - y_i) log(1 - p_i)`` for binary labels y and probabilities p."""
    out = []
    taken: set[str] = set()
    for y in _arrays(ctx, Role.DATA, {Kind.BINARY}, 1):
        for p in _arrays(ctx, Role.PREDICTION, {Kind.PROB}, 1):
            if y.indices != p.indices:
                continue
            i = ctx[y.indices[0]]
            Y, P = ctx[y.name], ctx[p.name]
            name = _fresh(ctx, "Hb", taken)
            spec = SymbolSpec(name, "H_b", Role.DEFINED, None, y.indices,
                              template=rf"H_b({y.latex}_{{@0}}, {p.latex}_{{@0}})",
                              description="binary cross-entropy of sample $i$")
            rhs = -Y[i] * sp.log(P[i]) - (1 - Y[i]) * sp.log(1 - P[i])
            out.append((spec, Definition("binary-cross-entropy", name, (y.indices[0],), rhs, "quantity",
                                         "the binary cross-entropy of the prediction against the label")))
    return out


@quantity
def cross_entropy(ctx: Context) -> list[tuple[SymbolSpec, Definition]]:
    """``H(y_i, q_i) := -sum_k y_ik log q_ik`` for one-hot (or simplex) rows y and probability rows q."""
    out = []
    taken: set[str] = set()
    for y in _arrays(ctx, Role.DATA, {Kind.ONEHOT, Kind.SIMPLEX}, 2):
        for q in _arrays(ctx, Role.PREDICTION, {Kind.SIMPLEX}, 2):
            if y.indices != q.indices:
                continue
            i, k = (ctx[n] for n in y.indices)
            Y, Q = ctx[y.name], ctx[q.name]
            name = _fresh(ctx, "H", taken)
            spec = SymbolSpec(name, "H", Role.DEFINED, None, y.indices[:1],
                              template=rf"H(\mathbf{{{y.latex}}}_{{@0}}, \mathbf{{{q.latex}}}_{{@0}})",
                              description="cross-entropy of sample $i$")
            rhs = -sp.Sum(Y[i, k] * sp.log(Q[i, k]), ctx.limits(y.indices[1]))
            out.append((spec, Definition("cross-entropy", name, (y.indices[0],), rhs, "quantity",
                                         "the cross-entropy of the predictions against the labels")))
    return out


def with_quantities(ctx: Context) -> Context:
    """``ctx`` with every named quantity that applies to its symbols defined."""
    found = [pair for recogniser in QUANTITIES for pair in recogniser(ctx)]
    if not found:
        return ctx
    return Context(ctx.symbols + tuple(s for s, _ in found), ctx.definitions + tuple(d for _, d in found),
                   ctx.parameter_latex)
