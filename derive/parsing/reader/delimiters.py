"""Delimiters and numbers: brackets, braced arguments (``\\frac12``), ``|x|`` and numerals."""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Call, Constant, Group
from .names import DECORATORS, GREEK
from .tokens import CLOSE


class DelimiterReading:
    """Brackets, braced arguments, absolute values and numerals."""

    def group(self) -> sp.Symbol:
        open_ = self.take()
        closer = CLOSE.get(open_.text)
        if closer is None:
            raise self.error(f"unsupported bracket {open_.text}", open_)
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
                self.tokens = self.tokens[:self.i] + [Token("num", tok.text[1:], tok.pos + 1)] + self.tokens[self.i:]
            return tok.text[0]
        if tok.kind == "letter" or tok.text in GREEK or tok.text in DECORATORS:
            return self.atom_or_call(allow_call=False)
        raise self.error(f"brace the {what}", tok)

    def absolute(self, tok: Token) -> sp.Symbol:
        self.i += 1
        closer = "|" if tok.text == "|" else r"\rvert"
        expr = self.piece((closer,))
        self.expect(closer, tok)
        return self.new(Call("abs", expr))

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
        if "." in tok.text or sp.Integer(tok.text) == 0:
            # decimals exactly; and 0 kept from the parser, which would fold 0 * 0^{-1} to 0
            return self.new(Constant(sp.Rational(tok.text)))
        return tok.text
