"""Verify a whole file: read its chains, then check each step for its relation.

Order of work: rows and chains (:mod:`.chains`), the notation rewritten for
the reader (:mod:`.notation`), every formula of the file read together (so
they share variables and domains), then the steps in file order. Names a
chain defines (``\\hat{\\theta} = ...``, ``P((x_i, y_i)|\\theta) = ...``) are
unfolded in the lines after them; laws of probability named in a
justification (:mod:`.laws`) rewrite a step's left side before it is checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

from ..domains import Kind
from ..equivalence.decide import _context, _rng, decide
from ..equivalence.points import PointMaker
from ..equivalence.verdict import Answer
from ..evaluate import Budget
from ..parsing import ParseError, Parsed, read_formulas
from ..parsing.assemble import Table
from ..parsing.lexer import tokenize
from ..parsing.ranges import Ranges
from . import laws
from .chains import EQUALS, UNCHECKED, Chain, Segment, chains_of
from .extract import read_source
from .notation import FUNCTION_PLACEHOLDER, PROBABILITY_PLACEHOLDER, Objective, Rewriter
from .optimiser import candidates, finite_at_points, nonnegative, order_witness, sign_of
from .results import StepResult, StepVerdict, VerifyError, VerifyReport

#: Symbols that depend on the parameters whatever the file says.
DEFAULT_PARAMETERS = {r"\theta", r"\boldsymbol{\theta}"}
HATS = (r"\hat{", r"\widehat{")
MAX_UNFOLD = 8


@dataclass
class Line:
    """A segment read: its objective and (once parsed) its expression."""

    segment: Segment
    objective: Objective | None
    expr: sp.Expr | None = None
    variables: dict = field(default_factory=dict)  # its chain's variables


@dataclass
class Binding:
    """A name a chain introduced, and the line that stands for it now."""

    name: str
    defined: Line | None          # what later lines unfold the name into (values only)
    last: Line                    # the chain's last line: where a later `NAME = ...` goes on from
    target: sp.Basic | None = None


@dataclass
class FileState:
    source_name: str
    domains: dict[str, str]
    rewriter: Rewriter
    table: Table | None = None               # the variables of the step being checked
    all_variables: dict = field(default_factory=dict)  # every chain's, the first reading of a name wins
    explicit_parameters: set[str] = field(default_factory=set)
    definitions: list[tuple[sp.Basic, sp.Expr]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def verify_source(text: str, fmt: str, domains: dict[str, str], name: str, seconds: float) -> VerifyReport:
    source = read_source(text, fmt, name)
    merged = {**source.domains, **dict(domains)}
    chains = chains_of(source)
    if not chains:
        raise VerifyError("no display formulas found (.tex: align/equation/...; .md: $$..$$ or \\[..\\])", name)
    rewriter = Rewriter(DEFAULT_PARAMETERS | {_canon_param(p) for p in source.parameters})
    state = FileState(name, merged, rewriter, explicit_parameters={_canon_param(p) for p in source.parameters})
    plans = [_plan(chain, state) for chain in chains]
    _parse_all(plans, state)
    results: list[StepResult] = []
    bindings: dict[str, Binding] = {}
    for chain, plan in zip(chains, plans):
        results += _run_chain(chain, plan, bindings, state, seconds)
    notes = list(dict.fromkeys(state.notes))
    return VerifyReport(name, tuple(results), tuple(notes))


def _canon_param(text: str) -> str:
    return "".join(t.text for t in tokenize(text)
                   if t.text not in (r"\mathbf", r"\boldsymbol", r"\bm", r"\textbf", "{", "}"))


# -- planning: names, objectives --------------------------------------------------------------
@dataclass
class Plan:
    name: str | None          # the chain starts `NAME = ...`
    name_line: Line | None
    lines: list[Line]


def _plan(chain: Chain, state: FileState) -> Plan:
    name = None
    first = chain.segments[0]
    if len(chain.segments) > 1 and chain.links[0].relation in EQUALS and _is_name(first.raw):
        name = _name_key(first.raw)
        state.rewriter.declare(first.raw)
    lines: list[Line] = []
    for k, seg in enumerate(chain.segments):
        try:
            objective = state.rewriter.objective(seg.raw)
        except ParseError as exc:
            raise VerifyError(f"cannot read {seg.raw!r}: {exc.message}", state.source_name, seg.line) from None
        if objective.is_problem:
            state.explicit_parameters |= set(objective.params)
        state.notes += list(objective.notes)
        lines.append(Line(seg, objective))
    name_line = lines[0] if name else None
    return Plan(name, name_line, lines)


def _is_name(raw: str) -> bool:
    """A lone symbol, element or call: ``\\hat{\\theta}``, ``\\mathcal{L}``, ``J(\\theta)``,
    ``P(X|\\theta)``, ``\\hat{y}_j``, ``D_{KL}(p\\|q)``."""
    try:
        tokens = tokenize(raw)
    except ParseError:
        return False
    if not tokens:
        return False
    i = 0
    decorators = {r"\hat", r"\widehat", r"\tilde", r"\bar", r"\mathcal", r"\mathbb", r"\mathbf",
                  r"\boldsymbol", r"\bm", r"\mathrm", r"\operatorname", r"\vec"}
    while i < len(tokens) and tokens[i].text in decorators:
        i += 1
        if i < len(tokens) and tokens[i].text == "{":
            i += 1
    if i >= len(tokens):
        return False
    head = tokens[i]
    if not (head.kind == "letter" or (head.kind == "cmd" and head.text in _GREEK_OR_NAMES)):
        return False
    i += 1
    while i < len(tokens) and tokens[i].text == "}":
        i += 1
    for script in ("_", "^"):
        if i < len(tokens) and tokens[i].text == script:
            i += 1
            if i < len(tokens) and tokens[i].text == "{":
                i = _close(tokens, i, "{", "}") + 1
            else:
                i += 1
    if i < len(tokens) and tokens[i].text == "(":
        i = _close(tokens, i, "(", ")") + 1
    return i == len(tokens)


def _close(tokens, i: int, opener: str, closer: str) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].text == opener
        depth -= tokens[j].text == closer
        if depth == 0:
            return j
    return len(tokens)


from ..parsing.reader import GREEK as _GREEK  # noqa: E402

_GREEK_OR_NAMES = set(_GREEK) | {r"\ell", r"\Pr"}


def _name_key(raw: str) -> str:
    return " ".join(t.text for t in tokenize(raw) if t.text not in (r"\mathbf", r"\boldsymbol", r"\bm"))


# -- parsing every formula of the file together ---------------------------------------------
def _parse_all(plans: list[Plan], state: FileState) -> None:
    """Each chain is read on its own (a file may use p_i^{(k)} in one chain and
    p^{(k)} in another), against the whole file's domains."""
    domains = dict(state.domains)
    for key in list(domains):
        if key.startswith((PROBABILITY_PLACEHOLDER, FUNCTION_PLACEHOLDER)):
            raise VerifyError(f"{key} is reserved by derive verify", state.source_name)
    calls = state.rewriter.calls.by_key.values()
    if any(c.probability for c in calls):
        domains[PROBABILITY_PLACEHOLDER] = "positive"
    used: set[str] = set()
    sizes: set[str] = set()
    for plan in plans:  # first, which names are sizes anywhere in the file
        try:
            sizes |= read_formulas([ln.objective.text for ln in plan.lines], domains, unused_ok=True).table.size_keys
        except ParseError:
            pass  # reported below
    for plan in plans:
        lines = plan.lines
        texts = [ln.objective.text for ln in lines]
        try:
            parsed = read_formulas(texts, domains, unused_ok=True, sizes=frozenset(sizes))
        except ParseError as exc:
            bad = next((ln for ln in lines if ln.objective.text == exc.text), None)
            line = bad.segment.line if bad else lines[0].segment.line
            shown = f" in {bad.segment.raw!r}" if bad else ""
            raise VerifyError(f"cannot read the formula{shown}: {exc.message}", state.source_name, line) from None
        for ln, expr in zip(lines, parsed.exprs):
            ln.expr = expr
            ln.variables = parsed.table.variables
        for name, var in parsed.table.variables.items():
            state.all_variables.setdefault(name, var)
            used.add(var.key)
        used |= {k for text in texts for k in _letters_bound(text)}
        for note in parsed.notes:
            ln = next((ln for ln in lines if note.startswith(ln.objective.text + ": ")), None)
            state.notes.append(f"line {ln.segment.line}: {note[len(ln.objective.text) + 2:]}" if ln else note)
    _unify_file_ranges(plans, state)
    unused = sorted(k for k in state.domains if _domain_key(k) not in used)
    if unused:
        raise VerifyError(f"a domain is given for {', '.join(unused)}, which no formula of the file uses",
                          state.source_name)


