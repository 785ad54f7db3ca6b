"""Equations in a derivation: a row that sets an expression to zero, the rows that
transform it, and the row that solves it.

A first-order condition is an equation, not an identity: ``\\sum_i x_i/\\lambda - n = 0``
holds for one lambda, not for all. The row that *poses* it (an ``= 0`` after a
derivative, or naming a hatted symbol or a parameter) is a condition the author sets,
reported ``unknown`` (method ``equation``) when it is not an identity. The rows right
after it are read as equations too, and each is checked against the equation before
it, by the rules of :data:`RULES`, in order:

* ``equivalent equation``: left minus right is ``c`` times the old one's, ``c`` finite
  and never zero (both sides multiplied by ``n/\\sigma^2``, terms moved across);
* ``implies``: the same with a factor ``c`` that may be zero (the new equation
  follows, and may have more solutions); a factor that may be *infinite* divides by
  something that may be zero, and the step is ``unknown`` with that reason;
* ``solves``: a row ``u = v`` (``\\hat\\mu = \\bar y``, ``\\hat p = k/n`` for an equation in p)
  whose value, substituted, makes the old equation hold; a value that does not is a
  failure, with the point where the old equation is not zero;
* at the root: when the old equation is linear in a symbol, its root is put into the
  new one; a new equation that does not hold there fails, with the point.

A solved hatted symbol (``\\hat\\mu = \\bar y``) is defined from then on, as a name is.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable

import sympy as sp

from ..checks.points import kernel_context
from ..equivalence.decide import decide
from ..equivalence.verdict import Answer, Verdict
from ..parsing import Parsed
from ..parsing.lexer import ParseError, tokenize
from ..parsing.ranges import Ranges
from .optimiser import sign_of
from .results import UNREAD, StepResult, StepVerdict
from .state import FileState, Line, canonical_name, table_for, unfold

#: Words of a justification that announce an equation (``\text{setting the derivative to zero}``).
ANNOUNCING_WORDS = ("set", "zero", "first-order", "first order", "stationary", "critical", "solv", "foc",
                    "optim", "maximi", "minimi", "root")
#: How a derivative is written on a line derive may not read (``\frac{d\ell}{d\lambda}``).
DERIVATIVE_MARKS = (r"\frac{d", r"\frac{\mathrm{d}", r"\frac{\mathrm d", r"\frac{\partial", r"\partial",
                    r"\nabla", r"\frac {d", r"\dfrac{d", r"\dfrac{\partial")
#: Hat commands: ``\hat p`` is the root of an equation in p.
HATS = (r"\hat", r"\widehat")


class EquationRelation(str, Enum):
    """What a row of an equation says about the equation before it."""

    POSES = "equation"                   # a condition the author sets: not a claim
    EQUIVALENT = "equivalent equation"   # the same solutions
    IMPLIES = "implies"                  # follows; may have more solutions
    SOLVES = "solves"                    # u = v, and v is a root of the equation before


@dataclass(frozen=True)
class Equation:
    """An equation of the file: its row, and left minus right as read (``None``
    when a side could not be read)."""

    line: int
    raw: str
    residual: sp.Expr | None
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What a rule found about a row and the equation before it."""

    relation: EquationRelation
    verdict: StepVerdict
    reason: str
    method: str = "symbolic"
    counterexample: dict | None = None
    solved: tuple[sp.Basic, sp.Expr] | None = None   # (hatted symbol, its value) when a value was found


