"""One step of a user's derivation, checked for its relation.

An equality is decided as ``derive check`` decides it; an optimiser step
(``\\arg\\max_\\theta F = \\arg\\min_\\theta G``) by the monotone maps of
:mod:`.optimiser`. A law of probability the justification names (:mod:`.laws`)
rewrites the step first; definitions are unfolded into both sides. Sides that
mention different probabilities are never said to fail: a law the engine was
not told about may relate them.
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..checks.points import PointMaker, kernel_context, pair_rng
from ..equivalence.decide import decide
from ..equivalence.verdict import Answer
from ..checks.evaluate import Budget
from ..parsing import Parsed
from ..parsing.ranges import Ranges
from . import laws, slips
from .cases import Case, case_of, restrict, substituted_index, within_rows
from .chains import UNCHECKED
from .notation import Objective
from .optimiser import candidates, finite_at_points, nonnegative, order_witness, sign_of, varies
from .results import StepResult, StepVerdict
from .state import DerivativeError, FileState, Line, canonical_name, opaque_names, table_for, unfold

HATS = (r"\hat{", r"\widehat{")


def check_step(a: Line, b: Line, link, state: FileState, seconds: float, result, suggest: bool = True) -> StepResult:
    """The step ``a -> b`` checked; a failing step carries the slip that breaks it, when one
    is found (and ``suggest``)."""
    try:
        step = _check(a, b, link, state, seconds, result)
        if step.verdict is StepVerdict.FAILS and suggest:
            step = replace(step, suggestion=slips.suggest(a, b, link, state, seconds, _check))
    except DerivativeError as exc:
        return result(b.segment.line, before=a.segment.raw, after=b.segment.raw, relation=link.relation,
                      verdict=StepVerdict.UNKNOWN, method="derivative", reason=str(exc),
                      justification=link.justification)
    return step


def _check(a: Line, b: Line, link, state: FileState, seconds: float, result) -> StepResult:
    oa, ob = a.goal, b.goal
    state.table = table_for(a, b, state=state)
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
            # the law does not apply: the step may still hold without it
            step = _by_relation(unfold(ea, state), unfold(eb, state), a, b, link, state, seconds, result, common,
                                None)
            if step.verdict is StepVerdict.HOLDS:
                return step
            rel = _relation(oa, ob, link.relation)
            return replace(step, relation=rel, verdict=StepVerdict.UNKNOWN, method=f"law: {law.title}",
                           reason=applied.error, counterexample=None)
        ea, eb = applied.before, applied.after
        for target, value in applied.facts:
            state.definitions.append((target, value))
    elif state.assumptions:
        return _by_assumption(ea, eb, a, b, link, state, seconds, result, common)
    return _by_relation(unfold(ea, state), unfold(eb, state), a, b, link, state, seconds, result, common, law)


def is_instance(general: Line, instance: Line, state: FileState, seconds: float) -> bool:
    """Is ``NAME = instance`` after ``NAME = general`` a value at an instance (``H = -(0.5
    \\log_2 0.5 + 0.5 \\log_2 0.5)`` after ``H = -\\sum_x p(x) \\log_2 p(x)``)? The instance is
    numbers only, and the general formula is not a constant (``\\sum_k p_k`` of a simplex row
    is 1, and ``S = 2`` after it is a claim to check)."""
    if general.expr is None or instance.expr is None or general.goal.is_problem \
            or instance.goal.is_problem or instance.expr.free_symbols:
        return False
    expr = unfold(general.expr, state)
    if not expr.free_symbols:
        return False
    state.table = table_for(general, state=state)
    maker = PointMaker(state.current_table.variables, [expr], pair_rng(general.segment.raw, "", state.domains))
    return varies(expr, maker, Budget(seconds=seconds))


def _by_assumption(ea, eb, a: Line, b: Line, link, state: FileState, seconds: float, result, common) -> StepResult:
    """A step whose justification names no law, in a file that declares laws
    (``% derive: assume=iid``): the declared laws it is an instance of rewrite it
    first, and the method says so. A step no declared law fits is checked as it is."""
    optimiser = a.goal.is_problem
    found = laws.assumed(state.assumptions, ea, eb, state, optimiser) \
        or laws.assumed(state.assumptions, unfold(ea, state), unfold(eb, state), state, optimiser)
    if found is None:
        return _by_relation(unfold(ea, state), unfold(eb, state), a, b, link, state, seconds, result, common, None)
    law, applied = found
    for target, value in applied.facts:
        state.definitions.append((target, value))
    return _by_relation(unfold(applied.before, state), unfold(applied.after, state), a, b, link, state, seconds,
                        result, common, law)


def _by_relation(ea, eb, a: Line, b: Line, link, state: FileState, seconds: float, result, common, law):
    case = case_of(link.justification)
    if case is not None and not a.goal.is_problem:
        restricted = restrict(ea, eb, case)
        if isinstance(restricted, str):
            return result(b.segment.line, relation="=", verdict=StepVerdict.UNKNOWN, method="case",
                          reason=restricted, **common)
        ea, eb = restricted
    if not a.goal.is_problem:
        ea, eb, within = within_rows(ea, eb, state.entries)
        step = _identity_step(ea, eb, a, b, state, seconds, result, common, law)
        if case is None and step.verdict is StepVerdict.FAILS:
            step = _unwritten_case(step, ea, eb, a, b, state, seconds)
        if within and step.verdict in (StepVerdict.HOLDS, StepVerdict.FAILS):
            step = replace(step, reason=f"{step.reason} (checked where {'; '.join(within)}, "
                                        "which the chain differentiates by)")
        return step
    return _optimiser_step(ea, eb, a, b, link.relation, state, seconds, result, common, law)


def _relation(oa: Objective, ob: Objective, written: str) -> str:
    if not oa.is_problem:
        return "="
    if oa.is_arg:
        if oa.sense == ob.sense:
            return f"same arg{oa.sense}"
        return f"arg{oa.sense} -> arg{ob.sense}"
    if written != r"\equiv":
        return f"{oa.sense} = {ob.sense}"
    return "same optimiser"


def _unwritten_case(step: StepResult, ea, eb, a: Line, b: Line, state: FileState, seconds: float) -> StepResult:
    """A failing step that takes a case of two indices the text does not write (see
    :mod:`.cases`) is unknown instead, with why; any other failing step is kept."""
    taken = None
    if a.expr is not None and b.expr is not None and a.expr.has(sp.Derivative):
        # only a derivative by an entry is split into cases: x_i = x_j is a claim, not a case
        taken = substituted_index(a.expr, b.expr)
        if taken is not None and not {taken.left, taken.right} & {e.index for e in state.entries}:
            taken = None
    if taken is not None:
        state.splits[frozenset((taken.left, taken.right))] = b.segment.line
        return replace(step, verdict=StepVerdict.UNKNOWN, method="case", counterexample=None, suggestion=None,
                       reason=f"the new line writes {taken.right} for {taken.left}: it takes the case "
                              f"{taken.describe()}, which the text does not write (as written: {step.reason})")
    for letters, line in state.splits.items():
        for equal in (False, True):
            left, right = sorted(letters)
            case = Case(left, right, equal)
            restricted = restrict(ea, eb, case)
            if isinstance(restricted, str):
                break
            verdict = decide(a.segment.raw, b.segment.raw, Parsed(list(restricted), state.current_table, []),
                             state.domains, seconds / 2)
            if verdict.answer is Answer.EQUIVALENT and _one_side_only(verdict.coverage) is None:
                return replace(step, verdict=StepVerdict.UNKNOWN, method="case", counterexample=None,
                               suggestion=None,
                               reason=f"holds only where {case.describe()}, a case the text does not write (line "
                                      f"{line} splits the cases of {' and '.join(sorted(letters))}); as written: "
                                      f"{step.reason}")
    return step


def _method(verdict_method: str, law) -> str:
    return f"law: {law.title}; {verdict_method}" if law is not None else verdict_method


def _law_caveat(ea: sp.Expr, eb: sp.Expr, state: FileState) -> str | None:
    """Why a numeric mismatch may not be a failure: the sides mention different
    probabilities, which laws of probability may relate."""
    left, right = opaque_names(ea), opaque_names(eb)
    if left == right:
        return None
    written = {c.sympy_name: c.written for c in state.rewriter.calls.by_key.values()}
    shown = ", ".join(sorted(written.get(n, n) for n in left ^ right))
    return (f"the two sides relate different probabilities or named functions ({shown}); that needs a law "
            "of probability or a definition: name the law in the justification (Bayes' rule, i.i.d. "
            "samples, uniform prior) or define the function in an earlier line")


def in_file_notation(cex: dict | None, state: FileState, exprs) -> dict | None:
    """A counterexample in the file's notation, with only the variables ``exprs`` read."""
    return _rename(cex, state, exprs)


