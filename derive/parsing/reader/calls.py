"""Calls: a function at an element (``p(x_i)``, ``\\lambda(f_i)``) and events inside probabilities
(``p(y=1 \\mid x)``).

A call at one element is an unknown function of that element, equal only to itself (``p(x_i)``
and ``p(x_j)`` are two values); the density letters (:data:`DENSITY_LETTERS`) give positive
values. A probability of an event or a conditional probability (``p(y=1 \\mid x)``,
``P(y \\mid x)``) is one unknown positive number, named by its text: two spellings of one event
are one number, and nothing else is known of it. Both come with a note. A name used both as a
function and as a variable in one comparison is refused (see :func:`..assemble`'s caller).

Points never decide what an unknown function computes, so formulas with these calls are
``equivalent`` only by a proof, and ``not_equivalent`` only where the difference does not
depend on the unknown function.
"""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Call, Constant
from .mixin import ReaderMixin
from .tokens import split

#: Names whose calls are probabilities or densities: positive values.
DENSITY_LETTERS = {"p", "q", "P", "Q"}
#: Names read as a function when called at one element (``\\lambda(f_i)``); other letters multiply.
ELEMENT_CALLERS = {"f", "g", "h", "p", "q", "P", "Q", r"\phi", r"\psi", r"\lambda"}
#: Bars of a conditional probability.
GIVEN = {r"\mid", "|", r"\vert"}


def event_name(key: str, inner: list[Token]) -> str:
    """One spelling of a probability's text: ``p(y=1|x)`` for ``p(y = 1 \\mid x)``."""
    parts = []
    for t in inner:
        if t.text in ("{", "}", r"\mathbf", r"\boldsymbol", r"\bm"):
            continue
        parts.append("|" if t.text in GIVEN else t.text)
    body = ""
    for text in parts:
        if body and body[-1].isalnum() and text[:1].isalnum():
            body += " "
        body += text
    return f"{key}({body})"


class CallReading(ReaderMixin):
    """``p(y=1 \\mid x)`` and ``p(x_i)``: calls that are neither an element nor a product."""

    def event_here(self, key: str, inner: list[Token]) -> bool:
        """Whether ``key(inner)`` is a probability of an event or a conditional probability."""
        if key not in DENSITY_LETTERS:
            return False
        depth, bars, equals = 0, 0, 0
        for t in inner:
            if t.text in ("(", "[", "{", r"\{"):
                depth += 1
            elif t.text in (")", "]", "}", r"\}"):
                depth -= 1
            elif depth == 0 and t.text in GIVEN:
                bars += 1
            elif depth == 0 and t.text == "=":
                equals += 1
        return bars == 1 or (bars == 0 and equals >= 1)

    def event(self, key: str, inner: list[Token], end: int) -> sp.Symbol:
        """``p(y=1 \\mid x)``: one unknown positive number named by its text."""
        name = event_name(key, inner)
        self.i = end + 1
        self.called.add(key)
        self.note(f"{name} was read as one unknown probability (positive; equal only to itself)")
        return self.new(Constant(sp.Function(name, positive=True)()))

    def element_argument(self, key: str, inner: list[Token]) -> bool:
        """Whether ``key(inner)`` is a function at one element: ``p(x_i)``, ``\\lambda(f_i)``."""
        if key not in ELEMENT_CALLERS or len(split(inner, {","})) != 1:
            return False
        saved = self.tokens, self.i
        self.tokens, self.i = inner, 0
        try:
            _, indices, suffix = self.decorated()
            more, _ = self.suffixes()
            return self.peek() is None and bool(indices or more) and not suffix
        except Exception:  # noqa: BLE001 -- not a name: not an element
            return False
        finally:
            self.tokens, self.i = saved

    def element_call(self, key: str, inner: list[Token], at: Token, end: int) -> sp.Symbol:
        """``p(x_i)``: the unknown function ``key`` at that element."""
        arg = self.sub(inner, f"argument of {key}", at)
        self.i = end + 1
        self.called.add(key)
        shown = "".join(t.text for t in inner)
        self.note(f"{key}({shown}) was read as the function {key} at {shown} (a function derive does not know, "
                  f"equal only to itself), not {key} times {shown}")
        return self.new(Call("@" + key, arg))
