"""A derivation's notation -> text ``derive check``'s reader takes.

* Optimiser heads (``\\arg\\max_{\\theta}``, ``\\operatorname*{arg\\,max}_\\theta``,
  ``\\mathop{\\mathrm{argmax}}``, ``\\max_\\theta``) are taken off the front
  of a segment: they say which problem the rest is the objective of.
* Probability notation (``P(Y|X)``, ``\\mathbb{P}(\\mathcal{D}|\\theta)``,
  ``p(y_i \\mid x_i, \\theta)``) and named functions (``H(p, q)``, ``J(\\theta)``,
  ``D_{KL}(p \\| q)``) become *opaque* variables: one per distinct call, with
  the call's sample/class indices as its indices, so ``P(y_i|x_i)`` and
  ``P(y_j|x_j)`` are two elements of one array. Probabilities are positive;
  other calls are real numbers about which nothing else is known.
* A parameter written as an index (``\\hat{y}_{\\theta, i}``) is dropped from
  the indices: it says what the element depends on, not where it sits.
* ``\\underbrace{X}_{\\text{..}}`` is ``X``; ``\\textbf`` is bold.
"""
from __future__ import annotations

from typing import AbstractSet

import re
from dataclasses import dataclass, field

from ..parsing.lexer import ParseError, Token, tokenize
from ..parsing.reader import GREEK
from ..parsing.reader.distributions import VALUE_BARS, spelled
from .tokens import closing

#: Heads always read as a probability when followed by ``(``.
PROBABILITY_HEADS = {"P", r"\Pr"}
#: Heads read as a probability when the call is not an index list (``p(y|x)``, not ``p(x)``).
DENSITY_HEADS = {"p", "q", "Q"}
#: Heads of named functions: entropies, losses, divergences, objectives.
FUNCTION_HEADS = {"H", "L", "J", "D", "R", "E", r"\ell", r"\mathcal{L}", r"\mathcal{H}", r"\mathcal{J}",
                  r"\mathcal{E}", "KL", r"\mathrm{KL}", "NLL", "CE", "BCE", "f", "g", "F", "G"}
#: Decorations a probability's head may wear (``\\hat{p}(y|x)``, the model's estimate), and the heads.
HATS = {r"\hat": r"\hat", r"\widehat": r"\hat", r"\tilde": r"\tilde", r"\widetilde": r"\tilde"}
HATTED_HEADS = {"p", "q", "P"}
#: Reserved placeholder heads (the reader sees ``\varpi_{\text{o3}}^{(i)}``).
PROBABILITY_PLACEHOLDER = r"\varpi"
FUNCTION_PLACEHOLDER = r"\varsigma"
#: A probability of a class given a sample, one array over the classes (a distribution: ``simplex+``).
CLASS_PLACEHOLDER = r"\check{\varpi}"
#: How the names of probabilities start.
PROBABILITY_NAMES = (PROBABILITY_PLACEHOLDER, CLASS_PLACEHOLDER)
BOLD = {r"\mathbf", r"\boldsymbol", r"\bm", r"\textbf", r"\pmb", r"\mathbold"}
SIZING = {r"\large", r"\Large", r"\LARGE", r"\small", r"\normalsize", r"\huge", r"\Huge", r"\scriptstyle",
          r"\hfill"}
WITH_ARGUMENT = {r"\hspace", r"\vspace", r"\phantom", r"\hphantom", r"\vphantom"}
#: Where a constraint starts in an arg max subscript.
_CONSTRAINTS = {r"\in", ":", r"\colon", r"\mid", "|", ">", "<", r"\ge", r"\le", r"\geq", r"\leq", r"\subset",
                r"\subseteq", "=", r"\neq", r"\ne"}
_ARG_WORDS = {"argmax": ("max", True), "argmin": ("min", True), "max": ("max", False), "min": ("min", False)}


@dataclass
class Call:
    """One distinct opaque call: its text as written first, and what it mentions."""

    ident: str
    head: str
    written: str
    probability: bool
    index_count: int
    mentions: frozenset[str]
    args: tuple[str, ...] = ()          # canonical argument texts (left of | first)
    given: tuple[str, ...] = ()         # canonical conditioning texts
    hatted: bool = False                # mentions a model output (\hat{y})
    family: str = ""                    # the function, without its arguments: \ell, D_{KL}
    over_classes: bool = False          # \hat{p}(k | x_i): its last index is the class
    arg_texts: tuple[str, ...] = ()     # a function's arguments as written (\ell(\hat{y}, 1): \hat{y}, 1)

    @property
    def _base(self) -> str:
        if self.over_classes:
            return CLASS_PLACEHOLDER
        return PROBABILITY_PLACEHOLDER if self.probability else FUNCTION_PLACEHOLDER

    @property
    def placeholder(self) -> str:
        return f"{self._base}_{{\\text{{{self.ident}}}}}"

    @property
    def sympy_name(self) -> str:
        return f"{self._base}_{{{self.ident}}}"


