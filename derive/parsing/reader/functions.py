"""Functions: what each name computes, how it is called, and how its argument is read.

The tables are the reading rules: :data:`FUNCTIONS` (what a function computes),
:data:`COMMANDS` (``\\sin``, ``\\log``, ``\\gcd``: the command that names it) and
:data:`NAMES` (``\\operatorname{softmax}``, ``\\mathrm{erf}``, bare ``log``: the
word that names it). Adding a function is a row in each, not a branch.

``\\sin^2 x`` is ``(\\sin x)^2`` and ``\\sin^{-1} x`` is ``\\arcsin x`` (with a note);
``\\operatorname{name}(..)`` of an unknown name is an opaque function of its
arguments, equal only to itself (with a note).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import sympy as sp
from sympy.core.function import AppliedUndef

from ...checks.evaluate import register_integer_functions
from ..lexer import Token
from ..nodes import Atom, Call, Group, HiddenSize, IndexPart
from .names import DECORATORS, GREEK
from .sums import SUM_COMMANDS
from .tokens import is_open, split
from .mixin import ReaderMixin


class FunctionValueError(ValueError):
    """A function applied where it has no value (the log of 0, the gcd of 1.5)."""


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


class _IntegerFunction(sp.Function):
    """A function of integers (gcd, lcm): no value at other numbers; its arguments in a fixed order."""

    combine: Callable = math.gcd

    @classmethod
    def eval(cls, *args):
        if all(a.is_Rational for a in args):
            # over the rationals: gcd(p1/q1, p2/q2) = gcd(p1, p2) / lcm(q1, q2), and lcm the other way
            other = math.lcm if cls.combine is math.gcd else math.gcd
            tops = cls.combine(*(int(a.p) for a in args))
            return sp.Rational(tops, other(*(int(a.q) for a in args)))
        if any(a.is_number and a.is_rational is not True for a in args):
            raise FunctionValueError(f"{cls.__name__.lower()} of numbers that are not rational")
        ordered = tuple(sorted(args, key=sp.default_sort_key))
        if ordered != args:
            return cls(*ordered)
        return None


class Gcd(_IntegerFunction):
    """The greatest common divisor of integers."""

    combine = math.gcd


class Lcm(_IntegerFunction):
    """The least common multiple of integers."""

    combine = math.lcm


register_integer_functions(Gcd, Lcm)


def _one(fn) -> Callable:
    return lambda args, base: fn(args[0])


@dataclass(frozen=True)
class Function:
    """A function the reader knows.

    ``arity``: ``one`` argument; ``list`` of two or more (``\\max(a, b)``, ``\\gcd``);
    ``vector``: one vector written without indices (``softmax(z)_k``, ``logsumexp(z)``).
    ``power_prefix``: ``\\sin^2 x`` is ``(\\sin x)^2``; ``inverse``: what ``^{-1}`` names.
    ``jumps``: the value jumps at single points (floor, mod): random points alone never
    show two formulas with it equal, only a proof does."""

    build: Callable[[list[sp.Expr], sp.Expr | None], sp.Expr]
    arity: str = "one"
    power_prefix: bool = False
    inverse: str | None = None
    jumps: bool = False


_TRIG = {"sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sec": sp.sec, "csc": sp.csc, "cot": sp.cot,
         "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "sech": sp.sech, "csch": sp.csch, "coth": sp.coth}
_INVERSE = {"asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "asec": sp.asec, "acsc": sp.acsc, "acot": sp.acot,
            "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh, "asech": sp.asech, "acsch": sp.acsch,
            "acoth": sp.acoth}

#: What each function computes, by its name in :class:`~..nodes.Call` nodes.
FUNCTIONS: dict[str, Function] = {
    "log": Function(_log),
    "exp": Function(_one(sp.exp)),
    "sigmoid": Function(_one(lambda x: 1 / (1 + sp.exp(-x)))),
    "abs": Function(_one(sp.Abs)),
    "softplus": Function(_one(lambda x: sp.log(1 + sp.exp(x)))),
    "relu": Function(_one(lambda x: sp.Max(0, x))),
    "erf": Function(_one(sp.erf)),
    "sign": Function(_one(sp.sign), jumps=True),
    "floor": Function(_one(sp.floor), jumps=True),
    "ceil": Function(_one(sp.ceiling), jumps=True),
    "sqrt": Function(_one(sp.sqrt)),
    "max": Function(_extremum(sp.Max), arity="list"),
    "min": Function(_extremum(sp.Min), arity="list"),
    "gcd": Function(lambda args, base: Gcd(*args), arity="list", jumps=True),
    "lcm": Function(lambda args, base: Lcm(*args), arity="list", jumps=True),
    "binomial": Function(lambda args, base: sp.binomial(*args), arity="list"),
    "logsumexp": Function(lambda args, base: sp.log(sp.Add(*[sp.exp(a) for a in args])), arity="vector"),
    "softmax": Function(lambda args, base: args[0], arity="vector"),
    **{name: Function(_one(fn), power_prefix=True, inverse="a" + name) for name, fn in _TRIG.items()},
    **{name: Function(_one(fn), power_prefix=True) for name, fn in _INVERSE.items()},
}

#: Commands that name a function.
COMMANDS: dict[str, str] = {
    r"\log": "log", r"\ln": "log", r"\exp": "exp", r"\max": "max", r"\min": "min", r"\gcd": "gcd",
    r"\lcm": "lcm", r"\floor": "floor", r"\ceil": "ceil", r"\erf": "erf", r"\sgn": "sign",
    **{"\\" + name: name for name in _TRIG},
    **{"\\arc" + name[1:]: name for name in _INVERSE},          # \arcsin, \arcsinh
    **{"\\ar" + name[1:]: name for name in _INVERSE if name.endswith("h")},  # \arsinh
}
#: Words that name a function in \operatorname{..}, \mathrm{..}, \text{..} or bare (``log``).
NAMES: dict[str, str] = {
    **{cmd[1:]: name for cmd, name in COMMANDS.items()},
    **{name: name for name in FUNCTIONS if name != "abs"},
    "sigmoid": "sigmoid", "softplus": "softplus", "relu": "relu", "ReLU": "relu", "softmax": "softmax",
    "logsumexp": "logsumexp", "LogSumExp": "logsumexp", "LSE": "logsumexp", "lse": "logsumexp",
    "sgn": "sign", "sign": "sign", "ceiling": "ceil",
}
#: Function names as the reader's messages list them (backwards compatible alias).
NAMED_FUNCTIONS = NAMES
#: Commands of functions that take their argument directly (\sigma only before a bracket).
FUNCTION_COMMANDS = {**COMMANDS, r"\sigma": "sigmoid"}
#: Commands that can start the argument of \log written without parentheses.
OPERAND_COMMANDS = {r"\frac", r"\sqrt", r"\operatorname", r"\mathrm", r"\binom", *COMMANDS}
#: The sympy classes function names build, for the reader's final check of a formula.
FUNCTION_CLASSES = (sp.exp, sp.log, sp.Abs, sp.Max, sp.Min, sp.erf, sp.sign, sp.floor, sp.ceiling, sp.Mod,
                    sp.binomial, Gcd, Lcm, sp.Function, AppliedUndef)


def build_call(func: str, args: list[sp.Expr], base: sp.Expr | None = None) -> sp.Expr:
    """The value of function ``func`` at ``args``; :class:`FunctionValueError` where it has none."""
    return FUNCTIONS[func].build(args, base)


def opaque(name: str, args: list[sp.Expr]) -> sp.Expr:
    """An unknown function of its arguments: a sympy function named ``name``, equal only to itself
    (positive for a density letter, ``p(x_i)``)."""
    from .calls import DENSITY_LETTERS
    if name in DENSITY_LETTERS:
        return sp.Function(name, positive=True)(*args)
    return sp.Function(name, real=True)(*args)


_JUMPING = (sp.floor, sp.ceiling, sp.sign, sp.Mod, Gcd, Lcm)


def points_cannot_show(expr: sp.Expr) -> str | None:
    """Why agreeing at random points says nothing about ``expr`` (None when it does):
    a function that jumps at single points (floor, mod) of a variable, or an unknown function."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, AppliedUndef):
            return f"{node.func} is a function derive does not know"
        if isinstance(node, _JUMPING) and node.free_symbols:
            return f"{type(node).__name__.lower()} jumps at single points, which random points miss"
    return None


