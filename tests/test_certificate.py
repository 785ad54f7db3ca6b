"""Certificates: they round-trip, they recheck, and the recheck can fail.

A certificate is only worth something if a wrong one is rejected, so most of
this file corrupts a good certificate in one place (the maths of a step, the
LaTeX shown, the relation claimed, a monotone map, the srepr text itself) and
checks that ``recheck`` or ``from_json`` notices, in the right place.
"""
from __future__ import annotations

import copy
import json

import pytest
import sympy as sp

from derive import catalogue
from derive.certificates.derivation import CertificateError, Recheck, dumps, from_json, recheck, to_json
from derive.checks.steps import check_derivation
from derive.checks.results import Status
from derive.cli import main
from derive.core.context import Role
from derive.render.latex import to_latex

NAMES = catalogue.names()


def names_with(rule: str) -> list[str]:
    """The derivations that have a step made by ``rule``."""
    return [n for n in NAMES if any(s.rule == rule for s in catalogue.get(n).steps)]


#: Derivations with a normalise step (the single-observation ones have none).
NORMALISED = names_with("normalise")
CCE = "categorical-cross-entropy"
BCE = "bernoulli-binary-cross-entropy"


# -- fixtures and helpers ------------------------------------------------------------
_CERTS: dict[str, dict] = {}
_RECHECKS: dict[str, Recheck] = {}


def good(name: str) -> dict:
    """A fresh (deep-copied) certificate of a catalogue derivation, via JSON text."""
    if name not in _CERTS:
        d = catalogue.get(name)
        _CERTS[name] = json.loads(dumps(to_json(d, check_derivation(d))))
    return copy.deepcopy(_CERTS[name])


def good_recheck(name: str) -> Recheck:
    if name not in _RECHECKS:
        _RECHECKS[name] = recheck(good(name))
    return _RECHECKS[name]


def step_number(name: str, rule: str) -> int:
    """The 1-based number of the first step made by ``rule``."""
    return next(s.index for s in catalogue.get(name).steps if s.rule == rule)


def dependants(name: str, n: int) -> set[int]:
    """Steps that start from line ``n`` (they see a corrupted line ``n`` as their 'before')."""
    return {s.index for s in catalogue.get(name).steps if s.source == n}


def failing_steps(outcome: Recheck) -> list[int]:
    return [sr.step for sr in outcome.report.steps if sr.status is Status.FAILED]