@dataclass
class Calls:
    """Every opaque call of one file, by canonical key."""

    by_key: dict[str, Call] = field(default_factory=dict)

    def get(self, key: str, **info) -> Call:
        if key not in self.by_key:
            self.by_key[key] = Call(ident=f"o{len(self.by_key) + 1}", **info)
        return self.by_key[key]

    def by_name(self) -> dict[str, Call]:
        return {c.sympy_name: c for c in self.by_key.values()}


@dataclass
class Objective:
    """A segment read: a value, or an optimisation problem over ``params``."""

    text: str                   # for the reader
    raw: str                    # as written
    sense: str | None = None    # "max", "min" or None for a plain value
    is_arg: bool = False        # arg max (a set of optimisers) or max (a value)
    params: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def is_problem(self) -> bool:
        return self.sense is not None


#: Highest order of a prime read as a derivative (three primes).
MAX_PRIMES = 3


def primes_as_leibniz(tokens: list[Token], notes: list[str], functions: set[str]) -> list[Token]:
    """``f'(x)`` (a letter of ``functions``, primes, one letter in brackets) as
    ``\\frac{d}{dx} f(x)``: the derivative of the function the file defines."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        n = 0
        while i + 1 + n < len(tokens) and tokens[i + 1 + n].text == "'":
            n += 1
        j = i + 1 + n
        if (tok.kind == "letter" and tok.text in functions and 0 < n <= MAX_PRIMES and j + 2 < len(tokens) and tokens[j].text == "("
                and tokens[j + 1].kind == "letter" and tokens[j + 2].text == ")"
                and (i == 0 or tokens[i - 1].text not in ("_", "^"))):
            x = tokens[j + 1]
            power = [] if n == 1 else [Token("char", "^", x.pos), Token("num", str(n), x.pos)]
            d = [Token("letter", "d", x.pos)]
            out += ([Token("cmd", r"\frac", tok.pos), Token("char", "{", tok.pos)] + d + power
                    + [Token("char", "}", tok.pos), Token("char", "{", tok.pos)] + d + [x] + power
                    + [Token("char", "}", tok.pos), tok, tokens[j], x, tokens[j + 2]])
            notes.append(f"{tok.text}{chr(39) * n}({x.text}) is read as the derivative of {tok.text} "
                         f"(of order {n}) by {x.text}")
            i = j + 3
            continue
        out.append(tok)
        i += 1
    return out


class Rewriter:
    """Rewrites the segments of one file, sharing one :class:`Calls` registry."""

    def __init__(self, parameters: set[str]):
        self.parameters = set(parameters)
        self.calls = Calls()
        self.log_base: str | None = None     # `log=2`: the base of \log written without one
        self.used: set[str] = set()          # the tokens of the formula being rewritten
        self.classes = ClassArrays()
        self.raw = ""                        # and its text
        self.functions: set[str] = set()     # letters the file writes as f(x): their f'(x) is read

    # -- optimiser heads --------------------------------------------------------------
    def objective(self, raw: str) -> Objective:
        tokens = tokenize(raw)
        if any(t.text in (PROBABILITY_PLACEHOLDER, FUNCTION_PLACEHOLDER) for t in tokens):
            raise ParseError(f"{PROBABILITY_PLACEHOLDER} and {FUNCTION_PLACEHOLDER} are reserved by derive verify "
                             "(they stand for probabilities and named functions)")
        self.used = {t.text for t in tokens}
        self.raw = raw
        tokens = [t for t in tokens if t.text not in SIZING]
        notes: list[str] = []
        tokens = primes_as_leibniz(tokens, notes, self.functions)
        head = self._head(tokens)
        if head is None:
            return Objective(self.formula(tokens, raw, notes), raw, notes=tuple(notes))
        sense, is_arg, params, rest = head
        return Objective(self.formula(rest, raw, notes), raw, sense, is_arg, params, tuple(notes))

    def _head(self, tokens: list[Token]):
        """``(sense, is_arg, params, rest)`` when the tokens start with an optimiser."""
        if not tokens:
            return None
        i, word = 0, None
        t = tokens[0].text
        if t == r"\underset" and len(tokens) > 1 and tokens[1].text == "{":
            close = _match(tokens, 1)
            sub = tokens[2:close]
            if close + 1 < len(tokens) and tokens[close + 1].text == "{":
                close2 = _match(tokens, close + 1)
                inner = self._head(tokens[close + 2:close2] + [Token("char", "(", 0), Token("char", ")", 0)])
                if inner is not None and not inner[2]:
                    return inner[0], inner[1], self._param_names(sub), tokens[close2 + 1:]
            return None
        if t == r"\arg" and len(tokens) > 1 and tokens[1].text in (r"\max", r"\min"):
            word, i = "arg" + tokens[1].text[1:], 2
        elif t in (r"\argmax", r"\argmin"):
            word, i = t[1:], 1
        elif t in (r"\operatorname", r"\operatorname*", r"\mathop", r"\mathrm", r"\text", r"\textrm") \
                and len(tokens) > 1 and tokens[1].text in ("{", "*"):
            j = 2 if tokens[1].text == "*" else 1
            if j < len(tokens) and tokens[j].text == "{":
                close = _match(tokens, j)
                letters = "".join(x.text for x in tokens[j + 1:close] if x.kind == "letter" or x.text in (r"\max", r"\min"))
                letters = letters.replace("\\", "")
                if letters in ("argmax", "argmin"):
                    word, i = letters, close + 1
        elif t in (r"\max", r"\min"):
            word, i = t[1:], 1
        if word is None:
            return None
        sense, is_arg = _ARG_WORDS[word]
        params: tuple[str, ...] = ()
        if i < len(tokens) and tokens[i].text == r"\limits":
            i += 1
        if i < len(tokens) and tokens[i].text == "_":
            if i + 1 < len(tokens) and tokens[i + 1].text == "{":
                close = _match(tokens, i + 1)
                sub, i = tokens[i + 2:close], close + 1
            else:
                sub, i = tokens[i + 1:i + 2], i + 2
            if not is_arg and len(sub) == 1 and sub[0].kind == "letter" and sub[0].text in "ijklmn":
                return None  # \max_k s_k: a max over an index, for the reader to judge
            params = self._param_names(sub)
        rest = tokens[i:]
        if not is_arg and not params and _top_comma(rest):
            return None  # \max(a, b): the larger of two numbers
        if not rest:
            return None
        return sense, is_arg, params, rest

    def _param_names(self, sub: list[Token]) -> tuple[str, ...]:
        """``\\theta``, ``w, b``; a constraint after the name is not part of it
        (``\\theta \\in \\Theta``, ``\\mathbf{w} \\in \\mathbb{R}^d``, ``\\theta : \\theta > 0``)."""
        cut = next((n for n, t in enumerate(sub) if t.text in _CONSTRAINTS), len(sub))
        names: list = []
        cur: list = []
        for t in sub[:cut] + [Token("char", ",", 0)]:
            if t.text == ",":
                name = _canonical(cur)
                if name:
                    names.append(name)
                cur = []
            else:
                cur.append(t)
        self.parameters |= set(names)
        return tuple(names)

    # -- the formula itself ----------------------------------------------------------------
    def formula(self, tokens: list[Token], raw: str, notes: list[str]) -> str:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            t = tok.text
            if t in BOLD:
                if i + 1 < len(tokens) and tokens[i + 1].text == "{":
                    close = _match(tokens, i + 1)
                    inner = self.formula(tokens[i + 2:close], raw, notes)
                    out.append(inner if close == i + 3 else "{" + inner + "}")
                    i = close + 1
                    continue
                i += 1
                continue
            if t in SIZING:
                i += 1
                continue
            if t in WITH_ARGUMENT and i + 1 < len(tokens) and tokens[i + 1].text == "{":
                i = _match(tokens, i + 1) + 1
                continue
            if t in (r"\underbrace", r"\overbrace") and i + 1 < len(tokens) and tokens[i + 1].text == "{":
                close = _match(tokens, i + 1)
                out += ["{", self.formula(tokens[i + 2:close], raw, notes), "}"]
                i = close + 1
                if i < len(tokens) and tokens[i].text in ("_", "^"):
                    label_end = _script_end(tokens, i + 1)
                    i = label_end  # the label under the brace is a comment
                continue
            onehot = self.classes.onehot(tokens, i)
            if onehot is not None:
                text, i = onehot
                out.append(text)
                continue
            law = self._distribution_object(tokens, i)
            if law is not None:
                text, i = law
                out.append(text)
                continue
            call = self._call(tokens, i)
            if call is not None:
                text, i = call
                out.append(text)
                continue
            log_end = _log_word_end(tokens, i)
            if log_end is not None and not (log_end < len(tokens) and tokens[log_end].text == "_"):
                out.append(self.log_command())
                i = log_end
                continue
            if t == "_" and i + 1 < len(tokens) and tokens[i + 1].text == "{":
                close = _match(tokens, i + 1)
                kept = self._drop_parameter_indices(tokens[i + 2:close])
                if kept is not None:
                    if kept:
                        out += ["_", "{", " ".join(x.text for x in kept), "}"]
                    i = close + 1
                    continue
            out.append(t)
            i += 1
        return " ".join(out)

    def log_command(self) -> str:
        """``\\log`` in the file's base: ``\\log_{2}`` under ``% derive: log=2``."""
        return r"\log" if self.log_base is None else r"\log_{" + self.log_base + "}"

    def _drop_parameter_indices(self, inner: list[Token]) -> list[Token] | None:
        parts = _split(inner)
        if len(parts) < 2:
            return None
        # only a parameter's name (\theta, \mathbf{w}), never an index letter such as j
        kept = [p for p in parts if _canonical(p) not in self.parameters or _index_letter(p)]
        if len(kept) == len(parts):
            return None
        out: list[Token] = []
        for n, p in enumerate(kept):
            out += ([Token("char", ",", 0)] if n else []) + p
        return out

    def is_opaque_call(self, tokens: list[Token], i: int) -> bool:
        """Does a call start at ``tokens[i]`` that stays opaque (not a product, an
        element, or a standard name expanded to its sum)?"""
        try:
            found = self._call(tokens, i)
        except ParseError:
            return False
        return found is not None and (PROBABILITY_PLACEHOLDER in found[0] or FUNCTION_PLACEHOLDER in found[0])

    def _distribution_object(self, tokens: list[Token], i: int):
        """``\\mathcal{N}(\\mu, \\sigma^2)`` with no value before a bar (the right side of
        ``y_i \\sim ..``): the distribution itself, one opaque name, ``(text, next index)``;
        None for anything else (``\\mathcal{N}(x \\mid \\mu, \\sigma^2)`` is its density, read by
        the reader)."""
        if i > 0 and tokens[i - 1].text == r"\sim":
            return None  # \mathbb{E}_{y \sim \mathrm{Bern}(p)}: the reader sums over it
        found = spelled(tokens, i)
        if found is None or found[2] >= len(tokens) or tokens[found[2]].text != "(":
            return None
        close = _match_paren(tokens, found[2])
        if close is None:
            return None
        inner = tokens[found[2] + 1:close]
        if not inner or any(t.text in VALUE_BARS for t in inner):
            return None
        key, indices, args, given = self._key(found[1], [], inner)
        start, end = tokens[i].pos, tokens[close].pos + 1
        written = self.raw[start:end] if 0 <= start < end <= len(self.raw) else found[1]
        call = self.calls.get(key, head=found[1], written=written, probability=False, index_count=len(indices),
                              mentions=frozenset(n for n in self.parameters if _mentions(inner, n)), args=args,
                              given=given, family=found[1])
        if call.index_count != len(indices):
            raise ParseError(f"{written}: the same distribution with a different number of indices")
        text = call.placeholder + ("^{(" + ",".join(indices) + ")}" if indices else "")
        return "{" + text + "}", close + 1

    def _call(self, tokens: list[Token], i: int):
        """An opaque call starting at ``tokens[i]``: ``(placeholder text, next index)``."""
        head, j = _call_head(tokens, i)
        if head is None or j >= len(tokens) or tokens[j].text != "(":
            return None
        if i > 0 and tokens[i - 1].text in ("_", "^"):
            return None
        close = _match_paren(tokens, j)
        if close is None:
            return None
        inner = tokens[j + 1:close]
        base, sub = head
        bare, hatted_head = _bare(base), base != _bare(base)
        conditional = any(t.text in ("|", r"\mid", r"\vert", r"\|") for t in inner)
        if (bare in PROBABILITY_HEADS or base == r"\mathbb{P}") and not hatted_head:
            probability = True
        elif bare in DENSITY_HEADS or hatted_head:
            if any(t.text == bare for t in inner):
                return None  # p(1-p): a product, as derive check reads it
            if not (conditional or sub or _names_data(inner)):
                return None  # p(x), p(1-x): an element, a product
            probability = True
        elif base in FUNCTION_HEADS:
            if base in ("f", "g", "F", "G") and _index_list(inner) and not sub:
                return None  # g(x): an element of g
            probability = False
        else:
            return None
        if not inner or all(t.text in (",", "|", r"\mid", r"\|", r"\Vert") for t in inner):
            raise ParseError(f"{base}(..) with nothing inside")
        element = self._class_element(base, sub, inner) if probability else None
        if element is not None:
            return element, close + 1
        key, indices, args, given = self._key(base, sub, inner)
        expanded = _standard(base, sub, inner, self.used, self.log_command())
        if expanded is not None:
            return expanded, close + 1
        mentions = frozenset(n for n in self.parameters if _mentions(inner + sub, n))
        start, end = tokens[i].pos, tokens[close].pos + 1
        written = self.raw[start:end] if 0 <= start < end <= len(self.raw) and self.raw[start:end].startswith(
            tokens[i].text) else " ".join(t.text for t in tokens[i:close + 1])
        hatted = hatted_head or any(t.text in (r"\hat", r"\widehat") for t in inner)
        family = base + ("_{" + " ".join(x.text for x in sub) + "}" if sub else "")
        arg_texts = () if probability or conditional else tuple(
            " ".join(t.text for t in part) for part in _split(inner))
        call = self.calls.get(key, head=base, written=written, probability=probability,
                              index_count=len(indices), mentions=mentions, args=args, given=given,
                              hatted=hatted, family=family, arg_texts=arg_texts)
        if call.index_count != len(indices):
            raise ParseError(f"{written}: the same call with a different number of indices")
        text = call.placeholder
        if indices:
            text += "^{(" + ",".join(indices) + ")}"
        return "{" + text + "}", close + 1

    # -- a probability of a class given a sample: one array over the classes -------------------
    def prescan(self, raws: list[tuple[str, int]], domains: dict[str, str]) -> list[str]:
        """Find, before any line is rewritten, the calls that are one array over classes:
        ``\\hat{p}(k \\mid x_i)`` with ``k`` summed over in its line, and the same
        probability at a label, ``\\hat{p}(y_i \\mid x_i)``. ``raws`` are the lines with their
        file line numbers; returns the notes to show."""
        found: list[tuple[str, list[Token], str, str]] = []
        lines = dict(raws)
        for raw, _ in raws:
            try:
                tokens = tokenize(raw)
            except ParseError:
                continue  # reported when the line is read
            if (len(tokens) == 4 and tokens[0].kind == "letter" and tokens[0].text != "e"
                    and tokens[1].text == "(" and tokens[2].kind == "letter" and tokens[3].text == ")"):
                self.functions.add(tokens[0].text)  # f(x) on its own: a function of one letter
            for i in range(len(tokens)):
                parts = self._class_parts(tokens, i, raw)
                if parts is not None:
                    found.append(parts + (raw,))
        for family, left, written, raw in found:
            if len(left) == 1 and _summed(left[0].text, raw):
                self.classes.families.setdefault(family, (left[0].text, written))
        notes = []
        for family, left, _, raw in found:
            label = _label_element(left)
            if family not in self.classes.families or label is None:
                continue
            name = label[0]
            kind = domains.get(name)
            if kind is not None and kind != "label":
                continue  # y declared binary or one-hot: not a class number
            if name not in self.classes.labels:
                self.classes.labels[name] = kind is None
                letter, written = self.classes.families[family]
                shown = "".join(t.text for t in left)
                notes.append(f"line {lines[raw]}: {written} and its value at {shown} are read as one array over the "
                             f"classes {letter}; {name} is "
                             f"{'read as' if kind is None else 'declared'} a class label, and "
                             f"{name} with two indices as its one-hot encoding ({name}_{{i,k}} is 1 when {name}_i = k, else 0)")
        for name, kind in domains.items():
            if kind == "label" and name not in self.classes.labels and len(name) == 1:
                self.classes.labels[name] = False
        return notes

    def _class_parts(self, tokens: list[Token], i: int, raw: str):
        """``(family, class tokens, the call as written)`` for a conditional probability
        call at ``tokens[i]`` whose left side is one letter or one element (``k``, ``y_i``), else None."""
        if i > 0 and tokens[i - 1].text in ("_", "^"):
            return None
        head, j = _call_head(tokens, i)
        if head is None or j >= len(tokens) or tokens[j].text != "(":
            return None
        close = _match_paren(tokens, j)
        if close is None:
            return None
        split = self._class_split(head[0], head[1], tokens[j + 1:close])
        if split is None:
            return None
        start, end = tokens[i].pos, tokens[close].pos + 1
        return split[0], split[1], raw[start:end] if 0 <= start < end <= len(raw) else ""

    def _class_split(self, base: str, sub: list[Token], inner: list[Token]):
        """``(family, class tokens, given tokens)`` of ``base(class | given)``, the family
        naming the head and the given part; None unless the class is a letter or an element."""
        if sub or not (_bare(base) in PROBABILITY_HEADS | DENSITY_HEADS or base == r"\mathbb{P}"):
            return None
        bar = next((n for n, t in enumerate(inner) if t.text in ("|", r"\mid", r"\vert")), None)
        if bar is None or bar == 0 or bar == len(inner) - 1:
            return None
        left, given = inner[:bar], inner[bar + 1:]
        if not (len(left) == 1 and left[0].kind == "letter") and _label_element(left) is None:
            return None
        if any(t.text == left[0].text for t in given):
            return None  # p(k | x_k): the class letter is not free of the sample
        key, _, _, _ = self._key(base, sub, given)
        return key, left, given

    def _class_element(self, base: str, sub: list[Token], inner: list[Token]) -> str | None:
        """The element of a class array a call reads (``\\hat{p}(k|x_i)`` -> at ``(i, k)``,
        ``\\hat{p}(y_i|x_i)`` -> at ``(i, y_i)``), or None for any other call."""
        split = self._class_split(base, sub, inner)
        if split is None or split[0] not in self.classes.families:
            return None
        family, left, given = split
        label = _label_element(left)
        if label is not None:
            if label[0] not in self.classes.labels:
                return None
            at = f"{label[0]}_{{{','.join(label[1])}}}"
        elif _summed(left[0].text, self.raw):
            at = left[0].text
        else:
            return None
        _, indices, args, _ = self._key(base, sub, given)
        call = self.calls.get("class " + family, head=base, written=self.classes.families[family][1],
                              probability=True, index_count=len(indices) + 1,
                              mentions=frozenset(n for n in self.parameters if _mentions(inner, n)),
                              args=(), given=args, hatted=base != _bare(base), family=base, over_classes=True)
        if call.index_count != len(indices) + 1:
            raise ParseError(f"{call.written}: the same probability with a different number of indices")
        return "{" + call.placeholder + "^{(" + ",".join(indices + [at]) + ")}}"

    def _key(self, base: str, sub: list[Token], inner: list[Token]):
        """The call with its index letters numbered by first appearance."""
        indices: list[str] = []
        texts: list[str] = []
        k = 0
        while k < len(inner):
            t = inner[k]
            if t.text in BOLD:
                # a bold capital is a data set (\mathbf{X}); other bold is typography
                nxt = next((x for x in inner[k + 1:] if x.text not in ("{", "}")), None)
                if nxt is not None and nxt.kind == "letter" and nxt.text.isupper():
                    texts.append(r"\mathbf")
                k += 1
                continue
            if t.text in ("{", "}"):
                k += 1
                continue
            if t.text == "_" and k + 1 < len(inner):
                script = [x for x in (inner[k + 2:_match(inner, k + 1)] if inner[k + 1].text == "{"
                                      else inner[k + 1:k + 2]) if x.text not in BOLD]
                step = (_match(inner, k + 1) + 1) if inner[k + 1].text == "{" else k + 2
                letters = [x.text for x in script if x.text != ","]
                if letters and all(len(x) == 1 and x.isalpha() for x in letters):
                    marks = []
                    for x in letters:
                        if x not in indices:
                            indices.append(x)
                        marks.append(f"#{indices.index(x) + 1}")
                    texts.append("_{" + ",".join(marks) + "}")
                    k = step
                    continue
            texts.append(_unify(t.text))
            k += 1
        sub_text = " ".join(x.text for x in sub if x.text not in BOLD)
        key = f"{base}_{{{sub_text}}}(" + " ".join(texts) + ")"
        body = " ".join(texts)
        for bar in (r"\mid", r"\vert", r"\|"):
            body = body.replace(bar, "|")
        left, _, right = body.partition("|")
        args = tuple(a.strip() for a in left.split(",") if a.strip())
        given = tuple(a.strip() for a in right.split(",") if a.strip()) if right else ()
        return key, indices, args, given


