"""Names: letters, Greek letters and their decorations (``\\hat{y}``, ``\\mathbf{x}``),
with indices (``y_i``) or index arguments (``g(x)``); ``e`` and ``\\pi`` are constants.

A word in ``\\mathrm{CE}``, ``\\text{NLL}``, ``\\operatorname{KL}`` is one name; primes make
a new name (``q'``, ``\\theta''``); bare ``log``, ``ln``, ``exp`` (no backslash) are the
functions, with a note; a bare run of capitals such as ``CE`` is a product, with a note."""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Atom, Constant, IndexPart
from .tokens import split
from .mixin import ReaderMixin

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
#: Commands whose braced word is a name (or a known function): \text{NLL}, \operatorname{KL}.
WORD_COMMANDS = {r"\text", r"\textrm", r"\textit", r"\operatorname", r"\mathrm", r"\mathit", r"\mathsf"}
#: Words that are prose, never a name: \text{ for } is refused.
PROSE = {"for", "if", "and", "or", "where", "with", "otherwise", "when", "all", "s.t", "st", "such", "that", "is"}
#: Constants spelled as commands.
CONSTANTS = {r"\exponentialE": sp.E}
#: Bare words read as the function they spell (with a note), never as a product of letters.
BARE_FUNCTIONS = {"log", "ln", "exp", "sin", "cos", "tan", "tanh", "sigmoid", "softmax", "softplus", "relu",
                  "ReLU", "logsumexp"}
#: Bare words that name arg max and arg min (refused by check, with that name).
BARE_ARG = {"argmax": "max", "Argmax": "max", "argmin": "min", "Argmin": "min"}
FUNCTION_LETTERS = {"f", "g", "h", "p", "q", "P", "Q", r"\phi", r"\psi", r"\pi", r"\sigma"}
#: Names that, followed by parentheses, are a function (a loss, an entropy, the
#: Gamma function), never an element: check does not know what they compute.
OPAQUE_FUNCTIONS = {"L", "H", "D", "E", r"\Gamma", r"\Phi", r"\Psi", r"\mathcal{L}", r"\mathcal{H}",
                    r"\mathcal{D}", r"\ell"}


