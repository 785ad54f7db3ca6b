"""Proofs by cases in `derive check` (0/1 entries, signs, the branches of max, min,
|..| and indicators), the evidence every `equivalent` states, --require-proof, and
Leibniz derivatives refused by the reader."""
from __future__ import annotations

import json

import pytest
import sympy as sp

from derive import check
from derive.cli import main
from derive.equivalence.batch import run_batch
from derive.equivalence.cases import prove_by_cases, put
from derive.parsing import ParseError, read_formulas
from derive.verify import verify_text

# (id, A, B, domains, wrong twin of B): A = B is proved by cases; A = twin is refuted.
SHAPES = [
    ("binary-product", r"y(1-y)", "0", {"y": "binary"}, "y"),
    ("binary-entropy-0log0", r"-y\log y-(1-y)\log(1-y)", "0", {"y": "binary"}, "y"),
    ("binary-power", r"\mu^{y}", r"1-y+y\mu", {"y": "binary"}, r"1-y+y\mu^2"),
    ("binary-abs", r"|y-t|", r"(y-t)^2", {"y": "binary", "t": "binary"}, r"(y+t)^2"),
    ("binary-indicator", r"\mathbb{1}\{y=7\}", "0", {"y": "binary"}, "y"),
    ("hinge-pm1", r"\max(0,1-(2y-1)z)", r"y\max(0,1-z)+(1-y)\max(0,1+z)", {"y": "binary"},
     r"y\max(0,1-z)+(1-y)\max(0,1-z)"),
    ("log-square-abs", r"\log(x^2)", r"2\log|x|", {}, r"\log|x|"),
    ("log-ratio-no-domain", r"\log\frac{p}{q}", r"\log p-\log q", {}, r"\log p+\log q"),
    ("relu-abs", r"\max(0,x)", r"\frac{x+|x|}{2}", {}, r"\frac{x-|x|}{2}"),
    ("max-abs", r"\max(u,v)", r"\frac{u+v+|u-v|}{2}", {}, r"\frac{u+v-|u-v|}{2}"),
    ("max-min-sum", r"\max(u,v)+\min(u,v)", "u+v", {}, "u+2v"),
    ("clip", r"\min(\max(x,0),1)", r"\max(\min(x,1),0)", {}, r"\max(\min(x,2),0)"),
    ("relu-difference", r"\mathrm{relu}(x)-\mathrm{relu}(-x)", "x", {}, "|x|"),
    ("min-prob", r"\min(y,1)", "y", {"y": "prob"}, r"\min(y,\frac{1}{2})"),
    ("abs-prob", r"|1-y|", "1-y", {"y": "prob"}, "1+y"),
    ("stable-softplus", r"\log(1+e^{x})", r"\max(x,0)+\log(1+e^{-|x|})", {}, r"\max(x,0)+\log(1+e^{|x|})"),
    ("mean-abs-dev", r"\frac{1}{N}\sum_{n=1}^{N}|\theta_n-\mu|",
     r"\frac{1}{N}\sum_{n=1}^{N}\left(\max(\theta_n,\mu)-\min(\theta_n,\mu)\right)", {},
     r"\frac{1}{N}\sum_{n=1}^{N}\left(\max(\theta_n,\mu)+\min(\theta_n,\mu)\right)"),
    ("label-indicator-nested", r"-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{K}[y_i=k]\log p_{i,k}",
     r"-\frac{1}{N}\sum_{i=1}^{N}\log p_{i,y_i}", {"y": "label"}, r"-\frac{1}{N}\sum_{i=1}^{N}\log p_{i,1}"),
]


@pytest.mark.parametrize("case", SHAPES, ids=[c[0] for c in SHAPES])
def test_case_split_proves_the_true_pair(case):
    _, a, b, domains, _ = case
    verdict = check(a, b, domains)
    assert verdict.verdict == "equivalent" and verdict.proved, verdict.text()
    assert verdict.method == "symbolic"


@pytest.mark.parametrize("case", SHAPES, ids=[c[0] for c in SHAPES])
def test_case_split_refutes_the_wrong_twin(case):
    _, a, _, domains, twin = case
    verdict = check(a, twin, domains)
    assert verdict.verdict == "not_equivalent", verdict.text()
    assert verdict.counterexample and "a" in verdict.counterexample and "b" in verdict.counterexample


@pytest.mark.parametrize("a, b, domains", [
    # a guard on a function of the variable: the two differ only where log q < -60
    (r"\max(\log q,-60)", r"\log q", {"q": "positive"}),
    (r"\min(|r|,10^{5})r", r"|r|r", {}),
    (r"\min(z,10^{8})", "z", {}),
])
def test_a_guard_is_never_proved_away(a, b, domains):
    verdict = check(a, b, domains)
    assert not verdict.proved, verdict.text()


def _leaf(a, b):
    return sp.simplify(a - b) == 0


def test_case_values_follow_the_zero_log_zero_convention():
    y = sp.Symbol("y")
    assert put(y * sp.log(y), {y: sp.S.Zero}) == 0
    assert put(y ** y, {y: sp.S.Zero}) == 1


