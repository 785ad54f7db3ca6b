"""The answer to "are these two formulas the same?", typed and printable."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field, replace
from enum import Enum


class Answer(str, Enum):
    """The three answers to "are A and B equal wherever both are defined?"."""
    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not_equivalent"
    UNKNOWN = "unknown"


#: The keys of a verdict's JSON object (``derive check --json``), always all present.
JSON_KEYS = ("verdict", "method", "reason", "proved", "evidence", "counterexample", "notes", "parsed",
             "one_side_defined")

#: Exit status of ``derive check`` per answer (DESIGN.md, Contracts).
EXIT = {Answer.EQUIVALENT: 0, Answer.NOT_EQUIVALENT: 1, Answer.UNKNOWN: 3}


@dataclass(frozen=True)
class Verdict:
    """``answer`` decided by ``method`` (symbolic, numeric), with a ``reason``.

    ``counterexample`` (for ``not_equivalent``) holds the sizes, the value of
    every symbol read, and both sides' values.
    """

    answer: Answer
    method: str
    reason: str
    a: str
    b: str
    counterexample: dict | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    parsed: tuple[str, str] | None = None
    #: For ``unknown``: a point where only one side has a value (``defined`` says which).
    witness: dict | None = None
    #: Points where both sides had a value, where only A had, only B had (``both``,
    #: ``only_a``, ``only_b``), and the first such points (``a_point``, ``b_point``).
    coverage: dict | None = None

    @property
    def verdict(self) -> str:
        """The answer as text: ``equivalent``, ``not_equivalent`` or ``unknown``."""
        return self.answer.value

    @property
    def proved(self) -> bool:
        """``equivalent`` with a symbolic proof (not on the points' agreement alone)."""
        return self.answer is Answer.EQUIVALENT and self.method != "numeric"

    @property
    def numeric_only(self) -> bool:
        """``equivalent`` because the sides agreed at every point tried, with no proof."""
        return self.answer is Answer.EQUIVALENT and self.method == "numeric"

    @property
    def evidence(self) -> str:
        """What the answer rests on, as printed after it: ``symbolic``, or for an
        unproved ``equivalent`` ``numeric: agreed at 30 points, no proof``."""
        if self.numeric_only:
            return f"numeric: {_agreed(self.coverage)}, no proof"
        return self.method

    def requiring_proof(self) -> "Verdict":
        """The verdict when a proof is required: a numeric-only ``equivalent``
        becomes ``unknown``, saying why; every other verdict is unchanged."""
        if not self.numeric_only:
            return self
        return replace(self, answer=Answer.UNKNOWN,
                       reason=f"a proof was required and none was found; {self.reason}")

    @property
    def exit_code(self) -> int:
        """``derive check``'s exit status: 0 equivalent, 1 not equivalent, 3 unknown."""
        return EXIT[self.answer]

    def __bool__(self) -> bool:
        return self.answer is Answer.EQUIVALENT

    def to_json(self) -> dict:
        """The verdict as a JSON object with the keys of :data:`JSON_KEYS`, every
        one present whatever the verdict (``null`` where it has no value):
        ``proved`` and ``evidence`` for an ``equivalent``, ``counterexample`` for a
        ``not_equivalent``, ``one_side_defined`` for a point where only one side
        has a value, ``notes`` (a list, maybe empty), ``parsed`` (how A and B were read)."""
        equivalent = self.answer is Answer.EQUIVALENT
        return {
            "verdict": self.answer.value,
            "method": self.method,
            "reason": self.reason,
            "proved": self.proved if equivalent else None,
            "evidence": self.evidence if equivalent else None,
            "counterexample": self.counterexample,
            "notes": list(self.notes),
            "parsed": None if self.parsed is None else {"a": self.parsed[0], "b": self.parsed[1]},
            "one_side_defined": self.witness,
        }

    def text(self) -> str:
        """The verdict as ``derive check`` prints it: the answer, its evidence and
        reason, how A and B were read, the counterexample and the notes."""
        lines = [f"{self.answer.value} ({self.evidence}): {self.reason}"]
        if self.parsed is not None:
            lines += [f"  A read as: {self.parsed[0]}", f"  B read as: {self.parsed[1]}"]
        if self.counterexample:
            cex = self.counterexample
            lines.append("  counterexample:")
            if cex.get("sizes"):
                lines.append("    sizes: " + ", ".join(f"{k} = {v}" for k, v in cex["sizes"].items()))
            for k, v in cex.get("values", {}).items():
                lines.append(f"    {k} = {v}")
            lines.append(f"    A = {cex.get('a')}")
            lines.append(f"    B = {cex.get('b')}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        mark = {"equivalent": "✅", "not_equivalent": "❌", "unknown": "❔"}[self.answer.value]
        body = [f"**{mark} {self.answer.value}** ({self.evidence}): {self.reason}", "",
                f"- A: ${self.a}$", f"- B: ${self.b}$"]
        if self.counterexample:
            body.append("- counterexample: `" + json.dumps(self.counterexample) + "`")
        body += [f"- note: {n}" for n in self.notes]
        return "\n".join(body)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.text()) + "</pre>"


def _agreed(coverage: dict | None) -> str:
    points = (coverage or {}).get("both")
    return f"agreed at {points} points" if points else "agreed at every point tried"
