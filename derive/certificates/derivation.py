"""JSON certificates: write them, read them safely, recheck them without rules.

A certificate holds every line as ``srepr`` text plus the symbols with their
domains and the definitions; ``recheck`` rebuilds the derivation from that
alone and runs the same checks. Symbols in expressions are re-bound by name
to the declared symbols, so a certificate cannot smuggle in assumptions its
domains do not grant. The LaTeX shown for each line is re-rendered and must
match, so a proof cannot display one formula and certify another.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from ..checks.steps import check_derivation
from ..checks.results import DEFAULT, STRENGTH, Report, Settings, Status
from ..core.context import Context, Definition, Role, SymbolSpec
from ..core.derivation import Derivation, Step
from ..core.domains import DomainError
from ..core.jsontext import JSONLimit, read_json
from ..render.latex import to_latex
from ..core.relations import MapKind, MonotoneMap, Relation
from ..checks.points import MAX_SAMPLED_SIZE
from .srepr import NAME, SreprError, parse_srepr

FORMAT = "derive-certificate/1"
MAX_FILE_BYTES = 5_000_000
MAX_STEPS = 500
MAX_INDICES = 3
MAX_SYMBOLS = 200


class CertificateError(ValueError):
    """The file is not a certificate this version can read (exit status 2)."""


def to_json(derivation: Derivation, report: Report) -> dict:
    ctx = derivation.context
    steps = []
    for step, step_report in zip(derivation.steps, report.steps):
        steps.append({
            "index": step.index,
            "source": step.source,
            "rule": step.rule,
            "params": {k: v for k, v in step.params},
            "relation": step.relation.value,
            "sense_before": step.sense_before,
            "sense": step.sense_after,
            "justification": step.justification,
            "side_condition": step.side_condition,
            "latex": to_latex(step.after, ctx),
            "srepr": sp.srepr(step.after),
            "maps": [{"kind": m.kind.value,
                      "operand": sp.srepr(m.operand) if m.operand is not None else None,
                      "description": m.describe()} for m in step.maps],
            "substitution": {k: v for k, v in step.substitution},
            "status": step_report.status.value,
            "checks": [r.to_json() for r in step_report.results],
        })
        if step.wrt is not None:  # derivative and solves steps only, so other certificates keep their bytes
            steps[-1]["wrt"] = {"srepr": sp.srepr(step.wrt), "latex": to_latex(step.wrt, ctx)}
    return {
        "format": FORMAT,
        "name": derivation.name,
        "title": derivation.title,
        "summary": derivation.summary,
        "sources": list(derivation.sources),
        "status": report.status.value,
        "parameter": ctx.parameter_latex,
        "lhs": derivation.lhs_latex,
        "symbols": [s.to_json() for s in ctx.symbols],
        "definitions": [{
            "name": d.name, "symbol": d.symbol, "params": list(d.params), "kind": d.kind,
            "statement": d.statement, "srepr": sp.srepr(d.rhs), "latex": to_latex(d.rhs, ctx),
        } for d in ctx.definitions],
        "start": {"sense": derivation.sense, "latex": to_latex(derivation.start, ctx),
                  "srepr": sp.srepr(derivation.start)},
        "steps": steps,
    }


def dumps(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- reading -------------------------------------------------------------------
def _need(data: dict, key: str, kind: type, where: str):
    if not isinstance(data, dict) or key not in data:
        raise CertificateError(f"{where}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CertificateError(f"{where}: field {key!r} should be {kind.__name__}")
    return value


def _expr(text: str, ctx: Context, where: str) -> sp.Basic:
    try:
        expr = parse_srepr(text)
    except SreprError as exc:
        raise CertificateError(f"{where}: {exc}") from None
    if not isinstance(expr, sp.Expr):
        raise CertificateError(f"{where}: srepr must describe an expression, not {type(expr).__name__}")
    return _rebind(expr, ctx, where)


def _rebind(expr: sp.Basic, ctx: Context, where: str) -> sp.Basic:
    """Replace every symbol by the declared one of the same name."""
    mapping = {}
    labels = {b.label for b in expr.atoms(sp.IndexedBase)}
    for sym in expr.atoms(sp.Symbol):
        spec = ctx.by_name.get(sym.name)
        if spec is not None and spec.indices and sym not in labels:
            raise CertificateError(f"{where}: {sym.name!r} takes indices but is used without them")
        if sym.name not in ctx.by_name:
            raise CertificateError(f"{where}: symbol {sym.name!r} is not declared in 'symbols'")
        declared = ctx[sym.name]
        mapping[sym] = declared.label if isinstance(declared, sp.IndexedBase) else declared
    bases = {b: ctx[b.label.name] for b in expr.atoms(sp.IndexedBase)} if expr.has(sp.IndexedBase) else {}
    for b in bases:
        if not isinstance(bases[b], sp.IndexedBase):
            raise CertificateError(f"{where}: {b.label.name!r} is used with indices but declared without")
    return expr.xreplace(bases).xreplace(mapping)


def load(path: Path | str) -> dict:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise CertificateError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        return read_json(path.read_text(encoding="utf-8"), text_only=True)
    except UnicodeDecodeError as exc:
        raise CertificateError(f"{path}: not JSON: not UTF-8 text (at byte {exc.start + 1})") from None
    except JSONLimit as exc:
        raise CertificateError(f"{path}: {exc}") from None
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror}") from None


def from_json(data: dict) -> Derivation:
    """Rebuild a derivation from a certificate (no rules involved)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CertificateError(f"not a certificate: 'format' should be {FORMAT!r}")
    try:
        specs = tuple(SymbolSpec.from_json(s) for s in _need(data, "symbols", list, "certificate"))
    except (KeyError, ValueError, TypeError, DomainError) as exc:
        raise CertificateError(f"symbols: {exc}") from None
    if len(specs) > MAX_SYMBOLS:
        raise CertificateError(f"symbols: more than {MAX_SYMBOLS}")
    names = [s.name for s in specs]
    roles = {s.name: s.role for s in specs}
    if len(set(names)) != len(names):
        raise CertificateError("symbols: a name is declared twice")
    for s in specs:
        if not NAME.match(s.name):
            raise CertificateError(f"symbols: {s.name!r} is not a plain name (letters, digits, _)")
        if s.role is Role.SIZE and not (isinstance(s.lower, int) and isinstance(s.upper, int)
                                        and 1 <= s.lower <= s.upper <= MAX_SAMPLED_SIZE):
            raise CertificateError(f"symbols: size {s.name!r} must range over integers "
                                   f"1 <= lower <= upper <= {MAX_SAMPLED_SIZE}")
        if s.role is Role.INDEX and any(isinstance(b, int) and not 0 <= b <= MAX_SAMPLED_SIZE
                                        for b in (s.lower, s.upper)):
            raise CertificateError(f"symbols: index {s.name!r} must range within 0..{MAX_SAMPLED_SIZE} "
                                   "or up to a size")
        for ref in (s.lower, s.upper) if s.role is Role.INDEX else ():
            if isinstance(ref, str) and (ref not in names or roles[ref] is not Role.SIZE):
                raise CertificateError(f"symbols: index {s.name!r} ranges up to {ref!r}, which is not a declared size")
        if len(s.indices) > MAX_INDICES:
            raise CertificateError(f"symbols: {s.name!r} has more than {MAX_INDICES} indices")
        for index in s.indices:
            if index not in names or roles[index] is not Role.INDEX:
                raise CertificateError(f"symbols: {s.name!r} uses {index!r}, which is not a declared index")
    ctx = Context(specs, parameter_latex=str(data.get("parameter", r"\theta")))
    definitions = []
    for n, d in enumerate(_list(data, "definitions", "certificate")):
        where = f"definition {n}"
        if not isinstance(d, dict):
            raise CertificateError(f"{where}: a definition must be a JSON object")
        symbol = _need(d, "symbol", str, where)
        if symbol not in ctx.by_name or ctx.spec(symbol).role is not Role.DEFINED:
            raise CertificateError(f"{where}: {symbol!r} is not a declared defined symbol")
        params = _list(d, "params", where)
        if [p for p in params if not isinstance(p, str) or roles.get(p) is not Role.INDEX]:
            raise CertificateError(f"{where}: parameters must be declared indices")
        if len(params) != len(ctx.spec(symbol).indices):
            raise CertificateError(f"{where}: {symbol!r} takes {len(ctx.spec(symbol).indices)} indices")
        definitions.append(Definition(
            _need(d, "name", str, where), symbol, tuple(params),
            _expr(_need(d, "srepr", str, where), ctx, where), str(d.get("kind", "quantity")),
            str(d.get("statement", ""))))
    defined = [d.symbol for d in definitions]
    if len(set(defined)) != len(defined):
        raise CertificateError("definitions: a symbol is defined twice")
    missing = [s.name for s in specs if s.role is Role.DEFINED and s.name not in defined]
    if missing:
        raise CertificateError(f"definitions: defined symbol(s) {', '.join(missing)} have no definition")
    ctx = Context(specs, tuple(definitions), ctx.parameter_latex)
    for definition in definitions:
        try:
            ctx.unfold(definition.rhs)
        except ValueError:
            raise CertificateError(f"definition {definition.name!r} refers to itself, directly or not") from None
    start = _need(data, "start", dict, "certificate")
    lines = [_expr(_need(start, "srepr", str, "start"), ctx, "start")]
    senses = [_sense(start.get("sense"), "start")]
    steps = []
    raw_steps = _need(data, "steps", list, "certificate")
    if len(raw_steps) > MAX_STEPS:
        raise CertificateError(f"more than {MAX_STEPS} steps")
    for n, s in enumerate(raw_steps, start=1):
        where = f"step {n}"
        if not isinstance(s, dict):
            raise CertificateError(f"{where}: a step must be a JSON object")
        source = _need(s, "source", int, where)
        if not 0 <= source < n:
            raise CertificateError(f"{where}: source {source} is not an earlier line")
        try:
            relation = Relation(_need(s, "relation", str, where))
        except ValueError:
            raise CertificateError(f"{where}: unknown relation {s.get('relation')!r}") from None
        after = _expr(_need(s, "srepr", str, where), ctx, where)
        maps = tuple(_map(m, ctx, where) for m in _list(s, "maps", where))
        if maps and not relation.is_optimiser:
            raise CertificateError(f"{where}: only same_argmax/same_argmin steps record monotone maps")
        substitution = s.get("substitution", {})
        if not isinstance(substitution, dict) or not all(
                k in ctx.by_name and ctx.spec(k).role is Role.SIZE and isinstance(v, int)
                and not isinstance(v, bool) and 1 <= v <= MAX_SAMPLED_SIZE
                for k, v in substitution.items()):
            raise CertificateError(f"{where}: substitution must fix declared sizes to 1..{MAX_SAMPLED_SIZE}")
        if substitution and relation is not Relation.SPECIALISE:
            raise CertificateError(f"{where}: only specialise steps fix sizes")
        sense = _sense(s.get("sense"), where)
        wrt = _wrt(s, relation, ctx, where)
        steps.append(Step(index=n, source=source, rule=str(s.get("rule", "")), relation=relation,
                          before=lines[source], after=after, sense_before=senses[source],
                          sense_after=sense, justification=str(s.get("justification", "")),
                          maps=maps, substitution=tuple(sorted(substitution.items())),
                          side_condition=str(s.get("side_condition", "")), wrt=wrt))
        lines.append(after)
        senses.append(sense)
    sources = _list(data, "sources", "certificate")
    if not all(isinstance(x, str) for x in sources):
        raise CertificateError("certificate: 'sources' must be a list of strings")
    return Derivation(name=str(data.get("name", "certificate")), title=str(data.get("title", "")),
                      context=ctx, start=lines[0], sense=senses[0],
                      lhs_latex=str(data.get("lhs", "")), steps=tuple(steps),
                      summary=str(data.get("summary", "")), sources=tuple(sources))


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise CertificateError(f"{where}: {key!r} must be a list")
    return value


