"""What ``derive verify`` keeps while it reads a file: lines, names, definitions."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..parsing.assemble import Table
from ..parsing.lexer import tokenize
from .chains import Segment
from .notation import FUNCTION_PLACEHOLDER, PROBABILITY_NAMES, Objective, Rewriter

#: How many times definitions are unfolded into one another at most.
MAX_UNFOLD = 8


@dataclass
class Line:
    """A segment read: its objective and (once parsed) its expression."""

    segment: Segment
    objective: Objective | None
    expr: sp.Expr | None = None
    variables: dict = field(default_factory=dict)  # its chain's variables


@dataclass
class Binding:
    """A name a chain introduced, and the line that stands for it now."""

    name: str
    last: Line                    # the chain's last line: where a later `NAME = ...` goes on from


@dataclass
class FileState:
    """One file's reading: its domains, calls, variables and definitions so far."""

    source_name: str
    domains: dict[str, str]
    rewriter: Rewriter
    file_domains: set[str] = field(default_factory=set)  # named by the file's own `derive:` comment
    table: Table | None = None               # the variables of the step being checked
    all_variables: dict = field(default_factory=dict)  # every chain's, the first reading of a name wins
    explicit_parameters: set[str] = field(default_factory=set)   # arg max subscripts and declared
    declared_parameters: set[str] = field(default_factory=set)   # `derive-parameters:` of the file
    data_symbols: set[str] = field(default_factory=set)          # `derive-data:`: hatted, yet data
    assumptions: tuple[str, ...] = ()        # laws the file's `derive: assume=` comment takes as given
    definitions: list[tuple[sp.Basic, sp.Expr]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seen: list = field(default_factory=list)   # lines of the chains already run
    equation: object | None = None             # the equation the last chain stated (equations.Equation)
    derivative_values: list = field(default_factory=list)  # what lines written as derivatives equal


def canonical_name(text: str) -> str:
    """One spelling per symbol: ``\\boldsymbol{\\theta}`` and ``\\theta``, ``\\hat{\\mu}`` and
    ``\\hat\\mu`` (bold is typography; braces do not change a name)."""
    return "".join(t.text for t in tokenize(text)
                   if t.text not in (r"\mathbf", r"\boldsymbol", r"\bm", r"\textbf", "{", "}"))


def opaque_names(expr: sp.Expr) -> set[str]:
    """The probabilities and named functions (opaque calls) ``expr`` reads."""
    names = set()
    for node in sp.preorder_traversal(expr):
        obj = node.base if isinstance(node, sp.Indexed) else node
        if isinstance(obj, (sp.Symbol, sp.IndexedBase)):
            label = str(obj.name)
            if label.startswith((*PROBABILITY_NAMES, FUNCTION_PLACEHOLDER)):
                names.add(label)
    return names


def table_for(*lines: "Line", state: FileState) -> Table:
    """The variables a step between ``lines`` reads: its chains' own first."""
    variables = dict(state.all_variables)
    for ln in lines:
        variables.update(ln.variables)
    return Table(dict(), variables)


def unfold(expr: sp.Expr, state: FileState) -> sp.Expr:
    """``expr`` with every defined name replaced by its definition, an element
    ``P_i := ...`` at whatever index it is read (``P_j`` is the definition at j)."""
    for _ in range(MAX_UNFOLD):
        before = expr
        for target, value in state.definitions:
            if isinstance(target, sp.Symbol):
                expr = expr.xreplace({target: value})
            else:
                base, idx = target.base, target.indices

                def swap(node, idx=idx, value=value):
                    return value.xreplace(dict(zip(idx, node.indices)))
                expr = expr.replace(lambda n, base=base: isinstance(n, sp.Indexed) and n.base == base
                                    and len(n.indices) == len(idx), swap)
        if expr == before:
            return expr
    return expr


def per_sample_term(target: sp.Basic, state: FileState) -> bool:
    """Is ``target`` (``J_i``) the per-sample term of a whole-data name defined
    before it (``J(w, b) = \\frac{1}{N} \\sum_i J_i``)? Then ``J_i = ...`` defines
    that term, not ``J`` at other arguments."""
    return isinstance(target, sp.Indexed) and any(
        not isinstance(t, sp.Indexed) and value.has(target.base) for t, value in state.definitions)


def is_definition_value(line: Line, state: FileState) -> bool:
    """Is ``line`` the right side of a definition (``\\frac{1}{N} \\sum_i J_i`` of ``J(w, b) = ...``)?"""
    return line.expr is not None and any(value is line.expr for _, value in state.definitions)

