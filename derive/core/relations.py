"""Relations between consecutive lines, and the monotone maps behind them."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import sympy as sp


class Relation(str, Enum):
    """How a line relates to the line it was derived from.

    ``eq``: equal everywhere on the domain. ``defn``: equal once a model
    assumption or definition is unfolded. ``same_argmax``/``same_argmin``: the
    new objective is a strictly monotone, parameter-free map of the old one,
    so the optimiser over the parameters is unchanged (the name says the sense
    of the new line). ``specialise``: the old line at fixed sizes (``N = 1``).
    ``derivative``: the new line is the partial derivative of the old one
    with respect to one prediction element (the step's ``wrt``, say ``z_j``),
    the others held fixed; its line is a gradient, not an objective.
    ``solves``: the old line is a gradient in one parameter (the step's ``wrt``,
    a prediction that is a single symbol), and the new line is the only value of
    that parameter where it is zero: the closed-form estimate (lambda-hat, the sample mean).
    """

    EQ = "eq"
    DEFN = "defn"
    SAME_ARGMAX = "same_argmax"
    SAME_ARGMIN = "same_argmin"
    SPECIALISE = "specialise"
    DERIVATIVE = "derivative"
    SOLVES = "solves"

    @property
    def is_optimiser(self) -> bool:
        return self in (Relation.SAME_ARGMAX, Relation.SAME_ARGMIN)

    @classmethod
    def for_sense(cls, sense: str) -> "Relation":
        return cls.SAME_ARGMAX if sense == "max" else cls.SAME_ARGMIN


class MapKind(str, Enum):
    LOG = "log"        # F -> log F, increasing where F > 0
    NEGATE = "negate"  # F -> -F, decreasing
    SCALE = "scale"    # F -> c F, increasing for c > 0 free of the parameters
    SHIFT = "shift"    # F -> F + t, increasing for t free of the parameters


@dataclass(frozen=True)
class MonotoneMap:
    """A strictly monotone map applied to a whole objective."""

    kind: MapKind
    operand: sp.Expr | None = None

    @property
    def direction(self) -> int:
        """+1 if the map keeps the order, -1 if it reverses it."""
        return -1 if self.kind is MapKind.NEGATE else 1

    def apply(self, expr: sp.Expr) -> sp.Expr:
        if self.kind is MapKind.LOG:
            return sp.log(expr)
        if self.kind is MapKind.NEGATE:
            return -expr
        if self.kind is MapKind.SCALE:
            return self.operand * expr
        return expr + self.operand

    def flip(self, sense: str) -> str:
        if self.direction > 0:
            return sense
        return "min" if sense == "max" else "max"

    def describe(self) -> str:
        if self.kind is MapKind.LOG:
            return "log (strictly increasing on (0, inf))"
        if self.kind is MapKind.NEGATE:
            return "negation (strictly decreasing: max becomes min)"
        if self.kind is MapKind.SCALE:
            return "multiplication by a positive factor free of the parameters"
        return "adding a term free of the parameters"