def _unify_file_ranges(plans: list[Plan], state: FileState) -> None:
    """A sum without bounds (a built-in H(p, q) unfolds to one) runs over the
    range another chain of the file gives explicitly (``\\sum_{j=1}^{M} y_j``)."""
    from ..parsing import _unify_whole_ranges
    lines = [ln for plan in plans for ln in plan.lines]
    table = Table({}, dict(state.all_variables))
    exprs = _unify_whole_ranges([ln.expr for ln in lines], table)
    gone = set(state.all_variables) - set(table.variables)
    for ln, expr in zip(lines, exprs):
        ln.expr = expr
        ln.variables = {k: v for k, v in ln.variables.items() if k not in gone}
    for name in gone:
        del state.all_variables[name]


def _domain_key(key: str) -> str:
    from ..parsing import domain_key
    try:
        return domain_key(key)
    except ParseError as exc:
        raise VerifyError(f"domain {key!r}: {exc.message}") from None


def _letters_bound(text: str) -> set[str]:
    """Letters a sum binds (``\\sum_{k=1}``): a domain may name them."""
    import re
    return set(re.findall(r"\\(?:sum|prod)\s*_\s*\{?\s*([A-Za-z])", text))


def _table_for(*lines: "Line", state: FileState) -> Table:
    variables = dict(state.all_variables)
    for ln in lines:
        variables.update(ln.variables)
    return Table(dict(), variables)


