"""Symbols of a derivation: their roles, domains, indices, and definitions.

A :class:`Context` is the single source of truth for what a symbol means. It
hands out the sympy objects (with assumptions from the domain), answers
interval queries for the positivity oracle, and unfolds definitions.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property

import sympy as sp

from .domains import Domain
from ..checks.intervals import Interval


class Role(str, Enum):
    """What part a symbol plays; the optimiser relations depend on it."""

    DATA = "data"              # observed labels: fixed while optimising
    PREDICTION = "prediction"  # model outputs: functions of the parameters
    SIZE = "size"              # N, C: positive integers
    INDEX = "index"            # i, k: bound by sums and products
    CONSTANT = "constant"      # fixed numbers: sigma, epsilon
    DEFINED = "defined"        # a name for an expression (likelihood, H(p, q))


@dataclass(frozen=True)
class SymbolSpec:
    """One symbol of a derivation.

    ``indices`` name the index symbols an array symbol takes, in order.
    ``style`` says how indices print: ``"sub"`` gives ``y_{i,k}``; ``"seed"``
    gives the seeds' ``\\hat{p}_i^{(k)}`` (first index below, second above);
    ``"param"`` names the parameters too, ``\\hat{y}_{\\theta, i}`` (seed 003).
    For an index symbol, ``lower``/``upper`` are its range; for a size, the
    smallest and largest values the numeric sampler draws. A defined symbol
    prints through ``template``, with ``{0}``, ``{1}`` for its indices.
    """

    name: str
    latex: str
    role: Role
    domain: Domain | None = None
    indices: tuple[str, ...] = ()
    style: str = "sub"
    lower: int | str = 1
    upper: int | str = 4
    template: str = ""
    description: str = ""

    def to_json(self) -> dict:
        """The symbol as a certificate records it."""
        data: dict[str, object] = {
            "name": self.name,
            "latex": self.latex,
            "role": self.role.value,
            "domain": self.domain.name if self.domain else None,
            "indices": list(self.indices),
            "style": self.style,
            "description": self.description,
        }
        if self.role in (Role.INDEX, Role.SIZE):
            data["range"] = [self.lower, self.upper]
        if self.template:
            data["template"] = self.template
        return data

    @classmethod
    def from_json(cls, data: dict) -> "SymbolSpec":
        """Read a symbol written by :meth:`to_json`; ``ValueError`` on anything else."""
        if not isinstance(data, dict):
            raise ValueError("a symbol must be a JSON object")

        def text(key: str, default: str | None = None) -> str:
            value = data.get(key, default)
            if not isinstance(value, str):
                raise ValueError(f"symbol field {key!r} must be a string")
            return value

        domain = data.get("domain")
        if domain is not None and not isinstance(domain, str):
            raise ValueError("symbol field 'domain' must be a string or null")
        bounds = data.get("range", [1, 4])
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, str) or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds)):
            raise ValueError("symbol field 'range' must be two integers or size names")
        indices = data.get("indices", [])
        if not isinstance(indices, list) or not all(isinstance(i, str) for i in indices):
            raise ValueError("symbol field 'indices' must be a list of names")
        return cls(
            name=text("name"),
            latex=text("latex"),
            role=Role(text("role")),
            domain=Domain.parse(domain) if domain else None,
            indices=tuple(indices),
            style=text("style", "sub"),
            lower=bounds[0],
            upper=bounds[1],
            template=text("template", ""),
            description=text("description", ""),
        )


@dataclass(frozen=True)
class Definition:
    """``lhs[params] := rhs``: a model assumption or a named quantity.

    ``kind`` is ``"model"`` for an assumption about the data (i.i.d. samples,
    the categorical pmf) and ``"quantity"`` for a name (the cross-entropy).
    """

    name: str
    symbol: str
    params: tuple[str, ...]
    rhs: sp.Expr
    kind: str = "quantity"
    statement: str = ""


@dataclass(frozen=True)
class Context:
    """The symbols and definitions of one derivation."""

    symbols: tuple[SymbolSpec, ...]
    definitions: tuple[Definition, ...] = ()
    parameter_latex: str = r"\theta"

    @cached_property
    def by_name(self) -> dict[str, SymbolSpec]:
        return {s.name: s for s in self.symbols}

    def spec(self, name: str) -> SymbolSpec:
        """The symbol named ``name``; :class:`KeyError` naming it when there is none."""
        try:
            return self.by_name[name]
        except KeyError:
            raise KeyError(f"no symbol named {name!r} in this context") from None

    @cached_property
    def objects(self) -> dict[str, sp.Basic]:
        """Sympy object per symbol name: a Symbol or an IndexedBase."""
        made: dict[str, sp.Basic] = {}
        for s in self.symbols:
            made[s.name] = _make_object(s)
        return made

    def __getitem__(self, name: str) -> sp.Basic:
        return self.objects[name]

    def size_of(self, index_name: str) -> sp.Expr:
        """The upper bound of index ``index_name`` (a size symbol or a number)."""
        spec = self.spec(index_name)
        upper = spec.upper
        return self.objects[upper] if isinstance(upper, str) else sp.Integer(upper)

    def limits(self, index_name: str) -> tuple[sp.Symbol, sp.Expr, sp.Expr]:
        """``(index, lower, upper)`` for a sum or product over ``index_name``."""
        spec = self.spec(index_name)
        lower = self.objects[spec.lower] if isinstance(spec.lower, str) else sp.Integer(spec.lower)
        return (self.objects[index_name], lower, self.size_of(index_name))

    def spec_of(self, expr: sp.Basic) -> SymbolSpec | None:
        """The spec of a symbol, an IndexedBase, or an element of one."""
        if isinstance(expr, sp.Indexed):
            expr = expr.base
        if isinstance(expr, sp.IndexedBase):
            expr = expr.label
        if isinstance(expr, sp.Symbol):
            return self.by_name.get(expr.name)
        return None

    def interval(self, expr: sp.Basic) -> Interval | None:
        """Lookup for the positivity oracle."""
        if not isinstance(expr, (sp.Symbol, sp.Indexed)):
            return None
        spec = self.spec_of(expr)
        if spec is None:
            return None
        if spec.role is Role.SIZE:
            return Interval(1, float("inf"))
        if spec.role is Role.INDEX:
            lower = spec.lower if isinstance(spec.lower, int) else 1
            return Interval(lower, float("inf"))
        if spec.domain is not None:
            return spec.domain.interval()
        return None

    @cached_property
    def parameter_names(self) -> frozenset[str]:
        """Symbols that depend on the optimised parameters."""
        return frozenset(s.name for s in self.symbols if s.role is Role.PREDICTION)

    def depends_on_parameters(self, expr: sp.Basic) -> bool:
        """True if ``expr`` may depend on the parameters.

        It does when it mentions a prediction, directly or through a
        definition, or an opaque defined symbol (one without a definition),
        which could hide anything.
        """
        unfolded = self.unfold(expr)
        for atom in unfolded.atoms(sp.Symbol):
            if atom.name in self.parameter_names:
                return True
            spec = self.by_name.get(atom.name)
            if spec is not None and spec.role is Role.DEFINED and atom.name not in self.definitions_by_symbol:
                return True
        return False

    @cached_property
    def definitions_by_symbol(self) -> dict[str, Definition]:
        return {d.symbol: d for d in self.definitions}

    @cached_property
    def definitions_by_name(self) -> dict[str, Definition]:
        return {d.name: d for d in self.definitions}

    def head(self, definition: Definition) -> sp.Basic:
        """The defined symbol as it stands on the left of ``:=`` (``H[i]``, ``L``)."""
        symbol = self.objects[definition.symbol]
        return symbol[tuple(self.objects[p] for p in definition.params)] if definition.params else symbol

    def unfold(self, expr: sp.Basic, only: str | None = None, max_depth: int = 8) -> sp.Basic:
        """Replace every defined symbol by its definition (all, or only ``only``)."""
        for _ in range(max_depth):
            expr, changed = self.unfold_once(expr, only)
            if not changed:
                return expr
        raise ValueError("definitions nest too deeply (a definition refers to itself?)")

    def unfold_once(self, expr: sp.Basic, only: str | None = None) -> tuple[sp.Basic, bool]:
        """One pass of :meth:`unfold`; also says whether anything changed."""
        changed = False

        def replace(node: sp.Basic) -> sp.Basic | None:
            nonlocal changed
            spec = self.spec_of(node)
            if spec is None or spec.role is not Role.DEFINED:
                return None
            if only is not None and spec.name != only:
                return None
            definition = self.definitions_by_symbol.get(spec.name)
            if definition is None:
                return None
            if isinstance(node, sp.Indexed):
                params = [self.objects[p] for p in definition.params]
                changed = True
                return definition.rhs.xreplace(dict(zip(params, node.indices)))
            if isinstance(node, sp.Symbol) and not definition.params:
                changed = True
                return definition.rhs
            return None

        return _replace_bottom_up(expr, replace), changed

    def with_sizes(self, **fixed: int) -> dict[str, tuple[int, int]]:
        """Sampling ranges of every size symbol, with some fixed."""
        ranges = {}
        for s in self.symbols:
            if s.role is Role.SIZE:
                lo, hi = int(s.lower), int(s.upper)
                ranges[s.name] = (fixed[s.name], fixed[s.name]) if s.name in fixed else (lo, hi)
        return ranges


def _make_object(spec: SymbolSpec) -> sp.Basic:
    if spec.role is Role.SIZE:
        return sp.Symbol(spec.name, integer=True, positive=True)
    if spec.role is Role.INDEX:
        # An index from 0 is nonnegative, not positive: assumptions must not
        # claim more than the range gives (sympy rewrites with them).
        if isinstance(spec.lower, int) and spec.lower < 1:
            return sp.Symbol(spec.name, integer=True, nonnegative=spec.lower == 0 or None)
        return sp.Symbol(spec.name, integer=True, positive=True)
    assumptions = spec.domain.assumptions() if spec.domain else {"real": True}
    if spec.indices:
        return sp.IndexedBase(spec.name, **assumptions)
    return sp.Symbol(spec.name, **assumptions)


def _replace_bottom_up(expr: sp.Basic, fn) -> sp.Basic:
    """Rebuild ``expr`` bottom-up, replacing nodes where ``fn`` returns non-None."""
    if isinstance(expr, sp.Indexed) or not expr.args:
        out = fn(expr)
        return expr if out is None else out
    args = [_replace_bottom_up(a, fn) for a in expr.args]
    if any(a is not b for a, b in zip(args, expr.args)):
        expr = expr.func(*args)
    out = fn(expr)
    return expr if out is None else out
