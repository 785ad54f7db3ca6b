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
their KL divergence. A term that is a Gaussian factor times a factor of at most exponential
growth with a value everywhere (``|x - m|``, max, min, the sigmoid and softplus of linear
arguments) has no closed form here: it is a :class:`LineIntegral`, computed by quadrature at
each point, numeric evidence only. Anything else (other bounds, other integrands, a density
named but not written out, such as ``p(x)``) is refused with a message.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from ...checks.evaluate import Undefined, _eval, handles, tolerance
from ..lexer import Token
from ..nodes import Atom, Call
from .functions import FUNCTIONS, Function, FunctionValueError
from .names import GREEK
from .mixin import ReaderMixin
from .tokens import CLOSERS, NESTING

#: Commands that may wrap the d of a differential: \mathrm{d}x, \text{d}x, \operatorname{d}x.
DIFFERENTIAL_FONTS = {r"\mathrm", r"\text", r"\operatorname", r"\mathit"}
#: Largest power of x read in an integrand (moments beyond are not needed for densities).
MAX_MOMENT = 12
#: Most terms an integrand is multiplied out into.
MAX_TERMS = 200

REFUSED = ("integrals are read only over the whole real line, of a Gaussian density written out "
           "times a polynomial in the variable or the log of Gaussian densities (such as "
           r"\int p(x) \log\frac{p(x)}{q(x)} dx with p and q written out)")


class IntegralReading(ReaderMixin):
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


