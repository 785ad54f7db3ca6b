"""LaTeX in ML notation -> sympy, through ``latex2sympy2_extended`` (see the reader package).

``read_formulas`` is the entry point: the formulas of one comparison are read
together, so they share their variables and domains.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from ..core.domains import Domain, DomainError
from .assemble import Formula, Resolver, Table, Variable, name_whole_ranges
from .lexer import ParseError, tokenize
from .ranges import Ranges
from .reader import Reader
from .reader.derivatives import plain_d_elsewhere
from .reader.vectors import t_variable_in
from .reader.functions import differs_for_every_function, points_cannot_show

__all__ = ["ParseError", "Parsed", "read_formulas", "domain_key", "Variable", "points_cannot_show",
           "differs_for_every_function"]


@dataclass
class Parsed:
    """The formulas of one comparison, their shared variables, and reading notes."""

    exprs: list[sp.Expr]
    table: Table
    notes: list[str]
    #: the domains named distributions gave their names: key -> (kind, the note saying so)
    taken: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: other formulas of the same text (a file's lines), read only for the length of the rows
    #: a one-hot or simplex array has there
    context: list[sp.Expr] = field(default_factory=list)
    #: indices always drawn inside their rows (the entries a chain differentiates by)
    inside: frozenset[str] = frozenset()


def domain_key(text: str) -> str:
    """The key of a symbol as ``--domain`` names it: ``\\hat y`` -> ``\\hat{y}``."""
    tokens = tokenize(text)
    reader = Reader(text, tokens)
    if not tokens:
        raise ParseError("an empty symbol name in a domain", text, 0)
    try:
        key, indices, suffix = reader.decorated()
    except ParseError:
        raise ParseError(f"{text!r} is not a symbol name (write it as in the formula, without indices, "
                         "e.g. y or \\hat{y})", text, 0) from None
    if reader.peek() is not None or indices or suffix:
        raise ParseError(f"{text!r}: give the symbol without indices, e.g. y or \\hat{{y}}", text, 0)
    return key


_ELEMENT_KEY = re.compile(r"^\s*(?P<base>\\?[A-Za-z]+)\s*_\s*(?:(?P<one>[A-Za-z0-9])|\{\s*(?P<many>[A-Za-z0-9]+)\s*\})\s*$")


def element_key(text: str) -> tuple[str, str] | None:
    """``(name, index)`` when a domain names one element of a name with a constant index as the
    file writes it (``n_H``, ``p_1``, ``p_{12}``), else None."""
    m = _ELEMENT_KEY.match(text)
    if m is None:
        return None
    try:
        base = domain_key(m.group("base"))
    except ParseError:
        return None
    return base, m.group("one") or m.group("many")


def _parse_domains(domains: dict[str, str]) -> tuple[dict[str, Domain], dict[str, dict[str, str]]]:
    """The domains by symbol key, and for a name whose elements are declared one by one
    (``p_1: prob``, ``p_2: prob``) the elements declared: ``{name: {index: as written}}``.
    The elements of one name must be declared alike (one domain is kept for the name)."""
    parsed: dict[str, Domain] = {}
    elements: dict[str, dict[str, str]] = {}
    for key, kind in domains.items():
        if not isinstance(key, str) or not isinstance(kind, str):
            raise ParseError(f"a domain must map a symbol name to a kind name, not {key!r}: {kind!r}")
        element = element_key(key)
        try:
            if element is None:
                parsed[domain_key(key)] = Domain.parse(kind)
                continue
            domain = Domain.parse(kind)
        except DomainError as exc:
            raise ParseError(f"{key}: {exc}") from None
        base, index = element
        before = parsed.get(base)
        if before is not None and (before.kind, before.name) != (domain.kind, domain.name):
            others = ", ".join(elements.get(base, {}).values()) or base
            raise ParseError(f"{key}: declared {kind}, but {others} is declared {before.name}: the elements of "
                             f"one name take one domain")
        parsed[base] = domain
        elements.setdefault(base, {})[index] = key
    for base in elements:
        if any(k == base or (element_key(k) is None and _safe_key(k) == base) for k in domains):
            raise ParseError(f"{base} is declared both as a whole and element by element "
                             f"({', '.join(elements[base].values())}): declare one of them")
    return parsed, elements


def _safe_key(text: str) -> str | None:
    try:
        return domain_key(text)
    except ParseError:
        return None


def _refuse_undeclared_elements(exprs: list[sp.Expr], table: Table, elements: dict[str, dict[str, str]]) -> None:
    """A name declared element by element (``n_H``, ``n_T``) must not be written at an element
    that has no domain, nor plainly: the domain would be assumed where the file never gave it."""
    for var in table.variables.values():
        declared = elements.get(var.key)
        if declared is None:
            continue
        if var.kind != "array":
            raise ParseError(f"{var.key} is declared element by element ({', '.join(declared.values())}) "
                             f"but written without an index: declare {var.key} itself")
        for e in exprs:
            for atom in e.atoms(sp.Indexed):
                if atom.base == var.obj and not all(str(i) in declared for i in atom.indices):
                    written = "_".join([var.key] + [str(i) for i in atom.indices])
                    raise ParseError(f"{written} has no domain, while {', '.join(declared.values())} do: "
                                     f"declare every element written, or the name {var.key}")


def read_formulas(texts: list[str], domains: dict[str, str] | None = None, unused_ok: bool = False,
                  sizes: frozenset[str] = frozenset(), keep_derivatives: bool = False) -> Parsed:
    """Read each text; raise :class:`ParseError` (with a position) on anything unsupported.

    A domain for a symbol no text uses is an error (a typo, most likely), unless
    ``unused_ok``: ``derive verify`` reads a file's chains one at a time against
    the domains of the whole file, and ``sizes`` names the sizes (sum bounds)
    of other chains, so ``\\frac{1}{n}`` reads the same ``n`` as ``\\sum_{i=1}^{n}``.
    With ``keep_derivatives``, a derivative stays pending (see :mod:`.calculus`)."""
    parsed_domains, elements = _parse_domains(dict(domains or {}))
    formulas = []
    notes: list[str] = []
    d_is_variable = any(isinstance(t, str) and plain_d_elsewhere(t) for t in texts)
    for text in texts:
        if not isinstance(text, str):
            raise ParseError(f"a formula must be a string, not {type(text).__name__}")
    lexed_texts = [tokenize(text) for text in texts]
    for n, text in enumerate(texts):
        lexed: list[str] = []
        reader = Reader(text, tokenize(text, lexed))
        reader.notes += lexed
        reader.declared = set(parsed_domains)
        reader.d_is_variable = d_is_variable
        # \gamma^{T} beside \sum_{t=0}^{T-1}: T is a variable there, so a power here
        reader.t_elsewhere = "T" in sizes or any(t_variable_in(other) for k, other in enumerate(lexed_texts) if k != n)
        raw = reader.read_all()
        formulas.append(Formula(text, reader, raw))
        notes += [f"{text}: {n}" for n in reader.notes]
    notes += _bold_and_plain(formulas)
    taken = _take_implied_domains(formulas, parsed_domains, notes)
    table = Table(parsed_domains, keep_derivatives=keep_derivatives)
    table.size_keys |= set(sizes)
    for f in formulas:
        table.size_keys |= Resolver.size_keys_of(f.reader)
    for f in formulas:
        table.label_keys |= Resolver.label_keys(f.reader) - table.size_keys
    plain: set = set()
    indexed: set = set()
    summed: set = set()
    for f in formulas:
        p, i, s = Resolver.plain_and_indexed(f.reader)
        plain, indexed, summed = plain | p, indexed | i, summed | s
    table.split_names = (plain & indexed) - summed - table.size_keys
    for name in sorted(table.split_names):
        notes.append(f"{name} is written both plain and with an index ({name}_0, ...): read as two names, "
                     f"the plain one shown as '{name} (plain)'")
    exprs = [Resolver(f, table).expr() for f in formulas]
    _refuse_called_variables(formulas, table)
    exprs = _unify_whole_ranges(name_whole_ranges(exprs, table), table)
    _refuse_undeclared_elements(exprs, table, elements)
    seen = {v.key for v in table.variables.values()} | {k for f in formulas for k in f.reader.bound}
    unused = sorted(set(parsed_domains) - seen)
    if unused and not unused_ok:
        raise ParseError(f"a domain is given for {', '.join(unused)}, which the formulas do not use")
    return Parsed(exprs, table, notes, taken)


def _refuse_called_variables(formulas: list[Formula], table: Table) -> None:
    """A name called as a function (``p(x_i)``) and used as a variable (``p``, ``p_k``) in one
    comparison has two readings: refused, naming both."""
    called = set().union(*(f.reader.called for f in formulas)) if formulas else set()
    both = sorted(called & {v.key for v in table.variables.values()})
    if both:
        name = both[0]
        raise ParseError(f"{name} is called as a function ({name}(x_i), {name}(y=1 | x)) and used as a variable "
                         f"({name}, {name}_k, {name}(k)) in one comparison: write one of them with another name",
                         formulas[0].text, None)


def _take_implied_domains(formulas: list[Formula], domains: dict[str, Domain],
                          notes: list[str]) -> dict[str, tuple[str, str]]:
    """The domains named distributions give their parameters and values (``p`` of a Bernoulli is a
    probability): added to ``domains`` where the user declared none, with a note saying points
    are drawn there; a declared domain wins, with a note. Returns the domains added."""
    taken: dict[str, tuple[str, str]] = {}
    for f in formulas:
        for key, (kind, why) in f.reader.implied.items():
            old = taken.get(key)
            if old is not None and old[0] != kind:
                raise ParseError(f"{key} is {old[1]} (domain {old[0]}) and {why} (domain {kind}): one name "
                                 "cannot be both", f.text, None)
            taken.setdefault(key, (kind, why))
    added: dict[str, tuple[str, str]] = {}
    for key, (kind, why) in sorted(taken.items()):
        declared = domains.get(key)
        if declared is None:
            domains[key] = Domain.parse(kind)
            notes.append(f"{key} is {why}: taken in the domain {kind} (random points are drawn there and "
                         "proofs assume it)")
            added[key] = (kind, notes[-1])
        elif declared.name != kind:
            notes.append(f"{key} is {why}, whose domain is {kind}; the declared domain {declared.name} is kept")
    return added


def _bold_and_plain(formulas: list[Formula]) -> list[str]:
    """A note for each name written both bold and plain (``\\mathbf{w}`` and ``w``): one name."""
    bold = set().union(*(f.reader.bold_names for f in formulas))
    plain = set().union(*(f.reader.plain_names for f in formulas))
    return [f"{key} written bold and plain was read as one name (bold is typography: {key}_j is an entry "
            f"of the vector {key})" for key in sorted(bold & plain)]


def _unify_whole_ranges(exprs: list[sp.Expr], table: Table) -> list[sp.Expr]:
    """``\\sum_k y_k`` runs over the whole range of y's index; when a formula
    gives that range explicitly (``\\sum_{k=1}^{K} y_k``), it is that range."""
    ranges = Ranges.of(exprs)
    for name, var in list(table.variables.items()):
        if var.kind != "size" or not (name.startswith("|") and ":" in name):
            continue
        key, dim = name[1:-1].rsplit(":", 1)
        # ranges of summed indices only: a single read such as p_K says nothing of the whole range
        spans = {span for span in ranges.dims.get((key, int(dim)), []) if span[1] != var.obj and span[0] != span[1]}
        if len(spans) == 1:
            lo, hi = next(iter(spans))
            if lo == 1 and isinstance(hi, sp.Symbol):
                exprs = [e.xreplace({var.obj: hi}) for e in exprs]
                del table.variables[name]
    return exprs
