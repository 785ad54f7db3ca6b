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

from ..core import rules_information  # noqa: F401  (registers the rules it holds)
from ..core import rules_models  # noqa: F401
from ..core.context import Context, Role
from ..core.rules import RULES

ParamsFor = Callable[[Context], list[dict]]
#: rule name -> the parameter sets to try in a context
MOVES: dict[str, ParamsFor] = {}


def register_move(rule_name: str, params_for: ParamsFor | None = None) -> None:
    """Make the search try the registered rule ``rule_name`` (with each parameter set
    ``params_for(context)`` gives; once without parameters by default)."""
    if rule_name not in RULES:
        raise KeyError(f"no rule named {rule_name!r} is registered; register it first "
                       "with derive.core.rules.register")
    if rule_name in MOVES:
        raise ValueError(f"the search already tries {rule_name!r}")
    MOVES[rule_name] = params_for or (lambda ctx: [{}])


def unregister_move(rule_name: str) -> None:
    """Stop the search trying ``rule_name`` (for tests and experiments)."""
    MOVES.pop(rule_name, None)


def moves_for(ctx: Context) -> list[tuple[str, dict]]:
    """Every (rule name, params) the search tries in ``ctx``, in registration order."""
    return [(name, params) for name, params_for in MOVES.items() for params in params_for(ctx)]


def _definitions(kind: str) -> ParamsFor:
    return lambda ctx: [{"definition": d.name} for d in ctx.definitions if d.kind == kind]


def _sample_sizes(ctx: Context) -> list[dict]:
    return [{"size": s.name} for s in ctx.symbols if s.role is Role.SIZE][:1]


for _name, _params in (
    ("unfold", _definitions("model")),
    ("indicator-to-exponent", None),
    ("take-log", None),
    ("log-of-product", None),
    ("log-of-mul", None),
    ("log-of-power", None),
    ("negate", None),
    ("sign-into-sum", None),
    ("split-sum", None),
    ("drop-constant", None),
    ("drop-factor", None),
    ("recognise", _definitions("quantity")),
    ("normalise", _sample_sizes),
):
    register_move(_name, _params)
