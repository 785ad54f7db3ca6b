"""What each step claims and how it was checked, in words for readers.

The certificates keep the machine names (``same_argmax``, ``map:log``); the
documents say the same things as prose with inline maths (``$..$``), which
:mod:`derive.render.prose` turns into LaTeX, Markdown or plain text.
"""
from __future__ import annotations

import re

from ..checks.results import CheckResult, Status, StepReport
from ..core.context import Role
from ..core.relations import MapKind, MonotoneMap, Relation
from .latex import to_latex

#: A relation as a reader says it: the new line is ... the line it comes from.
RELATION_WORDS = {
    Relation.EQ: "equal to",
    Relation.DEFN: "by a definition, equal to",
    Relation.SAME_ARGMAX: "same maximiser as",
    Relation.SAME_ARGMIN: "same minimiser as",
    Relation.SPECIALISE: "a special case of",
    Relation.DERIVATIVE: "the derivative of",
    Relation.SOLVES: "the root of",
}


def map_words(m: MonotoneMap, ctx) -> str:
    """Why a monotone map keeps the optimiser, as prose with maths."""
    if m.kind is MapKind.LOG:
        return r"$\log$ is strictly increasing"
    if m.kind is MapKind.NEGATE:
        return "negation reverses the order"
    if m.kind is MapKind.SCALE:
        return f"multiplying by ${to_latex(m.operand, ctx)} > 0$ keeps the order"
    return f"adding ${to_latex(m.operand, ctx)}$, free of the parameters, keeps the order"


def step_claim(derivation, step) -> str:
    """What line ``step.index`` claims about the line it comes from."""
    ctx = derivation.context
    text = f"{RELATION_WORDS[step.relation]} line ({step.source})"
    if step.relation is Relation.SPECIALISE and step.substitution:
        text += " at " + ", ".join(f"${ctx.spec(k).latex} = {v}$" for k, v in step.substitution)
    elif step.relation in (Relation.DERIVATIVE, Relation.SOLVES) and step.wrt is not None:
        text += f" {'by' if step.relation is Relation.DERIVATIVE else 'in'} ${to_latex(step.wrt, ctx)}$"
    elif step.maps:
        text += ": " + "; ".join(map_words(m, ctx) for m in step.maps)
    return text


def _sizes(ctx) -> str:
    names = [f"${s.latex}$" for s in ctx.symbols if s.role is Role.SIZE]
    if not names:
        return ""
    return "every " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0])


_BELOW = re.compile(r"< 1e(-?\d+)")
_POWER = re.compile(r"\b1e(-?\d+)\b")


def _numbers(detail: str) -> str:
    """``< 1e-39`` as ``below $10^{-39}$``, ``1e-20`` as ``$10^{-20}$``: numbers as a reader writes them."""
    detail = _BELOW.sub(lambda m: f"below $10^{{{m.group(1)}}}$", detail)
    return _POWER.sub(lambda m: f"$10^{{{m.group(1)}}}$", detail)


def check_words(result: CheckResult, derivation, step) -> str:
    """One check of a step as a phrase: what was checked, how, and the outcome."""
    ctx = derivation.context
    if result.status in (Status.FAILED, Status.UNCHECKED):
        head = "FAILED" if result.status is Status.FAILED else "not decided"
        return f"{head} ({_what(result)}): {result.detail}"
    if result.obligation == "identity" and result.kind == "symbolic":
        if step.substitution:
            fixed = ", ".join(f"${ctx.spec(k).latex} = {v}$" for k, v in step.substitution)
            return f"algebra: equal at {fixed}"
        sizes = _sizes(ctx)
        return f"algebra: equal for every value and {sizes}" if sizes else "algebra: equal for every value"
    if result.obligation == "identity" and result.kind == "exact":
        return "exact arithmetic: " + _numbers(result.detail)
    if result.obligation == "identity" and result.kind == "numeric":
        return "numerically: " + _numbers(result.detail)
    if result.obligation.startswith("map:"):
        return "the map applies: " + _map_detail(result)
    if result.obligation == "relation" and step.relation is Relation.DERIVATIVE and step.wrt is not None:
        return f"form: a partial derivative by ${to_latex(step.wrt, ctx)}$, the other predictions held fixed"
    if result.obligation == "relation" and step.relation is Relation.SOLVES and step.wrt is not None:
        return f"form: the value of ${to_latex(step.wrt, ctx)}$ where the gradient is zero"
    if result.obligation == "unique":
        return "the only root: " + result.detail
    if result.obligation == "relation":
        return "direction: " + result.detail
    if result.obligation == "order":
        return "order test: " + result.detail
    return f"{_what(result)}: {_numbers(result.detail)}"


def _map_detail(result: CheckResult) -> str:
    detail = result.detail
    if result.obligation == "map:log":
        return "the objective is positive" + (" (interval bound)" if "interval" in detail else "")
    if result.obligation == "map:negate":
        return "negation is strictly decreasing"
    if result.obligation == "map:scale":
        return "the factor is positive, finite and free of the parameters"
    return "the term is finite and free of the parameters"


def _what(result: CheckResult) -> str:
    if result.obligation.startswith("map:"):
        return "the monotone map"
    return {"identity": "equality", "relation": "direction", "order": "order test"}.get(
        result.obligation, result.obligation.replace("_", " "))


def checks_words(derivation, step, step_report: StepReport) -> str:
    """Every check of a step, as one sentence."""
    return "; ".join(check_words(r, derivation, step) for r in step_report.results)
