"""What ``derive verify`` keeps while it reads a file: lines, names, definitions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp

from ..parsing.assemble import Table
from ..parsing.calculus import DerivativeError, evaluate_pending  # noqa: F401  (DerivativeError: raised here)
from ..parsing.lexer import tokenize
from .chains import Segment
from .notation import FUNCTION_PLACEHOLDER, PROBABILITY_NAMES, Objective, Rewriter

if TYPE_CHECKING:
    from .equations import Equation

#: How many times definitions are unfolded into one another at most.
MAX_UNFOLD = 8


@dataclass
class Line:
    """A segment read: its objective and (once parsed) its expression."""

    segment: Segment
    objective: Objective | None
    expr: sp.Expr | None = None
    variables: dict = field(default_factory=dict)  # its chain's variables

    @property
    def goal(self) -> Objective:
        """The objective of a line that was read (every line a step compares has one)."""
        if self.objective is None:
            raise ValueError(f"line {self.segment.line} was not read")
        return self.objective


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
    functions: dict[str, "FunctionDefinition"] = field(default_factory=dict)  # by family: \ell(a, b) = ..
    notes: list[str] = field(default_factory=list)

    @property
    def current_table(self) -> Table:
        """The variables of the step being checked (set before a step is checked)."""
        if self.table is None:
            raise ValueError("no step is being checked")
        return self.table
    seen: list = field(default_factory=list)   # lines of the chains already run
    equation: "Equation | None" = None         # the equation the last chain stated
    derivative_values: list = field(default_factory=list)  # what lines written as derivatives equal
    entries: tuple = ()                        # entries z_i the running chain differentiates by
    chain: list = field(default_factory=list)  # the running chain's lines as read (for the rows' lengths)
    splits: dict = field(default_factory=dict)  # index pairs the running chain splits unwritten: line


@dataclass(frozen=True)
class FunctionDefinition:
    """A function of several arguments defined once, ``\\ell(a, b) = (a - b)^2``: at other arguments
    (``\\ell(x, 0)``) it is its value with each parameter replaced by the argument."""

    family: str
    target: sp.Symbol                 # the call as defined
    params: tuple[sp.Symbol, ...]     # the names it is defined at, in order
    value: sp.Expr


def define_function(target: sp.Basic, value: sp.Expr, state: "FileState") -> FunctionDefinition | None:
    """Record ``F(a_1, .., a_n) = value`` as a function when the call's arguments are distinct plain
    names, each of which the value uses; None (nothing recorded) otherwise."""
    if not isinstance(target, sp.Symbol):
        return None
    call = state.rewriter.calls.by_name().get(target.name)
    if call is None or call.probability or not call.arg_texts or call.family in state.functions:
        return None
    params = []
    for text in call.arg_texts:
        expr = read_argument(text, state)
        if not isinstance(expr, sp.Symbol) or expr in params or expr not in value.free_symbols:
            return None
        params.append(expr)
    found = FunctionDefinition(call.family, target, tuple(params), value)
    state.functions[call.family] = found
    return found


def bare_name(found: FunctionDefinition, state: "FileState") -> sp.Symbol | None:
    """The name of a function just defined (``L`` for ``L(\\mathbf{w}) = ..``), to be read in later
    lines as the call at the same arguments (``\\frac{\\partial L}{\\partial w_j}``); None when the
    name alone is not a plain symbol, or some line already uses or defines it."""
    bare = read_argument(found.family, state)
    if not isinstance(bare, sp.Symbol) or bare == found.target or bare in found.params:
        return None
    if any(t == bare for t, _ in state.definitions) or any(
            ln.expr is not None and ln.expr.has(bare) for ln in state.seen):
        return None
    return bare


def read_argument(text: str, state: "FileState") -> sp.Expr | None:
    """An argument of a call as an expression of plain names and numbers (None for anything else:
    elements, sums and calls are not substituted)."""
    from ..parsing import ParseError, read_formulas
    try:
        expr = read_formulas([text], state.domains, unused_ok=True).exprs[0]
    except (ParseError, ValueError, TypeError):
        return None
    reserved = (*PROBABILITY_NAMES, FUNCTION_PLACEHOLDER)
    if expr.has(sp.Indexed, sp.Sum, sp.Product) or any(
            str(getattr(s, "name", "")).startswith(reserved) for s in expr.free_symbols):
        return None
    return expr


def apply_functions(expr: sp.Expr, state: "FileState") -> sp.Expr:
    """Calls at other arguments of a function defined once, replaced by its value there."""
    if not state.functions:
        return expr
    calls = state.rewriter.calls.by_name()
    swaps = {}
    for sym in expr.free_symbols:
        call = calls.get(getattr(sym, "name", ""))
        found = state.functions.get(call.family) if call is not None else None
        if call is None or found is None or sym == found.target or len(call.arg_texts) != len(found.params) or call.probability:
            continue
        args = [read_argument(text, state) for text in call.arg_texts]
        if any(a is None for a in args):
            continue
        swaps[sym] = found.value.xreplace(dict(zip(found.params, args)))
    return expr.xreplace(swaps) if swaps else expr


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


def unfold(expr: sp.Expr, state: FileState, keep: tuple = ()) -> sp.Expr:
    """``expr`` with every defined name replaced by its definition, an element
    ``P_i := ...`` at whatever index it is read (``P_j`` is the definition at j).
    A pending derivative is taken once its body is unfolded, the variables it is taken by
    kept as they are (``\\frac{\\partial L}{\\partial p}`` holds p fixed, not its definition);
    names in ``keep`` are not unfolded. Raises :class:`DerivativeError` for a derivative
    that cannot be taken."""
    for _ in range(MAX_UNFOLD):
        before = expr
        expr = apply_functions(expr, state)
        expr = evaluate_pending(expr, lambda body, variables: unfold(body, state, keep + variables))
        for target, value in state.definitions:
            if _kept(target, keep):
                continue
            if isinstance(target, sp.Symbol):
                expr = _replace_plain(expr, target, value)
            else:
                base, idx = target.base, target.indices

                def swap(node, idx=idx, value=value):
                    return value.xreplace(dict(zip(idx, node.indices)))
                expr = expr.replace(lambda n, base=base: isinstance(n, sp.Indexed) and n.base == base
                                    and len(n.indices) == len(idx), swap)
        if expr == before:
            return expr
    return evaluate_pending(expr, lambda body, variables: unfold(body, state, keep + variables))


def _kept(target: sp.Basic, keep: tuple) -> bool:
    """Whether the definition of ``target`` stays folded: it defines a variable of ``keep``."""
    for var in keep:
        if target == var:
            return True
        if isinstance(target, sp.Indexed) and isinstance(var, sp.Indexed) and target.base == var.base:
            return True
    return False


def _replace_plain(expr: sp.Basic, target: sp.Symbol, value: sp.Expr) -> sp.Basic:
    """``expr`` with the plain name ``target`` replaced by ``value``; an array of the same
    name (``y^{(i)}`` beside a defined ``y``) is another name, left as it is (its indices
    are still replaced in)."""
    if expr == target:
        return value
    if isinstance(expr, sp.Indexed):
        indices = [_replace_plain(i, target, value) for i in expr.indices]
        return expr if indices == list(expr.indices) else expr.base[tuple(indices)]
    if isinstance(expr, sp.IndexedBase) or not expr.args or not expr.has(target):
        return expr
    return expr.func(*[_replace_plain(a, target, value) for a in expr.args])


def per_sample_term(target: sp.Basic, state: FileState) -> bool:
    """Is ``target`` (``J_i``) the per-sample term of a whole-data name defined
    before it (``J(w, b) = \\frac{1}{N} \\sum_i J_i``)? Then ``J_i = ...`` defines
    that term, not ``J`` at other arguments."""
    return isinstance(target, sp.Indexed) and any(
        not isinstance(t, sp.Indexed) and value.has(target.base) for t, value in state.definitions)


def is_definition_value(line: Line, state: FileState) -> bool:
    """Is ``line`` the right side of a definition (``\\frac{1}{N} \\sum_i J_i`` of ``J(w, b) = ...``)?"""
    return line.expr is not None and any(value is line.expr for _, value in state.definitions)