#: The standard meanings of H(p, q), H(p) and D_KL(p || q), summed over the
#: whole range of the arguments' last index (rows such as p, \hat{y}_i; H(X) of a
#: random variable stays a name).
STANDARD = {("H", 2): r"\left( - \sum_{{{k}}} {a} {log} {b} \right)",
            ("H", 1): r"\left( - \sum_{{{k}}} {a} {log} {a} \right)",
            ("KL", 2): r"\left( \sum_{{{k}}} {a} {log} \frac{{ {a} }}{{ {b} }} \right)"}
#: Letters the expansion may sum over: the first one the formula does not use.
SUM_LETTERS = (r"\kappa", r"\nu", r"\xi", r"\zeta", r"\varrho", r"\upsilon")


def _standard(base: str, sub: list[Token], inner: list[Token], used: set[str], log: str) -> str | None:
    """``H(p_i, \\hat{p}_i)`` -> ``(-\\sum_\\kappa p_{i,\\kappa} \\log \\hat{p}_{i,\\kappa})``, with ``log``
    the file's log (``\\log_{2}`` under ``log=2``)."""
    word = base if base != r"\mathrm{KL}" else "KL"
    if base == "D" and "".join(t.text for t in sub if t.kind == "letter") == "KL":
        word = "KL"  # D_{KL}, D_{\mathrm{KL}}, D_{\text{KL}}, D_{\rm KL}
    elif sub:
        return None
    inner = _double_bars(inner)
    bars = {",", "|", r"\|", r"\mid", r"\Vert", r"\parallel"} if word == "KL" else {","}
    if word == "H" and any(t.text in ("|", r"\mid", r"\vert") for t in inner):
        return None  # H(Y|X): a conditional entropy
    parts = _split([t for t in inner if t.text not in BOLD], bars)
    template = STANDARD.get((word, len(parts)))
    if template is None:
        return None
    letter = next((g for g in SUM_LETTERS if g not in used), None)
    if letter is None:
        return None
    rows = [_row_element(p, letter) for p in parts]
    if any(r is None for r in rows):
        return None
    names = dict(zip("ab", rows))
    return "{" + template.format(k=letter, log=log, **names) + "}"


