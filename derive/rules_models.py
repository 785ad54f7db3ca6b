"""Rules for model likelihoods (Gaussian, Laplace, Poisson, softmax, sigmoid).

They register into the same registry as :mod:`derive.rules` and follow the
same contract: pure, one node at a time, a declared relation and side
condition, and never trusted by the checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from .context import Context
from .intervals import is_positive
from .relations import MapKind, MonotoneMap, Relation
from .rules import Rule, register


def _free_of_parameters(expr: sp.Basic, ctx: Context) -> bool:
    return not ctx.depends_on_parameters(expr)


def _positive_on_domain(expr: sp.Basic, ctx: Context) -> bool:
    return is_positive(ctx.unfold(expr), ctx.interval)


@register
@dataclass(frozen=True)
class SplitSum(Rule):
    """``sum_i (c a_i + t) -> c sum_i a_i + n t``: a sum splits over its terms.

    Factors free of the index leave the sum; a term free of the index becomes
    the number of terms ``n = hi - lo + 1`` times the term.
    """

    name: ClassVar[str] = "split-sum"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Sum) or len(expr.limits) != 1:
            return None
        var, lo, hi = expr.limits[0]
        terms = expr.function.args if isinstance(expr.function, sp.Add) else (expr.function,)
        parts = []
        for term in terms:
            factors = term.args if isinstance(term, sp.Mul) else (term,)
            const = sp.Mul(*[f for f in factors if not f.has(var)])
            dependent = sp.Mul(*[f for f in factors if f.has(var)])
            if dependent == 1:
                parts.append((hi - lo + 1) * const)
            else:
                parts.append(const * sp.Sum(dependent, (var, lo, hi)))
        out = sp.Add(*parts)
        return None if out == expr else out

    def justification(self, ctx):
        return "a sum splits over its terms; constants leave the sum"


@register
@dataclass(frozen=True)
class DropConstant(Rule):
    """``F + t -> F`` when t is free of the parameters: the optimiser is unchanged.

    The step records the shift ``-t`` it applied.
    """

    name: ClassVar[str] = "drop-constant"
    relation: ClassVar[Relation] = Relation.SAME_ARGMIN
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "t free of the parameters, finite"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Add):
            return None
        kept = [t for t in expr.args if not _free_of_parameters(t, ctx)]
        if not kept or len(kept) == len(expr.args):
            return None
        return sp.Add(*kept)

    def monotone_map_between(self, before, after, ctx):
        return MonotoneMap(MapKind.SHIFT, after - before)

    def justification(self, ctx):
        return "drop a term free of the parameters"


@register
@dataclass(frozen=True)
class DropFactor(Rule):
    """``c F -> F`` for a factor c > 0 free of the parameters: the optimiser is unchanged.

    The step records the scaling by ``1/c`` it applied.
    """

    name: ClassVar[str] = "drop-factor"
    relation: ClassVar[Relation] = Relation.SAME_ARGMIN
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "c > 0, free of the parameters, finite"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Mul):
            return None
        const = [f for f in expr.args if _free_of_parameters(f, ctx) and _positive_on_domain(f, ctx)]
        rest = [f for f in expr.args if f not in const]
        if not const or not rest:
            return None
        return sp.Mul(*rest)

    def monotone_map_between(self, before, after, ctx):
        return MonotoneMap(MapKind.SCALE, after / before)  # sympy cancels the kept factors

    def justification(self, ctx):
        return "drop a positive factor free of the parameters"
