"""The reader's core: a cursor over one formula's tokens and the flat piece.

:class:`ReaderBase` walks the tokens once. Each item is read by its family
(see the package docstring); what is left is a flat piece of arithmetic
(operators, ``\\frac``, powers, sums) over placeholders, which latex2sympy
parses. Anything no family knows is an error at its position, never a guess.
"""
from __future__ import annotations

import re

import sympy as sp

from ..backend import LETTERS, PieceError, parse_piece
from ..lexer import ParseError, Token
from ..nodes import Atom, Call, Constant, Differentiated, Group, Indicator, Node, Primed, placeholder
from .delimiters import ROUNDING
from .functions import COMMANDS, NAMED_FUNCTIONS
from .indicators import RELATIONS
from .names import CONSTANTS, DECORATORS, GREEK, WORD_COMMANDS, bare_words
from .sums import SUM_COMMANDS, SumMark
from .mixin import ReaderMixin
from .tokens import CLOSE, CLOSERS, is_open

MAX_DEPTH = 40
MAX_NODES = 2000

SUPPORTED = ("supported: + - \\cdot \\times / \\frac, powers, \\sqrt, \\log \\ln \\log_2 \\log_{10} "
             "\\exp e^{..}, \\sum and \\prod (with or without bounds), |..|, indicators "
             "(\\mathbb{1}\\{y=k\\}, [y=k], \\delta_{y,k}, 1_{y=k}), \\sigma(z), variables with "
             "indices (y_i, y_{i,k}, \\hat{y}_i, p_i^{(k)}, g(x))")

UNSUPPORTED_HINTS = {
    r"\operatorname": "only known functions: " + ", ".join(sorted(NAMED_FUNCTIONS)) + ", or an unknown name "
                       "called with its arguments in parentheses",
    r"\imaginaryunit": "the imaginary unit: derive reads real numbers only",
    r"\pmod": "congruences (a \\equiv b \\pmod n) are relations, not expressions; write a \\mod n",
    r"\int": "integrals are not supported",
    r"\infty": "infinite ranges and limits are not supported",
    r"\lim": "limits are not supported",
    r"\partial": "write a derivative as \\frac{\\partial f}{\\partial x} or \\partial_{x} f",
    r"\arg": "arg max / arg min lines belong to `derive verify`",
    r"\mid": "conditional probability notation is not supported by check",
    r"\cdots": "ellipses are not read; write the sum with \\sum",
    r"\ldots": "ellipses are not read; write the sum with \\sum",
    r"\dots": "ellipses are not read; write the sum with \\sum",
    r"\top": "transposes are not supported", r"\intercal": "transposes are not supported",
    r"\|": "norms are not supported",
    r"\input": "file inclusion is never performed", r"\include": "file inclusion is never performed",
    r"\def": "macro definitions are not read", r"\newcommand": "macro definitions are not read",
    r"\text": "text is not part of a formula", r"\mathbb": "only \\mathbb{1} (indicator) is read",
}


#: Operators as the reader hands them to the parser, and how a message names them.
_OPERATORS = {"+": "'+'", "-": "'-'", r"\cdot": "a product sign", "*": "'*'", "/": "'/'",
              r"\times": "a product sign", "!": "'!'"}
_OPERATOR = "|".join(re.escape(op) for op in sorted(_OPERATORS, key=len, reverse=True))


def unreadable_piece(piece: str) -> str:
    """Why the parser refused ``piece`` (written in placeholder letters), in the
    user's terms: the placeholders never appear in the message."""
    text = piece.strip()
    end = re.search(rf"({_OPERATOR})$", text)
    if end:
        return f"{_OPERATORS[end.group(1)]} with nothing after it"
    start = re.match(rf"^({_OPERATOR})", text)
    if start and start.group(1) not in "+-":
        return f"{_OPERATORS[start.group(1)]} with nothing before it"
    pair = re.search(rf"({_OPERATOR})\s*({_OPERATOR})", text)
    if pair and pair.group(2) not in "+-":
        return f"{_OPERATORS[pair.group(1)]} followed by {_OPERATORS[pair.group(2)]}"
    return "this part of the formula could not be read: an operator or an operand is missing or misplaced"


