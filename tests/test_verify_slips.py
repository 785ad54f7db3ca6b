"""``derive verify`` names the slip that breaks a failing step, and only a checked one.

Each kind of slip is planted in a small derivation and must be named in the file's
notation; every broken copy in ``examples/broken/`` gets the slip that was planted
(or none, where the planted change is no single slip); a step that holds, or stays
undecided, never carries a suggestion; and a correction the full step check does not
accept is never shown.
"""
from __future__ import annotations

import functools
import json
import textwrap
from pathlib import Path

import pytest

from derive.cli import main
from derive.verify import StepVerdict, verify_file, verify_text
from derive.verify import slips
from derive.verify.results import StepResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BROKEN = json.loads((EXAMPLES / "broken" / "EXPECTED.json").read_text())
GOOD = sorted(p for p in EXAMPLES.glob("seed*") if p.suffix in (".tex", ".md"))

@functools.lru_cache(maxsize=None)
def report(path: Path):
    return verify_file(path)


def tex(body: str, domains: str = "") -> str:
    head = f"% derive: {domains}\n" if domains else ""
    return head + "\\begin{align}\n" + textwrap.dedent(body).strip("\n") + "\n\\end{align}\n"


def last_step(body: str, domains: str = ""):
    return verify_text(tex(body, domains)).steps[-1]


# -- every kind, planted and named ---------------------------------------------------------------------
KINDS = [
    ("sign", r"(a+b)^2 &= -(a^2 + 2ab + b^2)", "", "with the sign of the right-hand side flipped"),
    ("sign", r"a - b &= a + b", "", "with the sign of the term b flipped"),
    ("factor-2", r"x y &= 2 x y", "", "without the factor 2"),
    ("factor-2", r"a + b &= \frac{a}{2} + \frac{b}{2}", "", "with a factor 2"),
    ("dropped-mean", r"\frac{1}{N}\sum_{i=1}^{N} x_i &= \sum_{i=1}^{N} x_i", "", "with the 1/N kept"),
    ("dropped-mean", r"\sum_{i=1}^{N} x_i &= \frac{1}{N}\sum_{i=1}^{N} x_i", "", "without the 1/N"),
    ("swap", r"-\sum_{k=1}^{K} y_k \log \hat{y}_k &= -\sum_{k=1}^{K} \hat{y}_k \log y_k",
     r"y=prob, \hat{y}=prob", r"with \hat{y} and y swapped"),
    ("swap-inside-log", r"\sum_{k=1}^{K} p_k \log q_k &= \sum_{k=1}^{K} p_k \log p_k", "p=prob, q=prob",
     "with p and q swapped inside the log"),
    ("log-base", r"\log_2 (x^2) &= 2 \log x", "x=positive", r"with \log_2 instead of \log"),
    ("log-base", r"\log (x^2) &= 2 \log_2 x", "x=positive", r"with \log instead of \log_2"),
    ("sum-bound", r"\sum_{i=1}^{N} x_i &= \sum_{i=0}^{N} x_i", "", "with the sum from i=1 instead of i=0"),
    ("sum-bound", r"\sum_{i=1}^{N} x_i &= \sum_{i=1}^{N-1} x_i", "", "with the sum over i up to N instead of N - 1"),
    ("term", r"a^2 + 2ab + b^2 &= a^2 + b^2", "", "with the term 2 a b kept"),
    ("term", r"a^2 + b^2 &= a^2 + 2ab + b^2", "", "without the term 2 a b"),
]


@pytest.mark.parametrize("kind,body,domains,change", KINDS, ids=[f"{k[0]}-{n}" for n, k in enumerate(KINDS)])
def test_each_kind_of_slip_is_named_in_the_files_notation(kind, body, domains, change):
    step = last_step(body, domains)
    assert step.verdict is StepVerdict.FAILS and step.counterexample
    assert step.suggestion is not None, step.text()
    assert (step.suggestion.kind, step.suggestion.change) == (kind, change)
    assert step.suggestion.text == f"line {step.line} would hold {change}"


def test_every_registered_kind_is_exercised():
    assert {k for k, *_ in KINDS} == {kind.name for kind in slips.REGISTRY}


def test_the_corrected_step_holds_when_written_out():
    """The wording is the correction: writing it into the file makes the step hold."""
    for body, fixed in ((r"\sum_{i=1}^{N} x_i &= \sum_{i=0}^{N} x_i", r"\sum_{i=1}^{N} x_i &= \sum_{i=1}^{N} x_i"),
                        (r"a - b &= a + b", r"a - b &= a - b")):
        assert last_step(body).suggestion is not None
        assert verify_text(tex(fixed)).status == "holds"


def test_the_first_kind_in_preference_order_is_reported():
    # both "from i=2" and "without the term x_1" make it hold: the sum bound comes first
    step = last_step(r"\sum_{i=1}^{N} x_i &= x_1 + \sum_{i=1}^{N} x_i")
    assert step.suggestion.kind == "sum-bound"
    assert step.suggestion.change == "with the sum from i=2 instead of i=1"
    order = [k.name for k in slips.REGISTRY]
    assert order.index("sum-bound") < order.index("term")


# -- never a suggestion that is not checked to hold ---------------------------------------------------
@pytest.mark.parametrize("body", [
    r"a + b &= 3a - 7b",                                     # no single slip fixes it
    r"(a+b)^2 &= -(a^2 + b^2)",                              # two slips: a sign and a dropped term
    r"\sum_{i=1}^{N} x_i &= -2\sum_{i=0}^{N} x_i",           # two slips: a sign and a bound
])
def test_no_suggestion_when_no_single_slip_makes_the_step_hold(body):
    step = last_step(body)
    assert step.verdict is StepVerdict.FAILS
    assert step.suggestion is None, step.text()
    assert "would hold" not in step.text()


