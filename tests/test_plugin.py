"""The pytest plugin (derive/pytest_plugin.py) and the assertions of derive/testing.py.

Two layers: the plugin's machinery against a stand-in for ``verify_file``
(a conftest in the temporary project replaces it), and the whole path
through the real ``derive verify`` engine. Projects run in a subprocess so
the installed ``pytest11`` entry point is what loads the plugin.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from derive.pytest_plugin import _match_parts

pytest_plugins = ["pytester"]

GOOD_TEX = textwrap.dedent(r"""
    % derive: a=positive, b=positive
    \begin{align}
    \log(ab) &= \log a + \log b \\
             &= \log b + \log a
    \end{align}
    """).lstrip()
BROKEN_TEX = GOOD_TEX.replace(r"&= \log b + \log a", r"&= \log b - \log a")
UNREADABLE_TEX = GOOD_TEX.replace(r"&= \log b + \log a", r"&= \frac{\log b")
GOOD_MD = textwrap.dedent(r"""
    # Notes

    <!-- derive: a=positive, b=positive -->

    $$ \log(ab) = \log a + \log b $$
    """).lstrip()
BROKEN_MD = GOOD_MD.replace(r"\log a + \log b", r"\log a - \log b")
DOMAINS = {"a": "positive", "b": "positive"}

# A stand-in engine: each pair "VERDICT RELATION" on a line of a .tex/.md file is
# one step on that line ("unread" is an unknown step whose line could not be read);
# "error" raises VerifyError on that line (a file that cannot be used). The domains
# and seconds the plugin passed are written into every step's reason.
FAKE_CONFTEST = textwrap.dedent('''
    import derive.verify
    from derive.verify import StepResult, StepVerdict, VerifyError, VerifyReport

    def fake_verify_file(path, domains=None, timeout=20.0):
        steps = []
        for n, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
            words = line.split()
            if not words:
                continue
            if words[0] == "error":
                raise VerifyError("cannot read this formula", str(path), n)
            for ordinal, (verdict, relation) in enumerate(zip(words[::2], words[1::2]), 1):
                cex = {"values": {"a": 2.0}, "a": 1.0, "b": -1.0} if verdict == "fails" else None
                method = "unread" if verdict == "unread" else "symbolic"
                verdict = "unknown" if verdict == "unread" else verdict
                steps.append(StepResult(n, ordinal, "x", "y", relation, StepVerdict(verdict), method,
                                        f"domains={sorted((domains or {}).items())} seconds={timeout}",
                                        counterexample=cex))
        return VerifyReport(str(path), tuple(steps))

    derive.verify.verify_file = fake_verify_file
    ''')

RUN = ("-p", "no:cacheprovider", "-rA")


def project(pytester: pytest.Pytester, ini: str, files: dict[str, str], fake: bool = False) -> None:
    pytester.makeini("[pytest]\n" + textwrap.dedent(ini))
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if fake:
        pytester.makeconftest(FAKE_CONFTEST)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*RUN, *args)


# -- the plugin without the engine ---------------------------------------------------------------
def test_help_lists_the_ini_options(pytester):
    result = run(pytester, "--help")
    result.stdout.fnmatch_lines(["*derive_files (linelist)*", "*derive_domains (linelist)*",
                                 "*derive_seconds*", "*derive_undecided*"])


def test_without_derive_files_nothing_is_collected(pytester):
    project(pytester, "", {"good.tex": GOOD_TEX, "notes.md": GOOD_MD,
                           "test_plain.py": "def test_plain():\n    pass\n"})
    result = run(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["test_plain.py::test_plain", "*1 test collected*"])
    result.stdout.no_fnmatch_line("*good.tex*")
    result.stdout.no_fnmatch_line("*notes.md*")


def test_startup_does_not_import_sympy(pytester):
    project(pytester, "derive_files = nothing/*.tex\n", {"test_plain.py": textwrap.dedent("""
        import sys
        def test_no_sympy():
            assert "derive.pytest_plugin" in sys.modules
            assert "sympy" not in sys.modules
            assert "derive.verify" not in sys.modules
        """)})
    run(pytester).assert_outcomes(passed=1)


def test_pattern_matching_is_glob_by_path_segment():
    assert _match_parts(("*.tex",), ("good.tex",))
    assert not _match_parts(("*.tex",), ("sub", "good.tex"))
    assert _match_parts(("examples", "*.tex"), ("examples", "good.tex"))
    assert not _match_parts(("examples", "*.tex"), ("other", "good.tex"))
    assert _match_parts(("**", "*.md"), ("notes.md",))
    assert _match_parts(("**", "*.md"), ("a", "b", "notes.md"))
    assert _match_parts(("docs", "**", "*.md"), ("docs", "a", "notes.md"))
    assert not _match_parts(("docs", "**", "*.md"), ("notes.md",))


def test_fake_engine_one_item_per_step(pytester):
    project(pytester, "derive_files = *.tex\n",
            {"steps.tex": "holds =\ndefines =\n\nholds <= holds =\n", "skipped.txt": "fails =\n",
             "sub/other.tex": "fails =\n"}, fake=True)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*steps.tex::line-1 PASSED*", "*steps.tex::line-2 PASSED*",
                                 "*steps.tex::line-4 PASSED*", "*steps.tex::line-4.2 PASSED*"])
    result.stdout.no_fnmatch_line("*other.tex*")


def test_fake_engine_failure_shows_the_step_not_a_traceback(pytester):
    project(pytester, "derive_files = *.tex\n", {"steps.tex": "holds =\nfails =\n"}, fake=True)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*_ derive step line 2 (=) _*", "steps.tex:2: step fails",
                                 "line 2: =: fails (symbolic)*", "*counterexample:*", "*a = 2.0*",
                                 "FAILED steps.tex::line-2*"])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*pytest_plugin.py*")


def test_fake_engine_unknown_fails_as_not_proved(pytester):
    project(pytester, "derive_files = *.tex\n", {"steps.tex": "unknown =\n"}, fake=True)
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["steps.tex:1: step undecided, so not proved: domains=* seconds=20.0",
                                 "line 1: =: unknown*"])


def test_fake_engine_file_that_cannot_be_used_is_a_collection_error(pytester):
    project(pytester, "derive_files = *.tex\n", {"steps.tex": "holds =\nerror\n"}, fake=True)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ERROR collecting steps.tex*", "derive cannot use steps.tex:2: "
                                 "cannot read this formula"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_fake_engine_unread_step_fails_with_its_reason(pytester):
    project(pytester, "derive_files = *.tex\nderive_undecided = skip\n", {"steps.tex": "holds =\nunread =\n"},
            fake=True)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)  # not read always fails, whatever derive_undecided says
    result.stdout.fnmatch_lines(["steps.tex:2: step not read: domains=* seconds=20.0", "line 2: =: unknown (unread)*"])


def test_fake_engine_undecided_as_xfail_or_skip(pytester):
    files = {"steps.tex": "holds =\nunknown =\nskipped display\nfails =\n"}
    project(pytester, "derive_files = *.tex\nderive_undecided = xfail\n", files, fake=True)
    result = run(pytester, "-rxs")
    result.assert_outcomes(passed=1, xfailed=1, skipped=1, failed=1)
    result.stdout.fnmatch_lines(["*steps.tex:2: step undecided, so not proved: domains=*"])
    project(pytester, "derive_files = *.tex\nderive_undecided = skip\n", files, fake=True)
    run(pytester).assert_outcomes(passed=1, skipped=2, failed=1)
    project(pytester, "derive_files = *.tex\n", files, fake=True)
    run(pytester).assert_outcomes(passed=1, skipped=1, failed=2)


def test_fake_engine_bad_undecided_is_a_collection_error(pytester):
    project(pytester, "derive_files = *.tex\nderive_undecided = maybe\n", {"s.tex": "holds =\n"}, fake=True)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*derive_undecided: 'maybe' is not one of fail, xfail, skip*"])


@pytest.mark.parametrize("option", ["derive_timeout", "derive_seconds"])  # the new name, and the old one
def test_fake_engine_domains_and_seconds_reach_verify_file(pytester, option):
    ini = f"""
        derive_files = *.md
        derive_domains =
            a=positive
            b=prob, c=real
        {option} = 7.5
        """
    project(pytester, ini, {"n.md": "unknown =\n"}, fake=True)
    result = run(pytester)
    result.assert_outcomes(failed=1)
    assert "domains=[('a', 'positive'), ('b', 'prob'), ('c', 'real')] seconds=7.5" in result.stdout.str()


def test_fake_engine_bad_domains_is_a_collection_error(pytester):
    project(pytester, "derive_files = *.md\nderive_domains = a positive\n", {"n.md": "holds =\n"}, fake=True)
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*'a positive' is not SYMBOL=KIND*"])


def test_fake_engine_reportinfo_and_marker(pytester):
    project(pytester, "derive_files = *.tex\n", {"steps.tex": "\n\nholds <=\n", "test_plain.py":
                                                  "def test_plain():\n    pass\n"}, fake=True)
    pytester.makeconftest(FAKE_CONFTEST + textwrap.dedent('''
        def pytest_collection_modifyitems(items):
            for item in items:
                print("INFO", item.nodeid, item.reportinfo()[1:], item.get_closest_marker("derive") is not None)
        '''))
    result = run(pytester, "-s", "-m", "derive")
    result.stdout.fnmatch_lines(["INFO steps.tex::line-3 (2, 'derive step line 3 (<=)') True"])
    result.assert_outcomes(passed=1, deselected=1)


def test_fake_engine_files_outside_testpaths_are_collected(pytester):
    ini = """
        testpaths = tests
        derive_files = examples/*.tex
        """
    project(pytester, ini, {"tests/test_plain.py": "def test_plain():\n    pass\n",
                            "examples/steps.tex": "holds =\n", "examples/more/deeper.tex": "fails =\n",
                            "other/steps.tex": "fails =\n"}, fake=True)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*examples/steps.tex::line-1 PASSED*"])
    # paths on the command line: only what they hold
    result = run(pytester, "tests")
    result.assert_outcomes(passed=1)


# -- through the engine --------------------------------------------------------------------------
def test_good_file_passes_step_by_step(pytester):
    project(pytester, "derive_files = *.tex\n", {"good.tex": GOOD_TEX})
    result = run(pytester, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*good.tex::line-3 PASSED*", "*good.tex::line-4 PASSED*"])


def test_broken_step_fails_with_its_counterexample(pytester):
    project(pytester, "derive_files = *.tex\n", {"good.tex": GOOD_TEX, "broken.tex": BROKEN_TEX})
    result = run(pytester, "-v")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*broken.tex::line-3 PASSED*", "*broken.tex::line-4 FAILED*"])
    result.stdout.fnmatch_lines(["*_ derive step line 4 (=) _*", "broken.tex:4: step fails", "line 4: =: fails*",
                                 "*counterexample:*", "FAILED broken.tex::line-4*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_unreadable_formula_is_a_failing_item_with_its_line(pytester):
    project(pytester, "derive_files = *.tex\n", {"bad.tex": UNREADABLE_TEX})
    result = run(pytester, "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*bad.tex::line-3 PASSED*", "*bad.tex::line-4 FAILED*",
                                 "bad.tex:4: step not read: not checked: line 4: cannot read the formula *"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_skip_comment_makes_a_skipped_item(pytester):
    skipped = UNREADABLE_TEX.replace("\\begin{align}", "% derive: skip\n\\begin{align}")
    project(pytester, "derive_files = *.tex\n", {"skip.tex": skipped, "good.tex": GOOD_TEX})
    result = run(pytester, "-v", "-rs")
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["*skip.tex::line-3 SKIPPED*", "*skip.tex:3: the display is skipped*"])


def test_markdown_files(pytester):
    project(pytester, "derive_files = docs/*.md\n", {"docs/notes.md": GOOD_MD, "docs/broken.md": BROKEN_MD})
    result = run(pytester, "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*docs/broken.md::line-5 FAILED*", "*docs/notes.md::line-5 PASSED*",
                                 "docs/broken.md:5: step fails", "*counterexample:*"])


def test_ini_domains_apply_to_every_file(pytester):
    plain = GOOD_TEX.split("\n", 1)[1]  # without its "% derive:" line: the ini gives the domains
    project(pytester, "derive_files = *.tex\nderive_domains = a=positive, b=positive\n", {"plain.tex": plain})
    result = run(pytester, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*plain.tex::line-2 PASSED*", "*plain.tex::line-3 PASSED*"])


# -- derive.testing ------------------------------------------------------------------------------
from derive.testing import assert_derivation, assert_equivalent  # noqa: E402


def test_assert_equivalent_passes_and_returns_the_verdict():
    verdict = assert_equivalent(r"\log(ab)", r"\log a + \log b", DOMAINS)
    assert verdict.verdict == "equivalent"
    assert verdict


def test_assert_equivalent_in_process():
    assert assert_equivalent(r"(x+1)^2", r"x^2 + 2x + 1", timeout=None)


def test_assert_equivalent_failure_has_the_counterexample():
    with pytest.raises(AssertionError) as info:
        assert_equivalent(r"\log(ab)", r"\log a - \log b", DOMAINS)
    message = str(info.value)
    assert "not equal" in message and "not_equivalent" in message
    assert "counterexample:" in message and "    a = " in message and "    b = " in message


def test_assert_equivalent_bad_input_is_not_an_assertion_error():
    from derive.parsing import ParseError
    with pytest.raises(ParseError):
        assert_equivalent(r"\frac{", "x")


def test_assert_derivation_text_holds():
    report = assert_derivation(GOOD_TEX)
    assert report.status == "holds" and [s.id for s in report.steps] == ["line-3", "line-4"]


def test_assert_derivation_path_and_str_path(tmp_path):
    (tmp_path / "good.tex").write_text(GOOD_TEX, encoding="utf-8")
    (tmp_path / "notes.md").write_text(GOOD_MD, encoding="utf-8")
    assert assert_derivation(tmp_path / "good.tex")
    assert assert_derivation(str(tmp_path / "good.tex"))
    assert [s.id for s in assert_derivation(tmp_path / "notes.md").steps] == ["line-5"]


def test_assert_derivation_markdown_text_and_domains():
    assert assert_derivation(r"$$ \log(ab) = \log a + \log b $$", DOMAINS, fmt="md")


def test_assert_derivation_failure_message(tmp_path):
    path = tmp_path / "broken.tex"
    path.write_text(BROKEN_TEX, encoding="utf-8")
    with pytest.raises(AssertionError) as info:
        assert_derivation(path)
    message = str(info.value)
    assert "fails at line 4" in message
    assert "line  relation" in message  # the report's rows
    assert message.count("line 4: =: fails") == 1 and message.count("counterexample:") == 1  # the step, once


def test_assert_derivation_unreadable_line_is_not_proved(tmp_path):
    from derive.verify import VerifyError
    with pytest.raises(AssertionError) as info:
        assert_derivation(UNREADABLE_TEX)
    message = str(info.value)
    assert "undecided (not proved) at line 4" in message
    assert "not checked: line 4: cannot read the formula" in message
    with pytest.raises(VerifyError):
        assert_derivation(tmp_path / "missing.tex")
    with pytest.raises(VerifyError):
        assert_derivation("no display here at all")


def _fake_report(*verdicts: str):
    from derive.verify import StepResult, StepVerdict, VerifyReport
    return VerifyReport("<text>", tuple(
        StepResult(n, 1, "x", "y", "=", StepVerdict(v), "symbolic", f"reason {n}",
                   counterexample={"values": {"x": 3}, "a": 1, "b": 2} if v == "fails" else None)
        for n, v in enumerate(verdicts, 1)))


def test_assert_derivation_messages_with_a_stand_in_engine(monkeypatch):
    import derive.verify
    reports = iter([_fake_report("holds", "defines"), _fake_report("holds", "unknown"),
                    _fake_report("fails", "unknown", "fails")])
    calls = []

    def fake(text, fmt="tex", domains=None, source="<text>", timeout=20.0):
        calls.append((text, fmt, domains, source, timeout))
        return next(reports)

    monkeypatch.setattr(derive.verify, "verify_text", fake)
    assert assert_derivation("a = b", {"a": "real"}, timeout=3).status == "holds"
    assert calls == [("a = b", "tex", {"a": "real"}, "<text>", 3)]
    with pytest.raises(AssertionError, match=r"undecided \(not proved\) at line 2"):
        assert_derivation("a = b")
    with pytest.raises(AssertionError) as info:
        assert_derivation("a = b", fmt="md")
    message = str(info.value)
    assert calls[-1][1] == "md"
    assert "fails at line 1, line 3" in message and "undecided (not proved) at line 2" in message
    assert message.count("counterexample:") == 2  # each failing step once
    assert "line 3: =: fails" in message and "reason 2" in message


def test_assert_derivation_text_that_looks_like_no_path():
    from derive.testing import _existing_file
    assert _existing_file("x" * 5000) is None
    assert _existing_file("a\x00b") is None
    assert _existing_file(r"\log(ab) = \log a + \log b") is None
    assert _existing_file(Path("missing.tex")) == Path("missing.tex")
