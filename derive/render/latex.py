"""LaTeX: a printer for ML index notation, and standalone proof documents.

Nested sums print as ``\\sum_{i=1}^{N}\\sum_{k=1}^{C}`` (never a substack),
indexed symbols in the notation their context asks for (``\\hat{p}_i^{(k)}``
as in the seeds, or ``y_{i,k}``), indicators as ``\\mathbf{1}\\{..\\}``, and
products with the label before the log (``p \\log \\hat{p}``).
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence

from ..core.context import Context, Role
from ..core.relations import Relation


class DerivePrinter(LatexPrinter):
    """Sympy's LaTeX printer with the notation of the seeds."""

    def __init__(self, ctx: Context):
        super().__init__({"long_frac_ratio": 0})
        self.ctx = ctx

    # -- symbols -----------------------------------------------------------
    def _print_Symbol(self, expr, style=None):
        spec = self.ctx.spec_of(expr)
        if spec is None:
            return super()._print_Symbol(expr)
        if spec.template and not spec.indices:
            return spec.template
        return spec.latex

    def _print_IndexedBase(self, expr):
        return self._print_Symbol(expr.label)

    def _print_Indexed(self, expr):
        spec = self.ctx.spec_of(expr)
        indices = [self._print(i) for i in expr.indices]
        if spec is None:
            return f"{self._print(expr.base)}_{{{','.join(indices)}}}"
        if spec.template:
            out = spec.template
            for n, text in enumerate(indices):
                out = out.replace(f"@{n}", text)
            return out
        if spec.style == "seed" and len(indices) == 2:
            return f"{spec.latex}_{{{indices[0]}}}^{{({indices[1]})}}"
        if spec.style == "seed-class-below" and len(indices) == 2:  # seed 002: y_j^{(i)}
            return f"{spec.latex}_{{{indices[1]}}}^{{({indices[0]})}}"
        if spec.style == "param":  # seed 003: \hat{y}_{\theta, i}
            return f"{spec.latex}_{{{self.ctx.parameter_latex}, {','.join(indices)}}}"
        return f"{spec.latex}_{{{','.join(indices)}}}"

    def _templated(self, expr) -> bool:
        """A symbol printed through a template (``\\sigma(z)``): parenthesise it in powers."""
        spec = self.ctx.spec_of(expr) if isinstance(expr, (sp.Symbol, sp.Indexed)) else None
        return bool(spec and spec.template)

    def _has_superscript(self, expr) -> bool:
        spec = self.ctx.spec_of(expr) if isinstance(expr, sp.Indexed) else None
        return bool(spec and spec.style in ("seed", "seed-class-below") and len(expr.indices) == 2)

    # -- operators ---------------------------------------------------------
    def _as_ordered_terms(self, expr, order=None):
        # Simple terms first: "1 - y", "y log p + (1 - y) log(1 - p)".
        return sorted(expr.args, key=lambda t: (sp.count_ops(t), sp.default_sort_key(t)))

    def _print_Pow(self, expr):
        base, exp = expr.args
        if exp == -1 or (exp.is_Rational and exp < 0):
            return super()._print_Pow(expr)
        if self._has_superscript(base) or self._templated(base):
            return rf"\left({self._print(base)}\right)^{{{self._print(exp)}}}"
        return super()._print_Pow(expr)

    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        head = r"\log" if len(expr.args) == 1 else rf"\log_{{{self._print(expr.args[1])}}}"
        inner = self._print(arg)
        numer, denom = arg.as_numer_denom() if isinstance(arg, sp.Mul) else (arg, sp.Integer(1))
        if denom != 1 and not arg.has(sp.Sum, sp.Product):
            inner = rf"\frac{{{self._print(numer)}}}{{{self._print(denom)}}}"  # log(y / y-hat)
        if isinstance(arg, (sp.Symbol, sp.Indexed)) and not self._has_superscript(arg) and not self._templated(arg):
            text = f"{head} {inner}"
        else:
            text = rf"{head}\left({inner}\right)"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_log2(self, expr, exp=None):
        arg = expr.args[0]
        inner = self._print(arg)
        if isinstance(arg, (sp.Symbol, sp.Indexed)) and not self._has_superscript(arg):
            text = rf"\log_{{2}} {inner}"
        else:
            text = rf"\log_{{2}}\left({inner}\right)"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_KroneckerDelta(self, expr, exp=None):
        a, b = expr.args
        if a.is_Number and not b.is_Number:
            a, b = b, a
        return rf"1_{{{self._print(a)} = {self._print(b)}}}"  # the seeds' 1_{y = k}

    def _limits(self, expr, symbol: str) -> str:
        parts = []
        for var, lo, hi in reversed(expr.limits):  # sympy stores the innermost first
            parts.append(rf"{symbol}_{{{self._print(var)}={self._print(lo)}}}^{{{self._print(hi)}}}")
        return "".join(parts)

    def _body(self, body) -> str:
        text = self._print(body)
        if isinstance(body, sp.Add) or (isinstance(body, sp.Mul) and body.could_extract_minus_sign()):
            return rf"\left({text}\right)"
        return text

    def _print_Sum(self, expr):
        return self._limits(expr, r"\sum") + " " + self._body(expr.function)

    def _print_Product(self, expr):
        return self._limits(expr, r"\prod") + " " + self._body(expr.function)

    def _print_Mul(self, expr):
        coeff, factors = expr.as_coeff_mul()
        sign = ""
        if coeff < 0:
            sign, coeff = "- ", -coeff
        numer, denom = [], []
        for f in factors:
            if isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp < 0:
                denom.append(f.base ** -f.exp)
            else:
                numer.append(f)
        if coeff.is_Rational and coeff.q != 1:
            denom.insert(0, sp.Integer(coeff.q))
            coeff = sp.Integer(coeff.p)
        # Labels and plain factors first, then logs, then sums and products.
        # A coefficient of numbers, sizes and constants (1 - eps, c) comes first.
        numer.sort(key=lambda f: (not self._is_coefficient(f),) + _factor_rank(f))
        parts = []
        if coeff != 1:
            parts.append(self._print(coeff))
        if denom and numer and all(isinstance(f, sp.exp) for f in numer):
            # e^{z_j} / sum_m e^{z_m}, as a softmax is written.
            above = " ".join(self._factor(f) for f in numer)
            below = self._print(denom[0]) if len(denom) == 1 else " ".join(self._factor(d) for d in denom)
            return sign + " ".join(parts + [rf"\frac{{{above}}}{{{below}}}"])
        if denom:
            # A lone denominator needs no parentheses: \frac{1}{1 + e^{-z}}.
            below = self._print(denom[0]) if len(denom) == 1 else " ".join(self._factor(d) for d in denom)
            parts.append(rf"\frac{{1}}{{{below}}}")
        parts += [self._factor(f) for f in numer]
        return sign + " ".join(parts) if parts else sign + "1"

    def _is_coefficient(self, f) -> bool:
        if f.has(sp.Indexed, sp.Sum, sp.Product, sp.log) or not f.free_symbols:
            return False
        specs = [self.ctx.spec_of(s) for s in f.free_symbols]
        return all(spec is not None and spec.role in (Role.SIZE, Role.CONSTANT) for spec in specs)

    def _factor(self, f) -> str:
        if isinstance(f, sp.Add):
            return rf"\left({self._print(f)}\right)"
        return self.parenthesize(f, PRECEDENCE["Mul"], strict=False) if precedence(f) < PRECEDENCE["Mul"] else self._print(f)


