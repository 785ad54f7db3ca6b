"""Integrals of densities written out: ``\\int_{-\\infty}^{\\infty} f(x)\\,dx`` (also
``\\int_{\\mathbb{R}}`` and ``\\int`` without bounds, read over the whole real line with a
note), decided in closed form.

One class is read: the integrand, once every log of a density is written as the log of
its constant plus its exponent (``\\log(C e^{Q(x)}) = \\log C + Q(x)``, valid wherever the
log has a value), is a sum of terms ``c\\, x^k e^{a x^2 + b x + e}`` with ``a < 0`` wherever
it is defined: a Gaussian density (written out) times a polynomial, or times the log of
Gaussian densities. Each term is the k-th moment of a Gaussian, exact:
``\\int x^k e^{a x^2 + b x + e} dx = e^{e - b^2/(4a)} \\sqrt{\\pi/(-a)}\\, E[X^k]`` for
``X ~ N(-b/(2a), -1/(2a))``. So ``\\int p(x)\\log\\frac{p(x)}{q(x)}dx`` for two Gaussians is
their KL divergence. Anything else (other bounds, other integrands, a density named but
not written out, such as ``p(x)``) is refused with a message.
"""
from __future__ import annotations

import sympy as sp

from ..lexer import Token
from ..nodes import Atom, Call
from .functions import FUNCTIONS, Function, FunctionValueError
from .names import GREEK
from .tokens import CLOSERS, NESTING

#: Commands that may wrap the d of a differential: \mathrm{d}x, \text{d}x, \operatorname{d}x.
DIFFERENTIAL_FONTS = {r"\mathrm", r"\text", r"\operatorname", r"\mathit"}
#: Largest power of x read in an integrand (moments beyond are not needed for densities).
MAX_MOMENT = 12

REFUSED = ("integrals are read only over the whole real line, of a Gaussian density written out "
           "times a polynomial in the variable or the log of Gaussian densities (such as "
           r"\int p(x) \log\frac{p(x)}{q(x)} dx with p and q written out)")


class IntegralReading:
    """``\\int .. dx`` over the real line: a closed form, or a refusal."""

    def integral(self, tok: Token) -> object:
        self.i += 1
        lower = upper = None
        for _ in range(2):
            nxt = self.peek()
            if nxt is not None and nxt.text == "_" and lower is None:
                self.i += 1
                lower = [t.text for t in self.script_tokens(nxt)]
            elif nxt is not None and nxt.text == "^" and upper is None:
                self.i += 1
                upper = [t.text for t in self.script_tokens(nxt)]
        whole_line = ((lower in (["-", r"\infty"],) and upper in ([r"\infty"], ["+", r"\infty"]))
                      or (lower in ([r"\mathbb", "{", "R", "}"], [r"\mathbb", "R"]) and upper is None))
        if lower is None and upper is None:
            self.note(r"\int without bounds was read over the whole real line")
        elif not whole_line:
            raise self.error(f"{REFUSED}: write \\int_{{-\\infty}}^{{\\infty}}", tok)
        start = self.i
        end, var = self.differential(tok)
        integrand = self.sub(self.tokens[start:end[0]], "integrand", tok)
        self.i = end[1]
        x = self.new(Atom(var.text, (), var.pos))
        return self.new(Call("integral", integrand, x))

    def differential(self, tok: Token) -> tuple[tuple[int, int], Token]:
        """Where the integrand ends and the differential ``dx`` (``\\mathrm{d}x``) is:
        ((start of the differential, index past it), the variable's token)."""
        depth = 0
        k = self.i
        while k < len(self.tokens):
            t = self.tokens[k]
            if t.text in NESTING:
                depth += 1
            elif t.text in CLOSERS:
                if depth == 0:
                    break
                depth -= 1
            if depth == 0:
                after = None
                if t.kind == "letter" and t.text == "d":
                    after = k + 1
                elif (t.text in DIFFERENTIAL_FONTS and [x.text for x in self.tokens[k + 1:k + 4]] == ["{", "d", "}"]):
                    after = k + 4
                if after is not None and after < len(self.tokens):
                    var = self.tokens[after]
                    if (var.kind == "letter" or var.text in GREEK) and k > self.i:
                        return (k, after + 1), var
            k += 1
        raise self.error(f"{tok.text}: no differential (dx) closes the integral; {REFUSED}", tok)


