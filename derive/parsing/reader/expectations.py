"""Expectations: ``\\mathbb{E}_{x \\sim p}[f(x)]`` as the sum over the values of ``x`` with the
pmf as weights.

The distribution below the ``E`` is either a named one (``\\mathbb{E}_{y \\sim \\mathrm{Bern}(p)}``,
see :mod:`.distributions`), summed over its finite support with its pmf (Bernoulli over 0, 1;
binomial over 0..n; categorical over the whole range of its row), or a name (``x \\sim p``,
``x \\sim p(x)``), read as a discrete distribution over the whole range of ``x``:
``\\sum_x p_x f_x``, with a note. A density (normal, Laplace, exponential, beta) would need an
integral, and a Poisson a sum to infinity: both are refused with that reason.
"""
from __future__ import annotations

import sympy as sp

from ..lexer import ParseError, Token
from ..nodes import Atom, Call, Group, HiddenSize, IndexPart, Indicator
from .distributions import DISTRIBUTIONS, spelled
from .names import GREEK
from .mixin import ReaderMixin
from .tokens import split

#: How the expectation's E is written (besides a bare E with a subscript holding \sim).
E_COMMANDS = {r"\mathbb", r"\mathrm", r"\operatorname", r"\mathbf"}
#: Brackets around an expectation's body.
BODY_OPENERS = {"[", "("}


