"""Vectors: dot products ``\\mathbf{w}^\\top\\mathbf{x}`` (also ``^T``, ``^{\\mathsf{T}}``,
``^\\intercal``), inner products ``\\langle a, b \\rangle``, norms ``\\|x\\|``, ``\\|x\\|_2``,
``\\|x\\|_1`` (also ``\\lVert..\\rVert``, ``\\Vert..\\Vert``, ``\\norm{..}``).

Each is a sum over a fresh index over the whole range of the vectors' entries, read as
``\\sum_j`` without bounds is (:class:`~..nodes.HiddenSize`): ``\\mathbf{w}^\\top\\mathbf{x}``
is ``\\sum_j w_j x_j``, and ``\\mathbf{x}_i`` is row ``i`` of a data matrix, so
``\\mathbf{w}^\\top\\mathbf{x}_i`` is ``\\sum_j w_j x_{i,j}``. Bold is typography
(:mod:`.names`): ``\\mathbf{w}`` and ``w`` are one name. A vector is a name (lower case:
a capital is a matrix by convention, and matrix products are not read) or a bracket of
such names added and subtracted with numeric factors (``(\\mathbf{x} - 2\\mathbf{y})``).

``^T`` has two readings, a transpose or a power: it is the transpose when a name carries it
and a name follows (``w^T x``, with a note), and the power when ``T`` is a variable of the
formula and no name follows (``\\theta^T (1-\\theta)^{N-T}``, with a note); otherwise it is
refused, naming both readings.
"""
from __future__ import annotations

import re

import sympy as sp

from ..lexer import Token
from ..nodes import Atom, Constant, Group, HiddenSize, IndexPart
from .names import DECORATORS, GREEK
from .mixin import ReaderMixin
from .tokens import CLOSERS, NESTING, split

#: Exponents that can only be a transpose (after ``^``, braced or not).
TRANSPOSE_COMMANDS = {r"\top", r"\intercal"}
#: ``^{\mathsf{T}}``: a letter T in one of these fonts is a transpose too.
TRANSPOSE_FONTS = {r"\mathsf", r"\mathrm"}
#: Norm bars: opener -> closer.
NORM_BARS = {r"\|": r"\|", r"\Vert": r"\Vert", r"\lVert": r"\rVert"}
#: Norms read, by the subscript written after the bars (none: the Euclidean norm).
NORM_KINDS = {"": "2", "2": "2", "1": "1"}
#: Operators whose ``^`` is a bound, never a transpose: ``\\sum_{t=1}^{T}``.
BIG_OPERATORS = {r"\sum", r"\prod", r"\int"}
#: Letters tried, in order, for the index a dot product or a norm sums over.
FRESH_INDICES = "jdlmrsuvabcpqtgh"

DOT_HELP = r"a dot product is written a^\top b of two vectors (names, or brackets of names added and subtracted)"


