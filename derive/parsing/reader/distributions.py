"""Named distributions: ``\\mathcal{N}(x \\mid \\mu, \\sigma^2)``, ``\\mathrm{Bern}(y; p)``, ... read as
their standard pmf or density at the value before the bar (or the semicolon).

:data:`DISTRIBUTIONS` is the registry: each distribution's formula, its parameters with their
domains, the domain of its value and its support (for expectations). :data:`SPELLINGS` maps the
words people write (``Bern``, ``Bernoulli``; ``Pois``, ``Poiss``, ``Poisson``; ...) to it.

Domains. A parameter written as one name (``p``, ``\\sigma^2``, ``\\lambda``) is taken in its
domain (``p`` a probability, ``\\sigma`` positive, ``\\lambda`` positive), and so is the value
(``y`` of a Bernoulli is 0 or 1, ``k`` of a Poisson a natural number): random points are drawn
there and proofs assume it, with a note naming the domain. A domain the user declares wins
(with a note); two distributions asking two domains of one name are refused.

Readings the text leaves open are refused, never guessed: ``\\mathrm{Bern}(p)`` names the
distribution, not a number (it is read only after ``\\sim``, in an expectation),
``\\mathcal{N}(x, \\mu, \\sigma^2)`` does not say which argument is the value, and
``\\mathcal{N}(x \\mid \\mu, \\sigma)`` does not say whether sigma is the standard deviation
or the variance.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..lexer import Token
from ..nodes import Atom, Constant, Group, IndexPart
from .mixin import ReaderMixin
from .tokens import split

#: Whether a number lies in a value domain (the support of a distribution).
IN_SUPPORT: dict[str, Callable[[sp.Expr], bool]] = {
    "binary": lambda v: v in (0, 1),
    "natural": lambda v: bool(v.is_integer and v >= 0),
    "label": lambda v: bool(v.is_integer),
    "positive": lambda v: bool(v > 0),
    "prob": lambda v: bool(0 <= v <= 1),
}
#: Separators between the value and the parameters: ``N(x \mid mu, s2)``, ``N(x; mu, s2)``.
VALUE_BARS = {r"\mid", "|", ";", r"\vert"}


@dataclass(frozen=True)
class Parameter:
    """A parameter as the standard texts write it, and the domain a parameter written as
    one name is taken in (None: any real number; ``vector``: a row over the classes)."""

    name: str
    domain: str | None = None
    vector: bool = False


@dataclass(frozen=True)
class Distribution:
    """One named distribution: ``formula(value, params)`` is its pmf or density.

    ``support`` says what an expectation sums over: ``finite`` (the values ``bounds(params)``,
    as ``(lo, hi)``), ``row`` (the whole range of its row parameter), ``infinite`` (not read)
    or ``density`` (an integral, not read). ``value_domain`` is where the value lies (None:
    the real line)."""

    name: str
    params: tuple[Parameter, ...]
    formula: Callable[[sp.Expr, list], sp.Expr]
    standard: str
    support: str
    value_domain: str | None = None
    bounds: Callable[[list], tuple] | None = None

    @property
    def discrete(self) -> bool:
        return self.support != "density"


def _normal(x, ps):
    mu, var = ps
    return sp.exp(-(x - mu) ** 2 / (2 * var)) / sp.sqrt(2 * sp.pi * var)


def _bernoulli(y, ps):
    (p,) = ps
    return p ** y * (1 - p) ** (1 - y)


def _categorical(y, ps):
    (row,) = ps
    return row(y)


def _poisson(k, ps):
    (lam,) = ps
    return lam ** k * sp.exp(-lam) / sp.factorial(k)


def _laplace(x, ps):
    mu, b = ps
    return sp.exp(-sp.Abs(x - mu) / b) / (2 * b)


def _exponential(x, ps):
    (lam,) = ps
    return lam * sp.exp(-lam * x)


def _beta(x, ps):
    a, b = ps
    # 1/B(a, b) = Gamma(a + b) / (Gamma(a) Gamma(b)), with Gamma(t) = (t - 1)!
    return x ** (a - 1) * (1 - x) ** (b - 1) * sp.factorial(a + b - 1) / (sp.factorial(a - 1) * sp.factorial(b - 1))


def _binomial(k, ps):
    n, p = ps
    return sp.binomial(n, k) * p ** k * (1 - p) ** (n - k)


#: The distributions read, by name.
DISTRIBUTIONS: dict[str, Distribution] = {
    "normal": Distribution("normal", (Parameter(r"\mu"), Parameter(r"\sigma^2", "positive")), _normal,
                           r"\frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)",
                           support="density"),
    "bernoulli": Distribution("bernoulli", (Parameter("p", "prob"),), _bernoulli, r"p^y (1-p)^{1-y}",
                              support="finite", value_domain="binary", bounds=lambda ps: (0, 1)),
    "categorical": Distribution("categorical", (Parameter(r"\boldsymbol\pi", vector=True),), _categorical,
                                r"\pi_y", support="row", value_domain="label"),
    "poisson": Distribution("poisson", (Parameter(r"\lambda", "positive"),), _poisson,
                            r"\frac{\lambda^k e^{-\lambda}}{k!}", support="infinite", value_domain="natural"),
    "laplace": Distribution("laplace", (Parameter(r"\mu"), Parameter("b", "positive")), _laplace,
                            r"\frac{1}{2b} \exp\left(-\frac{|x-\mu|}{b}\right)", support="density"),
    "exponential": Distribution("exponential", (Parameter(r"\lambda", "positive"),), _exponential,
                                r"\lambda e^{-\lambda x}", support="density", value_domain="positive"),
    "beta": Distribution("beta", (Parameter(r"\alpha", "positive"), Parameter(r"\beta", "positive")), _beta,
                         r"\frac{\Gamma(\alpha+\beta)}{\Gamma(\alpha)\Gamma(\beta)} x^{\alpha-1} (1-x)^{\beta-1}",
                         support="density", value_domain="prob"),
    "binomial": Distribution("binomial", (Parameter("n", "natural"), Parameter("p", "prob")), _binomial,
                             r"\binom{n}{k} p^k (1-p)^{n-k}", support="finite",
                             value_domain="natural", bounds=lambda ps: (0, ps[0])),
}

#: The words that name a distribution inside \mathrm{..}, \operatorname{..}, \text{..}, \textrm{..}, \mathsf{..}.
WORDS: dict[str, str] = {
    "Normal": "normal", "Gaussian": "normal",
    "Bern": "bernoulli", "Ber": "bernoulli", "Bernoulli": "bernoulli",
    "Cat": "categorical", "Categorical": "categorical",
    "Poisson": "poisson", "Pois": "poisson", "Poiss": "poisson",
    "Laplace": "laplace", "Lap": "laplace",
    "Exp": "exponential", "Exponential": "exponential", "Expon": "exponential",
    "Beta": "beta",
    "Bin": "binomial", "Binom": "binomial", "Binomial": "binomial",
}
#: The letters that name a distribution inside \mathcal{..}.
CALLIGRAPHIC: dict[str, str] = {"N": "normal"}
#: Commands whose braced word may name a distribution.
WORD_COMMANDS = (r"\mathrm", r"\operatorname", r"\text", r"\textrm", r"\mathsf")


def spelled(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """``(distribution, as written, index after the name)`` when ``tokens[i]`` starts a
    distribution's name (``\\mathcal{N}``, ``\\mathcal N``, ``\\mathrm{Bern}``), else None."""
    if i + 1 >= len(tokens):
        return None
    t = tokens[i].text
    if t == r"\mathcal":
        if tokens[i + 1].text == "{" and i + 3 < len(tokens) and tokens[i + 3].text == "}":
            word, after = tokens[i + 2].text, i + 4
        else:
            word, after = tokens[i + 1].text, i + 2
        name = CALLIGRAPHIC.get(word)
        return (name, f"\\mathcal{{{word}}}", after) if name else None
    if t in WORD_COMMANDS and tokens[i + 1].text == "{":
        j = i + 2
        while j < len(tokens) and tokens[j].kind == "letter":
            j += 1
        if j >= len(tokens) or tokens[j].text != "}":
            return None
        word = "".join(x.text for x in tokens[i + 2:j])
        name = WORDS.get(word)
        return (name, f"{t}{{{word}}}", j + 1) if name else None
    return None


