"""``derive list``: the built-in derivations and their statuses, read rather than re-checked.

Checking every derivation takes seconds; the statuses are already written in
the certificates that ``derive build`` leaves in ``outputs/``. So:

1. The *fingerprint* of this installation is a hash of derive's own source
   files and the versions of the libraries its checks use. A list made under
   the same fingerprint is kept in the user's cache folder and printed as it
   is: this path loads neither sympy nor the catalogue.
2. Without one, the certificates in ``outputs/`` beside the package are read,
   and each is used only when it records the derivation the rules make today
   (the same start, steps, relations and rules). A missing or stale
   certificate is checked again, and the list says so on stderr.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

PACKAGE = Path(__file__).resolve().parent
#: Where ``derive build`` writes the certificates in a checkout of the project.
OUTPUTS = PACKAGE.parent / "outputs"
#: The libraries whose versions can change a check's outcome.
LIBRARIES = ("sympy", "mpmath", "latex2sympy2_extended", "numpy")
CACHE_FORMAT = "derive-list/1"


@dataclass(frozen=True)
class Row:
    """One line of ``derive list``."""

    name: str
    title: str
    steps: int
    status: str


def fingerprint() -> str:
    """A hash of derive's source files and of the versions of :data:`LIBRARIES`."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}".encode())
    digest.update(sys.version.split()[0].encode())
    return digest.hexdigest()[:32]


def cache_folder() -> Path:
    """``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``."""
    if os.environ.get("DERIVE_CACHE_DIR"):
        return Path(os.environ["DERIVE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "derive"


def _cache_path(print_: str) -> Path:
    return cache_folder() / f"list-{print_}.json"


def cached_rows(print_: str) -> list[Row] | None:
    """The list made under fingerprint ``print_``, or ``None`` (absent or unreadable)."""
    try:
        data = json.loads(_cache_path(print_).read_text(encoding="utf-8"))
        if data.get("format") != CACHE_FORMAT or data.get("fingerprint") != print_:
            return None
        return [Row(str(r["name"]), str(r["title"]), int(r["steps"]), str(r["status"])) for r in data["rows"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store_rows(print_: str, rows: list[Row]) -> None:
    """Keep ``rows`` for the next ``derive list`` (silently skipped when the cache
    folder cannot be written: the list is then made again next time)."""
    from .core.fsutil import WriteError, atomic_write

    data = {"format": CACHE_FORMAT, "fingerprint": print_, "rows": [asdict(r) for r in rows]}
    try:
        atomic_write(_cache_path(print_), json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    except (WriteError, OSError):
        pass


def _recorded(data: dict) -> dict:
    """What a certificate says the derivation (or claim) is: its start, and each
    step's rule, relation and new line, as ``srepr``; not what the checks found."""
    steps = [(step.get("rule"), step.get("relation"), step.get("srepr"))
             for step in data.get("steps", []) if isinstance(step, dict)]
    claim: dict = data["claim"] if isinstance(data.get("claim"), dict) else {}
    sides = tuple((claim.get(side) or {}).get("srepr") for side in ("lhs", "rhs"))
    start: dict = data["start"] if isinstance(data.get("start"), dict) else {}
    return {"name": data.get("name"), "start": start.get("srepr"), "steps": steps, "claim": sides}


def _made(name: str, start=None, steps=(), claim=(None, None)) -> dict:
    """The same fields for a derivation or claim as the rules make it today."""
    import sympy as sp

    return {"name": name, "start": None if start is None else sp.srepr(start),
            "steps": [(s.rule, s.relation.value, sp.srepr(s.after)) for s in steps],
            "claim": tuple(None if side is None else sp.srepr(side) for side in claim)}


def _read_certificate(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def rows_from_certificates(outputs: Path = OUTPUTS, say: Callable[[str], None] | None = None) -> list[Row]:
    """Every built-in's row: its status from its certificate in ``outputs`` when
    that certificate records the derivation as the rules make it today; checked
    again otherwise (each such name reported through ``say``)."""
    from . import catalogue
    from .checks.steps import check_derivation
    from .core.refutation import refute

    rows, rechecked = [], []
    for name in catalogue.names():
        derivation = catalogue.get(name)
        data = _read_certificate(outputs / f"{name}.json")
        if data is not None and isinstance(data.get("status"), str) and \
                _recorded(data) == _made(name, derivation.start, derivation.steps):
            status = data["status"]
        else:
            rechecked.append(name)
            status = check_derivation(derivation).status.value
        rows.append(Row(name, derivation.title, len(derivation.steps), status))
    for name in catalogue.refutation_names():
        claim = catalogue.get_refutation(name)
        data = _read_certificate(outputs / f"{name}.json")
        if data is not None and data.get("kind") == "refutation" and isinstance(data.get("status"), str) and \
                _recorded(data) == _made(name, claim=(claim.lhs, claim.rhs)):
            status = data["status"]
        else:
            rechecked.append(name)
            status = refute(claim).outcome.value
        rows.append(Row(name, claim.title, 0, status))
    if rechecked and say is not None:
        where = f"in {outputs}" if outputs.is_dir() else f"({outputs} does not exist)"
        say(f"derive: no up-to-date certificate {where} for {', '.join(rechecked)}: checked now")
    return rows


def rows(say: Callable[[str], None] | None = None, outputs: Path = OUTPUTS) -> list[Row]:
    """The rows of ``derive list``: from the cache when this installation made
    them before, else from the certificates (checking what they do not cover)."""
    print_ = fingerprint()
    found = cached_rows(print_)
    if found is not None:
        return found
    made = rows_from_certificates(outputs, say)
    store_rows(print_, made)
    return made