class NameReading(ReaderMixin):
    """Variables: letters, Greek letters and decorations, with their indices or arguments."""

    def atom_or_call(self, allow_call: bool = True) -> sp.Symbol:
        tok = self.peek()
        key, indices, suffix = self.decorated()
        key += self.primes()
        more, more_suffix = self.suffixes(euler=key == "e" and not indices and not suffix)
        indices, suffix = indices + more, suffix or more_suffix
        key += self.primes()  # y''_1 and y_1'' are one name
        if key.endswith("'") and self.peek() is not None and self.peek().text == "(":
            return self.primed_call(key, self.peek())
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
            if self.event_here(key, inner):
                return self.event(key, inner, end)
            bars = sum(1 for t in inner if t.text == "|")
            if any(t.text == r"\mid" for t in inner) or bars % 2:  # |x| comes in pairs; p(y|x) does not
                raise self.error(f"{key}(..|..): a conditional of a name that is not a probability (p, q, P, Q) "
                                 "is not read by check", nxt)
            if key in OPAQUE_FUNCTIONS:
                raise self.error(f"{key}(...) is a function check does not know; write out what it "
                                 "computes", nxt)
            parts = split(inner, {","})
            if parts and all(len(p) == 1 and (p[0].kind in ("letter", "num") or p[0].text in GREEK) for p in parts):
                self.i = end + 1
                indices = tuple(IndexPart(expr=self.sub(p, "index", nxt)) for p in parts)
                return self.new(Atom(key, indices, tok.pos))
            if self.element_argument(key, inner):
                return self.element_call(key, inner, nxt, end)
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
        if tok.text in WORD_COMMANDS and self.peek() is not None and self.peek().text == "{":
            word = self.name_word(tok)
            if word is not None:
                return word, (), ""
        if tok.text in DECORATORS or tok.text in (r"\text", r"\textrm"):
            nxt = self.peek()
            if nxt is None:
                raise self.error(f"{tok.text} without an argument", tok)
            if nxt.text == "{":
                end = self.matching(self.i)
                inner = self.tokens[self.i + 1:end]
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
            if tok.text in (r"\mathrm", r"\mathit", r"\text", r"\textrm"):
                return key, indices, suffix
            if tok.text == r"\mathbb":
                raise self.error(r"\mathbb is read only as the indicator \mathbb{1}", tok)
            if tok.text in BOLD:  # \mathbf{y}_i is y_i: bold is typography here
                return key, indices, suffix
            return f"{SAME_DECORATION.get(tok.text, tok.text)}{{{key}}}", indices, suffix
        raise self.error(self.unsupported(tok), tok)

    def primes(self) -> str:
        """The primes after a name (``q'``, ``a''``, ``x^{\\prime}``): each makes a new name."""
        out = ""
        while self.peek() is not None:
            if self.peek().text == "'":
                self.i += 1
                out += "'"
            elif (self.peek().text == "^" and self.peek(1) is not None and self.peek(1).text == r"\prime"):
                self.i += 2
                out += "'"
            elif ([t.text for t in self.tokens[self.i:self.i + 4]] == ["^", "{", r"\prime", "}"]):
                self.i += 4
                out += "'"
            else:
                break
        return out

    def name_word(self, tok: Token) -> str | None:
        """``\\mathrm{CE}``, ``\\text{NLL}``, ``\\text{Cross-entropy}``: a word in braces, one name
        (spelled ``\\mathrm{..}`` whatever the command); None for a single letter. The cursor
        is on the opening brace; past the closing one on return."""
        end = self.matching(self.i)
        inner = self.tokens[self.i + 1:end]
        if len(inner) < 2 or not all(t.kind in ("letter", "num") or t.text == "-" for t in inner) \
                or inner[0].kind != "letter":
            return None
        raw = self.text[inner[0].pos:inner[-1].pos + len(inner[-1].text)]
        word = "".join(t.text for t in inner)
        if word.lower() in PROSE or " " in raw.strip():
            raise self.error(f"{tok.text}{{{raw}}}: text is not part of a formula", tok)
        self.i = end + 1
        return f"\\mathrm{{{word}}}"


def bare_words(tokens: list[Token], notes: list[str]) -> list[Token]:
    """Bare ``log``, ``ln``, ``exp`` (letters with no backslash) as the function they spell, and
    ``argmax`` as \\arg max; a bare run of two or more capitals (``CE``) stays a product of
    letters, with a note. Letters inside a name's braces or a script are left alone."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    shielded = 0  # depth inside braces of \text{..}, \mathrm{..}, _{..}, ^{..}
    stack: list[bool] = []
    while i < n:
        tok = tokens[i]
        if tok.text == "{":
            prev = tokens[i - 1].text if i else ""
            guard = prev in WORD_COMMANDS or prev in DECORATORS or prev in ("_", "^")
            stack.append(guard)
            shielded += guard
        elif tok.text == "}" and stack:
            shielded -= stack.pop()
        if tok.kind != "letter" or shielded or (i and tokens[i - 1].text in ("_", "^", "\\") ):
            out.append(tok)
            i += 1
            continue
        j = i + 1
        while j < n and tokens[j].kind == "letter" and tokens[j].pos == tokens[j - 1].pos + 1:
            j += 1
        word = "".join(t.text for t in tokens[i:j])
        if word in BARE_FUNCTIONS:
            notes.append(f"{word} (without a backslash) was read as the function \\{word}")
            out += [Token("cmd", r"\operatorname", tok.pos), Token("char", "{", tok.pos)]
            out += tokens[i:j] + [Token("char", "}", tokens[j - 1].pos)]
        elif word in BARE_ARG or (word == "arg" and j < n and tokens[j].kind == "letter"):
            out.append(Token("cmd", r"\arg", tok.pos))
            if word == "arg":
                while j < n and tokens[j].kind == "letter":
                    j += 1
        else:
            if j - i >= 2 and sum(t.text.isupper() for t in tokens[i:j]) >= 2:
                notes.append(f"{word} was read as a product of the letters {'·'.join(word)}; write "
                             f"\\mathrm{{{word}}} for one name")
            out += tokens[i:j]
        i = j
    return out
