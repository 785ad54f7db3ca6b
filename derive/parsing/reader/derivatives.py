"""Derivatives: Leibniz fractions (``\\frac{d}{dx}``) are recognised so that they are
refused with a message, never read as a fraction of products of d's."""
from __future__ import annotations

from ..lexer import Token
from .names import DECORATORS, GREEK
from .mixin import ReaderMixin


def _after_differential(part: list[Token]) -> list[Token] | None:
    """The tokens after a leading differential (``d``, ``\\mathrm{d}``,
    ``\\operatorname{d}``, ``\\partial``) and its optional power (``^2``, ``^{n}``),
    or None when ``part`` does not start with one."""
    texts = [t.text for t in part]
    if texts[:1] in (["d"], [r"\partial"]):
        rest = part[1:]
    elif texts[:4] in ([r"\mathrm", "{", "d", "}"], [r"\operatorname", "{", "d", "}"]):
        rest = part[4:]
    else:
        return None
    if rest and rest[0].text == "^":
        if len(rest) >= 2 and rest[1].text == "{":
            close = next((j for j, t in enumerate(rest) if t.text == "}"), None)
            rest = rest[close + 1:] if close is not None else []
        else:
            rest = rest[2:]
    return rest


def _starts_variable(tok: Token) -> bool:
    return tok.kind == "letter" or tok.text in GREEK or tok.text in DECORATORS or tok.text in (r"\mathrm", r"\mathit")


class DerivativeReading(ReaderMixin):
    """Derivative notation, recognised so that it is refused rather than misread."""

    def refuse_derivative(self, tok: Token) -> None:
        """Refuse Leibniz notation: ``\\frac{d}{dx}``, ``\\frac{dy}{dx}``, ``\\frac{d^2}{dz^2}``,
        ``\\frac{\\mathrm{d}}{\\mathrm{d}w}``, ``\\frac{\\partial L}{\\partial z}``: a
        derivative, not a fraction with a variable d. A numerator that is a
        differential (d, \\mathrm{d}, \\operatorname{d}, \\partial, with an optional
        power) alone or before a term, over a denominator that is a differential
        before a variable, is refused; ``\\frac{a}{d}`` and ``\\frac{d}{2}`` stay fractions."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return
        end = self.matching(self.i + 1)
        after = self.tokens[end + 1] if end + 1 < len(self.tokens) else None
        if after is None or after.text != "{":
            return
        numerator = self.tokens[self.i + 2:end]
        denominator = self.tokens[end + 2:self.matching(end + 1)]
        top, bottom = _after_differential(numerator), _after_differential(denominator)
        if top is None or bottom is None or not bottom:
            return
        if not (_starts_variable(bottom[0]) and (not top or _starts_variable(top[0]) or top[0].text in "({[")):
            return
        raise self.error("a derivative (Leibniz notation such as \\frac{d}{dx} or \\frac{\\partial L}{\\partial z}) "
                         "is not supported yet; write the derivative out", tok)
