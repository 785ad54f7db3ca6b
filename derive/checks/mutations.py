"""Corruptions of a line, to show that the checks can fail.

Each mutation returns a new expression or ``None`` when it does not apply.
They are the slips a hand derivation makes: a flipped sign, a dropped term, a
stray factor 2, swapped prediction and label, a log in the wrong base, a sum
bound shifted by one.
"""
from __future__ import annotations

from dataclasses import dataclass
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
    return next((out for _, out in terms_dropped(expr)), None)


def terms_dropped(expr: sp.Expr):
    """``(term, expr without it)`` for every term of every sum of terms, outermost
    sum first and, within a sum, its last term first."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add) and len(node.args) > 1:
            for k in reversed(range(len(node.args))):
                rest = node.args[:k] + node.args[k + 1:]
                yield node.args[k], expr.xreplace({node: sp.Add(*rest)})


def terms_negated(expr: sp.Expr):
    """``(term, expr with that term's sign flipped)`` for every term of every sum
    of terms, outermost sum first, in the sum's order."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add) and len(node.args) > 1:
            for k, term in enumerate(node.args):
                args = list(node.args)
                args[k] = -term
                yield term, expr.xreplace({node: sp.Add(*args)})


def swapped(expr: sp.Expr, a: sp.Basic, b: sp.Basic) -> sp.Expr:
    """``expr`` with ``a`` and ``b`` exchanged everywhere."""
    return expr.xreplace({a: b, b: a})


def swap_prediction_label(expr, ctx):
    """Exchange the label array and the prediction array (H(p, q) -> H(q, p))."""
    data = [s for s in ctx.symbols if s.role is Role.DATA]
    preds = [s for s in ctx.symbols if s.role is Role.PREDICTION]
    if not data or not preds or len(data[0].indices) != len(preds[0].indices):
        return None  # counts y_i and one shared rate lambda: no swap is a formula
    a, b = ctx[data[0].name], ctx[preds[0].name]
    out = swapped(expr, a, b)
    if out == expr:
        out = swapped(ctx.unfold(expr), a, b)
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
    return next((out for out, _ in bounds_shifted(target, ((0, 1),))), None)


#: Which bound of a sum moves and by how much: (0 lower / 1 upper, +1 or -1).
BOUND_SHIFTS = ((0, 1), (0, -1), (1, -1), (1, 1))


def bounds_shifted(expr: sp.Expr, shifts=BOUND_SHIFTS):
    """``(expr with one bound moved, BoundShift)`` for every sum or product, outermost
    first, its last (outermost) index first, each shift of ``shifts`` in order."""
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, (sp.Sum, sp.Product)):
            continue
        for j in reversed(range(len(node.limits))):
            var, lo, hi = node.limits[j]
            for which, delta in shifts:
                new = (var, lo + delta, hi) if which == 0 else (var, lo, hi + delta)
                limits = list(node.limits)
                limits[j] = new
                yield (expr.xreplace({node: type(node)(node.function, *limits)}),
                       BoundShift(node, var, which, (lo, hi)[which], (lo, hi)[which] + delta))


@dataclass(frozen=True)
class BoundShift:
    """A moved bound: of ``node`` over ``index``, the lower (0) or upper (1) one, ``old`` -> ``new``."""

    node: sp.Basic
    index: sp.Symbol
    which: int
    old: sp.Expr
    new: sp.Expr


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
