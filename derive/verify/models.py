"""Model statements: ``y_i \\sim \\mathcal{N}(\\mu, \\sigma^2)`` on a row of its own.

Such a row says how the data are distributed: an assumption of the derivation (like a
definition), not a step to check. It is recognised only in one shape: a variable as written
(a letter or a command name, with indices, a hat or a bold face) on the left, and a named
distribution with its parameters in parentheses (:func:`..parsing.reader.distributions.spelled`)
and nothing else on the right. Anything else written with ``\\sim`` (``a + b \\sim 2a``,
``x \\sim p``) stays a relation that is not checked.
"""
from __future__ import annotations

import re

from ..parsing.lexer import ParseError, Token, tokenize
from ..parsing.reader.distributions import spelled
from .tokens import closing

#: Commands allowed in the variable on the left of ``\sim``: faces and accents of one name.
_VARIABLE_COMMANDS = {r"\mathbf", r"\boldsymbol", r"\bm", r"\hat", r"\tilde", r"\bar", r"\vec", r"\mathrm",
                      r"\mathit"}
#: Characters allowed in the variable: indices and their groups.
_VARIABLE_CHARS = {"_", "^", "{", "}", "(", ")", ","}
_TAIL = re.compile(r"(\\[,;:!]|\\q?quad|[\s.,~])*$")
#: Punctuation that may end the row after the distribution.
_TRAILING = {".", ","}


def _tokens(raw: str) -> list[Token] | None:
    try:
        return [t for t in tokenize(raw) if t.kind != "space"]
    except ParseError:
        return None


def _is_variable(tokens: list[Token]) -> bool:
    """One variable as written: ``y_i``, ``X``, ``\\mathbf{x}^{(i)}``, ``\\sigma``."""
    if not tokens or tokens[0].kind not in ("letter", "cmd"):
        return False
    for t in tokens:
        if t.kind == "letter" or t.kind == "num" or t.text in _VARIABLE_CHARS:
            continue
        if t.kind == "cmd" and (t.text in _VARIABLE_COMMANDS or t.text.lstrip("\\").isalpha()
                                and t.text not in _OPERATOR_COMMANDS):
            continue
        return False
    return True


#: Commands that make the left side an expression, not a variable.
_OPERATOR_COMMANDS = {r"\frac", r"\sum", r"\prod", r"\int", r"\cdot", r"\times", r"\log", r"\ln", r"\exp",
                      r"\sqrt", r"\left", r"\right", r"\mid", r"\pm", r"\mp", r"\div", r"\partial", r"\nabla",
                      r"\mathbb", r"\mathcal", r"\operatorname", r"\text", r"\max", r"\min", r"\lim"}


def _is_distribution(tokens: list[Token]) -> bool:
    """A named distribution with its parameters: ``\\mathcal{N}(\\mu, \\sigma^2)``, ``\\mathrm{Bern}(p)``."""
    found = spelled(tokens, 0)
    if found is None or found[2] >= len(tokens) or tokens[found[2]].text != "(":
        return False
    close = closing(tokens, found[2], "(", ")")
    if close is None or close == found[2] + 1:
        return False
    return all(t.text in _TRAILING for t in tokens[close + 1:])


def model_statement(left: str, right: str) -> str | None:
    """The model ``left \\sim right`` states, in words, when the two sides have the shape of
    one (a variable, a named distribution with its parameters); None otherwise."""
    lt, rt = _tokens(left), _tokens(right)
    if lt is None or rt is None or not _is_variable(lt) or not _is_distribution(rt):
        return None
    shown = _TAIL.sub("", right)
    return f"states the model: {left.strip()} is distributed as {shown}"