def _double_bars(inner: list[Token]) -> list[Token]:
    """``p || q`` and ``p \\mid\\mid q`` are ``p \\| q``."""
    out: list[Token] = []
    for t in inner:
        if out and t.text in ("|", r"\mid") and out[-1].text == t.text:
            out[-1] = Token("sym", r"\|", out[-1].pos)
        else:
            out.append(t)
    return out


def _row_element(tokens: list[Token], letter: str) -> str | None:
    """``p_i`` -> ``p_{i, \\kappa}``; ``\\hat{y}`` -> ``\\hat{y}_{\\kappa}``; else None."""
    if not tokens or any(t.text in ("^", "(", ")", "+", "-") for t in tokens):
        return None
    cut = next((n for n, t in enumerate(tokens) if t.text == "_"), len(tokens))
    letters = [t for t in tokens[:cut] if t.kind == "letter"]
    if letters and letters[-1].text.isupper():
        return None  # H(X): the entropy of a random variable, whose distribution is not named
    base = " ".join(t.text for t in tokens[:cut])
    if cut == len(tokens):
        return f"{base}_{{{letter}}}"
    script = tokens[cut + 1:]
    if script and script[0].text == "{" and script[-1].text == "}":
        script = script[1:-1]
    if not script:
        return None
    return f"{base}_{{{' '.join(t.text for t in script)}, {letter}}}"


