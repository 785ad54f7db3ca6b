"""A pytest plugin: every step of your own derivations is a test.

Name the files in your pytest configuration (``pytest.ini``, ``tox.ini``,
``setup.cfg`` or ``[tool.pytest.ini_options]`` of ``pyproject.toml``)::

    [pytest]
    derive_files =
        docs/*.tex
        notes/**/*.md
    derive_domains =
        a=positive
        b=positive

and ``pytest`` checks them with ``derive verify``: a file is read and checked
once and each step becomes one test, named by the line its right-hand side is
written on (``docs/proof.tex::line-12``, ``line-12.2`` for a second step on
that line). A step that holds, or a line that defines a name, passes; a step
that fails fails with the step and its counterexample; a step that stays
undecided fails too (undecided is not proved), unless ``derive_undecided``
says otherwise. A line derive cannot read is a failing item with its line and
reason (the file's other steps are still checked); a display after a
``% derive: skip`` comment (``<!-- derive: skip -->`` in Markdown) is a skipped
item. Only a file that cannot be used at all (missing, not text, no display, a
bad ``derive:`` comment or domain) is a collection error naming ``file:line``.
Steps carry the ``derive`` marker (``pytest -m derive``).

Options (all ini options; none is needed by projects that do not use derive):

``derive_files``
    glob patterns relative to the rootdir, one a line; ``*`` stays inside one
    directory, ``**`` spans any number of them. Only ``.tex``, ``.md`` and
    ``.markdown`` files are collected. When pytest runs without paths on its
    command line and collects its ``testpaths``, matching files outside those
    paths are checked too, so ``derive_files = examples/*.tex`` works next to
    ``testpaths = tests``.
``derive_domains``
    ``SYMBOL=KIND`` items (one a line, or comma separated) applied to every
    file, as ``derive verify --domain``; a file's own ``% derive:`` line adds
    to them (the ini wins for a symbol both name). (``derive verify`` rejects a domain for a symbol a file does not
    use, so name here only symbols every collected file uses.)
``derive_timeout``
    the time limit per step handed to ``verify_file``, in seconds (default 20);
    ``derive_seconds`` is its old name, still read, with a warning.
``derive_undecided``
    what a step that was read but stayed undecided is: ``fail`` (the default:
    undecided is not proved), ``xfail`` (reported as an expected failure, with
    the reason) or ``skip`` (reported as skipped, with the reason). A line that
    could not be read always fails.

The plugin is registered through the ``pytest11`` entry point. It imports
nothing heavy at start-up: :mod:`derive.verify` (and sympy) are imported only
when a derive file is collected.
"""
from __future__ import annotations

import fnmatch
import warnings
from pathlib import Path, PurePosixPath

import pytest

SUFFIXES = (".tex", ".md", ".markdown")
_PATTERNS = pytest.StashKey[tuple]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("derive_files", "derive: glob patterns (relative to the rootdir) of .tex/.md derivations "
                  "whose steps are collected as tests", type="linelist", default=[])
    parser.addini("derive_domains", "derive: SYMBOL=KIND domains applied to every derive file",
                  type="linelist", default=[])
    parser.addini("derive_timeout", "derive: time limit in seconds per step of a derive file (default 20)",
                  default=None)
    parser.addini("derive_seconds", "derive: the old name of derive_timeout", default=None)
    parser.addini("derive_undecided", "derive: what an undecided step is: fail (default), xfail or skip",
                  default="fail")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "derive: a step of a derivation checked by derive verify")


def _patterns(config: pytest.Config) -> tuple[tuple[str, ...], ...]:
    """The ``derive_files`` patterns, each split into its path segments."""
    try:
        return config.stash[_PATTERNS]
    except KeyError:
        pass
    out = []
    for pattern in config.getini("derive_files"):
        parts = tuple(p for p in PurePosixPath(pattern.strip().replace("\\", "/")).parts if p not in ("", "."))
        if parts:
            out.append(parts)
    config.stash[_PATTERNS] = tuple(out)
    return config.stash[_PATTERNS]


