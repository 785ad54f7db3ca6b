"""Corruptions of a line, to show that the checks can fail.

Each mutation returns a new expression or ``None`` when it does not apply.
They are the slips a hand derivation makes: a flipped sign, a dropped term, a
stray factor 2, swapped prediction and label, a log in the wrong base, a sum
bound shifted by one.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from ..core.context import Context, Role

Mutation = Callable[[sp.Expr, Context], "sp.Expr | None"]


def flip_sign(expr, ctx):
    return -expr


def times_two(expr, ctx):
    return 2 * expr


def drop_term(expr, ctx):
    """Remove the last term of the first sum of terms (outermost first)."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add) and len(node.args) > 1:
            return expr.xreplace({node: sp.Add(*node.args[:-1])})
    return None


def swap_prediction_label(expr, ctx):
    """Exchange the label array and the prediction array (H(p, q) -> H(q, p))."""
    data = [s for s in ctx.symbols if s.role is Role.DATA]
    preds = [s for s in ctx.symbols if s.role is Role.PREDICTION]
    if not data or not preds:
        return None
    a, b = ctx[data[0].name], ctx[preds[0].name]
    swap = {a: b, b: a}
    out = expr.xreplace(swap)
    if out == expr:
        out = ctx.unfold(expr).xreplace(swap)
    return out


def log_base_two(expr, ctx):
    """Write the first natural log as a log in base 2."""
    target = expr if expr.has(sp.log) else ctx.unfold(expr)
    for node in sp.preorder_traversal(target):
        if isinstance(node, sp.log) and len(node.args) == 1:
            return target.xreplace({node: sp.log(node.args[0], 2)})
    return None


def shift_bound(expr, ctx):
    """Start the first sum or product one index later (drops its first term)."""
    target = expr if expr.has(sp.Sum, sp.Product) else ctx.unfold(expr)
    for node in sp.preorder_traversal(target):
        if isinstance(node, (sp.Sum, sp.Product)):
            var, lo, hi = node.limits[-1]
            limits = list(node.limits[:-1]) + [(var, lo + 1, hi)]
            return target.xreplace({node: type(node)(node.function, *limits)})
    return None


MUTATIONS: dict[str, Mutation] = {
    "flip-sign": flip_sign,
    "drop-term": drop_term,
    "times-two": times_two,
    "swap-prediction-label": swap_prediction_label,
    "log-base-2": log_base_two,
    "shift-bound": shift_bound,
}


def mutants(expr: sp.Expr, ctx: Context) -> dict[str, sp.Expr]:
    """Every applicable mutation of ``expr`` that actually changes it.

    A "mutant" that is the same function written differently is no slip:
    swapping y and mu in ``(y - mu)^2`` changes nothing. Such a mutant is left
    out when plain polynomial expansion already shows it equal.
    """
    out = {}
    unfolded = ctx.unfold(expr)
    for name, mutate in MUTATIONS.items():
        new = mutate(expr, ctx)
        if new is None or new == expr or new == unfolded:
            continue
        if sp.expand(ctx.unfold(new) - unfolded, log=False) == 0:
            continue
        out[name] = new
    return out
