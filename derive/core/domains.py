"""Domains of symbols: what values a symbol may take.

A domain does three jobs, and keeping them in one place keeps them consistent:
the sympy assumptions it implies, the interval its entries lie in (used by the
positivity oracle that guards log rewrites), and how to draw random values for
the numeric checks.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..checks.intervals import Interval
from .kinds import KIND_NAMES, Kind
from .suggest import did_you_mean


class DomainError(ValueError):
    """An unknown domain name or an impossible domain request."""


@dataclass(frozen=True)
class Domain:
    """A domain kind, plus ``open`` for a simplex whose entries are strictly positive.

    ``open`` exists because a model's predicted distribution (a softmax output)
    lies in the interior of the simplex, and ``log p_k`` is only defined there.
    """

    kind: Kind
    open: bool = False

    @classmethod
    def parse(cls, text: str) -> "Domain":
        """``'simplex'``, ``'simplex+'`` (open simplex) or any other kind name."""
        name = text.strip()
        is_open = name.endswith("+")
        if is_open:
            name = name[:-1]
        try:
            kind = Kind(name)
        except ValueError:
            raise DomainError(f"unknown domain {text!r}{did_you_mean(text.strip(), KIND_NAMES)}; "
                              f"known domains: {', '.join(KIND_NAMES)}") from None
        if is_open and kind is not Kind.SIMPLEX:
            raise DomainError(f"only 'simplex+' has an open variant, not {text!r}")
        return cls(kind, is_open)

    @property
    def name(self) -> str:
        """The kind as a user writes it (``simplex+`` for the open simplex)."""
        return self.kind.value + ("+" if self.open else "")

    def assumptions(self) -> dict[str, bool]:
        """Sympy assumptions that hold for every entry of this domain."""
        return dict(_ASSUMPTIONS[self.kind]) if not self.open else {"positive": True}

    def interval(self) -> Interval:
        """Closed or open interval containing every entry."""
        if self.open:
            return Interval(0.0, 1.0, lo_open=True, hi_open=False)
        return _INTERVALS[self.kind]

    def is_zero_one(self) -> bool:
        """Every entry is 0 or 1 (so x^2 = x and 1{x = 1} = x)."""
        return self.kind in (Kind.BINARY, Kind.ONEHOT)

    def latex(self) -> str:
        """The domain in words and LaTeX, for documents."""
        return _LATEX[self.kind] if not self.open else r"\text{rows on the open simplex (entries} > 0)"

    # -- sampling -----------------------------------------------------------
    def sample_scalar(self, rng: random.Random, upper: int | None = None) -> float:
        """One value for an entry that is not constrained together with others."""
        kind = self.kind
        if kind is Kind.REAL:
            return _sample_real(rng)
        if kind is Kind.POSITIVE:
            return math.exp(rng.uniform(math.log(1e-3), math.log(1e3)))
        if kind is Kind.PROB:
            return _sample_prob(rng)
        if kind is Kind.BINARY:
            return float(rng.randint(0, 1))
        if kind is Kind.NATURAL:
            # Mostly small counts, but also large ones: a polynomial with
            # roots 0..6 must not look like 0.
            return float(rng.randint(0, 6) if rng.random() < 0.7 else rng.randint(7, 10 ** 6))
        if kind is Kind.LABEL:
            return float(rng.randint(1, upper if upper else 3))
        raise DomainError(f"{kind.value} is a row domain: sample it with sample_row")

    def sample_row(self, rng: random.Random, length: int) -> list[float]:
        """One row along the last index: on the simplex, or one-hot."""
        if self.kind is Kind.ONEHOT:
            hot = rng.randrange(length)
            return [1.0 if j == hot else 0.0 for j in range(length)]
        if self.kind is Kind.SIMPLEX:
            # Dirichlet(alpha) by normalised gammas; a small alpha now and then
            # pushes entries towards the edges of the simplex.
            alpha = rng.choice((0.3, 1.0, 3.0))
            raw = [rng.gammavariate(alpha, 1.0) + 1e-12 for _ in range(length)]
            if not self.open and length > 1 and rng.random() < 0.3:
                # Faces of the closed simplex: any number of zeros but one.
                for j in rng.sample(range(length), rng.randint(1, length - 1)):
                    raw[j] = 0.0
            total = sum(raw)
            return [x / total for x in raw]
        return [self.sample_scalar(rng) for _ in range(length)]


def _sample_real(rng: random.Random) -> float:
    # Every region of the real line, not only (0, 1): negative, tiny, large.
    region = rng.randrange(5)
    sign = -1.0 if rng.random() < 0.5 else 1.0
    if region == 0:
        return rng.uniform(-1.0, 1.0)
    if region == 1:
        return sign * rng.uniform(1e-4, 1e-2)
    if region == 2:
        return sign * rng.uniform(10.0, 1e3)
    if region == 3:
        return float(rng.randint(-3, 3))
    return rng.gauss(0.0, 3.0)


def _sample_prob(rng: random.Random) -> float:
    region = rng.randrange(6)
    if region == 0:
        return rng.uniform(1e-6, 1e-2)
    if region == 1:
        return 1.0 - rng.uniform(1e-6, 1e-2)
    return rng.uniform(0.01, 0.99)


_ASSUMPTIONS: dict[Kind, dict[str, bool]] = {
    Kind.REAL: {"real": True},
    Kind.POSITIVE: {"positive": True},
    Kind.PROB: {"positive": True},
    Kind.BINARY: {"integer": True, "nonnegative": True},
    Kind.NATURAL: {"integer": True, "nonnegative": True},
    Kind.LABEL: {"integer": True, "positive": True},
    Kind.SIMPLEX: {"nonnegative": True},
    Kind.ONEHOT: {"integer": True, "nonnegative": True},
}

_INF = math.inf
_INTERVALS: dict[Kind, Interval] = {
    Kind.REAL: Interval(-_INF, _INF, True, True),
    Kind.POSITIVE: Interval(0.0, _INF, True, True),
    Kind.PROB: Interval(0.0, 1.0, True, True),
    Kind.BINARY: Interval(0.0, 1.0),
    Kind.NATURAL: Interval(0.0, _INF, False, True),
    Kind.LABEL: Interval(1.0, _INF, False, True),
    Kind.SIMPLEX: Interval(0.0, 1.0),
    Kind.ONEHOT: Interval(0.0, 1.0),
}

_LATEX: dict[Kind, str] = {
    Kind.REAL: r"\mathbb{R}",
    Kind.POSITIVE: r"(0, \infty)",
    Kind.PROB: r"(0, 1)",
    Kind.BINARY: r"\{0, 1\}",
    Kind.NATURAL: r"\{0, 1, 2, \dots\}",
    Kind.LABEL: r"\{1, \dots, C\}",
    Kind.SIMPLEX: r"\text{rows on the simplex}",
    Kind.ONEHOT: r"\text{one-hot rows}",
}