@dataclass
class _Row:
    """One row ``a = b`` checked against ``previous``: what every rule reads."""

    previous: Equation
    a: Line
    b: Line
    old: sp.Expr           # the old residual, definitions unfolded
    new: sp.Expr           # the new one
    state: FileState
    seconds: float
    undecided: Finding | None = None   # what a rule found short of a verdict, reported when no rule decides

    def decide(self, x: sp.Expr, y: sp.Expr, what: str) -> Verdict:
        """``x`` against ``y`` as ``derive check`` decides a pair."""
        parsed = Parsed([x, y], self.state.current_table, [])
        return decide(f"{what}: {self.a.segment.raw} = {self.b.segment.raw}", self.previous.raw, parsed,
                      self.state.domains, self.seconds)

    def lookup(self, *exprs: sp.Expr):
        return kernel_context(self.state.current_table.variables, Ranges.of([self.old, self.new, *exprs])).interval

    @property
    def where(self) -> str:
        return f"the equation of line {self.previous.line}"


# -- posing -------------------------------------------------------------------------------------------------
def is_zero_side(line: Line) -> bool:
    """Is the line the number 0 as written (spacing and a full stop aside)?"""
    try:
        tokens = [t.text for t in tokenize(line.segment.raw) if t.text not in (".", ",", ";")]
    except ParseError:
        return False
    return tokens == ["0"] and (line.expr is None or line.expr == 0)


def looks_like_derivative(raw: str) -> bool:
    """Is ``raw`` written as a derivative (``\\frac{d\\ell}{d\\lambda}``, ``\\partial_b \\ell``)?"""
    compact = raw.replace(" ", "")
    return any(mark.replace(" ", "") in compact for mark in DERIVATIVE_MARKS) or "'" in compact


def announces_equation(words: str) -> bool:
    """Does a justification say the row is an equation (``setting the derivative to zero``)?"""
    low = words.lower()
    return any(w in low for w in ANNOUNCING_WORDS)


def unknowns_in(expr: sp.Expr, state: FileState) -> bool:
    """Does ``expr`` read a hatted symbol or a parameter (what an equation is solved for)?"""
    params = state.explicit_parameters | state.declared_parameters | {r"\theta"}
    for var in state.current_table.variables.values():
        if var.obj is None or not expr.has(var.obj):
            continue
        if var.key.startswith(HATS) or canonical_name(var.key) in {canonical_name(p) for p in params}:
            return True
    return False


def posed(step: StepResult, side: Line, line_before: Line | None, words: str, derivative_values: list,
          next_connective: str, state: FileState) -> StepResult | None:
    """The step ``side = 0`` read as an equation the author poses, or None when nothing says
    it is one (it stays a failing identity). A posed equation is ``unknown``: a condition,
    not a consequence of the lines before it."""
    if step.verdict is not StepVerdict.FAILS or side.expr is None:
        return None
    why = None
    if line_before is not None and looks_like_derivative(line_before.segment.raw):
        why = f"it sets the derivative {line_before.segment.raw} to zero"
    elif any(side.expr == value for value in derivative_values):
        why = "it sets a derivative found earlier to zero"
    elif announces_equation(words):
        why = f"the justification says so ({words})"
    elif next_connective:
        why = f"the next row follows from it by {next_connective}"
    elif unknowns_in(side.expr, state):
        why = "it is solved for a hatted symbol or a parameter"
    if why is None:
        return None
    shown = step.reason.split(" (")[0] if "(" in step.reason else step.reason
    return replace(step, relation=EquationRelation.POSES.value, verdict=StepVerdict.UNKNOWN, method="equation",
                   counterexample=None, suggestion=None,
                   reason=f"an equation, not an identity ({shown}): {why}; a condition the text sets, not a "
                          "consequence of the lines before it, so it is not checked; the rows after it are "
                          "checked against it")


