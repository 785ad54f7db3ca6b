"""`derive verify`: a function of several arguments defined once is applied at other arguments by
substitution; each case has a wrong twin that must fail at its line."""
from __future__ import annotations

import pytest

from derive.verify import verify_text

BCE = "% derive: \\hat{y}=prob\n\\begin{align*}\n\\ell(\\hat{y}, y) &= -y\\log\\hat{y} - (1-y)\\log(1-\\hat{y}) \\\\\n"

# (text, line of the step, its verdict); each right case is followed by its wrong twin
CASES = [
    (BCE + "\\ell(\\hat{y}, 1) &= -\\log\\hat{y}\n\\end{align*}\n", 4, "holds"),
    (BCE + "\\ell(\\hat{y}, 1) &= -\\log(1-\\hat{y})\n\\end{align*}\n", 4, "fails"),
    (BCE + "\\ell(q, 0) &= -\\log(1-q)\n\\end{align*}\n", 4, "holds"),
    (BCE + "\\ell(q, 0) &= -\\log q\n\\end{align*}\n", 4, "fails"),
    ("\\begin{align*}\n\\ell(a, b) &= (a-b)^2 \\\\\n\\ell(x, 0) + \\ell(0, x) &= 2x^2\n\\end{align*}\n", 3, "holds"),
    ("\\begin{align*}\n\\ell(a, b) &= (a-b)^2 \\\\\n\\ell(x, 0) + \\ell(0, x) &= 4x^2\n\\end{align*}\n", 3, "fails"),
    ("\\begin{align*}\n\\mathcal{L}(\\theta) &= \\sum_{i=1}^{N}(y_i - \\theta x_i)^2 \\\\\n"
     "\\mathcal{L}(w) &= \\sum_{i=1}^{N}(y_i - w x_i)^2\n\\end{align*}\n", 3, "holds"),
    ("\\begin{align*}\n\\mathcal{L}(\\theta) &= \\sum_{i=1}^{N}(y_i - \\theta x_i)^2 \\\\\n"
     "\\mathcal{L}(w) &= \\sum_{i=1}^{N}(y_i - w x_i)^2 + 1\n\\end{align*}\n", 3, "fails"),
]


@pytest.mark.parametrize("text,line,verdict", CASES)
def test_a_function_defined_once_at_other_arguments(text, line, verdict):
    report = verify_text(text, "tex", {})
    steps = [s for s in report.steps if s.line == line]
    assert steps and steps[-1].verdict.value == verdict, [(s.line, s.verdict.value, s.reason) for s in report.steps]
    if verdict == "fails":
        assert report.first_failure.line == line


def test_the_definition_is_said_in_a_note():
    report = verify_text(CASES[0][0], "tex", {})
    assert any("defines a function of its arguments" in n for n in report.notes)


def test_an_argument_that_is_not_a_plain_expression_stays_unknown():
    # y_i is an element: not substituted, so the call stays an unknown of its own
    text = BCE + "\\ell(\\hat{y}, y_i) &= -y_i\\log\\hat{y} - (1-y_i)\\log(1-\\hat{y})\n\\end{align*}\n"
    report = verify_text(text, "tex", {})
    assert report.steps[-1].verdict.value == "unknown"