# -- running the chains ------------------------------------------------------------------------
def _run_chain(chain: Chain, plan: Plan, bindings: dict[str, Binding], state: FileState,
               seconds: float) -> list[StepResult]:
    results: list[StepResult] = []
    lines = plan.lines
    ordinals: dict[int, int] = {}

    def result(line_no: int, **kw) -> StepResult:
        ordinals[line_no] = ordinals.get(line_no, 0) + 1
        return StepResult(line=line_no, ordinal=ordinals[line_no], **kw)

    start = 0
    if plan.name is not None:
        link = chain.links[0]
        previous = bindings.get(plan.name)
        name_line, first = lines[0], lines[1]
        if previous is not None:
            # `NAME = ...` again: the new line must follow from where NAME stood
            results.append(_step(previous.last, first, link, state, seconds, result))
        elif _mentions(first, name_line):
            results.append(_step(name_line, first, link, state, seconds, result))
        else:
            defined = first if not first.objective.is_problem else None
            binding = Binding(plan.name, defined, first)
            bindings[plan.name] = binding
            if defined is not None:
                _define(name_line, defined, state)
            results.append(result(first.segment.line, before=name_line.segment.raw, after=first.segment.raw,
                                  relation="defines", verdict=StepVerdict.DEFINES, method="definition",
                                  reason=f"introduces {name_line.segment.raw}", justification=link.justification))
        start = 1
    for k in range(start + 1, len(lines)):
        results.append(_step(lines[k - 1], lines[k], chain.links[k - 1], state, seconds, result))
    if plan.name is not None:
        bindings[plan.name].last = lines[-1]
    return results


def _mentions(line: Line, name_line: Line) -> bool:
    target = name_line.expr
    return target is not None and line.expr is not None and bool(line.expr.has(_head_of(target)))


def _head_of(expr: sp.Basic) -> sp.Basic:
    return expr.base if isinstance(expr, sp.Indexed) else expr


def _define(name_line: Line, value: Line, state: FileState) -> None:
    """Later lines read ``name`` as ``value``: a symbol, or an element whose
    indices are the definition's free indices (``P_i := ...``)."""
    target = name_line.expr
    if isinstance(target, (sp.Symbol, sp.Indexed)):
        state.definitions.append((target, value.expr))


def unfold(expr: sp.Expr, state: FileState) -> sp.Expr:
    for _ in range(MAX_UNFOLD):
        before = expr
        for target, value in state.definitions:
            if isinstance(target, sp.Symbol):
                expr = expr.xreplace({target: value})
            else:
                base, idx = target.base, target.indices

                def swap(node, idx=idx, value=value):
                    return value.xreplace(dict(zip(idx, node.indices)))
                expr = expr.replace(lambda n, base=base: isinstance(n, sp.Indexed) and n.base == base
                                    and len(n.indices) == len(idx), swap)
        if expr == before:
            return expr
    return expr