def _positive_where_defined(e: sp.Expr) -> bool:
    """Whether ``e`` is > 0 wherever it has a value: positive numbers and symbols, even powers
    (``\\sigma^2``, ``1/\\sigma^2``), and sums, products and quotients of such."""
    if e.is_positive:
        return True
    if isinstance(e, sp.Pow):
        return (e.exp.is_integer and e.exp.is_even) or _positive_where_defined(e.base)
    if isinstance(e, (sp.Mul, sp.Add)):
        return all(_positive_where_defined(a) for a in e.args)
    return False


def _log_of_density(arg: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """``\\log(C e^{Q_1} / e^{Q_2} ..)`` as ``\\log C + Q_1 - Q_2``: the exponents of the factors
    that depend on x; refused when a factor depending on x is not an exponential."""
    const, rest = arg.as_independent(x, as_Add=False)
    exponent = sp.Integer(0)
    for factor in sp.Mul.make_args(rest):
        base, power = factor.as_base_exp()
        if base is sp.E:
            exponent += power
        elif isinstance(base, sp.exp) and not power.has(x):
            exponent += power * base.args[0]
        else:
            raise FunctionValueError(REFUSED)
    return sp.log(const) + exponent


def _gaussian_moment(k: int, mean: sp.Expr, var: sp.Expr) -> sp.Expr:
    """E[X^k] for X ~ N(mean, var), exact."""
    total = sp.Integer(0)
    for j in range(0, k + 1, 2):
        total += sp.binomial(k, j) * mean ** (k - j) * var ** sp.Rational(j, 2) * sp.factorial2(j - 1)
    return total


def integral_over_line(args: list[sp.Expr], x: sp.Expr) -> sp.Expr:
    """The integral over the real line of ``args[0]`` in ``x``, in closed form."""
    if not isinstance(x, sp.Symbol):
        raise FunctionValueError(f"the variable of an integral must be a plain name; {REFUSED}")
    f = args[0].replace(lambda n: isinstance(n, sp.log) and n.args[0].has(x),
                        lambda n: _log_of_density(n.args[0], x))
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(f, power_exp=False, log=False)):
        const, rest = term.as_independent(x, as_Add=False)
        degree, exponent = 0, sp.Integer(0)
        for factor in sp.Mul.make_args(rest):
            base, power = factor.as_base_exp()
            if base == x and power.is_Integer and 0 <= power <= MAX_MOMENT:
                degree += int(power)
            elif isinstance(base, sp.exp):
                exponent += power * base.args[0]
            elif base is sp.E:
                exponent += power
            else:
                raise FunctionValueError(REFUSED)
        try:
            poly = sp.Poly(sp.expand(exponent), x) if exponent.has(x) else None
        except sp.PolynomialError:
            poly = None
        if poly is None or poly.degree() != 2 or degree > MAX_MOMENT:
            raise FunctionValueError(REFUSED)
        a, b, e = (poly.coeff_monomial(x ** n) for n in (2, 1, 0))
        if not _positive_where_defined(sp.cancel(-a)):
            raise FunctionValueError(f"{REFUSED}; here the exponent's x^2 coefficient {a} is not "
                                     "negative for every value (declare its symbols positive)")
        mean, var = -b / (2 * a), -1 / (2 * a)
        total += const * sp.exp(e - b ** 2 / (4 * a)) * sp.sqrt(sp.pi / (-a)) * _gaussian_moment(degree, mean, var)
    return total


FUNCTIONS["integral"] = Function(lambda args, base: integral_over_line(args, base))