@dataclass
class ClassArrays:
    """The file's probabilities of a class given a sample, read as arrays over classes."""

    families: dict[str, tuple[str, str]] = field(default_factory=dict)  # given part -> (class letter, call)
    labels: dict[str, bool] = field(default_factory=dict)    # label names; True when read, not declared

    def onehot(self, tokens: list[Token], i: int):
        """``y_{i,k}`` (or ``y_{ik}``) of a label ``y``: its one-hot encoding ``[y_i = k]``,
        as ``(text, next index)``; None for anything else."""
        t = tokens[i]
        if t.text not in self.labels or t.kind != "letter" or i + 2 >= len(tokens) or tokens[i + 1].text != "_":
            return None
        if i > 1 and tokens[i - 1].text == "{" and tokens[i - 2].text in DECORATIONS:
            return None  # \hat{y_{i,k}}: another symbol
        if tokens[i + 2].text != "{":
            return None
        close = _match(tokens, i + 2)
        letters = [x for x in tokens[i + 3:close] if x.text != ","]
        if len(letters) == 1 and len(letters[0].text) == 2 and letters[0].text.isalpha():
            letters = [Token("letter", c, letters[0].pos) for c in letters[0].text]  # y_{ik}
        if len(letters) != 2 or not all(x.kind == "letter" and len(x.text) == 1 for x in letters):
            return None
        if close + 1 < len(tokens) and tokens[close + 1].text == "^" and not _index_power(tokens, close + 1):
            return None  # y_{i,k}^2: left to the reader
        sample, klass = letters[0].text, letters[1].text
        return r"{\mathbb{1}\{" + f"{t.text}_{{{sample}}} = {klass}" + r"\}}", close + 1


