"""LaTeX in ML notation -> sympy, through ``latex2sympy2_extended`` (see the reader package).

``read_formulas`` is the entry point: the formulas of one comparison are read
together, so they share their variables and domains.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..core.domains import Domain, DomainError
from .assemble import Formula, Resolver, Table, Variable, name_whole_ranges
from .lexer import ParseError, tokenize
from .ranges import Ranges
from .reader import Reader
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


def read_formulas(texts: list[str], domains: dict[str, str] | None = None, unused_ok: bool = False,
                  sizes: frozenset[str] = frozenset()) -> Parsed:
    """Read each text; raise :class:`ParseError` (with a position) on anything unsupported.

    A domain for a symbol no text uses is an error (a typo, most likely), unless
    ``unused_ok``: ``derive verify`` reads a file's chains one at a time against
    the domains of the whole file, and ``sizes`` names the sizes (sum bounds)
    of other chains, so ``\\frac{1}{n}`` reads the same ``n`` as ``\\sum_{i=1}^{n}``."""
    parsed_domains: dict[str, Domain] = {}
    for key, kind in (domains or {}).items():
        if not isinstance(key, str) or not isinstance(kind, str):
            raise ParseError(f"a domain must map a symbol name to a kind name, not {key!r}: {kind!r}")
        try:
            parsed_domains[domain_key(key)] = Domain.parse(kind)
        except DomainError as exc:
            raise ParseError(f"{key}: {exc}") from None
    formulas = []
    notes: list[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise ParseError(f"a formula must be a string, not {type(text).__name__}")
    lexed_texts = [tokenize(text) for text in texts]
    for n, text in enumerate(texts):
        lexed: list[str] = []
        reader = Reader(text, tokenize(text, lexed))
        reader.notes += lexed
        reader.declared = set(parsed_domains)
        # \gamma^{T} beside \sum_{t=0}^{T-1}: T is a variable there, so a power here
        reader.t_elsewhere = "T" in sizes or any(t_variable_in(other) for k, other in enumerate(lexed_texts) if k != n)
        raw = reader.read_all()
        formulas.append(Formula(text, reader, raw))
        notes += [f"{text}: {n}" for n in reader.notes]
    notes += _bold_and_plain(formulas)
    table = Table(parsed_domains)
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
    exprs = _unify_whole_ranges(name_whole_ranges(exprs, table), table)
    seen = {v.key for v in table.variables.values()} | {k for f in formulas for k in f.reader.bound}
    unused = sorted(set(parsed_domains) - seen)
    if unused and not unused_ok:
        raise ParseError(f"a domain is given for {', '.join(unused)}, which the formulas do not use")
    return Parsed(exprs, table, notes)


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
