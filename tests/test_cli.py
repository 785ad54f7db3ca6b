"""The ``derive`` command: sub-commands, output formats, exit codes, error messages."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derive import catalogue
from derive.cli import main

ROOT = Path(__file__).resolve().parents[1]
NAMES = catalogue.names()
REFUTED = catalogue.refutation_names()
CCE = "categorical-cross-entropy"


def run_module(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python -m derive ARGS`` in a child process, the package importable from the checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every derivation built once into a folder (``derive build --out DIR``)."""
    out = tmp_path_factory.mktemp("outputs")
    assert main(["build", "--out", str(out)]) == 0
    return out


# -- list ----------------------------------------------------------------------------
def test_list_names_every_derivation(capsys):
    assert main(["list"]) == 0
    out, err = capsys.readouterr()
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == len(catalogue.all_names())
    for name in REFUTED:
        assert next(line for line in lines if line.startswith(name + " ")).split()[1] == "refuted"
    for name in NAMES:
        line = next(line for line in lines if line.startswith(name + " "))
        assert catalogue.get(name).title in line
        assert "proved" in line or "exact" in line or "numeric" in line
    assert err == ""


def test_list_json(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    assert [r["name"] for r in rows] == catalogue.all_names()
    for row in rows:
        assert {"name", "title", "status"} <= set(row)
        if row["name"] in REFUTED:
            assert row["status"] == "refuted"
            continue
        assert row["title"] == catalogue.get(row["name"]).title
        assert row["status"] in ("proved", "proved_at_sizes", "numeric")


# -- show ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_show_each_format(capsys, fmt):
    assert main(["show", CCE, "--format", fmt]) == 0
    out, err = capsys.readouterr()
    assert out.strip() and err == ""
    title = catalogue.get(CCE).title
    if fmt == "json":
        data = json.loads(out)
        assert data["name"] == CCE
        assert len(data["steps"]) == len(catalogue.get(CCE).steps)
        assert all("srepr" in s and "latex" in s for s in data["steps"])
    elif fmt == "latex":
        assert "\\documentclass" in out and "\\begin{document}" in out and "\\end{document}" in out
        assert "\\hat{p}" in out
    elif fmt == "markdown":
        assert out.lstrip().startswith("#")
        assert title in out
    else:
        assert title in out


def test_show_defaults_to_text(capsys):
    assert main(["show", CCE]) == 0
    default = capsys.readouterr().out
    assert main(["show", CCE, "--format", "text"]) == 0
    assert capsys.readouterr().out == default


@pytest.mark.parametrize("name", NAMES)
def test_show_json_of_every_derivation(capsys, name):
    assert main(["show", name, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == name and data["steps"]


def test_show_rejects_an_unknown_format(capsys):
    with pytest.raises(SystemExit) as info:
        main(["show", CCE, "--format", "pdf"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "pdf" in err and "markdown" in err


@pytest.mark.parametrize("argv", [["show", "no-such-derivation"],
                                  ["show", "no-such-derivation", "--format", "json"],
                                  ["build", "--out", "{tmp}", "no-such-derivation"]])
def test_unknown_derivation_exits_2_naming_the_known_ones(capsys, tmp_path, argv):
    argv = [a.replace("{tmp}", str(tmp_path / "out")) for a in argv]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "no-such-derivation" in err
    for name in NAMES:
        assert name in err
    no_traceback(err)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# -- help ----------------------------------------------------------------------------
def test_help_exits_0_with_examples(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples" in out
    for command in ("list", "show", "build", "recheck"):
        assert command in out
    assert "exit status" in out


def test_show_help_exits_0_with_an_example(capsys):
    with pytest.raises(SystemExit) as info:
        main(["show", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out
    assert f"derive show {CCE}" in out
    assert "--format" in out


@pytest.mark.parametrize("command", ["build", "recheck", "list"])
def test_subcommand_help_exits_0(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert command in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err


# -- build ---------------------------------------------------------------------------
def test_build_writes_every_derivation_and_an_index(built):
    for name in NAMES:
        for ext in ("tex", "md", "json"):
            path = built / f"{name}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, path
        assert json.loads((built / f"{name}.json").read_text(encoding="utf-8"))["name"] == name
        assert (built / f"{name}.tex").read_text(encoding="utf-8").rstrip().endswith("\\end{document}")
    readme = (built / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"({name}.md)" in readme
    assert sorted(p.name for p in built.iterdir()) == sorted(
        [f"{n}.{e}" for n in catalogue.all_names() for e in ("tex", "md", "json")] + ["README.md"])


def test_build_one_derivation(tmp_path, capsys):
    out = tmp_path / "one"
    assert main(["build", "--out", str(out), CCE]) == 0
    printed = capsys.readouterr().out
    assert CCE in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{CCE}.{e}" for e in ("tex", "md", "json"))
    assert not (out / "README.md").exists()


def test_build_output_matches_show(built, capsys):
    assert main(["show", CCE, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads((built / f"{CCE}.json").read_text(encoding="utf-8"))


# -- recheck -------------------------------------------------------------------------
def test_recheck_fresh_certificates(built, capsys):
    files = [str(built / f"{n}.json") for n in NAMES]
    assert main(["recheck", *files]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for f in files:
        assert f"{f}: OK" in out


def test_recheck_json(built, capsys):
    files = [str(built / f"{n}.json") for n in NAMES]
    assert main(["recheck", "--json", *files]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in results] == files
    for r, name in zip(results, NAMES):
        assert r["name"] == name and r["holds"] is True
        assert r["failures"] == [] and r["latex_mismatch_steps"] == []
        assert len(r["steps"]) == len(catalogue.get(name).steps)


def _not_json(path: Path) -> None:
    path.write_text("this is not {json", encoding="utf-8")


def _binary(path: Path) -> None:
    path.write_bytes(b"\xff\xfe\x00\x01garbage")


def _json_list(path: Path) -> None:
    path.write_text("[1, 2, 3]", encoding="utf-8")


def _json_object(path: Path) -> None:
    path.write_text('{"name": "categorical-cross-entropy", "steps": []}', encoding="utf-8")


def _json_null(path: Path) -> None:
    path.write_text("null", encoding="utf-8")


def _directory(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize("make,words", [
    (None, ["cannot read"]),
    (_not_json, ["not JSON"]),
    (_binary, ["not JSON"]),
    (_json_list, ["not a certificate"]),
    (_json_object, ["not a certificate", "format"]),
    (_json_null, ["not a certificate"]),
    (_directory, []),
], ids=["missing", "not-json", "binary", "json-list", "json-object", "json-null", "directory"])
def test_recheck_bad_files_exit_2(tmp_path, capsys, make, words):
    path = tmp_path / "cert.json"
    if make is not None:
        make(path)
    assert main(["recheck", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("derive: ")
    assert str(path) in err or make in (_json_list, _json_object, _json_null)
    for word in words:
        assert word in err
    no_traceback(err)


def test_recheck_bad_file_after_a_good_one_still_exits_2(built, tmp_path, capsys):
    assert main(["recheck", str(built / f"{CCE}.json"), str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err


def test_recheck_needs_a_file(capsys):
    with pytest.raises(SystemExit) as info:
        main(["recheck"])
    assert info.value.code == 2


# -- python -m derive ----------------------------------------------------------------
def test_python_m_derive_list():
    result = run_module("list", "--json")
    assert result.returncode == 0, result.stderr
    assert [r["name"] for r in json.loads(result.stdout)] == catalogue.all_names()
    no_traceback(result.stderr)


def test_python_m_derive_unknown_name():
    result = run_module("show", "no-such-derivation")
    assert result.returncode == 2
    assert result.stdout == ""
    assert CCE in result.stderr
    no_traceback(result.stderr)


def test_python_m_derive_recheck_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    for path in (tmp_path / "missing.json", bad):
        result = run_module("recheck", str(path))
        assert result.returncode == 2
        assert result.stderr.startswith("derive: ")
        no_traceback(result.stderr)


def test_python_m_derive_build_and_recheck(tmp_path):
    out = tmp_path / "p"
    result = run_module("build", "--out", str(out), CCE)
    assert result.returncode == 0, result.stderr
    result = run_module("recheck", str(out / f"{CCE}.json"))
    assert result.returncode == 0, result.stderr
    assert ": OK" in result.stdout
    no_traceback(result.stderr)


def test_python_m_derive_version():
    result = run_module("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("derive ")


def test_recheck_gives_up_after_its_timeout_with_exit_3(capsys):
    from derive.cli import main as cli_main

    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    code = cli_main(["recheck", "--timeout", "0.01", str(root / "outputs" / "categorical-cross-entropy.json")])
    out = capsys.readouterr().out
    assert code == 3 and "UNDECIDED" in out and "longer than" in out


@pytest.mark.parametrize("value", ["0", "-1", "soon", "1e9"])
def test_recheck_timeout_must_be_sensible(value, capsys):
    from derive.cli import main as cli_main

    with pytest.raises(SystemExit) as exc:
        cli_main(["recheck", "--timeout", value, "x.json"])
    assert exc.value.code == 2
