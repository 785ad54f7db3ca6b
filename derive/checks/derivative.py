"""Checking a ``derivative`` step: the new line is d(old line)/d(wrt).

Two independent obligations-worth of evidence for one identity:

- symbolically, sympy differentiates the old line (definitions unfolded) and
  the canonical forms of that and the new line are compared (sums with a
  ``1{j = k}`` sift to their one surviving term), for every size; exactly at
  small sizes when that does not go through;
- numerically, without any symbolic differentiation: a central finite
  difference of the old line, at 100 digits with a step of 10^-30, at seeded
  random points (the free index j drawn too), must match the new line. A wrong
  gradient is refuted there with a counterexample.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from .algebra import exact_check, symbolic_check
from ..core.context import Context, Role
from .evaluate import Budget, BudgetExceeded, Undefined, Unsupported, evaluate
from .results import CheckResult, Counterexample, Settings, Status
from .points import draw_free_indices, draw_point, draw_sizes, free_indices, seeded_rng

#: Working precision and step of the finite difference; the truncation error
#: (step^2) and the rounding error (10^-digits / step) both stay below 10^-50.
FD_DIGITS = 100
FD_STEP = mpmath.mpf("1e-30")
#: Relative tolerance of the comparison, and the absolute floor relative to
#: the size of the old line (rounding in f(x + h) - f(x - h)).
FD_REL = mpmath.mpf("1e-20")
FD_FLOOR = mpmath.mpf("1e-45")
#: Domains a prediction may be perturbed in (open sets: x +- h stays inside).
PERTURBABLE = ("real", "positive", "prob")


def variable_problem(wrt: sp.Basic | None, ctx: Context) -> str | None:
    """Why ``wrt`` cannot be differentiated by (a reason), or None when it can."""
    if wrt is None:
        return "a derivative step must name the variable it differentiates by"
    if not isinstance(wrt, (sp.Symbol, sp.Indexed)):
        return f"{wrt} is not a symbol or an element of an array"
    spec = ctx.spec_of(wrt)
    if spec is None or spec.role is not Role.PREDICTION:
        return f"{wrt} is not a declared prediction"
    if spec.domain is None or spec.domain.name not in PERTURBABLE:
        return f"{wrt} lies in {spec.domain.name if spec.domain else 'no domain'}, not an open set of reals"
    if len(spec.indices) != (len(wrt.indices) if isinstance(wrt, sp.Indexed) else 0):
        return f"{wrt} does not take {len(spec.indices)} indices"
    if isinstance(wrt, sp.Indexed):
        for index in wrt.indices:
            ispec = ctx.spec_of(index)
            if not (index.is_Integer or (isinstance(index, sp.Symbol) and ispec is not None
                                         and ispec.role is Role.INDEX)):
                return f"the index {index} of {wrt} is not a declared index or a number"
    return None


def check_derivative(step, ctx: Context, seed: tuple, settings: Settings, budget: Budget) -> list[CheckResult]:
    problem = variable_problem(step.wrt, ctx)
    if problem:
        return [CheckResult("relation", "structure", Status.FAILED, problem)]
    # The prediction by its name (z), not the engine's element notation (z[j]).
    what = (f"one element of the prediction {step.wrt.base}" if isinstance(step.wrt, sp.Indexed)
            else f"the prediction {step.wrt}")
    results = [CheckResult("relation", "structure", Status.PROVED, f"partial derivative with respect to {what}")]
    try:
        before = ctx.unfold(step.before)
        after = ctx.unfold(step.after)
    except ValueError as exc:
        return results + [CheckResult("identity", "symbolic", Status.UNCHECKED, str(exc))]
    numeric = finite_difference_check(before, after, step.wrt, ctx, seed, settings, budget)
    results.append(symbolic_derivative_check(before, after, step.wrt, ctx, settings, numeric))
    results.append(numeric)
    return results


def symbolic_derivative_check(before, after, wrt, ctx, settings, numeric: CheckResult) -> CheckResult:
    bound = {l[0] for node in sp.preorder_traversal(before) if isinstance(node, (sp.Sum, sp.Product))
             for l in node.limits}
    clash = bound & wrt.free_symbols
    if clash:
        return CheckResult("identity", "symbolic", Status.UNCHECKED,
                           f"a sum binds {', '.join(sorted(map(str, clash)))}, which the variable uses")
    try:
        target = sp.diff(before, wrt)
    except (ValueError, TypeError, NotImplementedError) as exc:
        return CheckResult("identity", "symbolic", Status.UNCHECKED, f"sympy could not differentiate: {exc}")
    refuted = numeric.status is Status.FAILED
    result = symbolic_check(after, target, ctx, {}, settings, "identity", use_simplify=not refuted)
    if result.status is not Status.PROVED and not refuted:
        exact = exact_check(after, target, ctx, {}, settings, "identity")
        if exact.status is Status.PROVED_AT_SIZES:
            return exact
    return result


def _perturbed(env: dict, wrt: sp.Basic, delta, budget: Budget) -> dict:
    """A copy of ``env`` with the variable moved by ``delta``."""
    out = dict(env)
    if isinstance(wrt, sp.Symbol):
        out[wrt] = env[wrt] + delta
        return out
    name = wrt.base.label.name
    positions = [int(evaluate(i, env, budget)) for i in wrt.indices]

    def moved(node, depth):
        if not isinstance(node, list) or not 1 <= positions[depth] <= len(node):
            raise Undefined(f"{wrt} is outside its range")
        copy = list(node)
        k = positions[depth] - 1
        copy[k] = moved(node[k], depth + 1) if depth + 1 < len(positions) else mpmath.mpf(node[k]) + delta
        return copy

    out[name] = moved(env[name], 0)
    return out


def _value_of(wrt, env, budget):
    return evaluate(wrt, env, budget, FD_DIGITS)


def finite_difference_check(before, after, wrt, ctx: Context, seed: tuple, settings: Settings,
                            budget: Budget) -> CheckResult:
    """The new line against (f(x + h) - f(x - h)) / 2h of the old one, at random points."""
    rng = seeded_rng(*seed, "derivative")
    free = free_indices(ctx, before, after, wrt)
    index_rng = seeded_rng(*seed, "derivative", "free-index")
    valid = 0
    try:
        for _ in range(settings.trials):
            point = draw_point(ctx, rng, draw_sizes(ctx, rng))
            draw_free_indices(ctx, index_rng, point, free)
            env = point.env(ctx)
            with mpmath.workdps(FD_DIGITS):
                try:
                    x = _value_of(wrt, env, budget)
                    h = FD_STEP * max(1, abs(x))
                    centre = evaluate(before, env, budget, FD_DIGITS)
                    up = evaluate(before, _perturbed(env, wrt, h, budget), budget, FD_DIGITS)
                    down = evaluate(before, _perturbed(env, wrt, -h, budget), budget, FD_DIGITS)
                except Undefined:
                    continue
                slope = (up - down) / (2 * h)
                try:
                    got = evaluate(after, env, budget, FD_DIGITS)
                except Undefined as exc:
                    cex = Counterexample(point.to_json(), mpmath.nstr(slope, 17), None,
                                         f"the derivative line is undefined: {exc}")
                    return CheckResult("identity", "numeric", Status.FAILED, cex.describe(), cex)
                gap = abs(got - slope)
                tolerance = FD_REL * max(abs(got), abs(slope)) + FD_FLOOR * max(1, abs(centre))
                if gap > tolerance:
                    cex = Counterexample(point.to_json(), mpmath.nstr(slope, 17), mpmath.nstr(got, 17),
                                         f"the finite difference of the previous line in {wrt} differs")
                    return CheckResult("identity", "numeric", Status.FAILED, cex.describe(), cex)
            valid += 1
    except (Unsupported, BudgetExceeded) as exc:
        return CheckResult("identity", "numeric", Status.UNCHECKED, str(exc))
    if valid < settings.needed:
        return CheckResult("identity", "numeric", Status.UNCHECKED,
                           f"only {valid} of {settings.trials} random points were in the domain")
    # Where both values are near 0 the relative gap means little; every point
    # passed the tolerance, and that is the number worth stating.
    return CheckResult("identity", "numeric", Status.NUMERIC,
                       f"{valid} random points agree with a central finite difference of the previous "
                       f"line, to a relative tolerance of 1e{round(float(mpmath.log10(FD_REL)))}")
