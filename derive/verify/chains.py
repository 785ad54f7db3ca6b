"""Rows -> chains ``e0 REL e1 REL e2 ...``: relations, justifications, optimiser heads.

A row is cut at its top-level relations (``=``, ``\\equiv``, ``\\stackrel{..}{=}``,
...). A row that starts with a relation continues the chain before it, as does
a row after one that ended with a relation; a row that starts with ``+`` or
``-`` and holds no relation continues the expression before it. Everything
else starts a new chain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..parsing.lexer import ParseError, Token, tokenize
from .extract import Row, Source
from .results import VerifyError
from .tokens import closing

#: Relations a step may claim, as the report names them. ``=`` between two
#: optimisation problems and ``\equiv`` both claim the same optimiser.
EQUALS = {"=", r"\equiv", ":=", r"\coloneqq", r"\triangleq", r"\doteq", r"\eqqcolon"}
#: Relations read but never checked: the step is reported ``unknown``.
UNCHECKED = {r"\le": "<=", r"\leq": "<=", r"\ge": ">=", r"\geq": ">=", "<": "<", ">": ">",
             r"\approx": "~", r"\propto": "propto", r"\neq": "!=", r"\ne": "!=", r"\simeq": "~",
             r"\sim": "~", r"\leqslant": "<=", r"\geqslant": ">="}
STACKED = {r"\stackrel", r"\overset", r"\underset"}
_OPEN, _CLOSE = {"(", "[", "{", r"\{", r"\langle"}, {")", "]", "}", r"\}", r"\rangle"}


@dataclass
class Segment:
    """One side of a relation, as written (``raw``) from file offset ``start``."""

    raw: str
    start: int
    line: int


@dataclass
class Link:
    """The relation between two segments and its justification."""

    relation: str
    line: int
    justification: str = ""


@dataclass
class Chain:
    segments: list[Segment] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    block: int = 0


# -- justifications ---------------------------------------------------------------------
_TAG = re.compile(r"\\tag\*?\s*\{")


def _depths(text: str, start: int = 0, opening: str = "{", closing: str = "}"):
    """``(offset, depth before the character)`` for each character from ``start``
    that is not part of a backslash command (``\\{`` is not a brace)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        yield i, depth
        depth += c in opening
        depth -= c in closing
        i += 1


def _group_end(text: str, open_at: int) -> int:
    """Offset of the ``}`` closing the ``{`` at ``open_at`` (or -1)."""
    for i, depth in _depths(text, open_at):
        if depth == 1 and text[i] == "}":
            return i
    return -1


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _plain(text: str) -> str:
    """Readable words of a justification: ``\\text{by Bayes}`` -> ``by Bayes``."""
    text = re.sub(r"\\(text|textrm|mbox|textit|mathrm|emph|textbf)\s*", "", text)
    text = re.sub(r"\\(quad|qquad|,|;|!| )", " ", text)
    text = text.replace("{", "").replace("}", "").replace("$", "")
    return " ".join(text.split()).strip(" ,;")


def take_justification(row: Row) -> None:
    """Move the row's ``\\tag{..}``, ``&& ..``, trailing ``\\text{..}`` or
    ``\\quad (..)`` into ``row.justification``; blank them in the text."""
    found: list[str] = []
    text = row.text
    for m in list(_TAG.finditer(text)):
        end = _group_end(text, m.end() - 1)
        if end > 0:
            found.append(_plain(text[m.end():end]))
            text = _blank(text, m.start(), end + 1)
    amp = _top_level_find(text, "&&")
    if amp >= 0 and "=" in text[amp:] and not re.search(r"\\(text|mbox|textrm)\b", text[amp:]):
        raise VerifyError("a formula after && (flalign columns): write each equation on its own row, or put "
                          "the justification in \\text{..}", "", None, offset=row.start + amp)
    if amp >= 0:
        found.append(_plain(text[amp + 2:].replace("&", " ")))
        text = _blank(text, amp, len(text))
    quad = re.search(r"\\q?quad\s*(\(|\\text|\\mbox|\\textrm|\[)", text)
    if quad and _depth_at(text, quad.start()) == 0 and _reads_as_words(text[quad.end() - len(quad.group(1)):]):
        found.append(_plain(text[quad.end() - len(quad.group(1)):]).strip("()[] "))
        text = _blank(text, quad.start(), len(text))
    for m in reversed(list(_TRAILING.finditer(text))):
        end = _group_end(text, m.end() - 1)
        command = text.rfind("\\", m.start(), m.end())
        under_script = text[:command].rstrip().endswith(("_", "^"))  # \underbrace{..}_\text{..}
        if end > 0 and not text[end + 1:].strip() and _depth_at(text, m.start()) == 0 and not under_script:
            found.append(_plain(text[m.end():end]).strip("() "))
            text = _blank(text, m.start(), end + 1)
            break
    rng = re.search(r",\s*\\q?quad\b", text)  # ", \quad i = 1, ..., N": a range, said in words
    if rng and _depth_at(text, rng.start()) == 0:
        found.append(_plain(text[rng.end():]))
        text = _blank(text, rng.start(), len(text))
    end = re.search(r"[.,;]\s*$", text)  # the sentence's full stop or comma after a display
    if end and _depth_at(text, end.start()) == 0:
        text = _blank(text, end.start(), end.start() + 1)
    row.text = text.replace("&", " ")
    row.justification = "; ".join(j for j in found if j)


_TRAILING = re.compile(r"(\\q?quad|\\,|\\;|,|\s)*\\(text|textrm|mbox)\s*\{")


def _reads_as_words(text: str) -> bool:
    """``\\quad (\\text{by Bayes})`` or ``\\quad (\\text{i.i.d.})`` is a justification; ``\\quad (a + b)``
    is spacing inside a formula."""
    return bool(re.search(r"\\(text|mbox|textrm|textit)\b", text) or re.search(r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]+", "", text)))


def _depth_at(text: str, pos: int) -> int:
    """The bracket depth (any of ``{([``) at ``pos``."""
    depth = 0
    for i, depth in _depths(text, 0, "{([", "})]"):
        if i >= pos:
            return depth
    return depth


def _top_level_find(text: str, needle: str) -> int:
    for i, depth in _depths(text):
        if depth == 0 and text.startswith(needle, i):
            return i
    return -1


# -- cutting rows at relations --------------------------------------------------------------
@dataclass
class _Piece:
    kind: str            # "expr" or "rel"
    start: int           # offset in the row
    end: int
    relation: str = ""
    justification: str = ""


def _tokens(row: Row, source: Source) -> list[Token]:
    try:
        return tokenize(row.text)
    except ParseError as exc:
        line = source.line_of(row.start + (exc.pos or 0))
        raise VerifyError(exc.message, source.name, line) from None


def _pieces(row: Row, source: Source) -> list[_Piece]:
    tokens = _tokens(row, source)
    pieces: list[_Piece] = []
    depth, i, expr_start = 0, 0, 0
    while i < len(tokens):
        tok = tokens[i]
        rel = None
        if depth == 0 and tok.text in STACKED and i + 1 < len(tokens) and tokens[i + 1].text == "{":
            close = _match(tokens, i + 1)
            if close + 1 < len(tokens) and tokens[close + 1].text == "{":
                close2 = _match(tokens, close + 1)
                inner = [t.text for t in tokens[close + 2:close2]]
                word = "".join(inner)
                if word in EQUALS or word in UNCHECKED or word == "==":
                    label = row.text[tokens[i + 1].pos + 1:tokens[close].pos]
                    rel = (word if word != "==" else "=", close2 + 1, _plain(label))
        if rel is None and depth == 0:
            if tok.text == "=" and not (i + 1 < len(tokens) and tokens[i + 1].text == "="):
                rel = ("=", i + 1, "")
            elif tok.text == ":" and i + 1 < len(tokens) and tokens[i + 1].text == "=":
                rel = (":=", i + 2, "")
            elif tok.text in EQUALS or tok.text in UNCHECKED or tok.text in ("<", ">"):
                rel = (tok.text, i + 1, "")
        if rel is not None:
            name, nxt, label = rel
            pieces.append(_Piece("expr", expr_start, tok.pos))
            end = tokens[nxt].pos if nxt < len(tokens) else len(row.text)
            pieces.append(_Piece("rel", tok.pos, end, name, label))
            expr_start = end
            i = nxt
            continue
        if tok.text in _OPEN:
            depth += 1
        elif tok.text in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    pieces.append(_Piece("expr", expr_start, len(row.text)))
    return [p for p in pieces if p.kind == "rel" or row.text[p.start:p.end].strip()]


def _match(tokens: list[Token], i: int) -> int:
    end = closing(tokens, i)
    return len(tokens) - 1 if end is None else end


#: Commands that only move a row's start: ``&\\quad + c``, ``\\phantom{=} - c``.
_SPACERS = {r"\phantom", r"\hphantom", r"\hspace", r"\hspace*", r"\mathrel"}


def _first_token(row: Row, piece: _Piece, source: Source) -> str:
    """The first token of a piece that is not spacing (the lexer drops \\quad, \\,)."""
    tokens = _tokens(Row(row.text[piece.start:piece.end], row.start + piece.start, row.block), source)
    i = 0
    while i < len(tokens) and tokens[i].text in _SPACERS:
        i += 1
        if i < len(tokens) and tokens[i].text == "{":
            i = _match(tokens, i) + 1
    return tokens[i].text if i < len(tokens) else ""


def chains_of(source: Source) -> list[Chain]:
    """Every chain of the file, in order; rows continue chains as the module says."""
    chains: list[Chain] = []
    current: Chain | None = None
    dangling = False  # the last row ended with a relation
    for row in source.rows:
        try:
            take_justification(row)
        except VerifyError as exc:
            raise VerifyError(exc.message, source.name, source.line_of(exc.offset)) from None
        dollar = row.text.find("$")
        if dollar >= 0:
            raise VerifyError("a $ inside a display formula", source.name, source.line_of(row.start + dollar))
        pieces = _pieces(row, source)
        if not pieces:
            continue
        starts_with_rel = pieces[0].kind == "rel"
        has_rel = any(p.kind == "rel" for p in pieces)
        first_token = _first_token(row, pieces[0], source)
        continues_expr = (not has_rel and current is not None and current.segments and not dangling
                          and first_token in ("+", "-", r"\cdot", r"\times") and current.block == row.block)
        if continues_expr:
            seg = current.segments[-1]
            seg.raw = seg.raw + " " + row.text
            continue
        if current is None or not (starts_with_rel or dangling):
            current = Chain(block=row.block)
            chains.append(current)
        row_links: list[Link] = []
        for p in pieces:
            if p.kind == "rel":
                line = source.line_of(row.start + p.start)
                link = Link(p.relation, line, p.justification)
                current.links.append(link)
                row_links.append(link)
                dangling = True
            else:
                raw = row.text[p.start:p.end]
                offset = row.start + p.start + (len(raw) - len(raw.lstrip()))
                current.segments.append(Segment(raw.strip(), offset, source.line_of(offset)))
                dangling = False
        for link in row_links:
            if not link.justification and row.justification:
                link.justification = row.justification
        if not row_links and row.justification and current.links:
            current.links[-1].justification = current.links[-1].justification or row.justification
    for chain in chains:
        if chain.links and len(chain.segments) == len(chain.links):
            last = chain.links[-1]
            raise VerifyError(f"the chain ends with {last.relation} and no right-hand side", source.name, last.line)
        if chain.links and chain.segments and len(chain.segments) != len(chain.links) + 1:
            raise VerifyError("a relation without a left-hand side", source.name, chain.links[0].line)
    return [c for c in chains if c.segments]
