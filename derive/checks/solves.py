"""Checking a ``solves`` step: the new line is the only root of the old line (a gradient)
in the step's parameter.

Three obligations:

- structure: the parameter is one prediction symbol, and the new line is free of it;
- root: the new line equals the root solved afresh from the old line (below), by the
  checks of an equality (so a value off by 10^-40, or only at sizes above 16, is caught);
- identity: the old line with the parameter replaced by the new line is 0, by the same
  symbolic, exact and numeric checks as an equality, independently of how the root was
  found (a wrong estimate is refuted at a random point where the gradient there is not 0);
- unique: with its denominator cleared, the old line is ``slope * x + rest`` with slope
  and rest free of x, and interval bounds prove the slope and the denominator never 0
  on the domain, so the root is the only one.
"""
from __future__ import annotations

import sympy as sp

from ..core.context import Context, Role
from .evaluate import Budget
from .intervals import interval_of
from .results import CheckResult, Settings, Status


def check_solves(step, ctx: Context, seed: tuple, settings: Settings, budget: Budget) -> list[CheckResult]:
    from ..core.rules_models import linear_root
    from .steps import identity_checks
    x = step.wrt
    spec = ctx.spec_of(x) if x is not None else None
    if not isinstance(x, sp.Symbol) or spec is None or spec.role is not Role.PREDICTION:
        return [CheckResult("relation", "structure", Status.FAILED,
                            "a solves step must name one parameter (a prediction symbol) it solves for")]
    before, after = ctx.unfold(step.before), ctx.unfold(step.after)
    if after.has(x):
        return [CheckResult("relation", "structure", Status.FAILED, f"the value still depends on {x}")]
    results = [CheckResult("relation", "structure", Status.PROVED, f"the root of the gradient in {x}")]
    found = linear_root(before, x)
    if found is not None:
        # the value against the root solved afresh from the gradient, as an equality of two lines
        results += identity_checks(after, found[0], ctx, {}, seed + ("root",), settings, budget, "root")
    at = before.xreplace({x: after})
    # zero wherever the gradient has a value at the estimate: a Bernoulli sample of all ones has
    # its estimate p = 1 at the edge of the domain, where the gradient has none
    zero = sp.Mul(sp.Integer(0), at, evaluate=False)
    identity = identity_checks(at, zero, ctx, {}, seed, settings, budget)
    # a refutation shows its point first: the numbers where the gradient at the value is not 0
    identity.sort(key=lambda r: not (r.status is Status.FAILED and r.kind == "numeric"))
    results += identity
    if found is None:
        results.append(CheckResult("unique", "symbolic", Status.FAILED,
                                   f"the gradient's numerator is not linear in {x}: the root need not be the only one"))
        return results
    _, slope, den = found
    if not (_never_zero(slope, ctx) and _never_zero(den, ctx)):
        results.append(CheckResult("unique", "symbolic", Status.FAILED,
                                   f"the slope {sp.sstr(slope)} or the denominator {sp.sstr(den)} may be 0"))
        return results
    results.append(CheckResult("unique", "symbolic", Status.PROVED,
                               f"the gradient's numerator is {x} times {sp.sstr(slope)} plus terms free of {x}, "
                               "and that slope and the denominator are never 0: the root is the only one"))
    return results


def _never_zero(expr: sp.Expr, ctx: Context) -> bool:
    if expr.is_number:
        return expr != 0
    box = interval_of(expr, ctx.interval)
    return box.strictly_positive or interval_of(-expr, ctx.interval).strictly_positive
