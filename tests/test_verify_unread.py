"""A report for every readable line: what derive cannot read is an ``unknown`` step
with its line and reason, and every other step is still checked.

Exit status: 1 when a step fails, else 3 when anything was not read or not
decided, 0 when every step holds; 2 only for a file that cannot be used (those
cases are in test_verify.py). A name whose definition could not be read is
never read as a free symbol: the steps that use it are not checked.
"""
from __future__ import annotations

import json
import textwrap

import pytest

from derive.cli import main
from derive.verify import StepVerdict, verify_text

UNREADABLE = r"\int_0^1 a \, da"  # integrals are not read


def text(body: str) -> str:
    return textwrap.dedent(body).lstrip()


def verdicts(report) -> list[tuple[int, str]]:
    return [(s.line, s.verdict.value) for s in report.steps]


def test_an_unreadable_display_is_one_unknown_step_and_the_others_are_checked():
    report = verify_text(text(rf"""
    % derive: a=positive, b=positive
    \begin{{equation}}
    \log(ab) = {UNREADABLE}
    \end{{equation}}
    \begin{{align}}
    \log(ab) &= \log a + \log b \\
             &= \log b + \log a
    \end{{align}}
    """))
    assert verdicts(report) == [(3, "unknown"), (6, "holds"), (7, "holds")], report.table()
    step = report.steps[0]
    assert step.unread and step.reason.startswith("not checked: line 3: cannot read the formula"), step.reason
    assert "\\int" in step.reason
    assert report.exit_code == 3 and report.status == "unknown"


def test_a_failing_step_wins_over_an_unread_one():
    report = verify_text(text(rf"""
    \begin{{align}}
    c &= {UNREADABLE} \\
    \log(ab) &= \log a - \log b
    \end{{align}}
    """), domains={"a": "positive", "b": "positive"})
    assert verdicts(report) == [(2, "unknown"), (3, "fails")], report.table()
    assert "line 2: cannot read the formula" in report.steps[0].reason
    assert report.exit_code == 1


def test_one_unreadable_segment_leaves_the_steps_between_readable_neighbours_checked():
    report = verify_text(text(rf"""
    \begin{{align}}
    \log(ab) &= \log a + \log b \\
             &= {UNREADABLE} \\
             &= \log b + \log a \\
             &= \log(ba) \\
             &= \log(ab) + 1
    \end{{align}}
    """), domains={"a": "positive", "b": "positive"})
    assert verdicts(report) == [(2, "holds"), (3, "unknown"), (4, "unknown"), (5, "holds"), (6, "fails")], \
        report.table()
    into, out_of = report.steps[1], report.steps[2]
    assert into.reason.startswith("not checked: line 3: cannot read the formula"), into.reason
    assert out_of.reason.startswith("not checked: the line before it cannot be read (line 3:"), out_of.reason
    assert report.exit_code == 1


def test_a_row_the_lexer_refuses_is_a_gap_in_its_chain():
    report = verify_text(text(r"""
    \begin{align}
    \log(ab) &= \log a + \log b \\
             &= \log b + \log a $ \\
             &= \log(ab)
    \end{align}
    """), domains={"a": "positive", "b": "positive"})
    assert verdicts(report) == [(2, "holds"), (3, "unknown"), (4, "unknown")], report.table()
    assert report.steps[1].reason == "not checked: line 3: a $ inside a display formula"
    assert report.steps[2].reason.startswith("not checked: the line before it cannot be read (line 3:")


def test_a_relation_with_no_right_hand_side():
    report = verify_text("\\begin{align}\na &= a \\\\\n  &= \n\\end{align}\n")
    assert verdicts(report) == [(2, "holds"), (3, "unknown")], report.table()
    assert report.steps[1].reason == "not checked: line 3: the chain ends with = and no right-hand side"


def test_a_display_never_closed_is_reported_and_later_displays_are_checked():
    report = verify_text(text(r"""
    \begin{align}
    a &= a
    \begin{equation}
    \log(ab) = \log a + \log b
    \end{equation}
    """), domains={"a": "positive", "b": "positive"})
    assert verdicts(report) == [(1, "unknown"), (4, "holds")], report.table()
    assert report.steps[0].reason == r"not read: line 1: \begin{align} is never closed"