def write(tmp_path, data, name="cert.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def corrupt_step(data: dict, name: str, n: int) -> sp.Expr:
    """Replace step ``n``'s expression by its negation, LaTeX re-rendered (only the maths is wrong)."""
    d = catalogue.get(name)
    wrong = -d.steps[n - 1].after
    assert wrong != d.steps[n - 1].after
    data["steps"][n - 1]["srepr"] = sp.srepr(wrong)
    data["steps"][n - 1]["latex"] = to_latex(wrong, d.context)
    return wrong


# -- good certificates ---------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_certificate_has_the_contract_fields(name):
    data = good(name)
    for key in ("format", "name", "title", "symbols", "definitions", "start", "steps", "status"):
        assert key in data
    assert data["name"] == name
    for sym in data["symbols"]:
        assert {"name", "latex", "role", "domain", "indices"} <= set(sym)
    d = catalogue.get(name)
    assert len(data["steps"]) == len(d.steps)
    for step in data["steps"]:
        assert {"latex", "srepr", "relation", "rule", "justification", "maps", "checks", "source"} <= set(step)
        assert step["checks"], "every step records its checks"
        for check in step["checks"]:
            assert {"kind", "status", "detail"} <= set(check)


@pytest.mark.parametrize("name", NAMES)
def test_certificate_round_trips_through_json(name):
    data = good(name)
    assert json.loads(json.dumps(data)) == data
    d = catalogue.get(name)
    rebuilt = from_json(data)
    assert rebuilt.name == d.name
    assert rebuilt.start == d.start
    assert rebuilt.sense == d.sense
    assert len(rebuilt.steps) == len(d.steps)
    for mine, theirs in zip(rebuilt.steps, d.steps):
        assert mine.after == theirs.after, f"step {theirs.index} rebuilt differently"
        assert mine.before == theirs.before
        assert mine.relation is theirs.relation
        assert mine.source == theirs.source
        assert mine.maps == theirs.maps
        assert mine.substitution == theirs.substitution
    assert rebuilt.context.objects == d.context.objects
    # serialising the rebuilt derivation gives the same expressions and LaTeX again
    again = to_json(rebuilt, check_derivation(rebuilt))
    for a, b in zip(again["steps"], data["steps"]):
        assert (a["srepr"], a["latex"], a["relation"], a["source"]) == (b["srepr"], b["latex"], b["relation"], b["source"])


@pytest.mark.parametrize("name", NAMES)
def test_recheck_holds_on_good_certificates(name):
    outcome = good_recheck(name)
    assert outcome.holds
    assert outcome.display_mismatches == ()
    assert outcome.report.status.value == good(name)["status"]
    assert [sr.status.value for sr in outcome.report.steps] == [s["status"] for s in good(name)["steps"]]


# -- (a) a step whose maths is wrong ---------------------------------------------------
CORRUPTIONS = [(CCE, 3), (CCE, 5), (CCE, 8), (CCE, 12), (BCE, 2), (BCE, 5), (BCE, len(catalogue.get(BCE).steps))]


@pytest.mark.parametrize("name,n", CORRUPTIONS)
def test_recheck_rejects_a_wrong_step(name, n):
    data = good(name)
    corrupt_step(data, name, n)
    outcome = recheck(data)
    assert outcome.report.status is Status.FAILED
    assert not outcome.holds
    assert outcome.display_mismatches == (), "the LaTeX was re-rendered, so only the maths is wrong"
    failed = failing_steps(outcome)
    assert failed[0] == n, f"first failing step should be {n}, got {failed}"
    # the step itself, and the steps that start from it (their 'before' changed), nothing else
    assert set(failed) == {n} | dependants(name, n)
    report = outcome.report.steps[n - 1]
    assert report.step == n
    failure = report.failure
    assert failure is not None
    assert failure.counterexample is not None
    cex = failure.counterexample.to_json()
    assert cex["point"] and cex["expected"] is not None
    for sr in outcome.report.steps[: n - 1]:
        assert sr.status is not Status.FAILED


@pytest.mark.parametrize("name,n", [(CCE, 5), (BCE, 6)])
def test_cli_recheck_rejects_a_wrong_step(tmp_path, capsys, name, n):
    data = good(name)
    corrupt_step(data, name, n)
    path = write(tmp_path, data)
    assert main(["recheck", path]) == 1
    out, err = capsys.readouterr()
    assert "REJECTED" in out
    assert f"step {n} failed" in out
    assert "Traceback" not in err
    assert main(["recheck", "--json", path]) == 1
    result = json.loads(capsys.readouterr().out)[0]
    assert result["status"] == "failed" and result["holds"] is False
    assert result["failures"][0]["step"] == n
    assert "counterexample" in result["failures"][0]


def test_cli_recheck_one_bad_file_among_good_ones_fails(tmp_path, capsys):
    bad = good(CCE)
    corrupt_step(bad, CCE, 4)
    paths = [write(tmp_path, good(BCE), "a.json"), write(tmp_path, bad, "b.json"), write(tmp_path, good(CCE), "c.json")]
    assert main(["recheck", *paths]) == 1
    out = capsys.readouterr().out
    assert out.count(": OK") == 2 and out.count(": REJECTED") == 1


# -- (b) the LaTeX shown differs from the expression checked ---------------------------------
@pytest.mark.parametrize("name,n", [(CCE, 6), (BCE, 4)])
def test_recheck_flags_latex_that_does_not_match(tmp_path, capsys, name, n):
    data = good(name)
    data["steps"][n - 1]["latex"] = data["steps"][n - 1]["latex"] + " + 1"
    outcome = recheck(data)
    assert outcome.display_mismatches == (n,)
    assert outcome.report.holds, "the maths is still right"
    assert not outcome.holds
    path = write(tmp_path, data)
    assert main(["recheck", path]) == 1
    out = capsys.readouterr().out
    assert f"step {n}: the LaTeX shown does not match" in out
    assert main(["recheck", "--json", path]) == 1
    assert json.loads(capsys.readouterr().out)[0]["latex_mismatch_steps"] == [n]


def test_recheck_flags_a_subtly_different_latex():
    data = good(CCE)
    n = step_number(CCE, "negate")
    latex = data["steps"][n - 1]["latex"]
    assert "\\log" in latex
    data["steps"][n - 1]["latex"] = latex.replace("\\log", "\\log_2", 1)
    assert recheck(data).display_mismatches == (n,)


# -- (c) the relation claimed is the wrong one -------------------------------------------
@pytest.mark.parametrize("name", names_with("negate"))
def test_recheck_rejects_the_wrong_optimiser_relation(name):
    data = good(name)
    n = step_number(name, "negate")
    assert data["steps"][n - 1]["relation"] == "same_argmin"
    data["steps"][n - 1]["relation"] = "same_argmax"
    outcome = recheck(data)
    assert outcome.report.status is Status.FAILED
    assert n in failing_steps(outcome)
    assert outcome.report.steps[n - 1].failure.obligation == "relation"


@pytest.mark.parametrize("name", names_with("take-log"))
def test_recheck_rejects_an_optimiser_step_without_its_map(name):
    data = good(name)
    n = step_number(name, "take-log")
    data["steps"][n - 1]["maps"] = []
    outcome = recheck(data)
    assert failing_steps(outcome) == [n]


def test_recheck_rejects_an_eq_step_that_flips_the_sense():
    data = good(CCE)
    n = step_number(CCE, "log-of-product")
    data["steps"][n - 1]["sense"] = "min"
    outcome = recheck(data)
    assert n in failing_steps(outcome)


# -- (d) a monotone map that depends on the parameters ------------------------------------
def _prediction_operand(data: dict) -> str:
    """srepr of 1 / (the first element of the prediction symbol), from the certificate's own symbols."""
    ctx = from_json(data).context
    spec = next(s for s in ctx.symbols if s.role is Role.PREDICTION)
    obj = ctx[spec.name]
    element = obj[tuple(sp.Integer(1) for _ in spec.indices)] if spec.indices else obj
    return sp.srepr(sp.Pow(element, -1))


def _rebuilt(text: str, ctx):
    from derive.certificates.srepr import parse_srepr

    expr = parse_srepr(text)
    return expr.xreplace({s: ctx[s.name] for s in expr.atoms(sp.Symbol) if s.name in ctx.by_name
                          and not isinstance(ctx[s.name], sp.IndexedBase)}).xreplace(
        {b: ctx[b.label.name] for b in expr.atoms(sp.IndexedBase)})


@pytest.mark.parametrize("name", NORMALISED)
def test_recheck_rejects_a_scale_map_that_depends_on_the_prediction(name):
    data = good(name)
    n = step_number(name, "normalise")
    maps = data["steps"][n - 1]["maps"]
    assert [m["kind"] for m in maps] == ["scale"]
    operand = _prediction_operand(data)
    ctx = from_json(data).context
    assert ctx.depends_on_parameters(_rebuilt(operand, ctx))  # a prediction, as the certificate declares it
    maps[0]["operand"] = operand
    outcome = recheck(data)
    assert outcome.report.status is Status.FAILED
    assert n in failing_steps(outcome)
    results = outcome.report.steps[n - 1].results
    scale = [r for r in results if r.obligation == "map:scale"]
    assert scale and scale[0].status is Status.FAILED
    assert "depends on the parameters" in scale[0].detail


@pytest.mark.parametrize("name", NORMALISED)
def test_recheck_rejects_a_scale_map_consistent_with_the_line_but_parameter_dependent(name):
    # the new line really is operand * before, so the identity holds: only the map check can object
    data = good(name)
    n = step_number(name, "normalise")
    d = from_json(data)
    operand_text = _prediction_operand(data)
    data["steps"][n - 1]["maps"][0]["operand"] = operand_text
    operand = from_json(data).steps[n - 1].maps[0].operand
    after = operand * d.steps[n - 1].before
    data["steps"][n - 1]["srepr"] = sp.srepr(after)
    data["steps"][n - 1]["latex"] = to_latex(after, d.context)
    outcome = recheck(data)
    results = outcome.report.steps[n - 1].results
    assert [r for r in results if r.obligation == "identity" and r.status is Status.FAILED] == []
    assert any(r.obligation == "map:scale" and r.status is Status.FAILED for r in results)
    assert n in failing_steps(outcome)


def test_recheck_rejects_a_negative_scale_factor():
    data = good(CCE)
    n = step_number(CCE, "normalise")
    data["steps"][n - 1]["maps"][0]["operand"] = "Integer(-1)"
    outcome = recheck(data)
    assert n in failing_steps(outcome)


# -- (e) hostile srepr text ----------------------------------------------------------------
HOSTILE = {
    "import": "__import__('os').system('true')",
    "open": "open('/etc/passwd')",
    "lambda": "(lambda: 1)()",
    "lambda-bare": "lambda x: x",
    "attribute": "Symbol('N').__class__",
    "attribute-call": "Integer(1).__class__.__subclasses__()",
    "dunder-name": "__builtins__",
    "nested-parens": "(" * 10_000 + "Integer(1)" + ")" * 10_000,
    "nested-calls": "Abs(" * 10_000 + "Integer(1)" + ")" * 10_000,
    "deep-but-parseable": "Abs(" * 250 + "Integer(1)" + ")" * 250,
    "power-expression": "Pow(Integer(10), Integer(10**9))",
    "power-literal": "Pow(Integer(10), Integer(1000000000))",
    "megabyte": "Add(" + "Integer(1), " * 90_000 + "Integer(1))",
    "megabyte-junk": "x" * 1_000_000,
    "long-integer": "Integer(" + "7" * 100 + ")",
    "undeclared-symbol": "Symbol('x')",
    "undeclared-in-sum": "Sum(Symbol('x'), Tuple(Symbol('i', integer=True, positive=True), Integer(1), Symbol('N', integer=True, positive=True)))",
    "bad-assumption": "Symbol('N', commutative=False, evaluate=True)",
    "kwargs-splat": "Symbol('N', **{'positive': True})",
    "unknown-constructor": "Function('f')(Symbol('N'))",
    "subscript": "Tuple(Integer(1))[0]",
    "comprehension": "[Integer(1) for _ in range(10)]",
    "float-literal": "Mul(1.5, Symbol('N'))",
    "syntax-error": "Add(Integer(1),",
    "empty": "",
    "size-used-as-array": "Indexed(IndexedBase(Symbol('N')), Integer(1))",
}


@pytest.mark.parametrize("key", list(HOSTILE))
def test_from_json_rejects_hostile_srepr_in_a_step(key):
    assert len(HOSTILE["megabyte"]) > 1_000_000 and len(HOSTILE["megabyte-junk"]) == 1_000_000
    data = good(CCE)
    data["steps"][2]["srepr"] = HOSTILE[key]
    with pytest.raises(CertificateError) as info:
        from_json(data)
    assert "step 3" in str(info.value)


@pytest.mark.parametrize("where", ["start", "definition", "map"])
@pytest.mark.parametrize("key", ["import", "long-integer", "undeclared-symbol", "nested-parens"])
def test_from_json_rejects_hostile_srepr_elsewhere(where, key):
    data = good(CCE)
    if where == "start":
        data["start"]["srepr"] = HOSTILE[key]
    elif where == "definition":
        data["definitions"][0]["srepr"] = HOSTILE[key]
    else:
        data["steps"][step_number(CCE, "normalise") - 1]["maps"][0]["operand"] = HOSTILE[key]
    with pytest.raises(CertificateError):
        from_json(data)


def test_hostile_srepr_has_no_side_effect(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = good(CCE)
    data["steps"][0]["srepr"] = "__import__('pathlib').Path('pwned').touch()"
    with pytest.raises(CertificateError):
        from_json(data)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name,symbol,redeclared", [
    (CCE, "Symbol('p', integer=True, nonnegative=True)", "Symbol('p', positive=True)"),
    (CCE, "Symbol('phat', positive=True)", "Symbol('phat', real=True)"),
    (CCE, "Symbol('N', integer=True, positive=True)", "Symbol('N', negative=True)"),
    (BCE, "Symbol('y', integer=True, nonnegative=True)", "Symbol('y', positive=True)"),
    (BCE, "Symbol('i', integer=True, positive=True)", "Symbol('i')"),
])
def test_redeclared_assumptions_are_rebound_to_the_declared_symbol(name, symbol, redeclared):
    data = good(name)
    changed = 0
    for step in data["steps"]:
        if symbol in step["srepr"]:
            step["srepr"] = step["srepr"].replace(symbol, redeclared)
            changed += 1
    assert changed, f"{symbol} should occur in the certificate's steps"
    rebuilt = from_json(data)          # accepted ...
    ctx = rebuilt.context
    declared = set(ctx.objects.values())
    declared_symbols = {o.label if isinstance(o, sp.IndexedBase) else o for o in declared}
    for step, original in zip(rebuilt.steps, catalogue.get(name).steps):
        # ... but every symbol is the declared one, with the declared assumptions
        assert step.after.atoms(sp.Symbol) <= declared_symbols
        assert step.after.atoms(sp.IndexedBase) <= declared
        assert step.after == original.after
        for sym in step.after.atoms(sp.Symbol):
            assert sym == (ctx[sym.name].label if isinstance(ctx[sym.name], sp.IndexedBase) else ctx[sym.name])
    assert recheck(data).holds


