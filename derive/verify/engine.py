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
from .cases import entries_of
from .chains import EQUALS, Chain, chains_of
from .extract import read_source
from .notation import CLASS_PLACEHOLDER, FUNCTION_PLACEHOLDER, PROBABILITY_NAMES, PROBABILITY_PLACEHOLDER, Rewriter
from .models import model_statement
from .results import UNREAD, StepResult, StepVerdict, VerifyError, VerifyReport
from .equations import (Equation, _unhatted, announces_equation, follow, is_zero_side, looks_like_derivative, posed,
                        unknowns_in)
from .rows import same_rows
from .state import (Binding, FileState, Line, bare_name, canonical_name, define_function, is_definition_value,
                    opaque_names, per_sample_term, table_for, unfold)
from .steps import check_step, is_instance
from .tokens import closing

#: Symbols that depend on the parameters whatever the file says.
DEFAULT_PARAMETERS = {r"\theta", r"\boldsymbol{\theta}"}


def verify_source(text: str, fmt: str, domains: dict[str, str], name: str, seconds: float) -> VerifyReport:
    """Every step of the file, checked; a line that cannot be read is an ``unknown``
    step (method ``unread``) and the others are checked all the same.
    :class:`VerifyError` only when the file itself cannot be used."""
    source = read_source(text, fmt, name)
    merged = {**source.domains, **dict(domains)}
    chains = chains_of(source)
    if not chains and not source.skipped:
        raise VerifyError("no display formulas found (.tex: align/equation/...; .md: $$..$$ or \\[..\\])", name)
    try:
        read_formulas([], merged, unused_ok=True)  # a domain that is not a kind: the file's settings are wrong
    except ParseError as exc:
        raise VerifyError(f"domain {exc.message}", name) from None
    rewriter = Rewriter(DEFAULT_PARAMETERS | {canonical_name(p) for p in source.parameters})
    declared = {canonical_name(p) for p in source.parameters}
    state = FileState(name, merged, rewriter, file_domains=set(source.domains) - set(domains),
                      declared_parameters=declared, explicit_parameters=set(declared),
                      data_symbols={canonical_name(p) for p in source.data})
    _declare_conventions(source, chains, state)
    state.notes += [f"line {source.line_of(offset)}: {note}" for offset, note in source.notes]
    plans = [_plan(chain, state) for chain in chains]
    _parse_all(plans, state, partial=bool(source.skipped))
    for chain, plan in zip(chains, plans):
        _name_unread_definition(chain, plan, state)
    results: list[StepResult] = []
    bindings: dict[str, Binding] = {}
    gaps: list[UnreadName] = []
    for k, (chain, plan) in enumerate(zip(chains, plans)):
        following = chains[k + 1].connective if k + 1 < len(chains) else ""
        results += _run_chain(chain, plan, bindings, gaps, state, seconds, following)
    for offset, words in source.skipped:
        results.append(StepResult(line=source.line_of(offset), ordinal=1, before=words, after="", relation="display",
                                  verdict=StepVerdict.SKIPPED, method="skipped",
                                  reason="the display is skipped: a derive: skip comment comes right before it"))
    results.sort(key=lambda r: r.line)  # stable: the steps of one line keep their order
    notes = list(dict.fromkeys(state.notes))
    return VerifyReport(name, tuple(results), tuple(notes))


@dataclass
class UnreadName:
    """A name a chain would define on a line that could not be read: later steps
    that use it are not checked (its meaning is not known, and reading it as a free
    symbol could make a wrong step hold)."""

    key: str                  # the name as _name_key spells it
    head: sp.Basic | None     # its symbol, when the name itself could be read
    reason: str               # the unread line's "line N: why"