def _log_of_density(arg: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """``\\log(C e^{Q_1} / e^{Q_2} ..)`` as ``\\log C + Q_1 - Q_2``: the exponents of the factors
    that depend on x; None when a factor depending on x is not an exponential."""
    const, rest = arg.as_independent(x, as_Add=False)
    exponent = sp.Integer(0)
    for factor in sp.Mul.make_args(rest):
        base, power = factor.as_base_exp()
        if base is sp.E:
            exponent += power
        elif isinstance(base, sp.exp) and not power.has(x):
            exponent += power * base.args[0]
        else:
            return None
    return sp.log(const) + exponent


def _linear(e: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``e`` is a polynomial of degree at most 1 in x."""
    try:
        return sp.Poly(e, x).degree() <= 1
    except sp.PolynomialError:
        return False


def _bounded_below(e: sp.Expr, x: sp.Symbol) -> bool:
    """``c + e^{a x + b} + ..`` with a number c > 0: at least c, growing at most exponentially."""
    const, rest = e.as_independent(x, as_Add=True)
    return (const.is_number and const.is_positive is True and rest != 0
            and all(isinstance(t, sp.exp) and _linear(t.args[0], x) for t in sp.Add.make_args(rest)))


def _tame(e: sp.Expr, x: sp.Symbol) -> bool:
    """Whether ``e`` grows at most exponentially in x (so a Gaussian factor makes it integrable)
    and has a value for every x: polynomials, |..|, max, min, e^{linear}, and the sigmoid and
    softplus of linear arguments (1/(1 + e^{..}), \\log(1 + e^{..}))."""
    if not e.has(x) or e == x:
        return True
    if isinstance(e, (sp.Add, sp.Mul, sp.Abs, sp.Max, sp.Min)):
        return all(_tame(a, x) for a in e.args)
    if isinstance(e, sp.Pow):
        if e.exp.is_Integer and e.exp >= 0:
            return _tame(e.base, x)
        return e.exp.is_number and e.exp.is_negative is True and _bounded_below(e.base, x)
    if isinstance(e, sp.exp):
        return _linear(e.args[0], x)
    if isinstance(e, sp.log):
        return _bounded_below(e.args[0], x)
    return False


def _gaussian_moment(k: int, mean: sp.Expr, var: sp.Expr) -> sp.Expr:
    """E[X^k] for X ~ N(mean, var), exact."""
    total = sp.Integer(0)
    for j in range(0, k + 1, 2):
        total += sp.binomial(k, j) * mean ** (k - j) * var ** sp.Rational(j, 2) * sp.factorial2(j - 1)
    return total


def integral_over_line(args: list[sp.Expr], x: sp.Expr) -> sp.Expr:
    """The integral over the real line of ``args[0]`` in ``x``: each term in closed form where
    it is a Gaussian moment, by quadrature (:class:`LineIntegral`) where it is a Gaussian factor
    times a factor of at most exponential growth; refused otherwise."""
    if not isinstance(x, sp.Symbol):
        raise FunctionValueError(f"the variable of an integral must be a plain name; {REFUSED}")
    if x.is_real is not True or any(getattr(x, f"is_{k}") is not None for k in ("positive", "negative", "integer")):
        # a declared domain (or a sum's index) would let sympy rewrite |x| as x before the integral
        raise FunctionValueError(f"{x}, the variable of an integral over the real line, must be a real name "
                                 "with no other domain and no sum over it")
    f = args[0].replace(lambda n: isinstance(n, sp.log) and n.args[0].has(x)
                        and _log_of_density(n.args[0], x) is not None,
                        lambda n: _log_of_density(n.args[0], x))
    total = sp.Integer(0)
    for term in _terms(f):
        const, rest = term.as_independent(x, as_Add=False)
        degree, exponent, other = 0, sp.Integer(0), sp.Integer(1)
        for factor in sp.Mul.make_args(rest):
            base, power = factor.as_base_exp()
            if base == x and power.is_Integer and 0 <= power <= MAX_MOMENT:
                degree += int(power)
            elif base is sp.E:
                exponent += power
            elif isinstance(base, sp.exp):
                exponent += power * base.args[0]
            elif _tame(factor, x):
                other *= factor
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
        if other != 1:
            total += const * LineIntegral(rest, x, mean, sp.sqrt(var), _growth(other, x))
            continue
        total += const * sp.exp(e - b ** 2 / (4 * a)) * sp.sqrt(sp.pi / (-a)) * _gaussian_moment(degree, mean, var)
    return total


def _terms(e: sp.Expr) -> list[sp.Expr]:
    """``e`` as a list of terms: products distributed over sums and positive integer powers of
    sums expanded, denominators left alone (sympy's expand would merge them)."""
    if isinstance(e, sp.Add):
        return [t for a in e.args for t in _terms(a)]
    if isinstance(e, sp.Pow) and isinstance(e.base, sp.Add) and e.exp.is_Integer and e.exp > 0:
        return list(sp.Add.make_args(sp.expand(e)))
    if isinstance(e, sp.Mul):
        out = [sp.Integer(1)]
        for a in e.args:
            out = [p * q for p in out for q in _terms(a)]
            if len(out) > MAX_TERMS:
                raise FunctionValueError(f"the integrand has more than {MAX_TERMS} terms once multiplied out")
        return out
    return [e]


class LineIntegral(sp.Function):
    """``\\int_{-\\infty}^{\\infty} f\\,dx`` of one term with no closed form: a Gaussian factor
    (centre ``mean``, width ``sd``) times a factor growing at most like ``e^{growth |x|}``.
    Evaluated by quadrature at each point (mpmath, over the centre plus or minus enough widths
    that the tails are below the working precision), so agreement with it is numeric evidence
    only. Arguments: the integrand, the variable (bound, not a free symbol), mean, sd, growth."""

    nargs = 5
    is_real = True

    @property
    def free_symbols(self) -> set:
        f, x, *rest = self.args
        return (f.free_symbols - {x}).union(*(r.free_symbols for r in rest))


def _growth(e: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """A rate g with ``|e| <= poly(x) e^{g |x|}`` for a factor :func:`_tame` accepts."""
    if not e.has(x) or e == x:
        return sp.Integer(0)
    if isinstance(e, (sp.Add, sp.Mul, sp.Max, sp.Min, sp.Abs)):
        return sp.Add(*(_growth(a, x) for a in e.args))
    if isinstance(e, sp.Pow):
        return e.exp * _growth(e.base, x) if e.exp.is_positive else sp.Integer(0)  # 1/(c + e^..) <= 1/c
    if isinstance(e, sp.exp):
        return sp.Abs(sp.Poly(e.args[0], x).coeff_monomial(x))
    return sp.Integer(0)  # log(c + e^{a x}) grows linearly


def _breakpoints(f: sp.Expr, x: sp.Symbol) -> list[sp.Expr]:
    """Where the integrand has a kink (|..|, max, min of a linear argument): split points."""
    points = []
    for node in sp.preorder_traversal(f):
        if isinstance(node, (sp.Abs, sp.Max, sp.Min)):
            args = node.args if isinstance(node, sp.Abs) else [node.args[0] - a for a in node.args[1:]]
            for arg in args:
                if arg.has(x) and _linear(arg, x):
                    slope = sp.Poly(arg, x).coeff_monomial(x)
                    if slope != 0:
                        points.append(-(arg - slope * x) / slope)
    return points


#: Values of integrals already computed: (integral, values of its free symbols, digits) -> value.
_DONE: dict = {}


@handles(LineIntegral)
def _line_integral(expr: LineIntegral, env, budget):
    key = (expr, tuple(sorted((str(s), env.get(s)) for s in expr.free_symbols if isinstance(s, sp.Symbol))),
           mpmath.mp.dps)
    if key not in _DONE:
        if len(_DONE) > 1000:
            _DONE.clear()
        _DONE[key] = _quadrature(expr, env, budget)
    if isinstance(_DONE[key], Undefined):
        raise _DONE[key]
    return _DONE[key]


def _quadrature(expr: LineIntegral, env, budget):
    """The integral's value at ``env`` by Gauss-Legendre quadrature on pieces of about one
    width, or :class:`Undefined` (returned, to be cached) when it has none."""
    f, x, mean, sd, growth = expr.args
    m, w, g = (_eval(v, env, budget) for v in (mean, sd, growth))
    if not (w > 0 and mpmath.isfinite(m) and mpmath.isfinite(g)):
        return Undefined("the integrand's Gaussian factor has no width here")
    half = w * (mpmath.sqrt(2 * (mpmath.mp.dps + 30) * mpmath.log(10)) + 10) + 2 * g * w ** 2
    lo, hi = m - half, m + half
    cuts = sorted({c for c in (_eval(p, env, budget) for p in _breakpoints(f, x)) if lo < c < hi})

    def integrand(t):
        scope = dict(env)
        scope[x] = t
        return _eval(f, scope, budget)

    steps = int(mpmath.ceil(half / (4 * w)))
    grid = sorted({lo, hi, *cuts, *(m + 4 * k * w for k in range(-steps + 1, steps))})
    try:
        if mpmath.mp.dps <= 60:
            value, error = mpmath.quad(integrand, grid, method="gauss-legendre", error=True)
        else:  # at high precision tanh-sinh's nodes are far cheaper to make, and it needs fewer pieces
            pieces = sorted({lo, hi, m, *cuts})
            value, error = mpmath.quad(integrand, pieces, method="tanh-sinh", error=True)
    except Undefined as exc:
        return exc
    if not mpmath.isfinite(value) or error > tolerance(mpmath.mp.dps) * max(1, abs(value)):
        return Undefined("the quadrature of the integral did not reach the working precision")
    return value


FUNCTIONS["integral"] = Function(lambda args, base: integral_over_line(args, base))
