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


# -- a probability of a class given a sample: one array over the classes ------------------
CE = r"L_i &= -\sum_{k=1}^{K} y_{i,k}\log\hat{p}(k \mid x_i) \\"


@pytest.mark.parametrize("directive", ["", "y=label"])
def test_class_probability_at_the_label_is_the_array_at_class_y_i(directive):
    report = verify_text(tex(CE + r"&= -\log\hat{p}(y_i \mid x_i)", directive))
    assert verdicts(report) == ["defines", "holds"], report.table()
    assert any("one array over the classes k" in n and "one-hot encoding" in n for n in report.notes)


def test_class_arrays_in_other_letters_and_a_mean_over_samples():
    text = tex(r"""
        \sum_{c=1}^{C} P(c \mid \mathbf{x}_n) &= 1 \\
        L &= -\frac{1}{N}\sum_{n=1}^{N}\sum_{c=1}^{C} y_{nc}\log P(c \mid \mathbf{x}_n) \\
        &= -\frac{1}{N}\sum_{n=1}^{N}\log P(y_n \mid \mathbf{x}_n)
        """)
    report = verify_text(text)
    assert verdicts(report) == ["holds", "defines", "holds"], report.table()


CE_WRONG = [r"&= -\log(1-\hat{p}(y_i \mid x_i))",            # the other event
            r"&= -\sum_{k=1}^{K}\log\hat{p}(k \mid x_i)",    # the label dropped
            r"&= -y_i\log\hat{p}(y_i \mid x_i)",             # the label as a weight
            r"&= -\sum_{k=1}^{K} y_{k,i}\log\hat{p}(k \mid x_i)",  # indices swapped
            r"&= -\log\hat{p}(y_j \mid x_i)"]                # another sample's label


@pytest.mark.parametrize("after", CE_WRONG)
def test_a_wrong_twin_of_the_class_array_step_fails(after):
    failing(verify_text(tex(CE + after)))


@pytest.mark.parametrize("after, directive", [(r"&= -\log p(y_i \mid x_i)", ""),        # another model
                                              (r"&= -\log\hat{p}(y_i \mid z_i)", ""),    # another sample
                                              (r"&= -\log\hat{p}(y_i \mid x_i)", "y=binary"),
                                              (r"&= -\log\hat{p}(y_i \mid x_i)", "y=onehot")])
def test_a_class_array_step_without_a_sound_reading_stays_unknown(after, directive):
    report = verify_text(tex(CE + after, directive))
    assert verdicts(report) == ["defines", "unknown"], report.table()


# -- a per-sample name next to a whole-data name ------------------------------------------
PER_SAMPLE = r"""
    J(w,b) &= \frac{1}{N}\sum_{i=1}^{N} J_i \\
    J_i &= (w x_i + b - y_i)^2 \\
    J(w,b) &= \frac{1}{N}\sum_{i=1}^{N} AFTER
    """


def test_a_per_sample_name_defines_the_per_sample_term():
    report = verify_text(tex(PER_SAMPLE.replace("AFTER", "(w x_i + b - y_i)^2")))
    assert verdicts(report) == ["defines", "defines", "holds"], report.table()


def test_a_wrong_step_after_a_per_sample_definition_fails():
    failing(verify_text(tex(PER_SAMPLE.replace("AFTER", "(w x_i - y_i)^2"))))


def test_a_name_the_whole_data_definition_does_not_sum_is_not_its_per_sample_term():
    text = tex(PER_SAMPLE.replace(r"\sum_{i=1}^{N} J_i", r"\sum_{i=1}^{N} \ell_i").replace("AFTER", "(w x_i + b - y_i)^2"))
    report = verify_text(text)
    assert verdicts(report)[1] in ("fails", "unknown"), report.table()
    assert any("defined already, at other arguments" in n for n in report.notes)


# -- a name given again for an instance ------------------------------------------------------
GENERAL_H = r"H &= -\sum_{x} p(x)\log_2 p(x)"


def test_a_name_given_again_with_numbers_starts_a_chain_about_the_instance():
    report = verify_text(tex(GENERAL_H + r" \\" + "\n" + r"H &= -(0.5\log_2 0.5 + 0.5\log_2 0.5) = 1"))
    assert verdicts(report) == ["defines", "defines", "holds"], report.table()
    assert any("instance" in n for n in report.notes)


def test_a_wrong_value_of_the_instance_fails():
    failing(verify_text(tex(GENERAL_H + r" \\" + "\n" + r"H &= -(0.5\log_2 0.5 + 0.5\log_2 0.5) = 2")))


def test_a_constant_general_formula_is_still_checked_against_its_value():
    report = verify_text(tex(r"S &= \sum_{k} p_k \\" + "\nS &= 2"), domains={"p": "simplex"})
    assert verdicts(report) == ["defines", "fails"], report.table()
    report = verify_text(tex(r"S &= \sum_{k} p_k \\" + "\nS &= 1"), domains={"p": "simplex"})
    assert verdicts(report) == ["defines", "holds"], report.table()


# -- a density or pmf given by its formula ---------------------------------------------------
GAUSS = r"\frac{1}{\sqrt{2\pi\sigma^2}}\exp\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)"
LOG_GAUSS = r"-\frac{1}{2}\log(2\pi\sigma^2) - \frac{(x-\mu)^2}{2\sigma^2}"


@pytest.mark.parametrize("name", ["p(x)", "q(x)", r"p(x \mid \mu, \sigma)"])
def test_a_density_given_by_its_formula_is_a_definition(name):
    report = verify_text(tex(f"{name} &= {GAUSS} \\\\\n\\log {name} &= {LOG_GAUSS}"), domains={r"\sigma": "positive"})
    assert verdicts(report) == ["defines", "holds"], report.table()


@pytest.mark.parametrize("name", ["p(x)", r"p(x \mid \mu, \sigma)"])
def test_a_wrong_step_after_a_density_fails(name):
    wrong = LOG_GAUSS.replace(r"-\frac{1}{2}\log", r"-\log")
    failing(verify_text(tex(f"{name} &= {GAUSS} \\\\\n\\log {name} &= {wrong}"), domains={r"\sigma": "positive"}))


def test_a_pmf_given_by_its_formula_is_a_definition_and_its_wrong_twin_fails():
    pmf = r"P(y|x) &= \hat{y}^y (1-\hat{y})^{1-y} \\" + "\n" + r"\log P(y|x) &= y\log\hat{y} + (1-y)\log(1-\hat{y})"
    domains = {"y": "binary", r"\hat{y}": "prob"}
    assert verdicts(verify_text(tex(pmf), domains=domains)) == ["defines", "holds"]
    failing(verify_text(tex(pmf.replace(r"(1-y)\log(1-\hat{y})", r"(1-y)\log\hat{y}")), domains=domains))