def _declare_conventions(source, chains: list[Chain], state: FileState) -> None:
    """What the file's ``derive:`` comment says about its notation (``log=2``, ``assume=iid``),
    and the probabilities of a class given a sample it writes (one array over the classes)."""
    state.rewriter.log_base = source.log_base
    state.assumptions = tuple(dict.fromkeys(source.assumptions))
    raws = [(seg.raw, seg.line) for chain in chains for seg in chain.segments if not seg.unread]
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
    elif first.unread:
        alone = len(chain.segments) > 1 and chain.links[0].relation in EQUALS
        name = _guess_name(first.raw, state.rewriter, alone)
    lines: list[Line] = []
    for k, seg in enumerate(chain.segments):
        if seg.unread:
            lines.append(Line(seg, None))
            continue
        try:
            objective = state.rewriter.objective(seg.raw)
        except ParseError as exc:
            seg.unread = f"line {seg.line}: cannot read {seg.raw}: {exc.message}"
            lines.append(Line(seg, None))
            continue
        if objective.is_problem:
            state.explicit_parameters |= set(objective.params)
        state.notes += list(objective.notes)
        lines.append(Line(seg, objective))
    name_line = lines[0] if name else None
    if name_line is not None and name_line.objective is not None:
        name_line.objective = replace(name_line.objective, text=_starless(name_line.objective.text))
    return Plan(name, name_line, lines)


def _name_unread_definition(chain: Chain, plan: Plan, state: FileState) -> None:
    """A chain ``NAME = ...`` whose first line the reader refused: the name it would define
    (later steps that use it are not checked)."""
    first = plan.lines[0]
    if plan.name is None and first.segment.unread and len(plan.lines) > 1 and chain.links[0].relation in EQUALS:
        plan.name = _guess_name(first.segment.raw, state.rewriter, alone=True)
        plan.name_line = first if plan.name else None


def _guess_name(raw: str, rewriter: Rewriter, alone: bool = False) -> str | None:
    """The name an unread line ``NAME = ...`` may define (only to keep later steps
    from using it unchecked; an unread line defines nothing). ``alone``: ``raw`` is the
    left side itself (the chain was cut at its ``=``)."""
    import re
    head = [raw, ""] if alone else re.split(r"=|\\equiv|\\coloneqq|\\triangleq", raw, maxsplit=1)
    if len(head) < 2 or not head[0].strip():
        return None
    try:
        if _is_name(head[0].strip(), rewriter):
            return _name_key(head[0])
        return _called_element(head[0])
    except ParseError:
        return None


def _called_element(raw: str) -> str | None:
    """The head of an element of a call, ``\\sigma(\\mathbf{z})_i`` or ``[\\sigma(z)]_i`` (the
    i-th output of a function of a row): the name it would define, ``\\sigma``."""
    tokens = [t for t in tokenize(raw) if t.text not in _DECORATORS]
    i, wrapped = 0, None
    if tokens and tokens[0].text in ("[", "(", r"\left"):
        wrapped = 0
        i = 1 + (tokens[0].text == r"\left")
    if i >= len(tokens):
        return None
    head = tokens[i]
    if not (head.kind == "letter" or (head.kind == "cmd" and head.text in _GREEK_OR_NAMES)) \
            or head.text in (r"\pi", "e"):
        return None
    i += 1
    if i >= len(tokens) or tokens[i].text not in ("(", r"\left"):
        return None
    i = _close(tokens, i + (tokens[i].text == r"\left"), "(", ")") + 1
    if wrapped is not None:
        while i < len(tokens) and tokens[i].text in ("]", ")", r"\right"):
            i += 1
    if i >= len(tokens) or tokens[i].text != "_":
        return None
    return _name_key(head.text)


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
def _parse_all(plans: list[Plan], state: FileState, partial: bool = False) -> None:
    """Each chain is read on its own (a file may use p_i^{(k)} in one chain and
    p^{(k)} in another), against the whole file's domains. A line that cannot be
    read is marked unread (``Segment.unread``) and the chain is read without it.
    ``partial``: some displays are skipped, so a domain no line uses is only a note."""
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
    for _ in range(2):  # first, which names are sizes anywhere in the file
        first: list = []
        taken: dict = {}
        for plan in plans:
            readable = _readable(plan.lines)
            try:
                parsed = read_formulas([ln.goal.text for ln in readable], domains, unused_ok=True,
                                       keep_derivatives=True)
                sizes |= parsed.table.size_keys
                for key, kind in parsed.taken.items():
                    taken.setdefault(key, kind)
            except ParseError:
                parsed = None  # read line by line below
            first.append(parsed)
        if not taken:
            break
        # a name a distribution takes in a domain (p of Bern(y | p)) is in it in every chain
        domains.update({key: kind for key, (kind, _) in taken.items()})
        state.notes += [note for _, note in taken.values()]
    for plan, parsed in zip(plans, first):
        if parsed is not None and not _reads_other_sizes(parsed, sizes):
            lines = _readable(plan.lines)  # the file's other sizes change nothing here: keep the first reading
        else:
            lines, parsed = _read_chain(_readable(plan.lines), domains, sizes, state)
        if not lines:
            continue
        texts = [ln.goal.text for ln in lines]
        for ln, expr in zip(lines, parsed.exprs):
            ln.expr = expr
            ln.variables = parsed.table.variables
        for name, var in parsed.table.variables.items():
            state.all_variables.setdefault(name, var)
            used.add(var.key)
        used |= {k for text in texts for k in _letters_bound(text)}
        for note in parsed.notes:
            about = next((ln for ln in lines if note.startswith(ln.goal.text + ": ")), None)
            state.notes.append(f"line {about.segment.line}: {note[len(about.goal.text) + 2:]}" if about else note)
    _join_file_rows(plans, state)
    _unify_file_ranges(plans, state)
    unused = sorted(k for k in state.domains if _domain_key(k) not in used)
    given = sorted(k for k in unused if k not in state.file_domains)
    if given:  # from --domain or a project-wide setting: other files may use them
        state.notes.append(f"a domain is given for {', '.join(given)}, which no formula of the file uses")
    unused = [k for k in unused if k in state.file_domains]
    if unused and (partial or any(ln.segment.unread for plan in plans for ln in plan.lines)):
        state.notes.append(f"a domain is given for {', '.join(unused)}, which no formula read (not skipped, "
                           "not unread) uses")
    elif unused:
        raise VerifyError(f"a domain is given for {', '.join(unused)}, which no formula of the file uses",
                          state.source_name)


