"""From placeholders to sympy: variables, elements, sizes, indices and labels.

Formulas compared with each other share one table of variables, so the same
element written two ways (``\\hat{y}_i``, ``\\hat{y_i}``) is one symbol and a
domain given for ``\\hat{y}`` reaches every element of it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp

from ..core.domains import Domain, Kind
from .lexer import ParseError
from . import calculus
from .nodes import Atom, Call, Constant, Differentiated, Group, HiddenSize, Indicator, Primed
from .reader import Reader
from .reader.functions import FUNCTION_CLASSES, FunctionValueError, build_call, opaque

#: Numbers beyond 10^MAX_MAGNITUDE are refused rather than computed.
MAX_MAGNITUDE = 1000
MAX_FACTORIAL = 1000


@dataclass
class Variable:
    """One variable of a comparison: a scalar, an array (``ndim`` > 0), a size or a label."""

    key: str           # as written, without indices: y, \hat{y}
    name: str          # sympy name (key plus a name subscript such as D_{KL})
    kind: str          # "scalar", "array", "size", "label"
    domain: Domain
    ndim: int = 0
    obj: sp.Basic | None = None


@dataclass
class Formula:
    text: str
    reader: Reader
    raw: sp.Expr


@dataclass
class Table:
    """Variables shared by the formulas of one comparison."""

    domains: dict[str, Domain]
    variables: dict[str, Variable] = field(default_factory=dict)
    label_keys: set[str] = field(default_factory=set)
    hidden: int = 0
    size_keys: set[str] = field(default_factory=set)
    #: names written both plain and with an index (w and w_0): two variables, the plain one renamed
    split_names: set[str] = field(default_factory=set)
    #: derivatives kept unevaluated until definitions are unfolded into them (derive verify)
    keep_derivatives: bool = False

    def variable(self, key: str, name: str, kind: str, ndim: int, formula: Formula, pos: int) -> Variable:
        domain = self.domains.get(key, Domain(Kind.REAL))
        if kind == "label" and domain.kind is not Kind.LABEL:
            # used as an index, but only a declared label ranges over classes:
            # otherwise it is what its domain says (real by default)
            kind = "scalar"
        old = self.variables.get(name)
        if old is not None:
            if old.kind != kind or old.ndim != ndim:
                raise ParseError(f"{name} is used as {_describe(old)} and as {_describe_kind(kind, ndim)}",
                                 formula.text, pos)
            return old
        if kind in ("scalar", "label") and domain.kind in (Kind.SIMPLEX, Kind.ONEHOT):
            raise ParseError(f"{key} is declared {domain.name}, a domain of rows, but is used without an index",
                             formula.text, pos)
        var = Variable(key, name, kind, domain, ndim)
        var.obj = self._make(var)
        self.variables[name] = var
        return var

    @staticmethod
    def _make(var: Variable) -> sp.Basic:
        if var.kind == "size":
            return sp.Symbol(var.name, integer=True, positive=True)
        if var.kind == "label":
            return sp.Symbol(var.name, integer=True)
        # A label is an integer, but not necessarily >= 1 (0-based classes).
        assumptions = {"integer": True} if var.domain.kind is Kind.LABEL else var.domain.assumptions()
        if var.kind == "array":
            return sp.IndexedBase(var.name, **assumptions)
        return sp.Symbol(var.name, **assumptions)


def _describe(var: Variable) -> str:
    return _describe_kind(var.kind, var.ndim)


def _describe_kind(kind: str, ndim: int) -> str:
    if kind == "array":
        return f"an element with {ndim} ind{'ex' if ndim == 1 else 'ices'}"
    return {"scalar": "a plain variable", "size": "the size of a range", "label": "an index"}[kind]


class Resolver:
    """Turns one formula's placeholders into sympy objects from a shared :class:`Table`."""

    def __init__(self, formula: Formula, table: Table):
        self.f = formula
        self.r = formula.reader
        self.table = table
        self.memo: dict[sp.Symbol, sp.Expr] = {}
        self.index_keys = table.label_keys
        self.size_keys = table.size_keys
        self.index_symbols: dict[str, sp.Symbol] = {}

    @staticmethod
    def label_keys(reader: Reader) -> set[str]:
        """Names used as an index, or compared with a summed index in an indicator:
        integers (labels), not real numbers."""
        keys: set[str] = set()
        for node in reader.nodes.values():
            if isinstance(node, Atom):
                for part in node.indices:
                    keys.update(part.letters)
                    if part.expr is not None:
                        for s in part.expr.free_symbols:
                            keys |= reader.uses(s)
            elif isinstance(node, Indicator):
                sides = [set().union(*(reader.uses(s) for s in e.free_symbols)) for e in (node.lhs, node.rhs)]
                if sides[0] & reader.bound or sides[1] & reader.bound:
                    keys |= sides[0] | sides[1]
        return keys - reader.bound

    @staticmethod
    def plain_and_indexed(reader: Reader) -> tuple[set[str], set[str], set[str]]:
        """Names written without an index, with constant indices only (``w_0``, ``\\theta_1``),
        and at other indices. Only the first two may be two names (``w_0 + w x``): an element
        at a summed index beside a plain name (``y_k`` in a sum, and ``y``) stays an error."""
        def constant(expr: sp.Expr) -> bool:
            return all(isinstance(reader.nodes.get(s), Constant) for s in expr.free_symbols)
        plain, indexed, summed = set(), set(), set()
        for node in reader.nodes.values():
            if isinstance(node, Atom) and node.key not in reader.bound:
                name = node.key + (f"_{{{node.suffix}}}" if node.suffix else "")
                if not node.indices:
                    plain.add(name)
                elif all(part.expr is not None and constant(part.expr) for part in node.indices):
                    indexed.add(name)
                else:
                    summed.add(name)
        return plain, indexed, summed

    @staticmethod
    def size_keys_of(reader: Reader) -> set[str]:
        """Names in the bounds of sums: sizes (positive integers)."""
        keys: set[str] = set()
        for b in reader.bounds:
            if isinstance(b, sp.Symbol):
                keys |= reader.uses(b)
        return keys - reader.bound

    # -- resolution --------------------------------------------------------------
    def expr(self) -> sp.Expr:
        out = self.resolve(self.f.raw)
        free_indices = {s for s in out.free_symbols if s in self.index_symbols.values()}
        if free_indices:
            names = ", ".join(sorted(map(str, free_indices)))
            raise ParseError(f"the index {names} is used outside the sum that binds it; put the term "
                             "inside the sum (with brackets) or use another letter", self.f.text, None)
        _check_nodes(out, self.f.text)
        return out

    def resolve(self, expr: sp.Expr) -> sp.Expr:
        return _rebuild(expr, self.placeholder, self.f.text)

    def placeholder(self, sym: sp.Symbol) -> sp.Expr | None:
        if sym not in self.r.nodes:
            return None
        if sym not in self.memo:
            self.memo[sym] = self.node(self.r.nodes[sym])
        return self.memo[sym]

    def node(self, node) -> sp.Expr:
        if isinstance(node, Group):
            return self.resolve(node.expr)
        if isinstance(node, Constant):
            return node.value
        if isinstance(node, HiddenSize):
            # named for now after the letter and this occurrence; see name_whole_ranges
            self.table.hidden += 1
            name = f"|{node.var}#{self.table.hidden}|"
            return self.table.variable(name, name, "size", 0, self.f, 0).obj
        if isinstance(node, Indicator):
            delta = sp.KroneckerDelta(self.resolve(node.lhs), self.resolve(node.rhs))
            return 1 - delta if node.negated else delta
        if isinstance(node, Call):
            args = [self.resolve(node.arg)] + [self.resolve(r) for r in node.rest]
            base = self.resolve(node.base) if node.base is not None else None
            if node.func.startswith("@"):
                return opaque(node.func[1:], args)
            try:
                return build_call(node.func, args, base)
            except FunctionValueError as exc:
                raise ParseError(str(exc), self.f.text, None) from None
        if isinstance(node, Atom):
            return self.atom(node)
        if isinstance(node, Differentiated):
            return self.differentiated(node)
        if isinstance(node, Primed):
            return calculus.primed(node.func, self.resolve(node.arg), node.order)
        raise AssertionError(type(node))

    def differentiated(self, node: Differentiated) -> sp.Expr:
        """A derivative: taken now (check), or kept for definitions to be unfolded into it (verify)."""
        body = self.resolve(node.body)
        wrt = [(self.resolve(var), order) for var, order in node.wrt]
        try:
            if self.table.keep_derivatives:
                return calculus.pending(body, wrt)
            return calculus.derivative(body, wrt)
        except calculus.DerivativeError as exc:
            raise ParseError(str(exc), self.f.text, None) from None

    def atom(self, atom: Atom) -> sp.Expr:
        bound = self.r.bound
        indices: list[sp.Expr] = []
        suffix = atom.suffix
        for part in atom.indices:
            if part.letters:
                if any(c in bound for c in part.letters):
                    # y_{ik} with i (and maybe k) summed over: indices, the others labels
                    indices += [self.index_symbol(c) if c in bound else self.label(c, atom) for c in part.letters]
                else:
                    suffix = part.letters  # D_{KL}: part of the name
            else:
                indices.append(self.resolve(part.expr))
        name = atom.key + (f"_{{{suffix}}}" if suffix else "")
        if not indices:
            if atom.key in bound and not suffix:
                return self.index_symbol(atom.key)
            if name in self.size_keys:
                return self.table.variable(atom.key, name, "size", 0, self.f, atom.pos).obj
            kind = "label" if name in self.index_keys else "scalar"
            if name in self.table.split_names:
                name = f"{name} (plain)"
            return self.table.variable(atom.key, name, kind, 0, self.f, atom.pos).obj
        var = self.table.variable(atom.key, name, "array", len(indices), self.f, atom.pos)
        base = var.obj
        if base is None:
            raise ParseError(f"{name}: an array without its symbol")
        return base[tuple(indices)]

    def index_symbol(self, key: str) -> sp.Symbol:
        if key not in self.index_symbols:
            self.index_symbols[key] = sp.Symbol(key, integer=True)
        return self.index_symbols[key]

    def label(self, key: str, atom: Atom) -> sp.Expr:
        return self.table.variable(key, key, "label", 0, self.f, atom.pos).obj


