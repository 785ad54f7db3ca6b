"""Read ML notation into flat pieces for latex2sympy, one bracket level at a time.

The reader walks the tokens once. Variables (``\\hat{y}_{i,k}``,
``p_i^{(k)}``, ``g(x)``), indicators (``\\mathbb{1}\\{y=k\\}``, ``[y=k]``,
``\\delta_{y,k}``), function calls (``\\log``, ``\\exp``, ``\\sigma(z)``) and
every bracketed group become placeholders; what is left is a flat piece of
arithmetic that latex2sympy parses (operator precedence, implicit products,
``\\frac``, powers, sums and their bodies). Anything it does not know is an
error at its position, never a guess.
"""
from __future__ import annotations

import sympy as sp

from .backend import LETTERS, parse_piece
from .lexer import ParseError, Token
from .nodes import Atom, Call, Constant, Group, HiddenSize, IndexPart, Indicator, Node, placeholder

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
INDICATOR_HEADS = {r"\mathbb", r"\mathbbm", r"\mathbf", r"\mathds", r"\bm", r"\boldsymbol", r"\mathrm"}
NAMED_FUNCTIONS = {"sigmoid": "sigmoid", "exp": "exp", "log": "log", "ln": "log", "softplus": "softplus",
                   "relu": "relu", "ReLU": "relu", "tanh": "tanh", "softmax": "softmax"}
#: Commands that name a function of one argument (or several, for max and min).
FUNCTION_COMMANDS = {r"\log": "log", r"\ln": "log", r"\exp": "exp", r"\sigma": "sigmoid", r"\tanh": "tanh",
                     r"\max": "max", r"\min": "min"}
FUNCTION_LETTERS = {"f", "g", "h", "p", "q", "P", "Q", r"\phi", r"\psi", r"\pi", r"\sigma"}
#: Names that, followed by parentheses, are a function (a loss, an entropy, the
#: Gamma function), never an element: check does not know what they compute.
OPAQUE_FUNCTIONS = {"L", "H", "D", "E", r"\Gamma", r"\Phi", r"\Psi", r"\mathcal{L}", r"\mathcal{H}",
                    r"\mathcal{D}", r"\ell"}
#: Commands that can start the argument of \log written without parentheses.
OPERAND_COMMANDS = {r"\frac", r"\dfrac", r"\tfrac", r"\sqrt", r"\log", r"\ln", r"\exp", r"\tanh",
                    r"\max", r"\min", r"\operatorname", r"\mathrm"}
SUM_COMMANDS = {r"\sum": r"\sum", r"\prod": r"\prod"}
RELATIONS = {"=", r"\neq", r"\ne", "==", "!="}
MAX_DEPTH = 40
MAX_NODES = 2000

SUPPORTED = ("supported: + - \\cdot \\times / \\frac, powers, \\sqrt, \\log \\ln \\log_2 \\log_{10} "
             "\\exp e^{..}, \\sum and \\prod (with or without bounds), |..|, indicators "
             "(\\mathbb{1}\\{y=k\\}, [y=k], \\delta_{y,k}, 1_{y=k}), \\sigma(z), variables with "
             "indices (y_i, y_{i,k}, \\hat{y}_i, p_i^{(k)}, g(x))")

