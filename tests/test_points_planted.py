"""Differences planted in a region the usual points never reach: none may come out equivalent.

Each pair is a true identity (or a formula and itself) into one side of which a
difference is planted that shows only in one region: past a guard at 10^-300
to 10^300 reached through log, exp, |..|, the logistic sigmoid, softplus or
tanh (softplus only up to 10^7: the evaluator stops at e^(10^8)); at one
boundary value (a dyadic one: a binary point never equals 68/3 exactly); only for sizes >= 7 (sizes are drawn up to 40);
only for one class index. The pairs are drawn from a seeded generator, so the
run is reproducible and bounded (about 60 pairs, well under 30 s).
"""
from __future__ import annotations

import random

import pytest

from derive.equivalence.decide import check
from derive.equivalence.verdict import Answer

SIG = r"\frac{1}{1+e^{-x}}"


def _guard_pairs(rng: random.Random) -> list[tuple[str, str, dict]]:
    k = rng.randint(40, 290)          # a decade far from 1
    c = rng.randint(45, 680)          # a log level: e^-c lies in 10^-300..10^-20
    s = rng.randint(12, 28)           # 1 - 10^-s, resolved only with more digits
    return [
        # through log: differs for q < e^{-c}
        (rf"\max(\log q, -{c})", r"\log q", {"q": "prob"}),
        (rf"\max(\log q + \log 2, -{c})", r"\log(2q)", {"q": "positive"}),
        # through exp: differs for x > k log 10
        (rf"\min(e^{{x}}, 10^{{{k}}})", r"e^{x}", {}),
        (rf"\min(e^{{2x+1}}, 10^{{{k}}})", r"e^{2x+1}", {}),
        # through |..|: differs for |r| > 10^k, or |r| < 10^-k
        (rf"\min(|r|, 10^{{{k}}})\, r", r"|r|\, r", {}),
        (rf"\max(|r|, 10^{{-{k}}})", r"|r|", {}),
        (rf"\min(|3r - 1|, 10^{{{k}}})", r"|3r - 1|", {}),
        # through the sigmoid: differs where sigma(x) > 1 - 10^-s or < 10^-k
        (rf"\min({SIG}, 1 - 10^{{-{s}}})", SIG, {}),
        (rf"\max({SIG}, 10^{{-{k}}})", SIG, {}),
        # through softplus and tanh
        (rf"\min(\log(1+e^{{x}}), 10^{{{k % 6 + 2}}})", r"\log(1+e^{x})", {}),
        (rf"\max(\tanh(x), -1 + 10^{{-{s}}})", r"\tanh(x)", {}),
        # a power: differs for w^2 > 10^k
        (rf"\min(w^2, 10^{{{k}}})", r"w^2", {}),
    ]


def _region_pairs(rng: random.Random) -> list[tuple[str, str, dict]]:
    num, den = rng.randint(2, 400), rng.choice((2, 4, 8, 16))
    n0 = rng.randint(7, 12)
    cls = rng.randint(2, 6)
    return [
        # one boundary value
        (rf"x^2 + \mathbb{{1}}\{{x = {num}/{den}\}}", r"x^2", {}),
        (rf"\log(1+e^{{x}}) - \mathbb{{1}}\{{x = -{num}\}}", r"\log(1+e^{x})", {}),
        # only for sizes >= n0
        (rf"\sum_{{i=1}}^{{N}} a_i + \sum_{{i={n0}}}^{{N}} 1", r"\sum_{i=1}^{N} a_i", {}),
        (rf"\sum_{{i=1}}^{{N}} a_i^2 + \mathbb{{1}}\{{N = {n0 + 3}\}}", r"\sum_{i=1}^{N} a_i^2", {}),
        # only for one class index
        (rf"-\sum_{{k=1}}^{{K}} \mathbb{{1}}\{{y=k\}} \log p_k + \mathbb{{1}}\{{y = {cls}\}}", r"-\log p_y",
         {"y": "label", "p": "positive"}),
        (rf"\sum_{{k=1}}^{{C}} t_k (p_j - \mathbb{{1}}\{{k=j\}}) + \mathbb{{1}}\{{j = {cls}\}}", r"p_j - t_j",
         {"t": "simplex"}),
    ]


