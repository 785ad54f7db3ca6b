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
from .cases import BARE_CONDITION
from .extract import Row, Source
from .tokens import closing

#: Relations a step may claim, as the report names them. ``=`` between two
#: optimisation problems and ``\equiv`` both claim the same optimiser.
EQUALS = {"=", r"\equiv", ":=", r"\coloneqq", r"\triangleq", r"\doteq", r"\eqqcolon"}
#: Relations read but never checked: the step is reported ``unknown``.
UNCHECKED = {r"\le": "<=", r"\leq": "<=", r"\ge": ">=", r"\geq": ">=", "<": "<", ">": ">",
             r"\approx": "~", r"\propto": "propto", r"\neq": "!=", r"\ne": "!=", r"\simeq": "~",
             r"\sim": "~", r"\leqslant": "<=", r"\geqslant": ">="}
STACKED = {r"\stackrel", r"\overset", r"\underset"}
#: Words between two equations that say the second follows from the first
#: (``A = 0 \Rightarrow B = C``): each starts a new chain, marked with the connective.
CONNECTIVES = {r"\Rightarrow", r"\Longrightarrow", r"\implies", r"\iff", r"\Leftrightarrow",
               r"\Longleftrightarrow", r"\therefore", r"\Leftarrow", r"\impliedby", r"\Longleftarrow"}
_OPEN, _CLOSE = {"(", "[", "{", r"\{", r"\langle"}, {")", "]", "}", r"\}", r"\rangle"}


@dataclass
class Segment:
    """One side of a relation, as written (``raw``) from file offset ``start``."""

    raw: str
    start: int
    line: int
    unread: str = ""     # why the segment could not be read ("line 12: ..."), or ""


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
    connective: str = ""   # the word that opens it (``\Rightarrow``, ``\iff``, ...), or ""


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
    text = text.replace(r"\{", "\x00").replace(r"\}", "\x01")
    text = text.replace("{", "").replace("}", "").replace("$", "").replace("\x00", "{").replace("\x01", "}")
    return " ".join(text.split()).strip(" ,;")


