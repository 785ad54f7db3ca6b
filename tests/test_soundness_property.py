"""Property: the symbolic and exact checks never prove what the numbers refute.

Random instances of identities that hold only on part of the real line (the
log of a product split, a power of a power merged, the root of a square) are
built from symbols of several domains; each candidate is compared with the
original. The symbolic and exact checks prove equality *wherever both sides are
defined*; the numeric check adds definedness (the new line must be defined
wherever the old one is). So: a proof must never meet a counterexample where
both sides have values, and every step the numbers refute fails overall.
"""
from __future__ import annotations

import collections

import sympy as sp
from hypothesis import HealthCheck, given, settings, strategies as st

from derive.checks.algebra import exact_check, symbolic_check
from derive.checks.numeric import numeric_check
from derive.checks.results import Settings, Status, StepReport
from derive.checks.evaluate import Budget

from .helpers import scalar_context

CTX = scalar_context(a="prob", s="positive", z="real", w="real", n="natural")
a, s, z, w, n = (CTX[x] for x in ("a", "s", "z", "w", "n"))

TERMS = [a, s, z, w, n, 1 - a, z + w, s * z, 2 * s, z ** 2 + 1, s - 1, sp.exp(z)]

# (original, candidate) makers: each candidate is what a careless hand writes.
TEMPLATES = [
    lambda x, y, k: (sp.log(x * y), sp.log(x) + sp.log(y)),
    lambda x, y, k: (sp.log(x ** k), k * sp.log(x)),
    lambda x, y, k: (sp.log(x / y), sp.log(x) - sp.log(y)),
    lambda x, y, k: (sp.sqrt(x ** 2), x),
    lambda x, y, k: ((x ** 2) ** sp.Rational(1, 2) * y, x * y),
    lambda x, y, k: ((x ** y) ** k, x ** (y * k)),
    lambda x, y, k: (sp.exp(sp.log(x)) + y, x + y),
    lambda x, y, k: (x ** y * x ** k, x ** (y + k)),
    lambda x, y, k: (sp.log(x) * y, sp.log(x * y) - sp.log(y) * 0),
    lambda x, y, k: (sp.log(x) + sp.log(y), sp.log(x) + sp.log(y) + sp.Rational(1, 10 ** 20)),
]

FAST = Settings(trials=40, needed=6, exact_sizes=1)
SEEN: collections.Counter = collections.Counter()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None,
          derandomize=True)
@given(st.integers(0, len(TEMPLATES) - 1), st.sampled_from(TERMS), st.sampled_from(TERMS),
       st.sampled_from([2, 3, sp.Rational(1, 2), -1, sp.Rational(3, 2)]))
def test_no_proof_meets_a_counterexample(template, x, y, k):
    original, candidate = TEMPLATES[template](x, y, k)
    if original == candidate:
        return
    numeric = numeric_check(candidate, original, CTX, {}, ("prop",), FAST, Budget(seconds=5))
    symbolic = symbolic_check(candidate, original, CTX, {}, FAST)
    SEEN[(numeric.status.value, symbolic.status.value)] += 1
    if numeric.status is Status.FAILED and numeric.counterexample.after is not None:
        # Both sides defined, values differ: no proof may exist.
        assert symbolic.status is not Status.PROVED, (original, candidate, numeric.detail)
        assert exact_check(candidate, original, CTX, {}, FAST).status is not Status.PROVED_AT_SIZES
    if numeric.status is Status.FAILED:
        # The new line is undefined somewhere: whatever algebra says, the step fails overall.
        assert StepReport(1, (symbolic, numeric)).status is Status.FAILED


def test_the_property_saw_both_outcomes():
    """Guard against a vacuous property: it must meet refutations and proofs."""
    if not SEEN:
        test_no_proof_meets_a_counterexample()
    assert SEEN[("failed", "unchecked")] > 10, SEEN


def test_a_step_that_loses_definedness_fails_although_the_algebra_agrees():
    # log(1/s) = log z - log(s z) wherever both are defined, but the new line
    # has no real value for z < 0: the step must fail, with that reason.
    before, after = sp.log(1 / s), sp.log(z) - sp.log(s * z)
    symbolic = symbolic_check(after, before, CTX, {}, FAST)
    numeric = numeric_check(after, before, CTX, {}, ("t",), FAST, Budget())
    assert symbolic.status is Status.PROVED
    assert numeric.status is Status.FAILED and "undefined" in numeric.counterexample.note
    assert StepReport(1, (symbolic, numeric)).status is Status.FAILED
    assert SEEN[("numeric", "proved")] > 10, SEEN
