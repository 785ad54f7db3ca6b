"""Which rows of a file have one length: a sum without bounds runs over the whole row it
indexes, and one row has one length in every line of the file.

The reader names the range of a sum without bounds after the first row it indexes
(``\\sum_k y_k \\log a_k`` runs to ``|a:0|``), one formula set at a time, so two chains
may give one row two names (``|a:0|`` in one, ``|y:0|`` in another), and a definition
``a_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}`` (a row as long as z's) names its own sum after
z. Drawn independently, such sizes make a right step fail. Here rows are joined across
the whole file:

- the rows a sum without bounds indexes by its variable, in any line;
- the row a definition ``a_j = ...`` defines and each row its value reads at exactly
  that free index (``z_j``; a row also read at ``j + 1`` is not joined);

and every joined group's ranges get one name (or the one explicit range ``1..K`` some
sum gives a row of the group).
"""
from __future__ import annotations

import sympy as sp

from ..parsing.ranges import Ranges

Dim = tuple[str, int]   # (array name, index position)


def is_row_size(name: str) -> bool:
    """Whether ``name`` is the length of a row read by a sum without bounds (``|z:0|``)."""
    return name.startswith("|") and name.endswith("|") and ":" in name


def _dim_of(name: str) -> Dim:
    key, position = name[1:-1].rsplit(":", 1)
    return key, int(position)


class _Joined:
    """A union-find over dimensions."""

    def __init__(self) -> None:
        self.parent: dict[Dim, Dim] = {}

    def find(self, x: Dim) -> Dim:
        while self.parent.setdefault(x, x) != x:
            x = self.parent[x]
        return x

    def join(self, a: Dim, b: Dim) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _join_sums(expr: sp.Expr, joined: _Joined) -> None:
    """Rows a sum without bounds indexes by its variable, with the row its range is named after."""
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, (sp.Sum, sp.Product)):
            continue
        for var, _, hi in node.limits:
            if not (isinstance(hi, sp.Symbol) and is_row_size(hi.name)):
                continue
            own = _dim_of(hi.name)
            for el in node.function.atoms(sp.Indexed):
                for d, index in enumerate(el.indices):
                    if index == var:
                        joined.join(own, (el.base.label.name, d))


def _join_definition(target: sp.Basic, value: sp.Expr, joined: _Joined) -> None:
    """``a_j = ... z_j ...``: a is a row as long as z (when z is read at j only, outside sums)."""
    if not isinstance(target, sp.Indexed) or value is None:
        return
    bound = {lim[0] for n in sp.preorder_traversal(value) if isinstance(n, (sp.Sum, sp.Product))
             for lim in n.limits}
    reads: dict[Dim, set] = {}
    for el in value.atoms(sp.Indexed):
        if el.base == target.base:
            continue
        for d, index in enumerate(el.indices):
            if not (index.free_symbols & bound):
                reads.setdefault((el.base.label.name, d), set()).add(index)
    for position, index in enumerate(target.indices):
        if not isinstance(index, sp.Symbol):
            continue
        for dim, seen in reads.items():
            if seen == {index}:
                joined.join((target.base.label.name, position), dim)


def same_rows(exprs: list[sp.Expr], definitions: list[tuple[sp.Basic, sp.Expr]],
              sizes: dict[str, sp.Symbol]) -> dict[sp.Symbol, sp.Symbol]:
    """The renaming that gives each group of joined rows one length: every row size of
    ``sizes`` (name -> symbol, those of the file) goes to the group's explicit range
    ``1..K`` when the file gives exactly one, else to the group's first row size by name."""
    joined = _Joined()
    for expr in exprs:
        _join_sums(expr, joined)
    for target, value in definitions:
        _join_definition(target, value, joined)
    groups: dict[Dim, list[str]] = {}
    for name in sizes:
        if is_row_size(name):
            groups.setdefault(joined.find(_dim_of(name)), []).append(name)
    members: dict[Dim, list[Dim]] = {}
    for dim in list(joined.parent):
        members.setdefault(joined.find(dim), []).append(dim)
    ranges = Ranges.of(exprs)
    hidden = {sizes[n] for n in sizes if is_row_size(n)}
    out: dict[sp.Symbol, sp.Symbol] = {}
    for root, names in groups.items():
        spans = {span for dim in members.get(root, [root]) for span in ranges.dims.get(dim, [])
                 if (dim in ranges.summed) and span[0] != span[1] and span[1] not in hidden}
        explicit = next(iter(spans)) if len(spans) == 1 else None
        if explicit is not None and explicit[0] == 1 and isinstance(explicit[1], sp.Symbol):
            goal = explicit[1]
        else:
            goal = sizes[min(names)]
        for name in names:
            if sizes[name] != goal:
                out[sizes[name]] = goal
    return out