class VectorReading(ReaderMixin):
    """Dot products, inner products and norms: each a sum over the entries of vectors."""

    # -- transposes ---------------------------------------------------------------
    def transpose_at(self, j: int) -> tuple[str, int] | None:
        """At a ``^`` (token ``j``): ``("sure", end)`` when its script is a transpose
        (``\\top``, ``\\intercal``, ``\\mathsf{T}``), ``("letter", end)`` when it is the letter
        ``T`` (a transpose or a power), else None; ``end`` is the index past the script."""
        tokens = self.tokens
        if j + 1 >= len(tokens):
            return None
        first = tokens[j + 1]
        if first.text == "{":
            saved = self.i
            end = self.matching(j + 1)
            self.i = saved
            kind = _transpose_kind(tokens[j + 2:end])
            return (kind, end + 1) if kind else None
        if first.text in TRANSPOSE_COMMANDS:
            return "sure", j + 2
        if first.kind == "letter" and first.text == "T":
            return "letter", j + 2
        if first.text in TRANSPOSE_FONTS and j + 2 < len(tokens):
            if tokens[j + 2].text == "T":
                return "sure", j + 3
            if tokens[j + 2].text == "{":
                saved = self.i
                end = self.matching(j + 2)
                self.i = saved
                if [t.text for t in tokens[j + 3:end]] == ["T"]:
                    return "sure", end + 1
        return None

    def transpose(self, caret: Token, items: list) -> bool:
        """At ``^``: read a dot product ``a^\\top b`` into ``items`` (True), or say that the
        script is a power (False), or refuse a transpose that is not part of a dot product."""
        mark = self.transpose_at(self.i)
        if mark is None:
            return False
        kind, end = mark
        left = items[-1] if items else None
        left_vector = isinstance(left, sp.Symbol) and isinstance(self.nodes.get(left), (Atom, Group))
        nxt = self.tokens[end] if end < len(self.tokens) else None
        name_follows = nxt is not None and (nxt.kind == "letter" or nxt.text in GREEK or nxt.text in DECORATORS)
        bracket_follows = nxt is not None and nxt.text in ("(", "[")
        base = self.written(left) if left_vector else "x"
        if kind == "letter":
            variable = self.t_is_variable()
            if left_vector and name_follows and not variable:
                self.note(f"{base}^T followed by a vector was read as a dot product (a sum over their entries), "
                          f"not {base} to the power T")
            elif not name_follows and (variable or not left_vector):
                if variable and left_vector:
                    self.note(f"{base}^T was read as {base} to the power T, since T is a variable of the "
                              f"formulas read; write {base}^\\top for a transpose")
                return False
            else:
                reason = ("T is also a variable of this formula" if variable else
                          "only a transpose followed by a vector is read")
                raise self.error(f"{base}^T is ambiguous: a transpose or {base} to the power T ({reason}); "
                                 f"write {base}^\\top y for a dot product, or name the exponent with another "
                                 "letter for a power", caret)
        elif not left_vector or not (name_follows or bracket_follows):
            raise self.error(f"a transpose is read only in a dot product: {DOT_HELP}", caret)
        self.i = end
        right = self.vector_operand(caret)
        items[-1] = self.dot(left, right, caret)
        after = self.peek()
        if after is not None and after.text == "^":
            raise self.error(r"a power right after a dot product: write (a^\top b)^2 or a^\top (b^2)", after)
        return True

    def t_is_variable(self) -> bool:
        """Whether the letter T is a variable: in this formula other than as a transpose mark,
        or in another formula read with it (``t_elsewhere``, set by the caller)."""
        return self.t_elsewhere or t_variable_in(self.source_tokens)

    def vector_operand(self, at: Token) -> sp.Symbol:
        """The vector after a transpose: a name (with its indices) or a bracket."""
        tok = self.peek()
        if tok is not None and tok.text in ("(", "["):
            return self.group()
        operand = self.atom_or_call(allow_call=False)
        after = self.peek()
        if after is not None and after.text == "(":
            raise self.error(r"a^\top f(..): a vector-valued function is not read; " + DOT_HELP, after)
        return operand

    def dot(self, left: sp.Symbol, right: sp.Symbol, at: Token) -> sp.Symbol:
        """``left^\\top right`` as a sum over a fresh index, for every entry."""
        j, size = self.fresh_index(at)
        a, b = self.entry(left, j, at), self.entry(right, j, at)
        return self.new(Group(sp.Sum(a * b, (j, 1, size))))

    # -- norms and inner products -------------------------------------------------
    def norm(self, tok: Token) -> sp.Symbol:
        """``\\|x\\|``, ``\\|x\\|_2`` (Euclidean), ``\\|x\\|_1``; also ``\\lVert..\\rVert``,
        ``\\Vert..\\Vert`` and ``\\norm{x}``."""
        if tok.text == r"\norm":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.text != "{":
                raise self.error(r"\norm takes its vector in braces: \norm{x}", tok)
            close = self.matching(self.i)
        else:
            close = self.closing_bar(self.i, NORM_BARS[tok.text])
        inner = self.tokens[self.i + 1:close]
        self.i = close + 1
        if self.peek() is not None and self.peek().text == "^":
            self.subscript_first()  # \|x\|^2_2 is \|x\|_2^2
        which = ""
        if self.peek() is not None and self.peek().text == "_":
            mark = self.take()
            which = "".join(t.text for t in self.script_tokens(mark))
        if which not in NORM_KINDS:
            raise self.error(f"the norm with subscript {which}: only \\|x\\|, \\|x\\|_2 and \\|x\\|_1 are read", tok)
        vector = self.sub(inner, "norm", tok)
        j, size = self.fresh_index(tok)
        entry = self.combination_entry(vector, j, tok)
        if NORM_KINDS[which] == "1":
            return self.new(Group(sp.Sum(sp.Abs(entry), (j, 1, size))))
        return self.new(Group(sp.sqrt(sp.Sum(entry ** 2, (j, 1, size)))))

    def closing_bar(self, start: int, closer: str) -> int:
        """The index of the bar closing the norm opened at ``start`` (outside other brackets)."""
        depth = 0
        for k in range(start + 1, len(self.tokens)):
            t = self.tokens[k].text
            if t == closer and depth == 0:
                return k
            if t in NESTING:
                depth += 1
            elif t in CLOSERS:
                depth -= 1
        raise self.error(f"the norm opened by {self.tokens[start].text} is not closed "
                         r"(a norm is \|x\|; in D(p \| q) the bar is not read)", self.tokens[start])

    def inner_product(self, tok: Token) -> sp.Symbol:
        """``\\langle a, b \\rangle``: the dot product of two vectors."""
        depth = 0
        close = None
        for k in range(self.i + 1, len(self.tokens)):
            t = self.tokens[k].text
            if t == r"\langle":
                depth += 1
            elif t == r"\rangle":
                if depth == 0:
                    close = k
                    break
                depth -= 1
        if close is None:
            raise self.error(r"\langle is not closed (expected \rangle)", tok)
        parts = split(self.tokens[self.i + 1:close], {","})
        self.i = close + 1
        if len(parts) != 2:
            raise self.error(r"\langle a, b \rangle takes two vectors separated by one comma", tok)
        left, right = (self.new(Group(self.sub(p, "vector", tok))) for p in parts)
        return self.dot(left, right, tok)

    # -- entries ------------------------------------------------------------------
    def fresh_index(self, at: Token) -> tuple[sp.Symbol, sp.Symbol]:
        """A new index (a letter the formula does not use) over a whole range, and that range."""
        used = {t.text for t in self.source_tokens if t.kind == "letter"}
        letter = next((c for c in FRESH_INDICES if c not in used), "@j")
        self.bound.add(letter)
        j = self.new(Atom(letter, (), at.pos))
        size = self.new(HiddenSize(letter))
        self.bounds += ["1", size]
        return j, size

    def entry(self, sym: sp.Symbol, j: sp.Symbol, at: Token) -> sp.Symbol:
        """Entry ``j`` of the vector behind placeholder ``sym`` (a name or a bracket)."""
        node = self.nodes.get(sym)
        if isinstance(node, Group):
            return self.new(Group(self.combination_entry(node.expr, j, at)))
        if not isinstance(node, Atom) or node.key in self.bound:
            raise self.error(f"not a vector: {DOT_HELP}", at)
        if _capital(node.key):
            raise self.error(f"{node.key} is a capital, a matrix by convention: products with matrices are not "
                             f"read, only {DOT_HELP}", at)
        return self.new(Atom(node.key, node.indices + (IndexPart(expr=j),), node.pos, node.suffix))

    def combination_entry(self, expr: sp.Expr, j: sp.Symbol, at: Token) -> sp.Expr:
        """Entry ``j`` of a sum of vectors with numeric factors (``x - 2y``); refused otherwise
        (a product of two names, a function, a scalar times a vector are not read)."""
        vectors = {s for s in expr.free_symbols if isinstance(self.nodes.get(s), (Atom, Group))}
        for term in sp.Add.make_args(sp.expand(expr)):
            factor, rest = term.as_independent(*vectors, as_Add=False)
            if rest not in vectors or any(not isinstance(self.nodes.get(s), Constant) for s in factor.free_symbols):
                raise self.error("inside a norm, an inner product or a bracket of a dot product only vectors "
                                 "added and subtracted with numeric factors are read (write a scalar factor "
                                 r"outside: \lambda \|w\|^2)", at)
        return expr.xreplace({v: self.entry(v, j, at) for v in vectors})

    def written(self, sym: sp.Symbol) -> str:
        """A placeholder's name as written, for messages (``w``, ``\\hat{w}``), or ``(..)``."""
        node = self.nodes.get(sym)
        return node.key if isinstance(node, Atom) else "(..)"


