"""Steps and derivations: frozen records, produced by running rules."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .context import Context
from .relations import MonotoneMap, Relation
from .rules import Rule, make_rule
from .strategies import PLACEMENTS


@dataclass(frozen=True)
class Step:
    """Line ``index`` is derived from line ``source`` by ``rule``.

    ``maps`` (optimiser relations only) is the monotone map the rule applied,
    so a certificate can be rechecked without the rule; ``substitution``
    (``specialise`` only) fixes sizes, e.g. ``(("N", 1),)``; ``wrt``
    (``derivative`` only) is the prediction element differentiated by, ``z[j]``.
    """

    index: int
    source: int
    rule: str
    relation: Relation
    before: sp.Expr
    after: sp.Expr
    sense_before: str
    sense_after: str
    justification: str
    params: tuple[tuple[str, object], ...] = ()
    maps: tuple[MonotoneMap, ...] = ()
    substitution: tuple[tuple[str, int], ...] = ()
    side_condition: str = ""
    wrt: sp.Expr | None = None


@dataclass(frozen=True, repr=False)
class Derivation:
    """A named chain of lines from a likelihood to a loss, with its context.

    Line 0 is ``start``; every step adds one line. A step may start from an
    earlier line than the last (a side branch such as "at N = 1").
    """

    name: str
    title: str
    context: Context
    start: sp.Expr
    sense: str
    lhs_latex: str
    steps: tuple[Step, ...]
    summary: str = ""
    sources: tuple[str, ...] = ()

    @property
    def lines(self) -> list[sp.Expr]:
        """Every line: the start, then each step's new line."""
        return [self.start] + [s.after for s in self.steps]

    def sense_of(self, line: int) -> str:
        """``max``, ``min`` or ``eq``: what line ``line`` (0 the start) claims of its objective."""
        return self.sense if line == 0 else self.steps[line - 1].sense_after

    def __repr__(self) -> str:
        """One line: name, title, number of steps, and that the steps are checked on demand."""
        return (f"<Derivation {self.name!r}: {self.title!r}, {len(self.steps)} steps, "
                f"not yet checked (derive show {self.name} checks it)>")

    def _repr_latex_(self) -> str:
        """The derivation typeset, one line per step with its justification (Jupyter)."""
        from ..render.latex import derivation_aligned

        return "$$" + derivation_aligned(self) + "$$"

    def _repr_markdown_(self) -> str:
        """The title and the typeset derivation (Jupyter prefers Markdown to LaTeX)."""
        from ..render.markdown import derivation_summary_markdown

        return derivation_summary_markdown(self)


class RuleDidNotApply(ValueError):
    """A catalogue entry asked for a rule where it does not apply."""


@dataclass
class Builder:
    """Runs rules to produce a derivation's lines; nobody types a line in.

    >>> b = Builder("demo", "Demo", ctx, start=L, sense="max", lhs=r"\\hat\\theta")
    >>> b.apply("take-log").apply("log-of-product")     # doctest: +SKIP
    """

    name: str
    title: str
    context: Context
    start: sp.Expr
    sense: str
    lhs: str
    summary: str = ""
    sources: tuple[str, ...] = ()
    steps: list[Step] = field(default_factory=list)

    def line(self, n: int) -> sp.Expr:
        """Line ``n`` so far (0 the start)."""
        return self.start if n == 0 else self.steps[n - 1].after

    def sense_of(self, n: int) -> str:
        """``max``, ``min`` or ``eq`` for line ``n`` so far."""
        return self.sense if n == 0 else self.steps[n - 1].sense_after

    def apply(self, rule_name: str, *, placement: str | None = None,
              from_line: int | None = None, **params) -> "Builder":
        """Apply the registered rule ``rule_name`` (with ``params``) to the last line
        (or line ``from_line``), where ``placement`` says (default: the rule's own),
        and record the step; :class:`RuleDidNotApply` when it changes nothing."""
        rule: Rule = make_rule(rule_name, **params)
        source = len(self.steps) if from_line is None else from_line
        before = self.line(source)
        strategy = PLACEMENTS[placement or rule.placement]
        after = strategy(lambda node: rule.apply(node, self.context))(before)
        if after is None or after == before:
            raise RuleDidNotApply(f"{self.name}: rule {rule_name!r} does not apply to line {source}")
        sense_before = self.sense_of(source)
        monotone = rule.monotone_map_between(before, after, self.context)
        maps = (monotone,) if monotone else ()
        sense_after = monotone.flip(sense_before) if monotone else sense_before
        relation = Relation.for_sense(sense_after) if monotone else rule.relation
        self.steps.append(Step(
            index=len(self.steps) + 1,
            source=source,
            rule=rule.name,
            relation=relation,
            before=before,
            after=after,
            sense_before=sense_before,
            sense_after=sense_after,
            justification=rule.justification(self.context),
            params=tuple(sorted(rule.params().items())),
            maps=maps,
            substitution=tuple(sorted(rule.substitution(self.context).items())),
            side_condition=rule.side_condition,
            wrt=rule.wrt(self.context),
        ))
        return self

    def build(self) -> Derivation:
        """The finished :class:`Derivation` (its steps are checked by
        :func:`derive.checks.steps.check_derivation`, not here)."""
        return Derivation(self.name, self.title, self.context, self.start, self.sense,
                          self.lhs, tuple(self.steps), self.summary, self.sources)
