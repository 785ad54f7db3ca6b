"""`derive check`: the public corpus, each notation with a wrong twin, the CLI and the API."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from derive import check
from derive.cli import main
from derive.parsing import ParseError, read_formulas

# A copy of the public corpus (../shared/corpus/equivalence.jsonl), so a clone tests alone.
CORPUS = Path(__file__).resolve().parent / "data" / "equivalence_public.jsonl"
CASES = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_corpus(case):
    verdict = check(case["a"], case["b"], case.get("domains"))
    assert verdict.verdict == case["expected"], verdict.text()
    if verdict.verdict == "not_equivalent":
        cex = verdict.counterexample
        assert cex["a"] != cex["b"] and "values" in cex and "sizes" in cex


def test_public_corpus_through_batch(tmp_path):
    out = tmp_path / "out.jsonl"
    code = main(["check", "--batch", str(CORPUS), "--out", str(out), "--jobs", "2", "--timeout", "60"])
    assert code == 0
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    assert [a["id"] for a in answers] == [c["id"] for c in CASES]  # order kept, keys passed through
    for case, answer in zip(CASES, answers):
        assert answer["verdict"] == case["expected"], answer
        assert {"method", "reason", "ms"} <= set(answer)
        assert ("counterexample" in answer) == (answer["verdict"] == "not_equivalent")


# Each notation the parser reads, as an equivalent pair and a wrong twin that
# must come out not_equivalent (with a counterexample).
NOTATION = [
    # (id, a, b, wrong b, domains)
    ("log-is-natural", r"\log x", r"\ln x", r"\log_{10} x", {"x": "positive"}),
    ("log2", r"\log_2 u", r"\frac{\ln u}{\ln 2}", r"\frac{\ln u}{\ln 3}", {"u": "positive"}),
    ("log10", r"\log_{10} u", r"\log u / \log 10", r"\log u / \log 2", {"u": "positive"}),
    ("exp-forms", r"\exp(x)", r"e^{x}", r"e^{-x}", {}),
    ("mathrm-e", r"\mathrm{e}^{x}", r"\exp x", r"\exp(2x)", {}),
    ("comma-indices", r"\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}", r"\sum_{i=1}^{N}\sum_{k=1}^{C} y_{ik}",
     r"\sum_{i=1}^{N}\sum_{k=1}^{C} y_{ki}", {}),
    ("hat-placement", r"\sum_{i=1}^{N}\hat{y}_i", r"\sum_{i=1}^{N}\hat{y_i}", r"\sum_{i=1}^{N} y_i", {}),
    ("seed-superscript", r"\sum_{i=1}^{N}\sum_{k=1}^{C} p_i^{(k)}\log\hat{p}_i^{(k)}",
     r"\sum_{i=1}^{N}\sum_{k=1}^{C} p_{i,k}\log\hat{p}_{i,k}",
     r"\sum_{i=1}^{N}\sum_{k=1}^{C} \hat{p}_{i,k}\log p_{i,k}", {"p": "simplex+", r"\hat{p}": "simplex+"}),
    ("renamed-dummy", r"\sum_{n=1}^{M} a_n b_n", r"\sum_{m=1}^{M} b_m a_m", r"\sum_{m=1}^{M} b_m a_{m}^2", {}),
    ("unbounded-sum", r"\sum_k y_k", r"\sum_{j} y_j", r"\sum_{j} y_j^2", {}),
    ("function-notation", r"\sum_{x} g(x)\log\frac{g(x)}{f(x)}",
     r"\sum_{x} g(x)\log g(x) - \sum_{x} g(x)\log f(x)", r"\sum_{x} f(x)\log\frac{f(x)}{g(x)}",
     {"g": "simplex+", "f": "simplex+"}),
    ("indicator-braces", r"\sum_{k=1}^{K}\mathbb{1}\{y=k\}\log p_k", r"\log p_y", r"\log p_{y+1}", {"y": "label", "p": "positive"}),
    ("indicator-brackets", r"\sum_{k=1}^{K}\mathbb{1}[y=k]\log p_k", r"\log p_y", r"\log p_1", {"y": "label", "p": "positive"}),
    ("indicator-bold", r"\prod_{k=1}^{K}p_k^{\mathbf{1}_{y=k}}", r"p_y", r"p_K", {"y": "label", "p": "positive"}),
    ("indicator-plain-one", r"\sum_{k=1}^{K}1_{y=k}\log p_k", r"\log p_y", r"\sum_{k=1}^{K}\log p_k", {"y": "label", "p": "positive"}),
    ("iverson", r"\sum_{k=1}^{K}[y=k]\,k", r"y", r"y+1", {"y": "label"}),
    ("kronecker", r"\sum_{k=1}^{K}\delta_{y,k}\log p_k", r"\log p_y", r"-\log p_y", {"y": "label", "p": "positive"}),
    ("seed-double-equals", r"\prod_{k=1}^{C}\hat{p}_k^{1_{y_k==1}}", r"\prod_{k=1}^{C}\hat{p}_k^{y_k}",
     r"\prod_{k=1}^{C}\hat{p}_k^{1-y_k}", {"y": "onehot", r"\hat{p}": "simplex+"}),
    ("sigmoid", r"\sigma(z)", r"\frac{1}{1+e^{-z}}", r"\frac{1}{1+e^{z}}", {}),
    ("sigmoid-operatorname", r"\operatorname{sigmoid}(x)", r"\frac{e^{x}}{1+e^{x}}", r"\frac{e^{-x}}{1+e^{x}}", {}),
    ("left-right-cdot", r"\left(\frac{1}{2}\right)\cdot x", r"\frac{x}{2}", r"2x", {}),
    ("cosmetics", r"$\displaystyle x \, y$", r"y\cdot x", r"y + x", {}),
    ("absolute", r"\sum_{i=1}^{N} |y_i-\hat{y}_i|", r"\sum_{i=1}^{N} \lvert \hat{y}_i - y_i \rvert",
     r"\sum_{i=1}^{N} (\hat{y}_i - y_i)", {}),
    ("sum-body-folded", r"\sum_{n=1}^{M} a_n^2 + b_n^2", r"\sum_{n=1}^{M}\left(a_n^2 + b_n^2\right)",
     r"\sum_{n=1}^{M}(a_n + b_n)^2", {}),
    ("tiny-numbers", r"10^{-20} x", r"\frac{x}{10^{20}}", r"2\cdot 10^{-20} x", {"x": "positive"}),
    ("sqrt-square", r"\sqrt{x^2}", r"|x|", r"x", {}),
    ("softmax-log", r"\log\frac{e^{z_y}}{\sum_{k=1}^{K}e^{z_k}}", r"z_y-\log\sum_{k=1}^{K}e^{z_k}",
     r"z_y-\sum_{k=1}^{K}z_k", {"y": "label"}),
    ("bce-binary", r"-\log\left[\hat{y}^{y}(1-\hat{y})^{1-y}\right]", r"-y\log\hat{y}-(1-y)\log(1-\hat{y})",
     r"-y\log(1-\hat{y})-(1-y)\log\hat{y}", {"y": "binary", r"\hat{y}": "prob"}),
]


@pytest.mark.parametrize("case", NOTATION, ids=[c[0] for c in NOTATION])
def test_notation_and_wrong_twin(case):
    _, a, b, wrong, domains = case
    right = check(a, b, domains)
    assert right.verdict == "equivalent", right.text()
    twin = check(a, wrong, domains)
    assert twin.verdict == "not_equivalent", twin.text()
    assert twin.counterexample and twin.counterexample["a"] != twin.counterexample["b"]


def test_same_element_written_two_ways_is_one_symbol():
    parsed = read_formulas([r"\hat{y}_i^{(k)}", r"\hat{y_i}^{(k)} + \hat{y}_{i,k}"], {})
    names = {v.name for v in parsed.table.variables.values() if v.kind == "array"}
    assert names == {r"\hat{y}"}


@pytest.mark.parametrize("text,fragment", [
    (r"y_i \sum_{i=1}^{N} x_i", "outside the sum"),
    (r"\log(x", "not closed"),
    (r"x = y", "relation"),
    (r"\int_0^1 x", "integrals"),
    (r"f(x+1)", "function call"),
    (r"f(y|x)", "conditional"),
    (r"\frac{1}{2} f'(x)", "derivative"),
    (r"\log p q", "ambiguous"),
    (r"\sum_{k < y} p_k", "ranges of the form"),
    (r"x^{\top} y", "transposes"),
    (r"\foo{x}", "unsupported command"),
])
def test_unsupported_notation_is_an_error_with_position(text, fragment):
    with pytest.raises(ParseError, match=fragment):
        read_formulas([text], {})


def test_domain_errors_are_clear():
    with pytest.raises(ParseError, match="unknown domain"):
        read_formulas(["x"], {"x": "integer"})
    with pytest.raises(ParseError, match="do not use"):
        read_formulas(["x"], {"q": "prob"})
    with pytest.raises(ParseError, match="domain of rows"):
        read_formulas(["x"], {"x": "simplex"})


def test_domains_change_the_verdict():
    a, b = r"-\sum_{k=1}^{K} t_k\log t_k", "0"
    assert check(a, b, {"t": "onehot"}).verdict == "equivalent"
    assert check(a, b, {"t": "simplex"}).verdict == "not_equivalent"


def test_counterexample_names_sizes_values_and_both_sides():
    v = check(r"\frac{1}{M}\sum_{n=1}^{M} a_n", r"\frac{1}{M-1}\sum_{n=1}^{M} a_n")
    cex = v.counterexample
    assert "M" in cex["sizes"] and any(k.startswith("a[") for k in cex["values"])
    assert v.method == "numeric" and v.exit_code == 1


def test_verdict_renders_in_notebooks_and_text():
    v = check("x + x", "2x")
    assert v.verdict == "equivalent" and v.method == "symbolic" and bool(v)
    assert "equivalent" in v._repr_markdown_() and "<pre>" in v._repr_html_()
    assert v.to_json()["verdict"] == "equivalent"


def test_api_timeout_gives_unknown():
    v = check(r"\sum_{i=1}^{90000}\sum_{j=1}^{90000} x", r"\sum_{i=1}^{90000}\sum_{j=1}^{90000} y",
              timeout=0.5)
    assert v.verdict == "unknown"


def _cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "derive", "check", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_cli_exit_codes_and_json():
    ok = _cli(r"\log(ab)", r"\log a + \log b", "--domain", "a=positive", "--domain", "b=positive")
    assert ok.returncode == 0 and ok.stdout.startswith("equivalent")
    bad = _cli("|x|", "x", "--json")
    assert bad.returncode == 1
    data = json.loads(bad.stdout)
    assert data["verdict"] == "not_equivalent" and data["counterexample"]["values"]["x"] < 0
    unreadable = _cli(r"\log(x", "x")
    assert unreadable.returncode == 2 and "not closed" in unreadable.stderr and "Traceback" not in unreadable.stderr
    usage = _cli("x", "x", "--domain", "x")
    assert usage.returncode == 2 and "SYMBOL=KIND" in usage.stderr
    slow = _cli(r"\sum_{i=1}^{90000}\sum_{j=1}^{90000} x", "y", "--timeout", "1")
    assert slow.returncode == 3 and "unknown" in slow.stdout


@pytest.mark.parametrize("formula,name,expected", [
    (r"-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,k}", "categorical-cross-entropy", "equivalent"),
    (r"-\frac{1}{M}\sum_{n=1}^{M}\sum_{c=1}^{K} t_{n,c}\log\hat{q}_{n,c}", "categorical-cross-entropy", "equivalent"),
    (r"-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{C} p_i^{(k)}\log\hat{p}_i^{(k)}", "categorical-cross-entropy", "equivalent"),
    # wrong twins: the sum instead of the mean, roles swapped, a dropped minus sign
    (r"-\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,k}", "categorical-cross-entropy", "not_equivalent"),
    (r"\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,k}", "categorical-cross-entropy", "not_equivalent"),
    (r"-\frac{1}{n}\sum_{i=1}^{n}\left[y_i\log\hat{y}_i+(1-y_i)\log(1-\hat{y}_i)\right]",
     "bernoulli-binary-cross-entropy", "equivalent"),
    (r"-\frac{1}{n}\sum_{i=1}^{n}\left[y_i\log(1-\hat{y}_i)+(1-y_i)\log\hat{y}_i\right]",
     "bernoulli-binary-cross-entropy", "not_equivalent"),
])
def test_against_builtin(formula, name, expected):
    v = check(formula, name)
    assert v.verdict == expected, v.text()
    assert any("read in your names" in n for n in v.notes)


@pytest.mark.parametrize("formula,fragment", [
    (r"-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log z_{i,k}", "cannot tell which symbol"),
    (r"-\log\hat{y}_t", "cannot tell which symbol"),
    (r"-\frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,1}", "cannot tell which size"),
    (r"-\frac{1}{N}\sum_{k=1}^{C} y_{1,k}\log\hat{y}_{1,k}", "symbols the built-in does not"),
])
def test_builtin_mapping_that_is_not_clear_is_a_message(formula, fragment):
    with pytest.raises(ParseError, match=fragment):
        check(formula, "categorical-cross-entropy")
    result = _cli(formula, "categorical-cross-entropy")
    assert result.returncode == 2 and fragment in result.stderr


@pytest.mark.parametrize("a,b,wrong,domains", [
    (r"-\log\operatorname{softmax}(z)_y", r"-z_y+\log\sum_{k} e^{z_k}", r"-z_y+\sum_{k} z_k", {"y": "label"}),
    (r"-\log\operatorname{softmax}(\mathbf{z})_y", r"-z_y+\log\sum_{k=1}^{K} e^{z_k}",
     r"-z_y+\log\sum_{k=1}^{K-1} e^{z_k}", {"y": "label"}),
    (r"\max(0, x)", r"\frac{x+|x|}{2}", r"\frac{x-|x|}{2}", {}),
    (r"\operatorname{relu}(x)", r"\max(x,0)", r"\min(x,0)", {}),
    (r"\tanh(x)", r"2\sigma(2x)-1", r"\sigma(2x)-1", {}),
    (r"\operatorname{softplus}(x)", r"\log(1+e^{x})", r"\log(1+e^{-x})", {}),
    (r"\sum_{i=0}^{N-1} a_{i+1}", r"\sum_{i=1}^{N} a_i", r"\sum_{i=0}^{N} a_{i}", {}),
    (r"\sum_{i=1}^{N} i", r"\frac{N(N+1)}{2}", r"\frac{N(N-1)}{2}", {}),
    (r"\sum_k y_k", r"\sum_{k=1}^{K} y_k", r"\sum_{k=2}^{K} y_k", {}),
    (r"\widehat{y}_i", r"\hat{y_i}", r"y_i", {}),
])
def test_more_notation_and_wrong_twins(a, b, wrong, domains):
    assert check(a, b, domains).verdict == "equivalent"
    assert check(a, wrong, domains).verdict == "not_equivalent"


@pytest.mark.parametrize("a,b,domains", [
    (r"\sum_{k=1}^{K}\mathbb{1}_{\{y=k\}}\log p_k", r"\log p_y", {"y": "label"}),
    (r"\prod_{k=1}^{K}p_k^{[y=k]}", r"p_y", {"y": "label"}),
    (r"\sum_{i=0}^{N-1} a_{i+1}", r"\sum_{i=1}^{N} a_i", {}),
    (r"\sum_{i=1}^{N} i", r"\frac{N(N+1)}{2}", {}),
    (r"\sum_{x} g(x)\log\frac{g(x)}{f(x)}", r"\sum_{x} g(x)\log g(x)-\sum_{x} g(x)\log f(x)",
     {"g": "positive", "f": "positive"}),
])
def test_symbolic_method_decides_these(a, b, domains):
    v = check(a, b, domains)
    assert (v.verdict, v.method) == ("equivalent", "symbolic"), v.text()


@pytest.mark.parametrize("text,fragment", [
    (r"\sum_{i=1}^{N} a_i + \sum_{j=1}^{N} b_j + c_i", "add brackets"),
    (r"3e2x", "scientific notation"),
    (r"\Gamma(x)", "function check does not know"),
    (r"\mathcal{L}(\theta)", "function check does not know"),
    (r"\max_\theta x", "over a range"),
])
def test_readings_that_would_be_guesses_are_errors(text, fragment):
    with pytest.raises(ParseError, match=fragment):
        read_formulas([text], {})


@pytest.mark.parametrize("formula,name", [
    (r"\frac{1}{N}\sum_{i=1}^{N}(y_i-\hat{y}_i)^2", "gaussian-mean-squared-error"),
    (r"\frac{1}{N}\sum_{i=1}^{N}|y_i-\hat{y}_i|", "laplace-mean-absolute-error"),
    (r"-\sum_{k=1}^{C} y_k z_k + \log\sum_{k=1}^{C} e^{z_k}", "softmax-cross-entropy"),  # the loss, not its gradient
    (r"\log(1+e^{-z}) + (1-y)z", "sigmoid-binary-cross-entropy"),
    (r"-\sum_{k=1}^{C}\left((1-\epsilon)y_k+\frac{\epsilon}{C}\right)\log\hat{y}_k", "label-smoothing"),
])
def test_newer_builtins_compare_with_their_loss(formula, name):
    assert check(formula, name).verdict == "equivalent"


@pytest.mark.parametrize("name,fragment", [
    ("cross-entropy-asymmetry", "refutation"),
    ("soft-max-entropy", "no built-in derivation"),
])
def test_names_that_are_not_formulas(name, fragment):
    with pytest.raises(ParseError, match=fragment):
        check("x", name)