class ReaderBase(ReaderMixin):
    """One formula: the token cursor, placeholders, and the flat piece handed to latex2sympy."""

    def __init__(self, text: str, tokens: list[Token]):
        self.text = text
        self.notes: list[str] = []
        self.tokens = bare_words(tokens, self.notes)
        self.i = 0
        self.nodes: dict[sp.Symbol, Node] = {}
        self.declared: set[str] = set()  # keys given a domain
        self.bound: set[str] = set()
        self.bounds: list = []  # placeholders (or numerals) of every sum's bounds
        self.implied: dict[str, tuple[str, str]] = {}
        self.called: set[str] = set()  # names called as a function (p(x_i), p(y=1 | x))  # names a distribution takes in a domain: (kind, why)
        self.depth = 0

    def error(self, message: str, tok: Token | None = None) -> ParseError:
        if tok is None:
            tok = self.peek()
        pos = tok.pos if tok is not None else len(self.text)
        return ParseError(message, self.text, pos)

    def peek_is(self, text: str, ahead: int = 0) -> bool:
        """Is the token ``ahead`` of the cursor there, and is it ``text``?"""
        tok = self.peek(ahead)
        return tok is not None and tok.text == text

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise ParseError("the formula ends too early", self.text, len(self.text))
        self.i += 1
        return tok

    def expect(self, text: str, opened: Token) -> None:
        tok = self.peek()
        if tok is None or tok.text != text:
            raise self.error(f"{opened.text!r} is not closed (expected {text!r})", opened)
        self.i += 1

    def new(self, node: Node) -> sp.Symbol:
        if len(self.nodes) >= MAX_NODES:
            raise self.error(f"more than {MAX_NODES} parts in one formula")
        sym = placeholder(len(self.nodes))
        self.nodes[sym] = node
        return sym

    def matching(self, start: int) -> int:
        """Index of the token closing the bracket opened at ``start``."""
        opener = self.tokens[start].text
        closer = CLOSE[opener]
        depth = 0
        for j in range(start, len(self.tokens)):
            t = self.tokens[j].text
            if j > start and t == closer and (depth == 1 or opener == "|"):
                return j
            if t == opener and opener != "|":
                depth += 1
            elif t == closer:
                depth -= 1
        raise self.error(f"{opener!r} is not closed", self.tokens[start])

    def read_all(self) -> sp.Expr:
        if not self.tokens:
            raise ParseError("the formula is empty", self.text, 0)
        expr = self.piece(closers=())
        tok = self.peek()
        if tok is not None:
            raise self.error(f"unexpected {tok.text!r} (no bracket opened it)", tok)
        return expr

    def sub(self, tokens: list[Token], what: str, at: Token) -> sp.Expr:
        """Parse ``tokens`` (a slice of the input) as an expression of its own."""
        if not tokens:
            raise self.error(f"empty {what}", at)
        saved = self.tokens, self.i
        self.tokens, self.i = tokens, 0
        try:
            expr = self.piece(closers=())
            extra = self.peek()
            if extra is not None:
                raise self.error(f"unexpected {extra.text!r} in {what}")
        finally:
            self.tokens, self.i = saved
        return expr

    def piece(self, closers: tuple[str, ...]) -> sp.Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"brackets nested more than {MAX_DEPTH} deep")
        try:
            items: list = []
            while True:
                tok = self.peek()
                if tok is None or tok.text in closers:
                    break
                self.item(tok, items, closers)
            return self.finish(items)
        finally:
            self.depth -= 1

    def finish(self, items: list) -> sp.Expr:
        if not items:
            raise self.error("an empty expression")
        items = self.split_rebound(items)
        items = self.fold_sums(items)
        items = self.read_division(items)
        flat: list = []
        for item in items:
            if isinstance(item, SumMark):
                flat += [f"{item.command}_{{", item.var_sym, "=", item.lo, "}^{", item.hi, "}"]
                if item.factor is not None:
                    flat += [item.factor, r" \cdot "]
            else:
                flat.append(item)
        letters: dict[sp.Symbol, str] = {}
        parts: list[str] = []
        for item in flat:
            if isinstance(item, sp.Symbol):
                if item not in letters:
                    if len(letters) >= len(LETTERS):
                        raise self.error("too many distinct terms in one bracket level; add brackets")
                    letters[item] = LETTERS[len(letters)]
                parts.append(" " + letters[item] + " ")
            else:
                if item.isdigit() and parts and parts[-1].isdigit():
                    parts.append(r" \cdot ")  # x^2 3 and 2\,3 are products, not x^23 and 23
                parts.append(item)
        try:
            expr = parse_piece("".join(parts).strip())
        except PieceError as exc:
            raise self.error(unreadable_piece(exc.piece)) from None
        back = {sp.Symbol(letter): sym for sym, letter in letters.items()}
        unknown = expr.free_symbols - set(back)
        if unknown:
            raise self.error(f"the parser produced unexpected names {sorted(map(str, unknown))}")
        return expr.xreplace(back)

    def read_division(self, items: list) -> list:
        """``a / b c``: ML texts write ``1/N \\sum_i x_i`` and ``1/2 (y - x)^2`` for
        ``(1/N) \\sum`` and ``(1/2)(..)^2``, so a sum or a bracket after ``a/b`` is a
        factor of the quotient (with a note). Anything else (``x^2/2\\sigma^2``) is
        ambiguous: refused, asking for ``\\frac``."""
        def operand(item) -> bool:
            return (isinstance(item, (sp.Symbol, SumMark)) or (isinstance(item, str) and item.isdigit())
                    or item in (r"\frac{", r"\sqrt"))
        out = list(items)
        j = 0
        while j < len(out):
            if out[j] != "/" or j + 1 >= len(out) or not operand(out[j + 1]):
                j += 1
                continue
            k = j + 2
            if k < len(out) and out[k] == "^":
                k += 2
            if k < len(out) and operand(out[k]):
                nxt = out[k]
                if isinstance(nxt, SumMark) or (isinstance(nxt, sp.Symbol) and isinstance(self.nodes.get(nxt), Group)):
                    out.insert(k, r" \cdot ")
                    self.notes.append("a / b followed by a sum or a bracket was read as (a / b) times it "
                                      "(write \\frac to say otherwise)")
                else:
                    raise self.error("a / b c is ambiguous (is c in the denominator?): write \\frac{a}{b} c "
                                     "or \\frac{a}{b c}")
            j += 1
        return out

    def free_uses(self, sym: sp.Symbol) -> set[str]:
        """Like :meth:`uses`, without the letters a sum or product inside binds."""
        node = self.nodes.get(sym)
        if isinstance(node, Group):
            return self.free_in(node.expr)
        if isinstance(node, Call):
            out = self.free_in(node.arg)
            for e in ([node.base] if node.base is not None else []) + list(node.rest):
                out |= self.free_in(e)
            return out
        if isinstance(node, Differentiated):
            out = self.free_in(node.body)
            for var, _ in node.wrt:
                out |= self.free_in(var)
            return out
        return self.uses(sym)

    def free_in(self, expr: sp.Expr) -> set[str]:
        if isinstance(expr, (sp.Sum, sp.Product)):
            bound = self.free_in(expr.function)
            for var, lo, hi in expr.limits:
                node = self.nodes.get(var)
                if isinstance(node, Atom):
                    bound.discard(node.key)
                bound |= self.free_in(lo) | self.free_in(hi)
            return bound
        if isinstance(expr, sp.Symbol):
            return self.free_uses(expr) if expr in self.nodes else set()
        out: set[str] = set()
        for arg in expr.args:
            out |= self.free_in(arg)
        return out

    def uses(self, sym: sp.Symbol, seen: set | None = None) -> set[str]:
        """Keys of the variables a placeholder mentions (recursively)."""
        seen = seen if seen is not None else set()
        if sym in seen or sym not in self.nodes:
            return set()
        seen.add(sym)
        node = self.nodes[sym]
        exprs: list[sp.Expr] = []
        out: set[str] = set()
        if isinstance(node, Atom):
            out.add(node.key)
            for part in node.indices:
                out.update(part.letters)
                if part.expr is not None:
                    exprs.append(part.expr)
        elif isinstance(node, Group):
            exprs.append(node.expr)
        elif isinstance(node, Call):
            exprs += [node.arg] + ([node.base] if node.base is not None else [])
        elif isinstance(node, Indicator):
            exprs += [node.lhs, node.rhs]
        elif isinstance(node, Differentiated):
            exprs += [node.body] + [var for var, _ in node.wrt]
        elif isinstance(node, Primed):
            exprs.append(node.arg)
        for e in exprs:
            for s in e.free_symbols:
                out |= self.uses(s, seen)
        return out

    def item(self, tok: Token, items: list, closers: tuple[str, ...]) -> None:
        t = tok.text
        if t in ("+", "-", "/", "!"):
            self.i += 1
            items.append(t)
        elif t in (r"\cdot", r"\times", "*"):
            self.i += 1
            items.append(r" \cdot ")
        elif t == "^":
            self.i += 1
            items.append("^")
            items.append(self.exponent(tok))
        elif t == r"\frac" and self.leibniz(tok, items):
            pass
        elif t in (r"\partial", r"\nabla"):
            self.partial_operator(tok, items)
        elif t == r"\frac":
            self.i += 1
            num = self.argument(tok, "numerator")
            den = self.argument(tok, "denominator")
            items += [r"\frac{", num, "}{", den, "}"]
        elif t == r"\binom":
            self.i += 1
            top, bottom = (self.finish([self.argument(tok, what)]) for what in ("upper argument", "lower argument"))
            items.append(self.new(Call("binomial", top, None, (bottom,))))
        elif t == r"\sqrt":
            self.i += 1
            if self.peek_is("["):
                open_ = self.take()
                degree = self.piece(("]",))
                self.expect("]", open_)
                items += [r"\sqrt[", self.new(Group(degree)), "]"]
            else:
                items.append(r"\sqrt")
            items += ["{", self.argument(tok, "square root"), "}"]
        elif t == r"\mod":
            self.i += 1
            items.append(r" \mod ")
            self.note("a \\mod b was read as the remainder of a divided by b (binding after products, "
                      "before + and -)")
        elif t in SUM_COMMANDS:
            self.i += 1
            items.extend(self.big_operator(tok))
        elif t in ("|", r"\lvert") or t in ROUNDING:
            items.append(self.absolute(tok))
        elif t == "[" and self.is_iverson():
            items.append(self.indicator_body(tok, "[", "]"))
        elif t == r"\boxed":
            self.i += 1
            items.append(self.argument(tok, "boxed formula"))
        elif is_open(tok):
            items.append(self.group())
        elif tok.kind == "num":
            items.append(self.number(tok))
        elif t in CONSTANTS:
            self.i += 1
            items.append(self.new(Constant(CONSTANTS[t])))
        elif self.expectation_here():
            items.append(self.expectation(tok))
        elif self.distribution_here() is not None:
            items.append(self.distribution(tok))
        elif t in COMMANDS:
            items.append(self.function(tok))
        elif t in (r"\operatorname", r"\mathrm", r"\text", r"\textrm") and self.named_function() is not None:
            items.append(self.function(tok))
        elif (t in (r"\operatorname", r"\mathrm") and self.braced_word() is not None
              and len(self.braced_word()) > 1 and self.after_braces_is("(")):
            items.append(self.opaque_call(tok))
        elif self.starts_indicator(tok):
            items.append(self.indicator(tok))
        elif t == r"\sigma" and self.peek_is("(", 1):
            items.append(self.function(tok))
        elif t == r"\sigma" and self.power_before_bracket() is not None:
            power = self.power_before_bracket()
            if power in ("-1", "{-1}"):
                raise self.error(r"\sigma^{-1}(..) is ambiguous: the inverse of the sigmoid, or 1/\sigma times "
                                 r"(..); write \log\frac{p}{1-p} or \frac{1}{\sigma}(..)", tok)
            self.note(f"\\sigma^{power}(..) was read as the variable \\sigma to the power {power} times (..); "
                      f"write \\sigma(..)^{power} for a power of the sigmoid")
            items.append(self.atom_or_call())
        elif tok.kind == "letter" or t in GREEK or t in DECORATORS or t in WORD_COMMANDS:
            items.append(self.atom_or_call())
        elif t in CLOSERS:
            raise self.error(f"unexpected {t!r} (no bracket opened it)", tok)
        else:
            raise self.error(self.unsupported(tok), tok)

    def power_before_bracket(self) -> str | None:
        """The exponent's text when the current token carries a power and a bracket follows
        (``\\sigma^2(x)``, ``\\sigma^{-1}(x)``), else None."""
        if not self.peek_is("^", 1) or self.peek(2) is None:
            return None
        start = self.i + 2
        end = self.matching(start) if self.tokens[start].text == "{" else start
        after = self.tokens[end + 1] if end + 1 < len(self.tokens) else None
        if after is None or after.text != "(":
            return None
        return "".join(t.text for t in self.tokens[start:end + 1])

    def note(self, text: str) -> None:
        """Say once how an ambiguous text was read."""
        if text not in self.notes:
            self.notes.append(text)

    def after_braces_is(self, text: str) -> bool:
        """Whether the token after the braced group following the current token is ``text``."""
        end = self.matching(self.i + 1)
        return end + 1 < len(self.tokens) and self.tokens[end + 1].text == text

    def unsupported(self, tok: Token) -> str:
        t = tok.text
        if t in UNSUPPORTED_HINTS:
            return f"{t}: {UNSUPPORTED_HINTS[t]}"
        if t in RELATIONS or t in ("<", ">", r"\le", r"\leq", r"\ge", r"\geq", r"\approx", r"\equiv"):
            return f"{t!r}: a relation; give one expression on each side of the comparison"
        if t == ",":
            return "',': a list or a number with a thousands separator is not one expression"
        if t == "'":
            return "primes (y') are not read; name the symbol differently"
        if t == "_":
            return "a subscript here has nothing to attach to"
        if t in ("&", r"\\"):
            return "alignment marks belong in `derive verify` files"
        if tok.kind == "cmd":
            return f"unsupported command {t}; {SUPPORTED}"
        return f"unexpected {t!r}; {SUPPORTED}"
