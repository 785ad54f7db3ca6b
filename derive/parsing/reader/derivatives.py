"""Derivatives: Leibniz fractions (``\\frac{d}{dx}``, ``\\frac{\\partial L}{\\partial z_j}``,
``\\frac{\\partial^2 f}{\\partial x^2}``), ``\\partial_{x} f``, ``\\nabla_{w} f`` and a known function's
prime (``\\sigma'(z)``), each read as a :class:`~..nodes.Differentiated` (or
:class:`~..nodes.Primed`) node that :mod:`..calculus` evaluates.

A plain ``d`` is also a letter: ``\\frac{a}{d}`` and ``\\frac{d}{2}`` stay fractions;
a Leibniz fraction with a plain ``d`` is a derivative unless ``d`` is a variable of
the same formula (or given a domain), where it is refused naming both readings.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..lexer import Token, tokenize
from ..nodes import Atom, Differentiated, Group, Primed
from .names import DECORATORS, GREEK
from .mixin import ReaderMixin
from .tokens import NESTING

#: Functions whose prime is read, by the name a prime follows.
PRIMED_FUNCTIONS = {r"\sigma": "sigmoid"}
#: Longest derivative order read.
MAX_ORDER = 4
_WRITE_OUT = "write the derivative out"


@dataclass(frozen=True)
class Differential:
    """One differential of a Leibniz fraction: its spelling, its power, and what follows it."""

    plain: bool        # a bare letter d (also a variable name)
    partial: bool      # \partial, not d
    order: int | str
    rest: list[Token]  # the tokens after it (and its power)
    at: Token


def _differential(part: list[Token]) -> Differential | None:
    """The leading differential (``d``, ``\\mathrm{d}``, ``\\operatorname{d}``, ``\\partial``)
    of ``part`` and its optional power (``^2``, ``^{n}``), or None when ``part`` does not start
    with one."""
    texts = [t.text for t in part]
    if texts[:1] in (["d"], [r"\partial"]):
        rest, plain = part[1:], texts[0] == "d"
    elif texts[:4] in ([r"\mathrm", "{", "d", "}"], [r"\operatorname", "{", "d", "}"], [r"\text", "{", "d", "}"]):
        rest, plain = part[4:], False
    else:
        return None
    order: int | str = 1
    if rest and rest[0].text == "^":
        if len(rest) >= 2 and rest[1].text == "{":
            close = next((j for j, t in enumerate(rest) if t.text == "}"), None)
            power = rest[2:close] if close is not None else []
            rest = rest[close + 1:] if close is not None else []
        else:
            power, rest = rest[1:2], rest[2:]
        order = _order(power)
    return Differential(plain, texts[0] == r"\partial", order, rest, part[0])


def _order(power: list[Token]) -> int | str:
    """A derivative's order from its power's tokens, or the text when it is not a small number."""
    text = "".join(t.text for t in power)
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_ORDER else text or "?"


def _starts_variable(tok: Token) -> bool:
    return tok.kind == "letter" or tok.text in GREEK or tok.text in DECORATORS or tok.text in (r"\mathrm", r"\mathit")


def _denominator(part: list[Token]) -> list[Differential] | None:
    """The differentials of a Leibniz denominator (``\\partial x \\partial y``, ``dx^2``), each
    with its variable's tokens (a power at the end of a variable is the differential's), or
    None when ``part`` is not a product of differentials of variables."""
    out: list[Differential] = []
    while part:
        head = _differential(part)
        if head is None or head.order != 1 or not head.rest or not _starts_variable(head.rest[0]):
            return None
        depth, end = 0, len(head.rest)
        for j, t in enumerate(head.rest):
            if t.text in NESTING:
                depth += 1
            elif t.text in NESTING.values():
                depth -= 1
            elif depth == 0 and j > 0 and _differential(head.rest[j:]) is not None:
                end = j
                break
        var, part = head.rest[:end], head.rest[end:]
        order: int | str = 1
        texts = [t.text for t in var]
        if len(var) >= 3 and texts[-2] == "^":
            order, var = _order(var[-1:]), var[:-2]
        elif texts[-1] == "}":
            depth, k = 0, len(var) - 1
            for k in range(len(var) - 1, -1, -1):
                depth += {"}": 1, "{": -1}.get(texts[k], 0)
                if depth == 0:
                    break
            if k >= 2 and texts[k - 1] == "^":
                order, var = _order(var[k + 1:-1]), var[:k - 1]
        out.append(Differential(head.plain, head.partial, order, var, head.at))
    return out or None


def _close(tokens: list[Token], start: int) -> int | None:
    """Index of the ``}`` closing the ``{`` at ``start``, or None."""
    depth = 0
    for j in range(start, len(tokens)):
        depth += {"{": 1, "}": -1}.get(tokens[j].text, 0)
        if depth == 0:
            return j
    return None


def plain_d_elsewhere(text: str) -> bool:
    """Whether a letter d of ``text`` is not a differential of a Leibniz fraction (a variable d)."""
    tokens = tokenize(text)
    used: set[int] = set()
    for j, t in enumerate(tokens):
        if t.text != r"\frac" or j + 1 >= len(tokens) or tokens[j + 1].text != "{":
            continue
        mid = _close(tokens, j + 1)
        if mid is None or mid + 1 >= len(tokens) or tokens[mid + 1].text != "{":
            continue
        last = _close(tokens, mid + 1)
        top, bottom = _differential(tokens[j + 2:mid]), _denominator(tokens[mid + 2:last or mid])
        if top is not None and bottom is not None:
            used |= {d.at.pos for d in [top] + bottom if d.plain}
    return any(t.kind == "letter" and t.text == "d" and t.pos not in used for t in tokens)


class DerivativeReading(ReaderMixin):
    """Derivatives: Leibniz fractions, ``\\partial_x`` and primes of known functions."""

    #: whether another formula read with this one uses d as a variable
    d_is_variable = False

    def leibniz(self, tok: Token, items: list) -> bool:
        """Read ``\\frac{d ..}{d ..}`` at the current ``\\frac`` as a derivative (appending its
        placeholder to ``items``); False when it is an ordinary fraction."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return False
        end = self.matching(self.i + 1)
        if end + 1 >= len(self.tokens) or self.tokens[end + 1].text != "{":
            return False
        last = self.matching(end + 1)
        top = _differential(self.tokens[self.i + 2:end])
        bottom = _denominator(self.tokens[end + 2:last])
        if top is None or bottom is None:
            return False
        if top.rest and not (_starts_variable(top.rest[0]) or top.rest[0].text in ("(", "[", r"\{")
                             or top.rest[0].kind == "cmd"):
            return False
        if top.plain or any(d.plain for d in bottom):
            self._plain_d_is_differential(tok, top, bottom)
        if any(d.partial != top.partial for d in bottom):
            raise self.error("a derivative mixes d and \\partial in one fraction; write one of them", tok)
        orders = [d.order for d in [top] + bottom]
        if any(not isinstance(o, int) for o in orders):
            raise self.error(f"a derivative of order {next(o for o in orders if not isinstance(o, int))} "
                             f"is not read (orders 1 to {MAX_ORDER} only)", tok)
        top_order = int(top.order)
        bottom_orders = [int(d.order) for d in bottom]  # every order is an int here (checked above)
        if top_order != sum(bottom_orders):
            raise self.error(f"the numerator's order ({top_order}) is not the sum of the denominator's "
                             f"({sum(bottom_orders)})", tok)
        wrt = tuple((self._variable(d.rest, tok), order) for d, order in zip(bottom, bottom_orders))
        if top.rest:
            self.i = last + 1
            body = self.sub(top.rest, "differentiated expression", tok)
        else:
            self.i = last + 1
            body = self._operand(tok)
        items.append(self.new(Differentiated(body, wrt)))
        return True

    def partial_operator(self, tok: Token, items: list) -> None:
        """``\\partial_{z_j} L``, ``\\partial_x f`` and ``\\nabla_{w} L``: the derivative of the
        term after it (``\\nabla`` by one variable or one element at a time: componentwise)."""
        self.i += 1
        if self.peek() is None or self.peek().text != "_":
            raise self.error(f"{tok.text} without a variable: write {tok.text}_{{x}} f or "
                             "\\frac{\\partial f}{\\partial x}", tok)
        mark = self.take()
        var = self.script_tokens(mark)
        if not var or not _starts_variable(var[0]):
            raise self.error(f"{tok.text}_{{..}}: the subscript must be the variable differentiated by", mark)
        wrt = ((self._variable(var, tok), 1),)
        items.append(self.new(Differentiated(self._operand(tok), wrt)))

    def primed_call(self, key: str, at: Token):
        """``\\sigma'(z)``: a known function's derivative at its argument; other primed calls
        (``f'(x)``) are refused."""
        base = key.rstrip("'")
        order = len(key) - len(base)
        func = PRIMED_FUNCTIONS.get(base)
        if func is None or order > MAX_ORDER:
            raise self.error(f"{key}(..): the derivative of a function derive does not know; "
                             f"{_WRITE_OUT} (\\sigma'(z) is read, as the sigmoid's)", at)
        group = self.group()
        return self.new(Primed(func, group, order))

    def _variable(self, tokens: list[Token], at: Token):
        """The placeholder of the variable differentiated by: a name or an element (``z_j``)."""
        var = self.sub(tokens, "variable of the derivative", at)
        node = self.nodes.get(var)
        if not isinstance(node, Atom):
            text = "".join(t.text for t in tokens)
            raise self.error(f"a derivative is taken with respect to a variable or an element (x, z_j), "
                             f"not {text}", at)
        return var

    def _operand(self, at: Token):
        """What an operator (``\\frac{d}{dx}``, ``\\partial_x``) differentiates: the term after it,
        up to the next + or - of its bracket level. A bracket followed by more factors is refused:
        the derivative of the bracket alone, or of the whole product?"""
        tok = self.peek()
        if tok is None or tok.text in ("+", "-", "=", ")", "]", "}", r"\}", "|", r"\rvert", ",", "&", r"\\"):
            raise self.error("a derivative operator with nothing after it to differentiate", at)
        start = self.i
        body = self.body_until_term_end()
        first = self.nodes.get(body) if body in self.nodes else None
        if tok.text in ("(", "[", r"\{") and not isinstance(first, Group):
            end = self.matching(start)
            after = self.tokens[end + 1] if end + 1 < len(self.tokens) else None
            if after is not None and after.text != "^":
                raise self.error("a derivative operator before a bracket and more factors is ambiguous (the "
                                 "derivative of the bracket alone, or of the whole product?): put the product "
                                 "in one bracket, or the derivative after the other factors", at)
        return body

    def _plain_d_is_differential(self, tok: Token, top: Differential, bottom: list[Differential]) -> None:
        """Refuse a Leibniz fraction with a plain d where d is also a variable, naming both readings."""
        if "d" in self.declared or self.d_is_variable or plain_d_elsewhere(self.text):
            raise self.error("d is a variable of this formula, and this fraction also reads as a derivative "
                             "(d/dx of ..): write \\mathrm{d} for the derivative, or \\frac{d}{d \\cdot x} "
                             "for the fraction", tok)
        if not top.rest and self._nothing_after():
            raise self.error("\\frac{d}{dx} with nothing after it: a derivative operator with nothing to "
                             "differentiate, or the fraction d/(d x)? write \\frac{1}{x} for the fraction", tok)

    def _nothing_after(self) -> bool:
        end = self.matching(self.matching(self.i + 1) + 1)
        after = self.tokens[end + 1] if end + 1 < len(self.tokens) else None
        return after is None or after.text in ("+", "-", "=", ")", "]", "}", r"\}", "|", ",", "&", r"\\")