# -- the rows after an equation -----------------------------------------------------------------------------
def follow(previous: Equation, a: Line, b: Line, identity: StepResult, state: FileState,
           seconds: float) -> tuple[StepResult, Finding | None]:
    """The row ``a = b`` after the equation ``previous``: its identity check ``identity``
    when that holds, else what the first rule of :data:`RULES` that applies finds."""
    if identity.verdict is StepVerdict.HOLDS:
        return identity, None
    if previous.residual is None:
        return replace(identity, verdict=StepVerdict.UNKNOWN, method=UNREAD, counterexample=None, suggestion=None,
                       relation=EquationRelation.IMPLIES.value,
                       reason=f"not checked: an equation after the equation of line {previous.line}, which "
                              "cannot be read"), None
    state.table = table_for(*previous.lines, a, b, state=state)
    old = _linear_sums(unfold(previous.residual, state))
    new = _linear_sums(unfold(a.expr, state) - unfold(b.expr, state))
    if _plainly_zero(old):
        return identity, None   # the equation before holds whatever: the row is a claim of its own
    row = _Row(previous, a, b, old, new, state, seconds)
    for rule in RULES:
        found = rule(row)
        if found is not None:
            break
    else:
        found = row.undecided or Finding(EquationRelation.IMPLIES, StepVerdict.UNKNOWN,
                        f"an equation after {row.where}, but no non-zero factor relates the two, it is not "
                        "solved for a symbol of the old one, and no root of the old one shows it wrong",
                        method="structure")
    step = replace(identity, relation=found.relation.value, verdict=found.verdict, method=found.method,
                   reason=found.reason, counterexample=found.counterexample, suggestion=None)
    return step, found


def _scaled(row: _Row) -> Finding | None:
    """The new residual is ``c`` times the old: equivalent (c finite, never 0), implied
    (c may be 0), or a division by something that may be 0 (unknown, unless a later rule
    decides the row)."""
    for c in _factors(row):
        verdict = row.decide(row.new, c * row.old, "scaled")
        if verdict.answer is not Answer.EQUIVALENT:
            continue
        num, den = sp.fraction(sp.together(c))
        lookup = row.lookup(c)
        solved = _solved_form(row)
        shown = sp.sstr(c)
        if not (_tame(den, lookup) and _nonzero(den, lookup)):
            row.undecided = Finding(EquationRelation.IMPLIES, StepVerdict.UNKNOWN,
                                    f"the new equation is {row.where} times {shown}: that divides by "
                                    f"{sp.sstr(den)}, which may be zero, so solutions may be lost or gained there",
                                    verdict.method)
            return None
        if not _tame(num, lookup):
            row.undecided = Finding(EquationRelation.IMPLIES, StepVerdict.UNKNOWN,
                                    f"the new equation is {row.where} times {shown}, a factor that may have no "
                                    "value", verdict.method)
            return None
        if solved is not None:
            # a solved form must also be a solution: 1/x = 0 has none, and x = 0 is not one
            missing = _not_a_solution(row, solved)
            if missing is not None:
                return missing
        if _nonzero(num, lookup):
            if solved is not None:
                return Finding(EquationRelation.SOLVES, StepVerdict.HOLDS,
                               f"{row.where} solved for {solved.shown}: the new equation is the old one times "
                               f"{shown}, which is never zero, so this is its only solution; {verdict.reason}",
                               verdict.method, solved=solved.definition)
            return Finding(EquationRelation.EQUIVALENT, StepVerdict.HOLDS,
                           f"the same solutions as {row.where}: the new equation is the old one times {shown}, "
                           f"which is finite and never zero; {verdict.reason}", verdict.method)
        if solved is not None:
            return Finding(EquationRelation.SOLVES, StepVerdict.HOLDS,
                           f"{row.where} solved for {solved.shown}: the new equation is the old one times {shown}, "
                           f"so every solution of the old one has this value; {verdict.reason}", verdict.method,
                           solved=solved.definition)
        return Finding(EquationRelation.IMPLIES, StepVerdict.HOLDS,
                       f"follows from {row.where}: the new equation is the old one times {shown}, which may be "
                       f"zero, so it may have more solutions; {verdict.reason}", verdict.method)
    return None


