"""`derive loss`: exit codes, formats, files, and the certificate `derive recheck` accepts."""
from __future__ import annotations

import json

import pytest

from derive.cli import main

EXPONENTIAL = [r"\prod_{i=1}^{N} \lambda e^{-\lambda x_i}", "--param", r"\lambda",
               "--domain", r"\lambda=positive"]
LOGISTIC = [r"\prod_{i=1}^{N} \mathrm{Bern}(y_i \mid \sigma(w x_i + b))", "--param", "w", "--param", "b"]


def test_text_derivation_is_checked(capsys):
    assert main(["loss", *EXPONENTIAL]) == 0
    out = capsys.readouterr().out
    assert "proved" in out and "arg min" in out


@pytest.mark.parametrize("fmt,marker", [("latex", r"\documentclass"), ("markdown", "#")])
def test_formats(capsys, fmt, marker):
    assert main(["loss", *EXPONENTIAL, "--format", fmt]) == 0
    assert marker in capsys.readouterr().out


def test_json_is_a_certificate_recheck_accepts(capsys, tmp_path):
    assert main(["loss", *LOGISTIC, "--format", "json", "--name", "logistic"]) == 0
    cert = tmp_path / "logistic.json"
    cert.write_text(capsys.readouterr().out)
    data = json.loads(cert.read_text())
    assert data["name"] == "logistic" and len(data["steps"]) >= 5
    assert main(["recheck", str(cert)]) == 0


def test_tampered_certificate_is_rejected(capsys, tmp_path):
    """Wrong twin: the found certificate with its last line doubled fails the recheck."""
    assert main(["loss", *EXPONENTIAL, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    last = data["steps"][-1]
    last["srepr"] = f"Mul(Integer(2), {last['srepr']})"
    cert = tmp_path / "bad.json"
    cert.write_text(json.dumps(data))
    assert main(["recheck", str(cert)]) == 1


def test_out_writes_three_files(tmp_path, capsys):
    assert main(["loss", *EXPONENTIAL, "--out", str(tmp_path), "--name", "exponential"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exponential.json", "exponential.md", "exponential.tex"]
    assert main(["recheck", str(tmp_path / "exponential.json")]) == 0


def test_target_reached(capsys):
    assert main(["loss", *EXPONENTIAL, "--to", r"\lambda \sum_{i=1}^{N} x_i - N \log \lambda"]) == 0


def test_target_not_reached_is_undecided_with_closest_line(capsys):
    assert main(["loss", *EXPONENTIAL, "--to", r"\sum_{i=1}^{N} x_i"]) == 3
    err = capsys.readouterr().err
    assert "closest line:" in err and "still differs" in err


@pytest.mark.parametrize("argv,says", [
    ([r"\sum_{i=1}^{N} x_i", "--param", "x"], "product over the samples"),
    ([r"\prod_{i=1}^{N} p^{y_i}", "--param", "q"], "does not occur"),
    ([r"\prod_{i=1}^{N} \hat{y}_i^{y_i} (1-\hat{y}_i)^{1-y_i}"], "log of the likelihood is undefined"),
    ([r"\prod_{i=1}^{N} p^{y_i}"], "no parameter is named"),
    ([r"\prod_{i=1}^{N", "--param", "x"], "not closed"),
    ([*EXPONENTIAL, "--name", "../x"], "--name"),
    ([r"\prod_{i=1}^{N} \frac{1}{\sqrt{2\pi}\sigma} e^{-\frac{(y_i-\mu_i)^2}{2\sigma^2}}",
      "--param", r"\mu", "--domain", r"\sigma=positive", "--to", "gaussian-mean-squared-error"],
     "symbols the built-in does not"),
    ([*EXPONENTIAL, "--domain", "lambda"], "SYMBOL=KIND"),
])
def test_bad_input_exits_2(capsys, argv, says):
    assert main(["loss", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_target_equal_to_the_likelihood_is_refused(capsys):
    assert main(["loss", *EXPONENTIAL, "--to", EXPONENTIAL[0]]) == 2
    assert "nothing to derive" in capsys.readouterr().err


def test_target_a_built_in_name(capsys):
    """The built-in's final line, in the likelihood's names; its domains are taken too."""
    assert main(["loss", r"\prod_{i=1}^{N} \hat{y}_i^{y_i} (1-\hat{y}_i)^{1-y_i}",
                 "--to", "bernoulli-binary-cross-entropy"]) == 0
    assert "proved" in capsys.readouterr().out