def planted_pairs(seed: int = 13, rounds: int = 3) -> list[tuple[str, str, dict]]:
    """The planted pairs of ``rounds`` seeded draws (every pair differs somewhere)."""
    rng = random.Random(seed)
    out = []
    for _ in range(rounds):
        out += _guard_pairs(rng) + _region_pairs(rng)
    return out


def planted_misses(pairs) -> list[tuple[str, str]]:
    """The pairs that came out equivalent (each is a miss: they differ)."""
    return [(a, b) for a, b, domains in pairs if check(a, b, domains, timeout=5.0).answer is Answer.EQUIVALENT]


def test_no_planted_difference_comes_out_equivalent():
    pairs = planted_pairs()
    assert len(pairs) >= 50
    assert planted_misses(pairs) == []


TWINS = [
    # (true pair, its planted twin, domains)
    ((r"\max(\log q, \log q - 1)", r"\log q"), (r"\max(\log q, -75)", r"\log q"), {"q": "prob"}),
    ((r"\min(|r|, |r| + 1)\, r", r"|r|\, r"), (r"\min(|r|, 10^{150})\, r", r"|r|\, r"), {}),
    ((r"\max(\log(1+e^{-z}), 0)", r"\log(1+e^{-z})"), (r"\max(\log(1+e^{-z}), 10^{-250})", r"\log(1+e^{-z})"), {}),
    ((r"\min(e^{u}, e^{u} + 1)", r"e^{u}"), (r"\min(e^{u}, 10^{200})", r"e^{u}"), {}),
]


@pytest.mark.parametrize("true_pair,twin,domains", TWINS)
def test_guard_on_a_function_of_a_variable(true_pair, twin, domains):
    """A guard on log q, |r|, softplus or exp: the true form is not refuted, the
    twin that differs only past a far guard is, with a point past the guard."""
    assert check(*true_pair, domains).answer is not Answer.NOT_EQUIVALENT
    verdict = check(*twin, domains)
    assert verdict.answer is Answer.NOT_EQUIVALENT, verdict.reason
    assert verdict.counterexample is not None


INDEX_TWINS = [
    # a free index compared with the class index k, labels on the simplex: rows are
    # defined over 1..C only, so the free index is drawn (mostly) inside that range
    ((r"\sum_{k=1}^{C} t_k (p_j - \mathbb{1}\{k=j\})", r"p_j - t_j"),
     (r"\sum_{k=1}^{C} t_k (p_j - \mathbb{1}\{k=j\})", r"p_j - t_j + t_1"), {"t": "simplex"}),
    ((r"\sum_{k=1}^{K} s_k (v_m - \mathbb{1}\{k=m\})", r"v_m - s_m"),
     (r"\sum_{k=1}^{K} s_k (v_m - \mathbb{1}\{k=m\})", r"v_m - s_m + \mathbb{1}\{m = 2\}"),
     {"s": "simplex", "m": "natural"}),
    ((r"\sum_{k=1}^{K} \sum_{l \neq k} e_k e_l \mathbb{1}\{k = c\}", r"e_c \left(1 - e_c\right)"),
     (r"\sum_{k=1}^{K} \sum_{l \neq k} e_k e_l \mathbb{1}\{k = c\}", r"e_c"), {"e": "simplex"}),
]


@pytest.mark.parametrize("true_pair,twin,domains", INDEX_TWINS)
def test_free_index_ranges_over_what_it_is_compared_with(true_pair, twin, domains):
    """The free index is drawn inside the class range it is compared with: the true
    identity is equivalent, its twin (wrong for some class) is refuted inside that range."""
    verdict = check(*true_pair, domains)
    assert verdict.answer is Answer.EQUIVALENT, verdict.reason
    wrong = check(*twin, domains)
    assert wrong.answer is Answer.NOT_EQUIVALENT, wrong.reason
