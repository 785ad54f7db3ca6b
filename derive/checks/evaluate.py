"""Numeric evaluation of sympy trees at a point, in mpmath, with bounded work.

A small interpreter rather than ``lambdify``: it handles symbolic sums and
products at concrete sizes, indexed elements, the 0 log 0 = 0 convention, and
real-valued semantics (the log of a negative number is *undefined*, not
complex), and it never executes generated code.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import mpmath
import sympy as sp
from sympy.codegen.cfunctions import log2
from sympy.core.function import AppliedUndef

PRECISION_DIGITS = 40


class Undefined(Exception):
    """The expression has no real value at this point (log of a negative, 1/0)."""


class OutOfRange(Undefined):
    """The expression's value (or a part's) is too large or too small in magnitude to be
    evaluated here: it may well have one, so this says nothing about where it is defined."""


class Unsupported(Exception):
    """The interpreter does not know this kind of node."""


class BudgetExceeded(Exception):
    """Too much work or too much time: the caller reports ``unchecked``."""


@dataclass
class Budget:
    """A cap on interpreter steps and on wall-clock time, shared by a whole check."""

    seconds: float = 20.0
    max_ops: int = 5_000_000
    ops: int = 0
    started: float = field(default_factory=time.monotonic)

    def tick(self, n: int = 1) -> None:
        self.ops += n
        if self.ops > self.max_ops:
            raise BudgetExceeded(f"more than {self.max_ops} evaluation steps")
        if self.ops % 4096 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise BudgetExceeded(f"time budget of {self.seconds:g} s exceeded")


#: Values bound during evaluation: a Symbol -> number, or an IndexedBase
#: label name -> nested list of numbers (0-based storage of 1-based indices).
Env = dict


Handler = Callable[[sp.Basic, Env, Budget], Any]
_HANDLERS: dict[type, Handler] = {}


def handles(*types: type):
    def register(fn: Handler) -> Handler:
        for t in types:
            _HANDLERS[t] = fn
        _RESOLVED.clear()
        return fn

    return register


def evaluate(expr: sp.Basic, env: Env, budget: Budget | None = None,
             digits: int = PRECISION_DIGITS) -> mpmath.mpf:
    """The real value of ``expr`` at ``env``; raises :class:`Undefined` if none."""
    budget = budget or Budget()
    with mpmath.workdps(digits):
        value = _eval(expr, env, budget)
        if not mpmath.isfinite(value):
            raise Undefined("the value is infinite")
        return +value


#: Handler per concrete type, resolved through the MRO once.
_RESOLVED: dict[type, Handler] = {}


def _eval(expr: sp.Basic, env: Env, budget: Budget):
    budget.tick()
    handler = _RESOLVED.get(type(expr))
    if handler is None:
        for cls in type(expr).__mro__:
            handler = _HANDLERS.get(cls)
            if handler is not None:
                _RESOLVED[type(expr)] = handler
                break
        else:
            raise Unsupported(f"cannot evaluate {type(expr).__name__} numerically")
    return handler(expr, env, budget)


@handles(sp.Integer)
def _integer(expr, env, budget):
    return mpmath.mpf(int(expr))


@handles(sp.Rational)
def _rational(expr, env, budget):
    return mpmath.mpf(int(expr.p)) / int(expr.q)


@handles(sp.Float)
def _float(expr, env, budget):
    return mpmath.mpf(expr._mpf_)


@handles(sp.core.numbers.Exp1)
def _e(expr, env, budget):
    return mpmath.e()


@handles(sp.core.numbers.Pi)
def _pi(expr, env, budget):
    return mpmath.pi()


@handles(sp.core.numbers.Infinity, sp.core.numbers.NegativeInfinity,
         sp.core.numbers.ComplexInfinity, sp.core.numbers.NaN)
def _nonfinite(expr, env, budget):
    raise Undefined(f"{expr} has no finite value")


@handles(sp.core.numbers.ImaginaryUnit)
def _imaginary(expr, env, budget):
    raise Undefined("not a real number")


@handles(sp.Symbol)
def _symbol(expr, env, budget):
    try:
        value = env[expr]
    except KeyError:
        raise Unsupported(f"no value for the symbol {expr}") from None
    return mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value


@handles(sp.Indexed)
def _indexed(expr, env, budget):
    array = env.get(expr.base.label.name)
    if array is None:
        raise Unsupported(f"no values for the array {expr.base}")
    if hasattr(array, "element"):  # drawn on demand (derive check's points)
        positions = tuple(_as_index(_eval(index, env, budget)) for index in expr.indices)
        return mpmath.mpf(array.element(positions))
    node = array
    for index in expr.indices:
        position = _as_index(_eval(index, env, budget))
        if not isinstance(node, list) or not 1 <= position <= len(node):
            raise Undefined(f"index {position} of {expr} is outside its range")
        node = node[position - 1]
    if isinstance(node, list):
        raise Undefined(f"{expr} names a row, not an element")
    return mpmath.mpf(node)


def _as_index(value) -> int:
    if not mpmath.isfinite(value):
        raise Undefined(f"index {value} is not an integer")
    rounded = int(value)  # truncates; equal to value only for an integer
    if value != rounded:
        raise Undefined(f"index {value} is not an integer")
    return rounded


@handles(sp.Add)
def _add(expr, env, budget):
    total = mpmath.mpf(0)
    for arg in expr.args:
        term = _eval(arg, env, budget)
        total = total + term
        if mpmath.isnan(total):
            raise Undefined("inf - inf")
    return total


@handles(sp.Mul)
def _mul(expr, env, budget):
    return _product_of([_eval(arg, env, budget) for arg in expr.args])


def _product_of(values: list) -> mpmath.mpf:
    """The product, with 0 * (+-inf) = 0 (the 0 log 0 = 0 convention)."""
    if any(v == 0 for v in values):
        return mpmath.mpf(0)
    product = mpmath.mpf(1)
    for v in values:
        product = product * v
    return product


@handles(sp.Pow)
def _pow(expr, env, budget):
    base = _eval(expr.base, env, budget)
    exponent = _eval(expr.exp, env, budget)
    if exponent == 0:
        return mpmath.mpf(1)  # 0^0 = 1, as in p^y with y = 0
    if base == 0:
        if exponent < 0:
            raise Undefined("division by zero")
        return mpmath.mpf(0)
    if mpmath.isinf(base) or mpmath.isinf(exponent):
        raise Undefined("a power of infinity")
    if base < 0 and exponent != int(mpmath.nint(exponent)):
        raise Undefined("a negative number to a fractional power")
    _check_range(exponent * mpmath.log(abs(base)))
    return mpmath.power(base, exponent)


def _log_as_sum(arg: sp.Expr) -> sp.Expr:
    """``log(arg)`` written as a sum of logs (``log(c e^{a} \\prod_i f_i)`` -> ``log c + a + \\sum_i log f_i``),
    equal to it wherever every factor is positive."""
    if isinstance(arg, sp.exp):
        return arg.args[0]
    if isinstance(arg, sp.Mul):
        return sp.Add(*[_log_as_sum(f) for f in arg.args], evaluate=False)
    if isinstance(arg, sp.Product):
        return sp.Sum(_log_as_sum(arg.function), *arg.limits)
    return sp.log(arg, evaluate=False)


@handles(sp.log)
def _log(expr, env, budget):
    summed = None
    if expr.args[0].has(sp.exp, sp.Product) and isinstance(expr.args[0], (sp.Mul, sp.exp, sp.Product)):
        # a likelihood's log (log of a product of densities) has a value where the product
        # itself is beyond the evaluated range; where a factor is not positive, the log as written
        try:
            summed = _eval(_log_as_sum(expr.args[0]), env, budget)
        except Undefined:
            summed = None
    if summed is not None:
        return _in_base(summed, expr, env, budget)
    x = _eval(expr.args[0], env, budget)
    if x < 0:
        raise Undefined("the log of a negative number")
    return _in_base(mpmath.log(x) if x > 0 else mpmath.mpf("-inf"), expr, env, budget)


def _in_base(value, expr: sp.Expr, env, budget):
    """A natural log ``value`` in the base of ``log(x, base)`` (unchanged for a natural log)."""
    if len(expr.args) == 2:
        base = _eval(expr.args[1], env, budget)
        if base <= 0 or base == 1:
            raise Undefined("a log with base <= 0 or 1")
        value = value / mpmath.log(base)
    return value


@handles(log2)
def _log2(expr, env, budget):
    """The base-2 logarithm (sympy's codegen ``log2`` node, kept unevaluated)."""
    x = _eval(expr.args[0], env, budget)
    if x < 0:
        raise Undefined("the log of a negative number")
    return mpmath.log(x) / mpmath.log(2) if x > 0 else mpmath.mpf("-inf")


@handles(sp.exp)
def _exp(expr, env, budget):
    x = _eval(expr.args[0], env, budget)
    if mpmath.isinf(x):
        raise Undefined("exp of an infinite value")
    _check_range(x)
    return mpmath.exp(x)


#: Values beyond e^(+-MAX_LOG_MAGNITUDE) are outside what is evaluated. mpmath
#: keeps such values as a mantissa and an exponent; at 40 digits the relative
#: error of e^x is about |x| 10^-40, still far below the 10^-30 tolerance. Counts
#: (a Poisson likelihood lambda^y / y! with y up to 10^6) need e^(10^7).
MAX_LOG_MAGNITUDE = 100_000_000


def _check_range(log_magnitude) -> None:
    if abs(log_magnitude) > MAX_LOG_MAGNITUDE:
        raise OutOfRange("the value is beyond e^100000000 in magnitude (overflow or underflow)")


@handles(sp.Abs)
def _abs(expr, env, budget):
    return abs(_eval(expr.args[0], env, budget))


@handles(sp.tanh)
def _tanh(expr, env, budget):
    return mpmath.tanh(_eval(expr.args[0], env, budget))


@handles(sp.Max, sp.Min)
def _extremum(expr, env, budget):
    values = [_eval(arg, env, budget) for arg in expr.args]
    return max(values) if isinstance(expr, sp.Max) else min(values)


#: Elementary functions evaluated by mpmath; a complex value (asin 2) is no real value.
_ELEMENTARY = {sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan, sp.sec: mpmath.sec,
               sp.csc: mpmath.csc, sp.cot: mpmath.cot, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh,
               sp.sech: mpmath.sech, sp.csch: mpmath.csch, sp.coth: mpmath.coth, sp.asin: mpmath.asin,
               sp.acos: mpmath.acos, sp.atan: mpmath.atan, sp.asec: mpmath.asec, sp.acsc: mpmath.acsc,
               sp.acot: mpmath.acot, sp.asinh: mpmath.asinh, sp.acosh: mpmath.acosh, sp.atanh: mpmath.atanh,
               sp.asech: mpmath.asech, sp.acsch: mpmath.acsch, sp.acoth: mpmath.acoth, sp.erf: mpmath.erf}


def _real(value, what: str):
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise Undefined(f"{what} has no real value here")
        value = value.real
    if not mpmath.isfinite(value):
        raise Undefined(f"{what} is infinite here")
    return value


@handles(*_ELEMENTARY)
def _elementary(expr, env, budget):
    x = _eval(expr.args[0], env, budget)
    if mpmath.isinf(x):
        raise Undefined(f"{type(expr).__name__} of an infinite value")
    try:
        value = _ELEMENTARY[type(expr)](x)
    except (ZeroDivisionError, ValueError):
        raise Undefined(f"{type(expr).__name__} has no value here") from None
    return _real(value, type(expr).__name__)


@handles(sp.floor)
def _floor(expr, env, budget):
    return mpmath.floor(_eval(expr.args[0], env, budget))


@handles(sp.ceiling)
def _ceiling(expr, env, budget):
    return mpmath.ceil(_eval(expr.args[0], env, budget))


@handles(sp.sign)
def _sign(expr, env, budget):
    return mpmath.sign(_eval(expr.args[0], env, budget))


@handles(sp.Mod)
def _mod(expr, env, budget):
    a, b = (_eval(arg, env, budget) for arg in expr.args)
    if b == 0:
        raise Undefined("a remainder on division by 0")
    return a - b * mpmath.floor(a / b)


@handles(sp.binomial)
def _binomial(expr, env, budget):
    n, k = (_eval(arg, env, budget) for arg in expr.args)
    _check_range((abs(n) + abs(k) + 1) * mpmath.log(abs(n) + abs(k) + 2))
    try:
        return _real(mpmath.binomial(n, k), "a binomial coefficient")
    except (ZeroDivisionError, ValueError):
        raise Undefined("a binomial coefficient at a pole") from None


def _integers(expr, env, budget) -> list[int]:
    values = [_eval(arg, env, budget) for arg in expr.args]
    if any(v != int(mpmath.nint(v)) for v in values):
        raise Undefined(f"{type(expr).__name__.lower()} of numbers that are not integers")
    if any(abs(v) > mpmath.mpf(10) ** 1000 for v in values):
        raise Undefined("integers too large for a gcd")
    return [int(mpmath.nint(v)) for v in values]


def _integer_function(name: str):
    import math
    combine = {"Gcd": math.gcd, "Lcm": math.lcm}[name]

    def handler(expr, env, budget):
        return mpmath.mpf(combine(*_integers(expr, env, budget)))
    return handler


@handles(AppliedUndef)
def _unknown_function(expr, env, budget):
    """A function derive does not know, as one fixed smooth function of its arguments, so that
    two formulas using it differently show it; agreement proves nothing (see the caller)."""
    digest = sum(ord(c) * (k + 1) for k, c in enumerate(str(expr.func)))
    t = mpmath.mpf(0)
    for k, arg in enumerate(expr.args):
        t += _eval(arg, env, budget) * (1 + mpmath.mpf(k + 1 + digest % 7) / 11)
    return mpmath.exp(mpmath.sin(t + digest % 5)) + t / 3


@handles(sp.factorial)
def _factorial(expr, env, budget):
    # x! = Gamma(x + 1): poles at the negative integers. mpmath keeps huge
    # values (10^6! has 5.6 million digits) as a mantissa and an exponent.
    x = _eval(expr.args[0], env, budget)
    if not mpmath.isfinite(x):
        raise Undefined("the factorial of an infinite value")
    if x < 0 and x == int(mpmath.nint(x)):
        raise Undefined("the factorial of a negative integer")
    if x > 1:
        _check_range(x * mpmath.log(x + 1))  # log x! <= x log(x + 1)
    return mpmath.factorial(x)


@handles(sp.KroneckerDelta)
def _delta(expr, env, budget):
    a, b = (_eval(arg, env, budget) for arg in expr.args[:2])
    return mpmath.mpf(1 if a == b else 0)


@handles(sp.Piecewise)
def _piecewise(expr, env, budget):
    for value, condition in expr.args:
        if _truth(condition, env, budget):
            return _eval(value, env, budget)
    raise Undefined("no branch of a piecewise expression applies")


def _truth(condition, env, budget) -> bool:
    if condition is sp.true:
        return True
    if condition is sp.false:
        return False
    comparisons = {sp.Eq: lambda a, b: a == b, sp.Ne: lambda a, b: a != b,
                   sp.Lt: lambda a, b: a < b, sp.Le: lambda a, b: a <= b,
                   sp.Gt: lambda a, b: a > b, sp.Ge: lambda a, b: a >= b}
    for cls, compare in comparisons.items():
        if isinstance(condition, cls):
            return compare(_eval(condition.lhs, env, budget), _eval(condition.rhs, env, budget))
    raise Unsupported(f"cannot evaluate the condition {condition}")


MAX_TERMS = 100_000


def _ranges(expr, env, budget):
    """Yield environments for every index tuple of a Sum or Product.

    Sympy stores limits innermost first; an inner bound may name an outer
    index (``sum_{i} sum_{k=1}^{i}``), so the outermost is bound first.
    """
    limits = list(reversed(expr.limits))

    def walk(k: int, scope: Env):
        if k == len(limits):
            yield scope
            return
        var, lo, hi = limits[k]
        a = _as_index(_eval(lo, scope, budget))
        b = _as_index(_eval(hi, scope, budget))
        # A range with b < a is empty (no terms), whatever sympy's Karr
        # convention says; the symbolic checks refuse such ranges instead.
        if b - a + 1 > MAX_TERMS:
            raise BudgetExceeded(f"a range of {b - a + 1} terms is too long to evaluate")
        for value in range(a, b + 1):
            inner = dict(scope)
            inner[var] = mpmath.mpf(value)
            yield from walk(k + 1, inner)

    return walk(0, env)


@handles(sp.Sum)
def _sum(expr, env, budget):
    total = mpmath.mpf(0)
    for scope in _ranges(expr, env, budget):
        total = total + _eval(expr.function, scope, budget)
    if mpmath.isnan(total):
        raise Undefined("inf - inf in a sum")
    return total


@handles(sp.Product)
def _product(expr, env, budget):
    return _product_of([_eval(expr.function, scope, budget) for scope in _ranges(expr, env, budget)])


CONFIRM_DIGITS = 3 * PRECISION_DIGITS
TINY = mpmath.mpf("1e-100")
#: The most digits a comparison works at, whatever the constants ask for.
MAX_DIGITS = 2000


def digits_for(*exprs: sp.Basic) -> int:
    """The working precision at which these formulas are compared.

    :data:`PRECISION_DIGITS` unless a constant in them asks for more: a term
    such as ``10^{-40}``, ``1e-40`` or ``e^{-200}`` next to one of size 1 must
    still show at the tolerance :func:`tolerance` gives, so the digits grow with
    the constant's size (capped at :data:`MAX_DIGITS`).
    """
    need = PRECISION_DIGITS
    for expr in exprs:
        for atom in expr.atoms(sp.Rational):
            need = max(need, len(str(abs(atom.p))) + len(str(atom.q)) + 30)
        for atom in expr.atoms(sp.Float):
            if atom != 0:
                magnitude = abs(int(mpmath.floor(mpmath.log10(abs(mpmath.mpf(atom._mpf_))))))
                need = max(need, magnitude + mpmath.libmp.prec_to_dps(atom._prec) + 30)
        for node in expr.atoms(sp.exp):
            arg = node.args[0]
            if arg.is_number and arg.is_real:
                try:
                    need = max(need, int(min(abs(float(arg)), 10.0 * MAX_DIGITS) / 2.302585) + 40)
                except (TypeError, ValueError, OverflowError):
                    need = MAX_DIGITS
    return min(need, MAX_DIGITS)


def tolerance(digits: int) -> mpmath.mpf:
    """The relative tolerance of a comparison at ``digits`` (10^-30 at the usual 40)."""
    return mpmath.mpf(10) ** (10 - digits)


class IllConditioned(Exception):
    """The values at this point depend on the working precision."""


def confirmed_mismatch(a_expr: sp.Basic, b_expr: sp.Basic, env: Env, budget: Budget,
                       a_value: mpmath.mpf, b_value: mpmath.mpf,
                       digits: int = PRECISION_DIGITS) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Re-evaluate a mismatch found at ``digits`` at three times the precision
    before calling it a counterexample.

    Returns the high-precision values when the mismatch is real; raises
    :class:`IllConditioned` when either side moves with the precision (say
    ``s**exp(1000)``) or the two sides agree after all.
    """
    high = 3 * digits
    a_high = evaluate(a_expr, env, budget, high)
    b_high = evaluate(b_expr, env, budget, high)
    with mpmath.workdps(high):
        moved = mpmath.mpf(10) ** (15 - digits)  # 1e-25 at the usual 40 digits
        stable = close(a_high, a_value, rel=moved) and close(b_high, b_value, rel=moved)
        if not stable or close(a_high, b_high, rel=tolerance(digits)):
            raise IllConditioned("values depend on the working precision")
    # A cancellation such as 1 - e^545 / (1 + e^545) is exactly 0 at 40 and at
    # 120 digits, but e^-545 in truth (any partial cancellation already moved
    # between 40 and 120 digits). An exact 0 against a value below 10^-100 is
    # such a case, or too close to tell: the point is skipped, not a counterexample.
    with mpmath.workdps(high):
        tiny = TINY if digits == PRECISION_DIGITS else mpmath.mpf(10) ** (20 - high)
        if (a_high == 0) != (b_high == 0) and max(abs(a_high), abs(b_high)) < tiny:
            raise IllConditioned("an exact 0 against a value below 1e-100 (cancellation?)")
    return a_high, b_high


def close(a: mpmath.mpf, b: mpmath.mpf, rel: float = 1e-30) -> bool:
    """Equal within a relative tolerance far below float64, just above our rounding.

    Relative only: no absolute floor, so ``1e-31`` and ``0`` differ. Rounding
    noise around a true 0 looks like a mismatch here, and is then told apart
    by :func:`confirmed_mismatch`, where it moves with the precision.
    """
    if a == b:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b))


def relative_error(a: mpmath.mpf, b: mpmath.mpf) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else float(abs(a - b) / scale)


def register_integer_functions(*classes) -> None:
    """Evaluate the reader's functions of integers (gcd, lcm) by their class names."""
    for cls in classes:
        handles(cls)(_integer_function(cls.__name__))
