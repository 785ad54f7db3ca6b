"""The search finds derivations: the catalogue's likelihoods again, and new ones.

The catalogue's fixed scripts are the reference: from each entry that starts
at a likelihood, the search must reach a finished loss and, given the entry's
final line as the target, that very line; every found step is checked as the
catalogue's steps are.
"""
from __future__ import annotations

import pytest
import sympy as sp

from derive import catalogue
from derive.checks.results import Status
from derive.checks.steps import check_derivation
from derive.search import SearchExhausted, SearchStats, search
from derive.search.cost import cost
from derive.search.engine import same_line

#: entries that start at a likelihood and end at a loss (not a gradient)
FROM_LIKELIHOOD = [
    "categorical-cross-entropy", "bernoulli-binary-cross-entropy", "batch-cross-entropy",
    "gaussian-mean-squared-error", "laplace-mean-absolute-error", "poisson-negative-log-likelihood",
    "multi-label-binary-cross-entropy", "soft-label-annotations",
]


@pytest.mark.parametrize("name", FROM_LIKELIHOOD)
def test_search_reaches_the_catalogue_final_line(name):
    d = catalogue.get(name)
    stats = SearchStats()
    found = search(name, d.title, d.context, d.start, d.sense, to=d.lines[-1], stats=stats)
    assert same_line(found.lines[-1], d.lines[-1])
    assert found.steps[-1].sense_after == d.steps[-1].sense_after
    assert stats.expanded <= 200
    report = check_derivation(found)
    assert report.status is Status.PROVED, report


@pytest.mark.parametrize("name", FROM_LIKELIHOOD)
def test_search_without_target_ends_at_a_mean_loss(name):
    d = catalogue.get(name)
    found = search(name, d.title, d.context, d.start, d.sense)
    rules = [s.rule for s in found.steps]
    # the mean, then the named quantities recognised in it
    assert "normalise" in rules and set(rules[rules.index("normalise") + 1:]) <= {"recognise"}
    assert found.steps[-1].sense_after == "min"
    assert cost(found.lines[rules.index("normalise") + 1], "min", d.context) == 0
    assert not found.lines[-1].has(sp.Product)


def test_found_rules_are_the_catalogue_rules_for_the_gaussian():
    d = catalogue.get("gaussian-mean-squared-error")
    found = search(d.name, d.title, d.context, d.start, d.sense, to=d.lines[-1])
    assert sorted(s.rule for s in found.steps) == sorted(s.rule for s in d.steps)


def test_unreachable_target_is_exhausted_with_closest_line():
    d = catalogue.get("gaussian-mean-squared-error")
    wrong = d.lines[-1] * 2  # twice the mean squared error: no rule makes it
    with pytest.raises(SearchExhausted) as caught:
        search(d.name, d.title, d.context, d.start, d.sense, to=wrong, max_nodes=60)
    assert caught.value.closest is not None
    assert caught.value.stats.expanded <= 60
    assert caught.value.remaining is not None and caught.value.remaining != 0


def test_time_budget_stops_the_search():
    d = catalogue.get("multi-label-binary-cross-entropy")
    with pytest.raises(SearchExhausted, match="time"):
        search(d.name, d.title, d.context, d.start, d.sense, seconds=0.0)


def test_a_minimisation_is_never_turned_back():
    d = catalogue.get("poisson-negative-log-likelihood")
    found = search(d.name, d.title, d.context, d.start, d.sense)
    senses = [found.sense_of(n) for n in range(len(found.lines))]
    assert senses == sorted(senses, key=lambda s: s == "min")
