"""derive: symbolic derivations from likelihoods to losses, checked step by step.

The public surface (``derive.__all__``):

- :func:`check` -- is one LaTeX formula equal to another (or to a built-in
  result)? A :class:`Verdict`.
- :func:`verify_file`, :func:`verify_text` -- check a derivation written in
  LaTeX or Markdown, line by line: a :class:`VerifyReport` of
  :class:`StepResult` rows.
- :mod:`catalogue` -- the built-in derivations (``catalogue.names()``,
  ``catalogue.get(name)``), each a :class:`Derivation`.
- Building a derivation: a :class:`Context` of :class:`SymbolSpec` (each with
  a :class:`Role` and a :class:`Domain`), a :class:`Builder` that applies the
  named rules, and :func:`check_derivation`, which checks every step into a
  :class:`Report` (one :class:`StepReport` per step, each of a :class:`Status`).
- :func:`from_likelihood` -- a likelihood in LaTeX to a :class:`Derivation`
  found by searching the registered rules; :func:`register_move` lets the
  search try a rule of your own.
- Errors: :class:`ParseError` (a formula that cannot be read),
  :class:`VerifyError` (a file that cannot be used).

Every time limit is ``timeout=``, in seconds. Importing ``derive`` is light:
each name is loaded on first use.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Where each public name lives (loaded on first use, so ``import derive`` stays fast).
_WHERE = {
    "verify_file": "derive.verify",
    "verify_text": "derive.verify",
    "VerifyReport": "derive.verify.results",
    "StepResult": "derive.verify.results",
    "VerifyError": "derive.verify.results",
    "Verdict": "derive.equivalence.verdict",
    "Answer": "derive.equivalence.verdict",
    "ParseError": "derive.parsing.lexer",
    "Derivation": "derive.core.derivation",
    "Builder": "derive.core.derivation",
    "Context": "derive.core.context",
    "SymbolSpec": "derive.core.context",
    "Role": "derive.core.context",
    "Domain": "derive.core.domains",
    "check_derivation": "derive.checks.steps",
    "from_likelihood": "derive.search",
    "register_move": "derive.search",
    "Report": "derive.checks.results",
    "StepReport": "derive.checks.results",
    "Status": "derive.checks.results",
}

__all__ = ["check", "catalogue", *_WHERE, "__version__"]

if TYPE_CHECKING:
    from . import catalogue
    from .checks.results import Report, Status, StepReport
    from .checks.steps import check_derivation
    from .search import from_likelihood, register_move
    from .core.context import Context, Role, SymbolSpec
    from .core.derivation import Builder, Derivation
    from .core.domains import Domain
    from .equivalence.verdict import Answer, Verdict
    from .parsing.lexer import ParseError
    from .verify import verify_file, verify_text
    from .verify.results import StepResult, VerifyError, VerifyReport


def __getattr__(name: str) -> Any:
    """Load a public name (or the ``catalogue`` package) on first use."""
    if name == "catalogue":
        return import_module("derive.catalogue")
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def check(a: str, b: str, domains: dict[str, str] | None = None, timeout: float | None = None,
          require_proof: bool = False) -> Verdict:
    """Is LaTeX formula ``a`` equal to ``b`` wherever both are defined? Returns a
    :class:`Verdict` (it renders in Jupyter).

    ``b`` may be a built-in name from ``derive list``. ``domains`` maps symbols
    as written (``"y"``, ``"\\\\hat{y}"``) to kinds (``"binary"``, ``"prob"``,
    ...). Unreadable input raises :class:`ParseError`. With ``timeout``
    (seconds) the check runs in a worker process kept between calls, and one
    that runs late is stopped (its worker replaced) with an ``unknown``
    verdict; without it, the check runs here with no hard limit. With
    ``require_proof`` an ``equivalent`` shown only by agreement at random
    points (no symbolic proof) is ``unknown``.
    """
    from .equivalence import check as _check
    from .equivalence.batch import check_with_timeout
    from .equivalence.decide import read_pair

    if timeout is None:
        return _check(a, b, domains, require_proof=require_proof)
    read_pair(a, b, domains)  # raise ParseError here, in the caller's process
    return check_with_timeout(a, b, domains, timeout, require_proof)
