"""Tokens of the LaTeX subset ``derive check`` reads, each with its position.

The lexer refuses what it cannot place (non-ASCII look-alikes, stray
backslashes) before anything else sees the input, so every later error can
point at a position in the text the user wrote.
"""
from __future__ import annotations

from dataclasses import dataclass

#: Longest input accepted, in characters; longer input is refused, not parsed.
MAX_INPUT = 4000
#: Longest numeral accepted.
MAX_DIGITS = 60


class ParseError(ValueError):
    """Input that is not (supported) LaTeX; ``pos`` is a 0-based offset into it."""

    def __init__(self, message: str, text: str = "", pos: int | None = None):
        self.message = message
        self.text = text
        self.pos = pos
        super().__init__(self.render())

    def render(self) -> str:
        """The message, with the input and a caret under the position when it is short."""
        if self.pos is None or not self.text or len(self.text) > 200:
            where = f" (at position {self.pos + 1})" if self.pos is not None else ""
            return self.message + where
        return f"{self.message}\n  {self.text}\n  {' ' * self.pos}^"


@dataclass(frozen=True)
class Token:
    """``kind`` is one of: cmd (``\\name``), sym (``\\{`` and friends),
    letter, num, char (one punctuation character)."""

    kind: str
    text: str
    pos: int

    def is_(self, *texts: str) -> bool:
        return self.text in texts


_SPACING = {r"\,", r"\;", r"\:", r"\!", r"\ ", r"\quad", r"\qquad", "~", r"\displaystyle",
            r"\textstyle", r"\limits", r"\nolimits", r"\big", r"\Big", r"\bigg", r"\Bigg",
            r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\left", r"\right",
            r"\middle", r"\mleft", r"\mright", r"\mmiddle", r"\bigm", r"\Bigm", r"\biggm", r"\Biggm",
            r"\bigg", r"\Bigg", r"\thinspace", r"\medspace", r"\thickspace", r"\negthinspace",
            r"\negmedspace", r"\negthickspace", r"\enspace"}
#: Other spellings of one token: \vert is |, \lbrace is \{, \dfrac is \frac.
ALIASES = {r"\vert": "|", r"\rvert": r"\rvert", r"\lbrace": r"\{", r"\rbrace": r"\}", r"\lbrack": "[",
           r"\rbrack": "]", r"\lgroup": "(", r"\rgroup": ")", r"\dfrac": r"\frac", r"\tfrac": r"\frac",
           r"\cfrac": r"\frac", r"\dbinom": r"\binom", r"\tbinom": r"\binom", r"\bmod": r"\mod",
           r"\le": r"\leq", r"\ge": r"\geq", r"\ne": r"\neq", r"\lparen": "(", r"\rparen": ")"}
#: Characters people paste from rendered formulas, read as the LaTeX they stand for.
UNICODE = {
    # U+03B5 and U+03C6 are the curly forms (\varepsilon, \varphi); U+03F5 and U+03D5 the
    # straight ones (\epsilon, \phi), as unicode-math maps them: two letters, two names.
    **{chr(0x3B1 + i): "\\" + name for i, name in enumerate(
        "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
        "varsigma sigma tau upsilon varphi chi psi omega".split()) if name != "omicron"},
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi",
    "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega", "ϕ": r"\phi", "ϵ": r"\epsilon",
    "ℓ": r"\ell", "−": "-", "–": "-", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∙": r"\cdot",
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "∥": r"\|", "‖": r"\|", "∑": r"\sum", "∏": r"\prod",
    "√": r"\sqrt", "∞": r"\infty", "′": "'", "″": "''", "∂": r"\partial", "∇": r"\nabla", "∈": r"\in",
    "∣": r"\mid", "⊤": r"\top", "…": r"\ldots", "⋯": r"\cdots", "÷": "/", "\u00a0": " ",
}
_PUNCT = set("+-*/^_=()[]{}|,.!<>'&:;")


