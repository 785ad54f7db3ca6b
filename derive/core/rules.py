"""Rewrite rules: named, pure, and registered by name.

Each rule rewrites one node (``apply`` returns the new node or ``None``) and
declares the relation it creates, its side condition, and the LaTeX
justification printed next to the line it produces. Where in the tree it acts
is a placement from :mod:`derive.strategies`, not the rule's business.
The checks never trust a rule: every step is verified on its own.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, ClassVar

import sympy as sp

from .context import Context
from ..checks.intervals import is_positive
from .relations import MapKind, MonotoneMap, Relation
from .strategies import everywhere as everywhere_fn

RULES: dict[str, type["Rule"]] = {}


def register(cls: type["Rule"]) -> type["Rule"]:
    if cls.name in RULES:
        raise ValueError(f"rule {cls.name!r} registered twice")
    RULES[cls.name] = cls
    return cls


def make_rule(name: str, **params) -> "Rule":
    """The registered rule ``name``, bound to its parameters."""
    try:
        cls = RULES[name]
    except KeyError:
        raise KeyError(f"unknown rule {name!r}; known: {', '.join(sorted(RULES))}") from None
    return cls(**params)


@dataclass(frozen=True)
class Rule:
    """Base of every rule. Subclasses set the class attributes and ``apply``."""

    name: ClassVar[str] = ""
    relation: ClassVar[Relation] = Relation.EQ
    placement: ClassVar[str] = "everywhere"
    side_condition: ClassVar[str] = ""

    def apply(self, expr: sp.Basic, ctx: Context) -> sp.Basic | None:  # pragma: no cover
        raise NotImplementedError

    def justification(self, ctx: Context) -> str:
        """LaTeX-free short text printed beside the line this rule makes."""
        return self.name

    def monotone_map(self, ctx: Context) -> MonotoneMap | None:
        return None

    def monotone_map_between(self, before: sp.Basic, after: sp.Basic, ctx: Context) -> MonotoneMap | None:
        """The map this rule applied to turn the line ``before`` into ``after``.

        Most rules apply the same map to any line (:meth:`monotone_map`); a rule
        that drops a term or a factor of the line it sees overrides this.
        """
        return self.monotone_map(ctx)

    def params(self) -> dict:
        return {}

    def substitution(self, ctx: Context) -> dict:
        return {}

    def wrt(self, ctx: Context) -> sp.Expr | None:
        """The prediction element a ``derivative`` step differentiates by."""
        return None


def _positive(ctx: Context) -> Callable[[sp.Basic], bool]:
    """Positivity on the domain, seeing through definitions."""
    return lambda e: is_positive(ctx.unfold(e), ctx.interval)


# -- definitions ---------------------------------------------------------------
@register
@dataclass(frozen=True)
class Unfold(Rule):
    """``D -> rhs(D)``: replace a defined symbol by its definition."""

    definition: str = ""
    name: ClassVar[str] = "unfold"
    relation: ClassVar[Relation] = Relation.DEFN

    def apply(self, expr, ctx):
        spec = ctx.spec_of(expr)
        if spec is None or spec.name != ctx.definitions_by_name[self.definition].symbol:
            return None
        return ctx.unfold_once(expr, only=spec.name)[0]

    def justification(self, ctx):
        return ctx.definitions_by_name[self.definition].statement

    def params(self):
        return {"definition": self.definition}


@register
@dataclass(frozen=True)
class Fold(Rule):
    """``rhs(D)[i := j] -> D_j``: recognise an instance of a defined quantity."""

    definition: str = ""
    name: ClassVar[str] = "recognise"

    def apply(self, expr, ctx):
        definition = ctx.definitions_by_name[self.definition]
        params = [ctx[p] for p in definition.params]
        symbol = ctx[definition.symbol]
        # Candidate index values: every index expression the node mentions.
        candidates = sorted({idx for el in expr.atoms(sp.Indexed) for idx in el.indices},
                            key=sp.default_sort_key)
        for values in itertools.product(candidates, repeat=len(params)):
            if definition.rhs.xreplace(dict(zip(params, values))) == expr:
                return symbol[values] if values else symbol
        return None

    def justification(self, ctx):
        return "recognise " + ctx.definitions_by_name[self.definition].statement

    def params(self):
        return {"definition": self.definition}


# -- indicators ----------------------------------------------------------------
@register
@dataclass(frozen=True)
class IndicatorToExponent(Rule):
    """``1{y = 1} -> y`` for a label entry y in {0, 1} (one-hot encoding)."""

    name: ClassVar[str] = "indicator-to-exponent"
    side_condition: ClassVar[str] = "y in {0, 1}"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.KroneckerDelta):
            return None
        a, b = expr.args
        for value, one in ((a, b), (b, a)):
            spec = ctx.spec_of(value)
            if one == 1 and spec is not None and spec.domain is not None and spec.domain.is_zero_one():
                return value
        return None

    def justification(self, ctx):
        return "one-hot labels: the indicator is the label itself"


# -- logarithms ----------------------------------------------------------------
@register
@dataclass(frozen=True)
class TakeLog(Rule):
    """``F -> log F`` on a positive objective: log is strictly increasing."""

    name: ClassVar[str] = "take-log"
    relation: ClassVar[Relation] = Relation.SAME_ARGMAX
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "F > 0"

    def apply(self, expr, ctx):
        return sp.log(expr) if _positive(ctx)(expr) else None

    def monotone_map(self, ctx):
        return MonotoneMap(MapKind.LOG)

    def justification(self, ctx):
        return r"$\log$ is strictly increasing"


@register
@dataclass(frozen=True)
class LogOfProduct(Rule):
    """``log prod_i f_i -> sum_i log f_i`` (every f_i > 0)."""

    name: ClassVar[str] = "log-of-product"
    placement: ClassVar[str] = "first"
    side_condition: ClassVar[str] = "f_i > 0"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.log) or not isinstance(expr.args[0], sp.Product):
            return None
        product = expr.args[0]
        if not _positive(ctx)(product.function):
            return None
        return sp.Sum(sp.log(product.function), *product.limits)

    def justification(self, ctx):
        return "log of a product is the sum of the logs"


@register
@dataclass(frozen=True)
class LogOfMul(Rule):
    """``log(a b) -> log a + log b`` (a > 0, b > 0)."""

    name: ClassVar[str] = "log-of-mul"
    side_condition: ClassVar[str] = "every factor > 0"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.log) or not isinstance(expr.args[0], sp.Mul):
            return None
        factors = expr.args[0].args
        if not all(_positive(ctx)(f) for f in factors):
            return None
        return sp.Add(*[sp.log(f) for f in factors])

    def justification(self, ctx):
        return "log of a product is the sum of the logs"


@register
@dataclass(frozen=True)
class LogOfPower(Rule):
    """``log(b^e) -> e log b`` (b > 0, e real)."""

    name: ClassVar[str] = "log-of-power"
    side_condition: ClassVar[str] = "b > 0"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.log) or not isinstance(expr.args[0], sp.Pow):
            return None
        base, exponent = expr.args[0].args
        if not _positive(ctx)(base) or exponent.is_real is not True:
            return None
        return exponent * sp.log(base)

    def justification(self, ctx):
        return "log of a power: the exponent comes down"


# -- objective-level moves -------------------------------------------------------
@register
@dataclass(frozen=True)
class Negate(Rule):
    """``max F -> min (-F)``: negation reverses the order."""

    name: ClassVar[str] = "negate"
    relation: ClassVar[Relation] = Relation.SAME_ARGMIN
    placement: ClassVar[str] = "root"

    def apply(self, expr, ctx):
        return -expr

    def monotone_map(self, ctx):
        return MonotoneMap(MapKind.NEGATE)

    def justification(self, ctx):
        return "negate: the maximiser of $F$ is the minimiser of $-F$"


@register
@dataclass(frozen=True)
class NormaliseBy(Rule):
    """``F -> F / N`` for a size N > 0: the optimiser is unchanged."""

    size: str = "N"
    name: ClassVar[str] = "normalise"
    relation: ClassVar[Relation] = Relation.SAME_ARGMIN
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "N > 0"

    def apply(self, expr, ctx):
        return expr / ctx[self.size]

    def monotone_map(self, ctx):
        return MonotoneMap(MapKind.SCALE, 1 / ctx[self.size])

    def justification(self, ctx):
        return f"divide by ${ctx.spec(self.size).latex} > 0$: the mean over the samples"

    def params(self):
        return {"size": self.size}


@register
@dataclass(frozen=True)
class Specialise(Rule):
    """``F(N) -> F(1)``: one sample; a sum over a single term is that term."""

    size: str = "N"
    value: int = 1
    name: ClassVar[str] = "specialise"
    relation: ClassVar[Relation] = Relation.SPECIALISE
    placement: ClassVar[str] = "root"

    def apply(self, expr, ctx):
        fixed = expr.xreplace({ctx[self.size]: sp.Integer(self.value)})
        return collapse_single_terms(fixed)

    def justification(self, ctx):
        return f"one data point: ${ctx.spec(self.size).latex} = {self.value}$"

    def params(self):
        return {"size": self.size, "value": self.value}

    def substitution(self, ctx):
        return {self.size: self.value}


def collapse_single_terms(expr: sp.Basic) -> sp.Basic:
    """``sum_{i=a}^{a} f(i) -> f(a)`` and the same for products, everywhere."""

    def one(node):
        if not isinstance(node, (sp.Sum, sp.Product)):
            return None
        single = {var: lo for var, lo, hi in node.limits if lo == hi}
        if not single:
            return None
        kept = [sp.Tuple(*limit).xreplace(single) for limit in node.limits if limit[0] not in single]
        body = node.function.xreplace(single)
        return type(node)(body, *kept) if kept else body

    out = everywhere_fn(one)(expr)
    return expr if out is None else out


@register
@dataclass(frozen=True)
class SignIntoSum(Rule):
    """``-sum_i g_i -> sum_i (-g_i)``: the sign moves into the outermost sum.

    With nested sums only the outermost moves: ``-sum_i sum_k f`` becomes
    ``sum_i (-sum_k f)``, the per-sample form the cross-entropy is read from.
    """

    name: ClassVar[str] = "sign-into-sum"
    placement: ClassVar[str] = "first"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Mul) or not expr.could_extract_minus_sign():
            return None
        sums = [a for a in expr.args if isinstance(a, sp.Sum)]
        if len(sums) != 1:
            return None
        outer = sums[0]
        rest = sp.Mul(*[a for a in expr.args if a is not outer]) * -1
        *inner_limits, outer_limit = outer.limits
        inner = sp.Sum(outer.function, *inner_limits) if inner_limits else outer.function
        return rest * sp.Sum(-inner, outer_limit)

    def justification(self, ctx):
        return "move the sign into the sum"
