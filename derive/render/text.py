"""Plain text for terminals: formulas in Unicode with the symbols' real names.

``p̂ᵢₖ`` for the element ``phat[i, k]``, ``P(yᵢ | xᵢ, θ)`` for a defined
symbol with a template, ``Σ_{i=1..N}`` for a sum: the symbols as the
documents print them, not the names the engine stores them under.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from ..checks.results import Report
from ..core.context import Context
from . import prose
from ..core.relations import Relation
from .latex import STATUS_TEXT, branch_note, gradient_lines, sources_text, status_label
from .steps import checks_words, step_claim


class UnicodePrinter(StrPrinter):
    """One-line Unicode: ``Σ_{i=1..N} Σ_{k=1..C} pᵢₖ·log(p̂ᵢₖ)``."""

    printmethod = "_derive_text"  # not sympy's own _sympystr, which prints phat[i, k]

    def __init__(self, ctx: Context | None = None):
        super().__init__()
        self.ctx = ctx

    def _spec(self, expr):
        return self.ctx.spec_of(expr) if self.ctx is not None else None

    def _print_Symbol(self, expr):
        spec = self._spec(expr)
        if spec is None:
            return prose.unicode_maths(expr.name) if "\\" in expr.name else expr.name
        return prose.unicode_maths(spec.template if spec.template and not spec.indices else spec.latex)

    def _print_IndexedBase(self, expr):
        return self._print_Symbol(expr.label)

    def _print_Indexed(self, expr):
        spec = self._spec(expr)
        indices = [self._print(i) for i in expr.indices]
        if spec is not None and spec.template:
            out = spec.template
            for n, text in enumerate(indices):
                out = out.replace(f"@{n}", "{" + text + "}")
            return prose.unicode_maths(out)
        base = self._print(expr.base)
        joined = "".join(indices)
        if all(len(i) == 1 and i in prose.SUBSCRIPTS for i in indices):
            return base + "".join(prose.SUBSCRIPTS[i] for i in joined)
        return f"{base}_({','.join(indices)})"

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.args
        if exp.is_Rational and exp < 0:
            return super()._print_Pow(expr, rational)
        shown = self._print(base)
        if not (base.is_Atom or isinstance(base, (sp.Indexed, sp.Function))) or shown.startswith("-"):
            shown = f"({shown})"
        power = self._print(exp)
        if all(ch in prose.SUPERSCRIPTS for ch in power):
            return shown + "".join(prose.SUPERSCRIPTS[ch] for ch in power)
        if precedence(exp) < PRECEDENCE["Atom"] or not power.isalnum():
            power = f"({power})"
        return f"{shown}^{power}"

    def _call(self, name: str, arg) -> str:
        text = self._print(arg)
        if isinstance(arg, (sp.Sum, sp.Product)):
            text = text[1:-1]  # log(Σ ...), not log((Σ ...))
        return f"{name}({text})"

    def _print_exp(self, expr):
        return self._call("exp", expr.args[0])

    def _print_log(self, expr):
        return self._call("log", expr.args[0])

    def _limits(self, expr, head: str) -> str:
        heads = [f"{head}_{{{self._print(v)}={self._print(lo)}..{self._print(hi)}}}"
                 for v, lo, hi in reversed(expr.limits)]
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = f"({body})"
        return "(" + " ".join(heads) + " " + body + ")"

    def _print_Sum(self, expr):
        return self._limits(expr, "Σ")

    def _print_Product(self, expr):
        return self._limits(expr, "∏")

    def _print_KroneckerDelta(self, expr):
        a, b = expr.args
        if a.is_Number and not b.is_Number:
            a, b = b, a
        return f"1{{{self._print(a)} = {self._print(b)}}}"

    def doprint(self, expr) -> str:
        # StrPrinter writes products with "*": a raised dot reads as maths.
        return super().doprint(expr).replace("*", "·")


def to_text(expr: sp.Basic, ctx: Context | None = None) -> str:
    """``expr`` on one line in Unicode, with ``ctx``'s names for its symbols."""
    text = UnicodePrinter(ctx).doprint(expr)
    # A sum prints in parentheses, for its place inside a product; alone it needs none.
    return text[1:-1] if isinstance(expr, (sp.Sum, sp.Product)) else text


def derivation_text(derivation, report: Report | None) -> str:
    """Plain text: one line per step, then its justification and checks, for terminals."""
    ctx = derivation.context
    param = prose.unicode_maths(ctx.parameter_latex)
    lhs = prose.unicode_maths(derivation.lhs_latex)
    out = [f"{derivation.name}: {prose.plain(derivation.title)}"]
    if report is not None:
        out[0] += f"  [{STATUS_TEXT[report.status.value]}]"
    out.append(f"  {prose.plain(sources_text(derivation))}")
    out.append(f"  (0)  {lhs} = arg {derivation.sense} over {param}  {to_text(derivation.start, ctx)}")
    statuses = {sr.step: sr for sr in report.steps} if report is not None else {}
    gradients = gradient_lines(derivation)
    for step in derivation.steps:
        note = branch_note(derivation, step)
        if note:
            out.append(f"       {prose.plain(note)}")
        head = ("gradient" if step.index in gradients else
                f"estimate {to_text(step.wrt, ctx)} =" if step.relation is Relation.SOLVES and step.wrt is not None
                else f"arg {step.sense_after} over {param}")
        out.append(f"  ({step.index})  {head}  {to_text(step.after, ctx)}")
        claim = prose.plain(step_claim(derivation, step))
        out.append(f"        {prose.plain(step.justification)} ({claim})")
        sr = statuses.get(step.index)
        if sr is not None:
            out.append(f"        [{prose.plain(status_label(derivation, step, sr))}]"
                       + (f" {prose.plain(checks_words(derivation, step, sr))}" if sr.failure else ""))
    return "\n".join(out) + "\n"
