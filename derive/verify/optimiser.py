"""Optimiser steps of a user's derivation: ``\\arg\\max_\\theta F = \\arg\\min_\\theta G``.

The step holds when ``G = c * h(F) + t`` with ``h`` the identity or ``log``,
``c`` and ``t`` free of the parameters, ``c`` of the sign the senses ask
(``c > 0`` keeps max as max, ``c < 0`` turns it into min), ``t`` finite, and
``F >= 0`` when ``h`` is ``log``. The candidates for ``c`` and ``t`` are read
off the two sides (their parameter-free factors and terms); the identity is
then decided like any equality step, and the sign of ``c`` is proved with
interval bounds from the domains.

Finding no such map is not a refutation. A refutation is an *order* witness:
two parameter points at the same data where ``F`` and ``G`` rank them the
wrong way round, which no strictly monotone map allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import sympy as sp

from ..checks.points import EmptyRange, PointMaker, describe_drawn
from ..checks.evaluate import Budget, BudgetExceeded, Undefined, Unsupported, evaluate
from ..checks.intervals import interval_of

#: Parameter pairs tried for an order witness, and the candidates for c tried.
ORDER_PAIRS = 80
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class MapFound:
    """``G = c * h(F) + t``."""

    log: bool
    c: sp.Expr
    t: sp.Expr

    def describe(self) -> str:
        parts = ["log" if self.log else ""]
        if self.c != 1:
            parts.append(f"times {sp.sstr(self.c)}")
        if self.t != 0:
            parts.append(f"plus {sp.sstr(self.t)} (free of the parameters)")
        text = ", then ".join(p for p in parts if p)
        return text or "the same objective"


#: Beyond this size a side is not distributed into terms (a product of 20
#: binomials would become 2^20 terms).
MAX_EXPAND_OPS = 200


def _terms(expr: sp.Expr) -> list[sp.Expr]:
    """The top-level terms, after distributing one factor over one sum (``c (a + b)``)."""
    sums = [f for f in sp.Mul.make_args(expr) if isinstance(f, sp.Add)]
    if len(sums) > 1 or sp.count_ops(expr) > MAX_EXPAND_OPS:
        return list(sp.Add.make_args(expr))
    expanded = sp.expand(expr, deep=False, mul=True, multinomial=False, power_exp=False,
                         power_base=False, log=False)
    return list(sp.Add.make_args(expanded))


def _split_term(term: sp.Expr, depends) -> tuple[sp.Expr, sp.Expr]:
    free: list = []
    core: list = []
    for f in sp.Mul.make_args(term):
        (core if depends(f) else free).append(f)
    return sp.Mul(*free), sp.Mul(*core)


def candidates(F: sp.Expr, G: sp.Expr, depends) -> list[MapFound]:
    """Maps worth testing, most likely first."""
    found: list[MapFound] = []
    g_terms = _terms(G)
    g_free = sp.Add(*[t for t in g_terms if not depends(t)])
    g_dep = [t for t in g_terms if depends(t)]
    for log in (False, True):
        hF = sp.log(F) if log else F
        h_terms = _terms(hF)
        h_free = sp.Add(*[t for t in h_terms if not depends(t)])
        h_dep = [t for t in h_terms if depends(t)]
        cs: list[sp.Expr] = [sp.Integer(1), sp.Integer(-1)]
        for gt in g_dep[:3]:
            gc, _ = _split_term(gt, depends)
            for ht in h_dep[:3]:
                hc, _ = _split_term(ht, depends)
                if hc != 0:
                    cs.append(sp.simplify(gc / hc) if sp.count_ops(gc / hc) < 30 else gc / hc)
        seen = set()
        for c in cs:
            if c in seen or c == 0:
                continue
            seen.add(c)
            t = g_free - c * h_free
            t = sp.simplify(t) if sp.count_ops(t) < 30 else t
            found.append(MapFound(log, c, sp.Integer(0)))
            if t != 0:
                found.append(MapFound(log, c, t))
    return found[:2 * MAX_CANDIDATES]


def sign_of(expr: sp.Expr, lookup) -> int:
    """+1 or -1 when interval bounds prove the sign, else 0."""
    if expr.is_number:
        return 1 if expr > 0 else (-1 if expr < 0 else 0)
    box = interval_of(expr, lookup)
    if box.strictly_positive:
        return 1
    neg = interval_of(-expr, lookup)
    return -1 if neg.strictly_positive else 0


def nonnegative(expr: sp.Expr, lookup) -> bool:
    """``expr >= 0`` wherever it is defined: interval bounds, or the structure
    (products, sums and powers of nonnegative parts; a power of a nonnegative
    base is nonnegative for any real exponent)."""
    if interval_of(expr, lookup).nonnegative:
        return True
    if isinstance(expr, sp.Product):
        return nonnegative(expr.function, lookup)
    if isinstance(expr, sp.Sum):
        return nonnegative(expr.function, lookup)
    if isinstance(expr, (sp.Mul, sp.Add)):
        return all(nonnegative(a, lookup) for a in expr.args)
    if isinstance(expr, sp.Pow):
        return nonnegative(expr.base, lookup) or (expr.exp.is_integer and expr.exp.is_even)
    if isinstance(expr, sp.exp):
        return True
    return False


def finite_at_points(expr: sp.Expr, maker: PointMaker, budget: Budget, points: int = 30) -> bool | None:
    """Is ``expr`` finite wherever it is evaluated? ``None`` when nothing could be evaluated."""
    if not expr.free_symbols:
        try:
            return mpmath.isfinite(evaluate(expr, {}, budget))
        except (Undefined, Unsupported, BudgetExceeded):
            return False
    seen = 0
    for _ in range(points * 3):
        try:
            env, _, _ = maker.point()
        except EmptyRange:
            continue
        try:
            value = evaluate(expr, env, budget)
        except Undefined:
            return False
        except (Unsupported, BudgetExceeded, EmptyRange):
            return None
        if not mpmath.isfinite(value):
            return False
        seen += 1
        if seen >= points:
            return True
    return True if seen else None


def varies(expr: sp.Expr, maker: PointMaker, budget: Budget, points: int = 30) -> bool:
    """Does ``expr`` take two different values at the points drawn (it is not a constant)?"""
    first = None
    for _ in range(points):
        try:
            env, _, _ = maker.point()
            value = evaluate(expr, env, budget)
        except (Undefined, EmptyRange):
            continue
        except (Unsupported, BudgetExceeded):
            return False
        if not mpmath.isfinite(value):
            continue
        if first is None:
            first = value
        elif abs(value - first) > mpmath.mpf(10) ** -12 * max(1, abs(first)):
            return True
    return False


@dataclass
class OrderWitness:
    text: str
    counterexample: dict


def order_witness(F: sp.Expr, G: sp.Expr, direction: int, maker: PointMaker,
                  dependent_keys: Callable[[str], bool], budget: Budget) -> OrderWitness | None:
    """Two parameter points at the same data that ``F`` and ``G`` order the wrong way."""
    original_sizes = maker.sizes
    try:
        for _ in range(ORDER_PAIRS):
            try:
                env1, sizes, drawn1 = maker.point()
                setattr(maker, "sizes", lambda s=sizes: dict(s))  # the second point at the same sizes
                env2, _, drawn2 = maker.point()
            except EmptyRange:
                continue
            finally:
                setattr(maker, "sizes", original_sizes)
            mixed = dict(env1)
            drawn = dict(drawn1)
            for name, var in maker.variables.items():
                if dependent_keys(name):
                    key = name if var.kind == "array" else var.obj
                    if key in env2:
                        mixed[key] = env2[key]
                        drawn[name + " (second point)"] = drawn2.get(name)
            try:
                values = [evaluate(e, env, budget, 60) for e in (F, G) for env in (env1, mixed)]
            except (Undefined, EmptyRange):
                continue
            f1, f2, g1, g2 = values
            df, dg = f1 - f2, g1 - g2
            tiny = mpmath.mpf(10) ** -40
            if abs(df) <= tiny * max(1, abs(f1)) or not all(mpmath.isfinite(v) for v in values):
                continue
            wrong = (dg * df * direction < 0 and abs(dg) > tiny * max(1, abs(g1))) or dg == 0
            if not wrong:
                continue
            cex = describe_drawn({k: v for k, v in drawn1.items()}, sizes)
            for name, value in drawn.items():
                if name.endswith("(second point)") and value is not None:
                    second = describe_drawn({name[:-len(" (second point)")]: value}, sizes)["values"]
                    cex["values"].update({f"{k} (second point)": v for k, v in second.items()})
            cex.update({"F(first)": mpmath.nstr(f1, 15), "F(second)": mpmath.nstr(f2, 15),
                        "G(first)": mpmath.nstr(g1, 15), "G(second)": mpmath.nstr(g2, 15)})
            sense = "keep" if direction > 0 else "reverse"
            return OrderWitness(
                f"no strictly monotone map turns the old objective into the new one: two parameter "
                f"points at the same data where the new objective does not {sense} the old one's order "
                f"(old {mpmath.nstr(f1, 8)} vs {mpmath.nstr(f2, 8)}, new {mpmath.nstr(g1, 8)} vs "
                f"{mpmath.nstr(g2, 8)})", cex)
    except (Unsupported, BudgetExceeded):
        return None
    return None
