"""Vectors in `derive check`: dot products, inner products and norms are sums over the
entries of vectors; each reading with a wrong twin that must come out not_equivalent, the
notes that say which reading was taken, and refusals (``^T`` is never a silent power)."""
from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

from derive import check
from derive.parsing import ParseError, read_formulas

# (reading, equal form, wrong twin)
VECTORS = [
    # dot products, every spelling of the transpose
    (r"\mathbf{w}^\top\mathbf{x}", r"\sum_j w_j x_j", r"\sum_j \sum_k w_j x_k"),
    (r"\mathbf{w}^T\mathbf{x}", r"\sum_{j=1}^{D} w_j x_j", r"\sum_{j=1}^{D} \sum_{k=1}^{D} w_j x_k"),
    ("w^T x", "x^T w", "w^T w"),
    (r"\mathbf{w}^{\mathsf{T}}\mathbf{x}", r"\sum_k x_k w_k", r"\sum_k x_k w_k^2"),
    (r"\mathbf{w}^\intercal\mathbf{x} + b", r"b + \mathbf{x}^{\top}\mathbf{w}", r"\mathbf{w}^\intercal\mathbf{x}"),
    (r"\boldsymbol{\theta}^\top\mathbf{x}", r"\sum_j \theta_j x_j", r"\sum_j \theta_j x_{j+1}"),
    # x_i is row i of a data matrix
    (r"\sum_j w_j x_{i,j}", r"\mathbf{w}^\top\mathbf{x}_i", r"\sum_j w_j x_{j,i}"),
    (r"\mathbf{w}^\top\mathbf{x}_i", r"\sum_j w_j x_{ij}", r"\sum_j w_i x_{i,j}"),
    (r"\mathbf{x}_i^\top\mathbf{w}", r"\mathbf{w}^\top\mathbf{x}^{(i)}", r"\mathbf{w}^\top\mathbf{w}"),
    (r"\sum_{i=1}^{N} (y_i - \mathbf{w}^\top\mathbf{x}_i)^2", r"\sum_{i=1}^{N} (y_i - \sum_j w_j x_{i,j})^2",
     r"\sum_{i=1}^{N} (y_i - \sum_j w_j x_{i,j})"),
    (r"\sigma(\mathbf{w}^\top\mathbf{x}_i + b)", r"\frac{1}{1 + e^{-\mathbf{w}^\top\mathbf{x}_i - b}}",
     r"\frac{1}{1 + e^{\mathbf{w}^\top\mathbf{x}_i + b}}"),
    (r"\mathbf{w}^\top(\mathbf{x} - 2\mathbf{y})", r"\mathbf{w}^\top\mathbf{x} - 2\,\mathbf{w}^\top\mathbf{y}",
     r"\mathbf{w}^\top\mathbf{x} - \mathbf{w}^\top\mathbf{y}"),
    # norms
    (r"\|\mathbf{x}\|^2", r"\sum_j x_j^2", r"\|\mathbf{x}\|"),
    (r"\|\mathbf{x}\|_2", r"\sqrt{\mathbf{x}^\top\mathbf{x}}", r"\|\mathbf{x}\|_1"),
    (r"\|x\|_1", r"\sum_j |x_j|", r"\sum_j x_j"),
    (r"\|x\|_2^2", r"\|x\|^2_2", r"\|x\|_2"),
    (r"\lVert x - y \rVert^2", r"\|x\|^2 - 2 x^\top y + \|y\|^2", r"\|x\|^2 + \|y\|^2"),
    (r"\Vert 3x \Vert", r"3\norm{x}", r"9\norm{x}"),
    (r"\frac{\lambda}{2}\|\mathbf{w}\|^2", r"\frac{\lambda}{2}\mathbf{w}^\top\mathbf{w}", r"\lambda\mathbf{w}^\top\mathbf{w}"),
    (r"\sum_{i=1}^{N} \|\mathbf{x}_i - \boldsymbol{\mu}\|^2", r"\sum_{i=1}^{N}\sum_j (x_{i,j} - \mu_j)^2",
     r"\sum_{i=1}^{N}\sum_j (x_{i,j} - \mu_i)^2"),
    # inner products
    (r"\langle a, b \rangle", r"\mathbf{a}^\top\mathbf{b}", r"\langle a, a \rangle"),
    (r"\left\langle a + b, c \right\rangle", r"\langle a, c \rangle + \langle b, c \rangle", r"\langle a, c \rangle"),
]


@pytest.mark.parametrize("a,b,wrong", VECTORS, ids=[c[0] for c in VECTORS])
def test_reading_and_its_wrong_twin(a, b, wrong):
    right = check(a, b)
    assert right.verdict == "equivalent", right.text()
    twin = check(a, wrong)
    assert twin.verdict == "not_equivalent", twin.text()
    assert twin.counterexample is not None


def test_the_issue_example_is_proved():
    v = check(r"\sum_j w_j x_{i,j}", r"\mathbf{w}^\top\mathbf{x}_i")
    assert v.verdict == "equivalent" and v.method == "symbolic", v.text()