def _factor_rank(f) -> tuple:
    """Labels and plain factors first, then compound ones, then logs, then sums."""
    if isinstance(f, (sp.Sum, sp.Product)):
        rank = 3
    elif f.has(sp.log):
        rank = 2
    elif f.has(sp.Add):
        rank = 1
    else:
        rank = 0
    return (rank, sp.count_ops(f), sp.default_sort_key(f))


def to_latex(expr: sp.Basic, ctx: Context) -> str:
    return DerivePrinter(ctx).doprint(expr)


def _objective(derivation, line: int, expr: sp.Basic) -> str:
    sense = derivation.sense_of(line)
    param = derivation.context.parameter_latex
    return rf"\arg\{sense}_{{{param}}}\ " + to_latex(expr, derivation.context)


def _escape_text(text: str) -> str:
    table = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&",
             "%": r"\%", "#": r"\#", "$": r"\$", "^": r"\^{}", "~": r"\~{}",
             "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
    return "".join(table.get(ch, ch) for ch in text)


def branch_note(derivation, step) -> str | None:
    """Text before a step that does not hold as a plain continuation.

    A step from an earlier line than the one above says where it starts;
    a specialisation says which sizes it fixes (its line does not hold for
    every size).
    """
    fixed = ", ".join(f"{derivation.context.spec(k).latex} = {v}" for k, v in step.substitution)
    if step.relation is Relation.DERIVATIVE:
        return f"The gradient: the derivative of line ({step.source}) with respect to {step.wrt}:"
    if step.source == step.index - 1:
        return f"With {fixed}:" if fixed else None
    if fixed:
        return f"From line ({step.source}), with {fixed}:"
    return f"Back to line ({step.source}):"


