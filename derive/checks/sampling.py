"""Random points from the symbols' domains, seeded and reproducible.

Python's own ``random.Random`` is used (not numpy's generator) because its
streams are stable across versions: a certificate's counterexample must come
out the same on every machine.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from ..core.context import Context, Role, SymbolSpec
from ..core.domains import Kind


def seeded_rng(*parts: object) -> random.Random:
    """A generator seeded from a stable hash of ``parts`` (names, step numbers)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass
class Point:
    """Sizes and a value for every data, prediction and constant symbol."""

    sizes: dict[str, int]
    values: dict[str, object] = field(default_factory=dict)

    def env(self, ctx: Context) -> dict:
        out: dict = {}
        for name, n in self.sizes.items():
            out[ctx[name]] = mpmath.mpf(n)
        for name, value in self.values.items():
            obj = ctx[name]
            if isinstance(obj, sp.IndexedBase):
                out[name] = value
            else:
                out[obj] = mpmath.mpf(value)
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
               base: Point | None = None) -> Point:
    """A point at the given sizes; with ``base``, only symbols of ``roles`` are redrawn."""
    point = Point(dict(sizes), dict(base.values) if base else {})
    for spec in ctx.symbols:
        if spec.role in roles and spec.domain is not None:
            point.values[spec.name] = _draw_symbol(ctx, spec, rng, sizes)
    return point


def _shape(ctx: Context, spec: SymbolSpec, sizes: dict[str, int]) -> list[int]:
    shape = []
    for index in spec.indices:
        upper = ctx.spec(index).upper
        shape.append(sizes[upper] if isinstance(upper, str) else int(upper))
    return shape


def _draw_symbol(ctx: Context, spec: SymbolSpec, rng: random.Random, sizes: dict[str, int]):
    domain = spec.domain
    label_upper = sizes.get(spec.upper) if isinstance(spec.upper, str) else int(spec.upper)
    if not spec.indices:
        if domain.kind in (Kind.SIMPLEX, Kind.ONEHOT):
            raise ValueError(f"{spec.name}: a {domain.kind.value} symbol needs an index")
        return domain.sample_scalar(rng, label_upper)
    shape = _shape(ctx, spec, sizes)

    def fill(depth: int):
        if depth == len(shape) - 1:
            if domain.kind in (Kind.SIMPLEX, Kind.ONEHOT):
                return domain.sample_row(rng, shape[depth])
            return [domain.sample_scalar(rng, label_upper) for _ in range(shape[depth])]
        return [fill(depth + 1) for _ in range(shape[depth])]

    return fill(0)


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
    """Give each free index a value in its range at the point's sizes (a gradient's ``j``)."""
    for name in names:
        spec = ctx.spec(name)
        bounds = [point.sizes[b] if isinstance(b, str) else int(b) for b in (spec.lower, spec.upper)]
        point.values[name] = float(rng.randint(bounds[0], bounds[1]))
