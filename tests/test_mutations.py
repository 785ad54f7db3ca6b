"""The checks can fail: every corrupted step is rejected, with a counterexample.

For every step of every derivation, the line it produces is corrupted in the
ways hand derivations go wrong; the step's own check and the certificate
recheck must both reject each mutant and say where it fails.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp

from derive import catalogue
from derive.certificates.derivation import from_json, to_json
from derive.checks.steps import check_step
from derive.checks.results import Status
from derive.render.latex import to_latex
from derive.checks.mutations import MUTATIONS, mutants
from derive.core.relations import MapKind, MonotoneMap, Relation

from .conftest import report_for

CASES = []
for _name in catalogue.names():
    _d = catalogue.get(_name)
    for _step in _d.steps:
        for _kind in mutants(_step.after, _d.context):
            CASES.append((_name, _step.index, _kind))


def test_every_mutation_kind_is_exercised():
    assert {kind for _, _, kind in CASES} == set(MUTATIONS)


@pytest.mark.parametrize("name,index,kind", CASES, ids=[f"{n}::step-{i}::{k}" for n, i, k in CASES])
def test_mutant_is_rejected_with_counterexample(name, index, kind):
    d = catalogue.get(name)
    step = d.steps[index - 1]
    bad = mutants(step.after, d.context)[kind]
    report = check_step(replace(step, after=bad), d.context, (d.name,))
    assert report.status is Status.FAILED
    failure = report.failure
    assert failure.counterexample is not None
    # The point is complete: every size (none for a single observation) and values.
    assert set(failure.counterexample.point["sizes"]) == {
        spec.name for spec in d.context.symbols if spec.role.value == "size"}
    # ...and the value of every symbol the line reads (a line of numbers has none)
    reads = {s for s in d.context.unfold(bad).free_symbols
             if (spec := d.context.spec_of(s)) is not None and spec.role.value in ("data", "prediction", "constant")}
    # (or none at all when the difference is a function of the sizes alone: it holds at every value)
    assert (failure.counterexample.point.get("values") or not reads
            or "whatever the other values" in failure.counterexample.note)
    # Soundness: no symbolic or exact check may claim the corrupted identity.
    assert not [r for r in report.results if r.obligation == "identity"
                and r.status in (Status.PROVED, Status.PROVED_AT_SIZES)]


@pytest.mark.parametrize("name,index,kind", CASES, ids=[f"{n}::step-{i}::{k}" for n, i, k in CASES])
def test_recheck_rejects_mutated_certificate(name, index, kind):
    """The mutant written into a certificate is caught without any rule."""
    d = catalogue.get(name)
    data = to_json(d, report_for(name))
    bad = mutants(d.steps[index - 1].after, d.context)[kind]
    data["steps"][index - 1]["srepr"] = sp.srepr(bad)
    data["steps"][index - 1]["latex"] = to_latex(bad, d.context)
    rebuilt = from_json(data)
    report = check_step(rebuilt.steps[index - 1], rebuilt.context, (rebuilt.name,))
    assert report.status is Status.FAILED
    assert report.failure.counterexample is not None


def _step_by_rule(name, rule):
    d = catalogue.get(name)
    return d, next(s for s in d.steps if s.rule == rule)


def test_wrong_direction_is_rejected():
    d, step = _step_by_rule("categorical-cross-entropy", "negate")
    bad = replace(step, relation=Relation.SAME_ARGMAX, sense_after="max")
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert any(r.obligation == "relation" and r.status is Status.FAILED for r in report.results)


def test_order_test_catches_a_map_that_does_not_reverse():
    # Claim negation (which reverses the order) but keep the objective as it is.
    d, step = _step_by_rule("bernoulli-binary-cross-entropy", "negate")
    kept = replace(step, after=step.before)
    report = check_step(kept, d.context, (d.name,))
    order = next(r for r in report.results if r.obligation == "order")
    assert order.status is Status.FAILED and order.counterexample is not None
    assert "not reversed" in order.detail


def test_scaling_by_a_parameter_dependent_factor_is_rejected():
    d, step = _step_by_rule("bernoulli-binary-cross-entropy", "normalise")
    yhat = d.context["yhat"]
    factor = 1 / yhat[1]
    bad = replace(step, after=factor * step.before, maps=(MonotoneMap(MapKind.SCALE, factor),))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert any(r.obligation == "map:scale" and "depends on the parameters" in r.detail
               for r in report.results)


def test_dropping_a_parameter_dependent_term_is_rejected():
    d, step = _step_by_rule("bernoulli-binary-cross-entropy", "normalise")
    yhat = d.context["yhat"]
    shift = sp.log(yhat[1])
    bad = replace(step, after=step.before + shift, maps=(MonotoneMap(MapKind.SHIFT, shift),))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED


def test_log_of_a_possibly_negative_objective_is_rejected():
    d, step = _step_by_rule("categorical-cross-entropy", "take-log")
    negative = -step.before
    bad = replace(step, before=negative, after=sp.log(negative))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED
    assert any(r.obligation == "map:log" and r.status is Status.FAILED for r in report.results)


def test_specialising_at_the_wrong_size_is_rejected():
    d, step = _step_by_rule("categorical-cross-entropy", "specialise")
    bad = replace(step, substitution=(("N", 2),))
    report = check_step(bad, d.context, (d.name,))
    assert report.status is Status.FAILED and report.failure.counterexample.point["sizes"]["N"] == 2


ONE_PER_KIND = {}
for _name, _index, _kind in CASES:
    ONE_PER_KIND.setdefault(_kind, (_name, _index))


@pytest.mark.parametrize("kind", sorted(ONE_PER_KIND))
def test_derive_recheck_command_rejects_a_mutant_of_each_kind(kind, tmp_path, capsys):
    import json

    from derive.cli import main

    name, index = ONE_PER_KIND[kind]
    d = catalogue.get(name)
    data = to_json(d, report_for(name))
    bad = mutants(d.steps[index - 1].after, d.context)[kind]
    data["steps"][index - 1]["srepr"] = sp.srepr(bad)
    data["steps"][index - 1]["latex"] = to_latex(bad, d.context)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data))
    assert main(["recheck", str(path)]) == 1
    out = capsys.readouterr().out
    assert "REJECTED" in out and f"step {index} failed" in out and "expected" in out
