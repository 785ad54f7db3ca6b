"""Indicators: ``\\mathbb{1}\\{y=k\\}``, ``\\mathbb{1}_{y \\neq k}``, ``[y=k]``, ``1_{y=k}``,
``\\delta_{y,k}``; each a Kronecker delta (or one minus it)."""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Indicator
from .tokens import CLOSE, is_open, split, top_level
from .mixin import ReaderMixin

INDICATOR_HEADS = {r"\mathbb", r"\mathbbm", r"\mathbf", r"\mathds", r"\bm", r"\boldsymbol", r"\mathrm"}
RELATIONS = {"=", r"\neq", r"\ne", "==", "!="}


class IndicatorReading(ReaderMixin):
    """Indicators: ``\\mathbb{1}\\{y=k\\}``, ``[y=k]``, ``1_{y=k}``, ``\\delta_{y,k}``."""

    def is_iverson(self) -> bool:
        end = self.matching(self.i)
        depth = 0
        for t in self.tokens[self.i + 1:end]:
            if is_open(t):
                depth += 1
            elif t.text in (")", "]", "}", r"\}", r"\rvert"):
                depth -= 1
            elif depth == 0 and t.text in RELATIONS:
                return True
        return False

    def starts_indicator(self, tok: Token) -> bool:
        nxt = self.peek(1)
        if tok.text in INDICATOR_HEADS and nxt is not None and nxt.text == "{":
            inner = self.peek(2), self.peek(3)
            return (inner[0] is not None and inner[0].text in ("1", "I") and inner[1] is not None
                    and inner[1].text == "}")
        if tok.text in (r"\mathbb", r"\mathbbm", r"\mathds") and nxt is not None and nxt.text in ("1", "I"):
            return True
        return tok.text == r"\delta" and nxt is not None and nxt.text == "_"

    def indicator(self, tok: Token) -> sp.Symbol:
        if tok.text == r"\delta":
            self.i += 2
            inner = self.script_tokens(tok)
            parts = split(inner, {","})
            if len(parts) == 1 and len(inner) == 2:
                parts = [[inner[0]], [inner[1]]]
            if len(parts) != 2 or not all(parts):
                raise self.error(r"\delta_{a,b} needs exactly two indices", tok)
            return self.new(Indicator(self.sub(parts[0], "indicator", tok), self.sub(parts[1], "indicator", tok)))
        # skip the head: \mathbb{1}, \mathbb 1, or the numeral 1
        self.i += 1
        if tok.kind != "num":
            if self.peek().text == "{":
                self.i += 3
            else:
                self.i += 1
        nxt = self.peek()
        if nxt is None:
            raise self.error("an indicator without a condition", tok)
        if nxt.text == "_":
            self.i += 1
            inner = self.script_tokens(nxt)
            return self.condition(inner, tok)
        if nxt.text in (r"\{", "[", "("):
            return self.indicator_body(nxt, nxt.text, CLOSE[nxt.text])
        raise self.error("an indicator needs a condition: \\mathbb{1}\\{y=k\\}, 1_{y=k} or [y=k]", tok)

    def indicator_body(self, open_: Token, opener: str, closer: str) -> sp.Symbol:
        end = self.matching(self.i)
        inner = self.tokens[self.i + 1:end]
        self.i = end + 1
        return self.condition(inner, open_)

    def condition(self, inner: list[Token], at: Token) -> sp.Symbol:
        while len(inner) >= 2 and (inner[0].text, inner[-1].text) in (("\\{", "\\}"), ("(", ")"), ("{", "}"),
                                                                      ("[", "]")):
            inner = inner[1:-1]  # 1_{\{y=k\}}
        merged: list[Token] = []
        for t in inner:  # '==' and '!=' arrive as two tokens each
            if t.text == "=" and merged and merged[-1].text in ("=", "!"):
                if merged[-1].text == "!":
                    merged[-1] = Token("cmd", r"\neq", merged[-1].pos)
                continue
            merged.append(t)
        inner = merged
        parts = split(inner, RELATIONS)
        relations = [t for t in top_level(inner) if t.text in RELATIONS]
        if len(parts) != 2 or len(relations) != 1:
            raise self.error("an indicator's condition must be one comparison a = b (or a \\neq b)", at)
        negated = relations[0].text in (r"\neq", r"\ne", "!=")
        lhs, rhs = parts
        if rhs and rhs[0].text == "=":  # '==' arrives as two tokens
            rhs = rhs[1:]
        return self.new(Indicator(self.sub(lhs, "indicator", at), self.sub(rhs, "indicator", at), negated))
