"""Refutations: a claimed identity, and a checked point where it does not hold.

A :class:`Claim` says ``lhs == rhs`` on the domains of its context. The engine
does not take a refutation on trust either: :func:`refute` searches seeded
random points of the domains, turned into *exact rationals* (a simplex row's
last entry is ``1 - sum`` of the others, so rows sum to exactly 1 and a claim
that holds only on the simplex is not "refuted" by float rounding), and a
point counts only when the two sides differ at 40 digits and still differ,
unchanged, at 120 (:func:`derive.evaluate.confirmed_mismatch`). When no point
refutes the claim the result says so (``not_refuted``); it never invents one.

:func:`confirm` re-runs the last part for a recorded point; it is what
``derive recheck`` does with a refutation certificate, after checking that the
point lies in every symbol's domain.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

import mpmath
import sympy as sp

from .context import Context, Role, SymbolSpec
from .domains import Kind
from ..checks.evaluate import CONFIRM_DIGITS, Budget, BudgetExceeded, IllConditioned, Undefined, Unsupported, close, confirmed_mismatch, evaluate
from ..checks.points import MAX_SAMPLED_SIZE, draw_point, draw_sizes, seeded_rng

#: Random points tried before the search gives up.
SEARCH_TRIALS = 200
#: Largest denominator of a searched point's rational coordinates.
DENOMINATOR = 100


@dataclass(frozen=True)
class Claim:
    """``lhs == rhs`` for every size and every point of the domains (a claim to test)."""

    name: str
    title: str
    context: Context
    lhs: sp.Expr
    rhs: sp.Expr
    summary: str = ""
    sources: tuple[str, ...] = ()


class Outcome(str, Enum):
    """What became of a claim."""

    REFUTED = "refuted"          # a confirmed counterexample is recorded
    NOT_REFUTED = "not_refuted"  # no point refuted it (which proves nothing either)


@dataclass(frozen=True)
class RationalPoint:
    """Sizes, and an exact rational value (nested lists for arrays) per symbol."""

    sizes: dict[str, int]
    values: dict[str, object]

    def env(self, ctx: Context) -> dict:
        """Values for the evaluator, rounded at more digits than any check uses."""
        with mpmath.workdps(CONFIRM_DIGITS + 20):
            out: dict = {ctx[name]: mpmath.mpf(n) for name, n in self.sizes.items()}
            for name, value in self.values.items():
                obj = ctx[name]
                key = name if isinstance(obj, sp.IndexedBase) else obj
                out[key] = _to_mpf(value)
        return out

    def to_json(self) -> dict:
        return {"sizes": dict(self.sizes), "values": {k: _text(v) for k, v in self.values.items()}}


def _to_mpf(value):
    if isinstance(value, list):
        return [_to_mpf(v) for v in value]
    return mpmath.mpf(value.numerator) / value.denominator


def _text(value):
    if isinstance(value, list):
        return [_text(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class RefutationReport:
    """The outcome of a search (or of rechecking a recorded point)."""

    name: str
    outcome: Outcome
    detail: str
    point: RationalPoint | None = None
    lhs_value: str | None = None
    rhs_value: str | None = None
    trials: int = 0

    @property
    def refuted(self) -> bool:
        return self.outcome is Outcome.REFUTED


def _value_text(value: mpmath.mpf) -> str:
    return mpmath.nstr(value, 30)


def refute(claim: Claim, trials: int = SEARCH_TRIALS) -> RefutationReport:
    """Search the domains for a point where the two sides differ, and confirm it."""
    ctx = claim.context
    rng = seeded_rng("refute", claim.name)
    budget = Budget(seconds=30.0)
    lhs, rhs = ctx.unfold(claim.lhs), ctx.unfold(claim.rhs)
    tried = 0
    try:
        for n in range(1, trials + 1):
            tried = n
            sizes = draw_sizes(ctx, rng)
            point = rationalise(draw_point(ctx, rng, sizes).values, sizes, ctx)
            if point is None:
                continue
            confirmed = _confirmed(lhs, rhs, point, ctx, budget)
            if confirmed is not None:
                a, b = confirmed
                return RefutationReport(claim.name, Outcome.REFUTED,
                                        f"the two sides differ at the point found in trial {n} "
                                        f"(confirmed at {CONFIRM_DIGITS} digits)",
                                        point, _value_text(a), _value_text(b), n)
    except (Unsupported, BudgetExceeded) as exc:
        return RefutationReport(claim.name, Outcome.NOT_REFUTED, f"search stopped: {exc}", trials=tried)
    return RefutationReport(claim.name, Outcome.NOT_REFUTED,
                            f"no counterexample at {trials} random points (the claim may hold)",
                            trials=trials)


def _confirmed(lhs, rhs, point: RationalPoint, ctx: Context, budget: Budget):
    """Both sides at high precision when they really differ at ``point``, else None."""
    env = point.env(ctx)
    try:
        a, b = evaluate(lhs, env, budget), evaluate(rhs, env, budget)
    except Undefined:
        return None
    if close(a, b):
        return None
    try:
        return confirmed_mismatch(lhs, rhs, env, budget, a, b)
    except (IllConditioned, Undefined):
        return None


def confirm(claim: Claim, point: RationalPoint) -> RefutationReport:
    """Does ``point`` (already checked to lie in the domains) refute the claim?"""
    ctx = claim.context
    lhs, rhs = ctx.unfold(claim.lhs), ctx.unfold(claim.rhs)
    try:
        confirmed = _confirmed(lhs, rhs, point, ctx, Budget(seconds=30.0))
    except (Unsupported, BudgetExceeded) as exc:
        return RefutationReport(claim.name, Outcome.NOT_REFUTED, f"not evaluated: {exc}", point)
    if confirmed is None:
        return RefutationReport(claim.name, Outcome.NOT_REFUTED,
                                "the recorded point does not refute the claim: the two sides agree "
                                "there (or one is undefined or ill-conditioned)", point)
    a, b = confirmed
    return RefutationReport(claim.name, Outcome.REFUTED,
                            f"the two sides differ at the recorded point (confirmed at {CONFIRM_DIGITS} digits)",
                            point, _value_text(a), _value_text(b))


# -- exact points ----------------------------------------------------------------
def rationalise(values: dict, sizes: dict[str, int], ctx: Context) -> RationalPoint | None:
    """Sampled floats as small-denominator rationals, or None if that leaves a domain."""
    out = {}
    for name, value in values.items():
        spec = ctx.spec(name)
        exact = _rational_rows(value, spec)
        if exact is None:
            return None
        out[name] = exact
    point = RationalPoint(dict(sizes), out)
    return point if domain_violation(point, ctx) is None else None


def _rational_rows(value, spec: SymbolSpec):
    row_kind = spec.domain is not None and spec.domain.kind in (Kind.SIMPLEX, Kind.ONEHOT)
    if isinstance(value, list) and value and isinstance(value[0], list):
        rows = [_rational_rows(v, spec) for v in value]
        return None if any(r is None for r in rows) else rows
    if isinstance(value, list):
        exact = [Fraction(v).limit_denominator(DENOMINATOR) for v in value]
        if row_kind and exact:
            exact[-1] = 1 - sum(exact[:-1], Fraction(0))
        return exact
    return Fraction(value).limit_denominator(DENOMINATOR)


def domain_violation(point: RationalPoint, ctx: Context) -> str | None:
    """Why ``point`` is not a point of the context's domains (None when it is)."""
    sizes = point.sizes
    for s in ctx.symbols:
        if s.role is Role.SIZE:
            n = sizes.get(s.name)
            if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_SAMPLED_SIZE:
                return f"size {s.name} must be an integer in 1..{MAX_SAMPLED_SIZE}"
    if set(sizes) != {s.name for s in ctx.symbols if s.role is Role.SIZE}:
        return "the sizes must be exactly the declared sizes"
    wanted = {s.name for s in ctx.symbols
              if s.role in (Role.DATA, Role.PREDICTION, Role.CONSTANT) and s.domain is not None}
    if set(point.values) != wanted:
        return f"the point must give values for exactly {', '.join(sorted(wanted))}"
    for name, value in point.values.items():
        spec = ctx.spec(name)
        shape = []
        for index in spec.indices:
            upper = ctx.spec(index).upper
            shape.append(sizes[upper] if isinstance(upper, str) else int(upper))
        problem = _check_shape(value, shape, spec, sizes)
        if problem:
            return f"{name}: {problem}"
    return None