#: Decorations that make another symbol of a letter (\hat{y} is not y).
DECORATIONS = {r"\hat", r"\widehat", r"\tilde", r"\widetilde", r"\bar", r"\overline", r"\check", r"\vec"}


def _index_power(tokens: list[Token], at: int) -> bool:
    return at + 2 < len(tokens) and tokens[at + 1].text == "{" and tokens[at + 2].text == "("


def _label_element(left: list[Token]) -> tuple[str, list[str]] | None:
    """``y_i`` or ``y_{i}`` -> ``("y", ["i"])``; None for anything else."""
    if len(left) < 3 or left[0].kind != "letter" or left[1].text != "_":
        return None
    script = left[2:]
    if script[0].text == "{" and script[-1].text == "}":
        script = script[1:-1]
    letters = [x.text for x in script if x.text != ","]
    if not letters or not all(x.kind == "letter" and len(x.text) == 1 for x in script if x.text != ","):
        return None
    return left[0].text, letters


def _summed(letter: str, raw: str) -> bool:
    """Does a sum or product of ``raw`` bind ``letter`` (``\\sum_{k=1}^{K}``, ``\\sum_k``)?"""
    return re.search(r"\\(sum|prod)\s*(\\limits\s*)?_\s*\{?\s*" + re.escape(letter) + r"\b", raw) is not None