def _substituted(row: _Row, solved: "_Solved") -> tuple[Verdict, Finding | None]:
    """The old equation with the solved value put in, decided against 0; a Finding when
    that shows the value is no solution (fails, with the point) or cannot tell (unknown)."""
    at = _substitute(row.old, solved.target, solved.power, _linear_sums(solved.value))
    try:  # sums in one basis, so that a value that solves it cancels exactly (no cancelling at points)
        simpler = sp.cancel(sp.together(at))
        at = simpler if sp.count_ops(simpler) <= sp.count_ops(at) * 2 + 10 else at
    except (sp.PolynomialError, TypeError, ValueError, RecursionError):
        pass
    verdict = row.decide(at, sp.Integer(0), "substituted")
    if verdict.answer is Answer.NOT_EQUIVALENT:
        from .steps import in_file_notation
        cex = in_file_notation(verdict.counterexample, row.state, (at, solved.value))
        return verdict, Finding(EquationRelation.SOLVES, StepVerdict.FAILS,
                                f"{solved.shown} does not solve {row.where}: with it, left minus right of that "
                                f"equation is not zero at the point shown ({_value_of(verdict)})", verdict.method,
                                cex)
    if verdict.answer is not Answer.EQUIVALENT:
        return verdict, Finding(EquationRelation.SOLVES, StepVerdict.UNKNOWN,
                                f"could not show that {solved.shown} solves {row.where}: {verdict.reason}",
                                verdict.method)
    return verdict, None


def _not_a_solution(row: _Row, solved: "_Solved") -> Finding | None:
    return _substituted(row, solved)[1]


def _solved(row: _Row) -> Finding | None:
    """``u = v`` with v free of u: v substituted into the old equation must make it hold."""
    solved = _solved_form(row)
    if solved is None:
        return None
    verdict, refused = _substituted(row, solved)
    if refused is not None:
        return refused
    unique = _linear_root(_in_power(row.old, solved.target, solved.power), _POWER)
    if unique is not None and any(part.has(solved.target) for part in unique):
        unique = None   # \hat\sigma^2 with odd powers of \hat\sigma besides: not linear in the power
    where = ""
    if unique is not None and not _nonzero(unique[1], row.lookup(unique[1])):
        # the slope may vanish at some points (y(1-p) - (n-y)p has slope -n): it must not vanish everywhere
        flat = row.decide(unique[1], sp.Integer(0), "slope")
        where = f" wherever {sp.sstr(unique[1])} is not 0"
        if flat.answer is not Answer.NOT_EQUIVALENT:
            unique = None
    if unique is None:
        # x^2 = 4 has x = 2 as a solution, but does not give x = 2
        return Finding(EquationRelation.SOLVES, StepVerdict.UNKNOWN,
                       f"{solved.shown} makes {row.where} hold, but that equation may have other solutions "
                       "(it is not linear in the symbol solved for, or its slope may be zero everywhere), so the "
                       "value does not follow from it", verdict.method)
    return Finding(EquationRelation.SOLVES, StepVerdict.HOLDS,
                   f"{solved.shown} solves {row.where}, its only solution{where} (the equation is linear in it): "
                   f"substituted, left minus right is 0; {verdict.reason}", verdict.method, solved=solved.definition)


def _at_root(row: _Row) -> Finding | None:
    """The old equation's root in one of its symbols, put into the new one."""
    from .steps import in_file_notation
    for var in _root_candidates(row):
        found = _linear_root(row.old, var.obj)
        if found is None:
            continue
        root, slope = found
        if not _nonzero(slope, row.lookup(slope)):
            continue
        at = row.new.xreplace({var.obj: root})
        verdict = row.decide(at, sp.Integer(0), "at the root")
        shown = f"{var.key} = {sp.sstr(root)}"
        if verdict.answer is Answer.NOT_EQUIVALENT:
            cex = in_file_notation(verdict.counterexample, row.state, (at, root))
            if cex is not None:
                cex = {**cex, "at": shown}
            return Finding(EquationRelation.IMPLIES, StepVerdict.FAILS,
                           f"does not follow from {row.where}: its only solution is {shown}, and there the new "
                           f"equation does not hold at the point shown ({_value_of(verdict)})", verdict.method, cex)
        if verdict.answer is Answer.EQUIVALENT:
            return Finding(EquationRelation.IMPLIES, StepVerdict.HOLDS,
                           f"follows from {row.where}: its only solution is {shown}, and the new equation holds "
                           f"there; {verdict.reason}", verdict.method)
    return None


