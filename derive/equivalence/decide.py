"""Decide whether two formulas are equal wherever both are defined.

Numeric first: seeded points from the domains (sizes, labels, lazily drawn
arrays) evaluated at 40 digits; a mismatch is re-evaluated at 120 digits
before it becomes a counterexample. When the points agree, the kernel's
canonical forms try to prove it for every size; ``equivalent`` then says
which of the two decided it.
"""
from __future__ import annotations

import hashlib
import json
import random

import mpmath
import sympy as sp

from ..algebra_checks import too_large_for_algebra
from ..canonical import difference
from ..context import Context, Role, SymbolSpec
from ..evaluate import (Budget, BudgetExceeded, IllConditioned, Undefined, Unsupported, close,
                        confirmed_mismatch, evaluate, relative_error)
from ..parsing import Parsed, read_formulas
from ..domains import Kind
from .normalise import normalise
from .points import PointMaker, Ranges, describe_drawn
from .verdict import Answer, Verdict

#: Points tried, points wanted where both sides are defined, and the fewest that decide.
ATTEMPTS = 120
WANTED = 30
NEEDED = 12


def check(a: str, b: str, domains: dict[str, str] | None = None, seconds: float = 20.0) -> Verdict:
    """Compare two LaTeX formulas, or a formula with a built-in result's final line
    (``b`` a name from ``derive list``); :class:`~derive.parsing.ParseError` on
    unreadable input or a built-in whose symbols the formula does not make clear."""
    from .builtin import against_builtin, is_builtin

    if is_builtin(b):
        return decide(a, b, against_builtin(a, b, domains).parsed, domains or {}, seconds)
    parsed = read_formulas([a, b], domains)
    return decide(a, b, parsed, domains or {}, seconds)


def decide(a: str, b: str, parsed: Parsed, domains: dict, seconds: float = 20.0) -> Verdict:
    ea, eb = parsed.exprs
    notes = tuple(parsed.notes)
    shown = (sp.sstr(ea), sp.sstr(eb))
    budget = Budget(seconds=seconds)
    numeric = _numeric(ea, eb, parsed, _rng(a, b, domains), budget)
    if numeric[0] == "mismatch":
        return Verdict(Answer.NOT_EQUIVALENT, "numeric", numeric[1], a, b, numeric[2], notes, shown)
    # With the points in agreement, sympy.simplify is tried only on small
    # expressions without sums (its sum handling can take seconds); without
    # agreement, it is the only way left to decide, so it always runs.
    if numeric[0] == "nowhere":
        return Verdict(Answer.UNKNOWN, "numeric", numeric[1], a, b, None, notes, shown)
    proved, why = _symbolic(ea, eb, parsed, thorough=numeric[0] != "agree")
    if proved:
        agree = f"; {numeric[1]}" if numeric[0] == "agree" else ""
        return Verdict(Answer.EQUIVALENT, "symbolic", why + agree, a, b, None, notes, shown)
    if numeric[0] == "agree":
        return Verdict(Answer.EQUIVALENT, "numeric", numeric[1] + f" (not proved symbolically: {why})",
                       a, b, None, notes, shown)
    return Verdict(Answer.UNKNOWN, "numeric", f"{numeric[1]}; symbolically: {why}", a, b, None, notes, shown)


def _rng(a: str, b: str, domains: dict) -> random.Random:
    digest = hashlib.sha256(json.dumps([a, b, sorted(domains.items())]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _numeric(ea: sp.Expr, eb: sp.Expr, parsed: Parsed, rng: random.Random, budget: Budget):
    """``("agree", text)``, ``("mismatch", text, counterexample)``, ``("undecided", reason)``
    or ``("nowhere", reason)`` when no point has both sides defined."""
    maker = PointMaker(parsed.table.variables, [ea, eb], rng)
    valid, worst, only_one, skipped = 0, 0.0, 0, 0
    try:
        for _ in range(ATTEMPTS):
            env, sizes, drawn = maker.point()
            va = _value(ea, env, budget)
            vb = _value(eb, env, budget)
            if va is None or vb is None:
                only_one += (va is None) != (vb is None)
                continue
            if not close(va, vb):
                try:
                    ha, hb = confirmed_mismatch(ea, eb, env, budget, va, vb)
                except (IllConditioned, Undefined):
                    skipped += 1
                    continue
                cex = describe_drawn(drawn, sizes)
                cex["a"], cex["b"] = _num(ha), _num(hb)
                return ("mismatch", f"the two sides differ at a point of the domains "
                                    f"(A = {_num(ha)}, B = {_num(hb)})", cex)
            valid += 1
            worst = max(worst, relative_error(va, vb))
            if valid >= WANTED:
                break
    except (Unsupported, BudgetExceeded) as exc:
        return ("undecided", f"numeric evaluation stopped: {exc}")
    if valid == 0:
        # "equal wherever both are defined" would hold vacuously: say so instead
        return ("nowhere", f"none of {ATTEMPTS} random points lies where both sides are defined"
                           + (f" ({only_one} where only one side is)" if only_one else ""))
    if valid < NEEDED:
        extra = f", {only_one} where only one side is" if only_one else ""
        return ("undecided", f"only {valid} of {ATTEMPTS} random points lie where both sides are "
                             f"defined{extra}")
    ill = f"; {skipped} ill-conditioned points skipped" if skipped else ""
    return ("agree", f"{valid} random points agree (largest relative difference {worst:.1e}){ill}")


def _value(expr: sp.Expr, env: dict, budget: Budget):
    try:
        return evaluate(expr, env, budget)
    except Undefined:
        return None


def _num(value: mpmath.mpf) -> str:
    return mpmath.nstr(value, 20)


def _context(parsed: Parsed) -> Context:
    specs = []
    for var in parsed.table.variables.values():
        if var.kind == "size":
            specs.append(SymbolSpec(var.name, var.name, Role.SIZE))
        else:
            specs.append(SymbolSpec(var.name, var.name, Role.DATA, var.domain, ("?",) * var.ndim))
    return Context(tuple(specs))


def _symbolic(ea: sp.Expr, eb: sp.Expr, parsed: Parsed, thorough: bool = True) -> tuple[bool, str]:
    if ea == eb:
        return True, "both sides read as the same expression"
    reason = too_large_for_algebra(ea, eb)
    if reason:
        return False, f"not attempted ({reason})"
    labels = {v.name for v in parsed.table.variables.values()
              if v.kind == "label" or v.domain.kind is Kind.LABEL}
    label_ranges = Ranges.of([ea, eb]).labels
    try:
        ea, eb = (normalise(e, label_ranges, labels) for e in (ea, eb))
    except (RecursionError, ValueError, TypeError, NotImplementedError, AttributeError) as exc:
        return False, f"sympy could not decide ({type(exc).__name__})"
    if ea == eb:
        return True, "both sides have the same normal form (indicators collapsed, sums re-indexed)"
    if reason:
        return False, f"not attempted ({reason})"
    try:
        diff = difference(ea, eb, _context(parsed))
        if diff != 0 and sp.count_ops(diff) <= 40 and (thorough or not diff.has(sp.Sum, sp.Product)):
            diff = sp.simplify(diff)
    except (RecursionError, ValueError, TypeError, NotImplementedError, AttributeError) as exc:
        return False, f"sympy could not decide ({type(exc).__name__})"
    if diff == 0:
        return True, "the canonical forms of A and B agree for every size (A - B reduces to 0)"
    return False, "sympy did not reduce A - B to 0"