def _check_shape(value, shape: list[int], spec: SymbolSpec, sizes: dict[str, int]) -> str | None:
    kind = spec.domain.kind if spec.domain is not None else None
    is_open = spec.domain is not None and spec.domain.open
    if not shape:
        if not isinstance(value, Fraction):
            return "expected a number"
        label_upper = sizes.get(spec.upper) if isinstance(spec.upper, str) else int(spec.upper)
        return _scalar_problem(value, kind, label_upper)
    if not isinstance(value, list) or len(value) != shape[0]:
        return f"expected a list of {shape[0]}"
    if len(shape) > 1:
        for row in value:
            problem = _check_shape(row, shape[1:], spec, sizes)
            if problem:
                return problem
        return None
    if not all(isinstance(v, Fraction) for v in value):
        return "expected numbers"
    if kind is Kind.SIMPLEX:
        if sum(value, Fraction(0)) != 1 or any(v < 0 or (is_open and v == 0) for v in value):
            return "a row is not on the " + ("open " if is_open else "") + "simplex"
        return None
    if kind is Kind.ONEHOT:
        if sorted(value) != [0] * (len(value) - 1) + [1]:
            return "a row is not one-hot"
        return None
    for v in value:
        problem = _scalar_problem(v, kind, None)
        if problem:
            return problem
    return None


def _scalar_problem(v: Fraction, given: Kind | None, label_upper: int | None) -> str | None:
    kind = given if given is not None else Kind.REAL  # no domain: real, the default
    ok = {
        Kind.REAL: True,
        Kind.POSITIVE: v > 0,
        Kind.PROB: 0 < v < 1,
        Kind.BINARY: v in (0, 1),
        Kind.NATURAL: v.denominator == 1 and v >= 0,
        Kind.LABEL: v.denominator == 1 and 1 <= v <= (label_upper or MAX_SAMPLED_SIZE),
    }.get(kind, False)
    return None if ok else f"{v} is not in the domain {kind.value}"


def parse_value(value):
    """A recorded value (``"3/10"``, nested lists) as exact rationals; ValueError otherwise."""
    if isinstance(value, list):
        if len(value) > MAX_SAMPLED_SIZE:
            raise ValueError("a row is longer than any size")
        return [parse_value(v) for v in value]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("values must be rationals written as strings, such as \"3/10\"")
    text = str(value)
    if len(text) > 80:
        raise ValueError("a value is too long")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a rational number") from None