def test_a_correction_the_full_check_does_not_accept_is_never_shown():
    """The stand-in check refuses every correction (unknown, fails): no suggestion,
    though each kind proposed corrections; accepting one makes it the suggestion."""
    from derive.verify import steps as step_module
    seen = []

    def refuse(verdict):
        def check(a, b, link, state, seconds, result):
            seen.append(b.expr)
            return StepResult(b.segment.line, 1, "", "", "=", verdict, "numeric", "stand-in")
        return check

    captured = {}
    real = step_module._check

    def capture(a, b, link, state, seconds, result):
        if not captured:  # the written step (the corrections tried after it come through here too)
            captured.update(a=a, b=b, link=link, state=state)
        return real(a, b, link, state, seconds, result)
    step_module._check = capture
    try:
        verify_text(tex(r"a - b &= a + b"))
    finally:
        step_module._check = real
    args = (captured["a"], captured["b"], captured["link"], captured["state"], 5.0)
    for verdict in (StepVerdict.UNKNOWN, StepVerdict.FAILS):
        seen.clear()
        assert slips.suggest(*args, refuse(verdict)) is None
        assert seen and captured["b"].expr not in seen  # a correction was tried, the written line not
    assert slips.suggest(*args, refuse(StepVerdict.HOLDS)).change == "with the sign of the term b flipped"


def test_the_work_is_bounded():
    step = last_step(r"a + b &= 3a - 7b")
    assert step.suggestion is None
    from derive.verify import steps as step_module
    calls = []
    real = step_module._check

    def counting(a, b, link, state, seconds, result):
        calls.append(1)
        return real(a, b, link, state, seconds, result)
    step_module._check = counting
    try:
        verify_text(tex(r"(a + b + c + d)^2 &= -(a^3 + b^3 + c^3 + d^3 + 5abcd)"))
    finally:
        step_module._check = real
    assert len(calls) <= 1 + slips.MAX_CANDIDATES + 1


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_steps_that_hold_never_carry_a_suggestion(path):
    rep = report(path)
    assert rep.status == "holds"
    assert all(s.suggestion is None for s in rep.steps)
    assert all(s["suggestion"] is None for s in rep.to_json()["steps"])


def test_undecided_steps_never_carry_a_suggestion():
    rep = verify_text(tex(r"""
        a + b &\le 3a - 7b \\
        P(A|B) &= P(B|A)
    """))
    assert [s.verdict for s in rep.steps] == [StepVerdict.UNKNOWN, StepVerdict.UNKNOWN]
    assert all(s.suggestion is None for s in rep.steps)


# -- the broken copies: the planted slip is the one named ------------------------------------------------
def test_every_broken_copy_says_which_slip_was_planted():
    """``slip`` in EXPECTED.json: the kind that undoes the planted change, or null where the
    change is no single slip (a log of a product as a product of logs, a lost justification)."""
    kinds = {kind.name for kind in slips.REGISTRY}
    assert all(case["slip"] is None or case["slip"] in kinds for case in BROKEN)
    assert sum(case["slip"] is not None for case in BROKEN) >= 12


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: Path(c["file"]).name)
def test_each_broken_copy_names_the_planted_slip(case):
    rep = report(EXAMPLES / case["file"])
    wrong = [s for s in rep.steps if not s.ok]
    first = wrong[0]
    assert first.line == case["line"], rep.table()
    expected = case["slip"]
    if expected is None:
        assert first.suggestion is None, first.text()
    else:
        assert first.suggestion is not None, rep.table()
        assert first.suggestion.kind == expected, first.text()
        assert first.suggestion.line == case["line"]
    assert all(s.suggestion is None for s in rep.steps if s.verdict is not StepVerdict.FAILS)


# -- where it is shown ------------------------------------------------------------------------------------
BOUND = EXAMPLES / "broken" / "seed003_bernoulli.bound.tex"
SHOWN = "line 19 would hold with the sum from i=1 instead of i=0"


def test_shown_in_the_text_report_json_and_notebook():
    rep = report(BOUND)
    assert f"slip: {SHOWN} (checked: symbolic)" in rep.table()
    data = rep.to_json()
    failing = next(s for s in data["steps"] if s["id"] == data["first_failure"])
    assert failing["suggestion"] == {"kind": "sum-bound", "change": "with the sum from i=1 instead of i=0",
                                     "text": SHOWN, "method": "symbolic"}
    assert all(s["suggestion"] is None for s in data["steps"] if s is not failing)
    assert SHOWN in rep._repr_markdown_()
    assert SHOWN in rep._repr_html_()


def test_shown_by_the_command_line(capsys):
    assert main(["verify", str(BOUND)]) == 1
    assert SHOWN in capsys.readouterr().out
    assert main(["verify", "--json", str(BOUND)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert any(s["suggestion"] and s["suggestion"]["text"] == SHOWN for s in data["steps"])


pytest_plugins = ["pytester"]


def test_shown_in_the_pytest_plugins_failure_message(pytester):
    pytester.makeini("[pytest]\nderive_files = *.tex\n")
    (pytester.path / "broken.tex").write_text(tex(r"a - b &= a + b"), encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*slip: line 2 would hold with the sign of the term b flipped*"])