#: The rules, in the order they are tried; the first that applies decides.
RULES: tuple[Callable[[_Row], Finding | None], ...] = (_scaled, _solved, _at_root)


# -- helpers ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Solved:
    target: sp.Symbol          # the symbol of the old equation that is solved for
    power: int                 # u^power = value (\hat\sigma^2 = ...)
    value: sp.Expr
    shown: str
    definition: tuple[sp.Basic, sp.Expr] | None   # (hatted symbol, value) to define from then on


def _solved_form(row: _Row) -> _Solved | None:
    """The row as ``u = v`` (or ``v = u``): u a symbol of the old equation, or a power of
    one, or the hatted name of one (``\\hat p`` for p); v free of u."""
    for lhs, rhs in ((row.a, row.b), (row.b, row.a)):
        u, power = _symbol_power(lhs.expr)
        if u is None or rhs.expr is None or rhs.expr.has(u):
            continue
        value = unfold(rhs.expr, row.state)
        target = u if row.old.has(u) else _unhatted(u, row.state)
        if target is None or not row.old.has(target) or value.has(target):
            continue
        var = _variable_of(u, row.state)
        hatted = var is not None and var.key.startswith(HATS) and power == 1
        definition = (u, value) if hatted and not any(t == u for t, _ in row.state.definitions) else None
        return _Solved(target, power, value, f"{lhs.segment.raw} = {rhs.segment.raw}", definition)
    return None


def _symbol_power(expr: sp.Expr | None) -> tuple[sp.Symbol | None, int]:
    if isinstance(expr, sp.Symbol):
        return expr, 1
    if isinstance(expr, sp.Pow) and isinstance(expr.base, sp.Symbol) and expr.exp.is_Integer and expr.exp > 1:
        return expr.base, int(expr.exp)
    return None, 0


def _variable_of(obj: sp.Basic, state: FileState):
    return next((v for v in state.current_table.variables.values() if v.obj == obj), None)


def _unhatted(u: sp.Symbol, state: FileState) -> sp.Symbol | None:
    """``p`` for ``\\hat{p}``: the symbol a hatted name estimates."""
    var = _variable_of(u, state)
    if var is None or not var.key.startswith(HATS):
        return None
    base = canonical_name(var.key)
    for hat in HATS:
        if base.startswith(hat):
            base = base[len(hat):]
            break
    return next((v.obj for v in state.current_table.variables.values()
                 if v.kind == "scalar" and canonical_name(v.key) == base and isinstance(v.obj, sp.Symbol)), None)


#: Stands for ``u^power`` when an equation is read as one in that power.
_POWER = sp.Dummy("u_power")


def _in_power(expr: sp.Expr, target: sp.Symbol, power: int) -> sp.Expr:
    """``expr`` as an expression in ``target^power`` (the symbol :data:`_POWER`), or with
    ``target`` left in it when it also appears otherwise (then it is not linear in the power)."""
    if power == 1:
        return expr.xreplace({target: _POWER})
    return expr.subs(target ** power, _POWER)


def _substitute(expr: sp.Expr, target: sp.Symbol, power: int, value: sp.Expr) -> sp.Expr:
    """``expr`` with ``target^power = value``: powers of it replaced where they divide
    (``\\sigma^4`` is ``value^2``), else ``target = value^(1/power)``."""
    if power == 1:
        return expr.xreplace({target: value})
    fresh = sp.Dummy("w")
    swapped = expr.subs(target ** power, fresh)
    if not swapped.has(target):
        return swapped.xreplace({fresh: value})
    return expr.xreplace({target: value ** sp.Rational(1, power)})