def test_an_infinity_absorbed_by_tanh_is_not_taken_for_no_value():
    # tanh(log 0) = tanh(-inf) = -1 is a value: the case x = 0 must not hold vacuously
    x = sp.Symbol("x", real=True)
    a = sp.tanh(sp.log(x)) + sp.KroneckerDelta(x, 0)
    assert not prove_by_cases(a, sp.tanh(sp.log(x)), _leaf, lambda e: None, frozenset()).proved


def test_a_case_split_proof_needs_every_case():
    x = sp.Symbol("x", real=True)
    # equal for x >= 0 only
    assert not prove_by_cases(sp.Max(x, 0), x, _leaf, lambda e: None, frozenset()).proved
    assert prove_by_cases(sp.Max(x, 0), (x + sp.Abs(x)) / 2, _leaf, lambda e: None, frozenset()).proved


# -- the evidence of an `equivalent` --------------------------------------------------------
NUMERIC_ONLY = (r"\log(k!)", r"\sum_{j=1}^{k}\log j", {"k": "natural"})


def test_numeric_only_equivalent_says_so_in_text_json_and_markdown():
    verdict = check(*NUMERIC_ONLY)
    assert verdict.verdict == "equivalent" and verdict.numeric_only and not verdict.proved
    assert verdict.text().startswith("equivalent (numeric: agreed at ")
    assert ", no proof)" in verdict.text().splitlines()[0]
    data = verdict.to_json()
    assert data["method"] == "numeric" and data["proved"] is False
    assert data["evidence"].startswith("numeric: agreed at ") and data["evidence"].endswith("no proof")
    assert "no proof" in verdict._repr_markdown_() and "no proof" in verdict._repr_html_()


def test_proved_equivalent_says_symbolic():
    verdict = check("x+x", "2x")
    assert verdict.proved and verdict.text().startswith("equivalent (symbolic)")
    assert verdict.to_json()["proved"] is True


def test_require_proof_turns_numeric_only_into_unknown():
    verdict = check(*NUMERIC_ONLY, require_proof=True)
    assert verdict.verdict == "unknown" and verdict.exit_code == 3
    assert "a proof was required" in verdict.reason
    assert check("x+x", "2x", require_proof=True).verdict == "equivalent"
    assert check("x+x", "3x", require_proof=True).verdict == "not_equivalent"


def test_require_proof_on_the_command_line(capsys):
    a, b, _ = NUMERIC_ONLY
    assert main(["check", a, b, "--domain", "k=natural"]) == 0
    assert "no proof" in capsys.readouterr().out
    assert main(["check", a, b, "--domain", "k=natural", "--require-proof", "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["verdict"] == "unknown"


def test_batch_lines_carry_the_evidence_and_require_proof():
    a, b, domains = NUMERIC_ONLY
    lines = [json.dumps({"a": a, "b": b, "domains": domains}),
             json.dumps({"a": a, "b": b, "domains": domains, "require_proof": True}),
             json.dumps({"a": a, "b": b, "domains": domains, "require_proof": "yes"})]
    plain, required, bad = run_batch(lines)
    assert plain["verdict"] == "equivalent" and plain["proved"] is False and "no proof" in plain["evidence"]
    assert required["verdict"] == "unknown" and "a proof was required" in required["reason"]
    assert bad["verdict"] == "error"
    flagged = list(run_batch(lines[:1], require_proof=True))[0]
    assert flagged["verdict"] == "unknown"


# -- derivatives are read ---------------------------------------------------------------------
LEIBNIZ = [r"\frac{\mathrm{d}}{\mathrm{d}w}(w^2)", r"\frac{d}{dx}x^2", r"\frac{dy}{dx}", r"\frac{d^2}{dz^2}z^3",
           r"\frac{\partial L}{\partial z}", r"\frac{\partial^2 L}{\partial w_1\partial w_2}",
           r"\frac{\operatorname{d}}{\operatorname{d}x}x", r"\frac{\mathrm{d}L}{\mathrm{d}\theta}",
           r"\dfrac{d}{d x}x", r"\tfrac{d}{d\hat{y}}\hat{y}", r"\frac{d(x^2)}{dx}"]


@pytest.mark.parametrize("latex", LEIBNIZ)
def test_leibniz_derivative_is_read(latex):
    read_formulas([latex, "1"])


def test_second_derivative_of_an_unknown_function_is_refused():
    with pytest.raises(ParseError, match="derivative"):
        read_formulas([r"\frac{d^{2}y}{dx^{2}}", "1"])


@pytest.mark.parametrize("latex", [r"\frac{a}{d}", r"\frac{d}{2}", r"\frac{d_1}{d_2}", r"\frac{d+1}{dx}",
                                   r"\frac{2d}{d}", r"\frac{d}{d+x}"])
def test_a_variable_named_d_stays_a_fraction(latex):
    read_formulas([latex, "1"])


def test_derivative_exit_status_and_verify(capsys):
    assert main(["check", r"\frac{d}{dx}x^2", "2x"]) == 0
    assert main(["check", r"\frac{d}{dx}x^2", "2x^2"]) == 1
    capsys.readouterr()
    text = "\\[ x + x = 2x \\]\n\\[ \\frac{d}{dx} x^2 = 2x \\]\n"
    assert verify_text(text, "tex").status == "holds"
    assert verify_text(text.replace("= 2x \\]\n\\[ \\frac", "= 2x \\]\n\\[ 2\\frac"), "tex").status == "fails"
