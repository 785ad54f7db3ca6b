"""What ``derive verify`` says about a user's derivation: one typed row per step."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from enum import Enum


class StepVerdict(str, Enum):
    """``holds``/``fails``/``unknown`` for a checked step; ``defines`` for a line
    that introduces a name (``\\hat{\\theta} = ...``, a model's likelihood),
    which is an assumption of the derivation, not a claim to check."""

    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"
    DEFINES = "defines"
    SKIPPED = "skipped"   # a display the file leaves out (``% derive: skip``): not read, not a claim


#: The ``method`` of an ``unknown`` step that was not checked because a line of it
#: (or the definition of a name it uses) could not be read; its reason says which line and why.
UNREAD = "unread"


#: Exit status of ``derive verify`` (DESIGN.md, Contracts): 1 wins over 3.
EXIT_HOLDS, EXIT_FAILS, EXIT_USAGE, EXIT_UNDECIDED = 0, 1, 2, 3


class VerifyError(Exception):
    """Bad input (unreadable file, unparseable line, unknown domain): exit 2.

    ``line`` is the 1-based line of the file the problem is on, when known."""

    def __init__(self, message: str, source: str = "<text>", line: int | None = None,
                 offset: int | None = None):
        self.message, self.source, self.line = message, source, line
        self.offset = offset  # a file offset, turned into a line by whoever knows the file
        where = f"{source}:{line}: " if line is not None else f"{source}: "
        super().__init__(where + message)

    def __reduce__(self):  # raised again in the parent after a worker process
        return (VerifyError, (self.message, self.source, self.line))


@dataclass(frozen=True)
class Suggestion:
    """The slip that breaks a failing step: with ``change`` made to its new line
    (``with the sum from i=1 instead of i=0``), the step holds, as checked by ``method``."""

    kind: str
    change: str
    line: int
    method: str

    @property
    def text(self) -> str:
        return f"line {self.line} would hold {self.change}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "change": self.change, "text": self.text, "method": self.method}


#: The keys of a file's JSON report (``derive verify --json``), always all present.
REPORT_KEYS = ("source", "status", "reason", "first_failure", "unread", "skipped", "notes", "steps")


def unfinished_json(source: str, status: str, reason: str) -> dict:
    """The JSON report of a file that gave no steps (``error``: it cannot be used;
    ``unknown``: out of time), with the same keys as a finished report."""
    return {**dict.fromkeys(REPORT_KEYS), "source": source, "status": status, "reason": reason,
            "unread": [], "skipped": [], "notes": [], "steps": []}


@dataclass(frozen=True)
class StepResult:
    """One step ``before -> after`` of a chain, checked for its ``relation``.

    ``line`` is the file line where ``after`` is written (1-based); ``ordinal``
    tells apart several steps written on one line. ``method`` says what
    decided it: ``symbolic``, ``numeric``, ``law`` (a law of probability the
    justification names), ``definition`` or ``structure``.
    """

    line: int
    ordinal: int
    before: str
    after: str
    relation: str
    verdict: StepVerdict
    method: str
    reason: str
    justification: str = ""
    counterexample: dict | None = None
    suggestion: Suggestion | None = None  # only on a failing step, and only one that was checked to hold

    @property
    def id(self) -> str:
        """A test id: ``line-12``, or ``line-12.2`` for the second step on line 12."""
        return f"line-{self.line}" if self.ordinal == 1 else f"line-{self.line}.{self.ordinal}"

    @property
    def ok(self) -> bool:
        """Holds, defines a name, or was skipped on the file's word."""
        return self.verdict in (StepVerdict.HOLDS, StepVerdict.DEFINES, StepVerdict.SKIPPED)

    @property
    def unread(self) -> bool:
        """Not checked because a line it needs could not be read (the reason says which)."""
        return self.verdict is StepVerdict.UNKNOWN and self.method == UNREAD

    def to_json(self) -> dict:
        """The step as a JSON object: the same keys for every verdict (``null``
        where a step has no justification, counterexample or suggestion)."""
        return {"id": self.id, "line": self.line, "relation": self.relation, "verdict": self.verdict.value,
                "method": self.method, "reason": self.reason, "before": self.before, "after": self.after,
                "justification": self.justification or None, "counterexample": self.counterexample,
                "suggestion": None if self.suggestion is None else self.suggestion.to_json()}

    def text(self) -> str:
        """The step with its verdict and, when it fails, its counterexample."""
        lines = [f"line {self.line}: {self.relation}: {self.verdict.value} ({self.method}): {self.reason}",
                 f"  from: {self.before}", f"  to:   {self.after}"]
        if self.justification:
            lines.append(f"  justification: {self.justification}")
        if self.suggestion is not None:
            lines.append(f"  slip: {self.suggestion.text} (checked: {self.suggestion.method})")
        lines += _counterexample_lines(self.counterexample)
        return "\n".join(lines)


def _counterexample_lines(cex: dict | None) -> list[str]:
    if not cex:
        return []
    lines = ["  counterexample:"]
    if cex.get("sizes"):
        lines.append("    sizes: " + ", ".join(f"{k} = {v}" for k, v in cex["sizes"].items()))
    for k, v in cex.get("values", {}).items():
        lines.append(f"    {k} = {v}")
    for side, label in (("a", "before"), ("b", "after"), ("before", "before"), ("after", "after")):
        if side in cex:
            lines.append(f"    {label} = {cex[side]}")
    return lines


@dataclass(frozen=True)
class VerifyReport:
    """Every step of every chain of one file, in file order."""

    source: str
    steps: tuple[StepResult, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def first_failure(self) -> StepResult | None:
        """The first step that fails, or ``None``."""
        return next((s for s in self.steps if s.verdict is StepVerdict.FAILS), None)

    @property
    def undecided(self) -> tuple[StepResult, ...]:
        """Steps checked without an answer, and steps not checked because a line could not be read."""
        return tuple(s for s in self.steps if s.verdict is StepVerdict.UNKNOWN)

    @property
    def unread(self) -> tuple[StepResult, ...]:
        """The steps not checked because a line could not be read."""
        return tuple(s for s in self.steps if s.unread)

    @property
    def skipped(self) -> tuple[StepResult, ...]:
        """The steps of displays marked ``derive: skip``."""
        return tuple(s for s in self.steps if s.verdict is StepVerdict.SKIPPED)

    def _count(self) -> str:
        checked = len(self.steps) - len(self.skipped)
        out = f"{checked} step{'' if checked == 1 else 's'}"
        extra = [f"{len(self.unread)} not read"] if self.unread else []
        if self.skipped:
            extra.append(f"{len(self.skipped)} display{'' if len(self.skipped) == 1 else 's'} skipped")
        return out + (f" ({', '.join(extra)})" if extra else "")

    @property
    def exit_code(self) -> int:
        """``derive verify``'s exit status for this file: 0 holds, 1 fails, 3 undecided."""
        if self.first_failure is not None:
            return EXIT_FAILS
        return EXIT_UNDECIDED if self.undecided else EXIT_HOLDS

    @property
    def status(self) -> str:
        """``holds``, ``fails`` or ``unknown`` (a step undecided or a line not read)."""
        return {EXIT_HOLDS: "holds", EXIT_FAILS: "fails", EXIT_UNDECIDED: "unknown"}[self.exit_code]

    def __bool__(self) -> bool:
        return self.exit_code == EXIT_HOLDS

    def to_json(self) -> dict:
        """The report as a JSON object with the keys of :data:`REPORT_KEYS`, all
        present whatever the status (``null`` or an empty list when unused)."""
        failure = self.first_failure
        return {"source": self.source, "status": self.status, "reason": None,
                "first_failure": None if failure is None else failure.id,
                "unread": [s.id for s in self.unread], "skipped": [s.id for s in self.skipped],
                "notes": list(self.notes), "steps": [s.to_json() for s in self.steps]}

    def table(self) -> str:
        """One row per step (line, relation, verdict, method), then the first
        failure with its counterexample, then what stayed undecided and why."""
        out = [self.rows().rstrip()]
        failure = self.first_failure
        if failure is not None:
            out += ["", "first failing step:", failure.text()]
        for s in self.undecided:
            out += ["", f"{'not read' if s.unread else 'undecided'}, line {s.line}: {s.reason}"]
        for s in self.skipped:
            out += ["", f"skipped, line {s.line}: {s.reason}"]
        for n in self.notes:
            out.append(f"note: {n}")
        return "\n".join(out).rstrip() + "\n"

    def rows(self) -> str:
        """The heading (source, number of steps, status) and one row per step:
        line, relation, verdict, method, justification."""
        rows = [("line", "relation", "verdict", "method", "justification")]
        for s in self.steps:
            rows.append((str(s.line) if s.ordinal == 1 else f"{s.line}.{s.ordinal}", s.relation,
                         s.verdict.value, s.method, s.justification))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        out = [f"{self.source}: {self._count()}, {self.status}", ""]
        for r in rows:
            out.append(("  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4]).rstrip())
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.table()

    def dumps(self) -> str:
        """The report as indented JSON text (see :meth:`to_json`)."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def _repr_markdown_(self) -> str:
        mark = {"holds": "✅", "fails": "❌", "unknown": "❔", "defines": "📝", "skipped": "⏭️"}
        body = [f"**{self.source}: {self.status}** ({self._count()})", "",
                "| line | relation | verdict | method | justification |", "|---|---|---|---|---|"]
        for s in self.steps:
            body.append(f"| {s.line} | {s.relation} | {mark[s.verdict.value]} {s.verdict.value} | {s.method} "
                        f"| {s.justification} |")
        failure = self.first_failure
        if failure is not None:
            body += ["", f"First failing step, line {failure.line}: {failure.reason}"]
            if failure.counterexample:
                body.append("counterexample: `" + json.dumps(failure.counterexample) + "`")
            if failure.suggestion is not None:
                body += ["", f"Slip: {failure.suggestion.text} (checked: {failure.suggestion.method})"]
        for s in self.undecided + self.skipped:
            label = "not read" if s.unread else ("skipped" if s.verdict is StepVerdict.SKIPPED else "undecided")
            body.append(f"- {label}, line {s.line}: {s.reason}")
        return "\n".join(body)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.table()) + "</pre>"
