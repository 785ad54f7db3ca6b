"""How far a line is from a finished loss: the heuristic the search orders by.

The cost counts what a finished loss no longer has: products (over samples or
classes), logs of products, powers and exponentials, parameter-free additive
terms and positive factors (they do not move the minimiser), a maximisation
still to be turned into a minimisation, a sign outside a sum and a sum not yet
averaged over the samples. A line of cost 0 is a finished loss.
"""
from __future__ import annotations

import sympy as sp

from ..checks.intervals import is_positive
from ..core.context import Context, Role

PRODUCT = 20
LOG_OF_COMPOUND = 8
UNSPLIT_CONSTANT = 3
CONSTANT_TERM = 4
CONSTANT_FACTOR = 4
MAXIMISE = 6
SIGN_OUTSIDE = 1
NOT_AVERAGED = 2
PREMATURE_MEAN = 3


def _terms(expr: sp.Basic) -> tuple[sp.Basic, ...]:
    return expr.args if isinstance(expr, sp.Add) else (expr,)


def _is_mean_factor(factor: sp.Basic, ctx: Context) -> bool:
    """``1/N`` for a sample size N: the factor the mean over the samples leaves."""
    if not isinstance(factor, sp.Pow) or factor.exp != -1:
        return False
    spec = ctx.spec_of(factor.base)
    return spec is not None and spec.role is Role.SIZE


def _mean_factor(expr: sp.Basic, ctx: Context) -> bool:
    return isinstance(expr, sp.Mul) and any(_is_mean_factor(f, ctx) for f in expr.args)


def _model_symbol(node: sp.Basic, ctx: Context) -> bool:
    """A symbol a model definition (the likelihood, a pmf) stands for, still folded."""
    spec = ctx.spec_of(node)
    if spec is None or spec.role is not Role.DEFINED:
        return False
    definition = ctx.definitions_by_symbol.get(spec.name)
    return definition is not None and definition.kind == "model"


def _structural(expr: sp.Basic, ctx: Context, depth: int = 0) -> int:
    """Products, logs of compounds and unsplit constants in ``expr``; a folded model
    symbol costs what its definition costs, plus one (unfolding it is a step)."""
    total = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Product):
            total += PRODUCT
        elif isinstance(node, sp.log) and isinstance(node.args[0], (sp.Product, sp.Mul, sp.Pow, sp.exp)):
            total += LOG_OF_COMPOUND
        elif isinstance(node, sp.Sum) and isinstance(node.function, sp.Add):
            total += UNSPLIT_CONSTANT * sum(
                1 for t in node.function.args if not ctx.depends_on_parameters(t))
        elif isinstance(node, (sp.Symbol, sp.Indexed)) and _model_symbol(node, ctx) and depth < 8:
            total += 1 + _structural(ctx.unfold_once(node)[0], ctx, depth + 1)
    return total


def structure_left(expr: sp.Basic, ctx: Context) -> bool:
    """A product, a folded model symbol or a log of a compound is still in ``expr``."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Product) or (isinstance(node, (sp.Symbol, sp.Indexed)) and _model_symbol(node, ctx)):
            return True
        if isinstance(node, sp.log) and isinstance(node.args[0], (sp.Product, sp.Mul, sp.Pow, sp.exp)):
            return True
    return False


def cost(expr: sp.Basic, sense: str, ctx: Context) -> int:
    """The heuristic distance of the line ``expr`` (optimised in ``sense``) from a loss."""
    total = _structural(expr, ctx)
    if sense == "max":
        total += MAXIMISE
    body = expr
    averaged = _mean_factor(expr, ctx)
    if averaged:
        body = sp.Mul(*[f for f in expr.args if not _is_mean_factor(f, ctx)])
    elif sense != "eq":
        total += NOT_AVERAGED
    if sense != "eq" and ctx.parameter_names:
        terms = _terms(body)
        if len(terms) > 1:
            total += CONSTANT_TERM * sum(1 for t in terms if not ctx.depends_on_parameters(t))
        if isinstance(body, sp.Mul):
            total += CONSTANT_FACTOR * sum(
                1 for f in body.args
                if f != -1 and not ctx.depends_on_parameters(f) and is_positive(ctx.unfold(f), ctx.interval))
            if body.could_extract_minus_sign() and any(isinstance(f, sp.Sum) for f in body.args):
                total += SIGN_OUTSIDE
    if averaged and total:
        total += PREMATURE_MEAN  # the mean is the last move: average a finished loss
    return total
