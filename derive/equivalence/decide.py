"""Decide whether two formulas are equal wherever both are defined.

Numeric first: seeded points from the domains (sizes, labels, lazily drawn
arrays) evaluated at 40 digits; a mismatch is re-evaluated at 120 digits
before it becomes a counterexample. When the points agree, the kernel's
canonical forms try to prove it for every size; ``equivalent`` then says
which of the two decided it.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field, replace

import mpmath
import sympy as sp

from ..checks.algebra import too_large_for_algebra
from ..core.renamed import timeout_or_seconds
from ..checks.canonical import difference
from ..checks.evaluate import Budget, BudgetExceeded, OutOfRange, Undefined, Unsupported, close, evaluate, relative_error
from ..parsing import ParseError, Parsed, differs_for_every_function, points_cannot_show, read_formulas
from ..core.domains import Kind
from ..checks.intervals import interval_of
from .normalise import normalise
from ..parsing.ranges import Ranges
from .cases import SECONDS, CaseProof, prove_by_cases
from ..checks.points import EmptyRange, PointMaker, describe_drawn, kernel_context, pair_rng
from .verdict import Answer, Verdict

#: Points with one side undefined, per point with both defined, that make the sides' domains too different.
LOPSIDED = 2
#: Points tried, points wanted where both sides are defined, and the fewest that decide.
ATTEMPTS = 240
WANTED = 30
WANTED_PIECEWISE = 100
NEEDED = 12


def check(a: str, b: str, domains: dict[str, str] | None = None, timeout: float = 20.0,
          require_proof: bool = False, *, seconds: float | None = None) -> Verdict:
    """Compare two LaTeX formulas, or a formula with a built-in result's final line
    (``b`` a name from ``derive list``); :class:`~derive.parsing.ParseError` on
    unreadable input or a built-in whose symbols the formula does not make clear.
    With ``require_proof`` an ``equivalent`` that rests on the points alone is
    ``unknown``. ``timeout`` (seconds) bounds the numeric work, in this process;
    :func:`derive.check` with ``timeout=`` also stops a check that hangs."""
    verdict = _check(a, b, domains, timeout_or_seconds(timeout, seconds, "check"))
    return verdict.requiring_proof() if require_proof else verdict


def read_pair(a: str, b: str, domains: dict[str, str] | None) -> tuple[str, str, Parsed]:
    """``a`` and ``b`` read as :func:`check` reads them (a built-in name, first or
    second, mapped onto the formula's symbols): the pair in order, formula first,
    and its reading; :class:`~derive.parsing.ParseError` when it cannot be read."""
    from .builtin import against_builtin, is_builtin

    if is_builtin(a) and not is_builtin(b):
        a, b = b, a  # the built-in may be given first
    if is_builtin(a):
        raise ParseError(f"{a} and {b} are both built-in names; give a formula for one of them")
    if is_builtin(b):
        return a, b, against_builtin(a, b, domains).parsed
    return a, b, read_formulas([a, b], domains)


def _check(a: str, b: str, domains: dict[str, str] | None, seconds: float) -> Verdict:
    a, b, parsed = read_pair(a, b, domains)
    return decide(a, b, parsed, domains or {}, seconds)


def decide(a: str, b: str, parsed: Parsed, domains: dict, seconds: float = 20.0) -> Verdict:
    """The verdict; its ``coverage`` says how many points gave a value to both
    sides, to A only and to B only, with the first A-only point."""
    stats: dict = {}
    verdict = _decide(a, b, parsed, domains, seconds, stats)
    return replace(verdict, coverage=stats or None)


def _decide(a: str, b: str, parsed: Parsed, domains: dict, seconds: float, stats: dict) -> Verdict:
    ea, eb = parsed.exprs
    notes = tuple(parsed.notes)
    shown = (sp.sstr(ea), sp.sstr(eb))
    budget = Budget(seconds=seconds)
    numeric = _numeric(ea, eb, parsed, pair_rng(a, b, domains), budget, stats)
    if numeric.kind == "mismatch" and not differs_for_every_function(ea, eb):
        return Verdict(Answer.UNKNOWN, "numeric", f"{numeric.text} for one choice of a function derive does not "
                       "know; what that function computes is not known, so this decides nothing", a, b, None,
                       notes, shown)
    if numeric.kind == "mismatch":
        return Verdict(Answer.NOT_EQUIVALENT, "numeric", numeric.text, a, b, numeric.counterexample, notes, shown)
    if numeric.kind == "nowhere":
        return Verdict(Answer.UNKNOWN, "numeric", numeric.text, a, b, None, notes, shown)
    if numeric.kind == "lopsided":
        return Verdict(Answer.UNKNOWN, "numeric", numeric.text, a, b, None, notes, shown,
                       witness=numeric.counterexample)
    proved, why = _symbolic(ea, eb, parsed, thorough=numeric.kind != "agree")
    if proved:
        agree = f"; {numeric.text}" if numeric.kind == "agree" else ""
        return Verdict(Answer.EQUIVALENT, "symbolic", why + agree, a, b, None, notes, shown)
    blind = numeric.kind == "agree" and (points_cannot_show(ea) or points_cannot_show(eb))
    if blind:
        return Verdict(Answer.UNKNOWN, "numeric", f"{numeric.text}, but {blind}: only a proof would decide, "
                       f"and {why}", a, b, None, notes, shown)
    if numeric.kind == "agree":
        by_cases = _by_cases(ea, eb, parsed, budget)
        if by_cases.proved:
            return Verdict(Answer.EQUIVALENT, "symbolic",
                           f"{by_cases.reason}, each by the canonical forms; {numeric.text}", a, b, None, notes, shown)
        why = f"{why}; by cases: {by_cases.reason}" if by_cases.cases else why
        # Not proved: before calling it equivalent on the numbers, look again at
        # high precision, where differences below 10^-30 (1 + 10^-50 vs 1) show.
        sharper = _sharpen(ea, eb, numeric, budget)
        if sharper is not None:
            return Verdict(Answer.NOT_EQUIVALENT, "numeric", sharper.text, a, b, sharper.counterexample,
                           notes, shown)
        return Verdict(Answer.EQUIVALENT, "numeric", numeric.text + f" (not proved symbolically: {why})",
                       a, b, None, notes, shown)
    return Verdict(Answer.UNKNOWN, "numeric", f"{numeric.text}; symbolically: {why}", a, b, None, notes, shown)


@dataclass
class Numeric:
    """What the points said: ``agree``, ``mismatch``, ``undecided`` or ``nowhere``."""

    kind: str
    text: str
    counterexample: dict | None = None
    kept: list = field(default_factory=list)  # (env, sizes, drawn) of agreeing points


#: Agreeing points looked at again at high precision when nothing proved the identity.
SHARPENED = 3
HIGH_DIGITS = 120
#: Formulas without symbols are constants: one look at this many digits.
CONSTANT_DIGITS = 600


def _numeric(ea: sp.Expr, eb: sp.Expr, parsed: Parsed, rng: random.Random, budget: Budget,
             stats: dict | None = None) -> Numeric:
    maker = PointMaker(parsed.table.variables, [ea, eb], rng, ranges_of(ea, eb, parsed), parsed.inside)
    # Indicators, max, min and |..| change at single points: look at more of them.
    # So do powers with a variable exponent of a base that may be negative ((x^a)^b vs x^(ab)).
    lookup = kernel_context(parsed.table.variables, maker.ranges).interval
    wanted = WANTED_PIECEWISE if any(_piecewise(e, lookup) for e in (ea, eb)) else WANTED
    valid, worst, only_one, only_b, skipped, beyond = 0, 0.0, 0, 0, 0, 0
    lopsided: tuple | None = None  # a point where exactly one side has a value
    values_seen: set[str] = set()
    a_only: dict | None = None  # the first point where only A has a value
    b_only: dict | None = None
    kept: list = []
    seen_sizes: dict[str, set[int]] = {}
    try:
        for _ in range(ATTEMPTS):
            try:
                env, sizes, drawn = maker.point()
            except EmptyRange:
                continue
            va = _value(ea, env, budget, maker.digits)
            vb = _value(eb, env, budget, maker.digits)
            if (va is None) != (vb is None) and maker.digits_at(drawn) > maker.digits:
                # 1 - (1 - 10^-200) is 0 at 40 digits: look again at the digits the point needs
                va = _value(ea, env, budget, maker.digits_at(drawn))
                vb = _value(eb, env, budget, maker.digits_at(drawn))
            if va is _BEYOND or vb is _BEYOND:
                beyond += 1  # a value too large or small to evaluate is not a point without one
                continue
            if va is None or vb is None:
                only_one += va is not None
                only_b += vb is not None
                if lopsided is None and (va is None) != (vb is None):
                    lopsided = (va, vb, drawn, sizes)
                if a_only is None and va is not None and vb is None:
                    a_only = describe_drawn(drawn, sizes) | {"a": _num(va)}
                if b_only is None and vb is not None and va is None:
                    b_only = describe_drawn(drawn, sizes) | {"b": _num(vb)}
                continue
            resolved = False
            if not close(va, vb):
                digits = max(HIGH_DIGITS, 2 * maker.digits_at(drawn))
                outcome, values = _resolve(ea, eb, env, budget, digits)
                if outcome == "ill" and digits < MAX_DIGITS:
                    # log(1 + e^-335) is 0 at 120 digits and 10^-146 at 240: look once more, far deeper
                    outcome, values = _resolve(ea, eb, env, budget, min(MAX_DIGITS, 4 * digits))
                if outcome == "differ":
                    return _mismatch(values, drawn, sizes)
                if outcome == "ill":
                    skipped += 1
                    continue
                resolved = True  # equal at the higher precision: the low one's gap was rounding
            valid += 1
            if len(values_seen) < 2:
                values_seen.add(mpmath.nstr(va, 25))
            for name, n in sizes.items():
                seen_sizes.setdefault(name, set()).add(n)
            if not resolved:
                worst = max(worst, relative_error(va, vb))
            if len(kept) < SHARPENED:
                kept.append((env, sizes, drawn))
            if valid >= wanted:
                break
    except (Unsupported, BudgetExceeded) as exc:
        return Numeric("undecided", f"numeric evaluation stopped: {exc}")
    if stats is not None:
        stats.update(both=valid, only_a=only_one, only_b=only_b, a_point=a_only, b_point=b_only)
    ill = f" ({skipped} more points moved with the working precision and were set aside)" if skipped else ""
    if beyond:
        ill += f" ({beyond} more points gave a value too large or too small to evaluate and were set aside)"
    if valid == 0:
        # "equal wherever both are defined" would hold vacuously: say so instead
        return Numeric("nowhere", f"none of {ATTEMPTS} random points lies where both sides are defined"
                                  + (f" ({only_one} where only A is)" if only_one else "") + ill)
    if valid < NEEDED:
        extra = f", {only_one} where only A is" if only_one else ""
        return Numeric("undecided", f"only {valid} of {ATTEMPTS} random points lie where both sides "
                                    f"are defined{extra}{ill}")
    if lopsided is not None and only_one + only_b > LOPSIDED * valid:
        # Equal where both are defined, but that is a sliver of the domain:
        # -sum p_hat log p with one-hot p has a value only where p_hat = p.
        va, vb, drawn, sizes = lopsided
        cex = describe_drawn(drawn, sizes)
        side, other = ("A", "B") if va is not None else ("B", "A")
        cex["a" if va is not None else "b"] = _num(va if va is not None else vb)
        cex["defined"] = side
        return Numeric("lopsided", f"the sides agree at the {valid} random points where both are defined, but "
                                   f"{only_one} points give a value only to A and {only_b} only to B: the two "
                                   f"are defined on different sets (at the point shown {side} has a value, "
                                   f"{other} none)", cex)
    if len(values_seen) == 1 and ea.free_symbols and eb.free_symbols:
        # one-hot or binary entries read at a free index are mostly 0 on both
        # sides: agreement at a single value says little (p_{i,k} vs y_{i,k})
        return Numeric("undecided", f"all {valid} random points give the same value, "
                                    f"{next(iter(values_seen))}; too little variety to decide{ill}")
    single = sorted(f"{name} = {next(iter(ns))}" for name, ns in seen_sizes.items() if len(ns) < 2)
    if single:
        # agreement at one size only (say where a one-hot log is defined only at K = 1)
        return Numeric("undecided", f"both sides are defined only at {', '.join(single)} among the "
                                    f"random points, too narrow to decide{ill}")
    return Numeric("agree", f"{valid} random points agree (largest relative difference {worst:.1e}){ill}",
                   kept=kept)


#: The most digits a closer look may use.
MAX_DIGITS = 6000


def _digits_needed(*exprs: sp.Expr) -> int:
    """Digits to see a term as small as the formulas' smallest constant
    (10^-200 x, x e^{-10^4}) next to one of size 1."""
    need = HIGH_DIGITS
    for expr in exprs:
        for atom in expr.atoms(sp.Rational):
            need = max(need, len(str(abs(atom.p))) + len(str(atom.q)) + 40)
        for node in expr.atoms(sp.exp):
            arg = node.args[0]
            if arg.is_number and arg.is_real:
                need = max(need, int(abs(float(arg)) / 2.302585) + 40)
    return min(need, MAX_DIGITS)


def _piecewise(expr: sp.Expr, lookup) -> bool:
    if expr.has(sp.KroneckerDelta, sp.Max, sp.Min, sp.Abs):
        return True
    # a range that starts late (k = 5..K) is empty at small sizes
    if any(isinstance(n, (sp.Sum, sp.Product)) and any(lo.is_Integer and lo > 2 for _, lo, _ in n.limits)
           for n in sp.preorder_traversal(expr)):
        return True
    return any(isinstance(p, sp.Pow) and not p.exp.is_number and not interval_of(p.base, lookup).nonnegative
               for p in sp.preorder_traversal(expr))


def _sharpen(ea: sp.Expr, eb: sp.Expr, numeric: Numeric, budget: Budget) -> Numeric | None:
    digits = _digits_needed(ea, eb)
    if not (ea.free_symbols or eb.free_symbols):
        digits = max(digits, CONSTANT_DIGITS)
    try:
        for env, sizes, drawn in numeric.kept:
            outcome, values = _resolve(ea, eb, env, budget, digits)
            if outcome == "differ":
                return _mismatch(values, drawn, sizes)
    except (Unsupported, BudgetExceeded):
        return None
    return None


def _resolve(ea: sp.Expr, eb: sp.Expr, env: dict, budget: Budget, digits: int):
    """Both sides at ``digits`` and at twice as many: ``("differ", (a, b))`` when the
    values are stable and differ, ``("agree", None)``, or ``("ill", None)`` when a
    value moves with the precision (rounding noise, or an ill-conditioned point)."""
    try:
        a1, b1 = evaluate(ea, env, budget, digits), evaluate(eb, env, budget, digits)
        a2, b2 = evaluate(ea, env, budget, 2 * digits), evaluate(eb, env, budget, 2 * digits)
    except (Undefined, EmptyRange):
        return "ill", None
    with mpmath.workdps(2 * digits):
        # A value is stable when doubling the precision moves it by less than
        # 10^(-digits/4): then the second value is good to far better than the
        # tolerance it is compared at, 10^(10-digits).
        stable, tol = mpmath.mpf(10) ** (-digits // 4), mpmath.mpf(10) ** (10 - digits)
        if not (_near(a1, a2, stable) and _near(b1, b2, stable)):
            return "ill", None
        if (a2 == 0) != (b2 == 0) and max(abs(a2), abs(b2)) < mpmath.mpf(10) ** -digits:
            return "ill", None  # 1 - sigma(800) cancels to exactly 0; sigma(-800) does not
        if _near(a2, b2, tol):
            return "agree", None
        return "differ", (a2, b2)


def _near(x, y, tol) -> bool:
    return x == y or abs(x - y) <= tol * max(abs(x), abs(y))


def _mismatch(values, drawn, sizes) -> Numeric:
    ha, hb = values
    cex = describe_drawn(drawn, sizes)
    cex["a"], cex["b"] = _num(ha), _num(hb)
    with mpmath.workdps(60):
        cex["difference"] = mpmath.nstr(ha - hb, 6)
    return Numeric("mismatch", f"the two sides differ at a point of the domains (A = {_num(ha)}, "
                               f"B = {_num(hb)}, A - B = {cex['difference']})", cex)


#: What :func:`_value` gives for a value beyond the evaluated range (it may exist).
_BEYOND = object()


def _value(expr: sp.Expr, env: dict, budget: Budget, digits: int):
    """The value at ``env``; None where there is none, :data:`_BEYOND` where it is too
    large or too small in magnitude to evaluate."""
    try:
        return evaluate(expr, env, budget, digits)
    except OutOfRange:
        return _BEYOND
    except (Undefined, EmptyRange):  # a row over an empty range has no values at this point
        return None


def ranges_of(ea: sp.Expr, eb: sp.Expr, parsed: Parsed) -> Ranges:
    """The ranges of the two sides, the rows of one-hot and simplex arrays as long as the
    other formulas of the text (``parsed.context``) make them."""
    ranges = Ranges.of([ea, eb])
    if not parsed.context:
        return ranges
    rows = {name for name, v in parsed.table.variables.items()
            if v.kind == "array" and v.domain.kind in (Kind.SIMPLEX, Kind.ONEHOT)}
    return ranges.with_rows(Ranges.of(parsed.context), rows) if rows else ranges


def _num(value: mpmath.mpf) -> str:
    return mpmath.nstr(value, 20)


def _by_cases(ea: sp.Expr, eb: sp.Expr, parsed: Parsed, budget: Budget) -> CaseProof:
    """A proof by finitely many cases (0/1 entries, signs, the branches of max,
    min, |..| and indicators), each closed by :func:`_symbolic`."""
    lookup = kernel_context(parsed.table.variables, ranges_of(ea, eb, parsed)).interval
    finite = frozenset(v.name for v in parsed.table.variables.values()
                       if v.domain.kind in (Kind.BINARY, Kind.ONEHOT))

    def leaf(x: sp.Expr, y: sp.Expr) -> bool:
        return _symbolic(x, y, parsed, thorough=False)[0] or _positive_logs(x, y)

    seconds = min(SECONDS, max(0.0, budget.seconds - (time.monotonic() - budget.started)))
    return prove_by_cases(ea, eb, leaf, lookup, finite, seconds)


def _positive_logs(x: sp.Expr, y: sp.Expr) -> bool:
    """``x - y`` reduced to 0 with the logs and powers of positive entries expanded
    (sympy expands only what the symbols' assumptions make valid)."""
    diff = x - y
    if diff.has(sp.Sum, sp.Product) or sp.count_ops(diff) > 60:
        return False
    try:
        return sp.simplify(sp.expand_log(sp.expand_power_base(diff))) == 0
    except Exception:  # noqa: BLE001 -- sympy raises anything; not proved
        return False


def _symbolic(ea: sp.Expr, eb: sp.Expr, parsed: Parsed, thorough: bool = True) -> tuple[bool, str]:
    if ea == eb:
        return True, "both sides read as the same expression"
    reason = too_large_for_algebra(ea, eb) or _too_hard(ea, eb)
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
        diff = difference(ea, eb, kernel_context(parsed.table.variables, ranges_of(ea, eb, parsed)))
        if diff != 0 and sp.count_ops(diff) <= 40 and (thorough or not diff.has(sp.Sum, sp.Product)):
            diff = sp.simplify(diff)
    except MemoryError:
        return False, "sympy ran out of memory"
    except Exception as exc:  # noqa: BLE001 -- sympy raises anything (StopIteration seen); numbers decide
        return False, f"sympy could not decide ({type(exc).__name__})"
    if diff == 0:
        return True, "the canonical forms of A and B agree for every size (A - B reduces to 0)"
    return False, "sympy did not reduce A - B to 0"


#: Ranges longer than this are never written out or summed by sympy.
LONGEST_RANGE = 1000
#: Deeper nestings of exp and log are left to the numbers (sympy.simplify can take minutes).
DEEPEST_NESTING = 6


def _too_hard(*exprs: sp.Expr) -> str | None:
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, (sp.Sum, sp.Product)):
                for _, lo, hi in node.limits:
                    count = hi - lo + 1
                    if count.is_Number and count > LONGEST_RANGE:
                        return f"a range of {count} terms"
        if _nesting(expr) > DEEPEST_NESTING:
            return f"exp and log nested more than {DEEPEST_NESTING} deep"
    return None


def _nesting(expr: sp.Basic) -> int:
    inner = max((_nesting(a) for a in expr.args), default=0)
    return inner + 1 if isinstance(expr, (sp.exp, sp.log)) else inner