def _rename(cex: dict | None, state: FileState, exprs) -> dict | None:
    """The counterexample in the file's notation, with only the variables the step reads."""
    if not cex:
        return cex
    written = {c.sympy_name: c.written for c in state.rewriter.calls.by_key.values()}
    used = {name for name, var in state.current_table.variables.items()
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


def row_context(state: FileState) -> list:
    """The file's lines so far, the running chain's and the definitions: they give the rows of
    one-hot and simplex arrays their length in every step (see :func:`..equivalence.decide.ranges_of`)."""
    out = [e for e in state.chain if isinstance(e, sp.Basic)]
    out += [ln.expr for ln in state.seen if isinstance(ln.expr, sp.Basic)]
    out += [v for _, v in state.definitions if isinstance(v, sp.Basic)]
    return out


def _identity_step(ea, eb, a: Line, b: Line, state: FileState, seconds: float, result, common, law) -> StepResult:
    parsed = Parsed([ea, eb], state.current_table, [], context=row_context(state),
                    inside=frozenset(e.index for e in state.entries))
    verdict = decide(a.segment.raw, b.segment.raw, parsed, state.domains, seconds)
    verdict = replace(verdict, reason=_before_after(verdict.reason))
    line_no = b.segment.line
    lost = _one_side_only(verdict.coverage)
    if verdict.answer is Answer.EQUIVALENT and lost is not None and _law_caveat(ea, eb, state) is None:
        count, total, point, side = lost
        has, lacks = ("old", "new") if side == "a" else ("new", "old")
        witness = _sides(dict(point), old="a")
        return result(line_no, relation="=", verdict=StepVerdict.FAILS, method=_method("numeric", law),
                      reason=f"the {lacks} line has no value (a log of 0, a division by 0, ...) at {count} of "
                             f"{total} random points where the {has} one has a value; the point shown is one",
                      counterexample=_rename(witness, state, (ea, eb)), **common)
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


#: A step one of whose lines has no value at this share of the points where the
#: other has, or more, fails there: log y = 0 for binary y, log y_1 for one-hot y.
#: (Edge values, where a simplex entry is exactly 0, are a smaller share.)
LOST_SHARE = 1 / 3
LOST_AT_LEAST = 3


def _one_side_only(coverage: dict | None):
    """``(points, of how many, a point, "a" or "b")`` when one side has no value at
    a large share of the points where the other has, else None."""
    if not coverage:
        return None
    both = coverage.get("both", 0)
    for side in ("a", "b"):
        count, point = coverage.get(f"only_{side}", 0), coverage.get(f"{side}_point")
        total = count + both
        if point is not None and count >= LOST_AT_LEAST and count >= LOST_SHARE * total:
            return count, total, point, side
    return None


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
def _dependent_names(state: FileState, step_params: set[str], free_calls: set[str]) -> set[str]:
    """Table names of the variables that depend on the parameters: the problem's
    own parameters, hatted symbols, declared ones, and probabilities of the model."""
    params = step_params | state.declared_parameters
    explicit = state.explicit_parameters
    calls = state.rewriter.calls.by_name()
    out = set()
    for name, var in state.current_table.variables.items():
        if var.kind == "size":
            continue
        key = var.key
        if canonical_name(key) in state.data_symbols:
            continue
        if key.startswith(HATS) or key in params:
            out.add(name)
            continue
        base = name.split("[")[0]
        call = calls.get(base) or next((c for n, c in calls.items() if name.startswith(n)), None)
        if call is not None and name not in free_calls:
            # a conditional probability of the data is the model's likelihood, whether
            # or not it names the parameters (P(Y|X)); P(X) without them is evidence
            if call.mentions or call.hatted or call.given or not explicit:
                out.add(name)
    return out


def _optimiser_step(ea, eb, a: Line, b: Line, written: str, state: FileState, seconds: float, result,
                    common, law) -> StepResult:
    oa, ob = a.goal, b.goal
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
    step_params = set(oa.params or ob.params) or set(state.rewriter.parameters)
    free_calls = set(law.free_calls(ea, eb, state)) if law is not None else set()
    dependent = _dependent_names(state, step_params, free_calls)
    table = state.current_table
    # Refuting needs model outputs (hatted symbols, probabilities) free to take any
    # value: a model family can then put two parameter points at the witness's
    # outputs. When the objective is a fixed function of theta itself, it cannot.
    read = {n for n, v in table.variables.items() if ea.has(v.obj) or eb.has(v.obj)}
    dependent &= read
    # h_\\theta(x), f_\\theta: an element indexed by a parameter is a model output
    symbols = {v.obj for n, v in table.variables.items() if v.key in step_params}
    dependent |= {node.base.label.name for e in (ea, eb) for node in sp.preorder_traversal(e)
                  if isinstance(node, sp.Indexed) and set(node.indices) & symbols
                  and node.base.label.name in table.variables}
    outputs = {n for n in dependent if table.variables[n].key not in step_params}
    if not oa.is_arg and written != r"\equiv":
        # max F = max G claims equal optimal values: the objectives must be equal
        if oa.sense != ob.sense:
            return answer(StepVerdict.UNKNOWN, "structure",
                          f"a {oa.sense} equal to a {ob.sense}: write \\equiv for the same optimiser, or use arg {oa.sense}")
        step = _identity_step(ea, eb, a, b, state, seconds, result, common, law)
        if step.verdict is StepVerdict.FAILS and not outputs:
            step = replace(step, verdict=StepVerdict.UNKNOWN, counterexample=None,
                           reason="the objectives differ, but their optimal values may still agree (the objective "
                                  "is a fixed function of the parameters); not checked")
        return replace(step, relation=relation)
    dep_objs = [v.obj for n, v in table.variables.items() if n in dependent]

    def depends(e: sp.Expr) -> bool:
        return any(e.has(o) for o in dep_objs)

    if not depends(ea) and not depends(eb):
        return answer(StepVerdict.UNKNOWN, "structure",
                      "neither objective depends on the parameters as far as derive can tell (hatted symbols, "
                      "the arg max subscript, and symbols a `derive-parameters:` comment names)")
    direction = 1 if oa.sense == ob.sense else -1
    ranges = Ranges.of([ea, eb])
    lookup = kernel_context(table.variables, ranges).interval
    tried = []
    wrong_sign = ""
    for cand in candidates(ea, eb, depends):
        if depends(cand.c) or depends(cand.t):
            continue
        target = cand.c * (sp.log(ea) if cand.log else ea) + cand.t
        parsed = Parsed([eb, target], table, [], context=row_context(state))
        verdict = decide(b.segment.raw, f"{cand.describe()} of {a.segment.raw}", parsed, state.domains, seconds)
        tried.append(cand)
        if verdict.witness is not None and verdict.witness.get("defined") == "B" and _law_caveat(ea, eb, state) is None:
            witness = _sides(verdict.witness, old="b")  # decide compared (new, map of old)
            return answer(StepVerdict.FAILS, "numeric", _one_sided(witness, "objective"),
                          _rename(witness, state, (ea, eb)))
        lost = _one_side_only(verdict.coverage)
        if lost is not None and lost[3] == "b" and _law_caveat(ea, eb, state) is None:
            count, total, point, _ = lost
            witness = _sides(dict(point), old="b")
            return answer(StepVerdict.FAILS, "numeric",
                          f"the new objective has no value (a log of 0, ...) at {count} of {total} random points "
                          "where the old one has a value; the point shown is one", _rename(witness, state, (ea, eb)))
        if verdict.answer is not Answer.EQUIVALENT or lost is not None:
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
            maker = PointMaker(table.variables, [ea, eb, cand.t], pair_rng(a.segment.raw, b.segment.raw, state.domains))
            finite = finite_at_points(cand.t, maker, Budget(seconds=seconds))
            if finite is False:
                return answer(StepVerdict.UNKNOWN, "numeric",
                              f"the dropped term {sp.sstr(cand.t)} is not finite everywhere (an infinite shift "
                              "flattens the objective)")
            if finite is None:
                return answer(StepVerdict.UNKNOWN, "numeric",
                              f"could not show the dropped term {sp.sstr(cand.t)} finite")
        how = f"arg {oa.sense} " + (f"stays arg {ob.sense}" if direction > 0 else f"becomes arg {ob.sense}")
        return answer(StepVerdict.HOLDS, verdict.method,
                      f"{how}: the new objective is {cand.describe()} of the old one; {verdict.reason}")
    caveat = _law_caveat(ea, eb, state)
    maker = PointMaker(table.variables, [ea, eb], pair_rng(b.segment.raw, a.segment.raw, state.domains))
    order = order_witness(ea, eb, direction, maker, lambda n: n in dependent, Budget(seconds=seconds))
    if order is not None and not outputs:
        return answer(StepVerdict.UNKNOWN, "numeric",
                      "the new objective is not a monotone map of the old one (" + order.text.split(": ", 1)[-1]
                      + "), but both are fixed functions of the parameters, whose optimisers may still agree")
    if order is not None and caveat is None:
        text = f"{wrong_sign}: {order.text}" if wrong_sign else order.text
        return answer(StepVerdict.FAILS, "numeric", text, _rename(order.counterexample, state, (ea, eb)))
    if wrong_sign:
        return answer(StepVerdict.UNKNOWN, "structure", wrong_sign + ", but no pair of parameter points "
                      "showing it was found")
    if caveat:
        return answer(StepVerdict.UNKNOWN, "structure", caveat)
    return answer(StepVerdict.UNKNOWN, "structure",
                  f"no map G = c*F + t or c*log F + t with c, t free of the parameters was found "
                  f"({len(tried)} tried), and no pair of parameter points shows the order changed")