def test_redeclared_symbol_in_a_map_operand_is_rebound():
    # N re-declared negative inside a map operand: after rebinding, the checker sees the
    # declared N (a positive integer) and nothing else.
    data = good(CCE)
    n = step_number(CCE, "normalise")
    data["steps"][n - 1]["maps"][0]["operand"] = "Pow(Symbol('N', negative=True), Integer(-1))"
    operand = from_json(data).steps[n - 1].maps[0].operand
    assert operand.atoms(sp.Symbol) == {from_json(data).context["N"]}
    assert operand.is_positive


# -- (f) structurally wrong certificates ------------------------------------------------------
def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _symbol(name, key, value):
    def mutate(data):
        next(s for s in data["symbols"] if s["name"] == name)[key] = value
    return mutate


STRUCTURAL = {
    "source-forward": _set(("steps", 2, "source"), 5),
    "source-self": _set(("steps", 2, "source"), 3),
    "source-negative": _set(("steps", 2, "source"), -1),
    "source-string": _set(("steps", 2, "source"), "1"),
    "relation-unknown": _set(("steps", 2, "relation"), "approximately"),
    "relation-missing": lambda d: d["steps"][2].pop("relation"),
    "relation-not-string": _set(("steps", 2, "relation"), 7),
    "domain-unknown": _symbol("phat", "domain", "gaussian"),
    "domain-open-non-simplex": _symbol("p", "domain", "binary+"),
    "role-unknown": _symbol("phat", "role", "parameter"),
    "index-undeclared": _symbol("phat", "indices", ["i", "j"]),
    "index-range-undeclared": _symbol("k", "range", [1, "K"]),
    "symbol-twice": lambda d: d["symbols"].append(dict(d["symbols"][0])),
    "symbol-missing-name": lambda d: d["symbols"][0].pop("name"),
    "format-wrong": _set(("format",), "derive-certificate/999"),
    "format-missing": lambda d: d.pop("format"),
    "steps-missing": lambda d: d.pop("steps"),
    "steps-not-list": _set(("steps",), {"1": {}}),
    "steps-too-many": lambda d: d.__setitem__("steps", d["steps"] * 60),
    "step-not-object": _set(("steps", 0), "step"),
    "srepr-missing": lambda d: d["steps"][2].pop("srepr"),
    "srepr-not-string": _set(("steps", 2, "srepr"), ["Integer(1)"]),
    "sense-unknown": _set(("steps", 2, "sense"), "sideways"),
    "start-sense-unknown": _set(("start", "sense"), "up"),
    "start-missing": lambda d: d.pop("start"),
    "map-unknown": _set(("steps", 3, "maps", 0, "kind"), "sqrt"),
    "map-scale-without-operand": _set(("steps", 11, "maps", 0, "operand"), None),
    "substitution-undeclared": _set(("steps", 7, "substitution"), {"M": 1}),
    "substitution-too-big": _set(("steps", 7, "substitution"), {"N": 10**6}),
    "substitution-not-size": _set(("steps", 7, "substitution"), {"phat": 1}),
    "definition-of-undeclared": _set(("definitions", 0, "symbol"), "Q"),
    "definition-of-data": _set(("definitions", 0, "symbol"), "p"),
    # malformed values of the right keys: a hostile file, so still a CertificateError
    "symbol-not-object": lambda d: d["symbols"].insert(0, 1),
    "domain-not-string": _symbol("phat", "domain", 5),
    "size-range-not-numbers": _symbol("N", "range", [1, "zz"]),
    "definitions-not-list": _set(("definitions",), 5),
    "maps-not-list": _set(("steps", 3, "maps"), 5),
    "sources-not-list": _set(("sources",), 5),
    "srepr-a-string-literal": _set(("steps", 2, "srepr"), "'abc'"),
    "srepr-an-int-literal": _set(("steps", 2, "srepr"), "5"),
    "srepr-a-boolean": _set(("steps", 2, "srepr"), "true"),
    "srepr-a-tuple": _set(("steps", 2, "srepr"), "Tuple(Integer(1))"),
}


