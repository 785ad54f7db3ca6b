"""Random points for comparing two formulas: sizes, labels, and arrays drawn on demand.

A user's formulas name their arrays only through the elements they touch
(``a_n`` for n = 0..M on one side, 1..M on the other), so arrays are not
drawn up front: an element gets a value from its domain the first time it is
read. Rows of ``simplex`` and ``onehot`` arrays are drawn whole, over the
range their last index takes in the formulas.
"""
from __future__ import annotations

import random

import mpmath
import sympy as sp

from ..core.domains import Domain, Kind
from ..checks.evaluate import Budget, BudgetExceeded, Undefined, Unsupported, evaluate
from ..parsing import Variable
from ..parsing.ranges import Ranges
from ..checks.sampling import LARGE_SIZE_SHARE, MAX_SAMPLED_SIZE

#: Usual range of a drawn size (beyond it, now and then, up to MAX_SAMPLED_SIZE).
SIZE_RANGE = (1, 4)
#: Share of sizes drawn beyond MAX_SAMPLED_SIZE, up to HUGE_SIZE (a line wrong from N = 20 on).
HUGE_SIZE_SHARE = 0.08
HUGE_SIZE = 40
#: Range of a label whose formulas give it none.
DEFAULT_LABEL_RANGE = (1, 3)


class LazyArray:
    """An array whose elements are drawn from its domain when first read."""

    def __init__(self, var: Variable, rng: random.Random, row_range, label_range, positive: bool = False,
                 draw=None):
        self.var = var
        self.draw = draw or (lambda domain, positive: _scalar(domain, rng, positive))
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
            row = _exact_row(domain.sample_row(self.rng, hi - lo + 1), domain.open)
            for j, value in enumerate(row):
                self.values[positions[:-1] + (lo + j,)] = value
        elif domain.kind is Kind.LABEL:
            lo, hi = self.label_range()
            self.values[positions] = float(self.rng.randint(lo, hi))
        else:
            self.values[positions] = self.draw(domain, self.positive)
        return self.values[positions]


def _scalar(domain: Domain, rng: random.Random, positive: bool) -> float:
    """One value from the domain: the kernel's draw, and now and then the
    places a formula is most often wrong (integers, halves, huge and tiny
    magnitudes, probabilities next to 0 and 1)."""
    kind = domain.kind
    r = rng.random()
    if kind is Kind.REAL and r < 0.4:
        value = _edge_real(rng)
    elif kind is Kind.POSITIVE and r < 0.3:
        value = abs(_edge_real(rng)) or 1.0
    elif kind is Kind.PROB and r < 0.15:
        tiny = 10.0 ** -rng.uniform(6, 15)
        value = tiny if rng.random() < 0.5 else 1.0 - tiny
    else:
        value = domain.sample_scalar(rng)
    return abs(value) if positive and kind is Kind.REAL else value


def _edge_real(rng: random.Random) -> float:
    sign = -1.0 if rng.random() < 0.5 else 1.0
    r = rng.random()
    if r < 0.4:
        return float(rng.randint(-10, 10))
    if r < 0.6:
        return rng.randint(-20, 20) / 2
    if r < 0.85:
        return sign * 10.0 ** rng.uniform(3, 8)
    return sign * 10.0 ** rng.uniform(-12, -5)


def _exact_row(row: list[float], open_: bool) -> list[float]:
    """The row moved to multiples of 2^-40 so that it sums to exactly 1 (float
    normalisation leaves 1 + 2^-52, which a 40-digit comparison sees)."""
    scale = 2 ** 40
    ints = [max(1 if open_ else 0, round(x * scale)) for x in row]
    ints[ints.index(max(ints))] += scale - sum(ints)
    return [i / scale for i in ints]


class EmptyRange(Exception):
    """A label or row whose range is empty at this point's sizes: skip the point."""


#: Share of points where real symbols are drawn from (0, inf) only: a formula
#: with logs of many real entries is defined almost nowhere else.
POSITIVE_SHARE = 0.5


def _outside(var: Variable, positions):
    return Undefined(f"{var.name}{list(positions)} lies outside the rows of {var.key}")


#: Share of draws taken from the formulas' own constants (x = 5 where [x = 5] is
#: written, a probability below a clipping threshold of 10^-7, N = 20 for [n = 20]).
TARGETED_SHARE = 0.25


