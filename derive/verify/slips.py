"""Name the slip: when a step fails, find the one change to its new line that makes it hold.

Each kind of slip people make on a line (a sign, a factor 2, a dropped 1/N, two
names swapped, a swap inside a log, a log base, a sum bound off by one, a term
dropped or added) proposes corrected versions of the line as read, each with
its wording in the file's notation. A correction is shown only when the step
with the corrected line holds under the full step check; the corrections are
the inverses of the corruptions in :mod:`derive.checks.mutations` and share
their code. Kinds are tried in :data:`REGISTRY` order and, within a kind, in
the order they propose; the first correction that holds is the one reported.
The work is bounded (:data:`MAX_CANDIDATES` checks, :data:`SECONDS` of processor time),
and a few seeded points screen out a corrected equality before its full check.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterator

import mpmath
import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..checks.evaluate import Budget, BudgetExceeded, Undefined, Unsupported, evaluate
from ..checks.mutations import bounds_shifted, swapped, terms_dropped, terms_negated
from ..checks.points import EmptyRange, PointMaker
from . import laws
from .notation import FUNCTION_PLACEHOLDER, PROBABILITY_PLACEHOLDER
from .results import StepResult, StepVerdict, Suggestion
from .state import FileState, Line, unfold

#: At most this many corrected steps are checked for one failing step ...
MAX_CANDIDATES = 40
#: ... and none is started after this many seconds of processor time (measured as
#: processor time so that a busy machine does not change which slip is named) ...
SECONDS = 2.0
#: ... each within this many seconds of wall time (never more than the step itself had).
CHECK_SECONDS = 5.0
#: Terms a term-wise slip (a sign, a dropped term) looks at, outermost first.
MAX_TERMS = 8
#: Pairs of names a swap looks at.
MAX_PAIRS = 6
#: Before the full check of an equality, the corrected line is looked at on this many
#: points: a clear difference there, or no value at most of them, and it is not checked.
SCREEN_POINTS = 8
SCREEN_OPS = 200_000
SCREEN_TOLERANCE = mpmath.mpf("1e-8")


@dataclass(frozen=True)
class Candidate:
    """A corrected new line and how the report words the change."""

    expr: sp.Expr
    change: str


@dataclass
class Written:
    """What a slip kind reads: the new line as parsed, the old one with the file's
    definitions unfolded, and how to write names back as the file does."""

    new: sp.Expr
    old: sp.Expr
    variables: dict           # the step's table: sympy name -> Variable
    latex: Callable[[sp.Basic], str]

    def arrays(self) -> list:
        """The arrays the step reads (model outputs, labels, distributions), in table order."""
        used = self.new.free_symbols | self.old.free_symbols | _bases(self.new) | _bases(self.old)
        return [v for v in self.variables.values()
                if v.kind == "array" and v.obj in used and not _hidden(v.name)]

    def sizes(self) -> list:
        """The sizes (N, n, C) the step's lines mention, the old line's first."""
        out = [v for v in self.variables.values() if v.kind == "size" and not _hidden(v.name)]
        old = self.old.free_symbols
        return sorted((v for v in out if v.obj in old | self.new.free_symbols), key=lambda v: v.obj not in old)


@dataclass(frozen=True)
class SlipKind:
    """One kind of slip: its name in ``--json`` and the corrections it proposes."""

    name: str
    corrections: Callable[[Written], Iterator[Candidate]]
    #: Its corrections scale the line by a positive number, which never changes an arg max:
    #: not tried on an optimiser step.
    scales: bool = False


# -- the kinds ---------------------------------------------------------------------------------------
def sign(w: Written) -> Iterator[Candidate]:
    """The whole line's sign, then the sign of one term (outermost sum first)."""
    yield Candidate(-w.new, "with the sign of the right-hand side flipped")
    for k, (term, out) in enumerate(terms_negated(w.new)):
        if k >= MAX_TERMS:
            return
        yield Candidate(out, f"with the sign of the term {w.latex(_unsigned(term))} flipped")


def factor_two(w: Written) -> Iterator[Candidate]:
    """A stray factor 2 or 1/2 on the whole line (or one missing)."""
    coeff, _ = w.new.as_coeff_Mul()
    if coeff.is_Rational and (coeff / 2).is_integer:
        yield Candidate(w.new / 2, "without the factor 2")
    elif coeff.is_Rational and (coeff * 2).is_integer and not coeff.is_integer:
        yield Candidate(w.new * 2, "without the factor 1/2")
    else:
        yield Candidate(2 * w.new, "with a factor 2")
        yield Candidate(w.new / 2, "with a factor 1/2")


def mean(w: Written) -> Iterator[Candidate]:
    """A dropped 1/N (the mean written as a sum), or a 1/N that should not be there."""
    for size in w.sizes():
        n = size.obj
        shown = w.latex(n)
        if sp.Mul.make_args(w.new).count(1 / n):
            yield Candidate(w.new * n, f"without the 1/{shown}")
        else:
            yield Candidate(w.new / n, f"with the 1/{shown} kept")


