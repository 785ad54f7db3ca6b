"""Laws of probability a step may use, when its justification names them.

Each law is a class in :data:`LAWS` with the words that name it. A law
rewrites the step's left side (or says what is free of the parameters); the
step is then checked like any other. A law whose instance is not in the step
makes the step ``unknown`` with the reason: naming a law is not a proof.

* Bayes' rule: ``P(A|B) -> P(B|A) P(A) / P(B)``, for a probability on one
  side whose reversal and both marginals are written on the other.
* Independent samples (i.i.d.): ``P(D|c) -> \\prod_i P(d_i|c_i)``, for a
  product on the other side over the samples of ``D``; the equality is kept
  for the lines after (``P(D|c)`` unfolds to the product).
* Uniform prior: ``P(\\theta)`` is constant in ``\\theta``, so it may be
  dropped as a positive factor free of the parameters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from .notation import Call


@dataclass
class Applied:
    before: sp.Expr
    after: sp.Expr
    facts: list = field(default_factory=list)
    error: str = ""


class Law:
    title = ""
    assumption = ""            # its name in a file's `derive: assume=...` comment
    names = re.compile(r"$^")

    def apply(self, before: sp.Expr, after: sp.Expr, state) -> Applied:
        return Applied(before, after)

    def free_calls(self, before: sp.Expr, after: sp.Expr, state) -> list[str]:
        return []


def _objects(state) -> dict[str, sp.Basic]:
    return {name: var.obj for name, var in state.table.variables.items()}


def _call_objects(state) -> list[tuple[Call, sp.Basic]]:
    """Every opaque call of the file with the sympy object standing for it."""
    objs = _objects(state)
    out = []
    for call in state.rewriter.calls.by_key.values():
        obj = objs.get(call.sympy_name)
        if obj is not None:
            out.append((call, obj))
    return out


def _appears(obj: sp.Basic, expr: sp.Expr) -> bool:
    return expr.has(obj)


class Bayes(Law):
    """``P(A|B) = P(B|A) P(A) / P(B)``."""

    title = "Bayes' rule"
    assumption = "bayes"
    names = re.compile(r"bayes", re.I)

    def apply(self, before, after, state) -> Applied:
        calls = [(c, o) for c, o in _call_objects(state) if c.probability and c.index_count == 0]
        for side in ("before", "after"):
            this, other = (before, after) if side == "before" else (after, before)
            swaps = {}
            for call, obj in calls:
                if not call.given or not _appears(obj, this) or _appears(obj, other):
                    continue
                present = [(c, o) for c, o in calls if _appears(o, other)]
                reverse = _find(present, call.head, call.given, call.args)
                prior = _find(present, call.head, call.args, ())
                evidence = _find(present, call.head, call.given, ())
                if reverse is not None and prior is not None and evidence is not None:
                    swaps[obj] = reverse * prior / evidence
            if swaps:
                rewritten = this.xreplace(swaps)
                return Applied(rewritten, after) if side == "before" else Applied(before, rewritten)
        return Applied(before, after, error="the justification names Bayes' rule, but the step is not an instance "
                                            "of P(A|B) = P(B|A) P(A) / P(B) with all four probabilities written")


def _find(calls, head: str, args: tuple, given: tuple):
    for call, obj in calls:
        if call.head == head and call.args == tuple(args) and call.given == tuple(given):
            return obj
    return None


def _letters(texts: tuple[str, ...]) -> set[str]:
    out = set()
    for text in texts:
        text = re.sub(r"_\{[^}]*\}", "", text)
        out |= {w.lower() for w in re.findall(r"(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])", text)}
    return out


def _per_sample(whole: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Is ``part`` the i-th sample of ``whole``? Every argument of ``part`` carries
    the sample index, and names the same variables as ``whole`` (``Y`` -> ``y_i``);
    a bold or calligraphic data set may hold several (``\\mathbf{X}`` -> ``(x_i, y_i)``)."""
    if len(whole) != 1 or not part or not all("#" in p for p in part):
        return False
    w = whole[0]
    if r"\mathcal" in w:
        return True  # a data set \mathcal{D}: its samples may have any name
    mine, theirs = _letters(whole), _letters(part)
    if r"\mathbf" in w:
        return bool(mine) and mine <= theirs
    return bool(mine) and mine == theirs


