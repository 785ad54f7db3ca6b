"""Markdown pages: maths that renders on a code host (``$..$`` and ``$$..$$``)."""
from __future__ import annotations

from ..checks.results import Report
from ..core.context import Role
from . import prose
from .latex import (ROLE_WORDS, STATUS_TEXT, bound_latex, definition_latex, derivation_aligned,
                    element_latex, sources_text, status_label)
from .steps import checks_words, step_claim


def _cell(text: str) -> str:
    """Prose (with ``$..$`` maths) made safe inside a table cell."""
    return prose.markdown(text, cell=True)


def derivation_markdown(derivation, report: Report | None) -> str:
    """The page of a derivation: summary, symbols, definitions, the proof and its checks."""
    ctx = derivation.context
    out = [f"# {derivation.title}", "", derivation.summary, "", sources_text(derivation)]
    out.append(f"Name: `{derivation.name}`.")
    if report is not None:
        out.append(f"Overall status: **{STATUS_TEXT[report.status.value]}**.")
    out += ["", "## Symbols", "", "| symbol | role | domain | meaning |", "|---|---|---|---|"]
    for spec in ctx.symbols:
        domain = f"${spec.domain.latex()}$" if spec.domain else ""
        if spec.role is Role.INDEX:
            domain = f"${spec.lower}, \\dots, {bound_latex(ctx, spec.upper)}$"
        elif spec.role is Role.SIZE:
            domain = f"$\\geq {spec.lower}$"
        shown = spec.latex if spec.role in (Role.INDEX, Role.SIZE) else element_latex(spec, ctx)
        out.append(f"| {_cell(f'${shown}$')} | {_cell(ROLE_WORDS[spec.role])} | {_cell(domain)} | "
                   f"{_cell(spec.description)} |")
    if ctx.definitions:
        out += ["", "## Definitions and model assumptions", ""]
        for d in ctx.definitions:
            out.append(f"- ${definition_latex(d, ctx)}$ ({d.statement})")
    out += ["", "## Derivation", "", "$$", derivation_aligned(derivation).replace(r" \\ ", " \\\\\n"), "$$", ""]
    if report is not None:
        out += ["## Checks", "", "| line | claim | how it was checked | status |", "|---|---|---|---|"]
        for step, sr in zip(derivation.steps, report.steps):
            out.append(f"| ({step.index}) | {_cell(step_claim(derivation, step))} | "
                       f"{_cell(checks_words(derivation, step, sr))} | "
                       f"**{_cell(status_label(derivation, step, sr))}** |")
        out.append("")
    return "\n".join(out)


def derivation_summary_markdown(derivation) -> str:
    """The title and the typeset derivation, for a notebook cell."""
    return "\n".join([f"**{derivation.title}**", "", "$$", derivation_aligned(derivation), "$$", ""])
