"""Canonical forms for the symbolic check: sound rewrites only.

Two expressions are proved equal when their canonical forms differ by
something sympy reduces to 0. Every rewrite here is an identity on the
domain, so a ``proved`` can never come from this module wrongly; what it
cannot reduce stays ``unchecked`` and falls to the exact and numeric checks.

- zero-one lemmas: ``1{y = 1} -> y`` and ``y^n -> y`` when y is 0 or 1;
- logs expanded only where the interval oracle shows every argument positive
  (never ``expand_log(force=True)`` blindly);
- finite sums and products split by linearity, constants pulled out, and
  dummy indices renamed by nesting height, so renamed dummies compare equal;
- sifting: ``sum_k f(k) 1{j = k} -> f(j)`` for a free index j declared over
  exactly the range of the sum (derivatives by ``z_j`` produce these);
- row sums: ``sum_k y_k -> 1`` for a one-hot or simplex row summed over the
  whole declared range of its last index.
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log2

from ..core.context import Context, Role
from .intervals import interval_of, is_positive
from ..core.strategies import everywhere, exhaust


def _zero_one(ctx: Context):
    def is01(e: sp.Basic) -> bool:
        spec = ctx.spec_of(e)
        return (isinstance(e, (sp.Symbol, sp.Indexed)) and spec is not None
                and spec.domain is not None and spec.domain.is_zero_one())

    def rule(e: sp.Basic):
        if isinstance(e, sp.KroneckerDelta):
            a, b = e.args
            if b == 1 and is01(a):
                return a
            if a == 1 and is01(b):
                return b
            if b == 0 and is01(a):
                return 1 - a
            if a == 0 and is01(b):
                return 1 - b
        if isinstance(e, sp.Pow) and is01(e.base) and e.exp.is_Integer and e.exp > 0:
            return e.base
        if isinstance(e, sp.Mul):
            # y log y = 0 for y in {0, 1} (1 log 1 = 0, and 0 log 0 = 0).
            for f in e.args:
                if isinstance(f, sp.log) and len(f.args) == 1 and is01(f.args[0]) and f.args[0] in e.args:
                    return sp.Integer(0)
        return None

    return rule


def _weighted_log(ctx: Context):
    """``w log(w c) -> w log w + w log c`` for w >= 0 weighing the log and c > 0.

    Sound under 0 log 0 = 0: where a weight that may be 0 is 0, both sides are 0.
    """
    positive = lambda e: is_positive(e, ctx.interval)  # noqa: E731

    def rule(e: sp.Basic):
        if not isinstance(e, sp.Mul):
            return None
        for f in e.args:
            if not (isinstance(f, sp.log) and len(f.args) == 1 and isinstance(f.args[0], sp.Mul)):
                continue
            inner = f.args[0].args
            weights = [g for g in inner if not positive(g)]
            if weights and all(g in e.args and isinstance(g, (sp.Symbol, sp.Indexed))
                               and interval_of(g, ctx.interval).nonnegative for g in weights):
                rest = sp.Mul(*[a for a in e.args if a is not f])
                return sp.Add(*[rest * sp.log(g) for g in inner])
        return None

    return rule


def _log_expand(ctx: Context):
    positive = lambda e: is_positive(e, ctx.interval)  # noqa: E731

    def rule(e: sp.Basic):
        if not isinstance(e, sp.log) or len(e.args) != 1:
            return None
        arg = e.args[0]
        if isinstance(arg, sp.Product) and positive(arg.function):
            return sp.Sum(sp.log(arg.function), *arg.limits)
        if isinstance(arg, sp.Mul) and all(positive(f) for f in arg.args):
            return sp.Add(*[sp.log(f) for f in arg.args])
        if isinstance(arg, sp.Pow) and positive(arg.base) and arg.exp.is_real:
            return arg.exp * sp.log(arg.base)
        if isinstance(arg, sp.exp) and arg.args[0].is_real:
            return arg.args[0]
        if arg.is_Rational and arg.is_positive and arg != 1 and (arg.p != 1 or arg.q != 1):
            if arg.q != 1:
                return sp.log(arg.p) - sp.log(arg.q)
            # log 4 -> 2 log 2: logs of integers over their prime factors.
            if arg < 10 ** 12:
                factors = sp.factorint(int(arg))
                if len(factors) > 1 or any(e > 1 for e in factors.values()):
                    return sp.Add(*[e * sp.log(q) for q, e in factors.items()])
        return None

    return rule


def bound_symbols(expr: sp.Basic) -> frozenset:
    """Every symbol some sum or product in ``expr`` binds."""
    return frozenset(l[0] for node in sp.preorder_traversal(expr) if isinstance(node, (sp.Sum, sp.Product))
                     for l in node.limits)


def sift_deltas(ctx: Context, bound: frozenset = frozenset()):
    """Node rule ``sum_{k=lo}^{hi} f(k) 1{j = k} -> f(j)``.

    Sound when j is a free index whose declared range is exactly lo..hi (so
    exactly one term survives) and no sum inside f binds j or k again. An
    index in ``bound`` (bound somewhere in the whole expression, so perhaps
    over another range than its declared one) is never sifted to.
    """

    def rule(e: sp.Basic):
        if not isinstance(e, sp.Sum) or len(e.limits) != 1:
            return None
        var, lo, hi = e.limits[0]
        factors = list(e.function.args) if isinstance(e.function, sp.Mul) else [e.function]
        for n, f in enumerate(factors):
            if not isinstance(f, sp.KroneckerDelta):
                continue
            a, b = f.args
            other = b if a == var else a if b == var else None
            if not isinstance(other, sp.Symbol) or other == var or other in bound:
                continue
            spec = ctx.spec_of(other)
            if spec is None or spec.role is not Role.INDEX or tuple(ctx.limits(spec.name)[1:]) != (lo, hi):
                continue
            rest = sp.Mul(*(factors[:n] + factors[n + 1:]))
            if any(isinstance(node, (sp.Sum, sp.Product)) and any(l[0] in (var, other) for l in node.limits)
                   for node in sp.preorder_traversal(rest)):
                continue
            return rest.xreplace({var: other})
        return None

    return rule


def _row_sum(ctx: Context):
    """Node rule ``sum_k y_k -> 1`` for a one-hot or simplex row over its whole range."""

    def rule(e: sp.Basic):
        if not isinstance(e, sp.Sum) or len(e.limits) != 1 or not isinstance(e.function, sp.Indexed):
            return None
        var, lo, hi = e.limits[0]
        element = e.function
        spec = ctx.spec_of(element)
        if (spec is None or spec.domain is None or spec.domain.kind.value not in ("onehot", "simplex")
                or len(spec.indices) != len(element.indices)):
            return None
        *head, last = element.indices
        if last != var or any(h.has(var) for h in head):
            return None
        if tuple(ctx.limits(spec.indices[-1])[1:]) != (lo, hi):
            return None
        return sp.Integer(1)

    return rule


def _base_log(e: sp.Basic):
    """``log(x, b) -> log x / log b`` (sympy keeps the two-argument form)."""
    if isinstance(e, sp.log) and len(e.args) == 2:
        return sp.log(e.args[0]) / sp.log(e.args[1])
    if isinstance(e, log2):
        return sp.log(e.args[0]) / sp.log(2)
    return None


def _height(e: sp.Basic) -> int:
    """How many summation or product limits nest inside ``e``."""
    best = 0
    for node in sp.preorder_traversal(e):
        if isinstance(node, (sp.Sum, sp.Product)):
            best = max(best, len(node.limits) + _height(node.function))
    return best


#: A sum or product with this many terms or fewer is written out.
SMALL_RANGE = 8


def _dummy(height: int) -> sp.Symbol:
    # "@" cannot appear in a declared name (see srepr and SymbolSpec), so a
    # canonical dummy never collides with a symbol of the derivation.
    return sp.Symbol(f"@d{height}", integer=True)


def _sum_one(body: sp.Basic, limit: tuple) -> sp.Basic:
    """``sum_{v=lo}^{hi} body`` split by linearity, constants out, dummy renamed."""
    var, lo, hi = limit
    count = hi - lo + 1
    if count.is_Integer and 0 <= count <= SMALL_RANGE:
        return sp.Add(*[_normalise_tree(body.xreplace({var: lo + j})) for j in range(int(count))])
    body = sp.expand_mul(body)
    if isinstance(body, sp.Add):
        return sp.Add(*[_sum_one(t, limit) for t in body.args])
    factors = body.args if isinstance(body, sp.Mul) else (body,)
    const = sp.Mul(*[f for f in factors if not f.has(var)])
    dependent = sp.Mul(*[f for f in factors if f.has(var)])
    if dependent == 1:
        return const * (hi - lo + 1)
    name = _dummy(_height(dependent))
    return const * sp.Sum(dependent.xreplace({var: name}), (name, lo, hi))


def _product_one(body: sp.Basic, limit: tuple) -> sp.Basic:
    """``prod_{v=lo}^{hi} body`` split over factors, constants out, dummy renamed."""
    var, lo, hi = limit
    count = hi - lo + 1
    if count.is_Integer and 0 <= count <= SMALL_RANGE:
        return sp.Mul(*[_normalise_tree(body.xreplace({var: lo + j})) for j in range(int(count))])
    factors = body.args if isinstance(body, sp.Mul) else (body,)
    out = sp.Mul(*[f for f in factors if not f.has(var)]) ** (hi - lo + 1)
    for f in factors:
        if f.has(var):
            name = _dummy(_height(f))
            out = out * sp.Product(f.xreplace({var: name}), (name, lo, hi))
    return out


def _absorb_into_sum(e: sp.Basic):
    """``c sum_a f_a -> sum_a c f_a`` (c free of a): nested sums then merge and sort.

    Linearity; constants come out again when the sum is normalised, so only
    factors that depend on an outer index stay inside.
    """
    if not isinstance(e, sp.Mul):
        return None
    sums = [f for f in e.args if isinstance(f, sp.Sum)]
    if len(sums) != 1:
        return None
    inner = sums[0]
    others = [f for f in e.args if f is not inner]
    bound = {var for var, _, _ in inner.limits}
    if any(f.free_symbols & bound for f in others) or all(f.is_number for f in others):
        return None
    return sp.Sum(sp.Mul(*others) * inner.function, *inner.limits)


def _independent_order(limits: tuple) -> list:
    """Limits in a canonical order when no range depends on another index.

    Finite sums (and products) over independent ranges may be taken in any
    order, so ``sum_a sum_k`` and ``sum_k sum_a`` get one canonical form.
    """
    ordered = list(limits)
    bound = {var for var, _, _ in ordered}
    if len(ordered) > 1 and not any((lo.free_symbols | hi.free_symbols) & bound for _, lo, hi in ordered):
        ordered.sort(key=lambda limit: sp.default_sort_key(sp.Tuple(limit[1], limit[2])))
    return ordered


def _normalise_tree(e: sp.Basic) -> sp.Basic:
    if isinstance(e, sp.Indexed) or not e.args:
        return e
    if isinstance(e, (sp.Sum, sp.Product)):
        one = _sum_one if isinstance(e, sp.Sum) else _product_one
        body = _normalise_tree(e.function)
        for limit in _independent_order(e.limits):  # innermost first
            body = one(body, limit)
        return body
    args = [_normalise_tree(a) for a in e.args]
    if any(a is not b for a, b in zip(args, e.args)):
        e = e.func(*args)
    return e


class ReversedRange(ValueError):
    """A range whose upper bound may lie below its lower bound minus one."""


def require_ordered_ranges(expr: sp.Basic, ctx: Context | None = None) -> None:
    """Refuse sums and products whose ranges may be reversed.

    Sympy reads ``sum_{i=3}^{1}`` by Karr's convention (``-x_2``); the
    evaluator reads it as empty (0). The two agree whenever the number of
    terms ``hi - lo + 1`` is >= 0, so only such ranges are handled symbolically.
    """
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Sum, sp.Product)):
            for var, lo, hi in node.limits:
                if (hi - lo + 1).is_nonnegative is not True:
                    raise ReversedRange(f"the range {var} = {lo}..{hi} may be reversed")
                # sympy simplified the body with the dummy's assumptions when
                # it was built; they must hold on the whole range.
                if (var.is_positive and (lo - 1).is_nonnegative is not True) or (
                        var.is_nonnegative and lo.is_nonnegative is not True):
                    raise ReversedRange(f"the index {var} is assumed positive but starts at {lo}")
                if ctx is not None:
                    _require_declared_range(var, lo, ctx)


def _require_declared_range(var: sp.Symbol, lo: sp.Expr, ctx: Context) -> None:
    """The oracle gives a bound index the interval of its declaration; the
    sum must not start below it, and only index symbols may be bound."""
    spec = ctx.spec_of(var)
    if spec is None:
        return  # an undeclared dummy has no interval: the oracle knows nothing of it
    if spec.role is not Role.INDEX:
        raise ReversedRange(f"{var} is bound by a sum but declared as {spec.role.value}, not an index")
    lower = spec.lower if isinstance(spec.lower, int) else 1
    if (lo - lower).is_nonnegative is not True:
        raise ReversedRange(f"the index {var} is declared from {lower} but a sum starts it at {lo}")


def canonical(expr: sp.Basic, ctx: Context) -> sp.Basic:
    """A canonical form of ``expr`` (definitions unfolded) for comparison."""
    expr = ctx.unfold(expr)
    require_ordered_ranges(expr, ctx)
    bound = bound_symbols(expr)
    for rule in (_base_log, _weighted_log(ctx), _zero_one(ctx), sift_deltas(ctx, bound), _row_sum(ctx),
                 _log_expand(ctx)):
        out = exhaust(everywhere(rule))(expr)
        expr = expr if out is None else out
    out = exhaust(everywhere(_absorb_into_sum))(expr)
    expr = _normalise_tree(expr if out is None else out)
    # Splitting sums by linearity may expose more sifts and row sums; sums written
    # out over small ranges may show logs of numbers (log 4).
    for rule in (sift_deltas(ctx, bound), _row_sum(ctx), _log_expand(ctx)):
        out = exhaust(everywhere(rule))(expr)
        expr = expr if out is None else out
    return sp.expand(expr, log=False, power_base=False, power_exp=False)


def difference(a: sp.Basic, b: sp.Basic, ctx: Context) -> sp.Basic:
    """``canonical(a) - canonical(b)``, expanded once more."""
    return sp.expand(canonical(a, ctx) - canonical(b, ctx), log=False, power_base=False,
                     power_exp=False)