def gradient_lines(derivation) -> set[int]:
    """Lines that are derivatives (a derivative step, or a step from such a line).

    They are gradients, not objectives, so they print without arg max/min.
    """
    lines: set[int] = set()
    for step in derivation.steps:
        if step.relation is Relation.DERIVATIVE or step.source in lines:
            lines.add(step.index)
    return lines


def _gradient_row(derivation, step) -> str:
    ctx = derivation.context
    if step.relation is Relation.DERIVATIVE:
        return (rf"\frac{{\partial}}{{\partial {to_latex(step.wrt, ctx)}}} "
                rf"\left({to_latex(step.before, ctx)}\right) &= {to_latex(step.after, ctx)}")
    return rf"&= {to_latex(step.after, ctx)}"


def _mathjax_text(text: str) -> str:
    """Text for ``\\text{..}`` in MathJax (notebooks, code hosts): no macros there."""
    return "".join({"{": "(", "}": ")", "\\": "/", "$": "", "&": "and", "#": "no."}.get(ch, ch) for ch in text)


def derivation_rows(derivation, note_row: str, justify: str, first_tag: str = "",
                    escape=None) -> list[str]:
    """One row per line of the derivation, plus a row of text before a branch.

    ``note_row`` formats the text (``{note}``); ``justify`` the tag of a step
    (``{index}``, ``{text}``); ``first_tag`` ends line 0; ``escape`` makes
    plain text safe where it goes (LaTeX by default).
    """
    escape = escape or _escape_text
    rows = [rf"{derivation.lhs_latex} &= {_objective(derivation, 0, derivation.start)}{first_tag}"]
    gradients = gradient_lines(derivation)
    for step in derivation.steps:
        note = branch_note(derivation, step)
        if note:
            rows.append(note_row.format(note=escape(note)))
        if step.index in gradients:
            rows.append(_gradient_row(derivation, step)
                        + justify.format(index=step.index, text=escape(step.justification)))
            continue
        # After a note the estimator is named again, so the new line does not
        # read as equal to the one above it.
        lead = derivation.lhs_latex + " " if note else ""
        rows.append(rf"{lead}&= {_objective(derivation, step.index, step.after)}"
                    + justify.format(index=step.index, text=escape(step.justification)))
    return rows


def derivation_aligned(derivation) -> str:
    """The derivation as one ``aligned`` block (for notebooks and Markdown)."""
    rows = derivation_rows(derivation, r"&\text{{{note}}}", r" && \text{{({index}) {text}}}",
                           escape=_mathjax_text)
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


STATUS_TEXT = {
    "proved": "proved (all sizes)",
    "proved_at_sizes": "exact at sizes",
    "numeric": "numeric only",
    "unchecked": "UNCHECKED",
    "failed": "FAILED",
    "refuted": "refuted",          # a claim, with a checked counterexample
    "not_refuted": "NOT REFUTED",  # a claim no point refuted
}