def test_a_name_whose_definition_cannot_be_read_is_not_read_as_a_free_symbol():
    # read as a free symbol, L + L = 2L would hold, and so would dropping z from an arg min
    report = verify_text(text(rf"""
    % derive-parameters: w
    \begin{{equation}}
    L = {UNREADABLE}
    \end{{equation}}
    \begin{{align}}
    L + L &= 2L \\
    a + a &= 2a
    \end{{align}}
    \begin{{equation}}
    z = w^2 + {UNREADABLE}
    \end{{equation}}
    \begin{{equation}}
    \arg\min_{{w}} \left((w - 1)^2 + z\right) = \arg\min_{{w}} (w - 1)^2
    \end{{equation}}
    """))
    assert verdicts(report) == [(3, "unknown"), (6, "unknown"), (7, "holds"), (10, "unknown"),
                                (13, "unknown")], report.table()
    uses_l, uses_z = report.steps[1], report.steps[4]
    assert uses_l.reason.startswith("not checked: it uses L, whose definition cannot be read (line 3:"), uses_l.reason
    assert uses_z.reason.startswith("not checked: it uses z, whose definition cannot be read (line 10:"), uses_z.reason
    assert all(s.unread for s in report.steps if s.verdict is StepVerdict.UNKNOWN)


def test_a_name_given_again_after_an_unread_definition_is_not_a_new_definition():
    report = verify_text(text(rf"""
    \begin{{equation}}
    L = {UNREADABLE}
    \end{{equation}}
    \begin{{equation}}
    L = 2
    \end{{equation}}
    """))
    assert verdicts(report) == [(2, "unknown"), (5, "unknown")], report.table()
    assert report.steps[1].reason.startswith("not checked: it uses L, whose definition cannot be read (line 2:")


def test_skip_comments_skip_the_next_display_and_say_so():
    tex = text(r"""
    % derive: skip
    \begin{equation}
    \log(ab) = \int_0^1 \text{anything}
    \end{equation}
    \begin{equation}
    a + a = 2a
    \end{equation}
    """)
    report = verify_text(tex)
    assert verdicts(report) == [(2, "skipped"), (6, "holds")], report.table()
    assert report.exit_code == 0 and "skipped, line 2:" in report.table()
    assert "1 display skipped" in report.table()
    md = "<!-- derive: skip -->\n$$ a = \\int b $$\n\n$$ a + a = 2a $$\n"
    report = verify_text(md, fmt="md")
    assert verdicts(report) == [(2, "skipped"), (4, "holds")], report.table()
    assert report.to_json()["skipped"] == ["line-2"]


def test_the_json_table_and_markdown_show_unread_steps(tmp_path, capsys):
    path = tmp_path / "gap.tex"
    path.write_text(text(rf"""
    \begin{{align}}
    a + a &= 2a \\
    b &= {UNREADABLE}
    \end{{align}}
    """))
    assert main(["verify", str(path), "--json"]) == 3
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["status"] == "unknown" and data["unread"] == ["line-3"]
    step = data["steps"][1]
    assert step["verdict"] == "unknown" and step["method"] == "unread" and step["line"] == 3
    assert step["reason"].startswith("not checked: line 3: cannot read the formula")
    assert f"{path}:3: not checked: line 3: cannot read the formula" in captured.err
    assert main(["verify", str(path)]) == 3
    out = capsys.readouterr().out
    assert "2 steps (1 not read), unknown" in out and "not read, line 3: not checked: line 3:" in out
    from derive.verify import verify_file
    md = verify_file(path)._repr_markdown_()
    assert "- not read, line 3: not checked: line 3: cannot read the formula" in md


def test_a_definition_on_a_row_that_cannot_be_cut_keeps_its_name_from_later_steps():
    report = verify_text(text(r"""
    \begin{equation}
    L = \log a $
    \end{equation}
    \begin{equation}
    L + L = 2L
    \end{equation}
    """))
    assert verdicts(report) == [(2, "unknown"), (5, "unknown")], report.table()
    assert report.steps[0].reason == "not read: line 2: a $ inside a display formula"
    assert report.steps[1].reason.startswith("not checked: it uses L, whose definition cannot be read (line 2:")


# -- preamble declarations inside a display -------------------------------------------------------------
@pytest.mark.parametrize("decl", [r"\DeclareMathOperator{softmax}{softmax}", r"\DeclareMathOperator*{\argmax}{arg\,max}",
                                  r"\newcommand{\R}{\mathbb{R}}", r"\newcommand{\sq}[1]{#1^2}"])
def test_a_declaration_is_notation_not_a_formula(decl):
    report = verify_text(f"$$\n{decl}\n$$\n\n$$ (a + b)^2 = a^2 + 2ab + b^2 $$\n", fmt="md", domains={})
    assert report.status == "holds", [(s.line, s.verdict.value, s.reason) for s in report.steps]
    assert any("declares notation" in n for n in report.notes)


def test_maths_after_a_declaration_is_still_checked():
    text = "$$\n\\DeclareMathOperator{softmax}{softmax} a + a = 3a\n$$\n"
    report = verify_text(text, fmt="md", domains={})
    assert report.status == "fails" and report.first_failure.line == 2
