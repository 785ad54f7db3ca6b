"""From a ``.tex`` or ``.md`` file to display rows, each with its file line.

A row is one line of a display (``align`` rows split at ``\\\\``). Parts of
the text that are not formula (comments, ``\\label``, justifications) are
blanked out with spaces rather than cut, so an offset into a row is still an
offset into the file and every message can name the line it is about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .results import VerifyError
from .splits import read_cases

#: Display environments read in ``.tex`` (``split``/``aligned`` are read inside them).
ENVIRONMENTS = ("align", "align*", "equation", "equation*", "gather", "gather*", "eqnarray",
                "eqnarray*", "multline", "multline*", "flalign", "flalign*", "alignat", "alignat*",
                "displaymath", "math")
#: Inner wrappers dropped from a display: their rows are the display's rows.
INNER = ("split", "aligned", "gathered", "equation", "equation*", "align", "align*", "alignedat")
#: The comment that leaves the next display out: ``% derive: skip`` (``<!-- derive: skip -->`` in .md).
SKIP = "skip"
#: The most rows one file may hold, and the longest file read.
MAX_ROWS = 400
MAX_FILE = 200_000


@dataclass
class Row:
    """One display row: its text (offsets are file offsets), the row's own
    justification, and the display it belongs to."""

    text: str
    start: int          # file offset of text[0]
    block: int          # which display (0, 1, ...)
    justifications: list[tuple[int, str]] = field(default_factory=list)  # (offset in the row, words)

    @property
    def justification(self) -> str:
        return "; ".join(words for _, words in self.justifications)

    def line_of(self, source: "Source", offset_in_row: int) -> int:
        return source.line_of(self.start + offset_in_row)


@dataclass
class Source:
    """A file's text, its rows, and what its ``derive:`` comments declare."""

    text: str
    name: str
    rows: list[Row] = field(default_factory=list)
    domains: dict[str, str] = field(default_factory=dict)
    parameters: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)   # hatted symbols that are data (an estimate from the data)
    unread: list[tuple[int, str]] = field(default_factory=list)   # (file offset, why): displays not delimited
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (file offset, first words): `derive: skip`
    skip_marks: list[int] = field(default_factory=list)           # file offsets of `derive: skip` comments
    log_base: str | None = None                     # `log=2`: what \log means in the file (None: natural)
    assumptions: list[str] = field(default_factory=list)  # `assume=iid, bayes`: laws taken as given
    notes: list[tuple[int, str]] = field(default_factory=list)  # (file offset, note): how a display was read
    _starts: list[int] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        if not self._starts:
            self._starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1


def read_source(text: str, fmt: str, name: str) -> Source:
    """Rows of every display of ``text`` (``fmt`` ``tex`` or ``md``), in file order."""
    if len(text) > MAX_FILE:
        raise VerifyError(f"the file is {len(text)} characters long; at most {MAX_FILE} are read", name)
    if "\x00" in text:
        raise VerifyError("not a text file (it holds NUL bytes)", name)
    if fmt not in ("tex", "md"):
        raise VerifyError(f"unknown format {fmt!r}: use tex or md", name)
    text = text.replace("\r", " ")  # CR LF and old Mac line ends; the same length, so offsets hold
    source = Source(text, name)
    declarations, blanked = (_tex_comments if fmt == "tex" else _md_comments)(text)
    for offset, body in declarations:
        if body.strip() == SKIP:
            source.skip_marks.append(offset)
            continue
        _declare(source, body, source.line_of(offset))
    spans = _tex_displays(blanked, source.unread) if fmt == "tex" else _md_displays(blanked, source.unread)
    marks = sorted(source.skip_marks)
    for block, (opener, start, end) in enumerate(spans):
        mark = next((m for m in marks if m < opener and not blanked[m:opener].strip()), None)
        if mark is not None:  # `% derive: skip` on the lines right before the display
            marks.remove(mark)
            source.skipped.append((opener, " ".join(blanked[start:end].split())[:80]))
            continue
        source.rows += _rows(blanked, start, end, block, source.notes)
    if marks:
        lines = ", ".join(str(source.line_of(m)) for m in marks)
        raise VerifyError(f"derive: skip on line {lines} is not right before a display (only blank lines and "
                          "comments may come between them)", name, source.line_of(marks[0]))
    if len(source.rows) > MAX_ROWS:
        raise VerifyError(f"{len(source.rows)} display rows; at most {MAX_ROWS} are read", name)
    return source


