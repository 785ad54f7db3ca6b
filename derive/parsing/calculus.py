"""Derivatives as derive reads them: sympy's derivative, with three rules of reading.

- Other names are held constant (a partial derivative): ``\\frac{\\partial}{\\partial w}(b w) = b``.
- A derivative of something written without the variable (``\\frac{\\partial L}{\\partial z}``
  with no definition of L in force) is not 0: it is an unknown function of the variable,
  equal only to itself (``∂L/∂z``).
- By an element of an array (``z_j``), the term ``k = j`` of a sum over the whole range of
  that index is the one that survives: sympy's ``Sum(f(k) δ(j, k))`` is sifted to ``f(j)``,
  which is what the derivative means (z_j is an entry of the row, so j is within its range).
  The whole range is a sum without bounds, or one from 1 to a length (``C``, not ``C - 1``)
  when every sum of the body over that index runs over the same range; any other sum keeps
  its delta.

``derive check`` evaluates a derivative as soon as it is read; ``derive verify`` keeps it
pending (an unevaluated :class:`sympy.Derivative`) until the definitions in force are
unfolded into its body (see :func:`evaluate_pending`).
"""
from __future__ import annotations

from typing import Callable

import sympy as sp
from sympy.core.function import AppliedUndef

from .reader.functions import build_call

#: Most terms a derivative may have before it is refused (a bound on work and size).
MAX_TERMS = 4000


class DerivativeError(ValueError):
    """A derivative derive cannot take (the message says why)."""


def pending(body: sp.Expr, wrt: list[tuple[sp.Expr, int]]) -> sp.Expr:
    """The derivative of ``body``, not yet taken (``derive verify`` unfolds definitions first)."""
    _check_variables(body, wrt)
    return sp.Derivative(body, *[(var, n) for var, n in wrt], evaluate=False)


def derivative(body: sp.Expr, wrt: list[tuple[sp.Expr, int]]) -> sp.Expr:
    """The derivative of ``body`` by each ``(variable, order)`` of ``wrt``, in order."""
    _check_variables(body, wrt)
    out = body
    for var, n in wrt:
        for _ in range(n):
            out = _once(out, var)
    return out


def primed(func: str, arg: sp.Expr, order: int) -> sp.Expr:
    """A known function's derivative of ``order`` at ``arg`` (``\\sigma'(z)``)."""
    t = sp.Dummy("t", real=True)
    return sp.diff(build_call(func, [t]), t, order).xreplace({t: arg})


def evaluate_pending(expr: sp.Expr, prepare: Callable[[sp.Expr, tuple], sp.Expr]) -> sp.Expr:
    """``expr`` with every pending derivative taken, innermost first; ``prepare(body, variables)``
    gives the body to differentiate (definitions unfolded, but not those of the variables).
    One that cannot be taken (of a function derive does not know) stays an unknown function."""
    if not expr.has(sp.Derivative):
        return expr

    def take(node: sp.Basic) -> sp.Basic:
        if not node.args:
            return node
        args = [take(a) for a in node.args]
        if isinstance(node, sp.Derivative):
            wrt = [(v, int(n)) for v, n in node.variable_count]
            body = prepare(args[0], tuple(v for v, _ in wrt))
            try:
                return derivative(body, wrt)
            except DerivativeError:
                # a derivative of a function derive does not know stays opaque: equal only to itself
                return _unknown(body, wrt[0][0]) if len(wrt) == 1 and wrt[0][1] == 1 else _unknown(
                    body, sp.Tuple(*[v for v, _ in wrt]))
        if all(a is b for a, b in zip(args, node.args)):
            return node
        return node.func(*args)
    return take(expr)


def _check_variables(body: sp.Expr, wrt: list[tuple[sp.Expr, int]]) -> None:
    for var, _ in wrt:
        if not isinstance(var, (sp.Symbol, sp.Indexed)):
            raise DerivativeError(f"a derivative is taken with respect to a variable or an element, not {var}")
        bound = {l[0] for node in sp.preorder_traversal(body) if isinstance(node, (sp.Sum, sp.Product))
                 for l in node.limits}
        clash = bound & var.free_symbols
        if clash:
            names = ", ".join(sorted(map(str, clash)))
            raise DerivativeError(f"the derivative's variable {var} uses {names}, which a sum inside binds: "
                                  "use another letter for the sum")


def _once(body: sp.Expr, var: sp.Expr) -> sp.Expr:
    if not body.has(var) and not _reads_element_of(body, var):
        if body.is_number:
            return sp.Integer(0)
        return _unknown(body, var)
    try:
        out = sp.diff(body, var)
    except (ValueError, TypeError, NotImplementedError) as exc:
        raise DerivativeError(f"the derivative of {body} by {var} could not be taken: {exc}") from None
    if out.has(sp.Derivative) or out.has(sp.Subs):
        raise DerivativeError(f"the derivative of {body} by {var} involves a function derive does not know; "
                              "write the derivative out")
    if sp.count_ops(out, visual=False) > MAX_TERMS:
        raise DerivativeError(f"the derivative by {var} is too large to compare")
    if isinstance(var, sp.Indexed):
        out = sift(out, body, var)
    return out


