"""Token-level helpers shared by the reading families: brackets and top-level splits."""
from __future__ import annotations

from ..lexer import Token

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