def t_variable_in(tokens: list[Token]) -> bool:
    """Whether the letter T appears in ``tokens`` other than as a transpose mark (``w^T``,
    ``w^{\\mathsf{T}}``); the T of a sum's bound (``\\sum_{t=1}^{T}``) is a variable."""
    for k, t in enumerate(tokens):
        if t.kind != "letter" or t.text != "T":
            continue
        back = k - 1
        while back >= 0 and tokens[back].text in ("{",) + tuple(TRANSPOSE_FONTS):
            back -= 1
        if back < 0 or tokens[back].text != "^" or _script_owner(tokens, back) in BIG_OPERATORS:
            return True
    return False


def _script_owner(tokens: list[Token], caret: int) -> str | None:
    """The token a ``^`` at ``caret`` is attached to, past a subscript written before it
    (``\\sum_{t=1}^{T}``: ``\\sum``)."""
    k = caret - 1
    if k >= 0 and tokens[k].text == "}":
        depth = 0
        while k >= 0:
            depth += tokens[k].text == "}"
            depth -= tokens[k].text == "{"
            if depth == 0:
                break
            k -= 1
        k -= 1
        if k >= 0 and tokens[k].text == "_":
            k -= 1
    elif k >= 1 and tokens[k - 1].text == "_":
        k -= 2
    return tokens[k].text if k >= 0 else None


def _transpose_kind(inner: list[Token]) -> str | None:
    texts = [t.text for t in inner]
    if len(texts) == 1 and texts[0] in TRANSPOSE_COMMANDS:
        return "sure"
    if texts == ["T"]:
        return "letter"
    if texts[:1] and texts[0] in TRANSPOSE_FONTS and texts[1:] in (["T"], ["{", "T", "}"]):
        return "sure"
    return None


_CORE = re.compile(r"\\[A-Za-z]+\{(.*)\}$")


def _capital(key: str) -> bool:
    """Whether a name's letter, under its decorations, is a capital (``X``, ``\\hat{X}``, ``\\Sigma``)."""
    core = key
    while True:
        m = _CORE.match(core)
        if m is None:
            break
        core = m.group(1)
    if core.startswith("\\"):
        return core[1:2].isupper()
    return core[:1].isupper()
