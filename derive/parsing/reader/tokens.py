"""Token-level helpers shared by the reading families: brackets and top-level splits."""
from __future__ import annotations

from ..lexer import Token, tokenize

#: The closing bracket of each opening one that makes a group.
CLOSE = {"(": ")", "[": "]", "{": "}", r"\{": r"\}", r"\lvert": r"\rvert", "|": "|"}
#: Every pair of brackets that nests (floor and ceiling too), for depth counting.
NESTING = {"(": ")", "[": "]", "{": "}", r"\{": r"\}", r"\lvert": r"\rvert", r"\lfloor": r"\rfloor",
           r"\lceil": r"\rceil", r"\ulcorner": r"\urcorner", r"\llcorner": r"\lrcorner"}
CLOSERS = frozenset(NESTING.values())


def is_open(tok: Token) -> bool:
    """Whether ``tok`` opens a group read by :meth:`~.delimiters.DelimiterReading.group`."""
    return tok.text in ("(", "[", "{", r"\{", r"\lvert")


def top_level(tokens: list[Token]):
    """The tokens outside every bracket."""
    depth = 0
    for t in tokens:
        if t.text in NESTING:
            depth += 1
        elif t.text in CLOSERS:
            depth -= 1
        elif depth == 0:
            yield t


def split(tokens: list[Token], separators: set[str]) -> list[list[Token]]:
    """``tokens`` cut at the separators outside every bracket."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if t.text in NESTING:
            depth += 1
        elif t.text in CLOSERS:
            depth -= 1
        if depth == 0 and t.text in separators:
            parts.append([])
            continue
        parts[-1].append(t)
    return parts


def rest_of_numeral(tok: Token) -> list[Token]:
    """The tokens of a numeral after its first digit, which a script or ``\\frac12`` takes alone:
    ``23`` leaves ``3``, and ``1e2`` leaves the letter e and ``2`` (not scientific notation)."""
    rest = tok.text[1:]
    if rest[:1].lower() == "e":
        return [Token("letter", rest[0], tok.pos + 1)] + [Token(t.kind, t.text, t.pos + tok.pos + 2)
                                                           for t in tokenize(rest[1:])]
    return [Token(t.kind, t.text, t.pos + tok.pos + 1) for t in tokenize(rest)]
