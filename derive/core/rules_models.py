"""Rules for model likelihoods (Gaussian, Laplace, Poisson, softmax, sigmoid).

They register into the same registry as :mod:`derive.rules` and follow the
same contract: pure, one node at a time, a declared relation and side
condition, and never trusted by the checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from ..checks.canonical import bound_symbols, sift_deltas
from .context import Context, Role
from ..checks.intervals import is_positive
from .relations import MapKind, MonotoneMap, Relation
from .rules import Rule, register
from .strategies import everywhere


def _free_of_parameters(expr: sp.Basic, ctx: Context) -> bool:
    return not ctx.depends_on_parameters(expr)


def _positive_on_domain(expr: sp.Basic, ctx: Context) -> bool:
    return is_positive(ctx.unfold(expr), ctx.interval)


@register
@dataclass(frozen=True)
class SplitSum(Rule):
    """``sum_i (c a_i + t) -> c sum_i a_i + n t``: a sum splits over its terms.

    Products are first multiplied out over sums (``y (z - s) -> y z - y s``,
    powers are left alone); factors free of the index leave the sum; a term
    free of the index becomes the number of terms ``n = hi - lo + 1`` times it.
    """

    name: ClassVar[str] = "split-sum"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Sum) or len(expr.limits) != 1:
            return None
        var, lo, hi = expr.limits[0]
        body = sp.expand_mul(expr.function)
        terms = body.args if isinstance(body, sp.Add) else (body,)
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


@register
@dataclass(frozen=True)
class RowSumToOne(Rule):
    """``sum_k y_k -> 1`` for a one-hot (or simplex) row summed over all its classes."""

    name: ClassVar[str] = "row-sum-to-one"
    side_condition: ClassVar[str] = "y one-hot, the sum over its whole range"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Sum) or len(expr.limits) != 1 or not isinstance(expr.function, sp.Indexed):
            return None
        var, lo, hi = expr.limits[0]
        spec = ctx.spec_of(expr.function)
        if spec is None or spec.domain is None or spec.domain.kind.value not in ("onehot", "simplex"):
            return None
        *head, last = expr.function.indices
        if last != var or any(h.has(var) for h in head) or tuple(ctx.limits(spec.indices[-1])[1:]) != (lo, hi):
            return None
        return sp.Integer(1)

    def justification(self, ctx):
        return "a one-hot label sums to 1 over the classes"


def _reciprocal_parts(term: sp.Basic):
    """``term = -b / (1 + a)`` as ``(b, 1 + a)``, or None."""
    if not isinstance(term, sp.Mul):
        return None
    denominators = [f for f in term.args if isinstance(f, sp.Pow) and f.exp == -1 and isinstance(f.base, sp.Add)
                    and sp.Integer(1) in f.base.args]
    if len(denominators) != 1:
        return None
    numerator = -sp.Mul(*[f for f in term.args if f is not denominators[0]])
    return numerator, denominators[0].base


@register
@dataclass(frozen=True)
class ComplementOfFraction(Rule):
    """``1 - 1/(1 + a) -> a/(1 + a)`` and ``1 - a/(1 + a) -> 1/(1 + a)`` (1 + a != 0).

    Acts inside a sum of terms: the 1 and the fraction are replaced, the other
    terms stay.
    """

    name: ClassVar[str] = "complement-of-fraction"
    side_condition: ClassVar[str] = "1 + a != 0"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Add) or sp.Integer(1) not in expr.args:
            return None
        for term in expr.args:
            parts = _reciprocal_parts(term)
            if parts is None:
                continue
            numerator, denominator = parts
            a = denominator - 1
            if numerator == 1:
                replacement = a / denominator
            elif numerator == a:
                replacement = 1 / denominator
            else:
                continue
            rest = list(expr.args)
            rest.remove(sp.Integer(1))
            rest.remove(term)
            return sp.Add(*rest, replacement)
        return None

    def justification(self, ctx):
        return "one minus a fraction over the same denominator"


@register
@dataclass(frozen=True)
class CollectTerms(Rule):
    """``a x + b x + c -> (a + b) x + c``: multiply out, cancel, collect by the prediction x."""

    variable: str = ""
    name: ClassVar[str] = "collect"
    placement: ClassVar[str] = "root"

    def apply(self, expr, ctx):
        expanded = sp.expand(expr, log=False, power_base=False, power_exp=False)
        return sp.collect(expanded, ctx[self.variable])

    def justification(self, ctx):
        return f"multiply out, cancel, and collect the terms in ${ctx.spec(self.variable).latex}$"

    def params(self):
        return {"variable": self.variable}


@register
@dataclass(frozen=True)
class Differentiate(Rule):
    """``F -> dF/dx``: the partial derivative by a prediction element x (``z_j``).

    Definitions are unfolded first; sums that only keep the term k = j after
    differentiation (``sum_k f_k 1{j = k}``) are written as that term.
    """

    variable: str = ""
    index: tuple[str, ...] = ()
    name: ClassVar[str] = "differentiate"
    relation: ClassVar[Relation] = Relation.DERIVATIVE
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "x a prediction in an open domain, F differentiable in x"

    def apply(self, expr, ctx):
        spec = ctx.spec(self.variable)
        if spec.role is not Role.PREDICTION:
            return None
        derivative = sp.diff(ctx.unfold(expr), self.variable_element(ctx))
        sifted = everywhere(sift_deltas(ctx, bound_symbols(derivative)))(derivative)
        return derivative if sifted is None else sifted

    def variable_element(self, ctx: Context) -> sp.Expr:
        base = ctx[self.variable]
        return base[tuple(ctx[i] for i in self.index)] if self.index else base

    def wrt(self, ctx):
        return self.variable_element(ctx)

    def justification(self, ctx):
        return "the gradient: differentiate with respect to one prediction"

    def params(self):
        return {"variable": self.variable, "index": list(self.index)}


@register
@dataclass(frozen=True)
class Solve(Rule):
    """``g(x) -> x*``: the only root of a gradient in one parameter x, when clearing its
    denominator leaves a numerator linear in x (sums split over their terms first)."""

    variable: str = ""
    name: ClassVar[str] = "solve"
    relation: ClassVar[Relation] = Relation.SOLVES
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "x one parameter; the gradient's numerator linear in x, with a slope never 0"

    def apply(self, expr, ctx):
        spec = ctx.spec(self.variable)
        x = ctx[self.variable]
        if spec.role is not Role.PREDICTION or not isinstance(x, sp.Symbol):
            return None
        found = linear_root(ctx.unfold(expr), x)
        return None if found is None else found[0]

    def wrt(self, ctx):
        return ctx[self.variable]

    def justification(self, ctx):
        return f"set the gradient to zero and solve for ${ctx.spec(self.variable).latex}$"

    def params(self):
        return {"variable": self.variable}


def split_sums(expr: sp.Expr, x: sp.Symbol | None = None) -> sp.Expr:
    """Sums (those that read ``x``, when given) split over their terms, factors free of the
    index taken out: ``sum_i (y_i - mu)`` is ``sum_i y_i - N mu``."""
    def split(node):
        if not isinstance(node, sp.Sum) or len(node.limits) != 1 or (x is not None and not node.has(x)):
            return node
        i, lo, hi = node.limits[0]
        out = []
        for term in sp.Add.make_args(sp.expand(node.function)):
            free = [f for f in sp.Mul.make_args(term) if not f.has(i)]
            bound = [f for f in sp.Mul.make_args(term) if f.has(i)]
            out.append(sp.Mul(*free) * (sp.Sum(sp.Mul(*bound), (i, lo, hi)) if bound else (hi - lo + 1)))
        return sp.Add(*out)
    return sp.expand(expr.replace(lambda n: isinstance(n, sp.Sum), split))


def linear_root(expr: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """``(root, slope, denominator)`` when ``expr`` is ``(slope * x + rest) / denominator``
    with slope and rest free of x (sums split first); else None."""
    try:
        # sums free of x are atoms here: their bodies stay as written ((y_i - m)^2, not expanded)
        atoms = {node: sp.Dummy(f"s{k}") for k, node in enumerate(
            n for n in sp.preorder_traversal(expr) if isinstance(n, sp.Sum) and not n.has(x))}
        back = {d: node for node, d in atoms.items()}
        num, den = sp.fraction(sp.together(split_sums(expr.xreplace(atoms), x)))
        num = sp.expand(num)
        slope = sp.expand(sp.diff(num, x))
        if slope == 0 or slope.has(x):
            return None
        rest = sp.expand(num - slope * x)
        if rest.has(x):
            return None
        return sp.simplify(-rest / slope).xreplace(back), slope.xreplace(back), den.xreplace(back)
    except (sp.PolynomialError, TypeError, ValueError, NotImplementedError, RecursionError):
        return None