def _wrt(step: dict, relation: Relation, ctx: Context, where: str) -> sp.Expr | None:
    """The variable of a derivative or solves step (none for any other relation)."""
    raw = step.get("wrt")
    if relation not in (Relation.DERIVATIVE, Relation.SOLVES):
        if raw is not None:
            raise CertificateError(f"{where}: only derivative and solves steps name a variable ('wrt')")
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("srepr"), str):
        raise CertificateError(f"{where}: a {relation.value} step needs 'wrt' with the srepr of its variable")
    wrt = _expr(raw["srepr"], ctx, where)
    if not isinstance(wrt, (sp.Symbol, sp.Indexed)):
        raise CertificateError(f"{where}: 'wrt' must be a symbol or an element of an array")
    if raw.get("latex") != to_latex(wrt, ctx):
        raise CertificateError(f"{where}: the LaTeX of 'wrt' does not render from its srepr")
    return wrt


def _sense(value, where: str) -> str:
    if value not in ("max", "min"):
        raise CertificateError(f"{where}: sense must be 'max' or 'min'")
    return value


def _map(data: dict, ctx: Context, where: str) -> MonotoneMap:
    if not isinstance(data, dict):
        raise CertificateError(f"{where}: a monotone map must be a JSON object")
    try:
        kind = MapKind(_need(data, "kind", str, where))
    except ValueError:
        raise CertificateError(f"{where}: unknown monotone map {data.get('kind')!r}") from None
    operand = data.get("operand")
    if kind in (MapKind.SCALE, MapKind.SHIFT):
        if not isinstance(operand, str):
            raise CertificateError(f"{where}: a {kind.value} map needs an operand")
        return MonotoneMap(kind, _expr(operand, ctx, where))
    return MonotoneMap(kind)


