"""Delimiters and numbers: brackets (``\\bigl(``, ``\\mleft(``, ``\\lbrace`` are spellings of them,
see the lexer), braced arguments (``\\frac12``), ``{n \\choose k}``, ``|x|`` (``\\vert``,
``\\lvert``), floor and ceiling brackets, numerals (``2.5E2`` in scientific notation,
``1\\frac{1}{2}`` as a mixed number) and ``\\boxed{..}``."""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Call, Constant, Group
from .names import DECORATORS, GREEK
from .tokens import CLOSE, rest_of_numeral, top_level
from .mixin import ReaderMixin

#: Brackets that round or take the magnitude: opener -> (closer, function).
ROUNDING = {r"\lfloor": (r"\rfloor", "floor"), r"\lceil": (r"\rceil", "ceil"),
            # latex2sympy2's corners: the upper ones round up, the lower ones down
            r"\ulcorner": (r"\urcorner", "ceil"), r"\llcorner": (r"\lrcorner", "floor")}
#: Exponents of scientific notation read (beyond, the number is refused).
MAX_EXPONENT = 1000


class DelimiterReading(ReaderMixin):
    """Brackets, braced arguments, absolute values and numerals."""

    def group(self) -> sp.Symbol:
        open_ = self.take()
        closer = CLOSE.get(open_.text)
        if closer is None:
            raise self.error(f"unsupported bracket {open_.text}", open_)
        if open_.text == "{" and self.binomial_inside():
            return self.choose(open_)
        expr = self.piece((closer,))
        self.expect(closer, open_)
        return self.new(Group(expr))

    def argument(self, at: Token, what: str) -> sp.Symbol | str:
        """A braced argument, or the single token LaTeX takes when there are no braces."""
        tok = self.peek()
        if tok is None:
            raise self.error(f"missing {what}", at)
        if tok.text == "{":
            return self.group()
        return self.single(tok, what)

    def single(self, tok: Token, what: str) -> sp.Symbol | str:
        if tok.kind == "num":
            self.i += 1
            if len(tok.text) > 1:  # \frac12 and x^23 take one digit
                if "." in tok.text[:2]:
                    raise self.error(f"brace the {what}", tok)
                self.tokens = self.tokens[:self.i] + rest_of_numeral(tok) + self.tokens[self.i:]
            return tok.text[0]
        if tok.kind == "letter" or tok.text in GREEK or tok.text in DECORATORS:
            return self.atom_or_call(allow_call=False)
        raise self.error(f"brace the {what}", tok)

    def binomial_inside(self) -> bool:
        """Whether the braced group just opened holds ``n \\choose k`` at its top level."""
        end = self.matching(self.i - 1)
        return any(t.text == r"\choose" for t in top_level(self.tokens[self.i:end]))

    def choose(self, open_: Token) -> sp.Symbol:
        """``{n \\choose k}``: the binomial coefficient."""
        end = self.matching(self.i - 1)
        inner = self.tokens[self.i:end]
        at = next(j for j, t in enumerate(inner) if t.text == r"\choose")
        self.i = end + 1
        top = self.sub(inner[:at], "upper argument", open_)
        bottom = self.sub(inner[at + 1:], "lower argument", open_)
        return self.new(Call("binomial", top, None, (bottom,)))

    def absolute(self, tok: Token) -> sp.Symbol:
        """``|x|``, ``\\lvert x \\rvert``; and ``\\lfloor x \\rfloor``, ``\\lceil x \\rceil``."""
        self.i += 1
        closer, func = ROUNDING.get(tok.text, ("|" if tok.text == "|" else r"\rvert", "abs"))
        expr = self.piece((closer,))
        self.expect(closer, tok)
        if tok.text in (r"\ulcorner", r"\llcorner"):
            self.note(f"{tok.text}..{closer} was read as the {'ceiling' if func == 'ceil' else 'floor'}")
        return self.new(Call(func, expr))

    def number(self, tok: Token) -> sp.Symbol | str:
        self.i += 1
        nxt = self.peek()
        after = self.peek(1)
        if (nxt is not None and nxt.text in ("e", "E") and nxt.pos == tok.pos + len(tok.text) and after is not None
                and (after.kind == "num" or after.text in ("+", "-"))):
            raise self.error(f"{tok.text}{nxt.text}..: scientific notation is not LaTeX; write {tok.text}\\cdot 10^{{..}}", tok)
        if tok.text == "1" and nxt is not None and (nxt.text == "_" or nxt.text == r"\{"):
            self.i -= 1
            return self.indicator(tok)
        if "e" in tok.text.lower():
            return self.new(Constant(self.scientific(tok)))
        mixed = self.mixed_number(tok)
        if mixed is not None:
            return self.new(Constant(mixed))
        if "." in tok.text or sp.Integer(tok.text) == 0:
            # decimals exactly; and 0 kept from the parser, which would fold 0 * 0^{-1} to 0
            return self.new(Constant(sp.Rational(tok.text)))
        return tok.text

    def scientific(self, tok: Token) -> sp.Rational:
        """``2.5E2`` is 250 and ``1e-3`` is 1/1000 (with a note: LaTeX would read e as a letter)."""
        mantissa, _, exponent = tok.text.lower().partition("e")
        if abs(int(exponent)) > MAX_EXPONENT:
            raise self.error(f"{tok.text}: an exponent beyond {MAX_EXPONENT} is not read", tok)
        self.note(f"{tok.text} was read in scientific notation, as {mantissa} \\cdot 10^{{{int(exponent)}}}")
        return sp.Rational(mantissa) * sp.Integer(10) ** int(exponent)

    def mixed_number(self, tok: Token) -> sp.Rational | None:
        """``1\\frac12`` and ``1\\frac{1}{2}`` are both the mixed number 3/2 (with a note):
        an integer numeral right before a fraction of two integer numerals, the
        numerator smaller than the denominator. Any other numeral before a fraction
        multiplies it (``2\\frac{1}{N}``, ``3.1\\frac{1}{2}``). The cursor is past ``tok``."""
        if not tok.text.isdigit() or self.peek() is None or self.peek().text != r"\frac":
            return None
        j = self.i + 1
        parts: list[str] = []
        if j < len(self.tokens) and self.tokens[j].kind == "num" and self.tokens[j].text.isdigit() \
                and len(self.tokens[j].text) == 2:
            parts, j = list(self.tokens[j].text), j + 1  # \frac12
        else:
            for _ in range(2):
                if j + 2 < len(self.tokens) and self.tokens[j].text == "{" and self.tokens[j + 1].kind == "num" \
                        and self.tokens[j + 1].text.isdigit() and self.tokens[j + 2].text == "}":
                    parts.append(self.tokens[j + 1].text)
                    j += 3
                elif j < len(self.tokens) and self.tokens[j].kind == "num" and len(self.tokens[j].text) == 1:
                    parts.append(self.tokens[j].text)
                    j += 1
        if len(parts) != 2 or not 0 < int(parts[0]) < int(parts[1]):
            return None
        after = self.tokens[j] if j < len(self.tokens) else None
        if after is not None and after.text == "^":
            # (1 1/2)^2 = 9/4 as a mixed number, 1 (1/2)^2 = 1/4 as a product: refused
            raise self.error(f"{tok.text}\\frac{{{parts[0]}}}{{{parts[1]}}}^..: a mixed number or a product "
                             f"with a power; write ({tok.text}\\frac{{{parts[0]}}}{{{parts[1]}}})^{{..}} or "
                             f"{tok.text} \\cdot \\frac{{{parts[0]}}}{{{parts[1]}}}^{{..}}", tok)
        if after is not None and after.text == "_":
            return None
        self.i = j
        value = sp.Integer(tok.text) + sp.Rational(int(parts[0]), int(parts[1]))
        self.note(f"{tok.text}\\frac{{{parts[0]}}}{{{parts[1]}}} was read as the mixed number {tok.text} + "
                  f"{parts[0]}/{parts[1]} = {value}; write {tok.text} \\cdot \\frac{{{parts[0]}}}{{{parts[1]}}} "
                  "for a product")
        return value
