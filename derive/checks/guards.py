"""Where a formula changes branch: the values of each variable at which a guard flips.

A guard is a comparison inside ``max``, ``min``, ``|..|``, an indicator, a
Kronecker delta, ``sign``, a step function or a piecewise form, the 0 of a
variable exponent (``0^x``), or the edge of a log's domain (``-\\log p`` is
infinite at p = 0):
``\\max(\\log q, -60)`` changes branch where ``log q = -60``, that is at
``q = e^{-60}``; ``\\min(|r|, 10^5)`` at ``r = +-10^5``. Random points near 1
never reach such places, so the point generator draws next to them, on both
sides.

The solutions come from a small inverter over expression trees, not from a
general solver: ``f(x) = c`` is undone one invertible step at a time (affine
maps, powers, exp, log, |..|, tanh, and so the logistic sigmoid and softplus
built from them) while the other side of each step is a number. A variable
that the guard reads through anything else is left to the ordinary draws.
Every computation is bounded: the trees walked, the solutions kept, and the
working precision.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import sympy as sp

#: Working digits of the inversion, and the most any solution may ask for.
BASE_DIGITS = 40
MAX_DIGITS = 1200
#: Solutions outside 10^(+-LIMIT) are not drawn (the evaluator's range is e^(10^8),
#: but the domains' draws stop at 10^300).
LIMIT = 400
#: Bounds on the work: guards looked at, and solutions kept per variable.
MAX_GUARDS = 60
MAX_SOLUTIONS = 24
#: Relative offsets at which points are drawn on each side of a solution.
OFFSETS = (mpmath.mpf("1e-9"), mpmath.mpf("1e-3"), mpmath.mpf("0.5"))


@dataclass
class Guards:
    """Values next to which each variable changes a guard's branch.

    ``values`` maps a scalar symbol's name, or an array's name (for any of its
    elements), to the drawn candidates (mpmath numbers, either side of every
    solution); ``digits`` is the working precision those points need.
    """

    values: dict[str, list] = field(default_factory=dict)
    digits: int = BASE_DIGITS

    def __bool__(self) -> bool:
        return bool(self.values)

    def for_name(self, name: str) -> list:
        return self.values.get(name, [])


def guards_of(exprs: list[sp.Expr]) -> Guards:
    """The guard points of ``exprs`` (see the module text)."""
    found: dict[str, list] = {}
    digits = BASE_DIGITS
    for lhs, rhs in _comparisons(exprs):
        for side, other in ((lhs, rhs), (rhs, lhs)):
            if not other.is_number or not side.free_symbols:
                continue
            start = BASE_DIGITS + _extra_digits(other)
            try:
                with mpmath.workdps(start):
                    target = _num(other)
            except (TypeError, ValueError):
                continue
            for name, value, need in _invert(side, target, start):
                digits = max(digits, need)
                bucket = found.setdefault(name, [])
                if len(bucket) < MAX_SOLUTIONS * 2 * len(OFFSETS):
                    bucket.extend(_either_side(value, need))
    return Guards(found, min(digits, MAX_DIGITS))


def _comparisons(exprs: list[sp.Expr]):
    """``(lhs, rhs)`` pairs whose equality is where a branch changes."""
    count = 0
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if count >= MAX_GUARDS:
                return
            pairs: list[tuple[sp.Expr, sp.Expr]] = []
            if isinstance(node, (sp.Max, sp.Min)):
                numbers = [a for a in node.args if a.is_number]
                others = [a for a in node.args if not a.is_number]
                pairs = [(o, c) for o in others for c in numbers]
                pairs += [(x - y, sp.Integer(0)) for i, x in enumerate(others) for y in others[i + 1:]]
            elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
                pairs = [(node.args[0], sp.Integer(0))]
            elif isinstance(node, sp.KroneckerDelta):
                pairs = [(node.args[0], node.args[1])]
            elif isinstance(node, sp.core.relational.Relational):
                pairs = [(node.lhs, node.rhs)]
            elif isinstance(node, sp.log) and not node.args[0].is_number:
                # the edge of the log's domain, where a formula goes infinite
                pairs = [(node.args[0], sp.Integer(0))]
            elif isinstance(node, sp.Pow) and not node.exp.is_number:
                # a variable exponent changes branch at 0 (0^x is 1 at x = 0 only), and so
                # does a variable base under it (x^y, undefined for x < 0)
                pairs = [(node.exp, sp.Integer(0))] + ([] if node.base.is_number else [(node.base, sp.Integer(0))])
            for lhs, rhs in pairs:
                if isinstance(lhs, sp.Expr) and isinstance(rhs, sp.Expr):
                    if not (lhs.is_number or rhs.is_number) and rhs.free_symbols:
                        lhs, rhs = lhs - rhs, sp.Integer(0)
                    count += 1
                    yield lhs, rhs


def _extra_digits(number: sp.Expr) -> int:
    """Digits beyond the base that a constant needs to be told from its neighbours:
    ``1 - 10^{-50}`` needs 50 more, ``-60``, ``10^{-200}`` and ``10^{200}`` none."""
    try:
        with mpmath.workdps(MAX_DIGITS):
            return min(MAX_DIGITS, _lost_digits(_num(number)))
    except (TypeError, ValueError, ArithmeticError):
        return 0


def _invert(expr: sp.Expr, target, digits: int, depth: int = 0):
    """Yield ``(name, value, digits)`` with ``expr = target`` when ``name`` takes
    ``value`` (others where the numbers put them); only through invertible steps."""
    if depth > 40 or not mpmath.isfinite(target):
        return
    if isinstance(expr, sp.Symbol):
        if _in_limits(target):
            yield expr.name, target, digits
        return
    if isinstance(expr, sp.Indexed):
        if _in_limits(target):
            yield expr.base.label.name, target, digits
        return
    with mpmath.workdps(digits):
        for inner, value in _undo(expr, target):
            # a value that needs more digits than its target (1 - 10^{-50} from 10^{-50}) raises the precision
            need = digits if value == 0 else max(digits, BASE_DIGITS + _lost_digits(value))
            yield from _invert(inner, value, min(need, MAX_DIGITS), depth + 1)


def _lost_digits(value) -> int:
    """Digits lost to the nearest integer: 50 for 1 - 10^{-50}, none for 10^{-200}."""
    if not mpmath.isfinite(value):
        return 0
    nearest = mpmath.nint(value)
    if nearest == 0 or value == nearest:
        return 0
    return max(0, int(-mpmath.log10(abs(value - nearest) / abs(value))))


def _undo(expr: sp.Expr, target):
    """One step back: ``(inner, value)`` with ``expr = target`` when ``inner = value``."""
    if isinstance(expr, sp.Add):
        constant, rest = expr.as_independent(*expr.free_symbols, as_Add=True)
        if constant != 0 and constant.is_number:
            yield rest, target - _num(constant)
        return
    if isinstance(expr, sp.Mul):
        constant, rest = expr.as_independent(*expr.free_symbols, as_Add=False)
        if constant != 1 and constant.is_number and constant != 0:
            yield rest, target / _num(constant)
        return
    if isinstance(expr, sp.Pow):
        base, exp = expr.args
        if exp.is_number and base.free_symbols:
            n = _num(exp)
            if n == 0:
                return
            if target > 0:
                root = target ** (1 / n)
                yield base, root
                if exp.is_integer and int(exp) % 2 == 0:
                    yield base, -root
            elif target < 0 and exp.is_integer and int(exp) % 2 == 1:
                yield base, -((-target) ** (1 / n))
        elif base.is_number and exp.free_symbols and target > 0:
            b = _num(base)
            if b > 0 and b != 1:
                yield exp, mpmath.log(target) / mpmath.log(b)
        return
    if isinstance(expr, sp.exp):
        if target > 0:
            yield expr.args[0], mpmath.log(target)
        return
    if isinstance(expr, sp.log) and len(expr.args) == 1:
        if abs(target) <= 2.302585 * LIMIT:
            yield expr.args[0], mpmath.exp(target)
        return
    if isinstance(expr, sp.Abs):
        if target >= 0:
            yield expr.args[0], target
            if target > 0:
                yield expr.args[0], -target
        return
    if isinstance(expr, sp.tanh):
        if -1 < target < 1:
            yield expr.args[0], mpmath.atanh(target)
        return


def _num(number: sp.Expr):
    return mpmath.mpf(sp.N(number, mpmath.mp.dps + 10).evalf(mpmath.mp.dps + 10))


def _in_limits(value) -> bool:
    return value == 0 or abs(mpmath.log10(abs(value))) <= LIMIT


def _either_side(value, digits: int) -> list:
    """Points on both sides of a solution: the solution itself, and a relative step
    of each size below and above (an absolute one at 0)."""
    with mpmath.workdps(digits + 10):
        if value == 0:
            return [mpmath.mpf(0)] + [s * o for o in OFFSETS for s in (-1, 1)]
        return [value] + [value * (1 + s * o) for o in OFFSETS for s in (-1, 1)]
