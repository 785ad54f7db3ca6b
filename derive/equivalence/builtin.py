"""Compare a formula with a built-in result: ``derive check '<latex>' categorical-cross-entropy``.

The built-in's final line is mapped onto the user's names: arrays by name when
the user wrote the built-in's own symbol, otherwise by shape (number of
indices) and role (a hatted symbol is a prediction, a plain one data), and
sizes by the ranges the mapped indices take in the user's sums. When that does
not pin every symbol down, the answer is a message saying what is missing,
never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .. import catalogue
from ..core.context import Role
from ..core.derivation import Derivation
from ..core.relations import Relation
from ..core.suggest import did_you_mean
from ..parsing import Parsed, ParseError, read_formulas
from ..parsing.ranges import Ranges

PREDICTION_MARKS = (r"\hat{", r"\widehat{", r"\tilde{", r"\widetilde{")


class MappingError(ParseError):
    """The user's formula does not make the built-in's symbols clear."""


#: A name such as categorical-cross-entropy: words joined by hyphens, never a formula.
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def is_builtin(name: str) -> bool:
    """A built-in name (or something written like one, which gets a clear message)."""
    return name in catalogue.all_names() or bool(NAME.match(name.strip()))


@dataclass
class Target:
    parsed: Parsed          # [user formula, the built-in mapped onto it], sharing one table
    mapping: dict[str, str]  # built-in symbol -> user's name
    description: str


def final_line(name: str) -> tuple[Derivation, sp.Expr]:
    """The built-in's result: its last line, or the loss before a gradient when it ends in one."""
    if name in catalogue.refutation_names():
        raise MappingError(f"{name} is a refutation (a claim shown false), not a formula to compare with")
    if name not in catalogue.names():
        hint = did_you_mean(name, catalogue.names() + catalogue.refutation_names())
        raise MappingError(f"no built-in derivation named {name!r}{hint}; `derive list` shows them")
    derivation = catalogue.get(name)
    if not derivation.steps:
        raise MappingError(f"{name} has no derived formula")
    gradients = [s for s in derivation.steps if s.relation is Relation.DERIVATIVE]
    result = gradients[0].before if gradients else derivation.lines[-1]
    return derivation, derivation.context.unfold(result)


def against_builtin(a: str, name: str, domains: dict[str, str] | None) -> Target:
    """The user's formula and the built-in ``name``'s final line, in the user's names."""
    derivation, final = final_line(name)
    ctx = derivation.context
    user = read_formulas([a], domains)
    names = _match_symbols(derivation, final, user, a)
    merged = dict(domains or {})
    for spec_name, user_name in names.items():
        spec = ctx.spec(spec_name)
        user_var = user.table.variables[user_name]
        if spec.domain is not None and user_var.key not in _keys(merged) and user_var.kind != "size":
            merged[user_var.key] = spec.domain.name
    user = read_formulas([a], merged)
    mapping = {}
    for spec_name, user_name in names.items():
        mapping[ctx[spec_name]] = user.table.variables[user_name].obj
    target = final.xreplace(mapping)
    stray = sorted(s.name for s in target.free_symbols
                   if isinstance(s, sp.Symbol) and s.name not in user.table.variables)
    if stray:
        raise MappingError(f"{name} uses {', '.join(stray)}, which the formula does not name")
    text = ", ".join(f"{ctx.spec(k).latex} -> {v}" for k, v in names.items())
    parsed = Parsed([user.exprs[0], target], user.table,
                    user.notes + [f"the built-in {name} was read in your names: {text}"])
    return Target(parsed, names, derivation.title)


def _keys(domains: dict[str, str]) -> set[str]:
    from ..parsing import domain_key
    return {domain_key(k) for k in domains}


def _match_symbols(derivation: Derivation, final: sp.Expr, user: Parsed, text: str) -> dict[str, str]:
    ctx = derivation.context
    used = {s.name for s in final.free_symbols} | {b.label.name for b in final.atoms(sp.IndexedBase)}
    builtin = [ctx.spec(n) for n in sorted(used) if n in ctx.by_name
               and ctx.spec(n).role in (Role.DATA, Role.PREDICTION, Role.CONSTANT)]
    users = [v for v in user.table.variables.values() if v.kind in ("array", "scalar")]
    names: dict[str, str] = {}
    free_users = list(users)
    # 1. the built-in's own symbols, written as the built-in writes them
    for spec in builtin:
        same = [v for v in free_users if v.key == spec.latex and v.ndim == len(spec.indices)]
        if len(same) == 1:
            names[spec.name] = same[0].name
            free_users.remove(same[0])
    # 2. by shape and role
    for spec in builtin:
        if spec.name in names:
            continue
        predicted = spec.role is Role.PREDICTION
        fits = [v for v in free_users if v.ndim == len(spec.indices)
                and v.key.startswith(PREDICTION_MARKS) == predicted]
        rivals = [s for s in builtin if s.name not in names and len(s.indices) == len(spec.indices)
                  and (s.role is Role.PREDICTION) == predicted]
        if len(fits) != 1 or len(rivals) != 1:
            role = "a prediction (a hatted symbol)" if predicted else "data (a symbol without a hat)"
            found = ", ".join(v.name for v in fits) or "none"
            raise MappingError(
                f"cannot tell which symbol of the formula is the built-in's {spec.latex}, {role} with "
                f"{len(spec.indices)} ind{'ex' if len(spec.indices) == 1 else 'ices'} (candidates: {found}); "
                f"name it {spec.latex} as the built-in does (see `derive show {derivation.name}`)")
        names[spec.name] = fits[0].name
        free_users.remove(fits[0])
    if free_users:
        raise MappingError(f"the formula has symbols the built-in does not: "
                           f"{', '.join(v.name for v in free_users)}")
    names.update(_match_sizes(derivation, builtin, names, user, text))
    return names


def _match_sizes(derivation: Derivation, builtin, names: dict[str, str], user: Parsed, text: str) -> dict[str, str]:
    ctx = derivation.context
    ranges = Ranges.of(user.exprs)
    sizes: dict[str, str] = {}
    for spec in builtin:
        for d, index in enumerate(spec.indices):
            size = ctx.spec(index).upper
            if not isinstance(size, str):
                continue
            spans = ranges.dims.get((names[spec.name], d), [])
            his = {hi for _, hi in spans}
            if len(his) != 1 or not isinstance(next(iter(his)), sp.Symbol):
                raise MappingError(f"cannot tell which size of the formula is the built-in's "
                                   f"{ctx.spec(size).latex}: sum over the index of {names[spec.name]} "
                                   f"from 1 to a size, e.g. \\sum_{{i=1}}^{{{ctx.spec(size).latex}}}")
            hi = next(iter(his))
            if sizes.get(size, hi.name) != hi.name:
                raise MappingError(f"the built-in's {ctx.spec(size).latex} matches two sizes of the formula")
            sizes[size] = hi.name
    return sizes