def _bare(base: str) -> str:
    """``p`` for the head ``\\hat{p}``; other heads as they are."""
    for hat in set(HATS.values()):
        if base.startswith(hat + "{") and base.endswith("}"):
            return base[len(hat) + 1:-1]
    return base


def _unify(text: str) -> str:
    return {r"\mid": "|", r"\vert": "|"}.get(text, text)


def _call_head(tokens: list[Token], i: int):
    """``((base, subscript tokens), index after the head)`` or ``(None, i)``."""
    t = tokens[i]
    j = i + 1
    if t.text in (r"\mathrm", r"\operatorname", r"\text") and j < len(tokens) and tokens[j].text == "{":
        close = closing(tokens, j)
        word = "".join(x.text for x in tokens[j + 1:close or j] if x.kind == "letter")
        if close is not None and word == "KL":
            return ("KL", []), close + 1
    if t.text in (r"\mathbb", r"\mathcal", r"\mathrm", r"\operatorname") and j < len(tokens):
        if tokens[j].text == "{" and j + 2 < len(tokens) and tokens[j + 2].text == "}":
            base = f"{t.text}{{{tokens[j + 1].text}}}"
            j += 3
        elif tokens[j].kind == "letter":
            base = f"{t.text}{{{tokens[j].text}}}"
            j += 1
        else:
            return None, i
        if base == r"\mathrm{P}":
            base = "P"
    elif t.kind == "letter" or t.text in (r"\Pr", r"\ell"):
        base = t.text
    elif t.text in HATS and j < len(tokens):
        # \hat{p}(k \mid x_i): a model's estimate of a probability
        if tokens[j].text == "{" and j + 2 < len(tokens) and tokens[j + 2].text == "}":
            letter, j = tokens[j + 1].text, j + 3
        else:
            letter, j = tokens[j].text, j + 1
        if letter not in HATTED_HEADS:
            return None, i
        base = f"{HATS[t.text]}{{{letter}}}"
    else:
        return None, i
    if _bare(base) not in PROBABILITY_HEADS | DENSITY_HEADS | FUNCTION_HEADS | {r"\mathbb{P}"}:
        # D_{KL}, KL written as letters
        if base in ("K",) and j < len(tokens) and tokens[j].text == "L":
            base, j = "KL", j + 1
        else:
            return None, i
    sub: list[Token] = []
    if j < len(tokens) and tokens[j].text == "_":
        end = _script_end(tokens, j + 1)
        sub = [x for x in tokens[j + 1:end] if x.text not in ("{", "}")]
        j = end
    return (base, sub), j