def _readable(lines: list[Line]) -> list[Line]:
    return [ln for ln in lines if not ln.segment.unread]


def _reads_other_sizes(parsed, sizes: set[str]) -> bool:
    """Does the chain read, as a plain variable, a name another chain sums to?"""
    return any(name in sizes and var.kind != "size" for name, var in parsed.table.variables.items())


def _read_chain(lines: list[Line], domains: dict, sizes: set[str], state: FileState):
    """``(lines read, their reading)``: a line the reader refuses is marked unread
    (with the reader's message) and the chain is read again without it."""
    live = list(lines)
    while live:
        texts = [ln.goal.text for ln in live]
        try:
            return live, read_formulas(texts, domains, unused_ok=True, sizes=frozenset(sizes),
                                          keep_derivatives=True)
        except ParseError as exc:
            bad = [ln for ln in live if ln.goal.text == exc.text]
            why = {id(ln): exc.message for ln in bad}
            if not bad:  # which line? each on its own, then all of them
                for ln in live:
                    try:
                        read_formulas([ln.goal.text], domains, unused_ok=True, sizes=frozenset(sizes),
                                      keep_derivatives=True)
                    except ParseError as alone:
                        bad.append(ln)
                        why[id(ln)] = alone.message
            if not bad:
                bad = list(live)
                why = {id(ln): f"the lines of this chain cannot be read together: {exc.message}" for ln in live}
            for ln in bad:
                ln.segment.unread = f"line {ln.segment.line}: cannot read the formula {ln.segment.raw}: {why[id(ln)]}"
            live = [ln for ln in live if not ln.segment.unread]
    return [], None


def _join_file_rows(plans: list[Plan], state: FileState) -> None:
    """One length per row in the whole file (see :mod:`.rows`): the sums without bounds of
    different chains, and a definition's, that run over one row get one range."""
    lines = [ln for plan in plans for ln in plan.lines if ln.expr is not None]
    definitions = [(plan.name_line.expr, plan.lines[1].expr) for plan in plans
                   if plan.name_line is not None and plan.name_line.expr is not None and len(plan.lines) > 1]
    sizes = {name: var.obj for name, var in state.all_variables.items() if var.kind == "size"}
    renames = same_rows([ln.expr for ln in lines], definitions, sizes)
    if not renames:
        return
    gone = {old.name for old in renames}
    for ln in lines:
        if ln.expr is not None:
            ln.expr = ln.expr.xreplace(renames)
        ln.variables = {k: v for k, v in ln.variables.items() if k not in gone}
    for name in gone:
        del state.all_variables[name]