def _targets(exprs: list[sp.Expr]) -> list[float]:
    """Values next to the numbers a formula mentions: c, -c, c/2, 2c, c - 1, c + 1, and halves."""
    out = {0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.0, -2.0}
    for expr in exprs:
        for atom in expr.atoms(sp.Rational):
            if abs(atom) > 10 ** 12 or (atom != 0 and abs(atom) < sp.Rational(1, 10 ** 300)):
                continue
            a = abs(float(atom))
            out |= {v for x in (a, a / 2, 2 * a, a - 1, a + 1) for v in (x, -x)}
    return sorted(out)


class PointMaker:
    """Seeded points for the variables of a comparison."""

    def __init__(self, variables: dict[str, Variable], exprs: list[sp.Expr], rng: random.Random):
        self.variables = variables
        self.ranges = Ranges.of(exprs)
        self.rng = rng
        self.targets = _targets(exprs)
        # sizes next to the formulas' constants: a sum from k = 5 is empty below K = 5
        near = {int(t) + d for t in self.targets if t == int(t) for d in (-1, 0, 1, 2, 3)}
        self.size_targets = sorted(n for n in near if 1 <= n <= 2 * HUGE_SIZE)

    def _value(self, domain: Domain, positive: bool) -> float:
        if domain.kind in (Kind.REAL, Kind.POSITIVE, Kind.PROB, Kind.NATURAL) and self.rng.random() < TARGETED_SHARE:
            fits = [t for t in self.targets if domain.kind is Kind.REAL
                    or (domain.kind is Kind.NATURAL and t >= 0 and t == int(t))
                    or (domain.kind is not Kind.NATURAL and t > 0 and (domain.kind is Kind.POSITIVE or t < 1))]
            if fits:
                value = self.rng.choice(fits)
                return abs(value) if positive and domain.kind is Kind.REAL else value
        return _scalar(domain, self.rng, positive)

    def sizes(self) -> dict[str, int]:
        out = {}
        for name, var in sorted(self.variables.items()):
            if var.kind == "size":
                lo, hi = SIZE_RANGE
                if self.size_targets and self.rng.random() < TARGETED_SHARE:
                    out[name] = self.rng.choice(self.size_targets)
                    continue
                r = self.rng.random()
                if r < HUGE_SIZE_SHARE:
                    lo, hi = MAX_SAMPLED_SIZE + 1, HUGE_SIZE
                elif r < LARGE_SIZE_SHARE:
                    hi = MAX_SAMPLED_SIZE // 2 if self.rng.random() < 0.5 else MAX_SAMPLED_SIZE
                out[name] = self.rng.randint(lo, hi)
        # one large size per point: nested sums over two sizes of 40 cost 1600 terms
        large = [n for n, v in out.items() if v > MAX_SAMPLED_SIZE]
        for name in large[1:]:
            out[name] = self.rng.randint(*SIZE_RANGE)
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
                                  self._span(env, None, var), positive, self._value)
                env[name] = array
                drawn[name] = array
            elif var.kind == "label" or var.domain.kind is Kind.LABEL:
                lo, hi = self._span(env, None, var)()
                value = float(self.rng.randint(lo, hi))
                env[var.obj] = mpmath.mpf(value)
                drawn[name] = value
            else:
                value = self._value(var.domain, positive)
                env[var.obj] = mpmath.mpf(value)
                drawn[name] = value
        return env, sizes, drawn

    def _span(self, env: dict, dim, var: Variable):
        """A function giving the (lo, hi) range of a dimension or label at this point."""
        def compute() -> tuple[int, int]:
            candidates = self.ranges.dims.get(dim, []) if dim is not None else self.ranges.labels.get(var.name, [])
            spans = []
            reads_only = bool(candidates) and dim is not None and dim not in self.ranges.summed
            for lo, hi in candidates:
                try:
                    a = int(evaluate(sp.sympify(lo), env, Budget(seconds=1.0)))
                    b = int(evaluate(sp.sympify(hi), env, Budget(seconds=1.0)))
                except (Undefined, Unsupported, BudgetExceeded, TypeError, ValueError):
                    continue  # a bound that uses another index: no fixed range
                spans.append((a, b))
            if not spans:
                if dim is not None:
                    return 1, self.rng.randint(SIZE_RANGE[0] + 1, SIZE_RANGE[1] + 1)
                return DEFAULT_LABEL_RANGE
            spans = [(a, b) for a, b in spans if a <= b]
            if not spans:
                raise EmptyRange(f"the range of {var.name} is empty at these sizes")
            lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
            if dim is not None and reads_only:
                # only single reads (p_{i,k} with k free): they say where the row is
                # read, not how long it is; a row of one entry would force a one-hot 1
                lo, hi = min(lo, 1), max(hi, min(lo, 1) + self.rng.randint(*SIZE_RANGE))
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