def document(derivation, report) -> str:
    """A standalone LaTeX document: the proof, its symbols, and every check."""
    ctx = derivation.context
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2cm,landscape]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{longtable}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
        rf"\section*{{{_escape_text(derivation.title)}}}",
        _escape_text(derivation.summary),
        "",
        rf"\noindent Name: \texttt{{{_escape_text(derivation.name)}}}. "
        rf"Sources: {_escape_text(', '.join(derivation.sources) or 'none')}. "
        rf"Overall status: \textbf{{{STATUS_TEXT[report.status.value]}}}.",
        "",
        r"\subsection*{Symbols}",
        r"\begin{itemize}",
    ]
    for spec in ctx.symbols:
        if spec.role is Role.INDEX:
            lines.append(rf"\item ${spec.latex} \in \{{{spec.lower}, \dots, {bound_latex(ctx, spec.upper)}\}}$: "
                         rf"{_escape_text(spec.description)}")
        elif spec.role is Role.SIZE:
            lines.append(rf"\item ${spec.latex} \geq {spec.lower}$: {_escape_text(spec.description)}")
        else:
            sample = element_latex(spec, ctx)
            where = rf" \in {spec.domain.latex()}" if spec.domain else ""
            lines.append(rf"\item ${sample}{where}$ ({spec.role.value}): {_escape_text(spec.description)}")
    lines.append(r"\end{itemize}")
    if ctx.definitions:
        lines += [r"\subsection*{Definitions and model assumptions}", r"\begin{itemize}"]
        for d in ctx.definitions:
            lines.append(rf"\item ${definition_latex(d, ctx)}$ "
                         rf"({_escape_text(d.kind)}: {_escape_text(d.statement)})")
        lines.append(r"\end{itemize}")
    lines += [r"\subsection*{Derivation}", r"\begin{align*}"]
    rows = derivation_rows(derivation, r"\intertext{{{note}}}", r" && ({index})\ \text{{{text}}}", " && (0)")
    # amsmath: a line break before \intertext, none after it.
    body = ""
    for n, row in enumerate(rows):
        last = n == len(rows) - 1
        body += row + ("\n" if row.startswith(r"\intertext") or last else " \\\\\n")
    lines.append(body.rstrip("\n"))
    lines += [r"\end{align*}", "", r"\subsection*{Checks of every step}",
              r"\begin{longtable}{r l l l p{0.5\linewidth}}",
              r"step & relation & obligation & check & status: detail \\ \hline \endhead"]
    for step, step_report in zip(derivation.steps, report.steps):
        for r in step_report.results:
            lines.append(rf"{step.index} & {_escape_text(step.relation.value)} & "
                         rf"{_escape_text(r.obligation)} & {_escape_text(r.kind)} & "
                         rf"\textbf{{{_escape_text(r.status.value)}}}: {_escape_text(r.detail)} \\")
        lines.append(rf"\multicolumn{{5}}{{l}}{{step {step.index} overall: "
                     rf"\textbf{{{status_label(step, step_report)}}}}} \\ \hline")
    lines += [r"\end{longtable}", r"\end{document}", ""]
    return "\n".join(lines)


def definition_latex(definition, ctx: Context) -> str:
    """``D[params] := rhs`` in LaTeX."""
    return f"{to_latex(ctx.head(definition), ctx)} := {to_latex(definition.rhs, ctx)}"


def bound_latex(ctx: Context, bound) -> str:
    """A range bound as printed: a size by its LaTeX name, a number as it is."""
    return ctx.spec(bound).latex if isinstance(bound, str) else str(bound)


def status_label(step, step_report) -> str:
    """The status as shown in tables; a specialised step says at which sizes."""
    text = STATUS_TEXT[step_report.status.value]
    if step.substitution and step_report.status.value == "proved":
        fixed = ", ".join(f"{k} = {v}" for k, v in step.substitution)
        text = f"proved (at {fixed})"
    return text


def element_latex(spec, ctx: Context) -> str:
    obj = ctx[spec.name]
    if spec.indices:
        obj = obj[tuple(ctx[i] for i in spec.indices)]
    return to_latex(obj, ctx)
