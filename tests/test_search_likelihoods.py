"""Likelihoods beyond the catalogue, derived by the search and checked step by step,
and mutation tests on the found derivations: every corrupted step is rejected."""
from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp

from derive import from_likelihood
from derive.checks.mutations import MUTATIONS, mutants
from derive.checks.results import Status
from derive.checks.steps import check_derivation, check_step
from derive.search import LikelihoodError, SearchStats
from derive.search.examples import EXAMPLES

CASES = EXAMPLES

_FOUND: dict = {}


def found(name):
    if name not in _FOUND:
        lik, domains, params, _ = CASES[name]
        stats = SearchStats()
        d = from_likelihood(lik, domains, params, name=name, stats=stats)
        _FOUND[name] = (d, check_derivation(d), stats)
    return _FOUND[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_likelihood_is_derived_and_checked(name):
    d, report, stats = found(name)
    assert report.status is Status.PROVED, report
    assert d.steps[-1].sense_after == "min"
    assert not d.lines[-1].has(sp.Product)
    # every parameter is still in the loss, and nothing free of them is left as a term
    ctx = d.context
    assert ctx.parameter_names <= {s.name for s in d.lines[-1].free_symbols} | {
        b.label.name for b in d.lines[-1].atoms(sp.IndexedBase)}
    assert stats.expanded <= 200


def test_gaussian_unknown_sigma_keeps_the_log_sigma_term():
    d, _, _ = found("gaussian-unknown-sigma")
    sigma = d.context["sigma"]
    assert d.lines[-1].has(sp.log(sigma))


def test_poisson_drops_the_factorial_only():
    d, _, _ = found("poisson-rate")
    assert not d.lines[-1].has(sp.factorial)
    assert any(s.rule == "drop-constant" for s in d.steps)


@pytest.mark.parametrize("lik,domains,params", [
    # the binomial coefficient is 0 when k_i > n_i: the log is undefined there
    (r"\prod_{i=1}^{N} \binom{n_i}{k_i} p^{k_i} (1-p)^{n_i-k_i}", {"p": "prob", "k": "natural", "n": "natural"}, ["p"]),
    # a rate that may be negative
    (r"\prod_{i=1}^{N} \lambda e^{-\lambda x_i}", {}, [r"\lambda"]),
])
def test_log_undefined_is_refused(lik, domains, params):
    with pytest.raises(LikelihoodError, match="undefined"):
        from_likelihood(lik, domains, params)


MUTATED = [(name, kind) for name in ("exponential", "poisson-log-link", "gaussian-unknown-sigma",
                                      "class-weighted-cross-entropy")
           for kind in MUTATIONS]


@pytest.mark.parametrize("name,kind", MUTATED, ids=[f"{n}::{k}" for n, k in MUTATED])
def test_mutated_found_step_is_rejected(name, kind):
    """A corrupted line in a found derivation fails its check, with a counterexample."""
    d, _, _ = found(name)
    tried = 0
    for step in d.steps[-3:]:
        bad = mutants(step.after, d.context).get(kind)
        if bad is None or bad == step.after:
            continue
        tried += 1
        report = check_step(replace(step, after=bad), d.context, (d.name,))
        assert report.status in (Status.FAILED, Status.UNCHECKED), (step.rule, bad)
        if report.status is Status.UNCHECKED:
            # a swap that indexes a scalar parameter is not a line of this context: never proved
            assert kind == "swap-prediction-label"
            continue
        assert report.failure.counterexample is not None
    if not tried:
        pytest.skip(f"{kind} does not apply to the last steps of {name}")


NAMED = {
    "binary-cross-entropy": (r"\prod_{i=1}^{N} \hat{y}_i^{y_i} (1-\hat{y}_i)^{1-y_i}",
                             {"y": "binary", r"\hat{y}": "prob"}),
    "cross-entropy": (r"\prod_{i=1}^{N}\prod_{k=1}^{C} \hat{y}_{ik}^{y_{ik}}",
                      {"y": "onehot", r"\hat{y}": "simplex+"}),
}


@pytest.mark.parametrize("definition", sorted(NAMED))
def test_named_quantity_is_recognised_and_checked(definition):
    lik, domains = NAMED[definition]
    d = from_likelihood(lik, domains)
    last = d.steps[-1]
    assert (last.rule, dict(last.params)) == ("recognise", {"definition": definition})
    assert check_derivation(d).status is Status.PROVED
    # wrong twin: the recognised quantity doubled fails its step
    report = check_step(replace(last, after=2 * last.after), d.context, (d.name,))
    assert report.status is Status.FAILED and report.failure.counterexample is not None


def test_recognised_certificate_rechecks(tmp_path):
    from derive.build import write_derivation
    from derive.cli import main

    lik, domains = NAMED["binary-cross-entropy"]
    d = from_likelihood(lik, domains, name="bernoulli-found")
    write_derivation(d, check_derivation(d), tmp_path)
    assert main(["recheck", str(tmp_path / "bernoulli-found.json")]) == 0


def test_one_parameter_may_be_given_as_a_string():
    d = from_likelihood(r"\prod_{i=1}^{N} (1-p)^{k_i} p", {"p": "prob", "k": "natural"}, "p")
    assert d.context.parameter_names == {"p"}
