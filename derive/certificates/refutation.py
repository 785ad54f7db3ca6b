"""Refutation certificates: write them, read them, and recheck the recorded point.

A refutation certificate (``"kind": "refutation"``) holds the claim's symbols
and definitions (as a derivation certificate does), the two sides as
``srepr``, and the counterexample: the sizes, every symbol's value as an exact
rational (``"3/10"``), and both sides' values. ``derive recheck`` reads the
symbols and expressions with the same validating reader as a derivation's
(:func:`derive.certificate.from_json`, the claim read as a one-step ``lhs = rhs``
chain), checks that the point lies in every domain, re-renders the LaTeX shown,
re-evaluates both sides there and confirms they differ, and that the values
recorded are the values found. No search and no rule is involved.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from . import derivation as chain_certificate
from .derivation import FORMAT, CertificateError
from ..render.latex import to_latex
from ..core.refutation import Claim, Outcome, RationalPoint, RefutationReport, confirm, domain_violation, parse_value

REFUTATION_FORMAT = "derive-refutation/1"
KIND = "refutation"


def is_refutation(data) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND


def to_json(claim: Claim, report: RefutationReport) -> dict:
    ctx = claim.context
    data = {
        "format": REFUTATION_FORMAT,
        "kind": KIND,
        "name": claim.name,
        "title": claim.title,
        "summary": claim.summary,
        "sources": list(claim.sources),
        "status": report.outcome.value,
        "parameter": ctx.parameter_latex,
        "symbols": [s.to_json() for s in ctx.symbols],
        "definitions": [{
            "name": d.name, "symbol": d.symbol, "params": list(d.params), "kind": d.kind,
            "statement": d.statement, "srepr": sp.srepr(d.rhs), "latex": to_latex(d.rhs, ctx),
        } for d in ctx.definitions],
        "claim": {
            "lhs": {"latex": to_latex(claim.lhs, ctx), "srepr": sp.srepr(claim.lhs)},
            "rhs": {"latex": to_latex(claim.rhs, ctx), "srepr": sp.srepr(claim.rhs)},
        },
        "detail": report.detail,
    }
    if report.point is not None:
        data["counterexample"] = {**report.point.to_json(), "lhs": report.lhs_value, "rhs": report.rhs_value}
    return data


def from_json(data: dict) -> tuple[Claim, RationalPoint | None, dict]:
    """The claim, the recorded point (if any) and the raw counterexample."""
    if not is_refutation(data) or data.get("format") != REFUTATION_FORMAT:
        raise CertificateError(f"not a refutation certificate: 'format' should be {REFUTATION_FORMAT!r}")
    claim = data.get("claim")
    if not isinstance(claim, dict) or not all(isinstance(claim.get(side), dict) for side in ("lhs", "rhs")):
        raise CertificateError("refutation: 'claim' must hold 'lhs' and 'rhs' objects")
    as_chain = {
        "format": FORMAT, "name": data.get("name", "refutation"), "title": data.get("title", ""),
        "parameter": data.get("parameter", r"\theta"),
        "symbols": data.get("symbols"), "definitions": data.get("definitions", []),
        "start": {"sense": "min", "srepr": claim["lhs"].get("srepr")},
        "steps": [{"source": 0, "relation": "eq", "sense": "min", "srepr": claim["rhs"].get("srepr")}],
    }
    chain = _read_chain(as_chain)
    parsed = Claim(str(data.get("name", "refutation")), str(data.get("title", "")), chain.context,
                   chain.start, chain.steps[0].after, str(data.get("summary", "")),
                   tuple(str(s) for s in data.get("sources", []) if isinstance(s, str)))
    raw = data.get("counterexample")
    if raw is None:
        return parsed, None, {}
    if not isinstance(raw, dict) or not isinstance(raw.get("sizes"), dict) or not isinstance(raw.get("values"), dict):
        raise CertificateError("refutation: 'counterexample' must hold 'sizes' and 'values' objects")
    try:
        values = {str(k): parse_value(v) for k, v in raw["values"].items()}
    except ValueError as exc:
        raise CertificateError(f"refutation: counterexample: {exc}") from None
    return parsed, RationalPoint(dict(raw["sizes"]), values), raw


def _read_chain(data: dict):
    """The claim as the one-step chain ``lhs = rhs``, read by the derivation reader."""
    return chain_certificate.from_json(data)


@dataclass(frozen=True)
class RefutationRecheck:
    """The outcome of rechecking a refutation certificate."""

    claim: Claim
    report: RefutationReport
    display_mismatch: bool

    @property
    def holds(self) -> bool:
        """The refutation stands: the recorded point refutes the claim shown."""
        return self.report.refuted and not self.display_mismatch


def recheck(data: dict) -> RefutationRecheck:
    claim, point, raw = from_json(data)
    ctx = claim.context
    shown = data["claim"]
    mismatch = (shown["lhs"].get("latex") != to_latex(claim.lhs, ctx)
                or shown["rhs"].get("latex") != to_latex(claim.rhs, ctx))
    for entry, definition in zip(data.get("definitions", []), ctx.definitions):
        mismatch = mismatch or entry.get("latex") != to_latex(definition.rhs, ctx)
    if point is None:
        report = RefutationReport(claim.name, Outcome.NOT_REFUTED, "the certificate records no counterexample")
        return RefutationRecheck(claim, report, mismatch)
    problem = domain_violation(point, ctx)
    if problem:
        report = RefutationReport(claim.name, Outcome.NOT_REFUTED,
                                  f"the recorded point is outside the domains: {problem}", point)
        return RefutationRecheck(claim, report, mismatch)
    report = confirm(claim, point)
    if report.refuted and not _same_values(raw, report):
        report = RefutationReport(claim.name, Outcome.NOT_REFUTED,
                                  f"the values recorded ({raw.get('lhs')} vs {raw.get('rhs')}) are not the "
                                  f"values at the point ({report.lhs_value} vs {report.rhs_value})", point)
    return RefutationRecheck(claim, report, mismatch)


def _same_values(raw: dict, report: RefutationReport) -> bool:
    try:
        with mpmath.workdps(40):
            pairs = [(mpmath.mpf(str(raw.get(side))), mpmath.mpf(value))
                     for side, value in (("lhs", report.lhs_value), ("rhs", report.rhs_value))]
    except (ValueError, TypeError):
        return False
    return all(abs(a - b) <= mpmath.mpf("1e-20") * max(1, abs(b)) for a, b in pairs)