def test_a_dot_product_is_a_sum_over_a_fresh_index_never_a_power():
    (expr,) = read_formulas([r"\mathbf{w}^T\mathbf{x}"]).exprs
    assert isinstance(expr, sp.Sum) and not expr.atoms(sp.Pow)
    (var, lo, hi), = expr.limits
    assert lo == 1 and var.name == "j"
    (expr,) = read_formulas([r"j + w^T x"]).exprs  # j is taken: another letter
    total = next(iter(expr.atoms(sp.Sum)))
    assert total.limits[0][0].name != "j"


def notes(*texts: str) -> str:
    return " ".join(read_formulas(list(texts)).notes)


@pytest.mark.parametrize("texts,says", [
    (["w^T x"], "dot product"),
    ([r"\theta^T (1-\theta)^{N-T}"], "power T, since T is a variable"),
    ([r"\sum_{t=0}^{T-1}\gamma^{t}", r"\frac{1-\gamma^{T}}{1-\gamma}"], "power T, since T is a variable"),
    ([r"\mathbf{w}^\top\mathbf{x}", r"\sum_j w_j x_j"], "bold and plain was read as one name"),
])
def test_a_reading_with_two_meanings_says_which_it_took(texts, says):
    assert says in notes(*texts)


def test_the_power_reading_of_T_is_a_power():
    v = check(r"\theta^T (1-\theta)^{N-T}", r"\theta^{T} (1-\theta)^{N} (1-\theta)^{-T}")
    assert v.verdict == "equivalent", v.text()


@pytest.mark.parametrize("text,says", [
    ("w^T", "a transpose or w to the power T"),
    ("x^T + 1", "a transpose or x to the power T"),
    ("w^T x + T", "T is also a variable"),
    (r"\sum_{t=1}^{T} \mathbf{w}^T\mathbf{x}_t", "T is also a variable"),
    (r"x^T (y - z)", "ambiguous"),
    (r"\log w^T x", "ambiguous"),
    (r"x^\top", "dot product"),
    (r"2^\top x", "dot product"),
    (r"\mathbf{X}^\top\mathbf{y}", "matrix"),
    (r"(\mathbf{x}-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}(\mathbf{x}-\boldsymbol\mu)", "matrix"),
    (r"\mathbf{w}^\top(\lambda\mathbf{x})", "numeric factors"),
    (r"\mathbf{w}^\top\phi(\mathbf{x})", "vector-valued function"),
    (r"\mathbf{w}^\top\mathbf{x}^2", "power right after a dot product"),
    (r"\|x\|_\infty", r"only \|x\|, \|x\|_2 and \|x\|_1"),
    (r"\|x", "not closed"),
    (r"\|x y\|", "numeric factors"),
    (r"\langle a, b, c \rangle", "two vectors"),
    (r"\langle a, b", "not closed"),
    ("||x||", "ambiguous"),
])
def test_refused_with_a_message(text, says):
    with pytest.raises(ParseError) as info:
        read_formulas([text])
    assert says in str(info.value)


def test_check_help_lists_the_vector_notation():
    out = subprocess.run([sys.executable, "-m", "derive", "check", "--help"], capture_output=True, text=True,
                         timeout=60).stdout
    assert "vectors" in out and r"\langle a, b \rangle" in out and r"w^\top x" in out


DATA = __import__("pathlib").Path(__file__).parent / "data" / "vectors"


def test_verify_holds_on_logistic_regression_written_with_dot_products():
    from derive.verify import verify_file
    report = verify_file(DATA / "logistic_regression.tex")
    assert report.status == "holds", [(s.line, s.verdict.value, s.reason) for s in report.steps]
    assert sum(s.verdict.value == "holds" for s in report.steps) == 4


def test_verify_fails_the_broken_copy_at_its_line():
    """The broken copy pairs w_j with x_{j,i} (column i) instead of x_{i,j} (row i) on line 8."""
    from derive.verify import verify_file
    report = verify_file(DATA / "logistic_regression.broken.tex")
    assert report.status == "fails"
    assert report.first_failure.line == 8 and report.first_failure.counterexample is not None


def test_a_defined_plain_name_beside_its_indexed_namesake_is_not_substituted_into_the_array(tmp_path):
    """``y = \\mathbf{w}^\\top\\mathbf{x} + b`` defines the plain y; ``y^{(i)}`` later is the data, another
    name (it used to crash verify when the definition was put into the array's name)."""
    from derive.verify import verify_file
    path = tmp_path / "d.md"
    path.write_text("$$y = \\mathbf{w}^\\top \\mathbf{x} + b$$\n\n"
                    "$$\\sum_{i=1}^n y^{(i)} = \\sum_{i=1}^n y^{(i)} + 0$$\n\n"
                    "$$\\sum_{i=1}^n y^{(i)} = \\sum_{i=1}^n y^{(i)} + 1$$\n", encoding="utf-8")
    report = verify_file(path)
    assert [s.verdict.value for s in report.steps] == ["defines", "holds", "fails"], report.steps
