"""``derive verify``: a user's derivation file, checked line by line.

The seeds' derivations (``examples/``) hold; each broken copy fails at exactly
the line that was broken, with a counterexample; every kind of mutation of a
step is rejected; laws of probability count only when named; bad input exits
2 with the file and line, never a traceback.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from derive.cli import main
from derive.verify import StepVerdict, VerifyError, verify_file, verify_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GOOD = sorted(p for p in EXAMPLES.glob("seed*") if p.suffix in (".tex", ".md"))
BROKEN = json.loads((EXAMPLES / "broken" / "EXPECTED.json").read_text())


def tex(body: str, domains: str = "") -> str:
    head = f"% derive: {domains}\n" if domains else ""
    return head + "\\begin{align}\n" + textwrap.dedent(body).strip("\n") + "\n\\end{align}\n"


# -- the examples ------------------------------------------------------------------
def test_there_is_one_example_per_seed():
    assert [p.name[:7] for p in GOOD] == ["seed000", "seed001", "seed002", "seed003"]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_each_seed_derivation_holds(path):
    report = verify_file(path)
    assert report.status == "holds", report.table()
    assert report.exit_code == 0
    checked = [s for s in report.steps if s.verdict is StepVerdict.HOLDS]
    assert len(checked) >= 5, report.table()


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: Path(c["file"]).name)
def test_each_broken_copy_fails_at_exactly_the_broken_line(case):
    report = verify_file(EXAMPLES / case["file"])
    verdict = case.get("verdict", "fails")
    wrong = [s for s in report.steps if not s.ok]
    assert wrong, report.table()
    first = wrong[0]
    assert first.line == case["line"], report.table()
    assert first.verdict.value == verdict, report.table()
    # every step before the broken line still holds
    assert all(s.ok for s in report.steps if s.line < case["line"]), report.table()
    if verdict == "fails":
        assert first.counterexample, report.table()
        assert report.exit_code == 1
    else:
        assert report.exit_code == 3


def test_broken_copies_change_exactly_one_line_of_their_good_file():
    for case in BROKEN:
        good = (EXAMPLES / case["good"]).read_text().splitlines()
        bad = (EXAMPLES / case["file"]).read_text().splitlines()
        assert len(good) == len(bad), case["file"]
        changed = [n + 1 for n, (a, b) in enumerate(zip(good, bad)) if a != b]
        assert changed == [case["line"]], (case["file"], changed)


# -- every kind of mutation is rejected, with a counterexample ---------------------------
CE_LINES = tex(r"""
-\log \prod_{i=1}^{N}\prod_{k=1}^{C} \hat{y}_{i,k}^{y_{i,k}} &= -\sum_{i=1}^{N}\log\prod_{k=1}^{C} \hat{y}_{i,k}^{y_{i,k}} \\
&= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\
&= -\sum_{i=1}^{N}\sum_{k=1}^{C} \left(y_{i,k}\log \hat{y}_{i,k} + 0\right)
""", r"y=binary, \hat{y}=prob")

MUTANTS = {
    "flip a sign": (r"&= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\",
                    r"&= \sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\"),
    "drop a term": (r"\left(y_{i,k}\log \hat{y}_{i,k} + 0\right)", r"\left(\log \hat{y}_{i,k} + 0\right)"),
    "swap p and q": (r"&= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\",
                     r"&= -\sum_{i=1}^{N}\sum_{k=1}^{C} \hat{y}_{i,k}\log y_{i,k} \\"),
    "change the log base": (r"&= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\",
                            r"&= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log_2 \hat{y}_{i,k} \\"),
    "shift a sum bound": (r"&= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\",
                          r"&= -\sum_{i=0}^{N}\sum_{k=1}^{C} y_{i,k}\log \hat{y}_{i,k} \\"),
}


def test_the_unmutated_derivation_holds():
    report = verify_text(CE_LINES)
    assert report.status == "holds", report.table()
    assert [s.line for s in report.steps] == [3, 4, 5]


@pytest.mark.parametrize("kind", sorted(MUTANTS))
def test_a_mutated_step_fails_at_its_line_with_a_counterexample(kind):
    old, new = MUTANTS[kind]
    assert old in CE_LINES
    text = CE_LINES.replace(old, new, 1)
    line = next(n + 1 for n, row in enumerate(text.splitlines()) if new.strip(" \\") in row)
    report = verify_text(text)
    failure = report.first_failure
    assert failure is not None, report.table()
    assert failure.line == line
    assert failure.counterexample and failure.counterexample.get("values"), failure.text()
    assert report.exit_code == 1
    assert "counterexample" in report.table()


# -- optimiser steps --------------------------------------------------------------------------
ARG = tex(r"""
\hat{\theta} &= \arg\max_{\theta} \prod_{i=1}^{N} \hat{y}_i^{y_i}(1-\hat{y}_i)^{1-y_i} \\
&= \arg\max_{\theta} \sum_{i=1}^{N} \left(y_i\log\hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right) \\
&= \arg\min_{\theta} -\frac{1}{N}\sum_{i=1}^{N} \left(y_i\log\hat{y}_i + (1-y_i)\log(1-\hat{y}_i)\right)
""", r"y=binary, \hat{y}=prob")


def test_optimiser_chain_holds_with_log_negation_and_scale():
    report = verify_text(ARG)
    assert report.status == "holds", report.table()
    assert [s.relation for s in report.steps] == ["defines", "same argmax", "argmax -> argmin"]


@pytest.mark.parametrize("old, new", [
    (r"&= \arg\min_{\theta} -\frac{1}{N}", r"&= \arg\max_{\theta} -\frac{1}{N}"),   # negation keeps max
    (r"&= \arg\min_{\theta} -\frac{1}{N}", r"&= \arg\min_{\theta} \frac{1}{N}"),    # sign slip
    (r"\arg\max_{\theta} \sum_{i=1}^{N} \left(y_i", r"\arg\max_{\theta} \sum_{i=1}^{N} \left(\hat{y}_i"),
])
def test_optimiser_mutants_fail_with_two_parameter_points(old, new):
    text = ARG.replace(old, new, 1)
    report = verify_text(text)
    failure = report.first_failure
    assert failure is not None, report.table()
    assert failure.counterexample, failure.text()


def test_dropping_a_term_free_of_the_parameters_keeps_the_argmin():
    text = tex(r"""
    \hat{\theta} &= \arg\min_{\theta} \sum_{k=1}^{C} y_k \log\frac{y_k}{\hat{y}_k} \\
    &= \arg\min_{\theta} \left(-\sum_{k=1}^{C} y_k\log\hat{y}_k + \sum_{k=1}^{C} y_k \log y_k\right) \\
    &= \arg\min_{\theta} -\sum_{k=1}^{C} y_k\log\hat{y}_k
    """, r"y=simplex, \hat{y}=simplex")
    report = verify_text(text)
    assert report.status == "holds", report.table()


def test_dropping_a_term_that_depends_on_the_parameters_is_not_accepted():
    text = tex(r"""
    \hat{\theta} &= \arg\min_{\theta} \left(-\sum_{k=1}^{C} y_k\log\hat{y}_k + \sum_{k=1}^{C} \hat{y}_k^2\right) \\
    &= \arg\min_{\theta} -\sum_{k=1}^{C} y_k\log\hat{y}_k
    """, r"y=simplex, \hat{y}=simplex")
    report = verify_text(text)
    assert report.steps[-1].verdict is StepVerdict.FAILS, report.table()
    assert report.steps[-1].counterexample


def test_max_equal_to_max_claims_equal_values():
    text = tex(r"""
    \max_{\theta} \sum_{i=1}^{N} \log \hat{y}_i &= \max_{\theta} \log\prod_{i=1}^{N} \hat{y}_i \\
    &= \max_{\theta} 2\sum_{i=1}^{N} \log \hat{y}_i
    """, r"\hat{y}=prob")
    report = verify_text(text)
    assert [s.verdict for s in report.steps] == [StepVerdict.HOLDS, StepVerdict.FAILS], report.table()


def test_equiv_between_max_and_min_problems_is_the_same_optimiser():
    text = tex(r"""
    \max_{\theta} \prod_{i=1}^{N} \hat{y}_i \equiv \min_{\theta} \left(-\sum_{i=1}^{N}\log\hat{y}_i\right)
    """, r"\hat{y}=prob")
    assert verify_text(text).status == "holds"


# -- laws of probability --------------------------------------------------------------------------
BAYES = tex(r"""
\hat{\theta} &= \arg\max_{\theta} P(\theta \mid X) \\
&\stackrel{\text{Bayes}}{=} \arg\max_{\theta} \frac{P(X \mid \theta) P(\theta)}{P(X)} \\
&= \arg\max_{\theta} P(X \mid \theta) P(\theta)
""")


def test_bayes_rule_named_in_the_justification_is_used():
    report = verify_text(BAYES)
    assert report.status == "holds", report.table()
    assert "Bayes" in report.steps[1].method


def test_a_law_not_named_leaves_the_step_unknown():
    report = verify_text(BAYES.replace(r"\stackrel{\text{Bayes}}{=}", "="))
    step = report.steps[1]
    assert step.verdict is StepVerdict.UNKNOWN and "law of probability" in step.reason
    assert report.exit_code == 3


def test_naming_a_law_is_not_enough_when_the_step_is_not_an_instance():
    text = BAYES.replace(r"\frac{P(X \mid \theta) P(\theta)}{P(X)}", r"\frac{P(X \mid \theta)}{P(X)}")
    step = verify_text(text).steps[1]
    assert step.verdict is StepVerdict.UNKNOWN, step.text()
    assert "not an instance" in step.reason


def test_independent_samples_and_uniform_prior():
    text = tex(r"""
    \hat{\theta} &= \arg\max_{\theta} P(X \mid \theta) P(\theta) \\
    &= \arg\max_{\theta} P(X \mid \theta) && \text{uniform prior} \\
    &\overset{\text{i.i.d.}}{=} \arg\max_{\theta} \prod_{i=1}^{N} P(x_i \mid \theta)
    """)
    report = verify_text(text)
    assert report.status == "holds", report.table()
    unnamed = verify_text(text.replace(r"&& \text{uniform prior}", ""))
    assert unnamed.steps[1].verdict is not StepVerdict.HOLDS, unnamed.table()


def test_a_definition_is_unfolded_in_later_lines():
    text = textwrap.dedent(r"""
    % derive: y=onehot, \hat{y}=simplex
    \begin{equation}
    P(y_i \mid x_i, \theta) = \prod_{k=1}^{C} \hat{y}_{i,k}^{y_{i,k}}
    \end{equation}
    \begin{align}
    -\log \prod_{i=1}^{N} P(y_i \mid x_i, \theta) &= -\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,k}
    \end{align}
    """)
    report = verify_text(text)
    assert [s.verdict.value for s in report.steps] == ["defines", "holds"], report.table()
    bad = verify_text(text.replace(r"-\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}", r"-\sum_{i=1}^{N}\sum_{k=1}^{C} \hat{y}_{i,k}"))
    assert bad.first_failure is not None and bad.first_failure.line == 7, bad.table()


def test_standard_cross_entropy_and_kl_names():
    text = tex(r"""
    -\sum_{k=1}^{C} p_k \log q_k &= H(p, q) \\
    &= D_{KL}(p \,\|\, q) + H(p)
    """, "p=simplex, q=simplex")
    assert verify_text(text).status == "holds"
    swapped = verify_text(text.replace("&= H(p, q)", "&= H(q, p)"))
    assert swapped.first_failure is not None and swapped.first_failure.line == 3, swapped.table()


def test_standard_names_are_claims_not_definitions():
    """H(p, q) means the cross-entropy in nats: a line giving it another meaning is
    checked (and fails); a name of one's own (H_2) is a definition."""
    own = tex(r"""
    H(p, q) &= -\sum_{k=1}^{C} p_k \log_2 q_k
    """, "p=simplex, q=simplex")
    report = verify_text(own)
    assert report.steps[0].verdict is StepVerdict.FAILS, report.table()
    renamed = tex(r"""
    H_2(p, q) &= -\sum_{k=1}^{C} p_k \log_2 q_k \\
    &= -\frac{1}{\log 2}\sum_{k=1}^{C} p_k \log q_k
    """, "p=simplex, q=simplex")
    report = verify_text(renamed)
    assert report.status == "holds", report.table()
    assert report.steps[0].verdict is StepVerdict.DEFINES