def swap(w: Written) -> Iterator[Candidate]:
    """Prediction and label swapped (``\\hat{y}`` and ``y``), or two distributions (``p``, ``q``)."""
    for a, b in _pairs(w):
        yield Candidate(swapped(w.new, a.obj, b.obj), f"with {w.latex(a.obj)} and {w.latex(b.obj)} swapped")


def swap_in_log(w: Written) -> Iterator[Candidate]:
    """Two names swapped inside the logs only: ``p \\log q`` for ``q \\log p``."""
    logs = [n for n in sp.preorder_traversal(w.new) if isinstance(n, sp.log)]
    if not logs:
        return
    for a, b in _pairs(w):
        out = w.new.xreplace({n: swapped(n, a.obj, b.obj) for n in logs})
        yield Candidate(out, f"with {w.latex(a.obj)} and {w.latex(b.obj)} swapped inside the log")


def log_base(w: Written) -> Iterator[Candidate]:
    """Every log of the line in the other base: ``\\log_2`` for ``\\log`` and back."""
    for base in (2, 10):
        scale = sp.log(base) ** -1
        if w.new.has(scale):
            written = f"\\log_{base}" if base < 10 else f"\\log_{{{base}}}"
            yield Candidate(w.new.xreplace({scale: sp.Integer(1)}), f"with \\log instead of {written}")
            return
    logs = {n: n / sp.log(2) for n in sp.preorder_traversal(w.new)
            if isinstance(n, sp.log) and not n.args[0].is_number}
    if logs:
        yield Candidate(w.new.xreplace(logs), "with \\log_2 instead of \\log")


def bound(w: Written) -> Iterator[Candidate]:
    """One bound of one sum or product moved by one: ``i=1`` for ``i=0``, ``N`` for ``N+1``."""
    for out, moved in bounds_shifted(w.new):
        if _hidden_in(moved.old) or _hidden_in(moved.new):
            continue  # a bound the line does not write (\\sum_x)
        what = "sum" if isinstance(moved.node, sp.Sum) else "product"
        i = w.latex(moved.index)
        if moved.which == 0:
            change = f"with the {what} from {i}={w.latex(moved.new)} instead of {i}={w.latex(moved.old)}"
        else:
            change = f"with the {what} over {i} up to {w.latex(moved.new)} instead of {w.latex(moved.old)}"
        yield Candidate(out, change)


def term(w: Written) -> Iterator[Candidate]:
    """A term of the old line dropped from the new one, or a term too many in it."""
    present = set(sp.Add.make_args(w.new))
    for k, t in enumerate(sp.Add.make_args(w.old) if isinstance(w.old, sp.Add) else ()):
        if k >= MAX_TERMS:
            break
        if t not in present:
            yield Candidate(w.new + t, f"with the term {w.latex(t)} kept")
    for k, (t, out) in enumerate(terms_dropped(w.new)):
        if k >= MAX_TERMS:
            return
        yield Candidate(out, f"without the term {w.latex(t)}")


#: The kinds, in the order of preference: when several corrections hold, the first is reported.
REGISTRY: tuple[SlipKind, ...] = (
    SlipKind("sign", sign),
    SlipKind("factor-2", factor_two, scales=True),
    SlipKind("dropped-mean", mean, scales=True),
    SlipKind("swap", swap),
    SlipKind("swap-inside-log", swap_in_log),
    SlipKind("log-base", log_base),
    SlipKind("sum-bound", bound),
    SlipKind("term", term),
)


# -- finding the slip ----------------------------------------------------------------------------------
Check = Callable[..., StepResult]


def suggest(a: Line, b: Line, link, state: FileState, seconds: float, check: Check,
            budget: float | None = None, limit: int = MAX_CANDIDATES) -> Suggestion | None:
    """The first correction of ``b`` (in :data:`REGISTRY` order) with which the step
    ``a -> b`` holds under ``check`` (the full step check), or None.

    ``check(a, b, link, state, seconds, result)`` is run on a copy of ``b``; what it
    leaves in ``state`` (the step's table, facts a law adds) is put back after each try.
    """
    if a.expr is None or b.expr is None:
        return None
    old = unfold(a.expr, state)
    written = Written(b.expr, old, dict(state.current_table.variables), _printer(state))
    screened = not a.goal.is_problem and laws.find(link.justification) is None
    deadline = time.process_time() + (SECONDS if budget is None else budget)
    tried: set[sp.Expr] = {b.expr}
    saved_table, saved_definitions, saved_notes = state.table, list(state.definitions), list(state.notes)

    def result(line_no: int, **kw) -> StepResult:
        return StepResult(line=line_no, ordinal=1, **kw)

    try:
        for kind in REGISTRY:
            if kind.scales and a.goal.is_arg:
                continue
            for cand in kind.corrections(written):
                if time.process_time() > deadline or len(tried) > limit:
                    return None
                if cand.expr in tried or cand.expr.has(sp.nan, sp.zoo):
                    continue
                tried.add(cand.expr)
                if screened and not _may_hold(old, unfold(cand.expr, state), written.variables, len(tried)):
                    continue
                step = check(a, replace(b, expr=cand.expr), link, state, min(seconds, CHECK_SECONDS), result)
                state.table, state.definitions[:], state.notes[:] = saved_table, saved_definitions, saved_notes
                if step.verdict is StepVerdict.HOLDS:
                    return Suggestion(kind.name, cand.change, b.segment.line, step.method)
    finally:
        state.table, state.definitions[:], state.notes[:] = saved_table, saved_definitions, saved_notes
    return None