def _unify_file_ranges(plans: list[Plan], state: FileState) -> None:
    """A sum without bounds (a built-in H(p, q) unfolds to one) runs over the
    range another chain of the file gives explicitly (``\\sum_{j=1}^{M} y_j``)."""
    from ..parsing import _unify_whole_ranges
    lines = [ln for plan in plans for ln in plan.lines if ln.expr is not None]
    table = Table({}, dict(state.all_variables))
    exprs = _unify_whole_ranges([ln.expr for ln in lines], table)
    gone = set(state.all_variables) - set(table.variables)
    for ln, expr in zip(lines, exprs):
        ln.expr = expr
        ln.variables = {k: v for k, v in ln.variables.items() if k not in gone}
    for name in gone:
        del state.all_variables[name]


def _domain_key(key: str) -> str:
    """The symbol a domain is for (``p`` for an element ``p_1`` declared as the file writes it)."""
    from ..parsing import domain_key, element_key
    element = element_key(key)
    if element is not None:
        return element[0]
    try:
        return domain_key(key)
    except ParseError as exc:
        raise VerifyError(f"domain {key!r}: {exc.message}") from None


def _letters_bound(text: str) -> set[str]:
    """Letters a sum binds (``\\sum_{k=1}``): a domain may name them."""
    import re
    return set(re.findall(r"\\(?:sum|prod)\s*_\s*\{?\s*([A-Za-z])", text))