# -- reading files --------------------------------------------------------------------------
def test_justifications_in_every_spelling():
    text = textwrap.dedent(r"""
    \begin{align}
    \log(ab) &= \log a + \log b && \text{log of a product} \\
    &= \log b + \log a \tag{commute} \\
    &= \log a + \log b \quad (\text{commute back}) \\
    &\stackrel{\text{again}}{=} \log b + \log a \\
    &= \log(ba) \text{ (log of a product)}
    \end{align}
    """)
    report = verify_text(text, domains={"a": "positive", "b": "positive"})
    assert report.status == "holds", report.table()
    assert [s.justification for s in report.steps] == [
        "log of a product", "commute", "commute back", "again", "(log of a product)".strip("()")]


def test_markdown_blocks_continue_with_a_leading_relation():
    text = textwrap.dedent(r"""
    <!-- derive: a=positive, b=positive -->
    The log of a product:

    $$ \log(ab) = \log a + \log b $$

    and, reordering,

    $$ = \log b + \log a $$

    ```
    $$ this is code, not mathematics = 1 $$
    ```
    \[ \log(a^2) = 2\log a \]
    """)
    report = verify_text(text, fmt="md")
    assert [(s.line, s.verdict.value) for s in report.steps] == [(5, "holds"), (9, "holds"), (14, "holds")]


