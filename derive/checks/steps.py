"""Checking a step for its relation, independently of the rule that made it.

Every step reduces to *obligations*. The main one is an identity
``after == target`` where the target comes from ``before`` and the relation
(``before`` itself for ``eq``/``defn``; ``before`` at fixed sizes for
``specialise``; the recorded monotone map applied to ``before`` for the
optimiser relations). Each identity is attempted three ways: symbolically for
all sizes, exactly at small sizes (:mod:`derive.algebra_checks`), and
numerically at seeded random points (:mod:`derive.numeric_checks`).
A difference that reduces to a constant or to a function of the sizes alone
is refuted at a size where it is not 0, however large (the random points stay
at small sizes). Optimiser steps add obligations about the map itself (log of a positive
objective, a positive finite factor free of the parameters, ...) and an
independent numeric test that the order of parameter points is kept (or
reversed).
"""
from __future__ import annotations

import math
from dataclasses import replace

import sympy as sp

from .algebra import subs_sizes, exact_check, symbolic_check
from ..core.context import Context
from ..core.derivation import Derivation, Step
from .evaluate import Budget
from .numeric import property_check, numeric_check, order_check
from ..core.relations import MapKind, MonotoneMap, Relation
from .results import DEFAULT, CheckResult, Report, Settings, Status, StepReport


def identity_checks(after, target, ctx, fixed, seed, settings, budget,
                    obligation: str = "identity") -> list[CheckResult]:
    numeric = numeric_check(after, target, ctx, fixed, seed, settings, budget, obligation)
    refuted = numeric.status is Status.FAILED
    symbolic = symbolic_check(after, target, ctx, fixed, settings, obligation, use_simplify=not refuted)
    if symbolic.status is Status.FAILED and not refuted:
        symbolic = _with_values(symbolic, after, target, ctx, seed, settings, budget)
    results = [symbolic]
    # The exact check is the middle ground: only worth its cost when the
    # symbolic proof did not go through and nothing has refuted the step.
    if symbolic.status not in (Status.PROVED, Status.FAILED) and not refuted:
        results.append(exact_check(after, target, ctx, fixed, settings, obligation))
    results.append(numeric)
    return results


#: The largest size at which a symbolic refutation is given values too.
MAX_VALUED_SIZE = 64


def _with_values(symbolic: CheckResult, after, target, ctx, seed, settings, budget) -> CheckResult:
    """A symbolic refutation at some sizes, with a point at those sizes and both values.

    The random points stay within small sizes; a difference that is a function
    of the sizes alone (zero up to 16, not at 17) is refuted symbolically, and
    the numeric check run at the sizes found gives the values of both sides.
    """
    sizes = symbolic.counterexample.point.get("sizes", {}) if symbolic.counterexample else {}
    if any(n > MAX_VALUED_SIZE for n in sizes.values()):
        return symbolic  # drawing every value at N = 10^6 costs more than it shows
    at = numeric_check(after, target, ctx, sizes, seed + ("at the sizes found",), settings, budget)
    if at.status is not Status.FAILED or at.counterexample is None:
        return symbolic
    return replace(symbolic, detail=f"{symbolic.detail}; {at.detail}", counterexample=at.counterexample)


# -- optimiser relations ------------------------------------------------------------
def map_check(m: MonotoneMap, operand: sp.Expr, ctx: Context, seed: tuple,
              settings: Settings, budget: Budget) -> CheckResult:
    """Is ``m`` strictly monotone, parameter-free, and applicable to ``operand``?"""
    obligation = f"map:{m.kind.value}"
    if not ctx.parameter_names:
        return CheckResult(obligation, "structure", Status.UNCHECKED,
                           "no prediction symbols are declared, so what the optimiser "
                           "depends on is unknown")
    if m.kind is MapKind.NEGATE:
        return CheckResult(obligation, "symbolic", Status.PROVED, "negation is strictly decreasing")
    if m.kind in (MapKind.SCALE, MapKind.SHIFT):
        if m.operand is None or ctx.depends_on_parameters(m.operand):
            return CheckResult(obligation, "symbolic", Status.FAILED,
                               f"{m.operand} depends on the parameters, so the optimiser may move")
        if m.kind is MapKind.SHIFT:
            # An infinite shift (say -log p with p = 0) flattens the objective.
            return property_check(m.operand, ctx, seed, settings, budget, obligation,
                                   positive=False, finite=True,
                                   proved_text="the added term is finite and free of the parameters")
        return property_check(m.operand, ctx, seed, settings, budget, obligation,
                               positive=True, finite=True,
                               proved_text="the factor is positive, finite and free of the parameters")
    return property_check(operand, ctx, seed, settings, budget, obligation, positive=True, finite=False,
                           proved_text="the objective is positive, where log is strictly increasing")


