"""Verify a whole file: read its chains, then check each step for its relation.

Order of work: rows and chains (:mod:`.chains`), the notation rewritten for
the reader (:mod:`.notation`), every formula of the file read together (so
they share variables and domains), then the steps in file order. Names a
chain defines (``\\hat{\\theta} = ...``, ``P((x_i, y_i)|\\theta) = ...``) are
unfolded in the lines after them; laws of probability named in a
justification (:mod:`.laws`) rewrite a step's left side before it is checked.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from ..parsing import ParseError, read_formulas
from ..parsing.assemble import Table
from ..parsing.lexer import tokenize
from ..parsing.reader import BOLD, DECORATORS, FUNCTION_COMMANDS, GREEK
from .chains import EQUALS, Chain, chains_of
from .extract import read_source
from .notation import CLASS_PLACEHOLDER, FUNCTION_PLACEHOLDER, PROBABILITY_NAMES, PROBABILITY_PLACEHOLDER, Rewriter
from .results import StepResult, StepVerdict, VerifyError, VerifyReport
from .state import Binding, FileState, Line, canonical_name, is_definition_value, opaque_names, per_sample_term
from .steps import check_step, is_instance
from .tokens import closing

#: Symbols that depend on the parameters whatever the file says.
DEFAULT_PARAMETERS = {r"\theta", r"\boldsymbol{\theta}"}


def verify_source(text: str, fmt: str, domains: dict[str, str], name: str, seconds: float) -> VerifyReport:
    source = read_source(text, fmt, name)
    merged = {**source.domains, **dict(domains)}
    chains = chains_of(source)
    if not chains:
        raise VerifyError("no display formulas found (.tex: align/equation/...; .md: $$..$$ or \\[..\\])", name)
    rewriter = Rewriter(DEFAULT_PARAMETERS | {canonical_name(p) for p in source.parameters})
    declared = {canonical_name(p) for p in source.parameters}
    state = FileState(name, merged, rewriter, file_domains=set(source.domains) - set(domains),
                      declared_parameters=declared, explicit_parameters=set(declared),
                      data_symbols={canonical_name(p) for p in source.data})
    _declare_conventions(source, chains, state)
    plans = [_plan(chain, state) for chain in chains]
    _parse_all(plans, state)
    results: list[StepResult] = []
    bindings: dict[str, Binding] = {}
    for chain, plan in zip(chains, plans):
        results += _run_chain(chain, plan, bindings, state, seconds)
    notes = list(dict.fromkeys(state.notes))
    return VerifyReport(name, tuple(results), tuple(notes))


def _declare_conventions(source, chains: list[Chain], state: FileState) -> None:
    """What the file's ``derive:`` comment says about its notation (``log=2``, ``assume=iid``),
    and the probabilities of a class given a sample it writes (one array over the classes)."""
    state.rewriter.log_base = source.log_base
    state.assumptions = tuple(dict.fromkeys(source.assumptions))
    raws = [(seg.raw, seg.line) for chain in chains for seg in chain.segments]
    state.notes += state.rewriter.prescan(raws, state.domains)
    for name, read in state.rewriter.classes.labels.items():
        if read:
            state.domains[name] = "label"


# -- planning: names, objectives --------------------------------------------------------------
@dataclass
class Plan:
    name: str | None          # the chain starts `NAME = ...`
    name_line: Line | None
    lines: list[Line]


def _plan(chain: Chain, state: FileState) -> Plan:
    name = None
    first = chain.segments[0]
    if len(chain.segments) > 1 and chain.links[0].relation in EQUALS and _is_name(first.raw, state.rewriter):
        name = _name_key(first.raw)
    lines: list[Line] = []
    for k, seg in enumerate(chain.segments):
        try:
            objective = state.rewriter.objective(seg.raw)
        except ParseError as exc:
            raise VerifyError(f"cannot read {seg.raw}: {exc.message}", state.source_name, seg.line) from None
        if objective.is_problem:
            state.explicit_parameters |= set(objective.params)
        state.notes += list(objective.notes)
        lines.append(Line(seg, objective))
    name_line = lines[0] if name else None
    if name_line is not None:
        name_line.objective = replace(name_line.objective, text=_starless(name_line.objective.text))
    return Plan(name, name_line, lines)


def _starless(text: str) -> str:
    """``\\theta^{*}`` reads as a name of its own, ``\\theta_{\\text{opt}}``."""
    import re
    return re.sub(r"\^\s*(\{\s*)?(\*|\\star|\\ast)(\s*\})?", r"_{\\text{opt}}", text)


def _is_name(raw: str, rewriter: Rewriter) -> bool:
    """Can ``raw`` be a name a chain defines? A lone symbol or element (``\\hat{\\theta}``,
    ``\\mathcal{L}_{\\text{BCE}}``, ``y_i^{(k)}``) or a call of a function or probability
    name (``J(\\theta)``, ``P(y_i|x_i)``). Never a power (``x^2``), a product
    (``a(b+c)``, ``p(1-p)``), a constant (``\\pi``, ``e``), a function derive knows
    (``\\sigma(z)``), or a standard name it expands (``H(p, q)``, ``D_{KL}(p\\|q)``)."""
    try:
        tokens = tokenize(raw)
    except ParseError:
        return False
    i = 0
    while i < len(tokens) and tokens[i].text in _DECORATORS:
        i += 1
        if i < len(tokens) and tokens[i].text == "{":
            i += 1
    if i >= len(tokens):
        return False
    head = tokens[i]
    if not (head.kind == "letter" or (head.kind == "cmd" and head.text in _GREEK_OR_NAMES)):
        return False
    if head.text in (r"\pi", "e") or head.text in FUNCTION_COMMANDS:
        return False
    i += 1
    while i < len(tokens) and tokens[i].text == "}":
        i += 1
    if i < len(tokens) and tokens[i].text == "_":
        i = _close(tokens, i + 1, "{", "}") + 1 if i + 1 < len(tokens) and tokens[i + 1].text == "{" else i + 2
    if i < len(tokens) and tokens[i].text == "^":
        # an index written as a superscript, y^{(k)}, or a star, \theta^*: never a power
        if _star_at(tokens, i + 1):
            i = _close(tokens, i + 1, "{", "}") + 1 if tokens[i + 1].text == "{" else i + 2
        elif not (i + 2 < len(tokens) and tokens[i + 1].text == "{" and tokens[i + 2].text == "("):
            return False
        else:
            i = _close(tokens, i + 1, "{", "}") + 1
    if i < len(tokens) and tokens[i].text == "(":
        # f(x) = x^2 + 1: a function of plain letters is an element for every x
        if not (rewriter.is_opaque_call(tokens, 0) or _function_of_letters(tokens, head, i)):
            return False
        i = _close(tokens, i, "(", ")") + 1
    return i == len(tokens)


def _star_at(tokens, j: int) -> bool:
    """``^*``, ``^\\star``, ``^{*}``, ``^{\\ast}``: the name of an optimum."""
    stars = ("*", r"\star", r"\ast")
    if j < len(tokens) and tokens[j].text in stars:
        return True
    return j + 2 < len(tokens) and tokens[j].text == "{" and tokens[j + 1].text in stars and tokens[j + 2].text == "}"


def _function_of_letters(tokens, head, open_at: int) -> bool:
    close = _close(tokens, open_at, "(", ")")
    inner = tokens[open_at + 1:close]
    letters = [t for t in inner if t.text != ","]
    return (head.text in ("f", "g", "h", "F", "G", "u", "v", "\\phi", "\\psi", "p", "q") and bool(letters)
            and all(t.kind == "letter" or t.text in GREEK for t in letters) and len(letters) == len(inner) - inner.count(","))


_DECORATORS = DECORATORS | BOLD | {r"\textbf", r"\operatorname"}  # \hat, \mathcal, ... around a name


def _close(tokens, i: int, opener: str, closer: str) -> int:
    end = closing(tokens, i, opener, closer)
    return len(tokens) if end is None else end



_GREEK_OR_NAMES = set(GREEK) | {r"\ell", r"\Pr"}


def _name_key(raw: str) -> str:
    """One spelling per name: ``\\hat\\theta``, ``\\hat{\\theta}`` and ``\\hat{\\boldsymbol{\\theta}}``."""
    return " ".join(t.text for t in tokenize(raw)
                    if t.text not in (r"\mathbf", r"\boldsymbol", r"\bm", r"\textbf", "{", "}"))


# -- parsing every formula of the file together ---------------------------------------------
def _parse_all(plans: list[Plan], state: FileState) -> None:
    """Each chain is read on its own (a file may use p_i^{(k)} in one chain and
    p^{(k)} in another), against the whole file's domains."""
    domains = dict(state.domains)
    for key in list(domains):
        if key.startswith((*PROBABILITY_NAMES, FUNCTION_PLACEHOLDER)):
            raise VerifyError(f"{key} is reserved by derive verify", state.source_name)
    calls = state.rewriter.calls.by_key.values()
    if any(c.probability for c in calls):
        domains[PROBABILITY_PLACEHOLDER] = "positive"
    if any(c.over_classes for c in calls):
        domains[CLASS_PLACEHOLDER] = "simplex+"  # a distribution over the classes
    used: set[str] = set()
    sizes: set[str] = set()
    first: list = []
    for plan in plans:  # first, which names are sizes anywhere in the file
        try:
            parsed = read_formulas([ln.objective.text for ln in plan.lines], domains, unused_ok=True)
            sizes |= parsed.table.size_keys
        except ParseError:
            parsed = None  # reported below
        first.append(parsed)
    for plan, parsed in zip(plans, first):
        lines = plan.lines
        texts = [ln.objective.text for ln in lines]
        if parsed is not None and not _reads_other_sizes(parsed, sizes):
            pass  # the file's other sizes change nothing here: keep the first reading
        else:
            parsed = _read_chain(texts, lines, domains, sizes, state)
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
    given = sorted(k for k in unused if k not in state.file_domains)
    if given:  # from --domain or a project-wide setting: other files may use them
        state.notes.append(f"a domain is given for {', '.join(given)}, which no formula of the file uses")
    unused = [k for k in unused if k in state.file_domains]
    if unused:
        raise VerifyError(f"a domain is given for {', '.join(unused)}, which no formula of the file uses",
                          state.source_name)