def test_rows_without_a_relation_start_new_chains_and_line_numbers_are_file_lines():
    text = "\n\n" + tex(r"""
    \log(ab) &= \log a + \log b \\
    \log(a/b) &= \log a - \log b
    """, "a=positive, b=positive")
    report = verify_text(text)
    assert [s.line for s in report.steps] == [5, 6]


def test_domains_on_the_command_line_win_over_the_file():
    text = tex(r"\sqrt{x^2} &= x", "x=real")
    assert verify_text(text).exit_code == 1
    assert verify_text(text, domains={"x": "positive"}).exit_code == 0


def test_inequalities_are_reported_unknown():
    report = verify_text(tex(r"\log(1+x) &\le x", "x=positive"))
    assert report.steps[0].verdict is StepVerdict.UNKNOWN and report.exit_code == 3


# -- a file that cannot be used: exit 2, the line, no traceback -------------------------------------
@pytest.mark.parametrize("content, needle", [
    ("no mathematics here", "no display formulas"),
    (tex(r"a &= a", "a=nonsense"), "a"),
    (tex(r"a &= a", "b=positive"), "no formula"),
    ("% derive: y onehot\n" + tex(r"a &= a"), ":1:"),
    ("% derive: skip\nsome words\n" + tex(r"a &= a"), ":1: derive: skip"),
    ("a\x00b\n" + tex(r"a &= a"), "not a text file"),
])
def test_a_file_that_cannot_be_used_is_exit_2_with_a_clear_message(tmp_path, capsys, content, needle):
    path = tmp_path / "bad.tex"
    path.write_text(content)
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err, err


