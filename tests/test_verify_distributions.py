"""`derive verify` on derivations written with named distributions: the Gaussian likelihood to the
squared error and the Bernoulli likelihood to the binary cross-entropy hold, and a broken copy of
each fails at its line. A chain that defines a name and then fails leaves that name unchecked."""
from __future__ import annotations

from pathlib import Path

import pytest

from derive.verify import verify_file, verify_text

DATA = Path(__file__).parent / "data" / "distributions"


@pytest.mark.parametrize("name", ["gaussian_squared_error", "bernoulli_cross_entropy"])
def test_the_derivation_holds(name):
    report = verify_file(DATA / f"{name}.md", timeout=20)
    assert report.status == "holds", [(s.line, s.verdict.value, s.reason) for s in report.steps]


@pytest.mark.parametrize("name,line", [("gaussian_squared_error", 8), ("bernoulli_cross_entropy", 8)])
def test_the_broken_copy_fails_at_its_line(name, line):
    report = verify_file(DATA / f"{name}.broken.md", timeout=20)
    assert report.status == "fails"
    assert report.first_failure.line == line
    assert report.first_failure.counterexample is not None


def test_a_name_whose_defining_chain_fails_is_not_checked_later(tmp_path):
    text = (
        "$$p(y_i \\mid \\mu) = \\mathcal{N}(x; \\mu, 1) = \\frac{1}{\\sqrt{2\\pi}} \\exp\\left(-\\frac{(y_i-\\mu)^2}{2}\\right)$$\n\n"
        "$$\\log p(y_i \\mid \\mu) = -\\frac{1}{2}\\log(2\\pi) - \\frac{(y_i-\\mu)^2}{2}$$\n"
    )
    path = tmp_path / "slip.md"
    path.write_text(text, encoding="utf-8")
    report = verify_file(path, timeout=20)
    assert report.first_failure.line == 1  # the density at x is not the density at y_i
    later = [s for s in report.steps if s.line == 3]
    assert later and all(s.verdict.value == "unknown" for s in later), [(s.line, s.verdict.value) for s in later]
    assert any("fails at line 1" in s.reason for s in later)


def test_a_domain_a_distribution_takes_holds_in_every_chain_of_the_file():
    text = ("$$\\log \\mathrm{Bern}(y \\mid p) = y \\log p + (1 - y) \\log(1 - p)$$\n\n"
            "$$y^2 (1 - p) = y - y p$$\n")
    report = verify_text(text, "md", {})
    assert [s.verdict.value for s in report.steps] == ["holds", "holds"], [(s.line, s.reason) for s in report.steps]
    assert any("taken in the domain binary" in n for n in report.notes)
    wrong = verify_text(text.replace("y - y p", "y + y p"), "md", {})
    assert wrong.first_failure is not None and wrong.first_failure.line == 3


# -- model statements: `y_i \sim \mathcal{N}(..)` on its own row ------------------------------------------
MODEL = ("$$ y_i \\sim \\mathcal{N}(\\mu, \\sigma^2), \\quad i = 1, \\ldots, n \\; . $$\n\n"
         "$$ \\log \\left(a b\\right) = \\log a + \\log b $$\n")


@pytest.mark.parametrize("row", [r"y_i \sim \mathcal{N}(\mu, \sigma^2)", r"X \sim \mathrm{Bern}(p) \; .",
                                 r"\mathbf{x}^{(i)} \sim \mathrm{Poiss}(\lambda)"])
def test_a_model_statement_is_an_assumption_not_an_undecided_step(row):
    report = verify_text(f"$$ {row} $$\n\n$$ (a + b)^2 = a^2 + 2ab + b^2 $$\n", fmt="md", domains={})
    model = report.steps[0]
    assert (model.verdict.value, model.method) == ("defines", "model"), model.reason
    assert "states the model" in model.reason
    assert report.status == "holds"


def test_a_wrong_step_after_a_model_statement_still_fails():
    text = MODEL.replace("\\log a + \\log b", "\\log a - \\log b")
    report = verify_text(text, fmt="md", domains={"a": "positive", "b": "positive"})
    assert report.status == "fails" and report.first_failure.line == 3
    assert report.steps[0].verdict.value == "defines"


@pytest.mark.parametrize("row", [r"a + b \sim 2a", r"x \sim p", r"y \sim \mathcal{N}(\mu, \sigma^2) + 1",
                                 r"\frac{a}{b} \sim \mathcal{N}(0, 1)", r"a = b \sim \mathcal{N}(0, 1)"])
def test_sim_in_any_other_shape_stays_unchecked(row):
    report = verify_text(f"$$ {row} $$\n", fmt="md", domains={})
    assert report.status != "holds"
    assert all(s.method != "model" for s in report.steps)
