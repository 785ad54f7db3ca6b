"""Bracket matching over the lexer's tokens, shared by the verify modules."""
from __future__ import annotations

from ..parsing.lexer import Token


def closing(tokens: list[Token], i: int, opener: str = "{", closer: str = "}") -> int | None:
    """Index of the token closing the ``opener`` at ``tokens[i]``, or None if it is never closed."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].text == opener
        depth -= tokens[j].text == closer
        if depth == 0:
            return j
    return None