# -- per relation ---------------------------------------------------------------
def _check_eq(step: Step, ctx: Context, seed: tuple, settings: Settings, budget: Budget):
    return identity_checks(step.after, step.before, ctx, {}, seed, settings, budget)


def _check_specialise(step: Step, ctx: Context, seed: tuple, settings: Settings, budget: Budget):
    fixed = dict(step.substitution)
    if not fixed:
        return [CheckResult("relation", "structure", Status.FAILED, "a specialisation must fix a size")]
    kept = sorted(name for name in fixed if ctx.unfold(step.after).has(ctx[name]))
    if kept:
        # The new line holds only at the fixed sizes; if it still mentions
        # them, later steps would read it as valid for every size.
        return [CheckResult("relation", "structure", Status.FAILED,
                            f"a specialisation must not mention the fixed size {', '.join(kept)}")]
    target = subs_sizes(ctx.unfold(step.before), ctx, fixed)
    return identity_checks(step.after, target, ctx, fixed, seed, settings, budget)


def _check_optimiser(step: Step, ctx: Context, seed: tuple, settings: Settings, budget: Budget):
    results: list[CheckResult] = []
    if not step.maps:
        return [CheckResult("relation", "structure", Status.FAILED,
                            "an optimiser step must record its monotone map")]
    sense = step.sense_before
    target = step.before
    for n, m in enumerate(step.maps):
        results.append(map_check(m, target, ctx, seed + (n,), settings, budget))
        sense = m.flip(sense)
        target = m.apply(target)
    if sense != step.sense_after or Relation.for_sense(sense) is not step.relation:
        results.append(CheckResult("relation", "structure", Status.FAILED,
                                   f"the maps turn arg {step.sense_before} into arg {sense}, "
                                   f"but the step claims {step.relation.value}"))
    else:
        results.append(CheckResult("relation", "structure", Status.PROVED,
                                   f"arg {step.sense_before} becomes arg {sense}"))
    results += identity_checks(step.after, target, ctx, {}, seed, settings, budget)
    direction = math.prod(m.direction for m in step.maps)
    results.append(order_check(step.before, step.after, direction, ctx, {}, seed, settings, budget))
    return results


CHECKERS = {
    Relation.EQ: _check_eq,
    Relation.DEFN: _check_eq,
    Relation.SPECIALISE: _check_specialise,
    Relation.SAME_ARGMAX: _check_optimiser,
    Relation.SAME_ARGMIN: _check_optimiser,
}


def check_step(step: Step, ctx: Context, seed: tuple = (), settings: Settings = DEFAULT) -> StepReport:
    """Every check of one step, for its relation."""
    budget = Budget(seconds=settings.seconds)
    if not step.relation.is_optimiser and step.sense_after != step.sense_before:
        bad = CheckResult("relation", "structure", Status.FAILED,
                          f"a {step.relation.value} step cannot turn arg {step.sense_before} into arg {step.sense_after}")
        return StepReport(step.index, (bad,))
    results = CHECKERS[step.relation](step, ctx, seed + (step.index,), settings, budget)
    return StepReport(step.index, tuple(results))


def check_derivation(derivation: Derivation, settings: Settings = DEFAULT) -> Report:
    """Check every step of ``derivation`` on its own (independently of the rule
    that made it), seeded by its name: a :class:`Report` with one
    :class:`StepReport` per step."""
    seed = (derivation.name,)
    return Report(derivation.name, tuple(check_step(s, derivation.context, seed, settings)
                                         for s in derivation.steps))


# -- derivative steps (gradients), checked in their own module ---------------------
from .derivative import check_derivative  # noqa: E402

CHECKERS[Relation.DERIVATIVE] = check_derivative

# -- closed-form estimates (the root of a gradient), checked in their own module ------
from .solves import check_solves  # noqa: E402

CHECKERS[Relation.SOLVES] = check_solves