@dataclass(frozen=True)
class Overclaim:
    """A claim of the certificate that the recheck does not reproduce.

    ``step`` 0 stands for the certificate's overall status. ``claimed`` and
    ``found`` are the recorded and the rechecked status; ``detail`` says what
    else fell short (the sizes an exact check recorded but did not cover again).
    """

    step: int
    claimed: Status
    found: Status
    detail: str = ""

    def describe(self) -> str:
        what = f"step {self.step}" if self.step else "the certificate"
        if self.detail:
            return f"{what} is recorded {self.claimed.value}, but {self.detail}"
        return (f"{what} is recorded {self.claimed.value}, but the recheck finds only "
                f"{self.found.value}: a certificate may not claim more than its checks show")

    def to_json(self) -> dict:
        data = {"step": self.step, "claimed": self.claimed.value, "found": self.found.value}
        return data | ({"detail": self.detail} if self.detail else {})


@dataclass(frozen=True)
class Recheck:
    """The outcome of rechecking one certificate."""

    derivation: Derivation
    report: Report
    display_mismatches: tuple[int, ...]
    overclaims: tuple[Overclaim, ...] = ()

    @property
    def holds(self) -> bool:
        return self.report.holds and not self.display_mismatches and not self.overclaims


def recheck(data: dict, settings: Settings = DEFAULT) -> Recheck:
    """Rebuild and re-check; also compare every formula shown with the one checked,
    and every status recorded with the one the checks give again.

    ``display_mismatches`` lists the lines (0 is the start) whose LaTeX does
    not render from their srepr; a definition whose LaTeX differs counts as
    line 0 too, since every line is read through the definitions.
    ``overclaims`` lists the steps recorded stronger than they recheck (a step
    recorded ``proved`` that rechecks only ``numeric``), and exact checks
    recorded at sizes the recheck did not cover.
    """
    derivation = from_json(data)
    claims = _claims(data)
    report = check_derivation(derivation, settings)
    ctx = derivation.context
    shown = [data["start"].get("latex")] + [s.get("latex") for s in data["steps"]]
    mismatched = [n for n, (text, line) in enumerate(zip(shown, derivation.lines))
                  if text != to_latex(line, ctx)]
    for raw, definition in zip(data.get("definitions", []), ctx.definitions):
        if raw.get("latex") != to_latex(definition.rhs, ctx) and 0 not in mismatched:
            mismatched.insert(0, 0)
    return Recheck(derivation, report, tuple(mismatched), _overclaims(claims, data, report))


