"""LaTeX: a printer for ML index notation, and standalone proof documents.

Nested sums print as ``\\sum_{i=1}^{N}\\sum_{k=1}^{C}`` (never a substack),
indexed symbols in the notation their context asks for (``\\hat{p}_i^{(k)}``
as in the seeds, or ``y_{i,k}``), indicators as ``\\mathbf{1}\\{..\\}``, and
products with the label before the log (``p \\log \\hat{p}``).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence

from ..checks.results import STATUS_TEXT
from ..core.context import Context, Role
from ..core.relations import Relation
from . import prose


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
        if self._templated(base) and self._print(base).endswith(")"):
            return rf"{self._print(base)}^{{{self._print(exp)}}}"  # \sigma(z)^{y}
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
        elif inner.startswith(r"\left(") and isinstance(arg, sp.Pow):
            text = rf"{head}\left[{inner}\right]"  # log[(p)^y], not log((p)^y)
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
        # The seeds' 1_{y = k}, with the condition on the line: in an exponent
        # a subscript would put the label's own indices a third level down.
        return rf"\mathbf{{1}}\{{{self._print(a)} = {self._print(b)}\}}"

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
    """Plain text (no maths) made safe for LaTeX."""
    return prose.escape_latex(text)


def branch_note(derivation, step) -> str | None:
    """Text before a step that does not hold as a plain continuation (prose, ``$..$`` maths).

    A step from an earlier line than the one above says where it starts;
    a specialisation says which sizes it fixes (its line does not hold for
    every size).
    """
    ctx = derivation.context
    fixed = ", ".join(f"${ctx.spec(k).latex} = {v}$" for k, v in step.substitution)
    if step.relation is Relation.DERIVATIVE:
        wrt = to_latex(step.wrt, ctx) if step.wrt is not None else ""
        return f"The gradient: the derivative of line ({step.source}) with respect to ${wrt}$:"
    if step.relation is Relation.SOLVES:
        wrt = to_latex(step.wrt, ctx) if step.wrt is not None else ""
        return f"Line ({step.source}) set to zero and solved for ${wrt}$: the estimate"
    if step.source == step.index - 1:
        return f"With {fixed}:" if fixed else None
    if fixed:
        return f"From line ({step.source}), with {fixed}:"
    return f"Back to line ({step.source}):"


def estimate_latex(wrt, ctx) -> str:
    r"""``\hat{\lambda}``: the estimate a solves step gives for its parameter."""
    return rf"\hat{{{to_latex(wrt, ctx)}}}" if wrt is not None else r"\hat{\theta}"


def gradient_lines(derivation) -> set[int]:
    """Lines that are derivatives (a derivative step, or a step from such a line).

    They are gradients, not objectives, so they print without arg max/min.
    """
    lines: set[int] = set()
    for step in derivation.steps:
        if step.relation is Relation.SOLVES:
            continue  # a value of the parameter, not a gradient
        if step.relation is Relation.DERIVATIVE or step.source in lines:
            lines.add(step.index)
    return lines


@dataclass(frozen=True)
class ProofRow:
    """One row of a typeset derivation: a line, or a sentence before a branch.

    A line is ``lhs = rhs``; ``lhs`` is empty where the line continues the
    one above (it is then aligned under ``lead``, the estimator or the
    derivative the chain is about). ``note`` is prose with ``$..$`` maths:
    the step's justification, or the sentence itself for a note row.
    """

    index: int | None
    lhs: str
    lead: str
    rhs: str
    note: str

    @property
    def is_note(self) -> bool:
        return self.index is None


def proof_rows(derivation) -> list[ProofRow]:
    """The derivation as rows: line 0, then one row per step, a note before each branch."""
    ctx = derivation.context
    lead = derivation.lhs_latex
    rows = [ProofRow(0, lead, lead, _objective(derivation, 0, derivation.start), "")]
    gradients = gradient_lines(derivation)
    for step in derivation.steps:
        note = branch_note(derivation, step)
        if note:
            rows.append(ProofRow(None, "", "", "", note))
        if step.relation is Relation.DERIVATIVE:
            lead = (rf"\frac{{\partial}}{{\partial {to_latex(step.wrt, ctx)}}} "
                    rf"\left({to_latex(step.before, ctx)}\right)")
            rows.append(ProofRow(step.index, lead, lead, to_latex(step.after, ctx), step.justification))
        elif step.relation is Relation.SOLVES:
            lead = estimate_latex(step.wrt, ctx)
            rows.append(ProofRow(step.index, lead, lead, to_latex(step.after, ctx), step.justification))
        elif step.index in gradients:
            rows.append(ProofRow(step.index, "", lead, to_latex(step.after, ctx), step.justification))
        else:
            # After a note the estimator is named again, so the new line does not
            # read as equal to the one above it.
            lead = derivation.lhs_latex
            rows.append(ProofRow(step.index, lead if note else "", lead,
                                 _objective(derivation, step.index, step.after), step.justification))
    return rows


def derivation_aligned(derivation) -> str:
    """The derivation as one ``aligned`` block (for notebooks and Markdown)."""
    out = []
    for row in proof_rows(derivation):
        if row.is_note:
            out.append(rf"&\text{{{prose.mathjax_text(row.note)}}}")
            continue
        tag = f"({row.index})" + (" " + prose.mathjax_text(row.note) if row.note else "")
        out.append(rf"{row.lhs} &= {row.rhs} && \text{{{tag}}}")
    return r"\begin{aligned}" + r" \\ ".join(out) + r"\end{aligned}"



#: The page: A4, with a text block that also fits US letter (21.6 x 27.9 cm).
PREAMBLE = [
    r"\documentclass[11pt]{article}",
    r"\usepackage[a4paper,text={16.5cm,23.5cm},centering]{geometry}",
    r"\usepackage{amsmath,amssymb}",
    r"\usepackage{longtable,array}",
    r"\setlength{\parindent}{0pt}",
]

#: A line of the proof beside its justification, in a column of fixed width;
#: a line too wide for that goes alone, its justification under it.
PROOF_MACROS = r"""\newlength{\notewidth}\setlength{\notewidth}{4.6cm}
\newlength{\linemath}
\newsavebox{\linebox}
\newcommand{\proofline}[2]{\par\setlength{\linemath}{\dimexpr\linewidth-\notewidth-1.5em\relax}%
  \sbox{\linebox}{$\displaystyle #1$}%
  \ifdim\wd\linebox>\linemath
    \noindent\usebox{\linebox}\par\nopagebreak\hfill\parbox[t]{\notewidth}{\raggedright\small #2}\par
  \else
    \noindent\parbox[t]{\linemath}{\usebox{\linebox}}\hfill\parbox[t]{\notewidth}{\raggedright\small #2}\par
  \fi\smallskip}
\newcommand{\proofnote}[1]{\par\medskip\noindent #1\par\nopagebreak\smallskip}"""


def proof_latex(derivation) -> str:
    """The derivation as ``\\proofline`` rows (see :data:`PROOF_MACROS`)."""
    out = []
    for row in proof_rows(derivation):
        if row.is_note:
            out.append(rf"\proofnote{{{prose.latex(row.note)}}}")
            continue
        lhs = row.lhs or rf"\phantom{{{row.lead}}}"
        note = f"({row.index})" + (r"\ " + prose.latex(row.note) if row.note else "")
        out.append(rf"\proofline{{{lhs} = {row.rhs}}}{{{note}}}")
    return "\n".join(out)


def sources_text(derivation) -> str:
    """The source texts, or that the derivation is a standard one (prose)."""
    if not derivation.sources:
        return "Source texts: none; a standard derivation."
    return "Source texts: " + "; ".join(derivation.sources) + "."


#: A symbol's role and a definition's kind, as the documents say them.
ROLE_WORDS = {Role.DATA: "data", Role.PREDICTION: "prediction",
              Role.CONSTANT: "constant", Role.DEFINED: "defined", Role.SIZE: "size", Role.INDEX: "index"}
KIND_WORDS = {"model": "model", "quantity": "definition"}


def document(derivation, report) -> str:
    """A standalone LaTeX document: the proof, its symbols, and every check."""
    from .steps import checks_words, step_claim  # words for the checks, built on this module

    ctx = derivation.context
    lines = PREAMBLE + [
        PROOF_MACROS,
        r"\begin{document}",
        rf"\section*{{\raggedright {prose.latex(derivation.title)}}}",
        prose.latex(derivation.summary),
        "",
        prose.latex(sources_text(derivation)),
        "",
        rf"Name: \texttt{{{_escape_text(derivation.name)}}}. "
        rf"Overall status: \textbf{{{STATUS_TEXT[report.status.value]}}}.",
        "",
        r"\subsection*{Symbols}",
        r"\begin{itemize}",
    ]
    for spec in ctx.symbols:
        description = prose.latex(spec.description)
        if spec.role is Role.INDEX:
            lines.append(rf"\item ${spec.latex} \in \{{{spec.lower}, \dots, {bound_latex(ctx, spec.upper)}\}}$: "
                         rf"{description}")
        elif spec.role is Role.SIZE:
            lines.append(rf"\item ${spec.latex} \geq {spec.lower}$: {description}")
        else:
            sample = element_latex(spec, ctx)
            where = rf" \in {spec.domain.latex()}" if spec.domain else ""
            lines.append(rf"\item ${sample}{where}$ ({prose.latex(ROLE_WORDS[spec.role])}): {description}")
    lines.append(r"\end{itemize}")
    if ctx.definitions:
        lines += [r"\subsection*{Definitions and model assumptions}", r"\begin{itemize}"]
        for d in ctx.definitions:
            lines.append(rf"\item ${definition_latex(d, ctx)}$ "
                         rf"({KIND_WORDS.get(d.kind, d.kind)}: {prose.latex(d.statement)})")
        lines.append(r"\end{itemize}")
    lines += [r"\subsection*{Derivation}", proof_latex(derivation), "",
              r"\subsection*{Checks of every step}",
              r"\begin{longtable}{@{}>{\raggedleft}p{0.8cm} >{\raggedright}p{0.27\linewidth} "
              r">{\raggedright}p{0.46\linewidth} >{\raggedright\arraybackslash}p{0.14\linewidth}@{}}",
              r"line & claim & how it was checked & status \\ \hline \endhead"]
    for step, step_report in zip(derivation.steps, report.steps):
        lines.append(rf"({step.index}) & {prose.latex(step_claim(derivation, step))} & "
                     rf"{prose.latex(checks_words(derivation, step, step_report))} & "
                     rf"\textbf{{{prose.latex(status_label(derivation, step, step_report))}}} \\[3pt]")
    lines += [r"\end{longtable}", r"\end{document}", ""]
    return "\n".join(lines)


def definition_latex(definition, ctx: Context) -> str:
    """``D[params] := rhs`` in LaTeX."""
    return f"{to_latex(ctx.head(definition), ctx)} := {to_latex(definition.rhs, ctx)}"


def bound_latex(ctx: Context, bound) -> str:
    """A range bound as printed: a size by its LaTeX name, a number as it is."""
    return ctx.spec(bound).latex if isinstance(bound, str) else str(bound)


def status_label(derivation, step, step_report) -> str:
    """The status as shown in tables (prose); a specialised step says at which sizes."""
    text = STATUS_TEXT[step_report.status.value]
    if step.substitution and step_report.status.value == "proved":
        ctx = derivation.context
        fixed = ", ".join(f"${ctx.spec(k).latex} = {v}$" for k, v in step.substitution)
        text = f"proved (at {fixed})"
    return text


def element_latex(spec, ctx: Context) -> str:
    obj = ctx[spec.name]
    if spec.indices:
        obj = obj[tuple(ctx[i] for i in spec.indices)]
    return to_latex(obj, ctx)
