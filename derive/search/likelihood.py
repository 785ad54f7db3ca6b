"""A likelihood written in LaTeX, read into a context and a start line for the search.

The text is read as ``derive check`` reads a formula (named distributions
included). It must be a product over samples, ``\\prod_{i=1}^{N} f_i``, of a
factor that is positive under the declared domains (else its log is
undefined). The parameters are the ``--param`` names, or by default the hatted
symbols (model outputs), as ``derive verify`` takes them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from ..checks.intervals import is_positive
from ..core.context import Context, Role, SymbolSpec
from ..core.domains import Domain, Kind
from ..parsing import ParseError, Parsed, domain_key, read_formulas
from .quantities import with_quantities


ROLE_TEXT = {Role.PREDICTION: "a parameter the optimiser ranges over",
             Role.DATA: "observed data", Role.CONSTANT: "a fixed constant"}


class LikelihoodError(ValueError):
    """The text cannot be used as a likelihood (bad input)."""


@dataclass(frozen=True)
class Likelihood:
    """The context of a likelihood, its product (line 0), the target if any, and reading notes."""

    context: Context
    start: sp.Expr
    target: sp.Expr | None
    notes: tuple[str, ...]
    params: tuple[str, ...]
    lhs: str = r"\hat{\theta}"


def _safe_name(key: str, taken: set[str]) -> str:
    """A plain sympy name for a symbol written ``key`` (``\\hat{y}`` -> ``haty``)."""
    base = re.sub(r"[^A-Za-z0-9]", "", key) or "s"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def _bound(expr: sp.Basic) -> list[tuple[sp.Symbol, sp.Expr, sp.Expr]]:
    """Every (index, lower, upper) a sum or product of ``expr`` binds, outermost first."""
    found: list = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Sum, sp.Product)):
            for limit in reversed(node.limits):
                if limit[0] not in [f[0] for f in found]:
                    found.append(tuple(limit))
    return found


def read_likelihood(text: str, domains: dict[str, str] | None = None, params: list[str] | None = None,
                    to: str | None = None) -> Likelihood:
    """Read ``text`` (and the target ``to``, LaTeX sharing its symbols or a built-in name
    whose final line is read in its names) into a :class:`Likelihood`;
    :class:`LikelihoodError` or :class:`~derive.parsing.ParseError` on bad input."""
    from ..equivalence.builtin import against_builtin, is_builtin

    if isinstance(params, str):
        params = [params]  # one name, not its letters

    if to is not None and is_builtin(to):
        # the built-in's final line, read in the likelihood's names (its domains taken too)
        parsed: Parsed = against_builtin(text, to, domains or {}).parsed
    else:
        parsed = read_formulas([text] + ([to] if to is not None else []), domains or {})
    start = parsed.exprs[0]
    if not isinstance(start, sp.Product):
        raise LikelihoodError("the likelihood must be a product over the samples, such as "
                              r"\prod_{i=1}^{N} \lambda e^{-\lambda x_i}; this reads as "
                              f"{sp.sstr(start)}")
    variables = {v.key: v for v in parsed.table.variables.values()}
    keys = [domain_key(p) for p in (params or [])]
    for key in keys:
        if key not in variables or variables[key].kind == "size":
            raise LikelihoodError(f"the parameter {key} does not occur in the likelihood")
    if not keys:
        keys = [k for k in variables if k.startswith(r"\hat")]
    if not keys:
        raise LikelihoodError("no parameter is named: give the symbols the optimiser ranges over with "
                              "--param (hatted symbols are taken as model outputs by default)")
    taken: set[str] = set()
    names = {v.name: _safe_name(v.key, taken) for v in parsed.table.variables.values()}
    specs: list[SymbolSpec] = []
    swap: dict[sp.Basic, sp.Basic] = {}
    # the size of the outermost product (the samples) comes first: the mean is taken over it
    outer = start.limits[-1][2]
    for v in sorted(parsed.table.variables.values(), key=lambda v: v.obj != outer):
        if v.kind == "size":
            specs.append(SymbolSpec(names[v.name], v.key, Role.SIZE, lower=1, upper=4,
                                    description="number of samples" if v.obj == outer else "number of terms"))
    size_of = {v.obj: names[v.name] for v in parsed.table.variables.values() if v.kind == "size"}
    index_names: dict[sp.Symbol, str] = {}
    for expr in parsed.exprs:
        for var, lo, hi in _bound(expr):
            if var in index_names:
                continue
            same = next((v for v in index_names if v.name == var.name), None)
            if same is not None:  # one index written in both texts (a built-in's i and yours)
                index_names[var] = index_names[same]
                continue
            if hi not in size_of or not (lo.is_Integer and 0 <= int(lo) <= 1):
                raise LikelihoodError(f"the range of {var} must run from 0 or 1 to a size such as N, "
                                      f"not {lo}..{hi}")
            index_names[var] = _safe_name(str(var), taken)
            specs.append(SymbolSpec(index_names[var], str(var), Role.INDEX, lower=int(lo),
                                    upper=size_of[hi], description="index of the product"))
    for v in parsed.table.variables.values():
        if v.kind == "size":
            continue
        if v.kind == "label":
            raise LikelihoodError(f"{v.key} is a class label used as an index; write the likelihood "
                                  "with one-hot labels or an indicator instead")
        indices: tuple[str, ...] = ()
        if v.ndim:
            for expr in parsed.exprs:
                for el in expr.atoms(sp.Indexed):
                    if el.base == v.obj and all(i in index_names for i in el.indices):
                        indices = tuple(index_names[i] for i in el.indices)
            if len(indices) != v.ndim:
                raise LikelihoodError(f"{v.key} must be indexed by the indices of the products")
        role = Role.PREDICTION if v.key in keys else (Role.DATA if v.ndim else Role.CONSTANT)
        domain = v.domain if v.domain.kind is not Kind.LABEL else Domain(Kind.REAL)
        specs.append(SymbolSpec(names[v.name], v.key, role, domain, indices,
                                description=ROLE_TEXT[role]))
    hatted = all(k.startswith(r"\hat") for k in keys)
    ctx = with_quantities(Context(tuple(specs), parameter_latex=r"\theta" if hatted else ", ".join(keys)))
    for v in parsed.table.variables.values():
        swap[v.obj] = ctx[names[v.name]]
    for var, name in index_names.items():
        swap[var] = ctx[name]
    exprs = [e.xreplace(swap) for e in parsed.exprs]
    start = exprs[0]
    if not is_positive(start.function, ctx.interval):
        raise LikelihoodError(
            "the log of the likelihood is undefined: its factor is not positive on the declared "
            "domains; declare them, e.g. --domain '\\hat{y}=prob' or --domain '\\lambda=positive'")
    if hatted:
        lhs = r"\hat{\theta}"
    elif len(keys) == 1:
        lhs = rf"\hat{{{keys[0]}}}"
    else:
        lhs = "(" + ", ".join(rf"\hat{{{k}}}" for k in keys) + ")"
    target = exprs[1] if len(exprs) > 1 else None
    if target is not None and target == start:
        raise LikelihoodError("the target is the likelihood itself: there is nothing to derive")
    return Likelihood(ctx, start, target, tuple(parsed.notes), tuple(keys), lhs)