def _claims(data: dict) -> tuple[Status, list[Status]]:
    """The overall and per-step statuses the certificate records."""
    def status(value, where: str) -> Status:
        try:
            return Status(value)
        except ValueError:
            raise CertificateError(f"{where}: 'status' should be one of "
                                   f"{', '.join(s.value for s in Status)}") from None

    steps = [status(s.get("status"), f"step {n}") for n, s in enumerate(data["steps"], start=1)]
    return status(data.get("status"), "certificate"), steps


def _overclaims(claims: tuple[Status, list[Status]], data: dict, report: Report) -> tuple[Overclaim, ...]:
    """Recorded statuses stronger than the recheck's, and exact sizes it did not cover.

    A failed step is reported as a failure already, and an unchecked one as
    undecided (a recheck may run out of time); only steps that pass, but more
    weakly than recorded, are listed here.
    """
    overall, steps = claims
    out = []
    for raw, claimed, step in zip(data["steps"], steps, report.steps):
        found = step.status
        if found in (Status.FAILED, Status.UNCHECKED) or claimed not in STRENGTH:
            continue
        if STRENGTH[found] < STRENGTH[claimed]:
            out.append(Overclaim(step.step, claimed, found))
        elif claimed is Status.PROVED_AT_SIZES and found is Status.PROVED_AT_SIZES:
            missing = _sizes_not_covered(raw, step.results)
            if missing:
                out.append(Overclaim(step.step, claimed, found,
                                     f"the exact check now covers only {_sizes_list(step.results)}, "
                                     f"not the recorded {missing}"))
    if not out and report.status not in (Status.FAILED, Status.UNCHECKED) and overall in STRENGTH \
            and STRENGTH[report.status] < STRENGTH[overall]:
        out.append(Overclaim(0, overall, report.status))
    return tuple(out)