# -- comments and declarations ------------------------------------------------------
_DECLARATION = re.compile(r"derive(-parameters|-data)?\s*:(.*)")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


#: Regions of a .tex file that are not part of the document's mathematics.
_TEX_SKIPPED = [re.compile(r"\\begin\{(comment|verbatim\*?|lstlisting|minted)\}.*?\\end\{\1\}", re.S),
                re.compile(r"\\iffalse\b.*?\\fi\b", re.S),
                re.compile(r"\\verb\*?(.).*?\1")]


def _tex_comments(text: str) -> tuple[list[tuple[int, str]], str]:
    found = []
    for m in re.finditer(r"(?<!\\)%[^\n]*", text):
        d = _DECLARATION.match(m.group(0)[1:].strip())
        if d:
            found.append((m.start(), _section(d) + d.group(2)))
        text = _blank(text, m.start(), m.end())
    for pattern in _TEX_SKIPPED:
        for m in pattern.finditer(text):
            text = _blank(text, m.start(), m.end())
    return found, text


def _section(match) -> str:
    return {"-parameters": "parameters:", "-data": "data:"}.get(match.group(1) or "", "")


def _md_comments(text: str) -> tuple[list[tuple[int, str]], str]:
    found = []
    for m in re.finditer(r"^[ \t]*(>[ \t]?)+", text, re.M):  # block quotes: the quoted text is read
        text = _blank(text, m.start(), m.end())
    for m in re.finditer(r"^(```|~~~).*?^\1", text, re.S | re.M):  # code is not mathematics
        text = _blank(text, m.start(), m.end())
    # Left to right, whichever opens first: a comment (a `derive:` comment is read), or
    # inline code (`<!-- derive: skip -->` written as an example is code, not a comment).
    for m in re.finditer(r"<!--(?P<comment>.*?)-->|(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)", text, re.S):
        if m.group("comment") is not None:
            d = _DECLARATION.match(m.group("comment").strip())
            if d:
                found.append((m.start(), _section(d) + d.group(2).strip()))
        text = _blank(text, m.start(), m.end())
    for m in re.finditer(r"(?:^(?: {4}|\t)[^\n]*\n?)+", text, re.M):  # an indented code block
        if _after_blank_line(text, m.start()) and not _in_list(text, m.start()):
            text = _blank(text, m.start(), m.end())
    return found, text


def _in_list(text: str, start: int) -> bool:
    """Is the indented block at ``start`` part of a list item (the last text line
    before it starts with ``-``, ``*``, ``+`` or ``1.``)?"""
    lines = [ln for ln in text[:start].splitlines() if ln.strip()]
    return bool(lines) and re.match(r"\s*([-*+]|\d+[.)])\s", lines[-1]) is not None


def _after_blank_line(text: str, start: int) -> bool:
    """Does the line at ``start`` follow a blank line (or open the file)?"""
    before = text[:start]
    return before.strip() == "" or before.endswith("\n\n") or re.search(r"\n[ \t]*\n$", before) is not None


def _declare(source: Source, body: str, line: int) -> None:
    """``y=onehot, \\hat{y}=simplex`` (domains), ``parameters: z, w`` or ``data: \\hat{\\mu}``."""
    body = body.strip()
    for section, into in (("parameters:", source.parameters), ("data:", source.data)):
        if body.startswith(section):
            names = [n.strip() for n in _top_split(body[len(section):], ",") if n.strip()]
            if not names:
                raise VerifyError(f"derive-{section} name at least one symbol (z, w)", source.name, line)
            into += names
            return
    assuming = False  # the names after `assume=` run to the next SYM=KIND
    for item in _top_split(body, ","):
        item = item.strip()
        if not item:
            continue
        if assuming and "=" not in item:
            source.assumptions.append(_assumption(item, source.name, line))
            continue
        assuming = False
        key = item.split("=", 1)[0].strip()
        if key in CONVENTIONS and "=" in item:
            assuming = _convention(source, key, item.split("=", 1)[1].strip(), line)
            continue
        if "=" not in item:
            raise VerifyError(f"derive: {item!r} is not SYM=KIND (say y=onehot, \\hat{{y}}=simplex)",
                              source.name, line)
        sym, kind = (s.strip() for s in item.split("=", 1))
        if not sym or not kind:
            raise VerifyError(f"derive: {item!r} is not SYM=KIND", source.name, line)
        source.domains[sym] = kind


