"""Prose with inline maths: titles, summaries, descriptions and justifications.

The catalogue writes every formula in its prose between dollar signs, as
LaTeX (``"the cross-entropy $H(p, \\hat{p})$"``). This module turns such a
string into what each output needs: LaTeX (text escaped, maths kept),
Markdown (maths kept as ``$..$``, which code hosts render; table cells made
safe), text inside a MathJax ``\\text{..}`` and plain Unicode for terminals.
"""
from __future__ import annotations

import re


def segments(text: str) -> list[tuple[bool, str]]:
    """``(is_maths, part)`` pairs: the parts between single dollar signs are maths.

    An unmatched dollar sign is taken as text, so a stray ``$`` never swallows
    the rest of the string.
    """
    parts = text.split("$")
    if len(parts) % 2 == 0:  # an odd number of dollars: the last one is text
        parts = parts[:-2] + [parts[-2] + "$" + parts[-1]]
    return [(n % 2 == 1, part) for n, part in enumerate(parts) if part]


_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&",
                  "%": r"\%", "#": r"\#", "$": r"\$", "^": r"\^{}", "~": r"\~{}",
                  "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_latex(text: str) -> str:
    """Plain text made safe for LaTeX's text mode."""
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in text)


def latex(text: str) -> str:
    """Prose for a LaTeX document: text escaped, ``$..$`` maths kept."""
    return "".join(f"${part}$" if maths else escape_latex(part) for maths, part in segments(text))


def _cell_maths(part: str) -> str:
    # A pipe ends a Markdown table cell even inside maths, and an escaped one
    # reaches the maths renderer as a plain bar: use the named delimiters.
    return part.replace(r"\|", r"\Vert ").replace("|", r"\vert ")


def markdown(text: str, cell: bool = False) -> str:
    """Prose for Markdown; ``cell`` makes it safe inside a table cell."""
    if not cell:
        return text
    out = []
    for maths, part in segments(text):
        part = part.replace("\n", " ")
        out.append(f"${_cell_maths(part)}$" if maths else part.replace("|", r"\|"))
    return "".join(out)


def mathjax_text(text: str) -> str:
    """Prose for ``\\text{..}`` in MathJax or KaTeX: maths stays ``$..$`` inside it."""
    table = {"{": "(", "}": ")", "\\": "/", "&": "and", "#": "no.", "%": " percent"}
    return "".join(f"${part}$" if maths else "".join(table.get(ch, ch) for ch in part)
                   for maths, part in segments(text))


def plain(text: str) -> str:
    """Prose for a terminal: the maths in Unicode, without dollar signs."""
    return "".join(unicode_maths(part) if maths else part for maths, part in segments(text))


# -- LaTeX maths to Unicode ---------------------------------------------------------------
SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
SUPERSCRIPTS = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))

_SYMBOLS = {
    "theta": "θ", "sigma": "σ", "epsilon": "ε", "varepsilon": "ε", "mu": "μ", "lambda": "λ",
    "alpha": "α", "beta": "β", "pi": "π", "eta": "η", "tau": "τ", "phi": "φ", "psi": "ψ",
    "sum": "Σ", "prod": "∏", "in": "∈", "geq": "≥", "leq": "≤", "ge": "≥", "le": "≤",
    "neq": "≠", "ne": "≠", "mid": "|", "|": "‖", "Vert": "‖", "vert": "|", "cdot": "·",
    "times": "×", "infty": "∞", "to": "→", "sim": "~", "ldots": "…", "dots": "…",
    "cdots": "…", "approx": "≈", "partial": "∂", "{": "{", "}": "}", ",": " ", ";": " ",
    "!": "", " ": " ", "quad": "  ", "qquad": "   ", "log": "log", "exp": "exp", "ln": "ln",
    "max": "max", "min": "min", "arg": "arg", "left": "", "right": "", "big": "", "Big": "",
    "bigl": "", "bigr": "", "mathcal": "", "mathbf": "", "boldsymbol": "", "mathrm": "",
    "operatorname": "", "text": "", "mathbb": "", "tfrac": "", "frac": "", "dfrac": "",
    "hat": "", "tilde": "", "bar": "",
}
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304"}
_STYLES = {"mathbf", "boldsymbol", "mathrm", "mathcal", "operatorname", "text", "mathbb", "mathit"}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "P": "ℙ", "E": "𝔼", "Q": "ℚ"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}_^])|([^\\{}_^]+)")


