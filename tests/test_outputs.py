"""outputs/ is generated, deterministic, and compiles; the LaTeX looks as in the seeds."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from derive import catalogue
from derive.build import BuiltRefutation, build
from derive.core.relations import Relation
from derive.render import refutation as refutation_render
from derive.render.text import derivation_text
from derive.core.fsutil import atomic_write

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ROOT / "outputs"


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    return out, build(out)


@pytest.fixture(scope="module")
def fresh(fresh_build):
    return fresh_build[0]


@pytest.fixture(scope="module")
def built(fresh_build):
    return fresh_build[1]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix in (".tex", ".md", ".json")}


def test_committed_outputs_match_a_fresh_build(fresh):
    """The golden test: every committed byte is what `derive build` writes now."""
    committed, built = _files(OUTPUTS), _files(fresh)
    assert sorted(committed) == sorted(built), "run `make proofs` and commit outputs/"
    for name in built:
        assert committed[name] == built[name], f"outputs/{name} is stale: run `make proofs`"


def test_a_second_build_changes_no_byte(fresh, tmp_path):
    build(tmp_path)
    assert _files(tmp_path) == _files(fresh)


def test_every_derivation_has_its_three_files_and_an_index(fresh):
    for name in catalogue.names():
        for suffix in (".tex", ".md", ".json"):
            assert (fresh / f"{name}{suffix}").exists()
    index = (fresh / "README.md").read_text()
    for name in catalogue.names():
        assert f"[{name}]({name}.md)" in index


def test_no_temporary_files_are_left(fresh):
    assert not [p for p in fresh.iterdir() if p.name.startswith(".")]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "f.txt"
    atomic_write(target, "old")

    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # not str or bytes: the write fails
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_latex_uses_the_seed_notation(fresh):
    tex = (fresh / "categorical-cross-entropy.tex").read_text()
    assert r"\sum_{i=1}^{N}\sum_{k=1}^{C} p_{i}^{(k)} \log\left(\hat{p}_{i}^{(k)}\right)" in tex
    # the indicator's condition on the line, not a script of a script
    assert r"\prod_{i=1}^{N}\prod_{k=1}^{C} \left(\hat{p}_{i}^{(k)}\right)^{\mathbf{1}\{p_{i}^{(k)} = 1\}}" in tex
    # one pair of parentheses per level: log[(p-hat)^p], not log((p-hat)^p)
    assert r"\log\left[\left(\hat{p}_{i}^{(k)}\right)^{p_{i}^{(k)}}\right]" in tex
    assert r"\log\left(\left(" not in tex
    assert r"H(\mathbf{p}_{1}, \hat{\mathbf{p}}_{1})" in tex
    assert r"\frac{1}{N} \sum_{i=1}^{N} H(\mathbf{p}_{i}, \hat{\mathbf{p}}_{i})" in tex
    assert r"\arg\max_{\theta}" in tex and r"\arg\min_{\theta}" in tex
    assert "substack" not in tex
    bce = (fresh / "bernoulli-binary-cross-entropy.tex").read_text()
    # seed 003's own notation
    assert r"\mathbb{P}(\mathcal{D} \mid \theta)" in bce
    assert r"\prod_{i=1}^{n} \hat{y}_{\theta, i}^{y_{i}} \left(1 - \hat{y}_{\theta, i}\right)^{1 - y_{i}}" in bce
    assert r"y_{i} \log \hat{y}_{\theta, i} + \left(1 - y_{i}\right) \log\left(1 - \hat{y}_{\theta, i}\right)" in bce
    assert r"\frac{1}{n} \sum_{i=1}^{n} H_b(y_{i}, \hat{y}_{\theta, i})" in bce


def test_latex_has_one_check_table_row_for_every_step(fresh):
    for d in catalogue.all_derivations():
        tex = (fresh / f"{d.name}.tex").read_text()
        table = tex[tex.index(r"\begin{longtable}"):tex.index(r"\end{longtable}")]
        rows = [line for line in table.splitlines() if line.startswith("(")]
        assert [row.split(" & ")[0] for row in rows] == [f"({s.index})" for s in d.steps]


def test_markdown_math_renders_on_a_code_host(fresh):
    md = (fresh / "categorical-cross-entropy.md").read_text()
    assert "$$\n\\begin{aligned}" in md and "\\end{aligned}\n$$" in md
    assert "\\intertext" not in md   # not supported by code-host math


def _pdflatex():
    found = shutil.which("pdflatex")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing in CI: .ci/run must install texlive")
        pytest.skip("pdflatex not installed (CI installs it)")
    return found


OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)")


def overfull_boxes(log: str) -> list[float]:
    """How far (pt) each overfull line of a LaTeX log runs past the margin."""
    return [float(m.group(1)) for m in OVERFULL.finditer(log)]


def _compile(pdflatex: str, src: Path, out: Path) -> str:
    """Compile ``src`` twice (longtable settles its widths on the second run); the log."""
    for _ in range(2):
        result = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                                 f"-output-directory={out}", str(src)],
                                capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stdout[-3000:]
    return (out / f"{src.stem}.log").read_text(errors="replace")


@pytest.mark.parametrize("name", catalogue.all_names())
def test_tex_compiles_with_pdflatex_and_nothing_runs_off_the_page(name, tmp_path):
    pdflatex = _pdflatex()
    log = _compile(pdflatex, OUTPUTS / f"{name}.tex", tmp_path)
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    too_wide = [w for w in overfull_boxes(log) if w > 1.0]
    assert not too_wide, f"{name}.tex: lines run {too_wide} pt past the margin"


def test_the_overfull_check_sees_a_line_off_the_page(tmp_path):
    """The check above rejects a document with a line wider than the page."""
    pdflatex = _pdflatex()
    src = tmp_path / "wide.tex"
    src.write_text("\\documentclass{article}\\begin{document}\\noindent\\rule{30cm}{1pt}\\end{document}\n")
    widths = overfull_boxes(_compile(pdflatex, src, tmp_path))
    assert widths and max(widths) > 100


def test_a_justification_too_long_for_its_column_wraps_and_a_wide_line_keeps_the_page(tmp_path):
    """A long justification wraps in its column; a line too wide for the column puts it below."""
    from derive.render.latex import PREAMBLE, PROOF_MACROS

    pdflatex = _pdflatex()
    long_note = "a justification that is much longer than its column is wide " * 3
    wide = " + ".join(f"x_{{{n}}}^{{2}}" for n in range(15))  # wider than its column, not the page
    src = tmp_path / "lines.tex"
    src.write_text("\n".join(PREAMBLE + [PROOF_MACROS, r"\begin{document}",
                                          rf"\proofline{{a = b}}{{{long_note}}}",
                                          rf"\proofline{{a = {wide}}}{{{long_note}}}",
                                          r"\end{document}", ""]))
    assert not [w for w in overfull_boxes(_compile(pdflatex, src, tmp_path)) if w > 1.0]


# -- no internal names in what users read ----------------------------------------------
#: Words of the engine and of its development that no reader should meet.
FORBIDDEN = [re.compile(p) for p in (
    r"same_arg(max|min)", r"\bmap:", r"\bdefn\b", r"proved_at_sizes", r"not_refuted",
    r"IndexedBase", r"Indexed\(", r"Symbol\(", r"Integer\(", r"\bSum\(", r"\bProduct\(",
    r"KroneckerDelta", r"\b(phat|yhat|Hb|Hy|Hpq|Hqp|Zg|Zl)\b", r"(?<![\\\w])[A-Za-z]\w*\[\w+(, \w+)*\]", r"\w\*\*[\w(]",
    r"(?i)\bissue\b", r"(?i)\bseeds?\b", r"(?<![\\\w])theta\b", r"\b[py]-hat\b", r"\bTODO\b",
)]

#: Fields of a certificate written for people; the others (relation, rule, srepr,
#: obligation, kind, status ...) are the certificate contract and keep their names.
HUMAN_FIELDS = {"title", "summary", "sources", "description", "statement", "justification",
                "side_condition", "detail", "note"}


def internal_names(text: str) -> list[str]:
    """The forbidden words in ``text``."""
    return [m.group(0) for pattern in FORBIDDEN for m in pattern.finditer(text)]


def _human_strings(data, key: str = "") -> list[str]:
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in _human_strings(v, k)]
    if isinstance(data, list):
        return [t for v in data for t in _human_strings(v, key)]
    return [data] if isinstance(data, str) and key in HUMAN_FIELDS else []


def test_the_word_check_rejects_internal_names():
    for text in ("relation same_argmax", "obligation map:log", "defn by unfold", "phat[i, k]**p[i, k]",
                 "Sources: issue 3", "seed 002", "a function of theta", "H(p, p-hat)",
                 "Indexed(IndexedBase(Symbol('y')))", "P[i]", "adding -Sum(log(y[i]), (i, 1, N))"):
        assert internal_names(text), text
    assert not internal_names(r"a function of $\theta$, $\hat{p}_{i}^{(k)}$ at 24 seeded random points")


def test_documents_and_pages_use_no_internal_names(fresh):
    for path in sorted(fresh.iterdir()):
        if path.suffix in (".tex", ".md"):
            assert not internal_names(path.read_text()), (path.name, internal_names(path.read_text()))


def test_certificates_human_fields_use_no_internal_names(fresh):
    for path in sorted(fresh.glob("*.json")):
        data = json.loads(path.read_text())
        for text in _human_strings(data):
            assert not internal_names(text), (path.name, text)
        # the contract keeps its machine names
        for step in data.get("steps", []):
            assert step["relation"] in {r.value for r in Relation}


def test_show_text_uses_the_documents_symbols(fresh, built):
    for b in built:
        if isinstance(b, BuiltRefutation):
            text = refutation_render.text(b.claim, b.report)
        else:
            text = derivation_text(b.derivation, b.report)
        assert not internal_names(text), (b.name, internal_names(text))
    shown = derivation_text(*next((b.derivation, b.report) for b in built if b.name == "categorical-cross-entropy"))
    assert "p̂ᵢₖ" in shown and "P(yᵢ | xᵢ, θ)" in shown and "H(pᵢ, p̂ᵢ)" in shown


def test_markdown_tables_keep_their_columns(fresh):
    """A bar inside a cell's maths would split the cell on a code host."""
    for path in sorted(fresh.glob("*.md")):
        header = None
        for line in path.read_text().splitlines():
            if not line.startswith("|"):
                header = None
                continue
            cells = len(re.split(r"(?<!\\)\|", line))
            if header is None:
                header = cells
            assert cells == header, (path.name, line)
    kl = (fresh / "kl-divergence.md").read_text()
    assert r"| $D_{\mathrm{KL}}(y \,\Vert \, \hat{y})$ |" in kl


def test_prose_maths_is_typeset(fresh):
    tex = (fresh / "softmax-cross-entropy.tex").read_text()
    assert r"$-\sum_k y_k z_k + \log \sum_m e^{z_m}$" in tex
    md = (fresh / "categorical-cross-entropy.md").read_text()
    assert r"$H(p, \hat{p})$" in md and "Cross Validated, 2018" in md
    checks = tex[tex.index(r"\begin{longtable}"):]
    assert "same minimiser as line (4): negation reverses the order" in checks
    assert "relative tolerance of $10^{-20}$" in checks and "1e1" not in checks