class ExpectationReading(ReaderMixin):
    """``\\mathbb{E}_{x \\sim p}[..]``: a sum over a discrete support."""

    def expectation_here(self) -> bool:
        """Whether an expectation's E starts at the cursor (``\\mathbb{E}``, ``\\mathrm{E}``, or a
        bare ``E`` whose subscript holds ``\\sim``)."""
        return self.e_end() is not None

    def e_end(self) -> int | None:
        """The index after the E at the cursor, or None when there is none. ``\\mathbb{E}`` is an
        expectation before a subscript or a bracket; ``\\mathrm{E}``, ``\\operatorname{E}`` and a bare
        ``E`` only before a subscript holding ``\\sim`` (else they are a name: ``\\mathrm{E}_1``)."""
        tok = self.peek()
        if tok is None:
            return None
        end = None
        if tok.text in E_COMMANDS:
            nxt = self.peek(1)
            if nxt is not None and nxt.text == "{" and self.peek(2) is not None and self.peek(2).text == "E" \
                    and self.peek(3) is not None and self.peek(3).text == "}":
                end = self.i + 4
            elif nxt is not None and nxt.text == "E" and tok.text == r"\mathbb":
                end = self.i + 2
        elif tok.kind == "letter" and tok.text == "E":
            end = self.i + 1
        if end is None or end >= len(self.tokens):
            return None
        after = self.tokens[end].text
        if tok.text == r"\mathbb" and after in ("_", *BODY_OPENERS):
            return end
        if after == "_" and end + 1 < len(self.tokens) and self.tokens[end + 1].text == "{":
            close = self.matching(end + 1)
            if any(t.text == r"\sim" for t in self.tokens[end + 1:close]):
                return end
        return None

    def expectation(self, tok: Token) -> sp.Symbol:
        """``E_{x \\sim D}[body]``: the sum of ``weight(x) * body`` over the values of ``x``."""
        end = self.e_end()
        assert end is not None, "called where an expectation starts"
        self.i = end
        mark = self.peek()
        if mark is None or mark.text != "_":
            raise self.error("an expectation needs its variable and distribution below the E: "
                             "\\mathbb{E}_{x \\sim p}[..]", mark or tok)
        self.i += 1
        script = self.script_tokens(mark)
        cuts = [n for n, t in enumerate(script) if t.text == r"\sim"]
        if len(cuts) != 1:
            raise self.error("an expectation's subscript must say which variable follows which distribution: "
                             "\\mathbb{E}_{x \\sim p}[..]", mark)
        var_tokens, dist_tokens = script[:cuts[0]], script[cuts[0] + 1:]
        if len(var_tokens) != 1 or not (var_tokens[0].kind == "letter" or var_tokens[0].text in GREEK):
            raise self.error("the variable of an expectation must be one letter (x \\sim p)", mark)
        if not dist_tokens:
            raise self.error("an expectation without its distribution after \\sim", mark)
        var = var_tokens[0].text
        opener = self.peek()
        if opener is None or opener.text not in BODY_OPENERS:
            raise self.error("write the body of the expectation in brackets: \\mathbb{E}_{x \\sim p}[f(x)]",
                             opener or mark)
        self.bound.add(var)
        var_sym = self.new(Atom(var, (), var_tokens[0].pos))
        weight, lo, hi = self.weight(dist_tokens, var, var_sym, mark)
        body = self.group()
        if isinstance(hi, sp.Symbol) and isinstance(self.nodes.get(hi), HiddenSize) and self.used_as_value(body, var_sym):
            raise self.error(f"{var} is used as a number in the body, but the values {var} takes are not known "
                             f"(only the weights): write the sum with the values, \\sum_k p_k v_k", opener)
        return self.new(Group(sp.Sum(weight * body, (var_sym, lo, hi))))

    def used_as_value(self, sym: sp.Symbol, var_sym: sp.Symbol, seen: set | None = None) -> bool:
        """Whether the variable ``var_sym`` appears in ``sym``'s expression as a number rather than
        only as an index (``x`` in ``f(x)`` = f_x is an index; in ``x^2`` it is a value)."""
        seen = set() if seen is None else seen
        if sym in seen:
            return False
        seen.add(sym)
        node = self.nodes.get(sym)
        exprs = []
        if isinstance(node, Group):
            exprs = [node.expr]
        elif isinstance(node, Call):
            exprs = [node.arg, *node.rest] + ([node.base] if node.base is not None else [])
        elif isinstance(node, Indicator):
            exprs = [node.lhs, node.rhs]
        key = self.nodes[var_sym].key
        for expr in exprs:
            for s in expr.free_symbols:
                node = self.nodes.get(s)
                if isinstance(node, Atom) and node.key == key and not node.indices and not node.suffix:
                    return True
                if self.used_as_value(s, var_sym, seen):
                    return True
        return False

    def weight(self, tokens: list[Token], var: str, var_sym: sp.Symbol, at: Token):
        """``(weight, lo, hi)``: the pmf at the variable and the range of its values."""
        found = spelled(tokens, 0)
        if found is not None:
            name, written, after = found
            dist = DISTRIBUTIONS[name]
            if after >= len(tokens) or tokens[after].text != "(" or tokens[-1].text != ")":
                raise self.error(f"{written} after \\sim needs its parameters in parentheses", at)
            inner = tokens[after + 1:-1]
            if dist.support == "density":
                raise self.error(f"an expectation over {written}, a density, is an integral, which is not read; "
                                 "only discrete distributions with finitely many values are summed", at)
            if dist.support == "infinite":
                raise self.error(f"an expectation over {written} sums over infinitely many values, which is "
                                 "not read", at)
            params = self.parameters(inner, dist, written, at)
            args = self.formula_arguments(dist, params, written, at)
            if dist.support == "row":
                lo, hi = 1, self.new(HiddenSize(var))
                shown = f"1..(the whole range of {var})"
            else:
                assert dist.bounds is not None, "a finite support has its bounds"
                lo, hi = dist.bounds(params)
                if isinstance(hi, sp.Symbol):
                    self.bounds.append(hi)
                shown = f"{lo}..{sp.sstr(hi) if not isinstance(hi, sp.Symbol) else 'n'}"
            self.note(f"E_{{{var} \\sim {written}(..)}}[..] was read as the sum over {var} = {shown} of "
                      f"the pmf {dist.standard} times the body")
            return dist.formula(var_sym, args), lo, hi
        key = self.distribution_name(tokens, var, at)
        self.note(f"E_{{{var} \\sim {key}}}[..] was read as the sum over the values of {var} (its whole range) "
                  f"of {key}({var}) times the body: {key} a discrete distribution (a density would need an "
                  "integral)")
        weight = self.new(Atom(key, (IndexPart(expr=var_sym),), at.pos))
        return weight, 1, self.new(HiddenSize(var))

    def distribution_name(self, tokens: list[Token], var: str, at: Token) -> str:
        """``p`` in ``x \\sim p`` or ``x \\sim p(x)``: the name of the distribution."""
        if tokens[-1].text == ")":
            opened = next((n for n, t in enumerate(tokens) if t.text == "("), None)
            inner = tokens[opened + 1:-1] if opened is not None else []
            if opened is None or [t.text for t in inner] != [var]:
                raise self.error(f"the distribution after \\sim: a name (x \\sim p), p({var}) or a named "
                                 "distribution with its parameters; a conditional or another argument is not read",
                                 at)
            tokens = tokens[:opened]
        parts = split(tokens, {","})
        if len(parts) != 1:
            raise self.error("one distribution after \\sim", at)
        try:
            return self.vector_name(tokens, "the distribution", at)
        except ParseError:
            raise self.error("the distribution after \\sim: a name (x \\sim p), p(x) or a named distribution "
                             "with its parameters (y \\sim \\mathrm{Bern}(p)); this one is not read", at) from None
