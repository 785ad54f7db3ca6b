"""A refutation as a standalone LaTeX document, a Markdown page, and plain text."""
from __future__ import annotations

from fractions import Fraction

from ..core.context import Role
from .latex import STATUS_TEXT, _escape_text, definition_latex, element_latex, to_latex
from .prose import plain, unicode_maths
from .text import to_text
from ..core.refutation import Claim, RefutationReport



def _fraction_latex(value) -> str:
    if isinstance(value, list):
        return r"\left(" + ", ".join(_fraction_latex(v) for v in value) + r"\right)"
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return rf"{sign}\tfrac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _value_rows(claim: Claim, report: RefutationReport):
    """(symbol LaTeX, value LaTeX, value text) for every size and symbol of the point."""
    ctx = claim.context
    rows: list[tuple[str, str, str]] = []
    point = report.point
    if point is None:  # no point refuted the claim: nothing to list
        return rows
    for name, n in sorted(point.sizes.items()):
        rows.append((ctx.spec(name).latex, str(n), str(n)))
    for spec in ctx.symbols:
        if spec.name in point.values:
            value = point.values[spec.name]
            shown = to_latex(ctx[spec.name], ctx) if spec.indices else element_latex(spec, ctx)
            rows.append((shown, _fraction_latex(value), _plain(value)))
    return rows


def _plain(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    return str(value)


def claim_latex(claim: Claim) -> str:
    return f"{to_latex(claim.lhs, claim.context)} = {to_latex(claim.rhs, claim.context)}"


def document(claim: Claim, report: RefutationReport) -> str:
    """A standalone LaTeX document: the claim, and the checked counterexample."""
    ctx = claim.context
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\begin{document}",
        rf"\section*{{{_escape_text(claim.title)}}}",
        _escape_text(claim.summary),
        "",
        rf"\noindent Name: \texttt{{{_escape_text(claim.name)}}}. "
        rf"Sources: {_escape_text(', '.join(claim.sources) or 'none')}. "
        rf"Status: \textbf{{{_escape_text(STATUS_TEXT[report.outcome.value])}}}.",
        "",
        r"\subsection*{Claim}",
        r"For every size and every point of the domains:",
        r"\[ " + claim_latex(claim) + r" \]",
        r"\subsection*{Symbols}",
        r"\begin{itemize}",
    ]
    for spec in ctx.symbols:
        if spec.role in (Role.INDEX, Role.SIZE, Role.DEFINED):
            continue
        where = rf" \in {spec.domain.latex()}" if spec.domain else ""
        lines.append(rf"\item ${element_latex(spec, ctx)}{where}$ ({spec.role.value}): "
                     rf"{_escape_text(spec.description)}")
    lines.append(r"\end{itemize}")
    if ctx.definitions:
        lines += [r"\subsection*{Definitions}", r"\begin{itemize}"]
        lines += [rf"\item ${definition_latex(d, ctx)}$ ({_escape_text(d.statement)})" for d in ctx.definitions]
        lines.append(r"\end{itemize}")
    lines.append(r"\subsection*{Counterexample}")
    if report.point is None:
        lines.append(_escape_text(f"None found: {report.detail}."))
    else:
        lines += [_escape_text(f"The claim is false: {report.detail}."), "", r"\begin{align*}"]
        lines.append(" \\\\\n".join(rf"{symbol} &= {value}" for symbol, value, _ in _value_rows(claim, report)))
        lines.append(r"\end{align*}")
        lines += [r"At this point", r"\begin{align*}",
                  rf"{to_latex(claim.lhs, ctx)} &= {report.lhs_value} \\",
                  rf"{to_latex(claim.rhs, ctx)} &= {report.rhs_value}",
                  r"\end{align*}",
                  r"so the two sides differ. \texttt{derive recheck} re-evaluates both sides at this point "
                  r"and confirms it."]
    lines += [r"\end{document}", ""]
    return "\n".join(lines)


def markdown(claim: Claim, report: RefutationReport) -> str:
    ctx = claim.context
    out = [f"# {claim.title}", "", claim.summary, "",
           f"Name: `{claim.name}`. Sources: {', '.join(claim.sources) or 'none'}.",
           f"Status: **{STATUS_TEXT[report.outcome.value]}**.", "", "## Claim", "",
           "For every size and every point of the domains:", "", "$$", claim_latex(claim), "$$", ""]
    if ctx.definitions:
        out += ["## Definitions", ""]
        out += [f"- ${definition_latex(d, ctx)}$ ({d.statement})" for d in ctx.definitions]
        out.append("")
    out += ["## Counterexample", ""]
    if report.point is None:
        out += [f"None found: {report.detail}.", ""]
        return "\n".join(out)
    out += [f"The claim is false: {report.detail}.", "", "| symbol | value |", "|---|---|"]
    out += [f"| ${symbol}$ | ${value}$ |" for symbol, value, _ in _value_rows(claim, report)]
    out += ["", "At this point:", "", "$$", r"\begin{aligned}",
            f"{to_latex(claim.lhs, ctx)} &= {report.lhs_value} \\\\",
            f"{to_latex(claim.rhs, ctx)} &= {report.rhs_value}",
            r"\end{aligned}", "$$", ""]
    return "\n".join(out)


def text(claim: Claim, report: RefutationReport) -> str:
    ctx = claim.context
    out = [f"{claim.name}: {plain(claim.title)}  [{STATUS_TEXT[report.outcome.value]}]",
           f"  claim:  {to_text(claim.lhs, ctx)} = {to_text(claim.rhs, ctx)}",
           f"          {to_text(ctx.unfold(claim.lhs), ctx)} = {to_text(ctx.unfold(claim.rhs), ctx)}"]
    if report.point is None:
        out.append(f"  no counterexample: {report.detail}")
    else:
        out.append(f"  counterexample ({report.detail}):")
        for name, n in sorted(report.point.sizes.items()):
            out.append(f"    {unicode_maths(ctx.spec(name).latex)} = {n}")
        for name, value in report.point.values.items():
            out.append(f"    {unicode_maths(ctx.spec(name).latex)} = {_plain(value)}")
        out.append(f"    lhs = {report.lhs_value}")
        out.append(f"    rhs = {report.rhs_value}")
    return "\n".join(out) + "\n"