# -- running the chains ------------------------------------------------------------------------
def _run_chain(chain: Chain, plan: Plan, bindings: dict[str, Binding], gaps: list[UnreadName],
               state: FileState, seconds: float, following: str = "") -> list[StepResult]:
    """The chain's steps; an equation row right after an equation (:mod:`.equations`) is
    checked as one, and a chain that poses an equation leaves it for the next."""
    results: list[StepResult] = []
    lines = plan.lines
    ordinals: dict[int, int] = {}
    state.entries = entries_of([ln.expr for ln in lines if ln.expr is not None])
    state.chain = [ln.expr for ln in lines if ln.expr is not None]
    state.splits = {}

    def result(line_no: int, **kw) -> StepResult:
        ordinals[line_no] = ordinals.get(line_no, 0) + 1
        return StepResult(line=line_no, ordinal=ordinals[line_no], **kw)

    previous_equation, state.equation = state.equation, None
    if previous_equation is not None and _continues(chain, plan, previous_equation, gaps, state):
        results = _equation_chain(chain, plan, previous_equation, state, seconds, result)
        _after_chain(plan, state)
        return results
    if previous_equation is not None and len(lines) == 2 and chain.links[0].relation == "=" \
            and any(ln.segment.unread for ln in lines) and any(is_zero_side(ln) for ln in lines):
        # an equation row that cannot be read, right after an equation: the rows after it are
        # equations too, and are not checked against it
        state.equation = Equation(lines[1].segment.line, " = ".join(ln.segment.raw for ln in lines), None)

    def checked(a: Line, b: Line, link) -> StepResult:
        why = _unread_reason(a, b, gaps, state)
        if why is not None:
            return result(b.segment.line, before=a.segment.raw, after=b.segment.raw, relation=link.relation,
                          verdict=StepVerdict.UNKNOWN, method=UNREAD, reason=why, justification=link.justification)
        return check_step(a, b, link, state, seconds, result)

    model = model_statement(lines[0].segment.raw, lines[1].segment.raw) \
        if len(lines) == 2 and chain.links[0].relation == r"\sim" else None
    if model is not None:  # `y_i \sim \mathcal{N}(\mu, \sigma^2)`: an assumption, not a claim
        link = chain.links[0]
        results.append(result(lines[1].segment.line, before=lines[0].segment.raw, after=lines[1].segment.raw,
                              relation="~", verdict=StepVerdict.DEFINES, method="model", reason=model,
                              justification=link.justification))
        _after_chain(plan, state)
        return results
    if len(lines) == 1 and lines[0].segment.unread:  # a display or row with no step that could be read
        seg = lines[0].segment
        results.append(result(seg.line, before=seg.raw, after="", relation="?", verdict=StepVerdict.UNKNOWN,
                              method=UNREAD, reason=f"not read: {seg.unread}"))
    start = 0
    defined: Line | None = None  # the name this chain defines
    if plan.name is not None and len(lines) == 1:  # `NAME = ...` on a row that could not be cut at all
        if plan.name not in bindings and all(g.key != plan.name for g in gaps):
            gaps.append(UnreadName(plan.name, None, lines[0].segment.unread))
    elif plan.name is not None:
        link = chain.links[0]
        previous = bindings.get(plan.name)
        name_line, first = lines[0], lines[1]
        gap = next((g for g in gaps if g.key == plan.name), None)
        if previous is None and gap is None and (name_line.segment.unread or first.segment.unread):
            gaps.append(UnreadName(plan.name, _head_of(name_line.expr) if name_line.expr is not None else None,
                                   (name_line.segment.unread or first.segment.unread)))
            results.append(checked(name_line, first, link))
        elif previous is not None:
            # `NAME = ...` again: the new line must follow from where NAME stood
            found = checked(previous.last, first, link)
            if (found.verdict is not StepVerdict.HOLDS and not found.unread
                    and is_instance(previous.last, first, state, seconds)):
                ordinals[found.line] -= 1
                found = _instance(previous, name_line, first, link, state, result)
            results.append(found)
            previous.last = lines[-1]
        elif gap is not None:
            results.append(checked(name_line, first, link))  # the name's meaning was not read: not checked
        else:
            why_not = _not_a_definition(name_line, first, state)
            if why_not is not None:
                state.notes.append(f"line {name_line.segment.line}: {name_line.segment.raw} is not defined here "
                                   f"({why_not}): the line is checked")
                results.append(checked(name_line, first, link))
            else:
                bindings[plan.name] = Binding(plan.name, lines[-1])
                if not first.goal.is_problem:  # an estimator (arg max) is not unfolded
                    _define(name_line, first, state)
                    defined = name_line
                results.append(result(first.segment.line, before=name_line.segment.raw, after=first.segment.raw,
                                      relation="defines", verdict=StepVerdict.DEFINES, method="definition",
                                      reason=f"introduces {name_line.segment.raw}",
                                      justification=link.justification))
        start = 1
    for k in range(start + 1, len(lines)):
        results.append(checked(lines[k - 1], lines[k], chain.links[k - 1]))
    if plan.name is not None and defined is not None and any(r.verdict is StepVerdict.FAILS for r in results):
        _distrust(plan.name, defined, results, gaps, state)
    if state.equation is None and len(lines) > 1 and chain.links[-1].relation == "=" and is_zero_side(lines[-1]) \
            and any(ln.segment.unread for ln in lines):
        # something set to zero on a row that cannot be read (a derivative set to zero): the rows
        # after it that set something to zero are equations too, and are not checked against it
        state.equation = Equation(lines[-1].segment.line, " = ".join(ln.segment.raw for ln in lines), None)
    _pose(chain, plan, results, following, state)
    _after_chain(plan, state)
    return results


def _after_chain(plan: Plan, state: FileState) -> None:
    lines = plan.lines
    state.seen.extend(ln for ln in lines if ln.expr is not None)
    if lines and looks_like_derivative(lines[0].segment.raw):
        state.derivative_values += [ln.expr for ln in lines[1:] if ln.expr is not None]


