"""Checking a step for its relation, independently of the rule that made it.

Every step reduces to *obligations*. The main one is an identity
``after == target`` where the target comes from ``before`` and the relation
(``before`` itself for ``eq``/``defn``; ``before`` at fixed sizes for
``specialise``; the recorded monotone map applied to ``before`` for the
optimiser relations). Each identity is attempted three ways: symbolically for
all sizes, exactly at small sizes, and numerically at seeded random points.
Optimiser steps add obligations about the map itself (log of a positive
objective, a positive factor free of the parameters, ...) and an independent
numeric test that the order of parameter points is kept (or reversed).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import Enum
from typing import Callable

import mpmath
import sympy as sp

from .canonical import difference
from .context import Context, Role
from .derivation import Derivation, Step
from .evaluate import (Budget, BudgetExceeded, IllConditioned, Undefined, Unsupported, close,
                       confirmed_mismatch, evaluate, relative_error)
from .intervals import interval_of
from .relations import MapKind, MonotoneMap, Relation
from .sampling import Point, draw_point, draw_sizes, seeded_rng
from .strategies import everywhere


class Status(str, Enum):
    """Outcome of one check; the order of strength is the order below."""

    PROVED = "proved"                    # symbolic, every size
    PROVED_AT_SIZES = "proved_at_sizes"  # exact, at the listed sizes
    NUMERIC = "numeric"                  # agreed at every random point drawn
    UNCHECKED = "unchecked"              # could not decide (with a reason)
    FAILED = "failed"                    # refuted, with a counterexample


STRENGTH = {Status.PROVED: 3, Status.PROVED_AT_SIZES: 2, Status.NUMERIC: 1, Status.UNCHECKED: 0}


@dataclass(frozen=True)
class Counterexample:
    """A point where the step does not hold, with both values."""

    point: dict
    before: str | None
    after: str | None
    note: str = ""

    def to_json(self) -> dict:
        return {"point": self.point, "expected": self.before, "got": self.after, "note": self.note}

    def describe(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in self.point.get("sizes", {}).items())
        values = "; ".join(f"{k}={_short(v)}" for k, v in self.point.get("values", {}).items())
        text = f"at {sizes}" + (f"; {values}" if values else "")
        text += f": expected {self.before}, got {self.after}"
        return text + (f" ({self.note})" if self.note else "")


def _short(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return f"{value:.6g}"


@dataclass(frozen=True)
class CheckResult:
    """One check of one obligation of a step."""

    obligation: str
    kind: str
    status: Status
    detail: str
    counterexample: Counterexample | None = None

    def to_json(self) -> dict:
        data = {"obligation": self.obligation, "kind": self.kind,
                "status": self.status.value, "detail": self.detail}
        if self.counterexample is not None:
            data["counterexample"] = self.counterexample.to_json()
        return data


#: Obligations that can only refute, never lower a step's strength.
SUPPLEMENTARY = frozenset({"order"})


@dataclass(frozen=True)
class StepReport:
    """Every check of one step, and the verdict that follows from them."""

    step: int
    results: tuple[CheckResult, ...]

    @property
    def status(self) -> Status:
        if any(r.status is Status.FAILED for r in self.results):
            return Status.FAILED
        # Algebra proves equality where both sides are defined; only the
        # numeric check tests that the new line is defined wherever the old
        # one is. Without it, nothing is established.
        if any(r.kind == "numeric" and r.obligation == "identity" and r.status is not Status.NUMERIC
               for r in self.results):
            return Status.UNCHECKED
        best: dict[str, int] = {}
        for r in self.results:
            if r.obligation in SUPPLEMENTARY:
                continue
            best[r.obligation] = max(best.get(r.obligation, 0), STRENGTH[r.status])
        if not best:
            return Status.UNCHECKED
        weakest = min(best.values())
        return next(s for s, v in STRENGTH.items() if v == weakest)

    @property
    def failure(self) -> CheckResult | None:
        return next((r for r in self.results if r.status is Status.FAILED), None)


@dataclass(frozen=True)
class Report:
    """The checks of a whole derivation."""

    name: str
    steps: tuple[StepReport, ...]

    @property
    def status(self) -> Status:
        if not self.steps:
            return Status.UNCHECKED
        statuses = [s.status for s in self.steps]
        if Status.FAILED in statuses:
            return Status.FAILED
        return min(statuses, key=lambda s: STRENGTH[s])

    @property
    def holds(self) -> bool:
        return self.status in (Status.PROVED, Status.PROVED_AT_SIZES, Status.NUMERIC)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.steps:
            out[s.status.value] = out.get(s.status.value, 0) + 1
        return out


# -- settings ------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    trials: int = 24           # random points per identity
    needed: int = 12           # valid points needed for a numeric pass
    order_data: int = 3        # data draws for the order test
    order_params: int = 5      # parameter draws per data draw
    exact_sizes: int = 2       # values tried per size symbol in the exact check
    max_cases: int = 256       # enumerated finite-domain cases per size assignment
    max_ops: int = 4000        # largest canonical difference handed to simplify
    seconds: float = 30.0      # wall-clock budget for one step


DEFAULT = Settings()


# -- identities ---------------------------------------------------------------------
def _subs_sizes(expr: sp.Basic, ctx: Context, sizes: dict[str, int]) -> sp.Basic:
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
    a, t = _subs_sizes(after, ctx, fixed), _subs_sizes(target, ctx, fixed)
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
        unfolded = (ctx.unfold(after), ctx.unfold(target))
    except ValueError as exc:
        return CheckResult(obligation, "exact", Status.UNCHECKED, str(exc))
    reason = too_large_for_algebra(*unfolded, max_ops=settings.max_ops)
    if reason:
        return CheckResult(obligation, "exact", Status.UNCHECKED, f"not attempted: {reason}")
    grid = _size_grid(ctx, fixed, settings)
    for sizes in grid:
        try:
            a = write_out(_subs_sizes(ctx.unfold(after), ctx, sizes))
            t = write_out(_subs_sizes(ctx.unfold(target), ctx, sizes))
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


Evaluator = Callable[[sp.Basic, Point], mpmath.mpf]


def numeric_check(after: sp.Expr, target: sp.Expr, ctx: Context, fixed: dict[str, int],
                  seed: tuple, settings: Settings, budget: Budget,
                  obligation: str = "identity") -> CheckResult:
    """Compare both sides at seeded random points from the domains.

    A point counts when the target is defined there; the new line must then be
    defined too (a derivation may not lose points of its domain).
    """
    rng = seeded_rng(*seed)
    try:
        a, t = ctx.unfold(after), ctx.unfold(target)
    except ValueError as exc:
        return CheckResult(obligation, "numeric", Status.UNCHECKED, str(exc))
    valid, worst, skipped = 0, 0.0, 0
    try:
        for _ in range(settings.trials):
            sizes = draw_sizes(ctx, rng, fixed)
            point = draw_point(ctx, rng, sizes)
            env = point.env(ctx)
            try:
                expected = evaluate(t, env, budget)
            except Undefined:
                continue
            try:
                got = evaluate(a, env, budget)
            except Undefined as exc:
                cex = Counterexample(point.to_json(), _num(expected), None, f"the new line is undefined: {exc}")
                return CheckResult(obligation, "numeric", Status.FAILED, cex.describe(), cex)
            if not close(got, expected):
                try:
                    confirmed_mismatch(a, t, env, budget, got, expected)
                except (IllConditioned, Undefined):
                    skipped += 1
                    continue
                cex = Counterexample(point.to_json(), _num(expected), _num(got))
                return CheckResult(obligation, "numeric", Status.FAILED, cex.describe(), cex)
            valid += 1
            worst = max(worst, relative_error(got, expected))
    except (Unsupported, BudgetExceeded) as exc:
        return CheckResult(obligation, "numeric", Status.UNCHECKED, str(exc))
    if valid < settings.needed:
        return CheckResult(obligation, "numeric", Status.UNCHECKED,
                           f"only {valid} of {settings.trials} random points were in the domain"
                           + (f" ({skipped} ill-conditioned)" if skipped else ""))
    extra = f"; {skipped} ill-conditioned points skipped" if skipped else ""
    return CheckResult(obligation, "numeric", Status.NUMERIC,
                       f"{valid} random points agree (max relative error {_err(worst)}){extra}")


def _num(value: mpmath.mpf) -> str:
    return mpmath.nstr(value, 17)


def _err(value: float) -> str:
    return "0" if value == 0 else f"< 1e{int(mpmath.floor(mpmath.log10(value))) + 1}"


def identity_checks(after, target, ctx, fixed, seed, settings, budget,
                    obligation: str = "identity") -> list[CheckResult]:
    numeric = numeric_check(after, target, ctx, fixed, seed, settings, budget, obligation)
    refuted = numeric.status is Status.FAILED
    symbolic = symbolic_check(after, target, ctx, fixed, settings, obligation, use_simplify=not refuted)
    results = [symbolic]
    # The exact check is the middle ground: only worth its cost when the
    # symbolic proof failed and the numbers have not already refuted the step.
    if symbolic.status is not Status.PROVED and not refuted:
        results.append(exact_check(after, target, ctx, fixed, settings, obligation))
    results.append(numeric)
    return results


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
            return _property_check(m.operand, ctx, seed, settings, budget, obligation,
                                   positive=False, finite=True,
                                   proved_text=f"adding {m.operand}, finite and free of the parameters")
        return _property_check(m.operand, ctx, seed, settings, budget, obligation,
                               positive=True, finite=True,
                               proved_text=f"the factor {m.operand} is positive, finite and free of the parameters")
    return _property_check(operand, ctx, seed, settings, budget, obligation, positive=True, finite=False,
                           proved_text="the objective is positive, where log is strictly increasing")


def _property_check(expr, ctx, seed, settings, budget, obligation, *, positive: bool, finite: bool,
                    proved_text: str) -> CheckResult:
    """``expr`` is positive and/or finite everywhere on the domain.

    Proved by interval bounds; otherwise tested at random points, where a
    point with an infinite value, or a value <= 0 when positivity is needed,
    is a counterexample.
    """
    iv = interval_of(ctx.unfold(expr), ctx.interval)
    bounded = iv.lo != -float("inf") and iv.hi != float("inf")
    if (iv.strictly_positive or not positive) and (bounded or not finite):
        return CheckResult(obligation, "symbolic", Status.PROVED, proved_text + " (interval bound)")
    prop = " and ".join(p for p, want in (("positive", positive), ("finite", finite)) if want)
    rng = seeded_rng(*seed, obligation)
    unfolded = ctx.unfold(expr)
    seen = 0
    try:
        for _ in range(settings.trials):
            point = draw_point(ctx, rng, draw_sizes(ctx, rng))
            try:
                value = evaluate(unfolded, point.env(ctx), budget)
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
                    samples.append((point, evaluate(b, point.env(ctx), budget),
                                    evaluate(a, point.env(ctx), budget)))
                except Undefined:
                    continue
            for (p1, b1, a1), (p2, b2, a2) in itertools.combinations(samples, 2):
                if close(b1, b2):
                    continue
                want = direction * (1 if b1 > b2 else -1)
                got = 0 if close(a1, a2) else (1 if a1 > a2 else -1)
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
    target = _subs_sizes(ctx.unfold(step.before), ctx, fixed)
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
    direction = 1
    for m in step.maps:
        direction *= m.direction
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
    if step.relation not in (Relation.SAME_ARGMAX, Relation.SAME_ARGMIN) and step.sense_after != step.sense_before:
        bad = CheckResult("relation", "structure", Status.FAILED,
                          f"a {step.relation.value} step cannot turn arg {step.sense_before} into arg {step.sense_after}")
        return StepReport(step.index, (bad,))
    results = CHECKERS[step.relation](step, ctx, seed + (step.index,), settings, budget)
    return StepReport(step.index, tuple(results))


def check_derivation(derivation: Derivation, settings: Settings = DEFAULT) -> Report:
    seed = (derivation.name,)
    return Report(derivation.name, tuple(check_step(s, derivation.context, seed, settings)
                                         for s in derivation.steps))
