"""Every built-in derivation, replayed as a proof check."""
from __future__ import annotations

import pytest

from derive import catalogue
from derive.checks.steps import check_step
from derive.checks.results import Status
from derive.core.relations import Relation

from .conftest import report_for

STEPS = [(name, step.index) for name in catalogue.names() for step in catalogue.get(name).steps]


@pytest.mark.parametrize("name,index", STEPS, ids=[f"{n}::step-{i}" for n, i in STEPS])
def test_every_step_holds(name, index):
    report = report_for(name).steps[index - 1]
    assert report.status in (Status.PROVED, Status.PROVED_AT_SIZES, Status.NUMERIC), [
        (r.obligation, r.kind, r.status.value, r.detail) for r in report.results]


@pytest.mark.parametrize("name", catalogue.names())
def test_every_step_has_a_numeric_check_that_ran(name):
    # A symbolic proof is never the only evidence: the numbers must agree too.
    for report in report_for(name).steps:
        numeric = [r for r in report.results if r.kind == "numeric" and r.obligation == "identity"]
        assert numeric and all(r.status is Status.NUMERIC for r in numeric)


@pytest.mark.parametrize("name", catalogue.names())
def test_core_derivations_are_proved_for_every_size(name):
    assert report_for(name).status is Status.PROVED


def test_categorical_follows_the_seed():
    d = catalogue.get("categorical-cross-entropy")
    rules = [s.rule for s in d.steps]
    assert rules[:7] == ["unfold", "unfold", "indicator-to-exponent", "take-log",
                         "log-of-product", "log-of-power", "negate"]
    relations = [s.relation for s in d.steps]
    assert relations[3] is Relation.SAME_ARGMAX and relations[6] is Relation.SAME_ARGMIN
    assert d.steps[7].substitution == (("N", 1),)   # at N = 1 ...
    assert str(d.steps[8].after) == "H[1]"           # ... the cross-entropy H(p, p-hat)
    assert d.steps[-1].rule == "normalise"           # then the mean over N
    assert d.steps[-1].sense_after == "min"


def test_bernoulli_ends_at_the_mean_binary_cross_entropy():
    d = catalogue.get("bernoulli-binary-cross-entropy")
    assert str(d.steps[-1].after) == "Sum(Hb[i], (i, 1, N))/N"
    assert d.steps[-1].sense_after == "min"


def test_checks_are_deterministic():
    d = catalogue.get("bernoulli-binary-cross-entropy")
    first = [check_step(s, d.context, (d.name,)) for s in d.steps]
    second = [check_step(s, d.context, (d.name,)) for s in d.steps]
    assert first == second


def test_jupyter_rendering():
    d = catalogue.get("categorical-cross-entropy")
    latex = d._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("$$")
    assert "\\sum_{i=1}^{N}\\sum_{k=1}^{C}" in latex
    markdown = d._repr_markdown_()
    assert markdown.startswith(f"**{d.title}**") and "$$\n\\begin{aligned}" in markdown
    assert "\n" not in repr(d) and d.name in repr(d) and f"{len(d.steps)} steps" in repr(d)
