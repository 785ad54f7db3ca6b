"""Numeric checks at seeded random points from the domains.

An identity (both sides agree, and the new line is defined wherever the old
one is), a property of one expression (positive, finite), and the order test
of optimiser steps (parameter points keep or reverse their order).
"""
from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from ..core.context import Context, Role
from .evaluate import (PRECISION_DIGITS, Budget, BudgetExceeded, IllConditioned, OutOfRange, Undefined, Unsupported, close,
                       confirmed_mismatch,
                       digits_for, evaluate, relative_error, tolerance)
from .finiteness import is_finite
from .intervals import interval_of
from .results import CheckResult, Counterexample, Settings, Status
from .guards import guards_of
from .points import draw_free_indices, draw_point, draw_sizes, free_indices, seeded_rng


#: Points drawn per point wanted: wide magnitudes put some points outside what
#: the evaluator reaches (e^(10^16) in a Gaussian density), and those are redrawn.
ATTEMPTS_PER_TRIAL = 3


def numeric_check(after: sp.Expr, target: sp.Expr, ctx: Context, fixed: dict[str, int],
                  seed: tuple, settings: Settings, budget: Budget,
                  obligation: str = "identity") -> CheckResult:
    """Compare both sides at seeded random points from the domains.

    A point counts when the target is defined there; the new line must then be
    defined too (a derivation may not lose points of its domain). Both sides
    are evaluated at the precision their constants need (:func:`digits_for`),
    so a difference of 10^-40 is not lost in rounding.
    """
    rng = seeded_rng(*seed)
    try:
        a, t = ctx.unfold(after), ctx.unfold(target)
    except ValueError as exc:
        return CheckResult(obligation, "numeric", Status.UNCHECKED, str(exc))
    digits = digits_for(a, t)
    rel = tolerance(digits)
    valid, worst, skipped, beyond = 0, 0.0, 0, 0
    # A free index (the j of a gradient line) gets a value of its own, from a
    # separate stream so the other draws are the same as without it.
    free = free_indices(ctx, a, t)
    index_rng = seeded_rng(*seed, obligation, "free-index")
    guards = guards_of([a, t])
    try:
        for _ in range(settings.trials * ATTEMPTS_PER_TRIAL):
            if valid >= settings.trials:
                break
            sizes = draw_sizes(ctx, rng, fixed)
            point = draw_point(ctx, rng, sizes, guards=guards)
            draw_free_indices(ctx, index_rng, point, free)
            env = point.env(ctx)
            try:
                # the constants' digits, or more where the point's values span many decades
                expected = evaluate(t, env, budget, max(digits, point.digits))
            except Undefined:
                continue
            try:
                got = evaluate(a, env, budget, max(digits, point.digits))
            except OutOfRange:
                beyond += 1
                continue  # too large to evaluate here, which is not a point without a value
            except Undefined as exc:
                cex = Counterexample(point.to_json(), _num(expected), None, f"the new line is undefined: {exc}")
                return CheckResult(obligation, "numeric", Status.FAILED, cex.describe(), cex)
            if not close(got, expected, rel):
                try:
                    got, expected = confirmed_mismatch(a, t, env, budget, got, expected, max(digits, point.digits))
                except (IllConditioned, Undefined):
                    skipped += 1
                    continue
                cex = Counterexample(point.to_json(), _num(expected, digits), _num(got, digits),
                                     _difference_note(got, expected, digits))
                return CheckResult(obligation, "numeric", Status.FAILED, cex.describe(), cex)
            valid += 1
            worst = max(worst, relative_error(got, expected))
    except (Unsupported, BudgetExceeded) as exc:
        return CheckResult(obligation, "numeric", Status.UNCHECKED, str(exc))
    if valid < settings.needed:
        return CheckResult(obligation, "numeric", Status.UNCHECKED,
                           f"only {valid} of {settings.trials * ATTEMPTS_PER_TRIAL} random points were in the domain"
                           + (f" ({skipped} ill-conditioned)" if skipped else ""))
    extra = f"; {skipped} ill-conditioned points skipped" if skipped else ""
    if beyond:
        extra += f"; {beyond} points where the new line is too large or small to evaluate set aside"
    if digits != PRECISION_DIGITS:
        extra += f"; compared at {digits} digits, as the constants need"
    return CheckResult(obligation, "numeric", Status.NUMERIC,
                       f"{valid} random points agree (max relative error {_err(worst)}){extra}")


def _num(value: mpmath.mpf, digits: int = PRECISION_DIGITS) -> str:
    """A value with 17 significant digits, or as many as tell it apart at ``digits``."""
    return mpmath.nstr(value, 17 if digits == PRECISION_DIGITS else digits - 10)


def _difference_note(got: mpmath.mpf, expected: mpmath.mpf, digits: int) -> str:
    """At a precision above the usual, say by how much the sides differ."""
    if digits == PRECISION_DIGITS:
        return ""
    with mpmath.workdps(3 * digits):
        return f"the sides differ by {mpmath.nstr(got - expected, 6)}"


