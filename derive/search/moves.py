"""The moves the search may try: registered rules, bound to their parameters.

A *move* is a factory ``Context -> list[(rule name, params)]``: the rule
instances that make sense in one derivation (``unfold`` once per model
definition, ``normalise`` once per sample size, ...). The search tries every
move at every line; the checks, not the moves, decide whether a step holds.

Add your own rule in two steps: register it with :func:`derive.core.rules.register`
(a :class:`~derive.core.rules.Rule` subclass with its relation, side condition,
justification and placement), then make the search try it with
:func:`register_move`::

    register_move("my-rule")                      # the rule with no parameters
    register_move("my-rule", lambda ctx: [{"size": "N"}])   # once per parameter set
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from ..core import rules_information  # noqa: F401  (registers the rules it holds)
from ..core import rules_models  # noqa: F401
from ..core.context import Context, Role
from ..core.rules import RULES

ParamsFor = Callable[[Context], list[dict]]
When = Callable[[sp.Basic, Context], bool]
#: rule name -> the parameter sets to try in a context
MOVES: dict[str, ParamsFor] = {}
#: rule name -> on which lines it is worth trying (every line when absent)
WHEN: dict[str, When] = {}


def register_move(rule_name: str, params_for: ParamsFor | None = None, when: When | None = None) -> None:
    """Make the search try the registered rule ``rule_name`` (with each parameter set
    ``params_for(context)`` gives; once without parameters by default), on every line
    or only on the lines where ``when(line, context)`` holds."""
    if rule_name not in RULES:
        raise KeyError(f"no rule named {rule_name!r} is registered; register it first "
                       "with derive.core.rules.register")
    if rule_name in MOVES:
        raise ValueError(f"the search already tries {rule_name!r}")
    MOVES[rule_name] = params_for or (lambda ctx: [{}])
    if when is not None:
        WHEN[rule_name] = when


def unregister_move(rule_name: str) -> None:
    """Stop the search trying ``rule_name`` (for tests and experiments)."""
    MOVES.pop(rule_name, None)
    WHEN.pop(rule_name, None)


def moves_for(ctx: Context) -> list[tuple[str, dict]]:
    """Every (rule name, params) the search tries in ``ctx``, in registration order."""
    return [(name, params) for name, params_for in MOVES.items() for params in params_for(ctx)]


def worth_trying(rule_name: str, line: sp.Basic, ctx: Context) -> bool:
    """Whether the search tries ``rule_name`` on ``line`` (its ``when``, if any)."""
    when = WHEN.get(rule_name)
    return when is None or when(line, ctx)


def unfolded_and_logs_split(line: sp.Basic, ctx: Context) -> bool:
    """No product, no folded model symbol and no log of a compound is left: the line
    is a sum of plain terms, where a named quantity can be recognised."""
    from .cost import structure_left

    return not structure_left(line, ctx)


def _definitions(kind: str) -> ParamsFor:
    return lambda ctx: [{"definition": d.name} for d in ctx.definitions if d.kind == kind]


def _sample_sizes(ctx: Context) -> list[dict]:
    return [{"size": s.name} for s in ctx.symbols if s.role is Role.SIZE][:1]


for _name, _params, _when in (
    ("unfold", _definitions("model"), None),
    ("indicator-to-exponent", None, None),
    ("take-log", None, None),
    ("log-of-product", None, None),
    ("log-of-mul", None, None),
    ("log-of-power", None, None),
    ("negate", None, None),
    ("sign-into-sum", None, None),
    ("split-sum", None, None),
    ("drop-constant", None, None),
    ("drop-factor", None, None),
    ("recognise", _definitions("quantity"), unfolded_and_logs_split),
    ("exchange-sums", None, None),
    ("constant-out-of-sum", None, None),
    ("recognise-scaled", _definitions("quantity"), unfolded_and_logs_split),
    ("normalise", _sample_sizes, None),
):
    register_move(_name, _params, _when)
