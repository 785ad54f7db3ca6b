"""``derive verify``: conventions a file declares in its ``derive:`` comment, and names
read as authors use them.

Every reading has a case that holds and a wrong twin that fails (with a
counterexample) or stays undecided: a declaration never makes a wrong step hold.
"""
from __future__ import annotations

import textwrap

import pytest

from derive.verify import StepVerdict, VerifyError, verify_text


def tex(body: str, directive: str = "") -> str:
    head = f"% derive: {directive}\n" if directive else ""
    return head + "\\begin{align*}\n" + textwrap.dedent(body).strip("\n") + "\n\\end{align*}\n"


def verdicts(report) -> list[str]:
    return [s.verdict.value for s in report.steps]


def failing(report):
    wrong = [s for s in report.steps if s.verdict is StepVerdict.FAILS]
    assert wrong, report.table()
    assert wrong[0].counterexample, report.table()
    return wrong[0]


# -- log base ------------------------------------------------------------------------
DOMAINS = {"p": "simplex", "x": "positive"}
BASE_2 = [r"-\log \frac{1}{2} &= 1", r"\log 8 &= 3", r"\log(2x) &= 1 + \log x", r"\ln e &= 1",
          r"H(p) &= -\sum_{k} p_k \log p_k", r"\ln 2 \cdot H(p) &= -\sum_{k} p_k \ln p_k"]


@pytest.mark.parametrize("step", BASE_2)
def test_log_2_reads_log_in_base_2(step):
    report = verify_text(tex(step, "log=2"), domains=DOMAINS)
    assert verdicts(report) == ["holds"], report.table()


# each is true with natural logs only
WRONG_IN_BASE_2 = [r"\log e &= 1", r"e^{\log x} &= x", r"-\log \frac{1}{2} &= \ln 2",
                   r"H(p) &= -\sum_{k} p_k \ln p_k"]


@pytest.mark.parametrize("step", WRONG_IN_BASE_2)
def test_a_step_true_only_in_base_e_fails_under_log_2(step):
    natural = verify_text(tex(step), domains=DOMAINS)
    assert verdicts(natural) == ["holds"], natural.table()
    failing(verify_text(tex(step, "log=2"), domains=DOMAINS))


def test_log_10_in_markdown_and_kl_in_the_base():
    md = "<!-- derive: log=10, p=simplex, q=simplex -->\n$$\n\\log 1000 = 3\n$$\n\n$$\n" \
         "D_{KL}(p \\| q) = \\sum_k p_k \\log_{10} \\frac{p_k}{q_k}\n$$\n"
    assert verdicts(verify_text(md, fmt="md")) == ["holds", "holds"]
    wrong = md.replace(r"\log_{10} \frac", r"\ln \frac")
    failing(verify_text(wrong, fmt="md"))


def test_an_explicit_base_is_kept_under_log_2():
    assert verdicts(verify_text(tex(r"\log_{10} 100 &= 2", "log=2"))) == ["holds"]


@pytest.mark.parametrize("directive, message", [("log=3", "the base is one of"),
                                                ("assume=normality", "the assumptions are"),
                                                ("assume=iid, gaussian", "the assumptions are")])
def test_a_bad_convention_is_refused_with_its_line(directive, message):
    with pytest.raises(VerifyError, match=message) as exc:
        verify_text(tex(r"a &= a", directive))
    assert exc.value.line == 1


# -- declared assumptions --------------------------------------------------------------
LAW_STEPS = {
    "bayes": r"P(\theta \mid \mathcal{D}) &= \frac{P(\mathcal{D} \mid \theta) P(\theta)}{P(\mathcal{D})}",
    "iid": r"P(\mathcal{D} \mid \theta) &= \prod_{i=1}^{N} P(x_i, y_i \mid \theta)",
    "uniform-prior": r"\arg\max_\theta P(\mathcal{D} \mid \theta) P(\theta) &= \arg\max_\theta P(\mathcal{D} \mid \theta)",
}
# not instances of the law (or wrong after it): never holds
WRONG_TWINS = {
    "bayes": [r"P(\theta \mid \mathcal{D}) &= \frac{P(\mathcal{D} \mid \theta) P(\mathcal{D})}{P(\theta)}",
              r"P(\theta \mid \mathcal{D}) &= P(\mathcal{D} \mid \theta) P(\theta)"],
    "iid": [r"P(\mathcal{D} \mid \theta) &= 2\prod_{i=1}^{N} P(x_i, y_i \mid \theta)",
            r"P(\mathcal{D} \mid \theta) &= \sum_{i=1}^{N} P(x_i, y_i \mid \theta)"],
    "uniform-prior": [r"\arg\max_\theta P(\mathcal{D} \mid \theta) P(\theta) &= \arg\min_\theta P(\mathcal{D} \mid \theta)",
                      r"\arg\max_\theta P(\mathcal{D} \mid \theta) P(\theta \mid \mathcal{D}) &= \arg\max_\theta P(\mathcal{D} \mid \theta)"],
}


@pytest.mark.parametrize("law", sorted(LAW_STEPS))
def test_a_declared_assumption_makes_its_instance_hold(law):
    report = verify_text(tex(LAW_STEPS[law], "assume=" + law))
    assert verdicts(report) == ["holds"], report.table()
    assert "by the declared assumption" in report.steps[0].method


@pytest.mark.parametrize("law", sorted(LAW_STEPS))
def test_without_the_declaration_the_instance_stays_unknown(law):
    report = verify_text(tex(LAW_STEPS[law]))
    assert verdicts(report) == ["unknown"], report.table()
    assert "law of probability" in report.steps[0].reason


@pytest.mark.parametrize("law, step", [(law, step) for law in sorted(WRONG_TWINS) for step in WRONG_TWINS[law]])
def test_a_step_that_is_not_an_instance_of_the_declared_law_never_holds(law, step):
    report = verify_text(tex(step, "assume=iid, uniform-prior, bayes"))
    assert verdicts(report) in (["fails"], ["unknown"]), report.table()


@pytest.mark.parametrize("step", [WRONG_TWINS["bayes"][0], WRONG_TWINS["iid"][0]])
def test_a_wrong_step_after_the_declared_law_fails_with_a_counterexample(step):
    failing(verify_text(tex(step, "assume=iid, uniform-prior, bayes")))


def test_a_declared_law_is_used_only_where_it_applies():
    text = tex(r"""
        P(\theta \mid \mathcal{D}) &= \frac{P(\mathcal{D} \mid \theta) P(\theta)}{P(\mathcal{D})} \\
        \hat\theta &= \arg\max_\theta P(\mathcal{D} \mid \theta) P(\theta) \\
        &= \arg\max_\theta P(\mathcal{D} \mid \theta) \\
        &= \arg\max_\theta \prod_{i=1}^{N} P(x_i, y_i \mid \theta) \\
        &= \arg\max_\theta \sum_{i=1}^{N} \log P(x_i, y_i \mid \theta)
        """, "assume=iid, uniform-prior, bayes")
    report = verify_text(text)
    assert verdicts(report) == ["holds", "defines", "holds", "holds", "holds"], report.table()
    methods = [s.method for s in report.steps]
    assert "Bayes' rule, by the declared" in methods[0] and "uniform prior, by the declared" in methods[2]
    assert "independent samples, by the declared" in methods[3] and "declared" not in methods[4]