def _reads_other_sizes(parsed, sizes: set[str]) -> bool:
    """Does the chain read, as a plain variable, a name another chain sums to?"""
    return any(name in sizes and var.kind != "size" for name, var in parsed.table.variables.items())


def _read_chain(texts: list[str], lines: list[Line], domains: dict, sizes: set[str], state: FileState):
    try:
        return read_formulas(texts, domains, unused_ok=True, sizes=frozenset(sizes))
    except ParseError as exc:
        bad = next((ln for ln in lines if ln.objective.text == exc.text), None)
        line = bad.segment.line if bad else lines[0].segment.line
        shown = f" {bad.segment.raw}" if bad else ""
        raise VerifyError(f"cannot read the formula{shown}: {exc.message}", state.source_name, line) from None


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
        why_not = None if previous is not None else _not_a_definition(name_line, first, state)
        if previous is not None:
            # `NAME = ...` again: the new line must follow from where NAME stood
            step = check_step(previous.last, first, link, state, seconds, result)
            if step.verdict is not StepVerdict.HOLDS and is_instance(previous.last, first, state, seconds):
                ordinals[step.line] -= 1
                step = _instance(previous, name_line, first, link, state, result)
            results.append(step)
            previous.last = lines[-1]
        elif why_not is not None:
            state.notes.append(f"line {name_line.segment.line}: {name_line.segment.raw} is not defined here "
                               f"({why_not}): the line is checked")
            results.append(check_step(name_line, first, link, state, seconds, result))
        else:
            bindings[plan.name] = Binding(plan.name, lines[-1])
            if not first.objective.is_problem:  # an estimator (arg max) is not unfolded
                _define(name_line, first, state)
            results.append(result(first.segment.line, before=name_line.segment.raw, after=first.segment.raw,
                                  relation="defines", verdict=StepVerdict.DEFINES, method="definition",
                                  reason=f"introduces {name_line.segment.raw}", justification=link.justification))
        start = 1
    for k in range(start + 1, len(lines)):
        results.append(check_step(lines[k - 1], lines[k], chain.links[k - 1], state, seconds, result))
    state.seen.extend(lines)
    return results


