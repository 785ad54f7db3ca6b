"""Random points for comparing two formulas: sizes, labels, and arrays drawn on demand.

A user's formulas name their arrays only through the elements they touch
(``a_n`` for n = 0..M on one side, 1..M on the other), so arrays are not
drawn up front: an element gets a value from its domain the first time it is
read. Rows of ``simplex`` and ``onehot`` arrays are drawn whole, over the
range their last index takes in the formulas.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from ..domains import Domain, Kind
from ..evaluate import Budget, BudgetExceeded, Undefined, Unsupported, evaluate
from ..parsing import Variable
from ..sampling import LARGE_SIZE_SHARE, MAX_SAMPLED_SIZE

#: Usual range of a drawn size (beyond it, now and then, up to MAX_SAMPLED_SIZE).
SIZE_RANGE = (1, 4)
#: Range of a label whose formulas give it none.
DEFAULT_LABEL_RANGE = (1, 3)


@dataclass
class Ranges:
    """Where each array dimension and each label ranges, read off the sums."""

    dims: dict[tuple[str, int], list[tuple[sp.Expr, sp.Expr]]] = field(default_factory=dict)
    labels: dict[str, list[tuple[sp.Expr, sp.Expr]]] = field(default_factory=dict)

    @classmethod
    def of(cls, exprs: list[sp.Expr]) -> "Ranges":
        out = cls()
        for expr in exprs:
            out._walk(expr, {})
        # a label used as an index of a dimension ranges over that dimension
        for expr in exprs:
            for node in sp.preorder_traversal(expr):
                if isinstance(node, sp.Indexed):
                    for d, index in enumerate(node.indices):
                        name = _label_name(index)
                        if name is not None:
                            out.labels.setdefault(name, []).extend(out.dims.get((node.base.label.name, d), []))
        return out

    def _walk(self, expr: sp.Basic, scope: dict) -> None:
        if isinstance(expr, (sp.Sum, sp.Product)):
            inner = dict(scope)
            for var, lo, hi in expr.limits:
                inner[var] = (lo, hi)
            self._walk(expr.function, inner)
            for _, lo, hi in expr.limits:
                self._walk(lo, scope)
                self._walk(hi, scope)
            return
        if isinstance(expr, sp.Indexed):
            for d, index in enumerate(expr.indices):
                if index in scope:
                    self.dims.setdefault((expr.base.label.name, d), []).append(scope[index])
                self._walk(index, scope)
            return
        if isinstance(expr, sp.KroneckerDelta):
            a, b = expr.args[:2]
            for x, y in ((a, b), (b, a)):
                name = _label_name(x)
                if name is not None and y in scope:
                    self.labels.setdefault(name, []).append(scope[y])
        for arg in expr.args:
            self._walk(arg, scope)


def _label_name(expr: sp.Basic) -> str | None:
    if isinstance(expr, sp.Symbol) and expr.is_integer and not expr.is_positive is True:
        return expr.name
    if isinstance(expr, sp.Indexed):
        return expr.base.label.name
    return None


class LazyArray:
    """An array whose elements are drawn from its domain when first read."""

    def __init__(self, var: Variable, rng: random.Random, row_range, label_range, positive: bool = False):
        self.var = var
        self.positive = positive
        self.rng = rng
        self.row_range = row_range      # () -> (lo, hi) of the last index, for row domains
        self.label_range = label_range  # () -> (lo, hi) for label-valued elements
        self.values: dict[tuple[int, ...], float] = {}

    def element(self, positions: tuple[int, ...]) -> float:
        if positions in self.values:
            return self.values[positions]
        domain = self.var.domain
        if domain.kind in (Kind.SIMPLEX, Kind.ONEHOT):
            lo, hi = self.row_range()
            if not lo <= positions[-1] <= hi:
                raise _outside(self.var, positions)
            row = domain.sample_row(self.rng, hi - lo + 1)
            for j, value in enumerate(row):
                self.values[positions[:-1] + (lo + j,)] = value
        elif domain.kind is Kind.LABEL:
            lo, hi = self.label_range()
            self.values[positions] = float(self.rng.randint(lo, hi))
        else:
            self.values[positions] = _scalar(domain, self.rng, self.positive)
        return self.values[positions]


def _scalar(domain: Domain, rng: random.Random, positive: bool) -> float:
    value = domain.sample_scalar(rng)
    return abs(value) if positive and domain.kind is Kind.REAL else value


#: Share of points where real symbols are drawn from (0, inf) only: a formula
#: with logs of many real entries is defined almost nowhere else.
POSITIVE_SHARE = 0.5


def _outside(var: Variable, positions):
    return Undefined(f"{var.name}{list(positions)} lies outside the rows of {var.key}")


class PointMaker:
    """Seeded points for the variables of a comparison."""

    def __init__(self, variables: dict[str, Variable], exprs: list[sp.Expr], rng: random.Random):
        self.variables = variables
        self.ranges = Ranges.of(exprs)
        self.rng = rng

    def sizes(self) -> dict[str, int]:
        out = {}
        for name, var in sorted(self.variables.items()):
            if var.kind == "size":
                lo, hi = SIZE_RANGE
                if self.rng.random() < LARGE_SIZE_SHARE:
                    hi = MAX_SAMPLED_SIZE // 2 if self.rng.random() < 0.5 else MAX_SAMPLED_SIZE
                out[name] = self.rng.randint(lo, hi)
        return out

    def point(self) -> tuple[dict, dict[str, int], dict[str, object]]:
        """``(env, sizes, drawn)``: the evaluator's environment and what was drawn."""
        sizes = self.sizes()
        positive = self.rng.random() < POSITIVE_SHARE
        env: dict = {}
        for name, n in sizes.items():
            env[self.variables[name].obj] = mpmath.mpf(n)
        drawn: dict[str, object] = {}
        for name, var in sorted(self.variables.items()):
            if var.kind == "size":
                continue
            if var.kind == "array":
                array = LazyArray(var, self.rng, self._span(env, (name, var.ndim - 1), var),
                                  self._span(env, None, var), positive)
                env[name] = array
                drawn[name] = array
            elif var.kind == "label" or var.domain.kind is Kind.LABEL:
                lo, hi = self._span(env, None, var)()
                value = float(self.rng.randint(lo, hi))
                env[var.obj] = mpmath.mpf(value)
                drawn[name] = value
            else:
                value = _scalar(var.domain, self.rng, positive)
                env[var.obj] = mpmath.mpf(value)
                drawn[name] = value
        return env, sizes, drawn

    def _span(self, env: dict, dim, var: Variable):
        """A function giving the (lo, hi) range of a dimension or label at this point."""
        def compute() -> tuple[int, int]:
            candidates = self.ranges.dims.get(dim, []) if dim is not None else self.ranges.labels.get(var.name, [])
            spans = []
            for lo, hi in candidates:
                try:
                    a = int(evaluate(sp.sympify(lo), env, Budget(seconds=1.0)))
                    b = int(evaluate(sp.sympify(hi), env, Budget(seconds=1.0)))
                except (Undefined, Unsupported, BudgetExceeded, TypeError, ValueError):
                    continue  # a bound that uses another index: no fixed range
                spans.append((a, b))
            if not spans:
                if dim is not None:
                    return 1, self.rng.randint(*SIZE_RANGE) + 1
                return DEFAULT_LABEL_RANGE
            lo = min(a for a, _ in spans)
            hi = max(b for _, b in spans)
            if hi < lo:
                return lo, lo
            return lo, hi
        cache: list = []

        def cached() -> tuple[int, int]:
            if not cache:
                cache.append(compute())
            return cache[0]
        return cached


def describe_drawn(drawn: dict[str, object], sizes: dict[str, int]) -> dict:
    """The values a counterexample needs: every size, scalar, and element read."""
    values: dict[str, object] = {}
    for name, value in drawn.items():
        if isinstance(value, LazyArray):
            for positions, v in sorted(value.values.items()):
                values[f"{name}[{','.join(map(str, positions))}]"] = _plain(v)
        else:
            values[name] = _plain(value)
    return {"sizes": dict(sizes), "values": values}


def _plain(v) -> float | int:
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f
