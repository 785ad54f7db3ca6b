"""Small contexts for unit tests."""
from __future__ import annotations

from derive.core.context import Context, Role, SymbolSpec
from derive.core.domains import Domain


def scalar_context(**domains: str) -> Context:
    """Scalars with the given domains, plus N, C, i, k and arrays y (onehot), q (simplex+)."""
    specs = [
        SymbolSpec("N", "N", Role.SIZE, lower=1, upper=4),
        SymbolSpec("C", "C", Role.SIZE, lower=2, upper=4),
        SymbolSpec("i", "i", Role.INDEX, upper="N"),
        SymbolSpec("k", "k", Role.INDEX, upper="C"),
        SymbolSpec("y", "y", Role.DATA, Domain.parse("onehot"), ("i", "k")),
        SymbolSpec("q", r"\hat{y}", Role.PREDICTION, Domain.parse("simplex+"), ("i", "k")),
        SymbolSpec("b", "b", Role.DATA, Domain.parse("binary"), ("i",)),
        SymbolSpec("r", "r", Role.PREDICTION, Domain.parse("prob"), ("i",)),
    ]
    for name, domain in domains.items():
        specs.append(SymbolSpec(name, name, Role.PREDICTION, Domain.parse(domain)))
    return Context(tuple(specs))