def _instance(previous: Binding, name_line: Line, first: Line, link, state: FileState, result) -> StepResult:
    """``NAME = numbers`` after NAME's general formula: a new chain about an instance."""
    general = previous.last.segment
    state.notes.append(f"line {first.segment.line}: {name_line.segment.raw} is given again with numbers only: "
                       f"read as an instance of the general formula (line {general.line}), which starts a new "
                       "chain; the instance itself is not checked against the general formula")
    return result(first.segment.line, before=name_line.segment.raw, after=first.segment.raw, relation="defines",
                  verdict=StepVerdict.DEFINES, method="definition",
                  reason=f"introduces {name_line.segment.raw} at an instance", justification=link.justification)


def _not_a_definition(name_line: Line, first: Line, state: FileState) -> str | None:
    """Why ``NAME = first`` is a claim to check rather than a definition, or None."""
    target = name_line.expr
    head = _head_of(target) if target is not None else None
    if head is None or not isinstance(target, (sp.Symbol, sp.Indexed)):
        return "it does not read as one symbol"
    if first.expr is not None and first.expr.has(head):
        return "the right-hand side mentions it"
    if isinstance(target, sp.Indexed) and not all(isinstance(i, sp.Symbol) for i in target.indices):
        return "an element at a fixed index is a value, not a definition for every index"
    if any(_defines(t, head) for t, _ in state.definitions):
        return "it is defined already"
    family = None if _is_probability(head, state) else _family(head, state)  # P(Y|X), P(y|x): two events
    per_sample = per_sample_term(target, state)  # J_i after J(w, b) = 1/N sum_i J_i
    if family is not None and not per_sample and any(_family(_head_of(t), state) == family
                                                     for t, _ in state.definitions):
        return f"{family}(..) is defined already, at other arguments"
    if any(ln.expr is not None and ln.expr.has(head) and not (per_sample and is_definition_value(ln, state))
           for ln in state.seen):
        return "an earlier line uses it"
    if _is_probability(head, state) and first.expr is not None and opaque_names(first.expr):
        return "a probability written with other probabilities is a law of probability, not a model"
    return None


def _family(head: sp.Basic, state: FileState) -> str | None:
    """``\\ell`` for the opaque call ``\\ell(\\hat{y}, y)``: calls of one function share it."""
    name = str(getattr(head, "name", ""))
    call = state.rewriter.calls.by_name().get(name)
    if call is not None:
        return call.family
    return name if isinstance(head, sp.IndexedBase) else None  # g for the element g(z) = ...


def _defines(target: sp.Basic, head: sp.Basic) -> bool:
    return _head_of(target) == head


def _is_probability(head: sp.Basic, state: FileState) -> bool:
    return str(getattr(head, "name", head)).startswith(PROBABILITY_NAMES)


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