def _index_letter(part: list[Token]) -> bool:
    return len(part) == 1 and part[0].kind == "letter" and part[0].text in "ijklmnt"


def _names_data(inner: list[Token]) -> bool:
    """``p(\\mathbf{x})``, ``p(\\mathcal{D})``, ``p(\\theta)``, ``p((x_i, y_i))``: a density
    of data or parameters rather than an element or a product."""
    return any(t.text in BOLD or t.text in (r"\mathcal", r"\theta", r"\vartheta") for t in inner) or \
        (bool(inner) and inner[0].text == "(")


def _index_list(inner: list[Token]) -> bool:
    parts = _split(inner)
    return bool(parts) and all(len(p) == 1 and (p[0].kind in ("letter", "num") or p[0].text in GREEK)
                               for p in parts)


def _mentions(tokens: list[Token], name: str) -> bool:
    return name in {_canonical([t]) for t in tokens if t.text not in BOLD}


def _canonical(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens if t.text not in BOLD and t.text not in ("{", "}"))


def _split(tokens: list[Token], separators: AbstractSet[str] = frozenset({","})) -> list[list[Token]]:
    parts: list[list[Token]] = []
    cur: list[Token] = []
    depth = 0
    for t in tokens:
        if t.text in ("{", "(", "["):
            depth += 1
        elif t.text in ("}", ")", "]"):
            depth -= 1
        if t.text in separators and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


def _top_comma(tokens: list[Token]) -> bool:
    if not tokens or tokens[0].text != "(":
        return False
    close = _match_paren(tokens, 0)
    return close is not None and len(_split(tokens[1:close])) > 1


_WORD_COMMANDS = (r"\operatorname", r"\mathrm", r"\text", r"\textrm")


def _log_word_end(tokens: list[Token], i: int) -> int | None:
    """Where a ``\\log`` starting at ``tokens[i]`` ends (``\\log``, or ``\\operatorname{log}``,
    ``\\mathrm{log}``, which the reader reads as the same function), or None."""
    if tokens[i].text == r"\log":
        return i + 1
    if (tokens[i].text in _WORD_COMMANDS and i + 6 <= len(tokens) and tokens[i + 1].text == "{"
            and "".join(t.text for t in tokens[i + 2:i + 5]) == "log" and tokens[i + 5].text == "}"):
        return i + 6
    return None


def _match(tokens: list[Token], i: int) -> int:
    end = closing(tokens, i)
    if end is None:
        raise ParseError("an unclosed {")
    return end


def _match_paren(tokens: list[Token], i: int) -> int | None:
    return closing(tokens, i, "(", ")")


def _script_end(tokens: list[Token], j: int) -> int:
    if j >= len(tokens):
        return j
    if tokens[j].text == "{":
        return _match(tokens, j) + 1
    if tokens[j].text in (r"\text", r"\mathrm", r"\textrm") and j + 1 < len(tokens) and tokens[j + 1].text == "{":
        return _match(tokens, j + 1) + 1
    return j + 1