_UNSUPPORTED_HINTS = {
    r"\operatorname": "only known functions: " + ", ".join(sorted(NAMED_FUNCTIONS)),
    r"\int": "integrals are not supported",
    r"\infty": "infinite ranges and limits are not supported",
    r"\lim": "limits are not supported",
    r"\partial": "derivatives are not supported by check",
    r"\nabla": "gradients are not supported by check",
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


def _after_differential(part: list[Token]) -> list[Token] | None:
    """The tokens after a leading differential (``d``, ``\\mathrm{d}``,
    ``\\operatorname{d}``, ``\\partial``) and its optional power (``^2``, ``^{n}``),
    or None when ``part`` does not start with one."""
    texts = [t.text for t in part]
    if texts[:1] in (["d"], [r"\partial"]):
        rest = part[1:]
    elif texts[:4] in ([r"\mathrm", "{", "d", "}"], [r"\operatorname", "{", "d", "}"]):
        rest = part[4:]
    else:
        return None
    if rest and rest[0].text == "^":
        if len(rest) >= 2 and rest[1].text == "{":
            close = next((j for j, t in enumerate(rest) if t.text == "}"), None)
            rest = rest[close + 1:] if close is not None else []
        else:
            rest = rest[2:]
    return rest


def _starts_variable(tok: Token) -> bool:
    return tok.kind == "letter" or tok.text in GREEK or tok.text in DECORATORS or tok.text in (r"\mathrm", r"\mathit")


def _is_open(tok: Token) -> bool:
    return tok.text in ("(", "[", "{", r"\{", r"\lvert")


_CLOSE = {"(": ")", "[": "]", "{": "}", r"\{": r"\}", r"\lvert": r"\rvert", "|": "|"}


class Reader:
    """One formula: tokens in, an expression over placeholders out (see :mod:`.nodes`)."""

    def __init__(self, text: str, tokens: list[Token]):
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.nodes: dict[sp.Symbol, Node] = {}
        self.notes: list[str] = []
        self.declared: set[str] = set()  # keys given a domain
        self.bound: set[str] = set()
        self.bounds: list = []  # placeholders (or numerals) of every sum's bounds
        self.depth = 0

    # -- helpers ---------------------------------------------------------------
    def error(self, message: str, tok: Token | None = None) -> ParseError:
        if tok is None:
            tok = self.peek()
        pos = tok.pos if tok is not None else len(self.text)
        return ParseError(message, self.text, pos)

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
        closer = _CLOSE[opener]
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

    # -- entry points ----------------------------------------------------------
    def read_all(self) -> sp.Expr:
        if not self.tokens:
            raise ParseError("the formula is empty", self.text, 0)
        expr = self.piece(closers=())
        if self.peek() is not None:
            tok = self.peek()
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
            if self.peek() is not None:
                raise self.error(f"unexpected {self.peek().text!r} in {what}")
        finally:
            self.tokens, self.i = saved
        return expr

    # -- one flat piece --------------------------------------------------------
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
            if isinstance(item, _SumMark):
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
        expr = parse_piece("".join(parts).strip())
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
            return (isinstance(item, (sp.Symbol, _SumMark)) or (isinstance(item, str) and item.isdigit())
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
                if isinstance(nxt, _SumMark) or (isinstance(nxt, sp.Symbol) and isinstance(self.nodes.get(nxt), Group)):
                    out.insert(k, r" \cdot ")
                    self.notes.append("a / b followed by a sum or a bracket was read as (a / b) times it "
                                      "(write \\frac to say otherwise)")
                else:
                    raise self.error("a / b c is ambiguous (is c in the denominator?): write \\frac{a}{b} c "
                                     "or \\frac{a}{b c}")
            j += 1
        return out

    def split_rebound(self, items: list) -> list:
        """``\\prod_i a_i \\cdot \\prod_i b_i`` is two products: a later \\sum or \\prod
        that binds the same letter in the same term ends the earlier one's body (read
        nested, the inner one would shadow the outer letter, which nobody means)."""
        for at, item in enumerate(items):
            if not isinstance(item, _SumMark):
                continue
            for j in range(at + 1, len(items)):
                if items[j] in ("+", "-"):
                    break
                if isinstance(items[j], _SumMark) and items[j].var == item.var:
                    end = j
                    while end > at + 1 and isinstance(items[end - 1], str) and \
                            items[end - 1].strip() in (r"\cdot", r"\times", "*"):
                        end -= 1
                    if end == at + 1:
                        break  # \sum_i \sum_i: nothing between, leave it to the parser
                    first = self.new(Group(self.finish(items[at:end])))
                    return items[:at] + [first] + self.split_rebound(items[end:])
                if isinstance(items[j], _SumMark):
                    break  # another letter: a nested sum, as written
        return items

    def fold_sums(self, items: list) -> list:
        """``\\sum_n a_n + b_n`` (b_n outside the body latex2sympy gives the sum):
        the body runs to the end of the group when a later term uses ``n``."""
        for at, item in enumerate(items):
            if not isinstance(item, _SumMark):
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
                if isinstance(it, _SumMark) and it.var == item.var:
                    break
                later.append(it)
            if any(isinstance(it, sp.Symbol) and item.var in self.free_uses(it) for it in later):
                if any(isinstance(it, _SumMark) for it in rest):
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

    def free_uses(self, sym: sp.Symbol) -> set[str]:
        """Like :meth:`uses`, without the letters a sum or product inside binds."""
        node = self.nodes.get(sym)
        if isinstance(node, Group):
            return self._free_in(node.expr)
        if isinstance(node, Call):
            out = self._free_in(node.arg)
            for e in ([node.base] if node.base is not None else []) + list(node.rest):
                out |= self._free_in(e)
            return out
        return self.uses(sym)

    def _free_in(self, expr: sp.Expr) -> set[str]:
        if isinstance(expr, (sp.Sum, sp.Product)):
            out = self._free_in(expr.function)
            for var, lo, hi in expr.limits:
                node = self.nodes.get(var)
                if isinstance(node, Atom):
                    out.discard(node.key)
                out |= self._free_in(lo) | self._free_in(hi)
            return out
        if isinstance(expr, sp.Symbol):
            return self.free_uses(expr) if expr in self.nodes else set()
        out: set[str] = set()
        for arg in expr.args:
            out |= self._free_in(arg)
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
        for e in exprs:
            for s in e.free_symbols:
                out |= self.uses(s, seen)
        return out

    # -- items -----------------------------------------------------------------
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
        elif t in (r"\frac", r"\dfrac", r"\tfrac"):
            self.refuse_derivative(tok)
            self.i += 1
            num = self.argument(tok, "numerator")
            den = self.argument(tok, "denominator")
            items += [r"\frac{", num, "}{", den, "}"]
        elif t == r"\sqrt":
            self.i += 1
            if self.peek() is not None and self.peek().text == "[":
                open_ = self.take()
                degree = self.piece(("]",))
                self.expect("]", open_)
                items += [r"\sqrt[", self.new(Group(degree)), "]"]
            else:
                items.append(r"\sqrt")
            items += ["{", self.argument(tok, "square root"), "}"]
        elif t in SUM_COMMANDS:
            self.i += 1
            items.extend(self.big_operator(tok))
        elif t in ("|", r"\lvert"):
            items.append(self.absolute(tok))
        elif t == "[" and self.is_iverson():
            items.append(self.indicator_body(tok, "[", "]"))
        elif _is_open(tok):
            items.append(self.group())
        elif tok.kind == "num":
            items.append(self.number(tok))
        elif t in (r"\log", r"\ln", r"\exp", r"\tanh", r"\max", r"\min"):
            items.append(self.function(tok))
        elif t in (r"\operatorname", r"\mathrm", r"\text", r"\textrm") and self.named_function() is not None:
            items.append(self.function(tok))
        elif self.starts_indicator(tok):
            items.append(self.indicator(tok))
        elif t == r"\sigma" and self.peek(1) is not None and self.peek(1).text == "(":
            items.append(self.function(tok))
        elif tok.kind == "letter" or t in GREEK or t in DECORATORS:
            items.append(self.atom_or_call())
        elif t in (")", "]", "}", r"\}", r"\rvert"):
            raise self.error(f"unexpected {t!r} (no bracket opened it)", tok)
        else:
            raise self.error(self.unsupported(tok), tok)

    def refuse_derivative(self, tok: Token) -> None:
        """Refuse Leibniz notation: ``\\frac{d}{dx}``, ``\\frac{dy}{dx}``, ``\\frac{d^2}{dz^2}``,
        ``\\frac{\\mathrm{d}}{\\mathrm{d}w}``, ``\\frac{\\partial L}{\\partial z}``: a
        derivative, not a fraction with a variable d. A numerator that is a
        differential (d, \\mathrm{d}, \\operatorname{d}, \\partial, with an optional
        power) alone or before a term, over a denominator that is a differential
        before a variable, is refused; ``\\frac{a}{d}`` and ``\\frac{d}{2}`` stay fractions."""
        if self.peek(1) is None or self.peek(1).text != "{":
            return
        end = self.matching(self.i + 1)
        after = self.tokens[end + 1] if end + 1 < len(self.tokens) else None
        if after is None or after.text != "{":
            return
        numerator = self.tokens[self.i + 2:end]
        denominator = self.tokens[end + 2:self.matching(end + 1)]
        top, bottom = _after_differential(numerator), _after_differential(denominator)
        if top is None or bottom is None or not bottom:
            return
        if not (_starts_variable(bottom[0]) and (not top or _starts_variable(top[0]) or top[0].text in "({[")):
            return
        raise self.error("a derivative (Leibniz notation such as \\frac{d}{dx} or \\frac{\\partial L}{\\partial z}) "
                         "is not supported yet; write the derivative out", tok)

    def unsupported(self, tok: Token) -> str:
        t = tok.text
        if t in _UNSUPPORTED_HINTS:
            return f"{t}: {_UNSUPPORTED_HINTS[t]}"
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

    # -- groups and arguments --------------------------------------------------
    def group(self) -> sp.Symbol:
        open_ = self.take()
        closer = _CLOSE.get(open_.text)
        if closer is None:
            raise self.error(f"unsupported bracket {open_.text}", open_)
        expr = self.piece((closer,))
        self.expect(closer, open_)
        return self.new(Group(expr))

    def argument(self, at: Token, what: str) -> sp.Symbol | str:
        """A braced argument, or the single token LaTeX takes when there are no braces."""
        tok = self.peek()
        if tok is None:
            raise self.error(f"missing {what}", at)
        if tok.text == "{":
            return self.group()
        return self.single(tok, what)

    def single(self, tok: Token, what: str) -> sp.Symbol | str:
        if tok.kind == "num":
            self.i += 1
            if len(tok.text) > 1:  # \frac12 and x^23 take one digit
                if "." in tok.text[:2]:
                    raise self.error(f"brace the {what}", tok)
                self.tokens = self.tokens[:self.i] + [Token("num", tok.text[1:], tok.pos + 1)] + self.tokens[self.i:]
            return tok.text[0]
        if tok.kind == "letter" or tok.text in GREEK or tok.text in DECORATORS:
            return self.atom_or_call(allow_call=False)
        raise self.error(f"brace the {what}", tok)

    def exponent(self, caret: Token) -> sp.Symbol | str:
        tok = self.peek()
        if tok is None:
            raise self.error("a power without an exponent", caret)
        if tok.text in (r"\top", r"\intercal", "*", "'", r"\prime"):
            raise self.error(f"^{tok.text}: transposes, stars and primes are not supported", tok)
        return self.argument(caret, "exponent")

    def number(self, tok: Token) -> sp.Symbol | str:
        self.i += 1
        nxt = self.peek()
        after = self.peek(1)
        if (nxt is not None and nxt.text in ("e", "E") and nxt.pos == tok.pos + len(tok.text) and after is not None
                and (after.kind == "num" or after.text in ("+", "-"))):
            raise self.error(f"{tok.text}{nxt.text}..: scientific notation is not LaTeX; write {tok.text}\\cdot 10^{{..}}", tok)
        if tok.text == "1" and nxt is not None and (nxt.text == "_" or nxt.text == r"\{"):
            self.i -= 1
            return self.indicator(tok)
        if "." in tok.text or sp.Integer(tok.text) == 0:
            # decimals exactly; and 0 kept from the parser, which would fold 0 * 0^{-1} to 0
            return self.new(Constant(sp.Rational(tok.text)))
        return tok.text

    # -- sums and products ------------------------------------------------------
    def big_operator(self, tok: Token) -> list["_SumMark"]:
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
                len(p) == 1 and (p[0].kind == "letter" or p[0].text in GREEK) for p in _split(lower, {","})):
            # \sum_{i,k}: one whole-range sum per index
            marks = [self.sum_head(tok, [p[0]], None, None) for p in _split(lower, {","})]
            return marks
        split = [j for j, t in enumerate(lower) if t.text == "="]
        if len(split) > 1 or any(t.text in (",", r"\in", r"\neq", r"\ne", "<", r"\le", r"\leq") for t in lower):
            raise self.error(f"{tok.text}: only ranges of the form i=1..N, a bare index (the whole range), "
                             "i,k, or k \\neq y are read", tok)
        var_tokens = lower[:split[0]] if split else lower
        lo_tokens = lower[split[0] + 1:] if split else None
        mark = self.sum_head(tok, var_tokens, lo_tokens, upper)
        if excluded is not None:
            mark.factor = self.new(Indicator(mark.var_sym, excluded, negated=True))
        return [mark]

    def sum_head(self, tok: Token, var_tokens: list[Token], lo_tokens, upper) -> "_SumMark":
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
        return _SumMark(var, tok.text, var_sym, lo, hi)

    def bound_expr(self, tokens: list[Token], what: str, at: Token):
        if len(tokens) == 1 and tokens[0].kind == "num" and "." not in tokens[0].text:
            return tokens[0].text
        return self.new(Group(self.sub(tokens, what, at)))

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
            self.tokens = self.tokens[:self.i] + [Token("num", tok.text[1:], tok.pos + 1)] + self.tokens[self.i:]
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

    # -- absolute values and indicators ----------------------------------------
    def absolute(self, tok: Token) -> sp.Symbol:
        self.i += 1
        closer = "|" if tok.text == "|" else r"\rvert"
        expr = self.piece((closer,))
        self.expect(closer, tok)
        return self.new(Call("abs", expr))

    def is_iverson(self) -> bool:
        end = self.matching(self.i)
        depth = 0
        for t in self.tokens[self.i + 1:end]:
            if _is_open(t):
                depth += 1
            elif t.text in (")", "]", "}", r"\}", r"\rvert"):
                depth -= 1
            elif depth == 0 and t.text in RELATIONS:
                return True
        return False

    def starts_indicator(self, tok: Token) -> bool:
        nxt = self.peek(1)
        if tok.text in INDICATOR_HEADS and nxt is not None and nxt.text == "{":
            inner = self.peek(2), self.peek(3)
            return (inner[0] is not None and inner[0].text in ("1", "I") and inner[1] is not None
                    and inner[1].text == "}")
        if tok.text in (r"\mathbb", r"\mathbbm", r"\mathds") and nxt is not None and nxt.text in ("1", "I"):
            return True
        return tok.text == r"\delta" and nxt is not None and nxt.text == "_"

    def indicator(self, tok: Token) -> sp.Symbol:
        if tok.text == r"\delta":
            self.i += 2
            inner = self.script_tokens(tok)
            parts = _split(inner, {","})
            if len(parts) == 1 and len(inner) == 2:
                parts = [[inner[0]], [inner[1]]]
            if len(parts) != 2 or not all(parts):
                raise self.error(r"\delta_{a,b} needs exactly two indices", tok)
            return self.new(Indicator(self.sub(parts[0], "indicator", tok), self.sub(parts[1], "indicator", tok)))
        # skip the head: \mathbb{1}, \mathbb 1, or the numeral 1
        self.i += 1
        if tok.kind != "num":
            if self.peek().text == "{":
                self.i += 3
            else:
                self.i += 1
        nxt = self.peek()
        if nxt is None:
            raise self.error("an indicator without a condition", tok)
        if nxt.text == "_":
            self.i += 1
            inner = self.script_tokens(nxt)
            return self.condition(inner, tok)
        if nxt.text in (r"\{", "[", "("):
            return self.indicator_body(nxt, nxt.text, _CLOSE[nxt.text])
        raise self.error("an indicator needs a condition: \\mathbb{1}\\{y=k\\}, 1_{y=k} or [y=k]", tok)

    def indicator_body(self, open_: Token, opener: str, closer: str) -> sp.Symbol:
        end = self.matching(self.i)
        inner = self.tokens[self.i + 1:end]
        self.i = end + 1
        return self.condition(inner, open_)

    def condition(self, inner: list[Token], at: Token) -> sp.Symbol:
        while len(inner) >= 2 and (inner[0].text, inner[-1].text) in (("\\{", "\\}"), ("(", ")"), ("{", "}"),
                                                                      ("[", "]")):
            inner = inner[1:-1]  # 1_{\{y=k\}}
        merged: list[Token] = []
        for t in inner:  # '==' and '!=' arrive as two tokens each
            if t.text == "=" and merged and merged[-1].text in ("=", "!"):
                if merged[-1].text == "!":
                    merged[-1] = Token("cmd", r"\neq", merged[-1].pos)
                continue
            merged.append(t)
        inner = merged
        parts = _split(inner, RELATIONS)
        relations = [t for t in _top_level(inner) if t.text in RELATIONS]
        if len(parts) != 2 or len(relations) != 1:
            raise self.error("an indicator's condition must be one comparison a = b (or a \\neq b)", at)
        negated = relations[0].text in (r"\neq", r"\ne", "!=")
        lhs, rhs = parts
        if rhs and rhs[0].text == "=":  # '==' arrives as two tokens
            rhs = rhs[1:]
        return self.new(Indicator(self.sub(lhs, "indicator", at), self.sub(rhs, "indicator", at), negated))

    # -- functions ---------------------------------------------------------------
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
        if _is_open(nxt) and nxt.text != r"\lvert":
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
        parts = _split(self.tokens[self.i + 1:end], {","})
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

    # -- variables ---------------------------------------------------------------
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
            parts = _split(inner, {","})
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
                indices += tuple(IndexPart(expr=self.sub(p, "index", tok)) for p in _split(inner[1:-1], {","}))
            else:
                break
        tok = self.peek()
        if seen_sup and tok is not None and tok.text == "^":
            raise self.error("a double superscript: put the power in brackets, (p_i^{(k)})^2", tok)
        return indices, suffix

    def subscript_first(self) -> None:
        """``y^2_i`` is ``y_i^2``: move a subscript written after a power in front of it."""
        end = self._script_end(self.i + 1)
        if end < len(self.tokens) and self.tokens[end].text == "_":
            sub_end = self._script_end(end + 1)
            power, sub = self.tokens[self.i:end], self.tokens[end:sub_end]
            self.tokens = self.tokens[:self.i] + sub + power + self.tokens[sub_end:]

    def _script_end(self, j: int) -> int:
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
        parts = _split(inner[1:-1], {","})
        return all(_index_like(p) for p in parts)

    def subscript(self, inner: list[Token], at: Token) -> tuple[tuple[IndexPart, ...], str]:
        if not inner:
            raise self.error("an empty subscript", at)
        if inner[0].text in (r"\text", r"\mathrm", r"\textrm", r"\operatorname"):
            word = "".join(t.text for t in inner if t.kind in ("letter", "num"))
            return (), word
        parts = _split(inner, {","})
        if len(parts) == 1 and len(inner) >= 2 and all(t.kind == "letter" for t in inner):
            return (IndexPart(letters="".join(t.text for t in inner)),), ""
        return tuple(IndexPart(expr=self.sub(p, "index", at)) for p in parts), ""


class _SumMark:
    """A ``\\sum``/``\\prod`` head inside a piece, remembered for :meth:`Reader.fold_sums`."""

    def __init__(self, var: str, command: str, var_sym: sp.Symbol, lo, hi):
        self.var = var
        self.command = command
        self.var_sym = var_sym
        self.lo, self.hi = lo, hi
        self.factor: sp.Symbol | None = None  # 1{k != y} for \sum_{k \neq y}



def _index_like(part: list[Token]) -> bool:
    """One index in a superscript: ``k``, ``2``, or a subscripted letter such as ``y_i``."""
    if not part or not (part[0].kind in ("letter", "num") or part[0].text in GREEK):
        return False
    if len(part) == 1:
        return True
    return part[1].text == "_" and (len(part) == 3 or (part[2].text == "{" and part[-1].text == "}"))


def _top_level(tokens: list[Token]):
    depth = 0
    for t in tokens:
        if _is_open(t):
            depth += 1
        elif t.text in (")", "]", "}", r"\}", r"\rvert"):
            depth -= 1
        elif depth == 0:
            yield t


def _split(tokens: list[Token], separators: set[str]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if _is_open(t):
            depth += 1
        elif t.text in (")", "]", "}", r"\}", r"\rvert"):
            depth -= 1
        if depth == 0 and t.text in separators:
            parts.append([])
            continue
        parts[-1].append(t)
    return parts
