"""Best-first search over rule applications, from a likelihood to a loss.

Each node is a partial derivation (the steps so far, made by
:class:`~derive.core.derivation.Builder`, so a found derivation has exactly
the records a catalogue script makes). The frontier is ordered by
``steps + cost(line)`` (:mod:`.cost`); a line already reached (with its sense)
is not expanded again, a minimisation is never turned back into a
maximisation, and a move with a ``when`` (:mod:`.moves`) is tried only on the
lines it suits. The search stops at the first line of cost 0, then recognises
the context's named quantities in it (or, with a target, at the first line
equal to the target), or when the budget runs out (``max_nodes`` lines
expanded, ``seconds``, at most ``MAX_DEPTH`` steps): then
:class:`SearchExhausted` carries the closest line reached (the one of least
cost) and, with a target, what still differs.
"""
from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field, replace

import sympy as sp

from ..checks.canonical import difference
from ..core.context import Context
from ..core.derivation import Builder, Derivation, RuleDidNotApply
from .cost import cost
from .moves import moves_for, worth_trying

MAX_NODES = 400
MAX_SECONDS = 20.0
MAX_DEPTH = 16


@dataclass
class SearchStats:
    """What the search did: nodes expanded, lines reached, seconds spent."""

    expanded: int = 0
    reached: int = 0
    seconds: float = 0.0


class SearchExhausted(Exception):
    """No finished line within the budget; ``closest`` is the best line reached."""

    def __init__(self, reason: str, closest: sp.Expr, remaining: sp.Expr | None, stats: SearchStats,
                 builder: Builder):
        super().__init__(reason)
        self.reason = reason
        self.closest = closest
        self.remaining = remaining
        self.stats = stats
        self.builder = builder


@dataclass(order=True)
class _Node:
    priority: tuple
    tie: int
    builder: Builder = field(compare=False)


def same_line(a: sp.Expr, b: sp.Expr, ctx: Context | None = None) -> bool:
    """The same line: structurally, up to expanding, or (with ``ctx``) in the checks'
    canonical form (sums split and their bodies expanded, dummy indices renamed)."""
    if a == b:
        return True
    try:
        if sp.expand(a - b) == 0:
            return True
        if ctx is None or a.free_symbols != b.free_symbols:
            return False
        return difference(a, b, ctx) == 0
    except (TypeError, ValueError, RecursionError, NotImplementedError):  # sympy refusing: not the same
        return False


def _child(node: Builder, rule: str, params: dict) -> Builder | None:
    child = Builder(node.name, node.title, node.context, node.start, node.sense, node.lhs,
                    node.summary, node.sources, list(node.steps))
    try:
        child.apply(rule, **params)
    except (RuleDidNotApply, ValueError, TypeError, KeyError, ZeroDivisionError):
        return None
    return child


def search(name: str, title: str, ctx: Context, start: sp.Expr, sense: str = "max", *,
           to: sp.Expr | None = None, lhs: str = r"\hat{\theta}", summary: str = "",
           max_nodes: int = MAX_NODES, seconds: float = MAX_SECONDS,
           stats: SearchStats | None = None) -> Derivation:
    """A derivation from ``start`` to a finished loss (or to ``to``), found best-first.

    Raises :class:`SearchExhausted` when the budget (``max_nodes`` expansions,
    ``seconds``) runs out first."""
    stats = stats if stats is not None else SearchStats()
    began = time.monotonic()
    moves = moves_for(ctx)
    root = Builder(name, title, ctx, start, sense, lhs, summary)
    counter = itertools.count()

    def score(b: Builder) -> int:
        line = b.line(len(b.steps))
        h = cost(line, b.sense_of(len(b.steps)), ctx)
        return h

    def done(b: Builder) -> bool:
        line = b.line(len(b.steps))
        if to is not None:
            return same_line(line, to, ctx)
        return score(b) == 0

    frontier = [_Node((score(root), 0), next(counter), root)]
    seen = {(start, sense)}
    best = root
    best_key = (score(root), 0)
    try:
        while frontier:
            if stats.expanded >= max_nodes:
                raise _Stop(f"the search expanded {max_nodes} lines without finishing")
            if time.monotonic() - began > seconds:
                raise _Stop(f"the search ran out of time ({seconds:g} s)")
            node = heapq.heappop(frontier).builder
            if done(node):
                if to is None:
                    node = _recognise_quantities(node)
                stats.seconds = time.monotonic() - began
                return _without_unused_quantities(node.build())
            stats.expanded += 1
            if len(node.steps) >= MAX_DEPTH:
                continue
            line = node.line(len(node.steps))
            for rule, params in moves:
                if not worth_trying(rule, line, ctx):
                    continue
                child = _child(node, rule, params)
                if child is None:
                    continue
                n = len(child.steps)
                if node.sense_of(n - 1) == "min" and child.sense_of(n) == "max":
                    continue  # a derivation to a loss never turns a minimisation back
                key = (child.line(n), child.sense_of(n))
                if key in seen:
                    continue
                seen.add(key)
                stats.reached += 1
                h = score(child)
                if (h, n) < best_key:
                    best, best_key = child, (h, n)
                heapq.heappush(frontier, _Node((h + n, n), next(counter), child))
        raise _Stop("no rule applies any more and no line is a finished loss")
    except _Stop as stop:
        stats.seconds = time.monotonic() - began
        closest = best.line(len(best.steps))
        remaining = None
        if to is not None:
            try:
                remaining = sp.expand(closest - to)
            except (TypeError, ValueError, RecursionError):  # pragma: no cover
                remaining = None
        raise SearchExhausted(str(stop), closest, remaining, stats, best) from None


def _recognise_quantities(node: Builder) -> Builder:
    """The finished loss with every named quantity of the context recognised in it (one
    step each, checked like any other); the line unchanged where none occurs."""
    for definition in node.context.definitions:
        if definition.kind != "quantity":
            continue
        child = _child(node, "recognise", {"definition": definition.name})
        if child is not None:
            node = child
    return node


def _without_unused_quantities(d: Derivation) -> Derivation:
    """``d`` without the named quantities (and their symbols) that none of its lines uses."""
    ctx = d.context
    used = {s.name for line in d.lines for s in line.free_symbols if isinstance(s, sp.Symbol)}
    used |= {b.label.name for line in d.lines for b in line.atoms(sp.IndexedBase)}
    unused = {q.symbol for q in ctx.definitions if q.kind == "quantity" and q.symbol not in used}
    if not unused:
        return d
    kept = Context(tuple(s for s in ctx.symbols if s.name not in unused),
                   tuple(q for q in ctx.definitions if q.symbol not in unused), ctx.parameter_latex)
    return replace(d, context=kept)


class _Stop(Exception):
    pass