class Justified(ValueError):
    """Maths after a justification that is neither a further step nor a condition
    (``\\quad (\\text{by X}) \\quad c = d``): ``offset`` is where it starts, in the row."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message, self.offset = message, offset


#: Commands whose group holds words, not maths.
_TEXT_COMMANDS = ("text", "textrm", "mbox", "textit", "textbf", "emph", "textsf", "texttt", "textup", "textnormal")
_TEXT_AT = re.compile(r"\\(" + "|".join(_TEXT_COMMANDS) + r")\s*\{")
_SPACE_AT = re.compile(r"\s+|\\(quad|qquad|enspace|hfill)\b|\\[,;:! ]|~")
_QUAD_AT = re.compile(r",?\s*\\q?quad\b")
#: A justification whose words end with one of these is followed by its condition,
#: in maths: ``\\text{since } y_i \\in \\{0, 1\\}``, ``\\text{for all } i``.
CONDITION_WORDS = {"since", "where", "for", "if", "when", "whenever", "as", "because", "with", "given", "using",
                   "by", "from", "assuming", "provided", "all", "each", "every", "any", "over", "on", "in", "of",
                   "s.t.", "st", "iff", "whence", "letting", "let", "setting", "taking", "substituting"}
#: A range or a condition said in maths after ``, \\quad``: ``i = 1, \\dots, N``, ``\\forall i``, ``k \\in [C]``.
_RANGE = re.compile(r"\s*(\\forall\b|[A-Za-z](\s*,\s*[A-Za-z])*\s*(\\in\b|\\notin\b|=[^=]*(\\[lc]?dots\b|\.\.\.)))")
_OPERATOR_START = re.compile(r"\s*(\+|-|\\cdot\b|\\times\b)")


def _skip_space(text: str, i: int, limit: int) -> int:
    while i < limit:
        m = _SPACE_AT.match(text, i)
        if not m or m.end() > limit:
            return i
        i = m.end()
    return i


def _bracket_end(text: str, open_at: int, limit: int) -> int:
    """Offset just after the bracket closing the ``(``/``[``/``{`` at ``open_at`` (or -1)."""
    for i, depth in _depths(text, open_at, "{([", "})]"):
        if i >= limit:
            return -1
        if depth == 1 and text[i] in "})]":
            return i + 1
    return -1


def _words_group(text: str, i: int, limit: int) -> int:
    """End of a justification group starting at ``i`` (``\\text{..}``, ``(\\text{..})``,
    ``(i.i.d.)``), or -1 when none starts there."""
    m = _TEXT_AT.match(text, i)
    if m:
        end = _group_end(text, m.end() - 1)
        return end + 1 if 0 < end < limit else -1
    if i < limit and text[i] in "([":
        end = _bracket_end(text, i, limit)
        if end > 0 and _reads_as_words(text[i + 1:end - 1]):
            return end
    return -1


def _extent(text: str, i: int, limit: int) -> int:
    """End of the justification starting at ``i``: word groups, spacing and punctuation."""
    end = i
    while True:
        j = _skip_space(text, end, limit)
        group = _words_group(text, j, limit)
        if group > 0:
            end = group
        elif j < limit and text[j] in ",;:.":
            end = j + 1
        else:
            return j if end > i else end


def _starts_with_relation(text: str) -> bool:
    try:
        tokens = tokenize(text)
    except ParseError:
        return False
    if not tokens:
        return False
    first = tokens[0].text
    return (first in EQUALS or first in CONNECTIVES or first in UNCHECKED or first in STACKED or first in ("=", "<", ">")
            or (first == ":" and len(tokens) > 1 and tokens[1].text == "="))


#: Relations a condition may state (``y_i \in \{0, 1\}``, ``i = 1, \dots, N``): one at most.
_CONDITION_RELATIONS = {r"\in", r"\notin", r"\subset", r"\subseteq", "="}


def _relations(text: str) -> int:
    r"""How many relations ``text`` holds at bracket depth 0 (``\in`` counts); 99 if it cannot be read."""
    try:
        tokens = tokenize(text)
    except ParseError:
        return 99
    depth, count = 0, 0
    for k, tok in enumerate(tokens):
        depth += tok.text in _OPEN
        depth -= tok.text in _CLOSE
        if depth == 0 and (tok.text in EQUALS or tok.text in UNCHECKED or tok.text in _CONDITION_RELATIONS
                           or tok.text in ("<", ">")):
            count += not (tok.text == "=" and k and tokens[k - 1].text == ":")
    return count


def _has_relation(text: str) -> bool:
    """Does ``text`` hold a relation at bracket depth 0 (a formula of its own)?"""
    return _relations(text) > 0


def _is_condition(words: str, rest: str) -> bool:
    r"""Is ``rest`` (maths after the words of a justification) the condition they announce?
    A condition states one relation at most: ``\text{since } y_i \in \{0,1\} = 2a`` is not one
    (the ``= 2a`` may be a further step), and is refused rather than guessed."""
    if _relations(rest) > 1:
        return False
    last = words.rstrip(" ,:;").split()[-1].lower() if words.strip(" ,:;") else ""
    return last in CONDITION_WORDS or _RANGE.match(rest) is not None


def _take_cell(text: str, amp: int, found: list) -> str:
    """The ``&& ..`` column: the justification is that cell; nothing may follow it."""
    cell_end = len(text)
    for i, depth in _depths(text, amp + 2):
        if depth == 0 and text[i] == "&":
            cell_end = i
            break
    after = text[cell_end:].replace("&", " ")
    if after.strip():
        raise Justified("a formula after the justification column (&& ..): write each equation on its own row",
                        cell_end + (len(after) - len(after.lstrip())))
    cell = text[amp + 2:cell_end]
    start = _skip_space(cell, 0, len(cell))
    end = _extent(cell, start, len(cell))
    words = _plain(cell[start:end])
    rest = cell[end:]
    if end > start and rest.strip() and not _is_condition(words, rest):
        raise Justified("a formula after the justification in the && column: write it on its own row",
                        amp + 2 + end + (len(rest) - len(rest.lstrip())))
    if end == start and _top_level_find(cell, "=") >= 0 and not (_RANGE.match(cell) and _relations(cell) <= 1):
        raise Justified("a formula after && (flalign columns): write each equation on its own row, or put "
                        "the justification in \\text{..}", amp)
    found.append((amp, _plain(cell).strip("()[] ")))
    return _blank(text, amp, len(text))


def take_justification(row: Row) -> None:
    """Move the row's justifications into ``row.justifications`` (with their offsets
    in the row) and blank them in the text: ``\\tag{..}``, the ``&& ..`` column,
    ``\\text{..}``, ``(\\text{..})`` and ``\\quad (..)`` groups, a condition after
    them (``\\text{since } y_i \\in \\{0, 1\\}``) and a range after ``, \\quad``.

    A justification is only its group: maths after it is a further step of the
    chain when it starts with a relation (``\\quad (\\text{..}) = 2a``), the
    condition its words announce, or else an error (:class:`Justified`)."""
    found: list[tuple[int, str]] = []
    text = row.text
    for m in list(_TAG.finditer(text)):
        end = _group_end(text, m.end() - 1)
        if end > 0:
            found.append((m.start(), _plain(text[m.end():end])))
            text = _blank(text, m.start(), end + 1)
    amp = _top_level_find(text, "&&")
    if amp >= 0:
        text = _take_cell(text, amp, found)
    i = 0
    while i < len(text):
        start, kind = _opener(text, i)
        if start < 0:
            break
        i, text = _justify_at(text, start, kind, found)
    stop = re.search(r"(?<!\\)[.,;]\s*$", text)  # the sentence's full stop or comma after a display
    if stop and _depth_at(text, stop.start()) == 0:
        text = _blank(text, stop.start(), stop.start() + 1)
    row.text = text.replace("&", " ")
    row.justifications = sorted((o, j) for o, j in found if j)


def _opener(text: str, i: int) -> tuple[int, str]:
    """The next place from ``i`` where a justification may start, at bracket depth 0:
    ``\\quad``/``, \\quad`` (kind ``quad``), a ``\\text{..}`` group not used as a
    function name (``text``), or a ``(`` around words (``paren``). ``(-1, "")`` if none."""
    command = _command_opener(text, i)  # _depths skips commands: they have a scan of their own
    for j, depth in _depths(text, i, "{([", "})]"):
        if command[0] >= 0 and j > command[0]:
            break
        if depth:
            continue
        c = text[j]
        if c == "(" and _words_group(text, j, len(text)) > 0 and _TEXT_AT.match(text, _skip_space(text, j + 1, len(text))):
            return j, "paren"
        if c == "," and _QUAD_AT.match(text, j):
            return j, "quad"
    return command


def _command_opener(text: str, i: int) -> tuple[int, str]:
    best = (-1, "")
    for pattern, kind in ((_TEXT_AT, "text"), (re.compile(r"\\q?quad\b"), "quad")):
        for m in pattern.finditer(text, i):
            if _depth_at(text, m.start()) != 0:
                continue
            if kind == "text":
                before = text[:m.start()].rstrip()
                if before.endswith(("_", "^", r"\operatorname", r"\mathop")):
                    continue
                end = _group_end(text, m.end() - 1)
                after = text[end + 1:].lstrip() if end > 0 else ""
                if end < 0 or after.startswith(("(", "_", "^", r"\left(", r"\big")):
                    continue  # \text{softmax}(z): a function's name
            if best[0] < 0 or m.start() < best[0]:
                best = (m.start(), kind)
            break
    return best


def _justify_at(text: str, start: int, kind: str, found: list) -> tuple[int, str]:
    """Take the justification that may start at ``start``; return where to go on
    scanning and the row's text with it blanked."""
    limit = len(text)
    quad = _QUAD_AT.match(text, start) if kind == "quad" else None
    if kind != "quad":  # the spacing before the words goes with them: b + a \; \mbox{..}
        spacing = re.search(r"(\s|\\[,;:! ]|\\q?quad\b|~)*$", text[:start])  # always matches, maybe empty
        start = spacing.start() if spacing else start
    begin = quad.end() if quad else start
    end = _extent(text, begin, limit)
    rest = text[end:]
    consumed = text[begin:end].strip(" ,;:.") != ""
    words = _plain(text[begin:end])
    plain = text.replace("&", " ")
    nothing_before = _skip_space(plain, 0, start) >= start
    if not rest.strip():
        if consumed or quad:
            found.append((start, words.strip("()[] ")))
            return limit, _blank(text, start, limit)
        return limit, text
    if _starts_with_relation(rest):
        if consumed:
            found.append((start, words.strip("()[] ")))
            return end, _blank(text, start, end)
        return end, text
    if not consumed:  # \quad followed by maths
        if _OPERATOR_START.match(rest) or nothing_before or not _has_relation(rest) or _after_connective(text, start):
            return end, text  # spacing inside one formula: (a-b) \quad (a+b)
        if (_RANGE.match(rest) or BARE_CONDITION.match(rest)) and _relations(rest) <= 1:
            # ", \quad i = 1, \dots, N", "\quad \forall i", a case: ", \quad k \neq j"
            found.append((start, _plain(rest)))
            return limit, _blank(text, start, limit)
        raise Justified("two formulas side by side on one row: write each on its own row, or the words "
                        "between them in \\text{..}", end + (len(rest) - len(rest.lstrip())))
    if _is_condition(words, rest):
        found.append((start, (words + " " + _plain(rest)).strip("()[] ")))
        return limit, _blank(text, start, limit)
    if nothing_before:  # \text{(by Bayes)} \quad a = b: the words open the row
        found.append((start, words.strip("()[] ")))
        return end, _blank(text, start, end)
    raise Justified(f"a formula after the justification \u201c{words}\u201d: maths after a justification is a "
                    "further step only when it starts with a relation (= ...); write it on its own row",
                    end + (len(rest) - len(rest.lstrip())))


def _after_connective(text: str, start: int) -> bool:
    """Does a connective (``\\Rightarrow``, ``\\iff``) come right before ``start``? Then the
    spacing after it opens the next equation: ``a = 0 \\quad\\Rightarrow\\quad b = c``."""
    before = re.sub(r"(\s|\\q?quad\b|\\[,;:! ]|~)*$", "", text[:start])
    return any(before.endswith(c) for c in CONNECTIVES)


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
    kind: str            # "expr", "rel" or "conn" (a connective between two equations)
    start: int           # offset in the row
    end: int
    relation: str = ""
    justification: str = ""


class Unreadable(ValueError):
    """A row derive cannot cut into formulas and relations; ``offset`` is a file offset."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message, self.offset = message, offset


def _tokens(row: Row, source: Source) -> list[Token]:
    try:
        return tokenize(row.text)
    except ParseError as exc:
        raise Unreadable(exc.message, row.start + (exc.pos or 0)) from None


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
        if rel is None and depth == 0 and tok.text in CONNECTIVES:
            pieces.append(_Piece("expr", expr_start, tok.pos))
            end = tokens[i + 1].pos if i + 1 < len(tokens) else len(row.text)
            pieces.append(_Piece("conn", tok.pos, end, tok.text))
            expr_start = end
            i += 1
            continue
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
    return [p for p in pieces if p.kind != "expr" or row.text[p.start:p.end].strip()]


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


#: A row that cannot be read still says, by its first or last relation, whether it
#: goes on from the row before or into the row after (a guess used only to keep
#: the chains apart: the steps next to an unread line are never checked).
_LEADING_RELATION = re.compile(r"^[\s&]*(=|<|>|:=|\\(equiv|le|leq|ge|geq|approx|propto|stackrel|overset|neq|sim)\b)")
_TRAILING_RELATION = re.compile(r"(=|<|>|\\(equiv|le|leq|ge|geq|approx|propto|neq|sim))[\s&]*$")


def _unread_segment(text: str, offset: int, source: Source, reason: str, at: int | None = None) -> Segment:
    raw = " ".join(text.replace("&", " ").split())
    line = source.line_of(offset)
    where = source.line_of(at) if at is not None else line
    return Segment(raw, offset, line, unread=f"line {where}: {reason}")


def _read_row(row: Row, source: Source) -> list[_Piece]:
    """The row's pieces, its justifications taken out; :class:`Unreadable` if it cannot be cut."""
    original = row.text
    try:
        take_justification(row)
    except Justified as exc:
        row.text = original
        raise Unreadable(exc.message, row.start + exc.offset) from None
    dollar = row.text.find("$")
    if dollar >= 0:
        raise Unreadable("a $ inside a display formula", row.start + dollar)
    pieces = _pieces(row, source)
    if pieces:
        _first_token(row, pieces[0], source)  # raises as _pieces would
    return pieces


def _justify_links(row: Row, pieces: list[_Piece], row_links: list["Link"], current: Chain) -> None:
    """Each justification goes to the relation before it on its row (the first
    relation when it opens the row); a row without relations justifies the chain's last step."""
    rel_starts = [p.start for p in pieces if p.kind == "rel"]
    for offset, words in row.justifications:
        if row_links:
            k = max([n for n, start in enumerate(rel_starts) if start < offset], default=0)
            link = row_links[k]
        elif current.links:
            link = current.links[-1]
        else:
            continue
        link.justification = "; ".join(w for w in (link.justification, words) if w)


def chains_of(source: Source) -> list[Chain]:
    """Every chain of the file, in order; rows continue chains as the module says.

    A row that cannot be read becomes an unread segment (``Segment.unread`` says
    why) in the chain it belongs to, so the steps next to it are reported as
    unread and every other step is still checked; so do a relation with no
    formula on one side and each display that cannot be delimited."""
    chains: list[Chain] = []
    current: Chain | None = None
    dangling = False  # the last row ended with a relation
    pending = ""      # a connective that ended the last row: it opens the next chain
    for row in source.rows:
        try:
            pieces = _read_row(row, source)
        except Unreadable as exc:
            seg = _unread_segment(row.text, row.start + len(row.text) - len(row.text.lstrip()), source,
                                  exc.message, exc.offset)
            if current is not None and (dangling or _LEADING_RELATION.match(row.text)):
                if not dangling:
                    current.links.append(Link("?", seg.line))
            else:
                current = Chain(block=row.block)
                chains.append(current)
            current.segments.append(seg)
            dangling = bool(_TRAILING_RELATION.search(row.text))
            if dangling:
                current.links.append(Link("?", seg.line))
            continue
        if not pieces:
            continue
        starts_with_rel = pieces[0].kind == "rel"
        has_rel = any(p.kind == "rel" for p in pieces)
        first_token = _first_token(row, pieces[0], source)
        if (starts_with_rel and dangling and current is not None and current.links
                and current.links[-1].relation == "?" and len(current.segments) == len(current.links)):
            current.links.pop()  # the unread row before did not end with a relation after all
        continues_expr = (not has_rel and current is not None and current.segments and not dangling
                          and first_token in ("+", "-", r"\cdot", r"\times") and current.block == row.block)
        if continues_expr and current is not None:
            seg = current.segments[-1]
            seg.raw = seg.raw + " " + row.text
            if row.justifications and current.links:
                _justify_links(row, pieces, [], current)
            continue
        if current is None or not (starts_with_rel or dangling):
            current = Chain(block=row.block, connective=pending)
            chains.append(current)
        pending = ""
        row_links: list[Link] = []
        for p in pieces:
            if p.kind == "conn":
                # A \Rightarrow B: B's chain is new, and says it follows from A
                current = Chain(block=row.block, connective=p.relation)
                chains.append(current)
                dangling = False
                pending = p.relation if p is pieces[-1] else ""
                continue
            if p.kind == "rel":
                line = source.line_of(row.start + p.start)
                if len(current.segments) == len(current.links):  # "= b" with nothing before it
                    current.segments.append(Segment("", row.start + p.start, line,
                                                    unread=f"line {line}: the relation {p.relation} has no "
                                                           "left-hand side"))
                link = Link(p.relation, line, p.justification)
                current.links.append(link)
                row_links.append(link)
                dangling = True
            else:
                raw = row.text[p.start:p.end]
                offset = row.start + p.start + (len(raw) - len(raw.lstrip()))
                current.segments.append(Segment(raw.strip(), offset, source.line_of(offset)))
                dangling = False
        _justify_links(row, pieces, row_links, current)
    for chain in chains:
        if chain.links and len(chain.segments) == len(chain.links):
            last = chain.links[-1]
            chain.segments.append(Segment("", 0, last.line, unread=f"line {last.line}: the chain ends with "
                                                                  f"{last.relation} and no right-hand side"))
    for offset, reason in source.unread:
        line = source.line_of(offset)
        text = source.text[offset:source.text.find("\n", offset) if "\n" in source.text[offset:] else None]
        chain = Chain(block=-1)
        chain.segments.append(Segment(" ".join(text.split()), offset, line, unread=f"line {line}: {reason}"))
        chains.append(chain)
    chains.sort(key=lambda c: c.segments[0].line if c.segments else 0)
    return [c for c in chains if c.segments]