class FunctionReading(ReaderMixin):
    """Named functions and their arguments: ``\\log_2 x``, ``\\sin^2 x``, ``\\max(a, b)``, ``softmax(z)_k``."""

    def named_function(self) -> str | None:
        """``\\operatorname{sigmoid}`` and the like: the function's name, if known."""
        word = self.braced_word()
        return NAMES.get(word) if word is not None else None

    def braced_word(self) -> str | None:
        """The word in the braces after the current token (``\\operatorname{lcm}``), if it is one."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return None
        end = self.matching(self.i + 1)
        inner = self.tokens[self.i + 2:end]
        if not inner or not all(t.kind in ("letter", "num") or t.text == "-" for t in inner):
            return None
        return "".join(t.text for t in inner)

    def function(self, tok: Token) -> sp.Symbol:
        if tok.text in (r"\operatorname", r"\mathrm", r"\text", r"\textrm"):
            named = self.named_function()
            if named is None:
                raise self.error(f"{tok.text}: not the name of a function derive knows")
            func = named
            self.i = self.matching(self.i + 1) + 1
        else:
            self.i += 1
            func = FUNCTION_COMMANDS[tok.text]
        base = None
        nxt = self.peek()
        if FUNCTIONS[func].arity != "one":
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
        power = None
        if nxt is not None and nxt.text == "^":
            if not FUNCTIONS[func].power_prefix:
                raise self.error(f"a power of {tok.text} before its argument; write ({tok.text}(x))^2", nxt)
            self.i += 1
            script = self.script_tokens(nxt)
            if [t.text for t in script] in (["-", "1"], ["-1"]):
                inverse = FUNCTIONS[func].inverse
                if inverse is None:
                    raise self.error(f"{tok.text}^{{-1}}: this function has no inverse function to name", nxt)
                self.notes.append(f"{tok.text}^{{-1}} was read as the inverse function (arc{func}), "
                                  f"not 1/{tok.text}")
                func = inverse
            else:
                power = self.sub(script, "power", nxt)
            nxt = self.peek()
        call = self.function_argument(tok, func, base, nxt)
        if power is None:
            return call
        return self.new(Group(call ** power))

    def function_argument(self, tok: Token, func: str, base, nxt: Token | None) -> sp.Symbol:
        """The argument of a function of one argument: bracketed, a sum, or one factor."""
        if nxt is None:
            raise self.error(f"{tok.text} without an argument", tok)
        if is_open(nxt) and nxt.text != r"\lvert":
            placeholder = self.group()
            node = self.nodes[placeholder]  # a bracket, or a binomial written {n \choose k}
            arg = node.expr if isinstance(node, Group) else placeholder
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
        if (after is not None and after.text in SUM_COMMANDS and nxt.text == r"\frac"
                and operand[-1] == "}"):
            # \log \frac{1}{K} \sum_k w_k: the log of the mean, as \log \sum_k takes the whole sum
            self.item(after, operand, ())
            operand.append(self.new(Group(self.body_until_term_end())))
            self.notes.append(f"{tok.text} \\frac{{..}}{{..}} \\sum ... was read as {tok.text} of the whole "
                              "mean; write brackets to say otherwise")
            after = self.peek()
        constant_factor = (after is not None and after.text in SUM_COMMANDS
                           and (nxt.kind == "num" or (len(operand) == 1 and nxt.text in ("e", r"\pi"))))
        # \sin b \cos a: another function starts the next factor
        next_function = after is not None and after.text in COMMANDS and nxt.text not in COMMANDS
        if after is not None and not constant_factor and not next_function and (
                after.kind in ("num", "letter") or after.text in GREEK or after.text in DECORATORS
                or after.text == "(" or after.text in OPERAND_COMMANDS or after.text in SUM_COMMANDS):
            raise self.error(f"{tok.text} followed by several factors is ambiguous; write "
                             f"{tok.text}(a b) or {tok.text}(a)\\,b", self.tokens[start])
        if after is not None and after.text == "/":
            self.notes.append(f"{tok.text} x/y was read as ({tok.text} x)/y; write {tok.text}(x/y) "
                              "for the other reading")
        arg = self.finish(operand)
        return self.new(Call(func, arg, base))

    def opaque_call(self, tok: Token) -> sp.Symbol:
        """``\\operatorname{name}(a, b)`` of a name no table knows: a function equal only to itself."""
        word = self.braced_word()
        if word is None:
            raise self.error(f"{tok.text} needs a name in braces")
        self.i = self.matching(self.i + 1) + 1
        end = self.matching(self.i)
        parts = split(self.tokens[self.i + 1:end], {","})
        at = self.peek()
        self.i = end + 1
        args = tuple(self.sub(p, "argument", at) for p in parts)
        self.notes.append(f"{word}(..) is not a function derive knows: read as an unknown function of its "
                          "arguments, equal only to itself")
        return self.new(Call("@" + word, args[0], None, args[1:]))

    def several(self, tok: Token, func: str) -> sp.Symbol:
        """``\\max(a, b)``, ``\\gcd(a, b)``, ``\\operatorname{softmax}(z)_k``, ``\\operatorname{LSE}(z)``."""
        nxt = self.peek()
        if func in ("max", "min") and nxt is not None and nxt.text == "_":
            raise self.error(f"{tok.text} over a range ({tok.text}_k) is not read by check; write "
                             f"{tok.text}(a, b) with the values listed", nxt)
        vector = FUNCTIONS[func].arity == "vector"
        if nxt is None or nxt.text not in ("(", r"\{") or (vector and nxt.text != "("):
            hint = ("arg max lines belong to `derive verify`" if func in ("max", "min")
                    else f"write {func}(z)_k" if func == "softmax" else f"write {tok.text}(a, b)")
            raise self.error(f"{tok.text} needs its arguments in parentheses ({hint})", nxt or tok)
        end = self.matching(self.i)
        parts = split(self.tokens[self.i + 1:end], {","})
        self.i = end + 1
        if func == "softmax" and len(parts) > 1:
            raise self.error("softmax takes one vector: softmax(z)_k", tok)
        if not vector or len(parts) > 1:
            if len(parts) < 2 and func != "logsumexp":
                if func in ("max", "min", "gcd", "lcm") and parts and parts[0]:
                    self.notes.append(f"{func} of one value was read as that value")
                    return self.new(Group(self.sub(parts[0], "argument", tok)))
                raise self.error(f"{func} needs at least two arguments", tok)
            args = tuple(self.sub(p, "argument", tok) for p in parts)
            return self.new(Call(func, args[0], None, args[1:]))
        key = self.vector_name(parts[0], func, tok)
        dummy = "@j"
        self.bound.add(dummy)
        j = self.new(Atom(dummy, (), tok.pos))
        each = self.new(Atom(key, (IndexPart(expr=j),), tok.pos))
        size = self.new(HiddenSize(dummy))
        total = sp.Sum(sp.exp(each), (j, 1, size))
        if func == "logsumexp":
            return self.new(Call("log", total))
        # softmax(z)_k = e^{z_k} / sum_j e^{z_j}, j over the whole range of z's index
        sub = self.peek()
        if sub is None or sub.text != "_":
            raise self.error("softmax(z) needs a component: softmax(z)_k", tok)
        self.i += 1
        component = self.sub(self.script_tokens(sub), "index", sub)
        top = self.new(Atom(key, (IndexPart(expr=component),), tok.pos))
        return self.new(Group(sp.exp(top) / total))

    def vector_name(self, tokens: list[Token], func: str, tok: Token) -> str:
        """The name of the one vector a function of a whole vector takes (``z`` in softmax(z)_k)."""
        saved = self.tokens, self.i
        self.tokens, self.i = tokens, 0
        try:
            key, indices, suffix = self.decorated()
            if self.peek() is not None or indices or suffix:
                raise self.error(f"{func} takes one vector, written without indices: {func}(z)", tok)
        finally:
            self.tokens, self.i = saved
        return key


def differs_for_every_function(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether a difference found at a point holds whatever an unknown function computes:
    true when neither side calls one, or when ``a - b`` expands to an expression without them."""
    if not (a.has(AppliedUndef) or b.has(AppliedUndef)):
        return True
    try:
        diff = sp.expand(a - b)
    except Exception:  # noqa: BLE001 -- sympy raises anything; then nothing is shown
        return False
    return diff != 0 and not diff.has(AppliedUndef)
