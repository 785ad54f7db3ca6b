"""Domains for one element of a name as the file writes it (``n_H``, ``p_1``): accepted when
every element written is declared alike; refused where the domain would be assumed unsaid."""
from __future__ import annotations

import pytest

from derive.parsing import ParseError, read_formulas
from derive.verify import VerifyError, verify_text

COIN = ("$$ \\log\\left(\\theta^{n_H}(1-\\theta)^{n_T}\\right) = n_H \\log \\theta + n_T \\log(1 - \\theta) $$\n")
DOMAINS = {"\\theta": "prob", "n_H": "natural", "n_T": "natural"}


def test_element_keys_are_accepted_and_the_step_holds():
    report = verify_text(COIN, fmt="md", domains=DOMAINS)
    assert report.status == "holds", [(s.line, s.verdict.value, s.reason) for s in report.steps]


def test_wrong_twin_fails_at_its_line():
    report = verify_text(COIN.replace("+ n_T", "- n_T"), fmt="md", domains=DOMAINS)
    assert report.status == "fails" and report.first_failure.line == 1
    assert report.first_failure.counterexample is not None


@pytest.mark.parametrize("texts,domains,words", [
    ([r"p_1 + p_3"], {"p_1": "prob", "p_2": "prob"}, "p_3 has no domain"),
    ([r"p_1 + p_2"], {"p_1": "prob", "p_2": "positive"}, "one domain"),
    ([r"p_1 + p"], {"p_1": "prob"}, "without an index"),
    ([r"p_1"], {"p_1": "prob", "p": "prob"}, "both as a whole and element by element"),
])
def test_element_domains_that_would_assume_too_much_are_refused(texts, domains, words):
    with pytest.raises(ParseError, match=words):
        read_formulas(texts, domains)


def test_an_index_that_is_not_a_constant_is_still_refused():
    with pytest.raises(VerifyError, match="without indices"):
        verify_text(COIN, fmt="md", domains={"n_{i+1}": "natural"})