def _err(value: float) -> str:
    return "0" if value == 0 else f"< 1e{int(mpmath.floor(mpmath.log10(value))) + 1}"


def property_check(expr, ctx, seed, settings, budget, obligation, *, positive: bool, finite: bool,
                    proved_text: str) -> CheckResult:
    """``expr`` is positive and/or finite everywhere on the domain.

    Proved by interval bounds (finiteness also by structure, see
    :mod:`derive.finiteness`); otherwise tested at random points, where a
    point with an infinite value, or a value <= 0 when positivity is needed,
    is a counterexample.
    """
    unfolded = ctx.unfold(expr)
    iv = interval_of(unfolded, ctx.interval)
    bounded = iv.lo != -float("inf") and iv.hi != float("inf")
    if (iv.strictly_positive or not positive) and (bounded or not finite):
        return CheckResult(obligation, "symbolic", Status.PROVED, proved_text + " (interval bound)")
    if (iv.strictly_positive or not positive) and finite and is_finite(unfolded, ctx.interval):
        return CheckResult(obligation, "symbolic", Status.PROVED,
                           proved_text + " (interval sign; finite at every point, by structure)")
    prop = " and ".join(p for p, want in (("positive", positive), ("finite", finite)) if want)
    rng = seeded_rng(*seed, obligation)
    guards = guards_of([unfolded])
    seen = 0
    try:
        for _ in range(settings.trials * ATTEMPTS_PER_TRIAL):
            if seen >= settings.trials:
                break
            point = draw_point(ctx, rng, draw_sizes(ctx, rng), guards=guards)
            try:
                value = evaluate(unfolded, point.env(ctx), budget, point.digits)
            except Undefined as exc:
                if finite or "infinite" in str(exc):
                    cex = Counterexample(point.to_json(), "a finite value", None, f"no finite value: {exc}")
                    return CheckResult(obligation, "numeric", Status.FAILED, cex.describe(), cex)
                continue
            if positive and value <= 0:
                cex = Counterexample(point.to_json(), "> 0", _num(value), "not positive")
                return CheckResult(obligation, "numeric", Status.FAILED, cex.describe(), cex)
            seen += 1
    except (Unsupported, BudgetExceeded) as exc:
        return CheckResult(obligation, "numeric", Status.UNCHECKED, str(exc))
    if seen < settings.needed:
        return CheckResult(obligation, "numeric", Status.UNCHECKED, "too few points in the domain")
    return CheckResult(obligation, "numeric", Status.NUMERIC, f"{prop} at {seen} random points")


def order_check(before: sp.Expr, after: sp.Expr, direction: int, ctx: Context, fixed: dict[str, int],
                seed: tuple, settings: Settings, budget: Budget) -> CheckResult:
    """With the data fixed, parameter points keep (or reverse) their order."""
    rng = seeded_rng(*seed, "order")
    b, a = ctx.unfold(before), ctx.unfold(after)
    digits = digits_for(b, a)
    rel = tolerance(digits)
    pairs = 0
    if not ctx.parameter_names:
        return CheckResult("order", "numeric", Status.UNCHECKED, "no prediction symbols to vary")
    try:
        for _ in range(settings.order_data):
            sizes = draw_sizes(ctx, rng, fixed)
            data = draw_point(ctx, rng, sizes)
            samples = []
            for _ in range(settings.order_params):
                point = draw_point(ctx, rng, sizes, roles=(Role.PREDICTION,), base=data)
                try:
                    samples.append((point, evaluate(b, point.env(ctx), budget, digits),
                                    evaluate(a, point.env(ctx), budget, digits)))
                except Undefined:
                    continue
            for (p1, b1, a1), (p2, b2, a2) in itertools.combinations(samples, 2):
                if close(b1, b2, rel):
                    continue
                want = direction * (1 if b1 > b2 else -1)
                got = 0 if close(a1, a2, rel) else (1 if a1 > a2 else -1)
                if got != want:
                    note = ("the order of two parameter points is not kept" if direction > 0
                            else "the order of two parameter points is not reversed")
                    cex = Counterexample({"sizes": p1.sizes, "values": {
                        "first": p1.to_json()["values"], "second": p2.to_json()["values"]}},
                        f"{_num(b1)} vs {_num(b2)}", f"{_num(a1)} vs {_num(a2)}", note)
                    return CheckResult("order", "numeric", Status.FAILED, note, cex)
                pairs += 1
    except (Unsupported, BudgetExceeded) as exc:
        return CheckResult("order", "numeric", Status.UNCHECKED, str(exc))
    word = "keep" if direction > 0 else "reverse"
    if pairs == 0:
        return CheckResult("order", "numeric", Status.UNCHECKED, "no pair of parameter points to compare")
    return CheckResult("order", "numeric", Status.NUMERIC,
                       f"{pairs} pairs of parameter points {word} their order")
