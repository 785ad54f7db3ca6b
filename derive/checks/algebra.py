"""Algebraic checks of an identity: symbolically for every size, exactly at small sizes.

Both prove equality *where both sides are defined* (sympy's algebra is that of
analytic functions); definedness is the numeric check's obligation.
"""
from __future__ import annotations

import itertools

import sympy as sp

from .canonical import difference
from ..core.context import Context, Role
from .results import DEFAULT, CheckResult, Settings, Status
from ..core.strategies import everywhere


def subs_sizes(expr: sp.Basic, ctx: Context, sizes: dict[str, int]) -> sp.Basic:
    return expr.xreplace({ctx[name]: sp.Integer(v) for name, v in sizes.items()})


MAX_EXPANDED_POWER = 12


def too_large_for_algebra(*exprs: sp.Basic, max_ops: int = DEFAULT.max_ops) -> str | None:
    """Why expanding these could blow up (a reason), or None when it is safe.

    Expansion is what the symbolic and exact checks do; a power of a sum with a
    large exponent, or a huge tree, would hang them, so such input gets
    ``unchecked`` and is left to the numeric check, which stays cheap.
    """
    for expr in exprs:
        if sp.count_ops(expr) > max_ops:
            return f"more than {max_ops} operations"
        for node in sp.preorder_traversal(expr):
            if (isinstance(node, sp.Pow) and node.base.has(sp.Add) and node.exp.is_Integer
                    and abs(node.exp) > MAX_EXPANDED_POWER):
                return f"a power of a sum with exponent {node.exp}"
            if isinstance(node, sp.Product) and node.function.has(sp.Add):
                # Canonical forms turn a constant factor into a power.
                for _, lo, hi in node.limits:
                    count = hi - lo + 1
                    if count.is_Integer and count > MAX_EXPANDED_POWER:
                        return "a product of sums over a long concrete range"
    return None


def symbolic_check(after: sp.Expr, target: sp.Expr, ctx: Context, fixed: dict[str, int],
                   settings: Settings, obligation: str = "identity",
                   use_simplify: bool = True) -> CheckResult:
    """Canonicalise both sides; a zero difference proves the identity.

    What it proves is equality wherever both sides are defined (sympy's
    algebra is that of complex analytic functions: ``log(s z) = log s + log z``
    for ``s > 0`` and any z). That the new line is defined wherever the old
    one is, is the numeric check's obligation; a step needs both.
    ``sympy.simplify`` is the expensive last resort, skipped when the caller
    already holds a numeric counterexample.
    """
    a, t = subs_sizes(after, ctx, fixed), subs_sizes(target, ctx, fixed)
    where = "for every size" if not fixed else "at " + _sizes_text(fixed)
    try:
        a, t = ctx.unfold(a), ctx.unfold(t)
    except ValueError as exc:
        return CheckResult(obligation, "symbolic", Status.UNCHECKED, str(exc))
    if a == t:
        return CheckResult(obligation, "symbolic", Status.PROVED, f"both sides are the same expression {where}")
    reason = too_large_for_algebra(a, t, max_ops=settings.max_ops)
    if reason:
        return CheckResult(obligation, "symbolic", Status.UNCHECKED, f"not attempted: {reason}")
    try:
        diff = difference(a, t, ctx)
        if diff != 0 and use_simplify and sp.count_ops(diff) <= settings.max_ops // 20:
            diff = sp.simplify(diff)
    except (RecursionError, ValueError, TypeError, NotImplementedError) as exc:
        return CheckResult(obligation, "symbolic", Status.UNCHECKED, f"not decided symbolically: {exc}")
    if diff == 0:
        return CheckResult(obligation, "symbolic", Status.PROVED,
                           f"canonical forms agree {where} (difference simplifies to 0)")
    return CheckResult(obligation, "symbolic", Status.UNCHECKED,
                       "sympy did not reduce the difference to 0")


def _sizes_text(sizes: dict[str, int]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sorted(sizes.items()))


def _size_grid(ctx: Context, fixed: dict[str, int], settings: Settings) -> list[dict[str, int]]:
    ranges = ctx.with_sizes(**fixed)
    names = sorted(ranges)
    values = [range(lo, min(hi, lo + settings.exact_sizes - 1) + 1) for lo, hi in (ranges[n] for n in names)]
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _finite_cases(expr: sp.Basic, ctx: Context, limit: int) -> list[dict] | None:
    """Every assignment of the finite-domain elements in ``expr`` (None: too many)."""
    rows: dict[tuple, list[sp.Indexed]] = {}
    singles: list[tuple[sp.Basic, list[int]]] = []
    for atom in sorted(expr.atoms(sp.Indexed, sp.Symbol), key=sp.default_sort_key):
        spec = ctx.spec_of(atom)
        if spec is None or spec.domain is None or spec.role in (Role.SIZE, Role.INDEX):
            continue
        kind = spec.domain.kind.value
        if kind in ("onehot", "binary") and isinstance(atom, sp.Indexed) and not all(
                idx.is_Integer for idx in atom.indices):
            return None  # an element under a sum: enumerating it would be unsound
        if kind == "onehot" and isinstance(atom, sp.Indexed):
            rows.setdefault((spec.name,) + tuple(atom.indices[:-1]), []).append(atom)
        elif kind == "binary":
            singles.append((atom, [0, 1]))
    choices: list[list[dict]] = []
    for key, elements in sorted(rows.items(), key=lambda kv: str(kv[0])):
        spec = ctx.spec(key[0])
        length = ctx.size_of(spec.indices[-1])
        if not length.is_Integer:
            return None
        options = []
        for hot in range(1, int(length) + 1):
            options.append({e: sp.Integer(1 if e.indices[-1] == hot else 0) for e in elements})
        choices.append(options)
    for atom, values in singles:
        choices.append([{atom: sp.Integer(v)} for v in values])
    total = 1
    for c in choices:
        total *= len(c)
        if total > limit:
            return None
    cases = []
    for combo in itertools.product(*choices):
        merged: dict = {}
        for part in combo:
            merged.update(part)
        cases.append(merged)
    return cases


