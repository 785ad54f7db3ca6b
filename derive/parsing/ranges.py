"""Where the indices of a formula range: read off its sums, for sampling and proofs.

Used by the reader (whole ranges written without bounds), the point sampler
(rows and labels) and the symbolic check (declared index ranges).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


@dataclass
class Ranges:
    """Where each array dimension and each label ranges, read off the sums.

    A dimension ranges over what its indices take: a summed index over the
    sum's range, shifted by a constant (``a_{i+1}``), or a constant (``t_1``).
    A label ranges over the index it is compared with (``[y = k]``); failing
    that, over the dimensions it selects (``\\pi_y``).
    """

    dims: dict[tuple[str, int], list[tuple[sp.Expr, sp.Expr]]] = field(default_factory=dict)
    #: dimensions some sum runs over (the others are only read at single places: p_K, y_1)
    summed: set[tuple[str, int]] = field(default_factory=set)
    labels: dict[str, list[tuple[sp.Expr, sp.Expr]]] = field(default_factory=dict)

    @classmethod
    def of(cls, exprs: list[sp.Expr]) -> "Ranges":
        out = cls()
        for expr in exprs:
            out._walk(expr, {})
        selected: dict[str, list] = {}
        for expr in exprs:
            for node in sp.preorder_traversal(expr):
                if isinstance(node, sp.Indexed):
                    for d, index in enumerate(node.indices):
                        name = _label_name(index)
                        if name is not None:
                            selected.setdefault(name, []).extend(out.dims.get((node.base.label.name, d), []))
        for name, spans in selected.items():
            if name not in out.labels:
                out.labels[name] = spans
        return out

    def with_rows(self, other: "Ranges", names: set[str]) -> "Ranges":
        """These ranges, with the ranges ``other``'s sums give the rows of ``names`` that these
        read (a one-hot y summed to C in another line of the file is a row of C entries here too,
        even where this step sums it to C - 1 only)."""
        out = Ranges({k: list(v) for k, v in self.dims.items()}, set(self.summed),
                     {k: list(v) for k, v in self.labels.items()})
        for dim in other.summed:
            if dim[0] not in names or dim not in self.dims:
                continue
            for span in other.dims.get(dim, []):
                if span[0] != span[1] and span not in out.dims[dim]:
                    out.dims[dim].append(span)
                    out.summed.add(dim)
        return out

    def _walk(self, expr: sp.Basic, scope: dict) -> None:
        if isinstance(expr, (sp.Sum, sp.Product)):
            inner = dict(scope)
            for var, lo, hi in reversed(expr.limits):  # outermost first
                inner[var] = (lo, hi)
            self._walk(expr.function, inner)
            for _, lo, hi in expr.limits:
                self._walk(lo, scope)
                self._walk(hi, scope)
            return
        if isinstance(expr, sp.Indexed):
            for d, index in enumerate(expr.indices):
                span = _span_of(index, scope)
                if span is not None:
                    self.dims.setdefault((expr.base.label.name, d), []).append(span)
                    if index.free_symbols & set(scope):
                        self.summed.add((expr.base.label.name, d))
                self._walk(index, scope)
            return
        if isinstance(expr, sp.KroneckerDelta):
            a, b = expr.args[:2]
            for x, y in ((a, b), (b, a)):
                name = _label_name(x)
                if name is not None and y in scope:
                    self.labels.setdefault(name, []).append(scope[y])
        for arg in expr.args:
            self._walk(arg, scope)


def _span_of(index: sp.Expr, scope: dict):
    """The values an index takes: ``i`` or ``i + c`` over i's range, a constant, or an
    expression of free symbols (``p_K``: the value K has at the point)."""
    if index.is_Integer or (isinstance(index, sp.Expr) and not index.has(sp.Indexed)
                            and not (index.free_symbols & set(scope))):
        return index, index
    for var, (lo, hi) in scope.items():
        shift = index - var
        if shift.is_Integer:
            return lo + shift, hi + shift
    return None


def _label_name(expr: sp.Basic) -> str | None:
    if isinstance(expr, sp.Symbol) and expr.is_integer and not expr.is_positive is True:
        return expr.name
    if isinstance(expr, sp.Indexed):
        return expr.base.label.name
    return None
