"""Scripts and indices: ``x^2``, ``y_{i,k}``, ``p_i^{(k)}``, ``y^2_i`` (= ``y_i^2``),
``D_{\\text{KL}}`` (a subscript that is part of the name)."""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Group, IndexPart
from .names import DECORATORS, GREEK
from .tokens import rest_of_numeral, split
from .mixin import ReaderMixin


class ScriptReading(ReaderMixin):
    """Sub- and superscripts: exponents, indices (``y_{i,k}``, ``p_i^{(k)}``) and name subscripts."""

    def script_tokens(self, mark: Token) -> list[Token]:
        """Tokens of a sub- or superscript: a braced group, or one token."""
        tok = self.peek()
        if tok is None:
            raise self.error("a sub- or superscript without content", mark)
        if tok.text == "{":
            end = self.matching(self.i)
            inner = self.tokens[self.i + 1:end]
            self.i = end + 1
            return inner
        if tok.kind == "num" and len(tok.text) > 1:
            self.i += 1
            self.tokens = self.tokens[:self.i] + rest_of_numeral(tok) + self.tokens[self.i:]
            return [Token("num", tok.text[0], tok.pos)]
        if tok.kind == "cmd" and tok.text in DECORATORS:
            start = self.i
            self.i += 1
            if self.peek() is not None and self.peek().text == "{":
                self.i = self.matching(self.i) + 1
            else:
                self.i += 1
            return self.tokens[start:self.i]
        self.i += 1
        return [tok]

    def exponent(self, caret: Token, read_as_power: bool = False) -> sp.Symbol | str:
        """The exponent after ``caret``. A transpose mark here (``x^\\top`` not followed by a
        vector) is refused; so is ``x^T`` unless ``read_as_power`` says the transpose reading
        was already ruled out (:meth:`~.vectors.VectorReading.transpose`) or ``T`` is a variable."""
        tok = self.peek()
        if tok is None:
            raise self.error("a power without an exponent", caret)
        if tok.text in ("*", "'", r"\prime"):
            raise self.error(f"^{tok.text}: stars and primes as exponents are not supported", tok)
        mark = self.transpose_at(self.i - 1)
        if mark is not None and mark[0] == "sure":
            raise self.error("a transpose is read only in a dot product of two vectors, a^\\top b", tok)
        if mark is not None and not read_as_power and not self.t_is_variable():
            raise self.error("^T is ambiguous here: a transpose (read only in a dot product a^\\top b) or a "
                             "power T; name the exponent with another letter for a power", tok)
        if tok.text == r"\frac":  # x^\frac{a}{b}: TeX sets the whole fraction as the exponent
            self.i += 1
            num = self.argument(tok, "numerator")
            den = self.argument(tok, "denominator")
            self.note("^\\frac{..}{..} without braces was read as ^{\\frac{..}{..}}, the whole fraction as the "
                      "exponent (as TeX sets it)")
            return self.new(Group(self.finish([r"\frac{", num, "}{", den, "}"])))
        return self.argument(caret, "exponent")

    def suffixes(self, euler: bool = False) -> tuple[tuple[IndexPart, ...], str]:
        """``_{..}`` indices and a parenthesised superscript ``^{(k)}``, in either order."""
        indices: tuple[IndexPart, ...] = ()  # in order of appearance: p_i^{(k)} and y^{(i)}_k are [i, k]
        suffix = ""
        seen_sub = seen_sup = False
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.text == "^" and not seen_sub and not self.index_superscript():
                self.subscript_first()
                tok = self.peek()
            if tok.text == "_" and not seen_sub:
                seen_sub = True
                self.i += 1
                sub, suffix = self.subscript(self.script_tokens(tok), tok)
                indices += sub
            elif tok.text == "^" and not seen_sup and not euler and self.index_superscript():
                seen_sup = True
                self.i += 1
                inner = self.script_tokens(tok)
                indices += tuple(IndexPart(expr=self.sub(p, "index", tok)) for p in split(inner[1:-1], {","}))
            else:
                break
        tok = self.peek()
        if seen_sup and tok is not None and tok.text == "^":
            raise self.error("a double superscript: put the power in brackets, (p_i^{(k)})^2", tok)
        return indices, suffix

    def subscript_first(self) -> None:
        """``y^2_i`` is ``y_i^2``: move a subscript written after a power in front of it."""
        end = self.script_end(self.i + 1)
        if end < len(self.tokens) and self.tokens[end].text == "_":
            sub_end = self.script_end(end + 1)
            power, sub = self.tokens[self.i:end], self.tokens[end:sub_end]
            self.tokens = self.tokens[:self.i] + sub + power + self.tokens[sub_end:]

    def script_end(self, j: int) -> int:
        """Index just past the script (braced group or one token) starting at ``j``."""
        if j >= len(self.tokens):
            return j
        if self.tokens[j].text == "{":
            saved = self.i
            end = self.matching(j)
            self.i = saved
            return end + 1
        return j + 1

    def index_superscript(self) -> bool:
        """``^{(k)}``: a superscript that is a parenthesised index (letters or
        numerals, separated by commas), not a power such as ``^{(1-y)}``."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return False
        end = self.matching(self.i + 1)
        inner = self.tokens[self.i + 2:end]
        if not (len(inner) >= 3 and inner[0].text == "(" and inner[-1].text == ")"
                and self.matching(self.i + 2) == end - 1):
            return False
        parts = split(inner[1:-1], {","})
        return all(index_like(p) for p in parts)

    def subscript(self, inner: list[Token], at: Token) -> tuple[tuple[IndexPart, ...], str]:
        if not inner:
            raise self.error("an empty subscript", at)
        if inner[0].text in (r"\text", r"\mathrm", r"\textrm", r"\operatorname"):
            word = "".join(t.text for t in inner if t.kind in ("letter", "num"))
            return (), word
        parts = split(inner, {","})
        if len(parts) == 1 and len(inner) >= 2 and all(t.kind == "letter" for t in inner):
            return (IndexPart(letters="".join(t.text for t in inner)),), ""
        return tuple(IndexPart(expr=self.sub(p, "index", at)) for p in parts), ""


def index_like(part: list[Token]) -> bool:
    """One index in a superscript: ``k``, ``2``, or a subscripted letter such as ``y_i``."""
    if not part or not (part[0].kind in ("letter", "num") or part[0].text in GREEK):
        return False
    if len(part) == 1:
        return True
    return part[1].text == "_" and (len(part) == 3 or (part[2].text == "{" and part[-1].text == "}"))

