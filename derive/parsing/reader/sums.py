"""Sums and products: ``\\sum_{i=1}^{N}``, ``\\sum_k`` (the whole range), ``\\sum_{i,k}``,
``\\sum_{k \\neq y}``; a later term using the index extends the body (with a note)."""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Atom, Group, HiddenSize, Indicator
from .names import GREEK
from .tokens import split
from .mixin import ReaderMixin

SUM_COMMANDS = {r"\sum": r"\sum", r"\prod": r"\prod"}


class SumReading(ReaderMixin):
    """``\\sum`` and ``\\prod``: their bounds and how far their bodies reach."""

    def big_operator(self, tok: Token) -> list["SumMark"]:
        lower: list[Token] | None = None
        upper: list[Token] | None = None
        for _ in range(2):
            nxt = self.peek()
            if nxt is not None and nxt.text == "_" and lower is None:
                self.i += 1
                lower = self.script_tokens(nxt)
            elif nxt is not None and nxt.text == "^" and upper is None:
                self.i += 1
                upper = self.script_tokens(nxt)
        if lower is None and upper is None:
            letter = self.only_body_index()
            if letter is not None:  # \sum e^{x_k}: the one index its body uses
                self.note(f"{tok.text} without an index below it was read as {tok.text}_{letter}, over the whole "
                          f"range of {letter} (the only index its body uses)")
                return [self.sum_head(tok, [Token("letter", letter, tok.pos)], None, None)]
        if lower is None:
            raise self.error(f"{tok.text} needs an index below it, e.g. {tok.text}_{{i=1}}^{{N}} or {tok.text}_k", tok)
        excluded = None
        relation = [j for j, t in enumerate(lower) if t.text in (r"\neq", r"\ne")]
        if relation and tok.text == r"\sum":  # \sum_{k \neq y}: the whole range but one class
            j = relation[0]
            excluded = self.sub(lower[j + 1:], "excluded index", tok)
            lower = lower[:j]
        commas = [j for j, t in enumerate(lower) if t.text == ","]
        if commas and upper is None and excluded is None and all(
                len(p) == 1 and (p[0].kind == "letter" or p[0].text in GREEK) for p in split(lower, {","})):
            # \sum_{i,k}: one whole-range sum per index
            marks = [self.sum_head(tok, [p[0]], None, None) for p in split(lower, {","})]
            return marks
        equals = [j for j, t in enumerate(lower) if t.text == "="]
        if len(equals) > 1 or any(t.text in (",", r"\in", r"\neq", r"\ne", "<", r"\le", r"\leq") for t in lower):
            raise self.error(f"{tok.text}: only ranges of the form i=1..N, a bare index (the whole range), "
                             "i,k, or k \\neq y are read", tok)
        var_tokens = lower[:equals[0]] if equals else lower
        lo_tokens = lower[equals[0] + 1:] if equals else None
        mark = self.sum_head(tok, var_tokens, lo_tokens, upper)
        if excluded is not None:
            mark.factor = self.new(Indicator(mark.var_sym, excluded, negated=True))
        return [mark]

    def only_body_index(self) -> str | None:
        """The one letter the body after a bare ``\\sum`` uses as an index (``e^{x_k}``: k), looking up
        to the end of its term; None when there is none, more than one, a letter already bound,
        an index that is not a letter, or another sum in the body (the reader then refuses)."""
        letters: set[str] = set()
        depth, j = 0, self.i
        while j < len(self.tokens):
            t = self.tokens[j].text
            if t in ("{", "(", "[", r"\left"):
                depth += 1
            elif t in ("}", ")", "]", r"\right"):
                depth -= 1
                if depth < 0:
                    break
            elif depth == 0 and t in ("+", "-", "=", ",", r"\pm", r"\mp"):
                break
            elif t in SUM_COMMANDS:
                return None
            elif t == "_":
                nxt = self.tokens[j + 1] if j + 1 < len(self.tokens) else None
                if nxt is None:
                    return None
                if nxt.text == "{":
                    close = self.matching(j + 1)
                    parts = self.tokens[j + 2:close]
                    if not parts or any(x.kind != "letter" and x.text != "," for x in parts):
                        return None
                    letters |= {x.text for x in parts if x.kind == "letter"}
                    j = close + 1
                    continue
                if nxt.kind != "letter":
                    return None
                letters.add(nxt.text)
                j += 2
                continue
            j += 1
        if len(letters) != 1 or letters & self.bound:
            return None
        return next(iter(letters))

    def sum_head(self, tok: Token, var_tokens: list[Token], lo_tokens, upper) -> "SumMark":
        if len(var_tokens) != 1 or not (var_tokens[0].kind == "letter" or var_tokens[0].text in GREEK):
            raise self.error(f"{tok.text}: the index must be a single letter", var_tokens[0] if var_tokens else tok)
        var = var_tokens[0].text
        self.bound.add(var)
        var_sym = self.new(Atom(var, (), var_tokens[0].pos))
        if lo_tokens is not None:
            lo = self.bound_expr(lo_tokens, "lower bound", tok)
            if upper is None:
                raise self.error(f"{tok.text}: a lower bound without an upper bound", tok)
            hi = self.bound_expr(upper, "upper bound", tok)
        elif upper is not None:  # \sum_{i}^{N}: from 1 to N
            lo, hi = "1", self.bound_expr(upper, "upper bound", tok)
        else:
            lo, hi = "1", self.new(HiddenSize(var))
        self.bounds += [lo, hi]
        after = self.peek()
        if after is None or after.text in (")", "]", "}", r"\}", r"\rvert", "+", "=", ","):
            raise self.error(f"{tok.text} without a body: write what is summed after the bounds", after or tok)
        return SumMark(var, tok.text, var_sym, lo, hi)

    def bound_expr(self, tokens: list[Token], what: str, at: Token):
        if len(tokens) == 1 and tokens[0].kind == "num" and "." not in tokens[0].text:
            return tokens[0].text
        return self.new(Group(self.sub(tokens, what, at)))

    def split_rebound(self, items: list) -> list:
        """``\\prod_i a_i \\cdot \\prod_i b_i`` is two products: a later \\sum or \\prod
        that binds the same letter in the same term ends the earlier one's body (read
        nested, the inner one would shadow the outer letter, which nobody means)."""
        for at, item in enumerate(items):
            if not isinstance(item, SumMark):
                continue
            for j in range(at + 1, len(items)):
                if items[j] in ("+", "-"):
                    break
                if isinstance(items[j], SumMark) and items[j].var == item.var:
                    end = j
                    while end > at + 1 and isinstance(items[end - 1], str) and \
                            items[end - 1].strip() in (r"\cdot", r"\times", "*"):
                        end -= 1
                    if end == at + 1:
                        break  # \sum_i \sum_i: nothing between, leave it to the parser
                    first = self.new(Group(self.finish(items[at:end])))
                    return items[:at] + [first] + self.split_rebound(items[end:])
                if isinstance(items[j], SumMark):
                    break  # another letter: a nested sum, as written
        return items

    def fold_sums(self, items: list) -> list:
        """``\\sum_n a_n + b_n`` (b_n outside the body latex2sympy gives the sum):
        the body runs to the end of the group when a later term uses ``n``."""
        for at, item in enumerate(items):
            if not isinstance(item, SumMark):
                continue
            start = at + 1
            if start < len(items) and items[start] in ("-", "+"):
                start += 1
            end = next((j for j in range(start, len(items)) if items[j] in ("+", "-")), None)
            if end is None:
                continue
            rest = items[end:]
            later = []
            for it in rest:
                if isinstance(it, SumMark) and it.var == item.var:
                    break
                later.append(it)
            if any(isinstance(it, sp.Symbol) and item.var in self.free_uses(it) for it in later):
                if any(isinstance(it, SumMark) for it in rest):
                    raise self.error(f"a term after the sum over {item.var} uses {item.var}, and another "
                                     "sum follows: add brackets to say which terms each sum covers")
                # Its own term (from the last + or - before it) carries a minus sign, and the
                # next term is subtracted: -\sum_i a_i - b_i may mean -(a_i - b_i) or -a_i - b_i.
                term_start = max((j for j in range(at) if items[j] in ("+", "-")), default=-1)
                negative = term_start >= 0 and items[term_start] == "-"
                if negative and items[end] == "-":
                    raise self.error(f"-\\sum over {item.var} followed by '- ...' that uses {item.var}: is "
                                     "that term inside the sum or not? Add brackets")
                body = self.finish(items[at + 1:])
                self.notes.append(f"the sum over {item.var} was read as running to the end of its "
                                  f"bracket level, since a later term uses {item.var}; add brackets "
                                  "to say otherwise")
                return items[:at + 1] + [self.new(Group(body))]
        return items

    def body_until_term_end(self) -> sp.Expr:
        """The tokens up to the next top-level + or - (a sum's body), as one expression."""
        items: list = []
        first = True
        while True:
            tok = self.peek()
            if tok is None or tok.text in (")", "]", "}", r"\}", "|", r"\rvert"):
                break
            if tok.text in ("+", "-") and not first:
                break
            self.item(tok, items, ())
            first = False
        return self.finish(items)


class SumMark:
    """A ``\\sum``/``\\prod`` head inside a piece, remembered for :meth:`Reader.fold_sums`."""

    def __init__(self, var: str, command: str, var_sym: sp.Symbol, lo, hi):
        self.var = var
        self.command = command
        self.var_sym = var_sym
        self.lo, self.hi = lo, hi
        self.factor: sp.Symbol | None = None  # 1{k != y} for \sum_{k \neq y}
