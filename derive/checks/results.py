"""Typed results of checks: statuses, counterexamples, step and derivation reports."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    """Outcome of one check; the order of strength is the order below."""

    PROVED = "proved"                    # symbolic, every size
    PROVED_AT_SIZES = "proved_at_sizes"  # exact, at the listed sizes
    NUMERIC = "numeric"                  # agreed at every random point drawn
    UNCHECKED = "unchecked"              # could not decide (with a reason)
    FAILED = "failed"                    # refuted, with a counterexample


#: How each status of a derivation or a claim is printed (lists, tables, documents).
STATUS_TEXT = {
    "proved": "proved (all sizes)",
    "proved_at_sizes": "exact at sizes",
    "numeric": "numeric only",
    "unchecked": "UNCHECKED",
    "failed": "FAILED",
    "refuted": "refuted",          # a claim, with a checked counterexample
    "not_refuted": "NOT REFUTED",  # a claim no point refuted
}


STRENGTH = {Status.PROVED: 3, Status.PROVED_AT_SIZES: 2, Status.NUMERIC: 1, Status.UNCHECKED: 0}


def weakest(statuses) -> Status:
    """The weakest of some statuses (none: unchecked; any failure: failed)."""
    statuses = list(statuses)
    if Status.FAILED in statuses:
        return Status.FAILED
    return min(statuses, key=STRENGTH.__getitem__, default=Status.UNCHECKED)


@dataclass(frozen=True)
class Counterexample:
    """A point where the step does not hold, with both values."""

    point: dict
    before: str | None
    after: str | None
    note: str = ""

    def to_json(self) -> dict:
        return {"point": self.point, "expected": self.before, "got": self.after, "note": self.note}

    def describe(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in self.point.get("sizes", {}).items())
        values = "; ".join(f"{k}={_short(v)}" for k, v in self.point.get("values", {}).items())
        text = f"at {sizes}" + (f"; {values}" if values else "")
        text += f": expected {self.before}, got {self.after}"
        return text + (f" ({self.note})" if self.note else "")


def _short(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return f"{value:.6g}"


@dataclass(frozen=True)
class CheckResult:
    """One check of one obligation of a step."""

    obligation: str
    kind: str
    status: Status
    detail: str
    counterexample: Counterexample | None = None
    #: The sizes an exact check covered, each a mapping of size names to values.
    sizes: tuple[dict[str, int], ...] | None = None

    def to_json(self) -> dict:
        data: dict[str, object] = {"obligation": self.obligation, "kind": self.kind,
                "status": self.status.value, "detail": self.detail}
        if self.sizes is not None:
            data["sizes"] = [dict(s) for s in self.sizes]
        if self.counterexample is not None:
            data["counterexample"] = self.counterexample.to_json()
        return data


#: Obligations that can only refute, never lower a step's strength.
SUPPLEMENTARY = frozenset({"order"})


@dataclass(frozen=True)
class StepReport:
    """Every check of one step, and the verdict that follows from them."""

    step: int
    results: tuple[CheckResult, ...]

    @property
    def status(self) -> Status:
        """The step's status: the weakest over its obligations, each taking its best check."""
        if any(r.status is Status.FAILED for r in self.results):
            return Status.FAILED
        # Algebra proves equality where both sides are defined; only the
        # numeric check tests that the new line is defined wherever the old
        # one is. Without it, nothing is established.
        if any(r.kind == "numeric" and r.obligation == "identity" and r.status is not Status.NUMERIC
               for r in self.results):
            return Status.UNCHECKED
        # Each obligation takes its best check; the step, its weakest obligation.
        best: dict[str, Status] = {}
        for r in self.results:
            if r.obligation not in SUPPLEMENTARY:
                best[r.obligation] = max(best.get(r.obligation, Status.UNCHECKED), r.status,
                                         key=STRENGTH.__getitem__)
        return weakest(best.values())

    @property
    def failure(self) -> CheckResult | None:
        """The first failed check of the step, or ``None``."""
        return next((r for r in self.results if r.status is Status.FAILED), None)


@dataclass(frozen=True)
class Report:
    """The checks of a whole derivation."""

    name: str
    steps: tuple[StepReport, ...]

    @property
    def status(self) -> Status:
        """The derivation's status: the weakest of its steps'."""
        return weakest(s.status for s in self.steps)

    @property
    def holds(self) -> bool:
        """Every step proved, exact at sizes, or numeric (none failed or unchecked)."""
        return self.status in (Status.PROVED, Status.PROVED_AT_SIZES, Status.NUMERIC)

    def counts(self) -> dict[str, int]:
        """How many steps have each status."""
        return dict(Counter(s.status.value for s in self.steps))


# -- settings ------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    trials: int = 24           # random points per identity
    needed: int = 12           # valid points needed for a numeric pass
    order_data: int = 3        # data draws for the order test
    order_params: int = 5      # parameter draws per data draw
    exact_sizes: int = 2       # values tried per size symbol in the exact check
    max_cases: int = 256       # enumerated finite-domain cases per size assignment
    max_ops: int = 4000        # largest canonical difference handed to simplify
    seconds: float = 30.0      # wall-clock budget for one step


DEFAULT = Settings()