def _match_parts(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Glob match segment by segment: ``*`` within a segment, ``**`` any number of segments."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match_parts(rest, parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], head) and _match_parts(rest, parts[1:])


def matches(config: pytest.Config, file_path: Path) -> bool:
    """Does ``file_path`` match one of the ``derive_files`` patterns?"""
    patterns = _patterns(config)
    if not patterns or file_path.suffix.lower() not in SUFFIXES:
        return False
    try:
        rel = file_path.resolve().relative_to(config.rootpath.resolve())
    except ValueError:
        return False
    parts = rel.parts
    return any(_match_parts(p, parts) for p in patterns)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if matches(parent.config, file_path):
        return DeriveFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """With no paths on the command line, also collect derive files outside ``testpaths``."""
    config = session.config
    testpaths = getattr(getattr(pytest.Config, "ArgsSource", None), "TESTPATHS", None)  # pytest >= 7.2
    if testpaths is None or getattr(config, "args_source", None) is not testpaths or not _patterns(config):
        return
    roots = [Path(a).resolve() for a in config.args]
    extra = set()
    for pattern in config.getini("derive_files"):
        pattern = pattern.strip()
        if not pattern or Path(pattern).is_absolute():
            continue
        for path in config.rootpath.glob(pattern):
            path = path.resolve()
            if path.is_file() and matches(config, path) and not any(r == path or r in path.parents for r in roots):
                extra.add(path)
    config.args = [*config.args, *(str(p) for p in sorted(extra))]


def _domains(config: pytest.Config) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in config.getini("derive_domains"):
        for item in line.split(","):
            item = item.strip()
            if not item:
                continue
            sym, eq, kind = item.partition("=")
            if not eq or not sym.strip() or not kind.strip():
                raise ValueError(f"derive_domains: {item!r} is not SYMBOL=KIND")
            out[sym.strip()] = kind.strip()
    return out


def _timeout(config: pytest.Config) -> float:
    """``derive_timeout`` (or its old name ``derive_seconds``, with a warning), 20 by default."""
    name, raw = "derive_timeout", config.getini("derive_timeout")
    if raw is None and config.getini("derive_seconds") is not None:
        name, raw = "derive_seconds", config.getini("derive_seconds")
        warnings.warn("the ini option derive_seconds is now derive_timeout; the old name will go",
                      DeprecationWarning, stacklevel=2)
    if raw is None:
        return 20.0
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {raw!r} is not a number of seconds") from None
    if not value > 0:
        raise ValueError(f"{name}: {raw!r} is not a positive number of seconds")
    return value


#: What ``derive_undecided`` may say an undecided step is.
UNDECIDED = ("fail", "xfail", "skip")


def _undecided(config: pytest.Config) -> str:
    raw = str(config.getini("derive_undecided")).strip()
    if raw not in UNDECIDED:
        raise ValueError(f"derive_undecided: {raw!r} is not one of {', '.join(UNDECIDED)}")
    return raw


class DeriveFile(pytest.File):
    """A ``.tex``/``.md`` derivation: checked once, one :class:`DeriveStep` per step."""

    def collect(self):
        from .verify import VerifyError, verify_file  # sympy is loaded only now

        config = self.config
        try:
            domains, timeout, undecided = _domains(config), _timeout(config), _undecided(config)
        except ValueError as exc:
            raise self.CollectError(f"derive: bad pytest configuration: {exc}") from None
        try:
            report = verify_file(self.path, domains=domains, timeout=timeout)
        except VerifyError as exc:
            where = self.nodeid if exc.line is None else f"{self.nodeid}:{exc.line}"
            raise self.CollectError(f"derive cannot use {where}: {exc.message}") from None
        self.report = report
        for step in report.steps:
            yield DeriveStep.from_parent(self, name=step.id, step=step, undecided=undecided)


class DeriveStepFailure(Exception):
    """A step that does not hold (``fails`` or ``unknown``)."""

    def __init__(self, step):
        super().__init__(step.text())
        self.step = step


class DeriveStep(pytest.Item):
    """One step of a derivation; passes when it holds (or defines a name)."""

    def __init__(self, *, step, undecided: str = "fail", **kwargs):
        super().__init__(**kwargs)
        self.step = step
        self.undecided = undecided
        self.add_marker("derive")

    def runtest(self) -> None:
        step = self.step
        where = f"{self.parent.nodeid if self.parent is not None else self.nodeid}:{step.line}"
        if step.verdict.value == "skipped":
            pytest.skip(f"{where}: {step.reason}")
        if step.verdict.value == "unknown" and not step.unread and self.undecided != "fail":
            message = f"{where}: step undecided, so not proved: {step.reason}"
            if self.undecided == "xfail":
                pytest.xfail(message)
            pytest.skip(message)
        if not step.ok:
            raise DeriveStepFailure(step)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DeriveStepFailure):
            step, where = excinfo.value.step, self.parent.nodeid
            if step.unread:
                head = f"{where}:{step.line}: step not read: {step.reason}"
            elif step.verdict.value == "unknown":
                head = f"{where}:{step.line}: step undecided, so not proved: {step.reason}"
            else:
                head = f"{where}:{step.line}: step fails"
            return f"{head}\n{step.text()}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.step.line - 1, f"derive step line {self.step.line} ({self.step.relation})"
