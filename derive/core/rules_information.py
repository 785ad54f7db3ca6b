"""Rules of the information-theory family: KL, entropy, bits, soft labels, MAP.

Registered into the same registry as :mod:`derive.rules`. As everywhere, the
checks never trust these rules: each step is verified on its own.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp
from sympy.codegen.cfunctions import log2

from .context import Context, Role
from ..checks.intervals import interval_of
from .relations import MapKind, MonotoneMap, Relation
from .rules import Rule, _positive, collapse_single_terms, register
from .strategies import everywhere as everywhere_fn


def _nonnegative(ctx: Context):
    return lambda e: interval_of(ctx.unfold(e), ctx.interval).nonnegative


def _zero_one(ctx: Context, e: sp.Basic) -> bool:
    spec = ctx.spec_of(e)
    return (isinstance(e, (sp.Symbol, sp.Indexed)) and spec is not None and spec.domain is not None
            and spec.domain.is_zero_one())


@register
@dataclass(frozen=True)
class WeightedLogOfRatio(Rule):
    """``w log(w / b) -> w log w - w log b`` (b > 0, w >= 0; 0 log 0 = 0).

    More generally ``w log(w c) -> w log w + w log c`` for c > 0: the factor
    that may be 0 must also weigh the log, so where it is 0 both sides are 0.
    """

    name: ClassVar[str] = "weighted-log-of-ratio"
    side_condition: ClassVar[str] = "b > 0, w >= 0 and w weighs the log (0 log 0 = 0)"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Mul):
            return None
        logs = [f for f in expr.args if isinstance(f, sp.log) and len(f.args) == 1
                and isinstance(f.args[0], sp.Mul)]
        if len(logs) != 1:
            return None
        log = logs[0]
        rest = sp.Mul(*[f for f in expr.args if f is not log])
        positive, nonneg = _positive(ctx), _nonnegative(ctx)
        inner = log.args[0].args
        weights = [g for g in inner if not positive(g)]
        if not weights or not all(nonneg(g) and g in expr.args for g in weights):
            return None
        terms = []
        for g in inner:
            if isinstance(g, sp.Pow) and g.exp == -1 and positive(g.base):
                terms.append(-rest * sp.log(g.base))
            else:
                terms.append(rest * sp.log(g))
        return sp.Add(*terms)

    def justification(self, ctx):
        return r"log of a ratio, weighted by its numerator ($0 \log 0 = 0$)"


@register
@dataclass(frozen=True)
class OneHotLogRatio(Rule):
    """``y log(y / b) -> -y log b`` for y in {0, 1} and b > 0.

    ``y log(y / b) = y log y - y log b``, and ``y log y = 0`` when y is 0 or 1
    (1 log 1 = 0, 0 log 0 = 0): the entropy of a one-hot label vanishes.
    """

    name: ClassVar[str] = "one-hot-log-ratio"
    side_condition: ClassVar[str] = "y in {0, 1}, b > 0 (0 log 0 = 0)"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Mul):
            return None
        positive = _positive(ctx)
        for f in expr.args:
            if not (isinstance(f, sp.log) and len(f.args) == 1 and isinstance(f.args[0], sp.Mul)):
                continue
            inner = f.args[0].args
            labels = [g for g in inner if _zero_one(ctx, g) and g in expr.args]
            others = [g for g in inner if g not in labels]
            if len(labels) == 1 and others and all(positive(g) for g in others):
                rest = sp.Mul(*[a for a in expr.args if a is not f])
                kept = sp.Mul(*others)
                if isinstance(kept, sp.Pow) and kept.exp == -1:
                    return -rest * sp.log(kept.base)
                return rest * sp.log(kept)
        return None

    def justification(self, ctx):
        return (r"one-hot label: $y \log y = 0$ ($1 \log 1 = 0$, $0 \log 0 = 0$), "
                r"so $y \log(y / b) = -y \log b$")


@register
@dataclass(frozen=True)
class SumOfTerms(Rule):
    """``sum_k (a_k + b_k) -> sum_k a_k + sum_k b_k``, numeric factors out: ``sum_k -a_k -> -sum_k a_k``."""

    name: ClassVar[str] = "sum-of-terms"
    placement: ClassVar[str] = "first"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Sum):
            return None
        terms = sp.Add.make_args(expr.function)
        out = []
        for t in terms:
            coeff, rest = t.as_coeff_Mul()
            out.append(coeff * sp.Sum(rest, *expr.limits))
        new = sp.Add(*out)
        return None if new == expr else new

    def justification(self, ctx):
        return "a sum of terms is the sum of the sums (linearity)"


def _plain_factor(expr: sp.Basic, ctx: Context) -> bool:
    """A factor made of numbers, sizes and constants only (no arrays, sums or products)."""
    if expr.has(sp.Sum, sp.Product, sp.Indexed):
        return False
    specs = [ctx.spec_of(s) for s in expr.free_symbols]
    return all(spec is not None and spec.role in (Role.SIZE, Role.CONSTANT) for spec in specs)


@register
@dataclass(frozen=True)
class RecogniseScaled(Rule):
    """``c rhs(D) -> c D`` for a factor c of numbers, sizes and constants.

    ``-rhs(D) -> -D``, ``rhs(D) / log 2 -> D / log 2``, ``n rhs(D) -> n D``.
    """

    definition: str = ""
    name: ClassVar[str] = "recognise-scaled"

    def apply(self, expr, ctx):
        definition = ctx.definitions_by_name[self.definition]
        if not expr.atoms(sp.Indexed):
            return None
        params = [ctx[p] for p in definition.params]
        candidates = sorted({idx for el in expr.atoms(sp.Indexed) for idx in el.indices}, key=sp.default_sort_key)
        for values in itertools.product(candidates, repeat=len(params)):
            rhs = definition.rhs.xreplace(dict(zip(params, values)))
            if rhs == expr:
                return None  # a plain recognise, not this rule's business
            ratio = expr / rhs
            if ratio != 0 and _plain_factor(ratio, ctx):
                symbol = ctx[definition.symbol]
                return ratio * (symbol[values] if values else symbol)
        return None

    def justification(self, ctx):
        return "recognise a multiple of " + ctx.definitions_by_name[self.definition].statement

    def params(self):
        return {"definition": self.definition}


@register
@dataclass(frozen=True)
class DropTerm(Rule):
    """``F + c D -> F`` for a defined quantity D free of the parameters (c a number).

    Adding a finite term that does not depend on the parameters moves no
    optimiser: the step records the shift ``-c D``.
    """

    definition: str = ""
    coefficient: int = 1
    name: ClassVar[str] = "drop-term"
    relation: ClassVar[Relation] = Relation.SAME_ARGMIN
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "D free of the parameters and finite"

    def _term(self, ctx):
        return sp.Integer(self.coefficient) * ctx.head(ctx.definitions_by_name[self.definition])

    def apply(self, expr, ctx):
        term = self._term(ctx)
        if not isinstance(expr, sp.Add) or term not in expr.args:
            return None
        return expr - term

    def monotone_map(self, ctx):
        return MonotoneMap(MapKind.SHIFT, -self._term(ctx))

    def justification(self, ctx):
        return ("drop " + ctx.definitions_by_name[self.definition].statement
                + ": it does not depend on the parameters")

    def params(self):
        return {"definition": self.definition, "coefficient": self.coefficient}


@register
@dataclass(frozen=True)
class DropFactor(Rule):
    """``F s^e -> F`` for a positive scalar s free of the parameters (a number e).

    Multiplying by the positive, parameter-free ``s^-e`` moves no optimiser:
    the step records that scale. ``s`` is a declared scalar (data, constant,
    or a defined quantity).
    """

    symbol: str = ""
    exponent: int = 1
    name: ClassVar[str] = "drop-scalar-factor"
    relation: ClassVar[Relation] = Relation.SAME_ARGMAX
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "s > 0, finite and free of the parameters"

    def _factor(self, ctx):
        return ctx[self.symbol] ** self.exponent

    def apply(self, expr, ctx):
        factor = self._factor(ctx)
        if not isinstance(expr, sp.Mul) or factor not in expr.args:
            return None
        return sp.Mul(*[f for f in expr.args if f is not factor])

    def monotone_map(self, ctx):
        return MonotoneMap(MapKind.SCALE, 1 / self._factor(ctx))

    def justification(self, ctx):
        return f"drop a positive factor free of the parameters ({ctx.spec(self.symbol).description})"

    def params(self):
        return {"symbol": self.symbol, "exponent": self.exponent}


@register
@dataclass(frozen=True)
class ChangeLogBase(Rule):
    """``log_2 x -> log x / log 2``: a log in base 2 is the natural log over log 2."""

    name: ClassVar[str] = "change-log-base"
    side_condition: ClassVar[str] = "x > 0"

    def apply(self, expr, ctx):
        if not isinstance(expr, log2):
            return None
        return sp.log(expr.args[0]) / sp.log(2)

    def justification(self, ctx):
        return r"change of log base: $\log_2 x = \log x / \log 2$"


@register
@dataclass(frozen=True)
class ConstantOutOfSum(Rule):
    """``sum_k c f_k -> c sum_k f_k`` for a factor c that does not involve k.

    In a nested sum ``sum_k sum_a c_k f_{a,k} -> sum_k c_k sum_a f_{a,k}``.
    """

    name: ClassVar[str] = "constant-out-of-sum"
    placement: ClassVar[str] = "first"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Sum) or not isinstance(expr.function, sp.Mul):
            return None
        # The innermost sum of a nested one: its factors free of its index
        # move in front of it, inside the outer sums.
        inner, *outer = expr.limits
        const = [f for f in expr.function.args if not f.has(inner[0])]
        if not const:
            return None
        body = sp.Mul(*[f for f in expr.function.args if f.has(inner[0])])
        pulled = sp.Mul(*const) * sp.Sum(body, inner)
        return sp.Sum(pulled, *outer) if outer else pulled

    def justification(self, ctx):
        return "a factor that does not depend on the index comes out of the sum"


@register
@dataclass(frozen=True)
class Distribute(Rule):
    """``(a + b) f -> a f + b f``: a product over a sum of terms, multiplied out."""

    name: ClassVar[str] = "distribute"
    placement: ClassVar[str] = "first"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Mul) or not any(isinstance(f, sp.Add) for f in expr.args):
            return None
        sums = [f for f in expr.args if isinstance(f, sp.Add)]
        first = sums[0]
        rest = sp.Mul(*[f for f in expr.args if f is not first])
        return sp.Add(*[t * rest for t in first.args])

    def justification(self, ctx):
        return "multiply out: $(a + b) f = a f + b f$"


@register
@dataclass(frozen=True)
class ExchangeSums(Rule):
    """``sum_a sum_k f -> sum_k sum_a f`` (independent finite ranges), written as nested sums."""

    name: ClassVar[str] = "exchange-sums"
    placement: ClassVar[str] = "first"
    side_condition: ClassVar[str] = "neither range depends on the other index"

    def apply(self, expr, ctx):
        if not isinstance(expr, sp.Sum) or len(expr.limits) != 2:
            return None
        inner, outer = expr.limits
        if outer[1].has(inner[0]) or outer[2].has(inner[0]) or inner[1].has(outer[0]) or inner[2].has(outer[0]):
            return None
        return sp.Sum(sp.Sum(expr.function, outer), inner)

    def justification(self, ctx):
        return "exchange the order of the two finite sums"


@register
@dataclass(frozen=True)
class WriteOut(Rule):
    """``F(C) -> F(c)`` with every sum over a concrete range written out term by term.

    A specialisation: the line is the previous one at the fixed size, with the
    definition named by ``unfold`` (``"*"``: every definition) unfolded first,
    so a worked example can put its values in.
    """

    size: str = "C"
    value: int = 2
    unfold: str = "*"
    name: ClassVar[str] = "write-out"
    relation: ClassVar[Relation] = Relation.SPECIALISE
    placement: ClassVar[str] = "root"

    def apply(self, expr, ctx):
        only = None if self.unfold == "*" else ctx.definitions_by_name[self.unfold].symbol
        fixed = ctx.unfold(expr, only=only).xreplace({ctx[self.size]: sp.Integer(self.value)})
        out = everywhere_fn(_spell_concrete)(fixed)
        return collapse_single_terms(fixed if out is None else out)

    def justification(self, ctx):
        return f"at ${ctx.spec(self.size).latex} = {self.value}$, the sum written out"

    def params(self):
        return {"size": self.size, "value": self.value, "unfold": self.unfold}

    def substitution(self, ctx):
        return {self.size: self.value}


def _spell_concrete(node):
    """A sum over concrete ranges as its terms (None for any other node)."""
    if not isinstance(node, sp.Sum) or not all(lo.is_Integer and hi.is_Integer for _, lo, hi in node.limits):
        return None
    body = node.function
    for var, lo, hi in node.limits:
        body = sp.Add(*[body.xreplace({var: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)])
    return body


@register
@dataclass(frozen=True)
class ScaleByLogBase(Rule):
    """``F -> log(b) F``: multiplying by log b > 0 (b > 1) keeps the optimiser (bits to nats)."""

    base: int = 2
    name: ClassVar[str] = "scale-by-log-base"
    relation: ClassVar[Relation] = Relation.SAME_ARGMIN
    placement: ClassVar[str] = "root"
    side_condition: ClassVar[str] = "log b > 0"

    def apply(self, expr, ctx):
        return sp.log(self.base) * expr if self.base > 1 else None

    def monotone_map(self, ctx):
        return MonotoneMap(MapKind.SCALE, sp.log(self.base))

    def justification(self, ctx):
        return rf"multiply by $\log {self.base} > 0$: bits and nats give the same optimiser"

    def params(self):
        return {"base": self.base}
