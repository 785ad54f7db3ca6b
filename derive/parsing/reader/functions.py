"""Functions: ``\\log`` (natural; ``\\log_2``, ``\\log_{10}``), ``\\ln``, ``\\exp``,
``\\sigma(z)`` (logistic), ``\\tanh``, ``\\max``/``\\min`` of a list,
``\\operatorname{softmax}(z)_k`` and the other names of :data:`NAMED_FUNCTIONS`."""
from __future__ import annotations

from typing import Callable

import sympy as sp

from ..lexer import Token
from ..nodes import Atom, Call, Group, HiddenSize, IndexPart
from .names import DECORATORS, GREEK
from .sums import SUM_COMMANDS
from .tokens import is_open, split

NAMED_FUNCTIONS = {"sigmoid": "sigmoid", "exp": "exp", "log": "log", "ln": "log", "softplus": "softplus",
                   "relu": "relu", "ReLU": "relu", "tanh": "tanh", "softmax": "softmax"}
#: Commands that name a function of one argument (or several, for max and min).
FUNCTION_COMMANDS = {r"\log": "log", r"\ln": "log", r"\exp": "exp", r"\sigma": "sigmoid", r"\tanh": "tanh",
                     r"\max": "max", r"\min": "min"}
#: Commands that can start the argument of \log written without parentheses.
OPERAND_COMMANDS = {r"\frac", r"\dfrac", r"\tfrac", r"\sqrt", r"\log", r"\ln", r"\exp", r"\tanh",
                    r"\max", r"\min", r"\operatorname", r"\mathrm"}



class FunctionValueError(ValueError):
    """A function applied where it has no value (the log of 0, max of non-reals)."""


def _log(args: list[sp.Expr], base: sp.Expr | None) -> sp.Expr:
    if args[0].is_number and args[0].is_zero:
        raise FunctionValueError("the formula takes the log of 0")
    if base is None:
        return sp.log(args[0])
    if base.is_number and (base.is_positive is not True or base == 1):
        raise FunctionValueError(f"a log with base {base}: the base must be positive and not 1")
    return sp.log(args[0]) / sp.log(base)


def _extremum(kind):
    def build(args: list[sp.Expr], base) -> sp.Expr:
        try:
            return kind(*args)
        except (ValueError, TypeError):
            raise FunctionValueError(f"{kind.__name__.lower()} of values that are not all real") from None
    return build


#: What each function of a :class:`~..nodes.Call` computes: its arguments (and a log's base) -> sympy.
BUILDERS: dict[str, Callable[[list[sp.Expr], sp.Expr | None], sp.Expr]] = {
    "log": _log,
    "exp": lambda args, base: sp.exp(args[0]),
    "sigmoid": lambda args, base: 1 / (1 + sp.exp(-args[0])),
    "abs": lambda args, base: sp.Abs(args[0]),
    "tanh": lambda args, base: sp.tanh(args[0]),
    "softplus": lambda args, base: sp.log(1 + sp.exp(args[0])),
    "relu": lambda args, base: sp.Max(0, args[0]),
    "max": _extremum(sp.Max),
    "min": _extremum(sp.Min),
}


def build_call(func: str, args: list[sp.Expr], base: sp.Expr | None = None) -> sp.Expr:
    """The value of function ``func`` at ``args``; :class:`FunctionValueError` where it has none."""
    return BUILDERS[func](args, base)


