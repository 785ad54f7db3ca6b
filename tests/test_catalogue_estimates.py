"""Closed-form maximum-likelihood estimates in the catalogue: the gradient of the mean
negative log-likelihood in one shared parameter, set to zero and solved (``solves``
steps), each proved, each wrong estimate refuted with a point, and the only root shown."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from scipy import optimize

from derive import catalogue, losses
from derive.certificates.derivation import recheck, to_json
from derive.checks.results import Status
from derive.checks.steps import check_step
from derive.core.relations import Relation

from .conftest import report_for

#: name -> (parameter, the estimate as a function of y, the sum's index, N and the context)
ESTIMATES = {
    "poisson-rate-estimate": ("lam", lambda c: sp.Sum(c["y"][c["i"]], (c["i"], 1, c["N"])) / c["N"]),
    "bernoulli-probability-estimate": ("p", lambda c: sp.Sum(c["y"][c["i"]], (c["i"], 1, c["N"])) / c["N"]),
    "gaussian-mean-estimate": ("mu", lambda c: sp.Sum(c["y"][c["i"]], (c["i"], 1, c["N"])) / c["N"]),
    "gaussian-variance-estimate": ("v", lambda c: sp.Sum((c["y"][c["i"]] - c["m"]) ** 2,
                                                        (c["i"], 1, c["N"])) / c["N"]),
}


@pytest.mark.parametrize("name", sorted(ESTIMATES))
def test_the_estimate_is_the_root_of_the_gradient_and_proved(name):
    d = catalogue.get(name)
    variable, expected = ESTIMATES[name]
    gradient, solve = d.steps[-2], d.steps[-1]
    assert (gradient.relation, solve.relation) == (Relation.DERIVATIVE, Relation.SOLVES)
    assert solve.wrt == d.context[variable]
    assert sp.simplify(solve.after - expected(d.context)) == 0
    report = report_for(name)
    assert report.status is Status.PROVED
    unique = [r for r in report.steps[-1].results if r.obligation == "unique"]
    assert unique and unique[0].status is Status.PROVED


def _wrong(name):
    d = catalogue.get(name)
    c = d.context
    right = ESTIMATES[name][1](c)
    total = right * c["N"]
    return {"over N - 1": total / (c["N"] - 1), "twice": 2 * right, "over N + 1": total / (c["N"] + 1),
            "the first observation": right.xreplace({c["N"]: 1}) if name != "gaussian-variance-estimate"
            else (c["y"][1] - c["m"]) ** 2}


@pytest.mark.parametrize("name,kind", [(n, k) for n in sorted(ESTIMATES) for k in
                                       ("over N - 1", "twice", "over N + 1", "the first observation")])
def test_a_wrong_estimate_is_refuted_with_a_point(name, kind):
    d = catalogue.get(name)
    bad = replace(d.steps[-1], after=_wrong(name)[kind])
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    failure = report.failure
    assert failure.counterexample is not None and failure.counterexample.point.get("values")
    assert not [r for r in report.results if r.obligation in ("identity", "root")
                and r.status in (Status.PROVED, Status.PROVED_AT_SIZES)]


def test_a_value_at_the_edge_fails_against_the_root_though_the_gradient_has_no_value_there():
    # p = y_1 is 0 or 1, where the gradient has no value: the substitution decides nothing,
    # the comparison with the root solved from the gradient refutes it
    d = catalogue.get("bernoulli-probability-estimate")
    bad = replace(d.steps[-1], after=_wrong("bernoulli-probability-estimate")["the first observation"])
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED and report.failure.obligation == "root"
    assert any(r.obligation == "identity" and r.status is Status.UNCHECKED for r in report.results)


def test_a_root_that_need_not_be_the_only_one_is_not_proved():
    d = catalogue.get("gaussian-mean-estimate")
    c = d.context
    mu, y, i, N = c["mu"], c["y"], c["i"], c["N"]
    mean = sp.Sum(y[i], (i, 1, N)) / N
    # the gradient (mu - mean)^2 is zero at the mean, but is not linear in mu
    step = replace(d.steps[-1], before=(mu - mean) ** 2, after=mean)
    report = check_step(step, c, (d.name,))
    unique = [r for r in report.results if r.obligation == "unique"]
    assert unique and unique[0].status is Status.FAILED
    assert report.status is Status.FAILED


def test_a_value_that_still_reads_the_parameter_is_refused():
    d = catalogue.get("poisson-rate-estimate")
    c = d.context
    step = replace(d.steps[-1], after=c["lam"] / 2 + d.steps[-1].after / 2)
    assert check_step(step, c, (d.name,)).status is Status.FAILED


@pytest.mark.parametrize("name", sorted(ESTIMATES))
def test_the_certificate_is_rechecked_and_a_changed_estimate_rejected(name):
    d = catalogue.get(name)
    data = to_json(d, report_for(name))
    assert data["steps"][-1]["relation"] == "solves" and "wrt" in data["steps"][-1]
    assert recheck(data).holds
    data["steps"][-1]["srepr"] = f"Mul(Integer(2), {data['steps'][-1]['srepr']})"
    again = recheck(data)
    assert not again.holds and again.report.steps[-1].status is Status.FAILED


# -- the numeric estimates minimise the numeric losses --------------------------------------
def _minimiser(loss, lo, hi):
    return optimize.minimize_scalar(loss, bounds=(lo, hi), method="bounded",
                                    options={"xatol": 1e-10}).x


def test_numeric_estimates_minimise_the_losses():
    gen = np.random.default_rng(20261204)
    counts = gen.poisson(3.0, size=40).astype(float)
    rate = _minimiser(lambda lam: losses.poisson_negative_log_likelihood(counts, np.full(40, lam)), 0.01, 20)
    assert rate == pytest.approx(losses.poisson_rate_estimate(counts), abs=1e-6)
    outcomes = gen.integers(0, 2, size=40).astype(float)
    p = _minimiser(lambda q: losses.binary_cross_entropy(outcomes, np.full(40, q)), 1e-6, 1 - 1e-6)
    assert p == pytest.approx(losses.bernoulli_probability_estimate(outcomes), abs=1e-6)
    y = gen.normal(1.5, 2.0, size=40)
    mu = _minimiser(lambda m: losses.gaussian_negative_log_likelihood(y, np.full(40, m), 0.7), -10, 10)
    assert mu == pytest.approx(losses.gaussian_mean_estimate(y), abs=1e-6)
    var = _minimiser(lambda v: losses.gaussian_negative_log_likelihood(y, np.full(40, 1.0), np.sqrt(v)), 1e-3, 50)
    assert var == pytest.approx(losses.gaussian_variance_estimate(y, 1.0), rel=1e-6)
    assert losses.gaussian_variance_estimate(y, 1.0) != pytest.approx(np.sum((y - 1.0) ** 2) / 39)
    for name, estimate in [("poisson-rate-estimate", losses.poisson_rate_estimate),
                           ("bernoulli-probability-estimate", losses.bernoulli_probability_estimate),
                           ("gaussian-mean-estimate", losses.gaussian_mean_estimate),
                           ("gaussian-variance-estimate", losses.gaussian_variance_estimate)]:
        assert losses.for_derivation(name).estimate is estimate


@pytest.mark.parametrize("call,message", [
    (lambda: losses.poisson_rate_estimate([]), "at least one sample"),
    (lambda: losses.poisson_rate_estimate([-1.0]), "non-negative"),
    (lambda: losses.bernoulli_probability_estimate([2.0]), "probabilities"),
])
def test_estimates_refuse_bad_samples(call, message):
    with pytest.raises(ValueError, match=message):
        call()