def _same_or_per_sample(whole: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """The conditioning: unchanged (``\\theta``) or per sample (``X`` -> ``x_i``)."""
    if whole == part:
        return True
    fixed = [w for w in whole if w in part]
    rest_whole = tuple(w for w in whole if w not in fixed)
    rest_part = tuple(p for p in part if p not in fixed)
    return bool(rest_whole) and _per_sample(rest_whole, rest_part)


class Independence(Law):
    """``P(D|c) = \\prod_{i} P(d_i|c_i)`` for independent samples ``d_i`` of ``D``."""

    title = "independent samples"
    assumption = "iid"
    names = re.compile(r"i\.?\s*i\.?\s*d|independen", re.I)

    def apply(self, before, after, state) -> Applied:
        calls = _call_objects(state)
        products = [n for n in sp.preorder_traversal(after) if isinstance(n, sp.Product) and len(n.limits) == 1]
        defined = {t for t, _ in state.definitions}
        for call, obj in calls:
            if call.index_count or not call.probability or not _appears(obj, before) or _appears(obj, after):
                continue
            if obj in defined:
                continue  # already equal to a product: unfolded, not derived again
            for prod in products:
                body, i = prod.function, prod.limits[0][0]
                if not (isinstance(body, sp.Indexed) and body.indices == (i,)):
                    continue
                sample = next((c for c, o in calls if o == body.base), None)
                if sample is None or sample.head != call.head or sample.index_count != 1:
                    continue
                if _per_sample(call.args, sample.args) and _same_or_per_sample(call.given, sample.given):
                    return Applied(before.xreplace({obj: prod}), after, facts=[(obj, prod)])
        return Applied(before, after, error="the justification names independent samples, but the step is not "
                                            "an instance of P(D|c) = \\prod_i P(d_i|c) with the product written "
                                            "over the samples of D")


class UniformPrior(Law):
    """``P(\\theta)`` is the same for every ``\\theta``: free of the parameters."""

    title = "uniform prior"
    assumption = "uniform-prior"
    names = re.compile(r"uniform|flat prior|constant prior", re.I)

    def _priors(self, before, after, state) -> list[str]:
        params = state.rewriter.parameters
        return [c.sympy_name for c, o in _call_objects(state)
                if c.probability and not c.given and len(c.args) == 1 and c.args[0].replace(" ", "") in params
                and (_appears(o, before) or _appears(o, after))]

    def apply(self, before, after, state) -> Applied:
        if not self._priors(before, after, state):
            return Applied(before, after, error="the justification names a uniform prior, but no prior "
                                                "P(\\theta) of the parameters appears in the step")
        return Applied(before, after)

    def free_calls(self, before, after, state) -> list[str]:
        return self._priors(before, after, state)


LAWS: tuple[Law, ...] = (Bayes(), Independence(), UniformPrior())
#: The laws a file may take as given for every step: ``% derive: assume=iid, uniform-prior``.
ASSUMPTIONS: dict[str, Law] = {law.assumption: law for law in LAWS}


class Laws(Law):
    """Several laws named in one justification, applied in turn."""

    def __init__(self, laws: list[Law]):
        self.laws = laws
        self.title = " + ".join(law.title for law in laws)

    def apply(self, before, after, state) -> Applied:
        facts = []
        for law in self.laws:
            applied = law.apply(before, after, state)
            if applied.error:
                return applied
            before, after = applied.before, applied.after
            facts += applied.facts
        return Applied(before, after, facts)

    def free_calls(self, before, after, state) -> list[str]:
        return [n for law in self.laws for n in law.free_calls(before, after, state)]


def assumed(names, before: sp.Expr, after: sp.Expr, state, optimiser: bool) -> tuple[Law, Applied] | None:
    """The file's declared laws this step is an instance of, applied in turn: ``(law, applied)``,
    or None when none applies (a law that does not fit the step is left out, not an error).
    What a law frees of the parameters counts only in an ``optimiser`` step."""
    used, facts = [], []
    for name in names:
        law = ASSUMPTIONS[name]
        applied = law.apply(before, after, state)
        if applied.error:
            continue
        if applied.before == before and applied.after == after and not applied.facts \
                and not (optimiser and law.free_calls(before, after, state)):
            continue  # fits, but changes nothing: the step does not rest on it
        used.append(law)
        before, after = applied.before, applied.after
        facts += applied.facts
    if not used:
        return None
    return Declared(used[0] if len(used) == 1 else Laws(used)), Applied(before, after, facts)


class Declared(Law):
    """A law the file declares (``% derive: assume=...``) rather than a justification names."""

    def __init__(self, law: Law):
        self.law = law
        self.title = f"{law.title}, by the declared assumption"

    def apply(self, before, after, state) -> Applied:
        return self.law.apply(before, after, state)

    def free_calls(self, before, after, state) -> list[str]:
        return self.law.free_calls(before, after, state)


def find(justification: str) -> Law | None:
    """The laws a justification names, or ``None``."""
    if not justification:
        return None
    named = [law for law in LAWS if law.names.search(justification)]
    if not named:
        return None
    return named[0] if len(named) == 1 else Laws(named)
