"""Algebraic checks of an identity: symbolically for every size, exactly at small sizes.

Both prove equality *where both sides are defined* (sympy's algebra is that of
analytic functions); definedness is the numeric check's obligation.
"""
from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from .canonical import difference
from ..core.context import Context, Role
from .evaluate import BudgetExceeded, Undefined, Unsupported, evaluate
from .results import DEFAULT, CheckResult, Counterexample, Settings, Status
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
    found = sizes_where_nonzero(diff, ctx, fixed)
    if found is not None:
        sizes, value = found
        at = f"at {_sizes_text(sizes)}" if sizes else "at every size"
        what = "a function of the sizes alone" if sizes else "a constant"
        shown = {name: lo for name, (lo, _) in ctx.with_sizes(**fixed).items()} | sizes
        cex = Counterexample({"sizes": shown, "values": {}}, "0", value,
                             f"the new line minus the old is {what}, {value} {at}, whatever the other values")
        return CheckResult(obligation, "symbolic", Status.FAILED,
                           f"the two sides differ by {what}: {value} {at}", cex)
    return CheckResult(obligation, "symbolic", Status.UNCHECKED,
                       "sympy did not reduce the difference to 0")


#: Sizes tried for a difference that depends on the sizes alone: every value
#: from the lower bound up to this many past it, each integer constant of the
#: difference and its neighbours (the 16 of ``[C > 16]``), and a few large values.
SEARCHED_SIZES = 24
LARGE_SIZES = (100, 1000, 10_000, 1_000_000)
MAX_SIZE_CASES = 600


def sizes_where_nonzero(diff: sp.Expr, ctx: Context, fixed: dict[str, int]) -> tuple[dict[str, int], str] | None:
    """Sizes at which a difference that depends on no value but the sizes is not 0.

    ``diff`` is the simplified canonical difference of two lines. When what
    is left of it is a constant or a function of the sizes, a non-zero
    constant, or a size at which that function is not 0, refutes the identity
    for every value of the other symbols. Returns the sizes (empty for a
    constant) and the value of the difference there as text, or None when the
    difference mentions more than the sizes or no size was found.
    """
    rest = _only_sizes(diff, ctx, fixed)
    if rest is None:
        return None
    sizes = sorted((s for s in rest.free_symbols), key=lambda s: s.name)
    if not sizes:
        value = _nonzero_value(rest)
        return ({}, value) if value is not None else None
    choices = []
    for size in sizes:
        lo = int(ctx.spec(size.name).lower)
        values = set(range(lo, lo + SEARCHED_SIZES)) | set(LARGE_SIZES)
        for atom in rest.atoms(sp.Integer):
            if abs(atom) <= LARGE_SIZES[-1]:
                values |= {int(atom) - 1, int(atom), int(atom) + 1}
        choices.append(sorted(v for v in values if v >= lo))
    combos = sorted(itertools.product(*choices), key=lambda c: (max(c), sum(c)))
    for combo in combos[:MAX_SIZE_CASES]:
        assignment = dict(zip((s.name for s in sizes), combo))
        try:
            at = write_out(rest.xreplace({s: sp.Integer(v) for s, v in zip(sizes, combo)}))
        except ValueError:
            continue  # a sum too long to write out at this size
        value = _nonzero_value(at)
        if value is not None:
            return assignment, value
    return None


def _only_sizes(diff: sp.Expr, ctx: Context, fixed: dict[str, int]) -> sp.Expr | None:
    """``diff`` when it mentions nothing but the sizes (None when it mentions more).

    ``diff`` is already as simplified as the symbolic check makes it; terms
    with data left in it are not known to cancel, so nothing is concluded then.
    """
    sizes = {ctx[s.name] for s in ctx.symbols if s.role is Role.SIZE and s.name not in fixed}
    return diff if diff.free_symbols <= sizes else None


#: Precision of the look at a constant difference that is not a rational number.
CONSTANT_DIGITS = 100


def _nonzero_value(expr: sp.Expr) -> str | None:
    """The value of a constant expression when it is certainly not 0, as text."""
    if expr.is_Rational:
        return None if expr == 0 else _rational_text(expr)
    if expr.free_symbols:
        return None
    # Not exact: a value that stays put when the precision doubles is not
    # rounding noise around 0 (which moves with the precision).
    try:
        low = evaluate(expr, {}, None, CONSTANT_DIGITS)
        high = evaluate(expr, {}, None, 2 * CONSTANT_DIGITS)
    except (Undefined, Unsupported, BudgetExceeded):
        return None
    if high == 0 or abs(low - high) > abs(high) * mpmath.mpf(10) ** -20:
        return None
    return mpmath.nstr(high, 17)


def _rational_text(value: sp.Rational) -> str:
    """A rational difference as text: exact when short, else its leading digits."""
    text = str(value)
    if len(text) <= 24:
        return text
    with mpmath.workdps(40):
        return mpmath.nstr(mpmath.mpf(value.p) / value.q, 17)


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
    covered = tuple(grid)
    shown = "; ".join(_sizes_text(s) for s in covered)
    return CheckResult(obligation, "exact", Status.PROVED_AT_SIZES, f"exact at {shown}", sizes=covered)


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
