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
            r"\middle"}
_PUNCT = set("+-*/^_=()[]{}|,.!<>'&:;")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, dropping spacing, ``$`` and sizing commands.

    ``\\left.`` and ``\\right.`` (invisible delimiters) vanish; ``\\left(``
    keeps its ``(``.
    """
    if len(text) > MAX_INPUT:
        raise ParseError(f"the input is {len(text)} characters long; at most {MAX_INPUT} are read")
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c == "$":
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
                    tokens.append(Token("cmd", name, i))
                i = j
                continue
            if j < n and text[j] in "{}|,;:! #%&_$":
                name = text[i:j + 1]
                if name not in _SPACING:
                    tokens.append(Token("sym", name, i))
                i = j + 1
                continue
            if j < n and text[j] == "\\":
                raise ParseError("a line break (\\\\) inside one formula; give one formula", text, i)
            raise ParseError("a backslash that starts no command", text, i)
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and (text[j].isdigit() or (text[j] == "." and j + 1 < n and text[j + 1].isdigit()
                                                    and "." not in text[i:j])):
                j += 1
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
