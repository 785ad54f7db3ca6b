"""Markdown pages (math that renders on a code host) and plain text."""
from __future__ import annotations

import sympy as sp
from sympy.printing.str import StrPrinter

from ..checks.results import Report
from ..core.context import Role
from .latex import STATUS_TEXT, bound_latex, branch_note, definition_latex, derivation_aligned, element_latex, gradient_lines, status_label


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def derivation_markdown(derivation, report: Report | None) -> str:
    ctx = derivation.context
    out = [f"# {derivation.title}", "", derivation.summary, ""]
    out.append(f"Name: `{derivation.name}`. Sources: {', '.join(derivation.sources) or 'none'}.")
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
        out.append(f"| ${_cell(shown)}$ | {spec.role.value} | {_cell(domain)} | {_cell(spec.description)} |")
    if ctx.definitions:
        out += ["", "## Definitions and model assumptions", ""]
        for d in ctx.definitions:
            out.append(f"- ${definition_latex(d, ctx)}$ ({d.kind}: {d.statement})")
    out += ["", "## Derivation", "", "$$", derivation_aligned(derivation).replace(r" \\ ", " \\\\\n"), "$$", ""]
    if report is not None:
        out += ["## Checks", "",
                "| step | rule | relation | status | checks |", "|---|---|---|---|---|"]
        for step, sr in zip(derivation.steps, report.steps):
            checks = "; ".join(f"{r.obligation} {r.kind}: {r.status.value}" for r in sr.results)
            out.append(f"| {step.index} | `{step.rule}` | {step.relation.value} | "
                       f"**{status_label(step, sr)}** | {_cell(checks)} |")
        failures = [(s, sr.failure) for s, sr in zip(derivation.steps, report.steps) if sr.failure]
        for step, failure in failures:
            out += ["", f"Step {step.index} failed: {_cell(failure.detail)}"]
        out.append("")
    return "\n".join(out)


class TextPrinter(StrPrinter):
    """One-line plain text: ``(sum_{i=1}^{N} sum_{k=1}^{C} p[i, k]*log(phat[i, k]))``."""

    def _limits(self, expr, word: str) -> str:
        heads = [f"{word}_{{{self._print(v)}={self._print(lo)}}}^{{{self._print(hi)}}}"
                 for v, lo, hi in reversed(expr.limits)]
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = f"({body})"
        return "(" + " ".join(heads) + " " + body + ")"

    def _print_Sum(self, expr):
        return self._limits(expr, "sum")

    def _print_Product(self, expr):
        return self._limits(expr, "prod")

    def _print_KroneckerDelta(self, expr):
        a, b = expr.args
        if a.is_Number and not b.is_Number:
            a, b = b, a
        return f"1{{{self._print(a)} = {self._print(b)}}}"


def to_text(expr: sp.Basic) -> str:
    return TextPrinter().doprint(expr)


def derivation_text(derivation, report: Report | None) -> str:
    """Plain text: one line per step, for terminals."""
    out = [f"{derivation.name}: {derivation.title}"]
    if report is not None:
        out[0] += f"  [{STATUS_TEXT[report.status.value]}]"
    param = "theta"
    out.append(f"  (0)  arg{derivation.sense} {param}  {to_text(derivation.start)}")
    statuses = {sr.step: sr for sr in report.steps} if report is not None else {}
    gradients = gradient_lines(derivation)
    for step in derivation.steps:
        note = branch_note(derivation, step)
        if note:
            out.append(f"       {note}")
        mark = f"[{statuses[step.index].status.value}]" if step.index in statuses else ""
        head = "gradient" if step.index in gradients else f"arg{step.sense_after} {param}"
        out.append(f"  ({step.index})  {head}  {to_text(step.after)}")
        condition = f" (needs {step.side_condition})" if step.side_condition else ""
        out.append(f"        {step.relation.value} by {step.rule}: {step.justification}{condition} {mark}")
        sr = statuses.get(step.index)
        if sr is not None and sr.failure is not None:
            out.append(f"        FAILED {sr.failure.obligation}/{sr.failure.kind}: {sr.failure.detail}")
    return "\n".join(out) + "\n"