def _reads_element_of(body: sp.Expr, var: sp.Expr) -> bool:
    """Whether ``body`` reads the array of the element ``var`` (at any index: z_k in a sum)."""
    return isinstance(var, sp.Indexed) and any(
        isinstance(n, sp.Indexed) and n.base == var.base for n in sp.preorder_traversal(body))


def _unknown(body: sp.Expr, var: sp.Expr) -> sp.Expr:
    """The derivative of a name with no definition in force: an unknown function of the variable."""
    name = f"∂{body}/∂{var}"
    return sp.Function(name, real=True)(*(var.args if isinstance(var, sp.Tuple) else (var,)))


def _whole_ranges(body: sp.Expr, var: sp.Indexed) -> dict[int, set]:
    """For each position of ``var``'s index, the ranges sums of ``body`` run it over."""
    out: dict[int, set] = {}
    for node in sp.preorder_traversal(body):
        if not isinstance(node, sp.Sum):
            continue
        for k, lo, hi in node.limits:
            for el in node.function.atoms(sp.Indexed):
                if el.base != var.base:
                    continue
                for d, index in enumerate(el.indices):
                    if index == k:
                        whole = isinstance(hi, sp.Symbol) and "#" in hi.name
                        out.setdefault(d, set()).add("whole" if whole else (lo, hi))
    return out


def sift(expr: sp.Expr, body: sp.Expr, var: sp.Indexed) -> sp.Expr:
    """``Sum(f(k) δ(j, k), (k, lo, hi)) -> f(j)`` where j is the index of ``var`` at a position
    that every sum of ``body`` runs over one range, lo..hi (its whole range)."""
    ranges = _whole_ranges(body, var)

    def rule(node: sp.Basic):
        if isinstance(node, sp.Sum) and len(node.limits) > 1:
            # Sum(f, (k, ..), (j, ..)) with bounds free of k and j: sift one index's sum at a
            # time (each sift removes a delta, so this ends)
            names = {l[0] for l in node.limits}
            if any((sp.sympify(lo).free_symbols | sp.sympify(hi).free_symbols) & names for _, lo, hi in node.limits):
                return None
            for n, limit in enumerate(node.limits):
                sifted = rule(sp.Sum(node.function, limit))
                if sifted is not None:
                    out = sp.Sum(sifted, *(node.limits[:n] + node.limits[n + 1:]))
                    again = rule(out)
                    return out if again is None else again
            return None
        if not isinstance(node, sp.Sum) or len(node.limits) != 1:
            return None
        k, lo, hi = node.limits[0]
        if isinstance(node.function, sp.Add):
            parts = [sp.Sum(t, (k, lo, hi)) for t in node.function.args]
            sifted = [rule(p) for p in parts]
            if all(s is None for s in sifted):
                return None
            return sp.Add(*[p if s is None else s for p, s in zip(parts, sifted)])
        factors = list(sp.Mul.make_args(node.function))
        for n, f in enumerate(factors):
            if not isinstance(f, sp.KroneckerDelta):
                continue
            a, b = f.args
            other = b if a == k else a if b == k else None
            if other is None or other == k:
                continue
            dims = [d for d, index in enumerate(var.indices) if index == other]
            whole = isinstance(hi, sp.Symbol) and "#" in hi.name
            if not whole and (lo != 1 or not isinstance(hi, sp.Symbol)):
                # a row starts at 1 and ends at its length (C): a sum from elsewhere, or up to
                # C - 1, may leave z_j out (the other side may run to C)
                continue
            if not dims or not any(ranges.get(d) in ({"whole"} if whole else {(lo, hi)},) for d in dims):
                continue
            rest = sp.Mul(*(factors[:n] + factors[n + 1:]))
            if any(isinstance(m, (sp.Sum, sp.Product)) and any(l[0] in (k, other) for l in m.limits)
                   for m in sp.preorder_traversal(rest)):
                continue
            return rest.xreplace({k: other})
        return None

    def walk(node: sp.Basic) -> sp.Basic:
        if not node.args:
            return node
        node = node.func(*[walk(a) for a in node.args])
        out = rule(node)
        return node if out is None else out
    return walk(expr)


def has_unknown_derivative(expr: sp.Expr) -> bool:
    """Whether ``expr`` holds the derivative of a name with no definition (see :func:`_unknown`)."""
    return any(isinstance(n, AppliedUndef) and str(n.func).startswith("∂") for n in sp.preorder_traversal(expr))


def _whole_range_sums(expr: sp.Expr) -> bool:
    """Whether ``expr`` holds a sum without bounds (a range named ``|z:0|`` after its row)."""
    return any(isinstance(n, sp.Sum) and any(isinstance(hi, sp.Symbol) and hi.name.startswith("|")
                                             for _, _, hi in n.limits) for n in sp.preorder_traversal(expr))