class FunctionReading:
    """Named functions and their arguments: ``\\log_2 x``, ``\\exp(..)``, ``\\max(a, b)``, ``softmax(z)_k``."""

    def named_function(self) -> str | None:
        """``\\operatorname{sigmoid}`` and the like: the function's name, if known."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return None
        end = self.matching(self.i + 1)
        word = "".join(t.text for t in self.tokens[self.i + 2:end])
        return NAMED_FUNCTIONS.get(word)

    def function(self, tok: Token) -> sp.Symbol:
        if tok.text in (r"\operatorname", r"\mathrm", r"\text", r"\textrm"):
            func = self.named_function()
            self.i = self.matching(self.i + 1) + 1
        else:
            self.i += 1
            func = FUNCTION_COMMANDS[tok.text]
        base = None
        nxt = self.peek()
        if func in ("max", "min", "softmax"):
            return self.several(tok, func)
        if func == "log" and nxt is not None and nxt.text == "_":
            if tok.text == r"\ln":
                raise self.error(r"\ln has no base; write \log_b", nxt)
            self.i += 1
            base_tokens = self.script_tokens(nxt)
            if len(base_tokens) == 1 and base_tokens[0].text == "e":
                base = None
            else:
                base = self.sub(base_tokens, "base of the log", nxt)
            nxt = self.peek()
        if nxt is not None and nxt.text == "^":
            raise self.error(f"a power of {tok.text} before its argument; write ({tok.text}(x))^2", nxt)
        if nxt is None:
            raise self.error(f"{tok.text} without an argument", tok)
        if is_open(nxt) and nxt.text != r"\lvert":
            arg = self.nodes[self.group()].expr
            after = self.peek()
            if func == "log" and after is not None and after.text == "^":
                raise self.error(f"{tok.text}(..)^p is ambiguous: write ({tok.text}(..))^p or "
                                 f"{tok.text}((..)^p)", after)
            return self.new(Call(func, arg, base))
        if nxt.text in SUM_COMMANDS:
            # \log \sum_j e^{s_j}: the argument is the whole sum (its body as far
            # as the sum reaches), as latex2sympy reads it.
            items: list = []
            self.item(nxt, items, ())
            items.append(self.new(Group(self.body_until_term_end())))
            arg = self.finish(items)
            return self.new(Call(func, arg, base))
        start = self.i
        operand: list = []
        if nxt.text in OPERAND_COMMANDS or nxt.kind in ("num", "letter") \
                or nxt.text in GREEK or nxt.text in DECORATORS or nxt.text in ("|", r"\lvert"):
            self.item(nxt, operand, ())
            if self.peek() is not None and self.peek().text == "^":
                caret = self.take()
                operand += ["^", self.exponent(caret)]
                self.notes.append(f"{tok.text} x^p was read as {tok.text}(x^p)")
            if self.peek() is not None and self.peek().text == "!":
                self.i += 1
                operand.append("!")  # \log x! is log(x!), the log-factorial
        else:
            raise self.error(f"{tok.text}: cannot read its argument; write {tok.text}(...)", nxt)
        after = self.peek()
        if (after is not None and after.text in SUM_COMMANDS and nxt.text in (r"\frac", r"\dfrac", r"\tfrac")
                and operand[-1] == "}"):
            # \log \frac{1}{K} \sum_k w_k: the log of the mean, as \log \sum_k takes the whole sum
            self.item(after, operand, ())
            operand.append(self.new(Group(self.body_until_term_end())))
            self.notes.append(f"{tok.text} \\frac{{..}}{{..}} \\sum ... was read as {tok.text} of the whole "
                              "mean; write brackets to say otherwise")
            after = self.peek()
        constant_factor = (after is not None and after.text in SUM_COMMANDS
                           and (nxt.kind == "num" or (len(operand) == 1 and nxt.text in ("e", r"\pi"))))
        if after is not None and not constant_factor and (
                after.kind in ("num", "letter") or after.text in GREEK or after.text in DECORATORS
                or after.text == "(" or after.text in OPERAND_COMMANDS or after.text in SUM_COMMANDS):
            raise self.error(f"{tok.text} followed by several factors is ambiguous; write "
                             f"{tok.text}(a b) or {tok.text}(a)\\,b", self.tokens[start])
        arg = self.finish(operand)
        return self.new(Call(func, arg, base))

    def several(self, tok: Token, func: str) -> sp.Symbol:
        """``\\max(a, b)``, ``\\min(..)`` and ``\\operatorname{softmax}(z)_k``."""
        nxt = self.peek()
        if nxt is None or nxt.text not in ("(", r"\{") or (func == "softmax" and nxt.text != "("):
            hint = "arg max lines belong to `derive verify`" if func in ("max", "min") else "write softmax(z)_k"
            raise self.error(f"{tok.text} needs its arguments in parentheses ({hint})", nxt or tok)
        end = self.matching(self.i)
        parts = split(self.tokens[self.i + 1:end], {","})
        self.i = end + 1
        if func != "softmax":
            if len(parts) < 2:
                raise self.error(f"{func} needs at least two arguments", tok)
            args = tuple(self.sub(p, "argument", tok) for p in parts)
            return self.new(Call(func, args[0], None, args[1:]))
        # softmax(z)_k = e^{z_k} / sum_j e^{z_j}, j over the whole range of z's index
        saved = self.tokens, self.i
        self.tokens, self.i = parts[0], 0
        try:
            key, indices, suffix = self.decorated()
            if self.peek() is not None or indices or suffix:
                raise self.error("softmax takes one vector, written without indices: softmax(z)_k", tok)
        finally:
            self.tokens, self.i = saved
        sub = self.peek()
        if sub is None or sub.text != "_":
            raise self.error("softmax(z) needs a component: softmax(z)_k", tok)
        self.i += 1
        component = self.sub(self.script_tokens(sub), "index", sub)
        dummy = "@j"
        self.bound.add(dummy)
        j = self.new(Atom(dummy, (), tok.pos))
        top = self.new(Atom(key, (IndexPart(expr=component),), tok.pos))
        each = self.new(Atom(key, (IndexPart(expr=j),), tok.pos))
        size = self.new(HiddenSize(dummy))
        return self.new(Group(sp.exp(top) / sp.Sum(sp.exp(each), (j, 1, size))))