# -- one step ------------------------------------------------------------------------------------
def _step(a: Line, b: Line, link, state: FileState, seconds: float, result) -> StepResult:
    oa, ob = a.objective, b.objective
    state.table = _table_for(a, b, state=state)
    common = dict(before=a.segment.raw, after=b.segment.raw, justification=link.justification)
    line_no = b.segment.line
    if link.relation in UNCHECKED:
        return result(line_no, relation=UNCHECKED[link.relation], verdict=StepVerdict.UNKNOWN, method="structure",
                      reason=f"the relation {UNCHECKED[link.relation]} is not checked (only =, \\equiv "
                             "and optimiser steps are)", **common)
    if oa.is_problem != ob.is_problem:
        return result(line_no, relation="=", verdict=StepVerdict.UNKNOWN, method="structure",
                      reason="one side is an optimisation problem and the other a value", **common)
    ea, eb = a.expr, b.expr
    law = laws.find(link.justification)
    if law is not None:
        # the law sees the lines as written (P(y_i|x_i), not what it unfolds to)
        applied = law.apply(ea, eb, state)
        if applied.error:
            applied = law.apply(unfold(ea, state), unfold(eb, state), state)
        if applied.error:
            rel = _relation(oa, ob, link.relation)
            return result(line_no, relation=rel, verdict=StepVerdict.UNKNOWN, method=f"law: {law.title}",
                          reason=applied.error, **common)
        ea, eb = applied.before, applied.after
        for target, value in applied.facts:
            state.definitions.append((target, value))
    ea, eb = unfold(ea, state), unfold(eb, state)
    if not oa.is_problem:
        return _identity_step(ea, eb, a, b, state, seconds, result, common, law)
    return _optimiser_step(ea, eb, a, b, link.relation, state, seconds, result, common, law)


def _relation(oa: Objective, ob: Objective, written: str) -> str:
    if not oa.is_problem:
        return "="
    if oa.is_arg:
        if oa.sense == ob.sense:
            return f"same arg{oa.sense}"
        return f"arg{oa.sense} -> arg{ob.sense}"
    if written == "=":
        return f"{oa.sense} = {ob.sense}"
    return "same optimiser"


def _method(verdict_method: str, law) -> str:
    return f"law: {law.title}; {verdict_method}" if law is not None else verdict_method


def _opaque(expr: sp.Expr, state: FileState) -> set[str]:
    names = set()
    for node in sp.preorder_traversal(expr):
        obj = node.base if isinstance(node, sp.Indexed) else node
        label = getattr(obj, "name", None) if isinstance(obj, (sp.Symbol, sp.IndexedBase)) else None
        if label is not None and str(label).startswith((PROBABILITY_PLACEHOLDER, FUNCTION_PLACEHOLDER)):
            names.add(str(label))
    return names


def _law_caveat(ea: sp.Expr, eb: sp.Expr, state: FileState) -> str | None:
    """Why a numeric mismatch may not be a failure: the sides mention different
    probabilities, which laws of probability may relate."""
    left, right = _opaque(ea, state), _opaque(eb, state)
    if left == right:
        return None
    written = {c.sympy_name: c.written for c in state.rewriter.calls.by_key.values()}
    shown = ", ".join(sorted(written.get(n, n) for n in left ^ right))
    return (f"the two sides relate different probabilities or named functions ({shown}); that needs a law "
            "of probability or a definition: name the law in the justification (Bayes' rule, i.i.d. "
            "samples, uniform prior) or define the function in an earlier line")


def _rename(cex: dict | None, state: FileState, exprs) -> dict | None:
    """The counterexample in the file's notation, with only the variables the step reads."""
    if not cex:
        return cex
    written = {c.sympy_name: c.written for c in state.rewriter.calls.by_key.values()}
    used = {name for name, var in state.table.variables.items()
            if any(e.has(var.obj) for e in exprs)}
    values = {}
    for key, value in cex.get("values", {}).items():
        base = key.split("[")[0].split(" (")[0]
        if base not in used:
            continue
        for n, w in written.items():
            if key.startswith(n):
                key = " ".join(w.split()) + key[len(n):]
        values[key] = value
    out = dict(cex)
    out["values"] = values
    if "sizes" in out:
        out["sizes"] = {k: v for k, v in out["sizes"].items() if k in used}
    return out