def _may_hold(old: sp.Expr, new: sp.Expr, variables: dict, seed: int) -> bool:
    """False when a few seeded points show that ``old = new`` cannot hold: the two differ
    clearly at one, or ``new`` has no value at half of those where ``old`` has one.
    Only a filter: what passes is still checked in full."""
    maker = PointMaker(variables, [old, new], random.Random(seed))
    budget = Budget(seconds=SECONDS, max_ops=SCREEN_OPS)
    defined = lost = 0
    try:
        for _ in range(SCREEN_POINTS):
            try:
                env, _, _ = maker.point()
                va = evaluate(old, env, budget)
            except (Undefined, EmptyRange):
                continue
            defined += 1
            try:
                vb = evaluate(new, env, budget)
            except (Undefined, EmptyRange):
                lost += 1
                continue
            if abs(va - vb) > SCREEN_TOLERANCE * max(1, abs(va), abs(vb)):
                return False
    except (Unsupported, BudgetExceeded, TypeError, ValueError):
        return True  # the points cannot say: leave it to the full check
    return not (defined and 2 * lost >= defined)


# -- wording -------------------------------------------------------------------------------------------
def _printer(state: FileState) -> Callable[[sp.Basic], str]:
    """LaTeX of a piece of a line in the file's names: probabilities and named
    functions as first written, ``\\hat{p}_{i,k}`` for an element."""
    written = {c.sympy_name: " ".join(c.written.split()) for c in state.rewriter.calls.by_key.values()}
    printer = _Names(written)
    return printer.doprint


class _Names(LatexPrinter):
    def __init__(self, written: dict[str, str]):
        super().__init__({"fold_func_brackets": True})
        self.written = written

    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        return self.written.get(name, name)

    def _print_IndexedBase(self, expr):
        return self._print_Symbol(expr.label)

    def _print_Indexed(self, expr):
        name = expr.base.label.name
        if name in self.written:
            return self.written[name]
        return f"{name}_{{{','.join(self._print(i) for i in expr.indices)}}}"

    def _print_Mul(self, expr):
        # the weight before the log, as written: y_i \log \hat{y}_i
        def late(f):
            return isinstance(f, sp.Function) or (f.is_Pow and isinstance(f.base, sp.Function))
        factors = sorted(expr.as_ordered_factors(), key=late)
        if factors == expr.as_ordered_factors():
            return super()._print_Mul(expr)
        return " ".join(self.parenthesize(f, 50) if f.is_Add else self._print(f) for f in factors)

    def _print_Sum(self, expr):
        if not any(_hidden_in(hi) for _, _, hi in expr.limits):
            return super()._print_Sum(expr)
        heads = "".join(f"\\sum_{{{self._print(v)}}} " for v, _, _ in reversed(expr.limits))
        body = self._print(expr.function)
        return heads + (f"\\left({body}\\right)" if isinstance(expr.function, sp.Add) else body)


def _hidden(name: str) -> bool:
    """A size the line never writes (the length of a row under ``\\sum_x``)."""
    return name.startswith("|") or name.startswith((PROBABILITY_PLACEHOLDER, FUNCTION_PLACEHOLDER))


def _hidden_in(expr: sp.Expr) -> bool:
    return any(s.name.startswith("|") for s in sp.sympify(expr).free_symbols)


def _unsigned(expr: sp.Expr) -> sp.Expr:
    return -expr if expr.could_extract_minus_sign() else expr


def _bases(expr: sp.Expr) -> set:
    return {n.base for n in sp.preorder_traversal(expr) if isinstance(n, sp.Indexed)}


def _pairs(w: Written) -> list[tuple]:
    """Names to swap: a hatted name and its plain twin first (``\\hat{y}``, ``y``), then
    any two arrays of one shape the new line reads (``p``, ``q``)."""
    arrays = w.arrays()
    by_key = {v.key: v for v in arrays}
    out = []
    for v in arrays:
        for hat in (r"\hat{", r"\widehat{"):
            if v.key.startswith(hat) and v.key.endswith("}"):
                twin = by_key.get(v.key[len(hat):-1])
                if twin is not None and twin.ndim == v.ndim:
                    out.append((v, twin))
    new = w.new.free_symbols | _bases(w.new)
    for i, u in enumerate(arrays):
        for v in arrays[i + 1:]:
            if u.ndim == v.ndim and (u.obj in new or v.obj in new) and (u, v) not in out and (v, u) not in out:
                out.append((u, v))
    return out[:MAX_PAIRS]
