"""The one place that calls ``latex2sympy2_extended``.

The reader hands over flat pieces of LaTeX: operators, ``\\frac``, powers,
``\\sum``/``\\prod`` with bounds, factorials and implicit products over
single-letter placeholders. Bracketed groups were cut out beforehand, so
each piece is small: the parser's cost grows fast with nesting, and short
pieces recur (``1 - A``, ``A \\log B``), so results are memoised.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .lexer import ParseError

class PieceError(ParseError):
    """The parser refused a piece; ``piece`` is in placeholder letters, for the
    reader to describe in the user's terms (never shown as it is)."""

    def __init__(self, detail: str, piece: str):
        self.detail, self.piece = detail, piece
        super().__init__(f"this part of the formula could not be read ({detail})")


#: Single-letter names safe to hand to the parser (no e, E, I, i, d, o).
LETTERS = [c for c in "ABCDFGHJKLMNOPQRSTUVWXYZabcfghjklmnpqrstuvwxyz"]


def _converter():
    from latex2sympy2_extended import latex2sympy2 as backend
    from latex2sympy2_extended.latex2sympy2 import ConversionConfig

    config = ConversionConfig(lowercase_symbols=False, interpret_as_mixed_fractions=False,
                              interpret_contains_as_eq=False, interpret_simple_eq_as_assignment=False)
    return backend, config


@lru_cache(maxsize=8192)
def parse_piece(piece: str) -> sp.Expr:
    """Parse one flat piece; names in it are letters of :data:`LETTERS`."""
    backend, config = _converter()
    try:
        result = backend._Latex2Sympy(config=config).parse(piece)
    except RecursionError:
        raise ParseError("the formula is nested too deeply") from None
    except Exception as exc:  # the backend raises bare Exception with its own caret
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PieceError(first, piece) from None
    if not isinstance(result, sp.Expr):
        raise ParseError(f"{piece!r} is not an expression (it reads as {type(result).__name__})")
    return result