def tokenize(text: str, notes: list[str] | None = None) -> list[Token]:
    """Split ``text`` into tokens, dropping spacing, ``$`` and sizing commands.

    ``\\left.`` and ``\\right.`` (invisible delimiters) vanish; ``\\left(``
    keeps its ``(``. Other spellings of one token (:data:`ALIASES`, :data:`UNICODE`)
    become that token; ``2.5E2`` and ``1e-3`` are one numeral (scientific notation).
    A line break (``\\\\``) or a lone backslash at either end of the text is dropped;
    a doubled backslash before a command's name (``\\\\frac``, an escape doubled
    twice) is that command, with a note in ``notes``.
    """
    text = _trim_breaks(text)
    if len(text) > MAX_INPUT:
        raise ParseError(f"the input is {len(text)} characters long; at most {MAX_INPUT} are read")
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c in "$~":
            i += 1
            continue
        if c in UNICODE:
            for piece in _unicode_tokens(UNICODE[c], i):
                tokens.append(piece)
            i += 1
            continue
        if ord(c) > 127:
            raise ParseError(f"unsupported character {c!r} (U+{ord(c):04X}); write it as a LaTeX "
                             "command, e.g. \\alpha for α, - for −", text, i)
        if c == "\\":
            j = i + 1
            if j < n and text[j].isalpha():
                while j < n and text[j].isalpha():
                    j += 1
                name = text[i:j]
                if name in (r"\left", r"\right", r"\middle") and j < n and text[j] == ".":
                    j += 1  # an invisible delimiter
                elif name not in _SPACING:
                    alias = ALIASES.get(name, name)
                    tokens.append(Token("cmd" if alias.startswith("\\") and alias[1:].isalpha() else
                                        ("sym" if alias.startswith("\\") else "char"), alias, i))
                i = j
                continue
            if j < n and text[j] in "{}|,;:! #%&_$":
                name = text[i:j + 1]
                if name not in _SPACING:
                    tokens.append(Token("sym", name, i))
                i = j + 1
                continue
            if j < n and text[j] == "\\" and j + 1 < n and text[j + 1].isalpha():
                if notes is not None and "a doubled backslash" not in " ".join(notes):
                    notes.append("a doubled backslash before a command (\\\\frac) was read as the command")
                i = j
                continue
            if j < n and text[j] == "\\":
                raise ParseError("a line break (\\\\) inside one formula; give one formula", text, i)
            raise ParseError("a backslash that starts no command", text, i)
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and (text[j].isdigit() or (text[j] == "." and j + 1 < n and text[j + 1].isdigit()
                                                    and "." not in text[i:j])):
                j += 1
            j = _exponent_end(text, j)
            if j - i > MAX_DIGITS:
                raise ParseError(f"a numeral of {j - i} digits; at most {MAX_DIGITS} are read", text, i)
            tokens.append(Token("num", text[i:j], i))
            i = j
            continue
        if c.isalpha():
            tokens.append(Token("letter", c, i))
            i += 1
            continue
        if c in _PUNCT:
            tokens.append(Token("char", c, i))
            i += 1
            continue
        raise ParseError(f"unsupported character {c!r}", text, i)
    return tokens


def _unicode_tokens(latex: str, pos: int) -> list[Token]:
    if latex.isspace():
        return []
    if latex.startswith("\\") and latex[1:].isalpha():
        return [Token("cmd", latex, pos)]
    if latex.startswith("\\"):
        return [Token("sym", latex, pos)]
    return [Token("char", c, pos) for c in latex]


def _exponent_end(text: str, j: int) -> int:
    """The end of a numeral's exponent in scientific notation (``E2``, ``e-3``) starting
    at ``j``, or ``j``: the exponent is a letter e or E right after the digits, then
    digits, with an optional sign, and no letter right after them."""
    n = len(text)
    if j >= n or text[j] not in "eE":
        return j
    k = j + 1
    if k < n and text[k] in "+-":
        k += 1
    start = k
    while k < n and text[k].isdigit():
        k += 1
    if k == start or k - start > 4 or (k < n and (text[k].isalpha() or text[k] in "^_")):
        return j
    return k


def _trim_breaks(text: str) -> str:
    """``\\\\frac{1}{2}`` and ``185\\``: a line break or a lone backslash at either end says nothing."""
    stripped = text.strip()
    while stripped.startswith("\\\\") and not stripped[2:3].isalpha():
        stripped = stripped[2:].lstrip()
    while stripped.endswith("\\\\"):
        stripped = stripped[:-2].rstrip()
    if stripped.endswith("\\") and not stripped.endswith("\\\\"):
        stripped = stripped[:-1].rstrip()
    if stripped != text.strip():
        return stripped
    return text
