"""Score ``derive verify`` on the real derivations in ``tests/data/real/`` against their
hand judgements (``MANIFEST.json``).

Used by ``tests/test_real_corpus.py`` (which asserts the soundness part: no false holds,
no false fails) and by ``benchmarks/verify.py`` (which prints every count).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REAL = Path(__file__).parent / "data" / "real"


@dataclass(frozen=True)
class Judgement:
    """One file's hand judgement: ``verdict`` is ``holds``, ``fails`` or ``prose`` (the
    first step needing a law or convention stated in prose is at ``line``)."""

    file: str
    verdict: str
    line: int | None
    domains: dict[str, str]
    steps: tuple[tuple[int, int, str], ...]   # (line, ordinal on the line, judgement)


@dataclass
class FileScore:
    """How derive's report on one file compares with its hand judgement."""

    file: str
    hand: str
    derive: str                       # holds, fails, unknown, refused
    judged_right: bool
    read_to_end: bool                 # no step left unread
    false_holds: list[int] = field(default_factory=list)   # lines judged failing that derive holds
    false_fails: list[int] = field(default_factory=list)   # lines judged holding that derive fails
    detail: str = ""


def judgements() -> list[Judgement]:
    """The manifest, one :class:`Judgement` per file."""
    out = []
    for entry in json.loads((REAL / "MANIFEST.json").read_text(encoding="utf-8")):
        seen: dict[int, int] = defaultdict(int)
        steps = []
        for s in entry["steps"]:
            seen[s["line"]] += 1
            steps.append((s["line"], seen[s["line"]], s["judgement"]))
        out.append(Judgement(entry["file"], entry["verdict"], entry.get("line"),
                             dict(entry.get("domains") or {}), tuple(steps)))
    return out


def _unread(step) -> bool:
    return step.verdict.value == "unknown" and step.method in ("unread", "unreadable", "not read")


def score(j: Judgement, seconds: float = 20.0) -> FileScore:
    """Verify one file (with the domains its author states in prose) and compare."""
    from derive.verify import VerifyError, verify_file
    try:
        report = verify_file(REAL / j.file, domains=j.domains, timeout=seconds)
    except VerifyError as exc:
        return FileScore(j.file, j.verdict, "refused", False, False, detail=exc.message)
    by_line = {(s.line, s.ordinal): s for s in report.steps}
    hand = {(line, k): verdict for line, k, verdict in j.steps}
    false_holds = sorted({line for (line, k), v in hand.items()
                          if v == "fails" and (line, k) in by_line and by_line[line, k].verdict.value == "holds"})
    false_fails = sorted({line for (line, k), v in hand.items()
                          if v == "holds" and (line, k) in by_line and by_line[line, k].verdict.value == "fails"})
    first_bad = next((s for s in report.steps if not s.ok), None)
    status = report.status
    if j.verdict == "holds":
        right = status == "holds"
    elif j.verdict == "fails":
        failure = report.first_failure
        right = failure is not None and failure.line == j.line
    else:
        right = status == "unknown" and first_bad is not None and first_bad.line == j.line
    detail = "" if first_bad is None else f"line {first_bad.line}: {first_bad.verdict.value}: {first_bad.reason}"
    return FileScore(j.file, j.verdict, status, right, not any(_unread(s) for s in report.steps),
                     false_holds, false_fails, detail[:200])


def summary(scores: list[FileScore]) -> dict[str, int]:
    """The counts the benchmark prints."""
    return {
        "files": len(scores),
        "read to the end": sum(s.read_to_end for s in scores),
        "judged right": sum(s.judged_right for s in scores),
        "refused": sum(s.derive == "refused" for s in scores),
        "false fails": sum(len(s.false_fails) for s in scores),
        "false holds": sum(len(s.false_holds) for s in scores),
    }