def _factors(row: _Row) -> list[sp.Expr]:
    """Factors c to try in ``new = c * old``: their ratio, cancelled, then 1 and -1."""
    out: list[sp.Expr] = []
    try:
        ratio = sp.cancel(sp.together(row.new / row.old))
        # a factor that reads the data (a sum, an entry) is the ratio itself, true by construction
        if ratio != 0 and not ratio.has(sp.zoo, sp.nan, sp.oo, sp.Sum, sp.Product, sp.Indexed) \
                and sp.count_ops(ratio) <= 30:
            out.append(ratio)
    except (ZeroDivisionError, sp.PolynomialError, TypeError, ValueError, RecursionError):
        pass
    for c in (sp.Integer(1), sp.Integer(-1)):
        if c not in out:
            out.append(c)
    return out


def _linear_root(expr: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """``(root, slope)`` when the numerator of ``expr`` is ``slope * x + rest`` with
    slope and rest free of x; else None."""
    try:
        num, _ = sp.fraction(sp.together(expr))
        num = sp.expand(num)
        slope = sp.diff(num, x)
        if slope == 0 or slope.has(x):
            return None
        rest = sp.expand(num - slope * x)
        if rest.has(x):
            return None
        return sp.cancel(-rest / slope), slope
    except (sp.PolynomialError, TypeError, ValueError, RecursionError, NotImplementedError):
        return None


def _root_candidates(row: _Row) -> list:
    """Scalar real symbols of the old equation (hatted ones first) that the new one reads."""
    from ..core.domains import Kind
    out = [v for v in row.state.current_table.variables.values()
           if v.kind == "scalar" and isinstance(v.obj, sp.Symbol) and v.domain.kind is Kind.REAL
           and row.old.has(v.obj) and row.new.has(v.obj)]
    out.sort(key=lambda v: not v.key.startswith(HATS))
    return out[:2]


def _linear_sums(expr: sp.Expr) -> sp.Expr:
    """Sums split over their terms, factors free of the index taken out:
    ``\\sum_i (x_i - \\mu)`` is ``\\sum_i x_i - n \\mu``."""
    def split(node):
        if not isinstance(node, sp.Sum) or len(node.limits) != 1:
            return node
        i, lo, hi = node.limits[0]
        terms = sp.Add.make_args(sp.expand(node.function))
        out = []
        for term in terms:
            free = [f for f in sp.Mul.make_args(term) if not f.has(i)]
            bound = [f for f in sp.Mul.make_args(term) if f.has(i)]
            outside = sp.Mul(*free)
            out.append(outside * (sp.Sum(sp.Mul(*bound), (i, lo, hi)) if bound else (hi - lo + 1)))
        return sp.Add(*out)
    try:
        return sp.expand(expr.replace(lambda n: isinstance(n, sp.Sum), split))
    except (TypeError, ValueError, RecursionError):
        return expr


def _plainly_zero(expr: sp.Expr) -> bool:
    try:
        return sp.cancel(sp.together(expr)) == 0
    except (sp.PolynomialError, TypeError, ValueError, RecursionError):
        return expr == 0


def _tame(expr: sp.Expr, lookup) -> bool:
    """Has ``expr`` a value everywhere: sums and products of symbols, numbers and
    powers with a positive integer exponent or a base proved positive."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            if not (node.exp.is_Integer and node.exp > 0) and sign_of(node.base, lookup) <= 0:
                return False
        elif isinstance(node, sp.Function) or isinstance(node, (sp.Piecewise, sp.Product)):
            return False
    return True


def _nonzero(expr: sp.Expr, lookup) -> bool:
    if expr.is_number:
        return expr != 0
    return sign_of(expr, lookup) != 0


def _value_of(verdict: Verdict) -> str:
    """``A = 0.25`` from decide's reason: the value that should have been 0."""
    reason = verdict.reason
    start = reason.find("(A = ")
    if start < 0:
        return "not zero"
    return "value " + reason[start + 5:].split(",")[0]
