"""The Python surface: what ``derive.__all__`` offers, one ``timeout=`` for time
limits, a worker kept between ``derive.check(timeout=)`` calls, docstrings,
type information checked by mypy, and assertions that read well in pytest."""
from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

import derive

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["pytester"]


# -- the public names --------------------------------------------------------------
def test_all_names_the_public_surface():
    wanted = {"check", "verify_file", "verify_text", "catalogue", "Derivation", "Builder", "Context",
              "SymbolSpec", "Role", "Domain", "check_derivation", "Verdict", "Answer", "VerifyReport",
              "StepResult", "Report", "StepReport", "Status", "ParseError", "VerifyError"}
    assert wanted <= set(derive.__all__)
    for name in derive.__all__:
        assert getattr(derive, name) is not None, name
    with pytest.raises(AttributeError):
        derive.no_such_name  # noqa: B018


def test_importing_derive_loads_no_algebra():
    probe = "import sys, derive; print('sympy' in sys.modules, 'derive.catalogue' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr


def _undocumented(owner: str, name: str, obj) -> list[str]:
    missing = []
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        if not inspect.getdoc(obj):
            missing.append(f"{owner}.{name}")
    elif inspect.isclass(obj):
        if not obj.__doc__:
            missing.append(f"{owner}.{name}")
        for member, value in vars(obj).items():
            if member.startswith("_"):
                continue
            if (inspect.isfunction(value) or isinstance(value, property)) and not value.__doc__:
                missing.append(f"{owner}.{name}.{member}")
    return missing


def test_every_public_function_and_method_has_a_docstring():
    import derive.equivalence
    import derive.testing
    import derive.verify
    from derive import catalogue

    missing = []
    for module in (derive, derive.testing, derive.verify, derive.equivalence):
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.ismodule(obj):
                missing += _undocumented(module.__name__, name, obj)
    for name in ("names", "get", "all_derivations", "refutation_names", "get_refutation", "all_names"):
        missing += _undocumented("derive.catalogue", name, getattr(catalogue, name))
    assert missing == []


# -- one name for time limits ----------------------------------------------------------
def test_timeout_is_the_name_and_seconds_still_works_with_a_warning():
    from derive.equivalence import check
    from derive.testing import assert_derivation
    from derive.verify import verify_text

    text = "\\begin{equation}\n a + b = b + a\n\\end{equation}\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name: no warning
        assert check("x + 1", "1 + x", timeout=5).verdict == "equivalent"
        assert verify_text(text, timeout=5).status == "holds"
        assert assert_derivation(text, timeout=5).status == "holds"
    for call in (lambda: check("x + 1", "1 + x", seconds=5),
                 lambda: verify_text(text, seconds=5),
                 lambda: assert_derivation(text, seconds=5)):
        with pytest.warns(DeprecationWarning, match=r"\(timeout=\.\.\.\)"):
            call()


def test_the_signatures_say_timeout():
    from derive.equivalence import check
    from derive.testing import assert_derivation, assert_equivalent

    for fn in (derive.check, derive.verify_file, derive.verify_text, check, assert_derivation, assert_equivalent):
        assert "timeout" in inspect.signature(fn).parameters, fn.__qualname__


# -- derive.check(timeout=) keeps its worker ------------------------------------------
PAIR = (r"\log(ab)", r"\log a + \log b", {"a": "positive", "b": "positive"})


def test_check_with_a_timeout_costs_little_more_than_without():
    derive.check(*PAIR)
    derive.check(*PAIR, timeout=10)  # the worker starts here

    def per_call(timeout) -> float:
        best = []
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(10):
                assert derive.check(*PAIR, timeout=timeout).verdict == "equivalent"
            best.append((time.perf_counter() - started) / 10)
        return min(best)

    # target: 10 ms per call; twice that leaves room for a shared, noisy machine
    assert per_call(10) - per_call(None) < 0.020


def test_a_late_check_is_stopped_and_its_worker_replaced():
    from derive.equivalence.batch import _KEPT

    derive.check(*PAIR, timeout=10)
    before = _KEPT.pid
    assert before is not None
    pair = r"\sum_{i=1}^{N}\log(1+e^{x_i}) + \sum_{k=1}^{K} \sin(x_k)^2", r"\sum_{i=1}^{N}\log(1+e^{x_i})"
    started = time.perf_counter()
    verdict = derive.check(*pair, timeout=0.05)
    assert time.perf_counter() - started < 2
    assert verdict.verdict == "unknown" and "no answer within 0.05 s" in verdict.reason
    assert not _pid_alive(before)  # the late worker is gone
    assert derive.check(*PAIR, timeout=10).verdict == "equivalent"  # a fresh worker answers
    assert _KEPT.pid not in (None, before)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers: read its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_the_kept_worker_enforces_each_call_s_own_limit():
    from derive.core.workers import Done, Failed, KeptWorker

    worker = KeptWorker(_sleep_then_echo)
    try:
        assert worker.run(0.0, timeout=5) == Done(0.0)
        first = worker.pid
        late = worker.run(3.0, timeout=0.2)
        assert isinstance(late, Failed) and late.timed_out
        assert worker.run(0.0, timeout=5) == Done(0.0)
        assert worker.pid != first
    finally:
        worker.close()


def _sleep_then_echo(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_formula_that_cannot_be_read_raises_in_the_caller_with_a_timeout():
    with pytest.raises(derive.ParseError):
        derive.check("y_i+", "y", timeout=5)
    assert derive.check(r"-\sum_{i=1}^{N}\sum_{k=1}^{C} y_{i,k}\log\hat{y}_{i,k}", "categorical-cross-entropy",
                        timeout=60).verdict in ("equivalent", "not_equivalent")


# -- type information ------------------------------------------------------------------
def test_the_package_ships_py_typed():
    assert (ROOT / "derive" / "py.typed").exists()
    assert 'derive = ["py.typed"]' in (ROOT / "pyproject.toml").read_text()


def test_mypy_finds_no_error_in_derive(tmp_path):
    pytest.importorskip("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy", "derive", "--cache-dir", str(tmp_path / "cache")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]


# -- assertions in pytest ------------------------------------------------------------
def test_assert_derivation_shows_the_caller_s_line_and_the_failing_step_once(pytester):
    pytester.makepyfile(test_notes=textwrap.dedent(r'''
        from derive.testing import assert_derivation

        def test_notes():
            assert_derivation("\\begin{align}\n a + b &= b - a\n\\end{align}\n")
        '''))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "derive/testing.py" not in out  # its own frames are hidden
    assert 'assert_derivation("' in out  # the caller's line is shown
    # pytest's short summary repeats the whole message when CI is set; count
    # in the failure report itself
    report = out.split("short test summary info")[0]
    assert report.count("line 2: =: fails") == 1  # the failing step, once