def test_missing_file_and_wrong_suffix(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "missing.tex")]) == 2
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert main(["verify", str(other)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_verify_error_survives_the_worker_process():
    with pytest.raises(VerifyError) as info:
        verify_text("% derive: y onehot\n" + tex(r"a &= a"), source="x.tex")
    assert str(info.value).startswith("x.tex:1:")


# -- the command ---------------------------------------------------------------------------------
def test_cli_table_json_and_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.tex"
    good.write_text(CE_LINES)
    assert main(["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert "holds" in out and "line" in out
    bad = tmp_path / "bad.tex"
    bad.write_text(CE_LINES.replace(*MUTANTS["flip a sign"]))
    assert main(["verify", str(bad), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "fails" and data["first_failure"] == "line-4"
    assert data["steps"][1]["counterexample"]["values"]


def test_report_renders_in_jupyter():
    report = verify_text(CE_LINES.replace(*MUTANTS["flip a sign"]))
    md = report._repr_markdown_()
    assert "| 4 |" in md and "fails" in md
    assert "<pre>" in report._repr_html_()


@pytest.mark.parametrize("head", [
    r"\arg\max_{\theta}", r"\operatorname*{arg\,max}_{\theta}", r"\mathop{\mathrm{argmax}}_{\theta}",
    r"\operatorname{argmax}_\theta", r"\underset{\theta}{\arg\max}", r"\arg\max_{\boldsymbol{\theta}}",
])
def test_arg_max_spellings(head):
    minimum = head.replace("max", "min")
    text = tex(rf"""
    {head} \prod_{{i=1}}^{{N}} \hat{{y}}_i &= {minimum} \left(-\sum_{{i=1}}^{{N}}\log\hat{{y}}_i\right)
    """, r"\hat{y}=prob")
    report = verify_text(text)
    assert report.status == "holds", report.table()
    assert report.steps[0].relation == "argmax -> argmin"


def test_parameters_declared_in_the_file():
    body = r"""
    \arg\min_{w} \sum_{i=1}^{N} \left(\log(1+e^{-z_i}) + (1-y_i) z_i\right)
      &= \arg\min_{w} \left(\sum_{i=1}^{N} \left(\log(1+e^{-z_i}) + (1-y_i) z_i\right) + \sum_{i=1}^{N} z_i\right)
    """
    # z is not hatted: without a declaration nothing is known to depend on w
    plain = verify_text(tex(body, "y=binary"))
    assert plain.steps[0].verdict is StepVerdict.UNKNOWN, plain.table()
    declared = verify_text("% derive-parameters: z\n" + tex(body, "y=binary"))
    assert declared.steps[0].verdict is StepVerdict.FAILS, declared.table()
    assert declared.steps[0].counterexample