def listing() -> str:
    """The distributions and their spellings, one line, for messages and help."""
    names: dict[str, list[str]] = {}
    for word, name in WORDS.items():
        names.setdefault(name, []).append(word)
    names["normal"].insert(0, r"\mathcal{N}")
    return "; ".join(f"{name}: {', '.join(words)}" for name, words in names.items())


class DistributionReading(ReaderMixin):
    """``\\mathcal{N}(x \\mid \\mu, \\sigma^2)`` and the other named distributions at a value."""

    def distribution_here(self) -> tuple[str, str, int] | None:
        """The distribution named at the cursor when a ``(`` follows its name, else None."""
        found = spelled(self.tokens, self.i)
        if found is None or found[2] >= len(self.tokens) or self.tokens[found[2]].text != "(":
            return None
        return found

    def distribution(self, tok: Token) -> sp.Symbol:
        """``D(x | params)`` or ``D(x; params)``: the pmf or density of ``D`` at ``x``."""
        found = self.distribution_here()
        assert found is not None, "called where a distribution starts"
        name, written, after = found
        dist = DISTRIBUTIONS[name]
        self.i = after
        open_ = self.peek()
        end = self.matching(self.i)
        inner = self.tokens[self.i + 1:end]
        self.i = end + 1
        value_tokens, param_tokens = self.value_and_parameters(inner, dist, written, open_)
        params = self.parameters(param_tokens, dist, written, open_)
        value = self.sub(value_tokens, f"value of {written}", open_)
        args = self.formula_arguments(dist, params, written, tok)
        self.check_support(value, dist, written, open_)
        self.take_domain(value, dist.value_domain, f"the value of {written}")
        self.note(f"{written}(..) was read as the {'pmf' if dist.discrete else 'density'} "
                  f"{dist.standard} (the value before the bar, then {', '.join(p.name for p in dist.params)})")
        return self.new(Group(dist.formula(value, args)))

    def value_and_parameters(self, inner: list[Token], dist: Distribution, written: str, at: Token):
        """Split ``x \\mid params`` (or ``x; params``) at its one bar; refuse the other spellings."""
        depth, bars = 0, []
        for n, t in enumerate(inner):
            if t.text in ("(", "[", "{", r"\{", r"\lvert"):
                depth += 1
            elif t.text in (")", "]", "}", r"\}", r"\rvert"):
                depth -= 1
            elif depth == 0 and t.text in VALUE_BARS:
                bars.append(n)
        if not bars:
            commas = sum(1 for t in inner if t.text == ",")
            if commas + 1 == len(dist.params):
                other = " (for the function e^x write \\exp(x))" if dist.name == "exponential" else ""
                raise self.error(f"{written}(..) with only its parameters names the distribution, not a number: "
                                 f"write {written}(x \\mid ..) for its {'pmf' if dist.discrete else 'density'} "
                                 f"at x, or use it after \\sim in an expectation{other}", at)
            raise self.error(f"{written}(..): which argument is the value? Write {written}(x \\mid ..) or "
                             f"{written}(x; ..), the value first", at)
        if len(bars) > 1:
            raise self.error(f"{written}(..) has more than one bar: is |..| an absolute value or the bar "
                             f"before the parameters? Write \\mid for the bar", at)
        cut = bars[0]
        if not inner[:cut] or not inner[cut + 1:]:
            raise self.error(f"{written}(..): a value and its parameters are needed on both sides of the bar", at)
        return inner[:cut], inner[cut + 1:]

    def parameters(self, tokens: list[Token], dist: Distribution, written: str, at: Token) -> list:
        """The parameters after the bar, each read as an expression (a vector parameter as its name)."""
        parts = split(tokens, {","})
        if len(parts) != len(dist.params):
            wanted = ", ".join(p.name for p in dist.params)
            raise self.error(f"{written} takes {len(dist.params)} parameter{'s' * (len(dist.params) > 1)} "
                             f"({wanted}), not {len(parts)}", at)
        out = []
        for part, param in zip(parts, dist.params):
            if param.vector:
                out.append(self.vector_name(part, written, at))
            else:
                out.append(self.sub(part, f"parameter {param.name} of {written}", at))
        return out

    def check_support(self, value: sp.Expr, dist: Distribution, written: str, at: Token) -> None:
        """The formula holds on the support only (an exponential density is 0 below 0): the value
        must be a name (taken in the support) or a number in it; any other expression is refused."""
        if dist.value_domain is None or self.named(value) is not None:
            return
        number = self.number_of(value)
        if number is not None and IN_SUPPORT[dist.value_domain](number):
            return
        shown = "a number in its support" if number is not None else "a name or a number"
        raise self.error(f"the value of {written}(..) must be {shown} ({dist.value_domain}): off its support "
                         f"the {'pmf' if dist.discrete else 'density'} is 0, not {dist.standard}", at)

    def formula_arguments(self, dist: Distribution, params: list, written: str, at: Token) -> list:
        """The parameters as the formula takes them (a row as a function of the class), each
        parameter written as one name taken in its domain."""
        args = []
        for param, expr in zip(dist.params, params):
            if param.vector:
                args.append(lambda k, key=expr: self.new(Atom(key, (IndexPart(expr=k),), at.pos)))
            else:
                squared = param.name[:-2] if param.name.endswith("^2") else None
                if squared is not None and self.named(expr) == squared:
                    raise self.error(f"{written}(..) with {squared} as its parameter {param.name}: is {squared} "
                                     f"the standard deviation (then write {param.name}) or the variance itself "
                                     f"(then give it another name, such as v)? Both readings are used", at)
                number = self.number_of(expr)
                if param.domain is not None and number is not None and not IN_SUPPORT[param.domain](number):
                    raise self.error(f"the parameter {param.name} of {written} is {expr}, outside its domain "
                                     f"({param.domain}): no such distribution", at)
                args.append(expr)
                self.take_domain(expr, param.domain, f"the parameter {param.name} of {written}")
        return args

    def take_domain(self, expr: sp.Expr, kind: str | None, what: str) -> None:
        """Take the name ``expr`` is (``p``, ``y_i``; for a positive parameter also ``\\sigma^2``)
        in the domain ``kind``: recorded in :attr:`implied` for the formulas' table."""
        if kind is None:
            return
        key = self.named(expr)
        if key is None and kind == "positive" and isinstance(expr, sp.Pow) and expr.exp.is_Integer \
                and expr.exp % 2 == 0:
            key = self.named(expr.base)  # \sigma^2 > 0: sigma taken positive (its sign is not seen)
        if key is None or key in self.bound:
            return
        old = self.implied.get(key)
        if old is not None and old[0] != kind:
            raise self.error(f"{key} is {old[1]} (domain {old[0]}) and {what} (domain {kind}): "
                             "one name cannot be both")
        self.implied.setdefault(key, (kind, what))

    def number_of(self, expr: sp.Expr) -> sp.Expr | None:
        """The number ``expr`` is (a numeral, ``1.5``, ``-1``, ``\\frac{1}{2}``), or None."""
        value = expr.xreplace({s: n.value for s, n in self.nodes.items() if isinstance(n, Constant)
                               and s in expr.free_symbols})
        value = value.xreplace({s: self.number_of(n.expr) for s, n in self.nodes.items()
                                if isinstance(n, Group) and s in value.free_symbols
                                and self.number_of(n.expr) is not None})
        return value if value.is_number and value.is_real else None

    def named(self, expr: sp.Expr) -> str | None:
        """The key of the variable ``expr`` is, when it is one (``p``, ``y_i``), else None."""
        node = self.nodes.get(expr) if isinstance(expr, sp.Symbol) else None
        if isinstance(node, Group):
            return self.named(node.expr)
        if isinstance(node, Atom) and not node.suffix:
            return node.key
        return None
