"""The loss gallery: every example likelihood (:mod:`.examples`) derived by the search,
checked, and written as ``NAME.tex``, ``NAME.md``, ``NAME.json`` with an index ``README.md``.

``make proofs`` runs ``python -m derive.search.gallery outputs/loss-gallery``; a second
run changes no byte.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..build import write_derivation
from ..checks.results import STATUS_TEXT, Report, Status
from ..checks.steps import check_derivation
from ..core.derivation import Derivation
from ..core.fsutil import atomic_write, writable_folder
from .api import from_likelihood
from .examples import EXAMPLES


def gallery_derivation(name: str) -> Derivation:
    """The example ``name`` derived by the search, titled as the example says."""
    ex = EXAMPLES[name]
    d = from_likelihood(ex.likelihood, ex.domains, ex.params, name=name)
    return Derivation(d.name, ex.title, d.context, d.start, d.sense, d.lhs_latex, d.steps,
                      d.summary, d.sources)


def index(rows: list[tuple[Derivation, Report]]) -> str:
    """The gallery's README.md: one row per likelihood, with its status and files."""
    lines = ["# Loss gallery", "",
             "Likelihoods beyond the built-in derivations, each derived by `derive loss` "
             "(a search over the registered rules) and checked step by step.", "",
             "| likelihood | status | steps | files |", "| --- | --- | --- | --- |"]
    for d, report in rows:
        lines.append(f"| {d.title} | {STATUS_TEXT[report.status]} | {len(d.steps)} | "
                     f"[{d.name}.md]({d.name}.md), [{d.name}.tex]({d.name}.tex), "
                     f"[{d.name}.json]({d.name}.json) |")
    return "\n".join(lines) + "\n"


def build_gallery(out: Path) -> list[tuple[Derivation, Report]]:
    """Derive, check and write every example into ``out``; the index last."""
    writable_folder(out)
    rows = []
    for name in EXAMPLES:
        d = gallery_derivation(name)
        report = check_derivation(d)
        write_derivation(d, report, out)
        rows.append((d, report))
    atomic_write(out / "README.md", index(rows))
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m derive.search.gallery DIR``: build the gallery into DIR."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m derive.search.gallery DIR", file=sys.stderr)
        return 2
    rows = build_gallery(Path(args[0]))
    for d, report in rows:
        print(f"{d.name:<30} {STATUS_TEXT[report.status]}")
    return 0 if all(r.status is Status.PROVED for _, r in rows) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
