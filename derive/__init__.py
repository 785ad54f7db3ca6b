"""derive: symbolic derivations from likelihoods to losses, checked step by step."""
from __future__ import annotations

__version__ = "0.1.0"


def check(a: str, b: str, domains: dict[str, str] | None = None, timeout: float | None = None,
          require_proof: bool = False):
    """Is LaTeX formula ``a`` equal to ``b`` wherever both are defined? Returns a
    :class:`derive.equivalence.Verdict` (it renders in Jupyter).

    ``domains`` maps symbols as written (``"y"``, ``"\\\\hat{y}"``) to kinds
    (``"binary"``, ``"prob"``, ...). Unreadable input raises
    :class:`derive.parsing.ParseError`. With ``timeout`` (seconds) the work runs
    in a child process and an overrun gives an ``unknown`` verdict. With
    ``require_proof`` an ``equivalent`` shown only by agreement at random points
    (no symbolic proof) is ``unknown``.
    """
    from .equivalence import check as _check
    from .equivalence.batch import check_with_timeout
    from .parsing import read_formulas

    if timeout is None:
        return _check(a, b, domains, require_proof=require_proof)
    read_formulas([a, b], domains)  # raise ParseError here, in the caller's process
    return check_with_timeout(a, b, domains, timeout, require_proof)