def _exact_sizes(checks: list) -> dict[str, set]:
    """Per obligation, the sizes its exact checks covered (as sorted tuples of pairs)."""
    out: dict[str, set] = {}
    for c in checks:
        if not isinstance(c, dict):
            continue
        sizes = c.get("sizes")
        if c.get("kind") == "exact" and isinstance(sizes, list):
            out.setdefault(str(c.get("obligation")), set()).update(
                tuple(sorted(s.items())) for s in sizes if isinstance(s, dict))
    return out


def _sizes_not_covered(raw: dict, results) -> str:
    """The recorded exact sizes that the recheck's exact checks did not cover, as text."""
    recorded = _exact_sizes(raw.get("checks", []) if isinstance(raw.get("checks"), list) else [])
    found = _exact_sizes([r.to_json() for r in results])
    missing = sorted({sizes for obligation, all_sizes in recorded.items()
                      for sizes in all_sizes - found.get(obligation, set())}, key=str)
    return "; ".join(", ".join(f"{k} = {v}" for k, v in sizes) for sizes in missing)


def _sizes_list(results) -> str:
    covered = sorted({sizes for all_sizes in _exact_sizes([r.to_json() for r in results]).values()
                      for sizes in all_sizes}, key=str)
    return "; ".join(", ".join(f"{k} = {v}" for k, v in sizes) for sizes in covered) or "no sizes"