def _identity_step(ea, eb, a: Line, b: Line, state: FileState, seconds: float, result, common, law) -> StepResult:
    parsed = Parsed([ea, eb], state.table, [])
    verdict = decide(a.segment.raw, b.segment.raw, parsed, state.domains, seconds)
    verdict = replace(verdict, reason=_before_after(verdict.reason))
    line_no = b.segment.line
    if verdict.answer is Answer.EQUIVALENT:
        return result(line_no, relation="=", verdict=StepVerdict.HOLDS, method=_method(verdict.method, law),
                      reason=verdict.reason, **common)
    if verdict.answer is Answer.NOT_EQUIVALENT:
        caveat = _law_caveat(ea, eb, state)
        if caveat:
            return result(line_no, relation="=", verdict=StepVerdict.UNKNOWN, method=_method("numeric", law),
                          reason=caveat, **common)
        return result(line_no, relation="=", verdict=StepVerdict.FAILS, method=_method(verdict.method, law),
                      reason=verdict.reason, counterexample=_rename(verdict.counterexample, state, (ea, eb)), **common)
    if verdict.witness is not None and _law_caveat(ea, eb, state) is None:
        witness = _sides(verdict.witness, old="a")
        return result(line_no, relation="=", verdict=StepVerdict.FAILS, method=_method(verdict.method, law),
                      reason=_one_sided(witness, "line"), counterexample=_rename(witness, state, (ea, eb)),
                      **common)
    return result(line_no, relation="=", verdict=StepVerdict.UNKNOWN, method=_method(verdict.method, law),
                  reason=verdict.reason, **common)


def _sides(witness: dict, old: str) -> dict:
    """decide's one-sided point (sides ``a``/``b``) as ``before``/``after``."""
    new = "b" if old == "a" else "a"
    out = {k: v for k, v in witness.items() if k not in ("a", "b", "defined")}
    out["before"] = witness.get(old, "no value")
    out["after"] = witness.get(new, "no value")
    return out


def _before_after(reason: str) -> str:
    """decide's A and B are the step's old and new lines."""
    return (reason.replace("(A = ", "(before = ").replace(", B = ", ", after = ")
            .replace("A - B = ", "before - after = "))


def _one_sided(witness: dict, what: str) -> str:
    """A step is wrong where one side has a value and the other none (log 0,
    a division by 0), when that is most of the domain and not a sliver."""
    has, lacks = ("old", "new") if witness["after"] == "no value" else ("new", "old")
    return (f"the {lacks} {what} has no value (a log of 0, a division by 0, ...) at most points where the "
            f"{has} one has; the point shown is one")


# -- optimiser steps -------------------------------------------------------------------------------
def _dependent_names(state: FileState, exprs, free_calls: set[str]) -> set[str]:
    """Table names of the variables that depend on the parameters."""
    params = state.rewriter.parameters
    explicit = state.explicit_parameters
    calls = state.rewriter.calls.by_name()
    out = set()
    for name, var in state.table.variables.items():
        if var.kind == "size":
            continue
        key = var.key
        if key.startswith(HATS) or key in params:
            out.add(name)
            continue
        base = name.split("[")[0]
        call = calls.get(base) or next((c for n, c in calls.items() if name.startswith(n)), None)
        if call is not None and name not in free_calls:
            if call.mentions or call.hatted or not explicit:
                out.add(name)
    return out


