"""Read ``sympy.srepr`` text back without ``eval``.

Certificates are files from anywhere, so their expressions are parsed with
:mod:`ast` and rebuilt from an allow-list of sympy constructors. Size, depth,
and the magnitude of numbers are bounded, so a hostile file gets a clear
error instead of a hang or a huge integer.
"""
from __future__ import annotations

import ast
import re

import sympy as sp
from sympy.codegen.cfunctions import log2
from sympy.functions.elementary.piecewise import ExprCondPair

MAX_TEXT = 500_000
MAX_NODES = 50_000
MAX_DEPTH = 200
MAX_INT_DIGITS = 60
MAX_NUMERIC_EXPONENT = 1000

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ASSUMPTIONS = frozenset({"real", "positive", "negative", "nonnegative", "nonpositive", "integer",
                          "zero", "nonzero", "finite", "commutative", "rational", "extended_real"})


class SreprError(ValueError):
    """The text is not an expression this reader accepts."""


def _symbol(name, **assumptions):
    if not isinstance(name, str) or not NAME.match(name):
        raise SreprError(f"bad symbol name {name!r}")
    for key, value in assumptions.items():
        if key not in _ASSUMPTIONS or not isinstance(value, bool):
            raise SreprError(f"assumption {key}={value!r} is not allowed")
    return sp.Symbol(name, **assumptions)


def _integer(value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise SreprError("Integer takes an int")
    return sp.Integer(value)


def _rational(p, q):
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (p, q)) or q == 0:
        raise SreprError("Rational takes two ints, the second non-zero")
    return sp.Rational(p, q)


def _float(text, precision=53):
    if not isinstance(text, str) or len(text) > 80 or not isinstance(precision, int) or not 1 <= precision <= 2000:
        raise SreprError("Float takes a short numeric string and a precision")
    try:
        value = sp.Float(text, precision=precision)
    except (ValueError, TypeError) as exc:
        raise SreprError(f"bad Float {text!r}") from exc
    if value != 0 and not (1e-300 < abs(value) < 1e300):
        raise SreprError(f"Float {text!r} is out of range")
    return value


def _pow(base, exponent):
    if base.is_Number and exponent.is_Number and abs(exponent) > MAX_NUMERIC_EXPONENT:
        raise SreprError("a numeric power is too large")
    return sp.Pow(base, exponent)


def _indexed_base(label, **assumptions):
    if isinstance(label, str):
        label = _symbol(label, **assumptions)
    if not isinstance(label, sp.Symbol):
        raise SreprError("IndexedBase takes a symbol")
    return sp.IndexedBase(label)


_CONSTRUCTORS = {
    "Symbol": _symbol,
    "Integer": _integer,
    "Rational": _rational,
    "Float": _float,
    "Add": sp.Add,
    "Mul": sp.Mul,
    "Pow": _pow,
    "log": sp.log,
    "exp": sp.exp,
    "Abs": sp.Abs,
    "factorial": sp.factorial,
    "Sum": sp.Sum,
    "Product": sp.Product,
    "Indexed": sp.Indexed,
    "IndexedBase": _indexed_base,
    "Tuple": sp.Tuple,
    "KroneckerDelta": sp.KroneckerDelta,
    "Piecewise": sp.Piecewise,
    "ExprCondPair": ExprCondPair,
    "Eq": sp.Eq,
    "Ne": sp.Ne,
    "Lt": sp.Lt,
    "Le": sp.Le,
    "Gt": sp.Gt,
    "Ge": sp.Ge,
    # the names sympy.srepr prints for the comparisons above
    "Equality": sp.Eq,
    "Unequality": sp.Ne,
    "StrictLessThan": sp.Lt,
    "LessThan": sp.Le,
    "StrictGreaterThan": sp.Gt,
    "GreaterThan": sp.Ge,
    "log2": log2,
}
_CONSTANTS = {"E": sp.E, "pi": sp.pi, "oo": sp.oo, "zoo": sp.zoo, "nan": sp.nan,
              "true": sp.true, "false": sp.false}


def parse_srepr(text: str) -> sp.Basic:
    """The expression that ``sympy.srepr`` printed as ``text``."""
    if not isinstance(text, str):
        raise SreprError("an expression must be a string")
    if len(text) > MAX_TEXT:
        raise SreprError(f"expression longer than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        raise SreprError(f"not an srepr expression: {exc}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise SreprError(f"expression has more than {MAX_NODES} nodes")
    try:
        return _build(tree.body, 0)
    except SreprError:
        raise
    except RecursionError:
        raise SreprError("expression nests too deeply") from None
    except Exception as exc:  # sympy's constructors raise many kinds; all mean bad input
        raise SreprError(f"invalid expression: {type(exc).__name__}: {exc}") from None


def _build(node: ast.AST, depth: int):
    if depth > MAX_DEPTH:
        raise SreprError(f"expression nests deeper than {MAX_DEPTH}")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or isinstance(value, str):
            return value
        if isinstance(value, int):
            if len(str(abs(value))) > MAX_INT_DIGITS:
                raise SreprError("integer literal too long")
            return value
        raise SreprError(f"literal {value!r} is not allowed")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = _build(node.operand, depth + 1)
        if isinstance(value, int) and not isinstance(value, bool):
            return -value
        raise SreprError("only integers may be negated")
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise SreprError(f"name {node.id!r} is not allowed")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        constructor = _CONSTRUCTORS.get(node.func.id)
        if constructor is None:
            raise SreprError(f"{node.func.id!r} is not an allowed constructor")
        args = [_build(a, depth + 1) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise SreprError("** arguments are not allowed")
            kwargs[kw.arg] = _build(kw.value, depth + 1)
        if node.func.id not in ("Symbol", "IndexedBase", "Float") and kwargs:
            raise SreprError(f"{node.func.id} takes no keyword arguments")
        return constructor(*args, **kwargs)
    raise SreprError(f"unexpected syntax: {type(node).__name__}")
