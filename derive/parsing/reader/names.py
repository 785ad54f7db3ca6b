"""Names: letters, Greek letters and their decorations (``\\hat{y}``, ``\\mathbf{x}``),
with indices (``y_i``) or index arguments (``g(x)``); ``e`` and ``\\pi`` are constants."""
from __future__ import annotations

import sympy as sp

from ..nodes import Atom, Constant, IndexPart
from .tokens import split

GREEK = {f"\\{g}" for g in (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta "
    "Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell").split()}
DECORATORS = {r"\hat", r"\widehat", r"\tilde", r"\widetilde", r"\bar", r"\overline", r"\mathbf",
              r"\boldsymbol", r"\bm", r"\vec", r"\mathcal", r"\mathit", r"\mathsf", r"\mathrm",
              r"\check", r"\mathbb"}
#: Spellings of one decoration: \widehat{y} is \hat{y}, \bm{y} is \mathbf{y}.
SAME_DECORATION = {r"\widehat": r"\hat", r"\widetilde": r"\tilde", r"\overline": r"\bar",
                   r"\bm": r"\mathbf", r"\boldsymbol": r"\mathbf"}
BOLD = {r"\mathbf", r"\bm", r"\boldsymbol"}
FUNCTION_LETTERS = {"f", "g", "h", "p", "q", "P", "Q", r"\phi", r"\psi", r"\pi", r"\sigma"}
#: Names that, followed by parentheses, are a function (a loss, an entropy, the
#: Gamma function), never an element: check does not know what they compute.
OPAQUE_FUNCTIONS = {"L", "H", "D", "E", r"\Gamma", r"\Phi", r"\Psi", r"\mathcal{L}", r"\mathcal{H}",
                    r"\mathcal{D}", r"\ell"}


class NameReading:
    """Variables: letters, Greek letters and decorations, with their indices or arguments."""

    def atom_or_call(self, allow_call: bool = True) -> sp.Symbol:
        tok = self.peek()
        key, indices, suffix = self.decorated()
        more, more_suffix = self.suffixes(euler=key == "e" and not indices and not suffix)
        indices, suffix = indices + more, suffix or more_suffix
        if key in self.declared or key in self.bound:
            pass  # \pi given a domain, or e summed over, is a variable, not a constant
        elif key in ("e", r"\pi") and not indices and not suffix:
            return self.new(Constant(sp.E if key == "e" else sp.pi))
        nxt = self.peek()
        if allow_call and (indices or suffix) and nxt is not None and nxt.text == "(":
            end = self.matching(self.i)
            inner = self.tokens[self.i + 1:end]
            if key in OPAQUE_FUNCTIONS or (len(inner) == 1 and (inner[0].kind == "letter" or inner[0].text in GREEK)):
                raise self.error(f"{key} with an index, then (...): a function call, which check does not "
                                 f"read; for a product write \\cdot before the bracket", nxt)
        if allow_call and not indices and not suffix and nxt is not None and nxt.text == "(":
            end = self.matching(self.i)
            inner = self.tokens[self.i + 1:end]
            bars = sum(1 for t in inner if t.text == "|")
            if any(t.text == r"\mid" for t in inner) or bars % 2:  # |x| comes in pairs; p(y|x) does not
                raise self.error("conditional probability notation p(y|x) is not supported by check", nxt)
            if key in OPAQUE_FUNCTIONS:
                raise self.error(f"{key}(...) is a function check does not know; write out what it "
                                 "computes", nxt)
            parts = split(inner, {","})
            if parts and all(len(p) == 1 and (p[0].kind in ("letter", "num") or p[0].text in GREEK) for p in parts):
                self.i = end + 1
                indices = tuple(IndexPart(expr=self.sub(p, "index", nxt)) for p in parts)
                return self.new(Atom(key, indices, tok.pos))
            mentions_itself = any(t.text == key for t in inner)  # p(1-p) multiplies
            if key in FUNCTION_LETTERS and not mentions_itself:
                raise self.error(f"{key}(...) reads as a function call, which check supports only "
                                 f"with index arguments such as {key}(x); for a product write {key} \\cdot (...)", nxt)
        return self.new(Atom(key, indices, tok.pos, suffix))

    def decorated(self) -> tuple[str, tuple[IndexPart, ...], str]:
        """A base symbol: a letter, a Greek letter, or a decorator around one."""
        tok = self.take()
        if tok.kind == "letter" or tok.text in GREEK:
            return tok.text, (), ""
        if tok.text in DECORATORS:
            nxt = self.peek()
            if nxt is None:
                raise self.error(f"{tok.text} without an argument", tok)
            if nxt.text == "{":
                end = self.matching(self.i)
                inner = self.tokens[self.i + 1:end]
                if tok.text in (r"\mathrm", r"\mathit", r"\mathsf") and len(inner) > 1 and all(t.kind == "letter" for t in inner):
                    raise self.error(f"{tok.text}{{{''.join(t.text for t in inner)}}}: multi-letter names "
                                     "are not read (only single letters and known functions)", tok)
                if tok.text == r"\mathrm" and len(inner) == 1 and inner[0].text == "e":
                    self.i = end + 1
                    return "e", (), ""
                saved = self.tokens, self.i
                self.tokens, self.i = inner, 0
                try:
                    key, indices, suffix = self.decorated()
                    more, more_suffix = self.suffixes()
                    if self.peek() is not None:
                        raise self.error(f"unexpected {self.peek().text!r} inside {tok.text}{{..}}")
                finally:
                    self.tokens, self.i = saved
                self.i = end + 1
                indices, suffix = indices + more, suffix or more_suffix
            elif nxt.kind == "letter" or nxt.text in GREEK:
                self.i += 1
                key, indices, suffix = nxt.text, (), ""
            else:
                raise self.error(f"{tok.text} must decorate a letter", nxt)
            if tok.text in (r"\mathrm", r"\mathit"):
                return key, indices, suffix
            if tok.text == r"\mathbb":
                raise self.error(r"\mathbb is read only as the indicator \mathbb{1}", tok)
            if tok.text in BOLD:  # \mathbf{y}_i is y_i: bold is typography here
                return key, indices, suffix
            return f"{SAME_DECORATION.get(tok.text, tok.text)}{{{key}}}", indices, suffix
        raise self.error(self.unsupported(tok), tok)
