"""Proofs by cases: two formulas equal on every one of finitely many cases.

When the canonical forms do not reduce A - B to 0, the formulas are split
into cases, each closed by the same symbolic check:

- an entry with finitely many values (``binary`` symbols; elements of binary
  or one-hot arrays, taken as 0 or 1 each) is given each value in turn, with
  the convention 0 log 0 = 0 (a product with a factor 0 is 0);
- a real symbol under a log, a root, |..|, max or min takes each sign in turn:
  positive (a fresh positive symbol), 0, negative (minus a fresh positive
  symbol); where a side has the log or root of a negative number it has no
  value, so that case holds vacuously;
- ``max``, ``min``, ``|..|`` and indicators are replaced by each of their
  branches, with the branch's condition; a set of conditions the domains'
  intervals or a linear combination of the conditions rule out is skipped;
- two sums (or products) over the same range are equal when their bodies are
  equal at every index, and two products with the same factors besides one
  are equal when those are.

Every case must be closed by the symbolic check; a case left open, or more
cases or time than the limits allow, leaves the pair unproved. Nothing here
reads the random points.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import sympy as sp

from ..checks.intervals import Interval, interval_of

#: Cases (leaves) and seconds one proof may use.
MOST_CASES = 48
SECONDS = 2.0
#: Conditions kept while eliminating a variable from the linear ones.
MOST_CONDITIONS = 300

Leaf = Callable[[sp.Expr, sp.Expr], bool]
Lookup = Callable[[sp.Basic], "Interval | None"]

_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


@dataclass(frozen=True)
class Condition:
    """``expr > 0`` (``strict``) or ``expr >= 0``."""

    expr: sp.Expr
    strict: bool


@dataclass
class CaseProof:
    """``proved`` with the number of cases closed, or why not."""

    proved: bool
    cases: int
    reason: str


@dataclass
class _Search:
    leaf: Leaf
    lookup: Lookup
    finite: frozenset[str]  # names of arrays and symbols with the values 0 and 1
    deadline: float
    cases: int = 0
    failure: str = ""
    fresh: list = field(default_factory=list)  # the positive symbols made for signs


def prove_by_cases(a: sp.Expr, b: sp.Expr, leaf: Leaf, lookup: Lookup, finite: frozenset[str],
                   seconds: float = SECONDS) -> CaseProof:
    """Prove ``a == b`` wherever both are defined by splitting into cases, each
    closed by ``leaf``; ``lookup`` gives the domains' intervals, ``finite``
    the names whose entries are 0 or 1."""
    search = _Search(leaf, lookup, finite, time.monotonic() + seconds)
    try:
        proved = _prove(a, b, (), search, top=True)
    except (RecursionError, ValueError, TypeError, NotImplementedError, AttributeError, ZeroDivisionError):
        return CaseProof(False, search.cases, "sympy could not split the cases")
    if proved:
        return CaseProof(True, search.cases, f"proved in {search.cases} cases")
    return CaseProof(False, search.cases, search.failure or "no case split applies")


def _prove(a: sp.Expr, b: sp.Expr, conditions: tuple, search: _Search, top: bool = False) -> bool:
    if time.monotonic() > search.deadline or search.cases >= MOST_CASES:
        search.failure = search.failure or f"more than {MOST_CASES} cases or {SECONDS:g} s"
        return False
    if a.has(*_UNDEFINED) or b.has(*_UNDEFINED):
        search.failure = search.failure or "a case has a value sympy cannot read"
        return False
    if a == b:
        search.cases += not top
        return True
    bound = _bound(a) | _bound(b)
    branches = _finite_split(a, b, bound, search)
    if branches is not None:
        return all(_branch(a2, b2, conditions + new, search) for a2, b2, new in branches)
    parts = _congruent_parts(a, b)
    if parts is not None and _prove(parts[0], parts[1], conditions, search):
        return True
    for splitter in (_sign_split, _branch_split):
        branches = splitter(a, b, bound, search)
        if branches is not None:
            return all(_branch(a2, b2, conditions + new, search) for a2, b2, new in branches)
    if not top and time.monotonic() < search.deadline and search.leaf(a, b):
        search.cases += 1
        return True
    search.failure = search.failure or "a case was not closed"
    return False


def _branch(a: sp.Expr | None, b: sp.Expr | None, conditions: tuple, search: _Search) -> bool:
    """One case: None for a side with no value anywhere in it (the case holds)."""
    if a is None or b is None:
        search.cases += 1
        return True
    if not _feasible(conditions, search.lookup):
        return True
    return _prove(a, b, conditions, search)


# -- the splits: each returns [(a, b, new conditions)] or None ------------------------------
def _finite_split(a, b, bound, search):
    for atom in _atoms(a, b, bound):
        if _name(atom) in search.finite:
            return [(_at(a, {atom: v}), _at(b, {atom: v}), ()) for v in (sp.S.Zero, sp.S.One)]
    return None


def _sign_split(a, b, bound, search):
    for atom in _sign_candidates(a, b, bound, search.lookup):
        u = sp.Dummy(f"+{_name(atom)}", positive=True)  # no name the reader makes
        search.fresh.append(u)
        negative = [None if _needs_nonnegative(side, atom) else side.xreplace({atom: -u}) for side in (a, b)]
        return [(a.xreplace({atom: u}), b.xreplace({atom: u}), ()),
                (_at(a, {atom: sp.S.Zero}), _at(b, {atom: sp.S.Zero}), ()),
                (negative[0], negative[1], ())]
    return None


def _branch_split(a, b, bound, search):
    node = _innermost_branching(a, b, bound)
    if node is None:
        return None
    out = []
    for value, new in _branches(node):
        out.append((put(a, {node: value}), put(b, {node: value}), new))
    return out


def _branches(node: sp.Basic) -> list[tuple[sp.Expr, tuple[Condition, ...]]]:
    """Each branch of a max, min, |..| or indicator: its value and its conditions."""
    # |e| and a max or min of two split on the sign of one difference d, written
    # the same way wherever it occurs (d > 0 or -d >= 0), so that two splits on
    # the same difference contradict each other in all but two cases.
    if isinstance(node, sp.Abs):
        d, _ = _canonical(node.args[0])
        return [(d, (Condition(d, True),)), (-d, (Condition(-d, False),))]
    if isinstance(node, (sp.Max, sp.Min)) and len(node.args) == 2:
        p, q = node.args
        d, flipped = _canonical(p - q)
        big, small = (q, p) if flipped else (p, q)  # the larger one where d > 0
        first, second = (big, small) if isinstance(node, sp.Max) else (small, big)
        return [(first, (Condition(d, True),)), (second, (Condition(-d, False),))]
    if isinstance(node, (sp.Max, sp.Min)):
        sign = 1 if isinstance(node, sp.Max) else -1
        return [(e, tuple(Condition(sign * (e - o), False) for o in node.args if o is not e)) for e in node.args]
    # KroneckerDelta: 1 where the two sides are equal, 0 elsewhere
    x, y = node.args[:2]
    return [(sp.S.One, (Condition(x - y, False), Condition(y - x, False))), (sp.S.Zero, ())]


def _canonical(e: sp.Expr) -> tuple[sp.Expr, bool]:
    """``e`` or ``-e``, whichever does not start with a minus sign; True when flipped."""
    e = sp.expand(e)
    return (-e, True) if e.could_extract_minus_sign() else (e, False)


# -- what may be split --------------------------------------------------------------------
def _bound(expr: sp.Basic) -> set:
    out = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Sum, sp.Product)):
            out |= {limit[0] for limit in node.limits}
    return out


def _atoms(a, b, bound) -> list:
    """Symbols and array entries free of every summation index, in a fixed order."""
    found: dict = {}
    for side in (a, b):
        for node in sp.preorder_traversal(side):
            if isinstance(node, (sp.Symbol, sp.Indexed)) and not isinstance(node, sp.Dummy) \
                    and not (node.free_symbols & bound) and node not in bound:
                found.setdefault(node, None)
    return sorted(found, key=sp.default_sort_key)


def _name(atom: sp.Basic) -> str:
    return atom.base.label.name if isinstance(atom, sp.Indexed) else atom.name


def _sign_candidates(a, b, bound, lookup) -> list:
    """Real entries of either sign that appear as a factor under a log, a root, |..|, max or min."""
    under = set()
    for side in (a, b):
        for node in sp.preorder_traversal(side):
            if isinstance(node, (sp.log, sp.Abs)):
                under |= _factors(node.args[0])
            elif isinstance(node, sp.Pow) and not node.exp.is_integer:
                under |= _factors(node.base)
            elif isinstance(node, (sp.Max, sp.Min)):
                for arg in node.args:
                    under |= _factors(arg)
    out = []
    for atom in _atoms(a, b, bound):
        if atom in under and not (atom.is_extended_nonnegative or atom.is_extended_nonpositive):
            known = lookup(atom)
            if known is None or known.lo < 0:
                out.append(atom)
    return out


def _factors(expr: sp.Expr) -> set:
    out = set()
    for factor in sp.Mul.make_args(expr):
        base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_Integer else factor
        if isinstance(base, (sp.Symbol, sp.Indexed)):
            out.add(base)
        elif isinstance(base, sp.Add) and len(base.args) == 1:
            out |= _factors(base)
    if isinstance(expr, (sp.Symbol, sp.Indexed)):
        out.add(expr)
    return out


def _needs_nonnegative(expr: sp.Expr, atom: sp.Basic) -> bool:
    """Whether evaluating ``expr`` always takes the log or a root of ``atom`` (outside
    sums, products and branches, which may skip it): then ``expr`` has no value
    where ``atom`` is negative."""
    def walk(node) -> bool:
        if isinstance(node, (sp.Sum, sp.Product, sp.Piecewise)):
            return False
        if isinstance(node, sp.log) and node.args[0] == atom:
            return True
        if isinstance(node, sp.Pow) and node.base == atom and node.exp.is_Rational and not node.exp.is_integer:
            return True
        return any(walk(arg) for arg in node.args)
    return walk(expr)


def _innermost_branching(a, b, bound):
    """A max, min, |..| or indicator with none inside it and no summation index in it."""
    kinds = (sp.Max, sp.Min, sp.Abs, sp.KroneckerDelta)
    for side in (a, b):
        for node in sp.postorder_traversal(side):
            if isinstance(node, kinds) and not (node.free_symbols & bound) \
                    and not any(arg.has(*kinds) for arg in node.args):
                return node
    return None


def _congruent_parts(a, b):
    """Parts whose equality makes ``a`` and ``b`` equal: the bodies of two sums or
    products over the same range (at a fresh index), or what is left of two
    products after their common factors."""
    if isinstance(a, sp.Mul) and isinstance(b, sp.Mul):
        fa, fb = list(a.args), list(b.args)
        common = [f for f in fa if f in fb]
        for f in common:
            if f in fa and f in fb:
                fa.remove(f)
                fb.remove(f)
        if common and (fa or fb):
            return sp.Mul(*fa), sp.Mul(*fb)
        return None
    if type(a) is type(b) and isinstance(a, (sp.Sum, sp.Product)):
        (i, lo, hi), (j, lo2, hi2) = a.limits[-1], b.limits[-1]
        if lo != lo2 or hi != hi2:
            return None
        t = sp.Symbol(f"{i.name}@", integer=True)  # no name the reader makes
        body_a = a.function if len(a.limits) == 1 else type(a)(a.function, *a.limits[:-1])
        body_b = b.function if len(b.limits) == 1 else type(b)(b.function, *b.limits[:-1])
        if t in body_a.free_symbols | body_b.free_symbols:
            return None
        return body_a.xreplace({i: t}), body_b.xreplace({j: t})
    return None


# -- values in a case ---------------------------------------------------------------------
def put(expr: sp.Basic, values: dict) -> sp.Basic:
    """``expr`` with ``values`` put in, where a product with a factor 0 is 0
    (0 log 0 = 0, as the numeric evaluation reads it)."""
    if expr in values:
        return values[expr]
    if not expr.args or isinstance(expr, sp.IndexedBase):
        return expr
    args = [put(arg, values) for arg in expr.args]
    if isinstance(expr, sp.Mul) and any(arg == 0 for arg in args):
        return sp.S.Zero
    if all(new is old for new, old in zip(args, expr.args)):
        return expr
    return expr.func(*args)


def _at(expr: sp.Expr, values: dict) -> sp.Expr | None:
    """``expr`` in the case ``values``, or None when it surely has no value there."""
    return None if _no_value(expr, values) else put(expr, values)


def _no_value(expr: sp.Basic, values: dict) -> bool:
    """Whether evaluating ``expr`` with ``values`` put in surely fails (a division
    by 0, the log of a negative number) or surely ends infinite (log 0 carried up
    through sums and non-zero products, which the evaluation rejects at the end).
    Sums, products and branches may skip their bodies; max, min, tanh and the
    like absorb an infinity: neither is looked into."""
    return _raises(expr, values) or _infinite(expr, values)


def _raises(node: sp.Basic, values: dict) -> bool:
    if isinstance(node, (sp.Sum, sp.Product, sp.Piecewise)):
        return False
    if any(_raises(arg, values) for arg in node.args):
        return True  # every argument of every other node is evaluated
    if isinstance(node, sp.Pow):
        base, exponent = put(node.base, values), put(node.exp, values)
        return base == 0 and exponent.is_Number and exponent < 0
    if isinstance(node, sp.log):
        inside = put(node.args[0], values)
        return inside.is_Number and inside < 0
    return False


def _infinite(node: sp.Basic, values: dict) -> bool:
    if isinstance(node, sp.log) and len(node.args) == 1:
        return put(node.args[0], values) == 0
    if isinstance(node, sp.Add):
        return any(_infinite(arg, values) for arg in node.args)
    if isinstance(node, sp.Mul):
        return any(_infinite(arg, values) for arg in node.args) and all(
            _infinite(arg, values) or put(arg, values).is_zero is False for arg in node.args)
    return False


# -- which sets of conditions can hold ----------------------------------------------------
def _feasible(conditions: tuple[Condition, ...], lookup: Lookup) -> bool:
    """False only when the conditions cannot all hold on the domains: one is ruled
    out by its interval, or a positive combination of the linear ones is."""
    rows = []
    atoms: set = set()
    for c in conditions:
        iv = interval_of(c.expr, lookup)
        if iv.hi < 0 or (iv.hi == 0 and (c.strict or iv.hi_open)):
            return False
        row = _linear(c.expr, c.strict)
        if row is not None:
            rows.append(row)
            atoms |= set(row[0])
    if not rows:
        return True
    for atom in atoms:
        known = lookup(atom) if isinstance(atom, (sp.Symbol, sp.Indexed)) else None
        if isinstance(atom, sp.Symbol) and atom.is_positive:
            rows.append(({atom: Fraction(1)}, Fraction(0), True))
        elif known is not None:
            iv = known
            if iv.lo != -float("inf") and isinstance(iv.lo, (int, Fraction)):
                rows.append(({atom: Fraction(1)}, -Fraction(iv.lo), iv.lo_open))
            if iv.hi != float("inf") and isinstance(iv.hi, (int, Fraction)):
                rows.append(({atom: Fraction(-1)}, Fraction(iv.hi), iv.hi_open))
    return _fourier_motzkin(rows)


def _linear(expr: sp.Expr, strict: bool):
    """``expr`` as (coefficients per monomial, constant, strict); each monomial is
    taken as a variable of its own (a weaker statement, so a contradiction still is one)."""
    if sp.count_ops(expr) > 60:
        return None
    coefficients: dict = {}
    constant = Fraction(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, monomial = term.as_coeff_Mul()
        if not coeff.is_Rational:
            return None
        value = Fraction(int(coeff.p), int(coeff.q))
        if monomial == 1:
            constant += value
        else:
            coefficients[monomial] = coefficients.get(monomial, Fraction(0)) + value
    return {m: c for m, c in coefficients.items() if c != 0}, constant, strict


def _fourier_motzkin(rows: list) -> bool:
    """Whether ``sum c x + k > 0`` (or ``>= 0``) rows have a real solution."""
    variables = {v for coeffs, _, _ in rows for v in coeffs}
    for v in sorted(variables, key=sp.default_sort_key):
        keep: list = []
        upper: list = []
        lower: list = []
        for row in rows:
            c = row[0].get(v, 0)
            (keep if c == 0 else upper if c < 0 else lower).append(row)
        for lo_row in lower:
            for up_row in upper:
                a, b = lo_row[0][v], -up_row[0][v]
                coeffs = {}
                for x in set(lo_row[0]) | set(up_row[0]):
                    value = lo_row[0].get(x, 0) / a + up_row[0].get(x, 0) / b
                    if x != v and value != 0:
                        coeffs[x] = value
                keep.append((coeffs, lo_row[1] / a + up_row[1] / b, lo_row[2] or up_row[2]))
        rows = keep
        if len(rows) > MOST_CONDITIONS:
            return True
    for coeffs, constant, strict in rows:
        if not coeffs and (constant < 0 or (strict and constant == 0)):
            return False
    return True
