"""The one point generator: seeded points from the symbols' domains, for every numeric check.

Two views of the same draws. The kernel's step checks (and ``derive recheck``)
know their symbols from a :class:`~derive.core.context.Context` and draw whole
points (:func:`draw_sizes`, :func:`draw_point`, :func:`draw_free_indices`);
``derive check`` and ``derive verify`` know only the elements a user's
formulas touch and draw them on demand (:class:`PointMaker`). Both take every
scalar from :func:`draw_scalar` (the domain's usual values, magnitude bands
from 10^-300 to 10^300, and the edges where formulas are most often wrong), and
both draw next to the places where a guard changes branch (:mod:`.guards`),
evaluated at the precision those places need.

Python's own ``random.Random`` is used (not numpy's generator) because its
streams are stable across versions: a certificate's counterexample must come
out the same on every machine.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from ..core.context import Context, Role, SymbolSpec
from ..core.domains import Domain, Kind
from ..parsing.ranges import Ranges
from .evaluate import Budget, BudgetExceeded, PRECISION_DIGITS, Undefined, Unsupported, evaluate
from .guards import Guards, guards_of


def seeded_rng(*parts: object) -> random.Random:
    """A generator seeded from a stable hash of ``parts`` (names, step numbers)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def pair_rng(a: str, b: str, domains: dict) -> random.Random:
    """The generator of one comparison, seeded from its two texts and declared domains."""
    digest = hashlib.sha256(json.dumps([a, b, sorted(domains.items())]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass
class Point:
    """Sizes and a value for every data, prediction and constant symbol, and the
    working precision its values need (more than the usual 40 digits next to a
    guard such as ``1 - 10^{-50}``)."""

    sizes: dict[str, int]
    values: dict[str, object] = field(default_factory=dict)
    digits: int = PRECISION_DIGITS

    def env(self, ctx: Context) -> dict:
        out: dict = {}
        for name, n in self.sizes.items():
            out[ctx[name]] = mpmath.mpf(n)
        for name, value in self.values.items():
            obj = ctx[name]
            if isinstance(obj, sp.IndexedBase):
                out[name] = value
            else:
                out[obj] = value if isinstance(value, mpmath.mpf) else mpmath.mpf(value)
        return out

    def to_json(self) -> dict:
        return {"sizes": dict(self.sizes), "values": {k: _plain(v) for k, v in self.values.items()}}


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return float(value)


#: The largest size ever drawn (and allowed in a certificate).
MAX_SAMPLED_SIZE = 16
#: Share of draws that go beyond a size's usual range, up to MAX_SAMPLED_SIZE:
#: a line wrong only for N >= 5 must not pass because N was always small.
LARGE_SIZE_SHARE = 0.25
#: Share of draws of a symbol with guard points (see :mod:`.guards`) taken next to them.
GUARD_SHARE = 0.3
#: Share of draws of a scalar used as an index (``p_j``) taken inside the range it is
#: compared with or indexes; the others keep its domain's draws (a real or natural
#: j may lie outside 1..K, where the two sides can differ).
INDEX_SHARE = 0.7
#: Share of draws of an array position (the j of ``a_j``) set equal to another position
#: drawn before it (i = j), so that both the case i = j and the case i != j are seen.
SAME_INDEX_SHARE = 0.3
#: An array position with no range from the formulas is a whole number in this range.
FREE_POSITION_RANGE = (-2, 6)
#: Share of points whose scalars may take the wide magnitude bands (10^-300 to
#: 10^300); decided per point, so the other points keep whole arrays in the
#: usual bands (a product of 16 likelihoods has no value if one entry is 10^200).
WIDE_SHARE = 0.2


#: The most digits a point's precision may ask for.
MAX_POINT_DIGITS = 1500


def digits_for_values(values) -> int:
    """Working digits that see every drawn value next to 1 and next to each other:
    the usual 40, plus the decades the values span around 1 (a sum of 10^270 and
    0.5 squared and cancelled needs 270 more; so does 10^-300 + 1 - 1)."""
    top = bottom = 0
    for value in _flat(values):
        magnitude = abs(value)
        if magnitude == 0 or not mpmath.isfinite(magnitude):
            continue
        decade = int(mpmath.floor(mpmath.log10(magnitude)))
        top, bottom = max(top, decade + 1), min(bottom, decade)
    return min(MAX_POINT_DIGITS, PRECISION_DIGITS + top - bottom)


def _flat(values):
    for value in values:
        if isinstance(value, list):
            yield from _flat(value)
        elif isinstance(value, LazyArray):
            yield from value.values.values()
        else:
            yield mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value


# ---------------------------------------------------------------- scalars


def draw_scalar(domain: Domain, rng: random.Random, positive: bool = False, upper: int | None = None,
                wide: bool = False):
    """One value from the domain: its usual values, and now and then the places a
    formula is most often wrong (integers, halves, large and tiny magnitudes of
    either sign, probabilities next to 0 and next to 1). With ``wide`` the
    magnitudes reach 10^-300 and 10^300, and probabilities 10^-300 and
    1 - 10^-30. With ``positive``, a real value is taken from (0, inf)."""
    kind = domain.kind
    r = rng.random()
    if kind is Kind.REAL and r < 0.4:
        value = _edge_real(rng, wide)
    elif kind is Kind.POSITIVE and r < 0.3:
        value = abs(_edge_real(rng, wide)) or 1.0
    elif kind is Kind.PROB and r < 0.15:
        value = _edge_prob(rng, wide)
    else:
        value = domain.sample_scalar(rng, upper)
    return abs(value) if positive and kind is Kind.REAL else value


def _edge_real(rng: random.Random, wide: bool) -> float:
    sign = -1.0 if rng.random() < 0.5 else 1.0
    r = rng.random()
    if r < 0.4:
        return float(rng.randint(-10, 10))
    if r < 0.6:
        return rng.randint(-20, 20) / 2
    if r < 0.85:
        return sign * 10.0 ** (rng.uniform(3, 300) if wide else rng.uniform(3, 8))
    return sign * 10.0 ** -(rng.uniform(5, 300) if wide else rng.uniform(5, 12))


#: How close to 1 a probability is drawn: 1 - 10^-PROB_NEAR_ONE at the closest,
#: still resolved by the usual 40 digits.
PROB_NEAR_ONE = 30


def _edge_prob(rng: random.Random, wide: bool):
    if rng.random() < 0.5:
        return 10.0 ** -rng.uniform(6, 300 if wide else 15)
    if not wide:
        return 1.0 - 10.0 ** -rng.uniform(6, 15)
    with mpmath.workdps(PROB_NEAR_ONE + 20):
        return 1 - mpmath.mpf(10) ** -rng.uniform(6, PROB_NEAR_ONE)


def fits(domain: Domain, value) -> bool:
    """Whether ``value`` lies in a scalar domain (a guard point outside it is not drawn)."""
    kind = domain.kind
    if kind is Kind.REAL:
        return True
    if kind is Kind.POSITIVE:
        return value > 0
    if kind is Kind.PROB:
        return 0 < value < 1
    if kind is Kind.NATURAL:
        return value >= 0 and value == int(value)
    if kind is Kind.BINARY:
        return value in (0, 1)
    return False


def _guarded(domain: Domain, rng: random.Random, candidates: list):
    """A guard point of the domain, or None (then the usual draw is made)."""
    if not candidates or rng.random() >= GUARD_SHARE:
        return None
    inside = [v for v in candidates if fits(domain, v)]
    return rng.choice(inside) if inside else None


# ---------------------------------------------------------------- the kernel's points


def draw_sizes(ctx: Context, rng: random.Random, fixed: dict[str, int] | None = None) -> dict[str, int]:
    ranges = ctx.with_sizes(**(fixed or {}))
    sizes = {}
    for name, (lo, hi) in sorted(ranges.items()):
        if lo < hi and rng.random() < LARGE_SIZE_SHARE:
            hi = max(hi, MAX_SAMPLED_SIZE // 2 if rng.random() < 0.5 else MAX_SAMPLED_SIZE)
        sizes[name] = rng.randint(lo, hi)
    return sizes


def draw_point(ctx: Context, rng: random.Random, sizes: dict[str, int],
               roles: tuple[Role, ...] = (Role.DATA, Role.PREDICTION, Role.CONSTANT),
               base: Point | None = None, guards: Guards | None = None) -> Point:
    """A point at the given sizes; with ``base``, only symbols of ``roles`` are redrawn.
    With ``guards`` (:func:`~derive.checks.guards.guards_of` of the formulas checked),
    some values are drawn next to the places where a guard changes branch."""
    point = Point(dict(sizes), dict(base.values) if base else {},
                  guards.digits if guards else PRECISION_DIGITS)
    wide = rng.random() < WIDE_SHARE
    for spec in ctx.symbols:
        if spec.role in roles and spec.domain is not None:
            candidates = guards.for_name(spec.name) if guards else []
            point.values[spec.name] = _draw_symbol(ctx, spec, rng, sizes, candidates, wide)
    point.digits = max(point.digits, digits_for_values(point.values.values()))
    return point


def _shape(ctx: Context, spec: SymbolSpec, sizes: dict[str, int]) -> list[int]:
    shape = []
    for index in spec.indices:
        upper = ctx.spec(index).upper
        shape.append(sizes[upper] if isinstance(upper, str) else int(upper))
    return shape


def _draw_symbol(ctx: Context, spec: SymbolSpec, rng: random.Random, sizes: dict[str, int], candidates: list,
                 wide: bool):
    domain = spec.domain
    label_upper = sizes.get(spec.upper) if isinstance(spec.upper, str) else int(spec.upper)

    def scalar():
        guarded = _guarded(domain, rng, candidates)
        return guarded if guarded is not None else draw_scalar(domain, rng, upper=label_upper, wide=wide)

    if not spec.indices:
        if domain is not None and domain.kind in (Kind.SIMPLEX, Kind.ONEHOT):
            raise ValueError(f"{spec.name}: a {domain.kind.value} symbol needs an index")
        return scalar()
    shape = _shape(ctx, spec, sizes)

    def fill(depth: int):
        if depth == len(shape) - 1:
            if domain is not None and domain.kind in (Kind.SIMPLEX, Kind.ONEHOT):
                return _row(domain, rng, shape[depth], candidates)
            return [scalar() for _ in range(shape[depth])]
        return [fill(depth + 1) for _ in range(shape[depth])]

    return fill(0)


def _row(domain: Domain, rng: random.Random, length: int, candidates: list) -> list:
    """A row of a closed simplex; when a guard asks for entries of 0 (the edge of a
    log), now and then one entry is 0 (a face of the simplex)."""
    row = domain.sample_row(rng, length)
    if (domain.kind is Kind.SIMPLEX and not domain.open and length > 1 and any(v == 0 for v in candidates)
            and rng.random() < GUARD_SHARE):
        row[rng.randrange(length)] = 0.0
        total = sum(row)
        row = [x / total for x in row] if total > 0 else domain.sample_row(rng, length)
    return row


def free_indices(ctx: Context, *exprs: sp.Basic) -> list[str]:
    """Index symbols that occur free (not bound by a sum) in ``exprs``, by name."""
    names = set()
    for expr in exprs:
        for sym in expr.free_symbols:
            spec = ctx.by_name.get(getattr(sym, "name", ""))
            if spec is not None and spec.role is Role.INDEX:
                names.add(spec.name)
    return sorted(names)


def draw_free_indices(ctx: Context, rng: random.Random, point: Point, names: list[str]) -> None:
    """Give each free index a value in its declared range at the point's sizes (a gradient's ``j``)."""
    for name in names:
        spec = ctx.spec(name)
        bounds = [point.sizes[b] if isinstance(b, str) else int(b) for b in (spec.lower, spec.upper)]
        point.values[name] = float(rng.randint(bounds[0], bounds[1]))


# ---------------------------------------------------------------- a comparison's points

#: Usual range of a drawn size (beyond it, now and then, up to MAX_SAMPLED_SIZE).
SIZE_RANGE = (1, 4)
#: Share of sizes drawn beyond MAX_SAMPLED_SIZE, up to HUGE_SIZE (a line wrong from N = 20 on).
HUGE_SIZE_SHARE = 0.08
HUGE_SIZE = 40
#: The longest row on the simplex or one-hot ever drawn.
LONGEST_ROW = 100_000
#: Range of a label whose formulas give it none.
DEFAULT_LABEL_RANGE = (1, 3)


class LazyArray:
    """An array whose elements are drawn from its domain when first read."""

    def __init__(self, var, rng: random.Random, row_range, label_range, positive: bool = False,
                 draw=None):
        self.var = var
        self.draw = draw or (lambda var, positive: draw_scalar(var.domain, rng, positive))
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
            if hi - lo >= LONGEST_ROW:
                # a free index drawn at 10^62 (a float that large is an integer) asks for a
                # row that long: no value at this point
                raise Undefined(f"a row of {self.var.key} from {lo} to {hi} is too long to draw")
            row = _exact_row(domain.sample_row(self.rng, hi - lo + 1), domain.open)
            for j, value in enumerate(row):
                self.values[positions[:-1] + (lo + j,)] = value
        elif domain.kind is Kind.LABEL:
            lo, hi = self.label_range()
            self.values[positions] = float(self.rng.randint(lo, hi))
        else:
            self.values[positions] = self.draw(self.var, self.positive)
        return self.values[positions]


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


def _outside(var, positions):
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

    def __init__(self, variables: dict, exprs: list[sp.Expr], rng: random.Random, ranges: Ranges | None = None,
                 inside: frozenset[str] = frozenset()):
        self.variables = variables
        #: positions always drawn inside their range (an entry z_j a chain differentiates by)
        self.inside = inside
        self.ranges = Ranges.of(exprs) if ranges is None else ranges
        self.rng = rng
        self.targets = _targets(exprs)
        self.guards = guards_of(exprs)
        self.wide = False
        #: working precision the points need (more next to a guard such as 1 - 10^{-50})
        self.digits = self.guards.digits
        scalars = {name for name, var in variables.items()
                   if var.kind == "scalar" and var.domain.kind in (Kind.REAL, Kind.NATURAL)}
        self.index_ranges = index_ranges(exprs, self.ranges, scalars)
        #: scalars that are array positions (``a_j``): whole numbers at every point
        self.positions = positions_of(exprs, scalars)
        # sizes next to the formulas' constants: a sum from k = 5 is empty below K = 5
        near = {int(t) + d for t in self.targets if t == int(t) for d in (-1, 0, 1, 2, 3)}
        self.size_targets = sorted(n for n in near if 1 <= n <= 2 * HUGE_SIZE)

    def _value(self, var, positive: bool):
        domain = var.domain
        guarded = _guarded(domain, self.rng, self.guards.for_name(var.name))
        if guarded is not None:
            return guarded
        if domain.kind in (Kind.REAL, Kind.POSITIVE, Kind.PROB, Kind.NATURAL) and self.rng.random() < TARGETED_SHARE:
            inside = [t for t in self.targets if fits(domain, t)]
            if inside:
                value = self.rng.choice(inside)
                return abs(value) if positive and domain.kind is Kind.REAL else value
        return draw_scalar(domain, self.rng, positive, wide=self.wide)

    def sizes(self) -> dict[str, int]:
        out = {}
        for name, var in sorted(self.variables.items()):
            if var.kind == "size":
                lo, hi = SIZE_RANGE
                at_guard = [int(v) for v in self.guards.for_name(name) if v == int(v) and 1 <= v <= 2 * HUGE_SIZE]
                if at_guard and self.rng.random() < GUARD_SHARE:
                    out[name] = self.rng.choice(at_guard)  # [N = 15]: the size the formula singles out
                    continue
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
        self.wide = self.rng.random() < WIDE_SHARE
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
            elif name in self.positions:
                value = float(self._position(env, name, drawn))
                env[var.obj] = mpmath.mpf(value)
                drawn[name] = value
            elif name in self.index_ranges and self.rng.random() < INDEX_SHARE:
                lo, hi = self._index_span(env, name)
                value = float(self.rng.randint(lo, hi))
                env[var.obj] = mpmath.mpf(value)
                drawn[name] = value
            else:
                value = self._value(var, positive)
                env[var.obj] = value if isinstance(value, mpmath.mpf) else mpmath.mpf(value)
                drawn[name] = value
        return env, sizes, drawn

    def digits_at(self, drawn: dict[str, object]) -> int:
        """Working digits for a point, once its elements have been read (see :func:`digits_for_values`)."""
        return max(self.digits, digits_for_values(drawn.values()))

    def _position(self, env: dict, name: str, drawn: dict[str, object]) -> int:
        """A whole number for an array position: now and then equal to a position drawn
        before it (the case i = j) or to a whole number the formulas write, mostly inside
        its range, else just outside it (an entry of an array at a fractional position has
        no meaning, and reads nothing)."""
        earlier = [int(drawn[n]) for n in sorted(self.positions) if n in drawn]  # type: ignore[call-overload]  # positions hold whole numbers
        if earlier and self.rng.random() < SAME_INDEX_SHARE:
            return self.rng.choice(earlier)
        whole = [int(t) for t in self.targets if t == int(t)]
        spans = [(lo, hi) for lo, hi in self.index_ranges.get(name, ())
                 if not _single_read(lo, hi, self.variables)]
        if not spans:
            if whole and self.rng.random() < TARGETED_SHARE:
                return self.rng.choice(whole)  # j = 6 where [j = 6] is written
            return self.rng.randint(*FREE_POSITION_RANGE)
        lo, hi = self._index_span(env, name, spans)
        if name in self.inside or self.rng.random() < INDEX_SHARE:
            near = [t for t in whole if lo <= t <= hi]
            if near and self.rng.random() < TARGETED_SHARE:
                return self.rng.choice(near)
            return self.rng.randint(lo, hi)
        return self.rng.choice((lo - 1, hi + 1, self.rng.randint(lo - 2, hi + 2), *whole))

    def _index_span(self, env: dict, name: str, given: list | None = None) -> tuple[int, int]:
        """The range of a scalar that acts as an index, at this point's sizes."""
        spans = []
        for lo, hi in self.index_ranges[name] if given is None else given:
            try:
                spans.append((int(evaluate(sp.sympify(lo), env, Budget(seconds=1.0))),
                              int(evaluate(sp.sympify(hi), env, Budget(seconds=1.0)))))
            except (Undefined, Unsupported, BudgetExceeded, TypeError, ValueError):
                continue
        spans = [(a, b) for a, b in spans if a <= b]
        if not spans:
            raise EmptyRange(f"the range of {name} is empty at these sizes")
        return min(a for a, _ in spans), max(b for _, b in spans)

    def _span(self, env: dict, dim, var):
        """A function giving the (lo, hi) range of a dimension or label at this point."""
        def compute() -> tuple[int, int]:
            candidates = self.ranges.dims.get(dim, []) if dim is not None else self.ranges.labels.get(var.name, [])
            spans = []
            reads_only = bool(candidates) and dim is not None and dim not in self.ranges.summed
            if dim is not None and not reads_only:
                # a row some sum runs over is defined over the sums' ranges: a read at a
                # free index (y_j) outside them has no value, it does not stretch the row
                candidates = [(lo, hi) for lo, hi in candidates if not _single_read(lo, hi, self.variables)]
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


def _single_read(lo, hi, variables: dict) -> bool:
    """A span that is one position given by a free scalar (``y_j``), not by sizes and numbers."""
    if sp.sympify(lo) != sp.sympify(hi):
        return False
    names = {getattr(s, "name", None) for s in sp.sympify(lo).free_symbols}
    return any(variables.get(n) is not None and variables[n].kind != "size" for n in names)


def describe_drawn(drawn: dict[str, object], sizes: dict[str, int]) -> dict:
    """The values a counterexample needs: every size, scalar, and element read."""
    values: dict[str, object] = {}
    for name, value in drawn.items():
        if isinstance(value, LazyArray):
            for positions, v in sorted(value.values.items()):
                values[f"{name}[{','.join(map(str, positions))}]"] = _shown(v)
        else:
            values[name] = _shown(value)
    return {"sizes": dict(sizes), "values": values}


def _shown(v) -> float | int:
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f


def positions_of(exprs: list[sp.Expr], names: set[str]) -> set[str]:
    """The scalars of ``names`` that are an array position, alone or shifted by a whole
    number (the j of ``a_j``, ``a_{j+1}``): they stand for whole numbers."""
    out: set[str] = set()
    deltas = []
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Indexed):
                for index in node.indices:
                    for sym in index.free_symbols:
                        if isinstance(sym, sp.Symbol) and sym.name in names and (index - sym).is_Integer:
                            out.add(sym.name)
            elif isinstance(node, sp.KroneckerDelta):
                deltas.append({s.name for s in node.args[:2] if isinstance(s, sp.Symbol) and s.name in names})
    # a scalar compared with a position in a delta (the i of δ(i, j) once a_j was differentiated)
    grown = True
    while grown:
        grown = False
        for pair in deltas:
            if pair & out and not pair <= out:
                out |= pair
                grown = True
    return out


def index_ranges(exprs: list[sp.Expr], ranges: Ranges, names: set[str]) -> dict[str, list]:
    """Where each scalar of ``names`` ranges when it acts as an index.

    A scalar that is an array position (``p_j``) is an index: compared with a
    summation index (``1\\{k = j\\}``, a Kronecker delta, ``k \\neq j``) it ranges
    over that sum's range, otherwise over the positions the formulas' sums give
    the arrays it indexes. A scalar that is no array position keeps its domain's
    draws (``\\sum_k 1\\{y = k\\}`` with a real y is 0 at y = 0.5); so do the
    index draws now and then (:data:`INDEX_SHARE`).
    """
    compared: dict[str, list] = {}
    positions: dict[str, list] = {}

    def walk(expr: sp.Basic, scope: dict) -> None:
        if isinstance(expr, (sp.Sum, sp.Product)):
            inner = dict(scope)
            for var, lo, hi in reversed(expr.limits):
                inner[var] = (lo, hi)
            walk(expr.function, inner)
            return
        pairs = []
        if isinstance(expr, sp.KroneckerDelta):
            pairs = [tuple(expr.args[:2])]
        elif isinstance(expr, (sp.Eq, sp.Ne)):
            pairs = [(expr.lhs, expr.rhs)]
        for x, y in pairs + [(y, x) for x, y in pairs]:
            if isinstance(x, sp.Symbol) and x.name in names and y in scope:
                compared.setdefault(x.name, []).append(scope[y])
        if isinstance(expr, sp.Indexed):
            for d, index in enumerate(expr.indices):
                for sym in index.free_symbols:
                    shift = index - sym
                    if isinstance(sym, sp.Symbol) and sym.name in names and shift.is_Integer:
                        spans = [(lo - shift, hi - shift) for lo, hi in ranges.dims.get((expr.base.label.name, d), [])
                                 if not (lo.free_symbols | hi.free_symbols) & {sym}]
                        positions.setdefault(sym.name, []).extend(spans)
        for arg in expr.args:
            walk(arg, scope)

    for expr in exprs:
        walk(expr, {})
    return {name: compared.get(name) or spans for name, spans in positions.items() if compared.get(name) or spans}


#: Size of the ranges the formulas do not pin down (a rule that needs the range never fires).
_NO_RANGE = "@unknown"


def kernel_context(variables: dict, ranges: Ranges) -> Context:
    """The kernel's view of a comparison's variables, for its canonical forms and intervals.

    Each array dimension is declared as an index over the one range the
    formulas give it (so a simplex row summed over that range is 1, as
    :class:`PointMaker` draws it); a dimension with no single range gets none.
    Labels are integers of either sign here: the kernel's label domain assumes >= 1.
    """
    specs = [SymbolSpec(_NO_RANGE, _NO_RANGE, Role.SIZE)]
    sizes = {v.name for v in variables.values() if v.kind == "size"}
    for var in variables.values():
        if var.kind == "size":
            specs.append(SymbolSpec(var.name, var.name, Role.SIZE))
            continue
        indices = []
        for d in range(var.ndim):
            name = f"@{var.name}:{d}"
            spans = {span for span in ranges.dims.get((var.name, d), []) if span[0] != span[1]}
            lo, hi = next(iter(spans)) if len(spans) == 1 else (None, None)
            if lo is not None and lo.is_Integer and isinstance(hi, sp.Symbol) and hi.name in sizes:
                specs.append(SymbolSpec(name, name, Role.INDEX, lower=int(lo), upper=hi.name))
            else:
                specs.append(SymbolSpec(name, name, Role.INDEX, lower=1, upper=_NO_RANGE))
            indices.append(name)
        domain = Domain(Kind.REAL) if var.domain.kind is Kind.LABEL else var.domain
        specs.append(SymbolSpec(var.name, var.name, Role.DATA, domain, tuple(indices)))
    return Context(tuple(specs))
