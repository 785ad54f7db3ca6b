"""A justification is only its group: maths after it is never swallowed as words.

Generated cases: every way of writing a justification, at every place in a row
(after the right-hand side, in the middle of a chain, opening a continuation
row, alone on its row), followed by a wrong equality or a second, wrong
equation. None of them may hold: each fails at the wrong line or is unknown
(not read, with the reason and line). Each case has a twin where what follows
is right, which holds when it is a further step of the chain, so the check can
tell the two apart (it is not refusing everything).
"""
from __future__ import annotations

import textwrap

import pytest

from derive.verify import StepVerdict, verify_text

#: Ways to write a justification ``{w}`` after a formula (the words are a name of a law
#: derive does not know, so only the maths decides).
FORMS = {
    "text": r"\text{{{w}}}",
    "text-paren-inside": r"\text{{ ({w})}}",
    "paren-text": r"(\text{{{w}}})",
    "quad-paren-text": r"\quad (\text{{{w}}})",
    "qquad-text": r"\qquad \text{{{w}}}",
    "quad-paren-words": r"\quad ({w})",
    "tag": r"\tag{{{w}}}",
    "by-text-quad": r"\text{{by {w}}} \quad",
    "comma-quad-text": r", \quad \text{{{w}}}",
    "mbox": r"\;\mbox{{{w}}}",
    "condition-in": r"\quad \text{{since }} y_i \in \{{0, 1\}}",
    "condition-eq": r"\qquad \text{{for }} y_i = 1",
    "comma-quad-range": r", \quad i = 1, \dots, N",
}
WORDS = "commutativity"
#: The justification column (&& ..) can only end a row.
CELL = r"&& \text{{{w}}}"
STACKED = {"stackrel": r"\stackrel{{\text{{{w}}}}}{{=}}", "overset": r"\overset{{\text{{{w}}}}}{{=}}"}


def tex(*rows: str) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def _place(form: str) -> str:
    return FORMS[form].format(w=WORDS)


#: ``(rows with {J} and {TAIL}, line where TAIL's step is written, TAIL wrong, TAIL right or None)``
PLACES = {
    "end-then-step": ([r"a + b &= b + a {J} {TAIL}"], 2, "= 2a", "= a + b"),
    "end-then-equation": ([r"a + b &= b + a {J} {TAIL}"], 2, r"\quad c = 2c", None),
    "end-then-bare-equation": ([r"a + b &= b + a {J} {TAIL}"], 2, "c = 2c", None),
    "middle-of-chain": ([r"a + b &= b + a {J} = a + b {TAIL}"], 2, "= 2a", "= b + a"),
    "row-start": ([r"a + b &= b + a", r"{J} {TAIL}"], 3, "&= 2a", "&= a + b"),
    "own-row": ([r"a + b &= b + a {J}", r"{TAIL}"], 3, "&= 2a", "&= a + b"),
    "cell-then-row": ([r"a + b &= b + a", r"&= a + b {J}", r"{TAIL}"], 4, "&= 2a", "&= b + a"),
}


def _cases():
    for form in FORMS:
        for place in PLACES:
            yield form, place
    for place in ("end-then-step", "end-then-equation", "own-row", "cell-then-row"):
        yield "cell", place


def _justification(form: str) -> str:
    return CELL.format(w=WORDS) if form == "cell" else _place(form)


def _text(form: str, place: str, tail: str) -> tuple[str, int]:
    rows, line, _, _ = PLACES[place]
    j = _justification(form)
    if form == "cell" and place in ("end-then-step", "end-then-equation"):
        rows = [r.replace("{J} {TAIL}", "{J}{TAIL}") for r in rows]
    return tex(*(r.replace("{J}", j).replace("{TAIL}", tail) for r in rows)), line


