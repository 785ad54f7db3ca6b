"""Derivatives: Leibniz fractions (``\\frac{d}{dx}``) are recognised so that they are
refused with a message, never read as a fraction of products of d's."""
from __future__ import annotations

from ..lexer import Token
from .names import DECORATORS, GREEK


class DerivativeReading:
    """Derivative notation, recognised so that it is refused rather than misread."""

    def refuse_derivative(self, tok: Token) -> None:
        """``\\frac{d}{dx}``, ``\\frac{dL}{dw}``: Leibniz notation, not a fraction of d's."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return
        end = self.matching(self.i + 1)
        numerator = self.tokens[self.i + 2:end]
        after = self.tokens[end + 1] if end + 1 < len(self.tokens) else None
        if after is None or after.text != "{":
            return
        denominator = self.tokens[end + 2:self.matching(end + 1)]
        def leibniz(part: list[Token], lone: bool) -> bool:
            return (bool(part) and part[0].text in ("d", r"\partial")
                    and ((lone and len(part) == 1) or (len(part) >= 2 and (part[1].kind == "letter"
                                                                          or part[1].text in GREEK
                                                                          or part[1].text in DECORATORS))))
        if leibniz(numerator, True) and leibniz(denominator, False):
            raise self.error("derivatives (d/dx) are not supported by check; write the derivative out", tok)