def exact_check(after: sp.Expr, target: sp.Expr, ctx: Context, fixed: dict[str, int],
                settings: Settings, obligation: str = "identity") -> CheckResult:
    """At each small size, write every sum out and enumerate finite domains."""
    try:
        after, target = ctx.unfold(after), ctx.unfold(target)
    except ValueError as exc:
        return CheckResult(obligation, "exact", Status.UNCHECKED, str(exc))
    reason = too_large_for_algebra(after, target, max_ops=settings.max_ops)
    if reason:
        return CheckResult(obligation, "exact", Status.UNCHECKED, f"not attempted: {reason}")
    grid = _size_grid(ctx, fixed, settings)
    for sizes in grid:
        try:
            a = write_out(subs_sizes(after, ctx, sizes))
            t = write_out(subs_sizes(target, ctx, sizes))
        except ValueError as exc:
            return CheckResult(obligation, "exact", Status.UNCHECKED, str(exc))
        sized = _sized_context(ctx, sizes)
        outside = _outside_ranges(a - t, sized)
        if outside:
            return CheckResult(obligation, "exact", Status.UNCHECKED,
                               f"{outside} is outside its index range at {_sizes_text(sizes)}")
        cases = _finite_cases(a - t, sized, settings.max_cases)
        if cases is None:
            return CheckResult(obligation, "exact", Status.UNCHECKED,
                               f"too many finite-domain cases at {_sizes_text(sizes)}")
        for case in cases or [{}]:
            try:
                diff = difference(a.xreplace(case), t.xreplace(case), sized)
                if diff != 0 and sp.count_ops(diff) <= settings.max_ops // 20:
                    diff = sp.simplify(diff)
            except (RecursionError, ValueError, TypeError, NotImplementedError) as exc:
                return CheckResult(obligation, "exact", Status.UNCHECKED, f"not decided exactly: {exc}")
            if diff != 0:
                return CheckResult(obligation, "exact", Status.UNCHECKED,
                                   f"difference not reduced to 0 at {_sizes_text(sizes)}")
    shown = "; ".join(_sizes_text(s) for s in grid)
    return CheckResult(obligation, "exact", Status.PROVED_AT_SIZES, f"exact at {shown}")


MAX_WRITTEN_TERMS = 512


def write_out(expr: sp.Basic) -> sp.Basic:
    """Every sum and product with concrete bounds as explicit terms and factors."""
    budget = [MAX_WRITTEN_TERMS]

    def spell(cls, body: sp.Basic, limits: list) -> sp.Basic:
        # Outermost first: inner bounds may name outer indices.
        *inner, (var, lo, hi) = limits
        if not (lo.is_Integer and hi.is_Integer):
            raise ValueError(f"a range {lo}..{hi} is not concrete")
        values = range(int(lo), int(hi) + 1)
        budget[0] -= len(values)
        if budget[0] < 0:
            raise ValueError("too many terms to write out")
        parts = []
        for v in values:
            bound = {var: sp.Integer(v)}
            parts.append(spell(cls, body.xreplace(bound), [sp.Tuple(*l).xreplace(bound) for l in inner])
                         if inner else body.xreplace(bound))
        return sp.Add(*parts) if cls is sp.Sum else sp.Mul(*parts)

    def expand(node):
        if isinstance(node, (sp.Sum, sp.Product)):
            return spell(type(node), node.function, list(node.limits))
        return None

    out = everywhere(expand)(expr)
    return expr if out is None else out


def _outside_ranges(expr: sp.Basic, ctx: Context) -> sp.Indexed | None:
    """An element whose concrete indices lie outside their declared ranges."""
    for atom in expr.atoms(sp.Indexed):
        spec = ctx.spec_of(atom)
        if spec is None or len(spec.indices) != len(atom.indices):
            return atom
        for index, name in zip(atom.indices, spec.indices):
            lo, hi = ctx.limits(name)[1:]
            if index.is_Integer and lo.is_Integer and hi.is_Integer and not lo <= index <= hi:
                return atom
    return None


def _sized_context(ctx: Context, sizes: dict[str, int]) -> Context:
    """The context with size symbols fixed (so index ranges are concrete)."""
    from dataclasses import replace

    specs = []
    for s in ctx.symbols:
        if s.role is Role.INDEX and isinstance(s.upper, str) and s.upper in sizes:
            s = replace(s, upper=sizes[s.upper])
        specs.append(s)
    return replace(ctx, symbols=tuple(specs))
