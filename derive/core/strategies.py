"""Where to apply a rule: a few combinators, kept apart from the rules.

A *node rule* is a function ``Expr -> Expr | None`` that rewrites one node or
says it does not apply. A *strategy* turns a node rule into a whole-tree
rewrite with the same signature (``None`` means nothing changed). This is the
shape of ``sympy.strategies``; the rules never decide where they act.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

NodeRule = Callable[[sp.Basic], "sp.Basic | None"]
Strategy = Callable[[NodeRule], NodeRule]


def _rebuild(expr: sp.Basic, args: list[sp.Basic]) -> sp.Basic:
    return expr.func(*args)


def _children(expr: sp.Basic) -> tuple[sp.Basic, ...]:
    # An element y[i, k] is one leaf: rules never rewrite inside it.
    if isinstance(expr, sp.Indexed):
        return ()
    return expr.args


def at_root(rule: NodeRule) -> NodeRule:
    """Apply ``rule`` to the whole expression only."""
    return rule


def everywhere(rule: NodeRule) -> NodeRule:
    """One bottom-up pass: rewrite every node where ``rule`` applies."""

    def run(expr: sp.Basic) -> sp.Basic | None:
        changed = False
        kids = _children(expr)
        if kids:
            new_args = []
            for arg in kids:
                out = run(arg)
                changed |= out is not None
                new_args.append(arg if out is None else out)
            if changed:
                expr = _rebuild(expr, new_args)
        out = rule(expr)
        if out is not None and out != expr:
            return out
        return expr if changed else None

    return run


def first(rule: NodeRule) -> NodeRule:
    """Rewrite the first node (outermost, then leftmost) where ``rule`` applies."""

    def run(expr: sp.Basic) -> sp.Basic | None:
        out = rule(expr)
        if out is not None and out != expr:
            return out
        kids = _children(expr)
        for n, arg in enumerate(kids):
            new = run(arg)
            if new is not None:
                args = list(kids)
                args[n] = new
                return _rebuild(expr, args)
        return None

    return run


def exhaust(strategy_rule: NodeRule, limit: int = 50) -> NodeRule:
    """Repeat a whole-tree rewrite until nothing changes (at most ``limit`` times)."""

    def run(expr: sp.Basic) -> sp.Basic | None:
        changed = False
        for _ in range(limit):
            out = strategy_rule(expr)
            if out is None or out == expr:
                return expr if changed else None
            expr, changed = out, True
        raise RuntimeError("rewrite did not reach a fixed point")

    return run


def chain(*rules: NodeRule) -> NodeRule:
    """Apply each rewrite in turn; ``None`` only if none changed anything."""

    def run(expr: sp.Basic) -> sp.Basic | None:
        changed = False
        for rule in rules:
            out = rule(expr)
            if out is not None:
                expr, changed = out, True
        return expr if changed else None

    return run


PLACEMENTS: dict[str, Strategy] = {
    "root": at_root,
    "everywhere": everywhere,
    "first": first,
    "exhaust": lambda rule: exhaust(everywhere(rule)),
}