def test_structural_table_targets_the_right_steps():
    d = catalogue.get(CCE)
    assert d.steps[3].rule == "take-log" and d.steps[7].rule == "specialise" and d.steps[11].rule == "normalise"


@pytest.mark.parametrize("key", list(STRUCTURAL))
def test_structurally_wrong_certificate_is_rejected(key):
    data = good(CCE)
    STRUCTURAL[key](data)
    with pytest.raises(CertificateError):
        # from_json for most; rechecking must not raise anything else either
        recheck(data)


@pytest.mark.parametrize("key", ["source-forward", "relation-unknown", "domain-unknown"])
def test_structural_errors_are_raised_by_from_json(key):
    data = good(CCE)
    STRUCTURAL[key](data)
    with pytest.raises(CertificateError) as info:
        from_json(data)
    message = str(info.value)
    if key == "source-forward":
        assert "step 3" in message and "source 5" in message
    elif key == "relation-unknown":
        assert "approximately" in message
    else:
        assert "gaussian" in message


@pytest.mark.parametrize("value", [None, [], "certificate", 3, {"format": "derive-certificate/1"}])
def test_non_certificates_are_rejected(value):
    with pytest.raises(CertificateError):
        from_json(value)


@pytest.mark.parametrize("key", ["symbol-not-object", "srepr-a-boolean", "size-range-not-numbers"])
def test_cli_recheck_of_a_malformed_certificate_exits_2_without_traceback(tmp_path, capsys, key):
    data = good(CCE)
    STRUCTURAL[key](data)
    path = write(tmp_path, data)
    assert main(["recheck", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("derive: ") and "Traceback" not in err