def _optimiser_step(ea, eb, a: Line, b: Line, written: str, state: FileState, seconds: float, result,
                    common, law) -> StepResult:
    oa, ob = a.objective, b.objective
    relation = _relation(oa, ob, written)
    line_no = b.segment.line

    def answer(verdict, method, reason, cex=None):
        return result(line_no, relation=relation, verdict=verdict, method=_method(method, law), reason=reason,
                      counterexample=cex, **common)

    if oa.params and ob.params and set(oa.params) != set(ob.params):
        return answer(StepVerdict.UNKNOWN, "structure",
                      f"the problems are over different parameters ({', '.join(oa.params)} and {', '.join(ob.params)})")
    if oa.is_arg != ob.is_arg:
        return answer(StepVerdict.UNKNOWN, "structure",
                      "an arg max (a set of parameters) and a max (a value) are not the same thing")
    if not oa.is_arg and written == "=":
        # max F = max G claims equal optimal values: the objectives must be equal
        if oa.sense != ob.sense:
            return answer(StepVerdict.UNKNOWN, "structure",
                          f"a {oa.sense} equal to a {ob.sense}: write \\equiv for the same optimiser, or use arg {oa.sense}")
        step = _identity_step(ea, eb, a, b, state, seconds, result, common, law)
        return StepResult(**{**step.__dict__, "relation": relation})
    free_calls = set(law.free_calls(ea, eb, state)) if law is not None else set()
    dependent = _dependent_names(state, (ea, eb), free_calls)
    table = state.table
    dep_objs = [v.obj for n, v in table.variables.items() if n in dependent]

    def depends(e: sp.Expr) -> bool:
        return any(e.has(o) for o in dep_objs)

    if not depends(ea) and not depends(eb):
        return answer(StepVerdict.UNKNOWN, "structure",
                      "neither objective depends on the parameters as far as derive can tell (hatted symbols, "
                      "the arg max subscript, and symbols a `derive-parameters:` comment names)")
    direction = 1 if oa.sense == ob.sense else -1
    ranges = Ranges.of([ea, eb])
    lookup = _context(Parsed([ea, eb], table, []), ranges).interval
    tried = []
    wrong_sign = ""
    for cand in candidates(ea, eb, depends):
        if depends(cand.c) or depends(cand.t):
            continue
        target = cand.c * (sp.log(ea) if cand.log else ea) + cand.t
        parsed = Parsed([eb, target], table, [])
        verdict = decide(b.segment.raw, f"{cand.describe()} of {a.segment.raw}", parsed, state.domains, seconds)
        tried.append(cand)
        if verdict.witness is not None and verdict.witness.get("defined") == "B" and _law_caveat(ea, eb, state) is None:
            witness = _sides(verdict.witness, old="b")  # decide compared (new, map of old)
            return answer(StepVerdict.FAILS, "numeric", _one_sided(witness, "objective"),
                          _rename(witness, state, (ea, eb)))
        if verdict.answer is not Answer.EQUIVALENT:
            continue
        sign = sign_of(cand.c, lookup)
        if sign == 0:
            return answer(StepVerdict.UNKNOWN, verdict.method,
                          f"the new objective is {cand.describe()} of the old one, but the sign of "
                          f"{sp.sstr(cand.c)} could not be proved")
        if sign != direction:
            wrong_sign = (f"the new objective is {cand.describe()} of the old one; the factor {sp.sstr(cand.c)} is "
                          f"{'positive' if sign > 0 else 'negative'}, so arg {oa.sense} becomes arg "
                          f"{oa.sense if sign > 0 else ('min' if oa.sense == 'max' else 'max')}, not arg {ob.sense}")
            break
        if cand.log and not nonnegative(ea, lookup):
            return answer(StepVerdict.UNKNOWN, verdict.method,
                          "the step takes a log, but the old objective could not be shown >= 0")
        if cand.t != 0:
            maker = PointMaker(table.variables, [ea, eb, cand.t], _rng(a.segment.raw, b.segment.raw, state.domains))
            finite = finite_at_points(cand.t, maker, Budget(seconds=seconds))
            if finite is False:
                return answer(StepVerdict.UNKNOWN, "numeric",
                              f"the dropped term {sp.sstr(cand.t)} is not finite everywhere (an infinite shift "
                              "flattens the objective)")
            if finite is None:
                return answer(StepVerdict.UNKNOWN, "numeric",
                              f"could not show the dropped term {sp.sstr(cand.t)} finite")
        how = ("arg " + oa.sense + (" stays arg " + ob.sense if direction > 0 else " becomes arg " + ob.sense))
        return answer(StepVerdict.HOLDS, verdict.method,
                      f"{how}: the new objective is {cand.describe()} of the old one; {verdict.reason}")
    caveat = _law_caveat(ea, eb, state)
    maker = PointMaker(table.variables, [ea, eb], _rng(b.segment.raw, a.segment.raw, state.domains))
    witness = order_witness(ea, eb, direction, maker, lambda n: n in dependent, Budget(seconds=seconds))
    if witness is not None and caveat is None:
        text = f"{wrong_sign}: {witness.text}" if wrong_sign else witness.text
        return answer(StepVerdict.FAILS, "numeric", text, _rename(witness.counterexample, state, (ea, eb)))
    if wrong_sign:
        return answer(StepVerdict.UNKNOWN, "structure", wrong_sign + ", but no pair of parameter points "
                      "showing it was found")
    if caveat:
        return answer(StepVerdict.UNKNOWN, "structure", caveat)
    return answer(StepVerdict.UNKNOWN, "structure",
                  f"no map G = c*F + t or c*log F + t with c, t free of the parameters was found "
                  f"({len(tried)} tried), and no pair of parameter points shows the order changed")