def _group(tokens: list, at: int) -> tuple[list, int]:
    """The tokens of one argument starting at ``at`` (a ``{..}`` group or one token)."""
    if at >= len(tokens):
        return [], at
    if tokens[at] == ("brace", "{"):
        depth, end = 0, at
        while end < len(tokens):
            if tokens[end] == ("brace", "{"):
                depth += 1
            elif tokens[end] == ("brace", "}"):
                depth -= 1
                if depth == 0:
                    break
            end += 1
        return tokens[at + 1:end], end + 1
    if tokens[at][0] == "text":  # a single character of text, as TeX reads it
        kind, text = tokens[at]
        if len(text) > 1:
            tokens[at:at + 1] = [(kind, text[0]), (kind, text[1:])]
    return tokens[at:at + 1], at + 1


def _tokens(source: str) -> list[tuple[str, str]]:
    out = []
    for macro, brace, text in _TOKEN.findall(source):
        if macro:
            out.append(("macro", macro))
        elif brace:
            out.append(("brace", brace))
        else:
            out.append(("text", text))
    return out


def _script(text: str, table: dict, mark: str) -> str:
    stripped = text.replace(" ", "")
    if stripped and all(ch in table for ch in stripped):
        return "".join(table[ch] for ch in stripped)
    return f"{mark}{text}" if stripped.isalnum() else f"{mark}({text})"


def _atom(text: str) -> str:
    """``text``, in parentheses unless it is one number or one name."""
    return text if re.fullmatch(r"[\w\u0300-\u036f]+", text) else f"({text})"


def _render(tokens: list) -> str:
    out, at = [], 0
    while at < len(tokens):
        kind, value = tokens[at]
        at += 1
        if kind == "text":
            out.append(value)
        elif value == "{":
            arg, at = _group(tokens, at - 1)
            out.append(_render(arg))
        elif kind == "brace":
            continue
        elif value in _STYLES:
            arg, at = _group(tokens, at)
            body = _render(arg)
            out.append(_BLACKBOARD.get(body, body) if value == "mathbb" else body)
        elif value in _ACCENTS:
            arg, at = _group(tokens, at)
            body = _render(arg)
            out.append(body + _ACCENTS[value] if len(body) == 1 else f"{value}({body})")
        elif value in ("frac", "tfrac", "dfrac"):
            top, at = _group(tokens, at)
            bottom, at = _group(tokens, at)
            out.append(f"{_atom(_render(top))}/{_atom(_render(bottom))}")
        elif value == "sqrt":
            arg, at = _group(tokens, at)
            out.append(f"√({_render(arg)})")
        else:
            out.append(_SYMBOLS.get(value, value))
            if value in ("log", "exp", "ln", "max", "min", "arg") and at < len(tokens) \
                    and tokens[at][0] == "text" and tokens[at][1][:1].isalnum():
                out.append(" ")
        # scripts that follow this token
        while at < len(tokens) and tokens[at] in (("brace", "_"), ("brace", "^")):
            mark = tokens[at][1]
            arg, at = _group(tokens, at + 1)
            out.append(_script(_render(arg), SUBSCRIPTS if mark == "_" else SUPERSCRIPTS, mark))
    return "".join(out)


def unicode_maths(source: str) -> str:
    """A short LaTeX formula (``H(p, \\hat{p})``, ``y_k``) in Unicode (``H(p, p̂)``, ``yₖ``)."""
    text = _render(_tokens(source))
    return re.sub(r" {2,}", " ", text).strip()