# -- equations ------------------------------------------------------------------------------------------
def _continues(chain: Chain, plan: Plan, previous: Equation, gaps: list[UnreadName], state: FileState) -> bool:
    r"""Is the chain's first row an equation that goes on from ``previous``? It follows it
    (a connective, or its place right after), is ``L = R`` with both sides read, and reads
    what the equation is about (its symbols, or the hatted name of one: ``\hat p`` for p)."""
    lines = plan.lines
    if len(lines) < 2 or chain.links[0].relation != "=":
        return False
    a, b = lines[0], lines[1]
    if a.expr is None or b.expr is None or a.goal.is_problem or b.goal.is_problem:
        return False
    if _unread_reason(a, b, gaps, state) is not None:
        return False
    if chain.connective:
        return True
    if previous.residual is None:
        # after an equation that cannot be read: a row setting something to zero, one that reads
        # a hatted symbol or a parameter, or a name solved for (used before) is not checked
        if plan.name is not None:
            return any(ln.expr.has(_head_of(a.expr)) for ln in state.seen)
        state.table = table_for(a, b, state=state)
        return is_zero_side(a) or is_zero_side(b) or unknowns_in(a.expr - b.expr, state)
    symbols = previous.residual.free_symbols
    read = (a.expr.free_symbols | b.expr.free_symbols) - {s for s in symbols if not isinstance(s, sp.Symbol)}
    if plan.name is not None:
        head = _head_of(a.expr)
        state.table = table_for(previous.lines[0], a, b, state=state) if previous.lines else state.table
        base = _unhatted(head, state) if isinstance(head, sp.Symbol) else None
        return head in symbols or (base is not None and base in symbols)
    return bool(read & {s for s in symbols if _is_unknown_like(s, state)})


def _is_unknown_like(symbol: sp.Basic, state: FileState) -> bool:
    """A scalar symbol an equation may be solved for (not a size, not an index)."""
    var = next((v for v in state.all_variables.values() if v.obj == symbol), None)
    return var is not None and var.kind == "scalar"


def _equation_chain(chain: Chain, plan: Plan, previous: Equation, state: FileState, seconds: float,
                    result) -> list[StepResult]:
    """The chain's first row checked as an equation after ``previous``, the rest as steps."""
    lines = plan.lines
    a, b, link = lines[0], lines[1], chain.links[0]

    def probe(line_no: int, **kw) -> StepResult:
        return StepResult(line=line_no, ordinal=0, **kw)

    identity = check_step(a, b, link, state, seconds, probe, suggest=False)
    step, found = follow(previous, a, b, identity, state, seconds)
    stamped = result(step.line, **{k: v for k, v in step.__dict__.items() if k not in ("line", "ordinal")})
    results = [stamped]
    if found is not None and found.solved is not None and step.verdict is StepVerdict.HOLDS:
        target, value = found.solved
        state.definitions.append((target, value))
        state.notes.append(f"line {b.segment.line}: {a.segment.raw} = {b.segment.raw} solves the equation of "
                           f"line {previous.line}; later lines read {a.segment.raw} as that value")
    for k in range(2, len(lines)):
        results.append(check_step(lines[k - 1], lines[k], chain.links[k - 1], state, seconds, result)
                       if not (lines[k - 1].segment.unread or lines[k].segment.unread) else
                       result(lines[k].segment.line, before=lines[k - 1].segment.raw, after=lines[k].segment.raw,
                              relation=chain.links[k - 1].relation, verdict=StepVerdict.UNKNOWN, method=UNREAD,
                              reason=f"not checked: {lines[k].segment.unread or lines[k - 1].segment.unread}"))
    # the row as a whole says a = its last side (each step of it is reported at its own line)
    last = lines[-1] if all(ln.expr is not None for ln in lines) else b
    residual = a.expr - last.expr if a.expr is not None and last.expr is not None else None
    state.equation = Equation(last.segment.line, f"{a.segment.raw} = {last.segment.raw}", residual, (a, last))
    return results