ALLOWED = (sp.Add, sp.Mul, sp.Pow, sp.Sum, sp.Product, sp.KroneckerDelta, *FUNCTION_CLASSES, sp.Derivative,
           sp.factorial, sp.Symbol, sp.Indexed, sp.IndexedBase, sp.Idx, sp.Tuple, sp.Number,
           sp.core.numbers.Exp1, sp.core.numbers.Pi, sp.core.numbers.NumberSymbol)


def _check_nodes(expr: sp.Expr, text: str) -> None:
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.core.numbers.ComplexInfinity, sp.core.numbers.NaN)) or node is sp.zoo:
            raise ParseError("the formula has no value (division by zero in its constants)", text, None)
        if isinstance(node, (sp.core.numbers.Infinity, sp.core.numbers.NegativeInfinity, sp.core.numbers.ImaginaryUnit)):
            raise ParseError(f"the formula contains {node}, which check does not read", text, None)
        if not isinstance(node, ALLOWED):
            raise ParseError(f"the formula reads as containing {type(node).__name__}, which check does "
                             "not support", text, None)


def _rebuild(expr: sp.Basic, leaf, text: str) -> sp.Basic:
    """Bottom-up substitution of placeholders, refusing numbers too large to compute."""
    if isinstance(expr, sp.Symbol):
        out = leaf(expr)
        return expr if out is None else out
    if not expr.args or isinstance(expr, sp.Number):
        return expr
    args = [_rebuild(a, leaf, text) for a in expr.args]
    if any(a.has(sp.zoo, sp.nan) for a in args):
        # caught here, before sympy absorbs it (x / zoo is 0)
        raise ParseError("the formula has no value (a division by zero or a log of 0 in its constants)",
                         text, None)
    if isinstance(expr, sp.Pow):
        _guard_power(args[0], args[1], text)
    if isinstance(expr, sp.factorial) and args[0].is_Integer and args[0] > MAX_FACTORIAL:
        raise ParseError(f"{args[0]}! is too large to compute", text, None)
    if all(a is b for a, b in zip(args, expr.args)) and not isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr
    return expr.func(*args)  # evaluated, so 1/(1-1) shows as zoo


