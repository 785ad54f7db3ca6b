"""``derive.from_likelihood``: a likelihood in LaTeX to a derivation, found by the search."""
from __future__ import annotations

from ..core.derivation import Derivation
from .engine import MAX_NODES, MAX_SECONDS, SearchStats, search
from .likelihood import read_likelihood

TITLE = "Maximum likelihood to a loss"


def from_likelihood(likelihood: str, domains: dict[str, str] | None = None,
                    params: list[str] | None = None, to: str | None = None, *, name: str = "loss",
                    max_nodes: int = MAX_NODES, seconds: float = MAX_SECONDS,
                    stats: SearchStats | None = None) -> Derivation:
    """The derivation from the likelihood ``likelihood`` (LaTeX, a product over samples)
    to a loss, or to the line ``to`` (LaTeX), found by searching the registered rules.

    Its steps are not checked here: :func:`derive.checks.steps.check_derivation`
    checks them as it checks every built-in derivation. Raises
    :class:`~derive.search.likelihood.LikelihoodError` or
    :class:`~derive.parsing.ParseError` on bad input and
    :class:`~derive.search.engine.SearchExhausted` when the budget runs out."""
    read = read_likelihood(likelihood, domains, params, to)
    summary = ("The likelihood of $N$ i.i.d. samples; each line is found by a search over the "
               "registered rules and checked on its own.")
    return search(name, TITLE, read.context, read.start, "max", to=read.target, lhs=read.lhs, summary=summary,
                  max_nodes=max_nodes, seconds=seconds, stats=stats)
