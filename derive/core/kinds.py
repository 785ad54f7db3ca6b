"""The names of the domain kinds a user may write (DESIGN.md, Domains).

Kept apart from :mod:`derive.core.domains` so that the command line can name
them without loading the algebra.
"""
from __future__ import annotations

from enum import Enum


class Kind(str, Enum):
    """Domain kinds of the contract in DESIGN.md (names are part of the CLI)."""

    REAL = "real"
    POSITIVE = "positive"
    PROB = "prob"
    BINARY = "binary"
    NATURAL = "natural"
    LABEL = "label"
    SIMPLEX = "simplex"
    ONEHOT = "onehot"


#: Every kind a user may write, in the order messages and help list them.
KIND_NAMES: tuple[str, ...] = tuple(
    name for k in Kind for name in ((k.value, k.value + "+") if k is Kind.SIMPLEX else (k.value,)))
