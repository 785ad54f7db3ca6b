"""Gradients in the catalogue: softmax cross-entropy with a label index (no one-hot), and the
Gaussian negative log-likelihood in a predicted mean and in a predicted standard deviation.
Each final gradient is the textbook one and proved; each wrong twin is refuted with a point."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from derive import catalogue, losses
from derive.certificates.derivation import recheck, to_json
from derive.checks.results import Status
from derive.checks.steps import check_step
from derive.core.relations import Relation

from .conftest import report_for


def _softmax(c):
    z, m, C = c["z"], c["m"], c["C"]
    return sp.exp(z[c["j"]]) / sp.Sum(sp.exp(z[m]), (m, 1, C))


def _gaussian(c):
    return c["y"][c["j"]], c["mu"][c["j"]], c["sigma"][c["j"]], c["N"]


#: name -> (the gradient, {wrong twin: its value}) as functions of the context
GRADIENTS = {
    "softmax-cross-entropy-label-index": (
        lambda c: _softmax(c) - sp.KroneckerDelta(c["j"], c["c"]),
        {"sign": lambda c: sp.KroneckerDelta(c["j"], c["c"]) - _softmax(c),
         "no indicator": lambda c: _softmax(c),
         "wrong index": lambda c: c["phat"][c["c"]] - sp.KroneckerDelta(c["j"], c["c"]),
         "indicator dropped to one": lambda c: _softmax(c) - 1}),
    "gaussian-nll-gradient-mean": (
        lambda c: (lambda y, mu, s, N: (mu - y) / (N * s ** 2))(*_gaussian(c)),
        {"sign": lambda c: (lambda y, mu, s, N: (y - mu) / (N * s ** 2))(*_gaussian(c)),
         "no 1/N": lambda c: (lambda y, mu, s, N: (mu - y) / s ** 2)(*_gaussian(c)),
         "sigma not squared": lambda c: (lambda y, mu, s, N: (mu - y) / (N * s))(*_gaussian(c)),
         "factor 2": lambda c: (lambda y, mu, s, N: 2 * (mu - y) / (N * s ** 2))(*_gaussian(c))}),
    "gaussian-nll-gradient-sigma": (
        lambda c: (lambda y, mu, s, N: (1 / s - (y - mu) ** 2 / s ** 3) / N)(*_gaussian(c)),
        {"sign": lambda c: (lambda y, mu, s, N: ((y - mu) ** 2 / s ** 3 - 1 / s) / N)(*_gaussian(c)),
         "sigma squared": lambda c: (lambda y, mu, s, N: (1 / s - (y - mu) ** 2 / s ** 2) / N)(*_gaussian(c)),
         "no log term": lambda c: (lambda y, mu, s, N: -(y - mu) ** 2 / (N * s ** 3))(*_gaussian(c)),
         "halved": lambda c: (lambda y, mu, s, N: (1 / s - (y - mu) ** 2 / s ** 3) / (2 * N))(*_gaussian(c))}),
}


def _gradient_step(name):
    d = catalogue.get(name)
    return d, next(s for s in d.steps if s.relation is Relation.DERIVATIVE)


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_the_gradient_is_the_textbook_one_and_proved(name):
    d, step = _gradient_step(name)
    expected = GRADIENTS[name][0](d.context)
    assert sp.simplify(d.context.unfold(d.steps[-1].after) - expected) == 0
    assert sp.simplify(step.after - expected) == 0
    assert report_for(name).status is Status.PROVED


@pytest.mark.parametrize("name,twin", [(n, t) for n in sorted(GRADIENTS) for t in GRADIENTS[n][1]])
def test_a_wrong_gradient_is_refuted_with_a_point(name, twin):
    d, step = _gradient_step(name)
    bad = replace(step, after=GRADIENTS[name][1][twin](d.context))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert report.failure.counterexample is not None
    assert not [r for r in report.results if r.obligation == "identity"
                and r.status in (Status.PROVED, Status.PROVED_AT_SIZES)]


def test_the_label_index_loss_is_the_one_hot_loss_at_the_label():
    d, step = _gradient_step("softmax-cross-entropy-label-index")
    c = d.context
    loss = d.steps[step.index - 2].after
    z, m, C = c["z"], c["m"], c["C"]
    assert sp.simplify(loss - (-z[c["c"]] + sp.log(sp.Sum(sp.exp(z[m]), (m, 1, C))))) == 0
    assert not any(s.name == "y" for s in c.symbols)


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_the_certificate_rechecks_and_a_changed_gradient_is_rejected(name):
    d, step = _gradient_step(name)
    data = to_json(d, report_for(name))
    assert recheck(data).holds
    entry = data["steps"][step.index - 1]
    assert entry["relation"] == "derivative"
    entry["srepr"] = f"Mul(Integer(-1), {entry['srepr']})"
    again = recheck(data)
    assert not again.holds and again.report.steps[step.index - 1].status is Status.FAILED


def test_numeric_gradients_match_finite_differences():
    gen = np.random.default_rng(20261204)
    y, mu, sigma = gen.normal(size=6), gen.normal(size=6), gen.uniform(0.5, 2.0, size=6)
    h = 1e-6
    for grad, which in [(losses.gaussian_negative_log_likelihood_grad_mu, "mu"),
                        (losses.gaussian_negative_log_likelihood_grad_sigma, "sigma")]:
        numeric = np.empty(6)
        for t in range(6):
            up = {"mu": mu.copy(), "sigma": sigma.copy()}
            down = {"mu": mu.copy(), "sigma": sigma.copy()}
            up[which][t] += h
            down[which][t] -= h
            numeric[t] = (losses.gaussian_negative_log_likelihood(y, up["mu"], up["sigma"])
                          - losses.gaussian_negative_log_likelihood(y, down["mu"], down["sigma"])) / (2 * h)
        np.testing.assert_allclose(grad(y, mu, sigma), numeric, rtol=1e-6, atol=1e-9)
    assert losses.for_derivation("gaussian-nll-gradient-sigma").gradient \
        is losses.gaussian_negative_log_likelihood_grad_sigma
    assert losses.for_derivation("softmax-cross-entropy-label-index").gradient is losses.softmax_cross_entropy_grad
