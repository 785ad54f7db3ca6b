"""How the ``derive`` command behaves for a person at a terminal: messages in the
user's terms with a did-you-mean, JSON with the same keys for every verdict,
Ctrl-C that keeps finished work, a progress bar only on a terminal, and a
fast ``derive list``."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.cli import main
from derive.core.domains import KIND_NAMES
from derive.equivalence.verdict import JSON_KEYS
from derive.verify.results import REPORT_KEYS

ROOT = Path(__file__).resolve().parents[1]


# -- messages ------------------------------------------------------------------
@pytest.mark.parametrize("formula, words", [
    ("y_i+", "'+' with nothing after it"),
    (r"a \cdot", "a product sign with nothing after it"),
    ("a +* b", "'+' followed by a product sign"),
])
def test_an_unreadable_formula_is_described_in_its_own_terms(formula, words, capsys):
    assert main(["check", formula, "y"]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "'A" not in err and "latex2sympy" not in err  # no placeholder letters, no parser's name
    assert formula in err  # the user's own text, with the position marked


@pytest.mark.parametrize("value", ["0", "-1", "86401", "nan", "inf"])
def test_a_timeout_out_of_range_states_the_real_range(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "x", "x", "--timeout", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "more than 0 and at most 86400" in err and "between 0 and" not in err


def test_the_domain_kinds_named_are_the_ones_read(capsys):
    assert "simplex+" in KIND_NAMES
    assert main(["check", "x", "x", "--domain", "x=foo"]) == 2
    err = capsys.readouterr().err
    assert "known domains: " + ", ".join(KIND_NAMES) in err
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "simplex+" in capsys.readouterr().out
    # each kind named is one the reader takes
    for kind in KIND_NAMES:
        assert main(["check", "x_k", "x_k", "--domain", f"x={kind}"]) in (0, 3), kind
        assert "unknown domain" not in capsys.readouterr().err


@pytest.mark.parametrize("argv, hint", [
    (["lsit"], "did you mean 'list'?"),
    (["verfy", "x.tex"], "did you mean 'verify'?"),
    (["show", "categorical-cross-entrpy"], "did you mean 'categorical-cross-entropy'?"),
    (["build", "--out", "{tmp}", "kl-divergense"], "did you mean 'kl-divergence'?"),
    (["check", "x", "categorical-cross-entrpy"], "did you mean 'categorical-cross-entropy'?"),
    (["check", "x", "x", "--domain", "x=simplx"], "did you mean 'simplex'?"),
    (["check", "x", "x", "--domain", "x=bianry"], "did you mean 'binary'?"),
])
def test_a_misspelt_word_gets_a_did_you_mean(argv, hint, capsys, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    assert hint in capsys.readouterr().err


def test_no_did_you_mean_for_a_word_near_nothing(capsys):
    assert main(["check", "x", "x", "--domain", "x=zzzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


# -- --json ----------------------------------------------------------------------
@pytest.mark.parametrize("a, b, domains, verdict", [
    ("x", "x", [], "equivalent"),
    (r"\sin^2 x + \cos^2 x", "1", [], "equivalent"),
    ("|x|", "x", [], "not_equivalent"),
    (r"\log x", r"\log(-x)", [], "unknown"),
    (r"\lfloor x \rfloor + \lceil x \rceil", r"\lceil x \rceil + \lfloor x \rfloor + 0", [], None),
    ("y_i+", "y", [], "error"),
])
def test_check_json_is_one_line_with_the_same_keys_for_every_verdict(a, b, domains, verdict, capsys):
    main(["check", a, b, "--json", *domains])
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n")
    data = json.loads(out)
    assert tuple(data) == JSON_KEYS
    if verdict is not None:
        assert data["verdict"] == verdict
    if data["verdict"] == "equivalent":
        assert isinstance(data["proved"], bool) and data["evidence"]
    else:
        assert data["proved"] is None and data["evidence"] is None
    assert (data["counterexample"] is not None) == (data["verdict"] == "not_equivalent")


def test_check_json_keys_stay_the_same_on_a_timeout(capsys):
    # a pair given almost no time: unknown (out of time) or decided, same keys either way
    main(["check", r"\sum_{i=1}^{N}\log(1+e^{x_i})", r"\sum_{i=1}^{N}\log(1+e^{x_i})", "--json",
          "--timeout", "0.001"])
    assert tuple(json.loads(capsys.readouterr().out)) == JSON_KEYS


def test_verify_json_is_one_object_per_file_with_the_same_keys(tmp_path, capsys):
    good = ROOT / "examples" / "seed003_bernoulli.tex"
    bad = ROOT / "examples" / "broken" / "seed003_bernoulli.sign.tex"
    unusable = tmp_path / "empty.tex"
    unusable.write_text("no display here\n")
    assert main(["verify", "--json", str(good), str(bad), str(unusable)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    reports = [json.loads(line) for line in lines]
    assert [r["status"] for r in reports] == ["holds", "fails", "error"]
    for report in reports:
        assert tuple(report) == REPORT_KEYS
    step_keys = {tuple(step) for r in reports for step in r["steps"]}
    assert len(step_keys) == 1  # every step, whatever its verdict, has the same keys
    assert reports[1]["first_failure"] is not None and reports[0]["first_failure"] is None
    assert reports[2]["reason"] and reports[2]["steps"] == []


# -- derive list -----------------------------------------------------------------
def _run(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_list_reads_the_certificates_and_then_starts_without_the_algebra(tmp_path):
    from derive import catalogue
    from derive.listing import OUTPUTS, rows_from_certificates

    said: list[str] = []
    read = rows_from_certificates(OUTPUTS, said.append)
    assert said == []  # every committed certificate is up to date: nothing checked again
    assert [r.name for r in read] == catalogue.all_names()
    env = {"DERIVE_CACHE_DIR": str(tmp_path)}
    first = _run("list", "--json", env=env)
    assert first.returncode == 0 and first.stderr == ""
    # the second run reads the list kept by the first: neither sympy nor the catalogue is loaded
    probe = ("import sys, runpy; sys.argv = ['derive', 'list']; "
             "from derive.cli import main; code = main(); "
             "print('LOADED', sorted(m for m in ('sympy', 'derive.catalogue') if m in sys.modules)); "
             "sys.exit(code)")
    second = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "LOADED []" in second.stdout
    assert [json.loads(first.stdout)[i]["status"] for i in range(len(read))] == [r.status for r in read]


def test_list_is_about_as_fast_as_starting_python_with_sympy(tmp_path):
    env = {"DERIVE_CACHE_DIR": str(tmp_path)}
    assert _run("list", env=env).returncode == 0  # fills the cache

    def best(*argv: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, env={**os.environ, **env}, capture_output=True, timeout=60, check=True)
            times.append(time.perf_counter() - started)
        return min(times)

    assert best(sys.executable, "-m", "derive", "list") <= 2 * best(sys.executable, "-c", "import sympy")


def test_a_stale_or_missing_certificate_is_checked_again_and_said(tmp_path):
    from derive.listing import OUTPUTS, rows_from_certificates

    for path in OUTPUTS.glob("*.json"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "kl-divergence-one-hot.json").unlink()
    stale = json.loads((tmp_path / "entropy-in-bits.json").read_text())
    stale["steps"][0]["srepr"] = "Integer(0)"  # a certificate of another derivation
    stale["status"] = "failed"
    (tmp_path / "entropy-in-bits.json").write_text(json.dumps(stale))
    said: list[str] = []
    rows = {r.name: r.status for r in rows_from_certificates(tmp_path, said.append)}
    assert len(said) == 1 and "kl-divergence-one-hot, entropy-in-bits" in said[0] and "checked now" in said[0]
    assert rows["entropy-in-bits"] != "failed"  # the stale status is not believed
    assert rows["kl-divergence-one-hot"] in ("proved", "proved_at_sizes", "numeric")


# -- Ctrl-C ----------------------------------------------------------------------
def _interrupt_after_first_line(argv: list[str], marker: str) -> tuple[int, str, str]:
    """Start ``derive ARGV`` in its own process group, wait for a stdout line
    containing ``marker``, press Ctrl-C (SIGINT to the whole group, as a terminal
    does) and return the exit status, stdout and stderr."""
    process = subprocess.Popen([sys.executable, "-m", "derive", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        seen = []
        for line in process.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if marker in line:
                break
        else:
            raise AssertionError(f"finished before the interruption: {''.join(seen)} {process.stderr.read()}")
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, "".join(seen) + out, err


def test_ctrl_c_on_build_keeps_the_finished_derivations(tmp_path):
    from derive.build import chosen_names

    out = tmp_path / "proofs"
    code, stdout, stderr = _interrupt_after_first_line(["build", "--out", str(out)], "->")
    assert code == 130, stderr
    assert "Traceback" not in stderr
    total = len(chosen_names())
    written = [line.split()[0] for line in stdout.splitlines() if "->" in line]
    assert 1 <= len(written) < total
    assert f"stopped; {len(written)} of {total} derivations were written to {out}" in stderr
    for name in written:  # each finished derivation whole
        json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert (out / f"{name}.tex").read_text(encoding="utf-8").rstrip().endswith(r"\end{document}")
        assert (out / f"{name}.md").stat().st_size > 0
    assert not list(out.glob(".*.tmp"))  # no half-written file left behind
    assert not (out / "README.md").exists()


def test_ctrl_c_on_verify_keeps_the_files_checked(tmp_path):
    files = [str(ROOT / "examples" / "seed003_bernoulli.tex")]
    files += [str(ROOT / "examples" / "broken" / p) for p in
              ("seed003_bernoulli.sign.tex", "seed003_bernoulli.mean.tex", "seed003_bernoulli.prodlog.tex",
               "seed001_map_to_mle.sign.tex", "seed001_map_to_mle.swap.tex")]
    files *= 5  # enough work that the interruption lands before the last file, even on a fast machine
    code, stdout, stderr = _interrupt_after_first_line(["verify", "--json", *files], '"source"')
    assert code == 130, stderr
    assert "Traceback" not in stderr
    reports = [json.loads(line) for line in stdout.splitlines()]
    assert 1 <= len(reports) < len(files) and reports[0]["status"] == "holds"
    assert f"stopped; {len(reports)} of {len(files)} files were checked" in stderr


# -- the progress bar ------------------------------------------------------------
def _with_terminal_stderr(argv: list[str]) -> tuple[int, str, str]:
    """``derive ARGV`` with stderr on a pseudo-terminal and stdout on a pipe."""
    import pty

    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 wide
    process = subprocess.Popen([sys.executable, "-m", "derive", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        drawn += chunk
    out = process.stdout.read().decode()  # type: ignore[union-attr]
    process.wait(timeout=120)
    os.close(leader)
    return process.returncode, out, drawn.decode(errors="replace")


@pytest.fixture()
def pairs(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps({"a": f"x + {n}", "b": f"{n} + x"}) + "\n" for n in range(3)))
    return path


def test_the_batch_progress_bar_is_drawn_on_a_terminal_stderr_only(pairs):
    code, out, drawn = _with_terminal_stderr(["check", "--batch", str(pairs)])
    assert code == 0
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["equivalent"] * 3  # stdout: results only
    assert "line/s" in drawn  # tqdm's bar, on the terminal
    piped = _run("check", "--batch", str(pairs))
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: no bar at all
    strip = [{k: v for k, v in json.loads(line).items() if k != "ms"} for line in piped.stdout.splitlines()]
    assert strip == [{k: v for k, v in json.loads(line).items() if k != "ms"} for line in out.splitlines()]


def test_the_verify_progress_bar_never_enters_the_results(tmp_path):
    files = [tmp_path / f"n{k}.md" for k in range(2)]
    for k, path in enumerate(files):
        path.write_text(f"$$\nx + {k} = {k} + x\n$$\n")
    code, out, drawn = _with_terminal_stderr(["verify", "--json", *map(str, files)])
    assert code == 0
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["holds", "holds"]
    assert "file/s" in drawn
    piped = _run("verify", "--json", *map(str, files))
    assert piped.stderr == "" and piped.stdout == out


# -- README ----------------------------------------------------------------------
def test_a_derive_comment_written_as_inline_code_is_code(tmp_path):
    from derive.verify import verify_file

    page = tmp_path / "notes.md"
    page.write_text("Write `<!-- derive: skip -->` before a display to skip it.\n\n"
                    "<!-- derive: a=positive, b=positive -->\n\n$$\n\\log(ab) = \\log a + \\log b\n$$\n")
    report = verify_file(page)
    assert report.status == "holds" and not report.skipped  # the real comment is read, the example is not


def test_the_readme_links_only_files_in_the_repository():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    assert "DESIGN.md" not in readme
    for word in ("seed 0", "seed-0", "seeds'", "issue "):
        assert word not in readme, word