def _guard_power(base: sp.Expr, exp: sp.Expr, text: str) -> None:
    if not (base.is_Number and exp.is_Number):
        if exp.is_Number and abs(exp) > 10 ** 6:
            raise ParseError(f"an exponent of {exp} is too large", text, None)
        return
    if base == 0 or abs(base) == 1:
        return
    if abs(exp) > 10 ** 6:
        raise ParseError(f"an exponent of {exp} is too large", text, None)
    b = sp.Rational(base) if base.is_Rational else None
    digits = abs(math.log10(abs(b.p)) - math.log10(b.q)) if b is not None else abs(math.log10(abs(float(base))))
    magnitude = abs(float(exp)) * digits
    if magnitude > MAX_MAGNITUDE:
        raise ParseError(f"the number {base}^{exp} is beyond 10^{MAX_MAGNITUDE}", text, None)


def name_whole_ranges(exprs: list[sp.Expr], table: Table) -> list[sp.Expr]:
    r"""A sum without bounds runs over the whole range of what its index selects
    in its body: ``\sum_k y_k`` and ``\sum_j y_j`` both run to ``|y:0|``, the size
    of y's first index, or to ``|k|`` when the index selects nothing. Arrays a
    bounds-less sum indexes together share that range (``\sum_k y_k \log \hat{y}_k``:
    y and \hat{y} are rows over the same classes), here and in every other sum of
    the formulas; the range is named after the first such dimension in name order."""
    parent: dict[tuple, tuple] = {}

    def find(x: tuple) -> tuple:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    hidden: list[tuple[sp.Symbol, list[tuple], sp.Symbol]] = []
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if not isinstance(node, (sp.Sum, sp.Product)):
                continue
            for var, _, hi in node.limits:
                if not (isinstance(hi, sp.Symbol) and "#" in hi.name):
                    continue
                dims = sorted({(e.base.label.name, d) for e in node.function.atoms(sp.Indexed)
                               for d, i in enumerate(e.indices) if i == var})
                for d in dims[1:]:
                    a, b = find(dims[0]), find(d)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                hidden.append((hi, dims, var))
    renames: dict[sp.Symbol, sp.Symbol] = {}
    for hi, dims, var in hidden:
        name = "|%s:%s|" % find(dims[0]) if dims else f"|{var.name}|"
        if name not in table.variables:
            table.variables[name] = Variable(name, name, "size", Domain(Kind.REAL), 0,
                                             sp.Symbol(name, integer=True, positive=True))
        renames[hi] = table.variables[name].obj
    for old in renames:
        table.variables.pop(old.name, None)
    return [e.xreplace(renames) for e in exprs]
