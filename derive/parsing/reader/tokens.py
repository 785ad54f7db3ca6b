"""Token-level helpers shared by the reading families: brackets and top-level splits."""
from __future__ import annotations

from ..lexer import Token

#: The closing bracket of each opening one.
CLOSE = {"(": ")", "[": "]", "{": "}", r"\{": r"\}", r"\lvert": r"\rvert", "|": "|"}




def is_open(tok: Token) -> bool:
    return tok.text in ("(", "[", "{", r"\{", r"\lvert")




def top_level(tokens: list[Token]):
    depth = 0
    for t in tokens:
        if is_open(t):
            depth += 1
        elif t.text in (")", "]", "}", r"\}", r"\rvert"):
            depth -= 1
        elif depth == 0:
            yield t



def split(tokens: list[Token], separators: set[str]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if is_open(t):
            depth += 1
        elif t.text in (")", "]", "}", r"\}", r"\rvert"):
            depth -= 1
        if depth == 0 and t.text in separators:
            parts.append([])
            continue
        parts[-1].append(t)
    return parts