#: Conventions a ``derive:`` comment may declare besides domains.
CONVENTIONS = ("log", "assume")
#: The bases ``log=`` accepts: what ``\log`` without a base means in the file.
LOG_BASES = ("2", "10", "e")


def _convention(source: Source, key: str, value: str, line: int) -> bool:
    """Record ``log=2`` or ``assume=iid``; True when names of assumptions may follow."""
    if key == "log":
        if value not in LOG_BASES:
            raise VerifyError(f"derive: log={value}: the base is one of {', '.join(LOG_BASES)}", source.name, line)
        source.log_base = None if value == "e" else value
        return False
    source.assumptions.append(_assumption(value, source.name, line))
    return True


def _assumption(name: str, source_name: str, line: int) -> str:
    from .laws import ASSUMPTIONS
    if name not in ASSUMPTIONS:
        raise VerifyError(f"derive: assume={name}: the assumptions are {', '.join(ASSUMPTIONS)}",
                          source_name, line)
    return name


def _top_split(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for c in text:
        depth += c == "{"
        depth -= c == "}"
        if c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return parts


# -- displays -------------------------------------------------------------------------
_ENV = re.compile(r"\\begin\{(" + "|".join(re.escape(e) for e in ENVIRONMENTS) + r")\}")


def _tex_displays(text: str, unread: list) -> list[tuple[int, int, int]]:
    """``(opener, body start, body end)`` of every display; one never closed goes to ``unread``."""
    spans: list[tuple[int, int, int]] = []
    i = 0
    while True:
        env = _ENV.search(text, i)
        bracket = re.compile(r"\\\[|\$\$").search(text, i)
        if env is None and bracket is None:
            return spans
        if env is not None and (bracket is None or env.start() < bracket.start()):
            end = text.find(r"\end{" + env.group(1) + "}", env.end())
            if end < 0:
                unread.append((env.start(), f"\\begin{{{env.group(1)}}} is never closed"))
                i = env.end()
                continue
            spans.append((env.start(), env.end(), end))
            i = end + len(env.group(1)) + 6
        else:
            assert bracket is not None  # env is None or later: a bracket opens first
            closed = _closed(text, bracket, unread)
            if closed is None:
                i = bracket.end()
                continue
            spans.append((bracket.start(), *closed))
            i = closed[1] + 2


def _closed(text: str, opener, unread: list) -> tuple[int, int] | None:
    closer = r"\]" if opener.group(0) == r"\[" else "$$"
    end = text.find(closer, opener.end())
    if end < 0:
        unread.append((opener.start(), f"{opener.group(0)} is never closed"))
        return None
    return opener.end(), end


def _brace_end(text: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(text)):
        depth += text[j] == "{"
        depth -= text[j] == "}"
        if depth == 0:
            return j
    return len(text) - 1


def _md_displays(text: str, unread: list) -> list[tuple[int, int, int]]:
    """``(opener, body start, body end)`` of every display; one never closed goes to ``unread``."""
    spans: list[tuple[int, int, int]] = []
    i = 0
    opener = re.compile(r"\\\[|\$\$|\\begin\{(" + "|".join(re.escape(e) for e in ENVIRONMENTS) + r")\}")
    while True:
        m = opener.search(text, i)
        if m is None:
            return spans
        if m.group(0).startswith(r"\begin"):
            end = text.find(r"\end{" + m.group(1) + "}", m.end())
            if end < 0:
                unread.append((m.start(), f"\\begin{{{m.group(1)}}} is never closed"))
                i = m.end()
                continue
            spans.append((m.start(), m.end(), end))
            i = end + len(m.group(1)) + 6
        else:
            closed = _closed(text, m, unread)
            if closed is None:
                i = m.end()
                continue
            start, end = closed
            i = end + 2
            if m.group(0) == "$$" and not _own_paragraph(text, m.start(), end + 2):
                continue  # kramdown's inline maths: "when $$y = 1$$, ..."
            spans.append((m.start(), start, end))


def _own_paragraph(text: str, open_at: int, close_end: int) -> bool:
    """Does a ``$$..$$`` stand on its own lines (a display), not inside a sentence?"""
    line_start = text.rfind("\n", 0, open_at) + 1
    line_end = text.find("\n", close_end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:open_at].strip() and not text[close_end:line_end].strip(" \t.,;:")


_INNER_ENV = re.compile(r"\\(begin|end)\{(" + "|".join(re.escape(e) for e in INNER) + r")\}(\{\d+\})?")
_DROP = re.compile(r"\\(label|eqref|ref)\{[^{}]*\}|\\(nonumber|notag)\b")
_INTERTEXT = re.compile(r"\\(intertext|shortintertext)\s*\{")
#: Preamble declarations written inside a display (``\DeclareMathOperator{\softmax}{softmax}``):
#: they declare notation, they are not formulas.
_PREAMBLE = re.compile(r"\\(DeclareMathOperator\*?|newcommand\*?|renewcommand\*?)\s*(?=\{)")


def _blank_declarations(body: str, start: int, notes: list | None) -> str:
    """``body`` with each preamble declaration (its two brace groups, and a ``[n]`` between them)
    blanked out; ``notes`` gets ``(offset, note)`` for each."""
    for m in list(_PREAMBLE.finditer(body, start)):
        close = _brace_end(body, m.end())
        rest = re.match(r"\s*(\[\d\])?\s*\{", body[close + 1:])
        if rest is None:
            continue  # not the shape of a declaration: left for the reader to refuse
        close = _brace_end(body, close + rest.end())
        if notes is not None:
            notes.append((m.start(), f"\\{m.group(1)}{{..}}{{..}} declares notation (a preamble line): "
                                     "it is not a formula and is not checked"))
        body = _blank(body, m.start(), close + 1)
    return body


def _rows(text: str, start: int, end: int, block: int, notes: list | None = None) -> list[Row]:
    """The rows of the display ``text[start:end]``, split at top-level ``\\\\`` (a ``cases``
    block read first, see :mod:`.splits`; ``notes`` gets ``(offset, note)`` for each)."""
    body = text[:end]
    for m in list(_INNER_ENV.finditer(body, start)) + list(_DROP.finditer(body, start)):
        body = _blank(body, m.start(), m.end())
    body = _blank_declarations(body, start, notes)
    for m in list(_INTERTEXT.finditer(body, start)):  # prose between rows: a row break
        close = _brace_end(body, m.end() - 1)
        body = body[:m.start()] + "\\\\" + re.sub(r"[^\n]", " ", body[m.start() + 2:close + 1]) + body[close + 1:]

    body, read = read_cases(body, start, end)
    if notes is not None:
        notes += read
    rows, depth, row_start, i = [], 0, start, start
    while i < end:
        c = body[i]
        if c == "\\" and i + 1 < end and body[i + 1] == "\\" and depth == 0:
            rows.append(Row(body[row_start:i], row_start, block))
            j = i + 2
            if j < end and body[j] == "*":  # \\*: a row break without a page break
                j += 1
            if j < end and body[j] == "[":  # \\[2pt]: a vertical space, not a bracket
                close = body.find("]", j)
                j = close + 1 if close > 0 else j
            row_start = i = j
            continue
        if c == "\\" and i + 1 < end:
            i += 2  # \{ \} \\ and friends are not braces of the source
            continue
        depth += c == "{"
        depth -= c == "}"
        i += 1
    rows.append(Row(body[row_start:end], row_start, block))
    return [r for r in rows if r.text.strip()]
