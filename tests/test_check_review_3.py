"""Regression cases from the third soundness review of `derive check` (tests/data/check_review_3.jsonl)
and of `derive verify`'s log convention.

Each wrong case was a false `equivalent` / `holds` when found (pasted Greek letters
read as one name, a mixed number with a power read silently as a product, `\\operatorname{log}`
escaping `% derive: log=2`); the others are near-miss twins of the new readings, which must
stay distinct.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from derive import check
from derive.parsing import ParseError
from derive.verify import StepVerdict, verify_text

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "data" / "check_review_3.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


def _answer(case) -> str:
    try:
        return check(case["a"], case["b"], case.get("domains") or {}).verdict
    except ParseError:
        return "error"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_review_case(case):
    got = _answer(case)
    assert got == case["expected"], f"{case['id']}: expected {case['expected']}, got {got} ({case['note']})"


def _log2(step: str) -> str:
    return "% derive: log=2\n\\begin{align*}\n" + textwrap.dedent(step).strip() + "\n\\end{align*}\n"


@pytest.mark.parametrize("spelling", [r"\operatorname{log}(x)", r"\mathrm{log}\, x", r"\text{log}(x)"])
def test_every_spelling_of_log_takes_the_declared_base(spelling):
    wrong = verify_text(_log2(spelling + r" &= \ln x"))
    assert [s.verdict for s in wrong.steps] == [StepVerdict.FAILS], wrong.table()
    assert wrong.steps[0].counterexample
    right = verify_text(_log2(spelling + r" &= \log_2 x"))
    assert [s.verdict for s in right.steps] == [StepVerdict.HOLDS], right.table()


def test_a_log_with_its_own_base_keeps_it_under_the_convention():
    report = verify_text(_log2(r"\mathrm{log}_{10} x &= \log x"))
    assert [s.verdict for s in report.steps] == [StepVerdict.FAILS], report.table()


def test_a_function_before_a_slash_says_which_reading_it_took():
    result = check(r"\sin \pi/2", "0")
    assert result.verdict == "equivalent"
    assert any(r"(\sin x)/y" in n for n in result.notes)
    assert check(r"\sin(\pi/2)", "0").verdict == "not_equivalent"


def test_a_power_of_sigma_before_a_bracket_says_which_reading_it_took():
    result = check(r"\sigma^2(x)", r"\sigma^2 x")
    assert result.verdict == "equivalent"
    assert any("variable \\sigma to the power 2" in n for n in result.notes)