def _pose(chain: Chain, plan: Plan, results: list[StepResult], following: str, state: FileState) -> None:
    """A chain that ends ``A = 0`` (or is ``0 = A``) poses an equation when something says so
    (:func:`.equations.posed`): its last step becomes ``unknown`` (a condition, not a claim),
    and the next chain may go on from it."""
    lines = plan.lines
    if len(lines) < 2 or not results or chain.links[-1].relation != "=":
        return
    if is_zero_side(lines[-1]):
        # the derivative set to zero heads the chain: d\ell/d\mu = ... = ... = 0
        side, before = lines[-2], (lines[0] if len(lines) > 2 else None)
    elif len(lines) == 2 and is_zero_side(lines[0]):
        side, before = lines[1], None
    else:
        return
    last = results[-1]
    if last.line != lines[-1].segment.line or last.relation != "=":
        return
    words = chain.links[-1].justification
    if side.expr is None or last.unread:
        if looks_like_derivative(side.segment.raw) or announces_equation(words):
            state.equation = Equation(lines[-1].segment.line, f"{side.segment.raw} = 0", None)
        return
    if last.verdict is StepVerdict.HOLDS:
        return
    state.table = table_for(side, state=state)
    step = posed(last, side, before, words, state.derivative_values, following, state)
    if step is None:
        return
    results[-1] = step
    state.equation = Equation(lines[-1].segment.line, f"{side.segment.raw} = 0", side.expr, (side,))


def _distrust(key: str, name_line: Line, results: list[StepResult], gaps: list[UnreadName], state: FileState) -> None:
    """A chain that defines a name and then fails contradicts itself: which of its lines the name
    stands for is not known, so later lines using it are not checked (rather than checked
    against a value the file itself disputes)."""
    target = name_line.expr
    failed = next(r.line for r in results if r.verdict is StepVerdict.FAILS)
    gaps.append(UnreadName(key, _head_of(target) if target is not None else None,
                           f"the chain defining it fails at line {failed}"))


def _unread_reason(a: Line, b: Line, gaps: list[UnreadName], state: FileState) -> str | None:
    """Why the step ``a -> b`` is not checked, or None: one of its lines could not
    be read, or it uses a name whose definition could not be read."""
    if b.segment.unread:
        return f"not checked: {b.segment.unread}"
    if a.segment.unread:
        return f"not checked: the line before it cannot be read ({a.segment.unread})"
    for gap in gaps:
        if _uses(a, gap, state) or _uses(b, gap, state):
            return (f"not checked: it uses {gap.key}, whose definition cannot be read ({gap.reason}); "
                    "read as a free symbol it could make a wrong step hold")
    return None


def _uses(line: Line, gap: UnreadName, state: FileState) -> bool:
    if gap.head is not None and line.expr is not None:
        if line.expr.has(gap.head):
            return True
        expr = unfold(line.expr, state)
        head = str(getattr(gap.head, "name", gap.head))
        return expr.has(gap.head) or any(str(getattr(n, "name", "")) == head or
                                         (isinstance(n, sp.IndexedBase) and str(n.label) == head)
                                         for n in sp.preorder_traversal(expr))
    try:
        written = f" {_name_key(line.segment.raw)} "
    except ParseError:
        return True  # cannot tell: not checked
    return f" {gap.key} " in written or f" {gap.key.split(' (')[0]} " in written


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
    if first.expr is not None and unfold(first.expr, state).has(head):
        return "its value leads back to it through the definitions before it"
    if isinstance(target, sp.Indexed) and not all(isinstance(i, sp.Symbol) for i in target.indices):
        return "an element at a fixed index is a value, not a definition for every index"
    if any(_defines(t, head) for t, _ in state.definitions):
        return "it is defined already"
    family = None if _is_probability(head, state) else _family(head, state)  # P(Y|X), P(y|x): two events
    per_sample = per_sample_term(target, state)  # J_i after J(w, b) = 1/N sum_i J_i
    if family is not None and not per_sample and any(_family(_head_of(t), state) == family
                                                     for t, _ in state.definitions):
        return f"{family}(..) is defined already, at other arguments"
    # a name used so far only in the values of definitions (\hat\lambda = \bar y) is defined late
    if any(ln.expr is not None and ln.expr.has(head) and not is_definition_value(ln, state) for ln in state.seen):
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
        found = define_function(target, value.expr, state)
        if found is not None:
            state.notes.append(f"line {name_line.segment.line}: {name_line.segment.raw} defines a function of its "
                               "arguments: at other arguments it is this value with each argument put in")
            bare = bare_name(found, state)
            if bare is not None:
                state.definitions.append((bare, value.expr))
                state.notes.append(f"line {name_line.segment.line}: {found.family} written alone in a later line is "
                                   f"read as {name_line.segment.raw}, at the same arguments")