def _never_holds(report, line: int) -> None:
    assert report.status != "holds", report.table()
    failed = [s for s in report.steps if s.verdict is StepVerdict.FAILS]
    unknown = [s for s in report.steps if s.verdict is StepVerdict.UNKNOWN]
    assert failed or unknown, report.table()
    for step in failed:
        assert step.line == line, report.table()
    for step in report.unread:
        assert "line " in step.reason and step.reason.startswith("not "), step.text()


@pytest.mark.parametrize("form, place", list(_cases()), ids=lambda v: v)
def test_maths_after_a_justification_is_never_swallowed(form, place):
    _, line, wrong, right = PLACES[place]
    text, line = _text(form, place, wrong)
    _never_holds(verify_text(text, domains={"a": "positive", "b": "positive"}), line)
    same_row = place in ("end-then-step", "middle-of-chain", "row-start")
    states_a_relation = form.startswith("condition") or form == "comma-quad-range"
    if right is not None and not (form == "cell" and place == "end-then-step") and not (same_row and states_a_relation):
        # a condition stating a relation, then "= ...": refused, as two relations could be either
        good = verify_text(_text(form, place, right)[0], domains={"a": "positive", "b": "positive"})
        assert good.status == "holds", good.table()


@pytest.mark.parametrize("name", sorted(STACKED))
def test_a_justification_over_the_relation(name):
    rel = STACKED[name].format(w=WORDS)
    bad = verify_text(tex(rf"a + b &{rel} b + a = 2a"))
    _never_holds(bad, 2)
    assert bad.first_failure is not None and bad.first_failure.line == 2
    good = verify_text(tex(rf"a + b &{rel} b + a = a + b"))
    assert good.status == "holds" and good.steps[0].justification == WORDS, good.table()


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_is_read_as_the_justification_of_its_step(form):
    report = verify_text(tex(rf"a + b &= b + a {_place(form)}", r"&= a + b"))
    assert report.status == "holds", report.table()
    first = report.steps[0].justification
    assert first and (WORDS in first or "y_i" in first or "i = 1" in first), report.table()
    assert not report.steps[1].justification, report.table()  # it justifies its own step only


def test_a_justification_that_holds_maths_is_still_a_justification():
    report = verify_text(tex(r"y_i^2 &= y_i \quad \text{since } y_i \in \{0,1\}", r"&= y_i \cdot 1"),
                         domains={"y": "binary"})
    assert report.status == "holds", report.table()
    assert report.steps[0].justification == r"since y_i \in {0,1}", report.table()
    in_cell = verify_text(tex(r"y_i^2 &= y_i && \text{since } y_i \in \{0,1\}"), domains={"y": "binary"})
    assert in_cell.status == "holds" and "since" in in_cell.steps[0].justification, in_cell.table()


def test_the_issue_example_fails_at_its_line():
    report = verify_text(tex(r"a + b &= b + a \quad (\text{commutative}) = 2a"))
    assert [s.verdict for s in report.steps] == [StepVerdict.HOLDS, StepVerdict.FAILS], report.table()
    assert report.steps[0].justification == "commutative" and not report.steps[1].justification
    assert report.exit_code == 1


def test_a_second_equation_after_a_justification_is_refused_with_its_position():
    text = textwrap.dedent(r"""
    \begin{align*}
    a + b &= b + a \\
          &= a + b \quad \text{by commutativity} \quad c = 2c
    \end{align*}
    """).lstrip()
    report = verify_text(text)
    assert [s.verdict for s in report.steps] == [StepVerdict.HOLDS, StepVerdict.UNKNOWN], report.table()
    step = report.steps[1]
    assert step.unread and step.line == 3
    assert "line 3: a formula after the justification" in step.reason, step.reason
    assert report.exit_code == 3


def test_a_condition_stating_two_relations_is_refused():
    report = verify_text(tex(r"a + b &= b + a \quad \text{since } y_i \in \{0,1\} = 2a"))
    assert report.status == "unknown" and report.steps[0].unread, report.table()
    assert "formula after the justification" in report.steps[0].reason
