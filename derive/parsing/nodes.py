"""What the reader recognises before latex2sympy sees a formula.

Every variable, indicator, function call and bracketed group of the input
becomes one placeholder symbol in the text handed to latex2sympy; the node
behind each placeholder is kept here and put back afterwards. Placeholders
are named ``@<n>``; ``@`` cannot occur in a symbol of the input.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


def placeholder(n: int) -> sp.Symbol:
    return sp.Symbol(f"@{n}")


@dataclass(frozen=True)
class IndexPart:
    """One index of an element: an expression, or letters such as ``ik`` that
    split into indices only when every letter is bound by a sum."""

    expr: sp.Expr | None = None
    letters: str = ""


@dataclass(frozen=True)
class Atom:
    """A variable as written: ``key`` is its base (``y``, ``\\hat{y}``), with
    the indices of an element (``y_{i,k}``, ``p_i^{(k)}``, ``g(x)``)."""

    key: str
    indices: tuple[IndexPart, ...]
    pos: int
    suffix: str = ""  # a subscript that is part of the name: D_{KL}, x_{\text{train}}


@dataclass(frozen=True)
class Group:
    """A bracketed sub-expression, already parsed (in placeholders)."""

    expr: sp.Expr


@dataclass(frozen=True)
class Call:
    """A function applied to an argument: ``log`` (with ``base``), ``exp``, ``sigmoid``, ``abs``."""

    func: str
    arg: sp.Expr
    base: sp.Expr | None = None
    rest: tuple = ()  # further arguments (max, min)


@dataclass(frozen=True)
class Indicator:
    """``1{lhs = rhs}`` (or ``!=`` when ``negated``)."""

    lhs: sp.Expr
    rhs: sp.Expr
    negated: bool = False


@dataclass(frozen=True)
class Constant:
    value: sp.Expr


@dataclass(frozen=True)
class HiddenSize:
    """The size of the whole range of a sum written without bounds (``\\sum_k``)."""

    var: str




@dataclass(frozen=True)
class Differentiated:
    """A derivative as written: ``body`` differentiated by each variable of ``wrt``
    (a placeholder of one variable and how many times), e.g. ``\\frac{\\partial^2 f}{\\partial x^2}``."""

    body: sp.Expr
    wrt: tuple[tuple[sp.Symbol, int], ...]


@dataclass(frozen=True)
class Primed:
    """A known function's derivative at an argument: ``\\sigma'(z)`` (``order`` primes)."""

    func: str
    arg: sp.Expr
    order: int = 1


Node = Atom | Group | Call | Indicator | Constant | HiddenSize | Differentiated | Primed
