"""HTML mail to plain text, with the standard library's ``html.parser`` (no dependency).

What a reader of the text needs, and what the field extractor needs: one line per block,
``<br>`` as a line break, list items as ``- item``, scripts and styles dropped, entities
decoded, whitespace collapsed, quoted replies (``<blockquote type="cite">``, Gmail's
``gmail_quote``) prefixed with ``> `` so that the quote stripper sees them, and table rows
kept as ``label: value`` lines when a row has two cells: a two-column form pasted from
Word or Outlook, often with a third, middle cell holding only ``:``. Other rows become
their cells joined with `` | ``.

The converter is a single pass over the tokens with explicit stacks, never recursion, so
deeply nested markup costs time in proportion to its length and no more.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

# Longer markup is cut before conversion (the caller records that it was); a complaint
# never needs more, and a pathological message costs no more than this.
MAX_HTML_CHARS = 1_000_000

_SKIPPED = frozenset({"script", "style", "title", "template", "head", "xml", "svg", "object"})
_HEAD_ONLY = frozenset({"head", "meta", "link", "title", "style", "script", "base", "noscript"})
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "dl", "pre", "hr"}
)
_BLOCK = frozenset(
    {
        "div", "section", "article", "header", "footer", "main", "nav", "aside", "address",
        "form", "fieldset", "legend", "center", "figure", "figcaption", "dt", "dd", "li",
        "caption", "details", "summary", "body", "html", "option",
    }
)  # fmt: skip
_MAX_DEPTH = 10  # quote marks and list indents shown; deeper nesting shows as this deep
_CELL = frozenset({"td", "th"})
_WHITESPACE = re.compile(r"[ \t\n\r\f\v\xa0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\xad]")


def html_to_text(markup: str) -> str:
    """The text of an HTML document, as lines. Never raises on broken markup."""
    converter = _Converter()
    markup = markup[:MAX_HTML_CHARS]
    tokens = _plain_tokens(markup)
    try:
        if tokens is None:
            converter.feed(markup)
            converter.close()
        else:
            converter.replay(tokens)
    except Exception:  # html.parser asserts on some broken declarations
        pass  # keep what was converted up to the broken spot
    return converter.text()


# The plainest HTML, read without html.parser (its pure-Python scanner costs more than
# the conversion): text without '<', start tags of a name and attributes each written
# as name, name=value without quotes, '...' or "..." (no '<' or '>' inside), each after
# ASCII whitespace; end tags of a name alone. Anything else (a comment, a declaration, a
# stray '<', other whitespace) and the whole document goes to html.parser. For these
# documents html.parser calls the same handlers with the same arguments, in the same
# order (tests/unit/test_html.py holds them equal): tag and attribute names in lower
# case, values unquoted and their character references decoded, the text between two
# tags as one piece with its references decoded, the content of a script or a style up
# to its end tag given as it is.
_NAME = r"[a-zA-Z][-a-zA-Z0-9:_.]*"
_SPACE = r"[ \t\n\r\f]"
_VALUE = r"""(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`/]+(?=[ \t\n\r\f>]))"""
# The same, over a start tag's attributes alone (checked by _START_TAG): a bare value
# ends at the end of them.
_ATTRIBUTE = re.compile(
    rf"""{_SPACE}+({_NAME})(?:{_SPACE}*={_SPACE}*("[^"<>]*"|'[^'<>]*'|[^\s"'=<>`/]+))?"""
)
# One token at a time: text up to the next '<', a start tag, or an end tag.
_TOKEN = re.compile(
    rf"([^<]+)"
    rf"|<({_NAME})((?:{_SPACE}+{_NAME}(?:{_SPACE}*={_SPACE}*{_VALUE})?)*){_SPACE}*(/?)>"
    rf"|</({_NAME}){_SPACE}*>"
)
_CDATA_END = {
    name: re.compile(rf"</\s*{name}\s*>", re.I) for name in HTMLParser.CDATA_CONTENT_ELEMENTS
}
_Token = tuple[int, str, list[tuple[str, str | None]] | None]
_PLAIN_CHECKED = sys.version_info[:2] == (3, 11)


def _plain_tokens(markup: str) -> list[_Token] | None:
    """The handler calls html.parser would make of ``markup`` (0 text, 1 start tag,
    2 start-end tag, 3 end tag), or None when it is not of the plainest kind, or when
    this is not the Python whose html.parser it is tested against (3.11: later versions
    changed how a script or style ends)."""
    if not _PLAIN_CHECKED:
        return None
    tokens: list[_Token] = []
    add = tokens.append
    token = _TOKEN.match
    i, n = 0, len(markup)
    while i < n:
        found = token(markup, i)
        if found is None:
            return None
        i = found.end()
        text, tag, attributes, empty, end = found.groups()
        if text is not None:
            add((0, unescape(text) if "&" in text else text, None))
            continue
        if end is not None:
            add((3, end.lower(), None))
            continue
        tag = tag.lower()
        attrs: list[tuple[str, str | None]] = []
        if attributes:
            for attribute in _ATTRIBUTE.finditer(attributes):
                value = attribute.group(2)
                if value is not None:
                    if value[:1] in ("'", '"'):
                        value = value[1:-1]
                    if "&" in value:
                        value = unescape(value)
                attrs.append((attribute.group(1).lower(), value))
        if empty:
            add((2, tag, attrs))
            continue
        add((1, tag, attrs))
        closing = _CDATA_END.get(tag)
        if closing is not None:
            close = closing.search(markup, i)
            # html.parser's search is the same, but it ends a script or a style only at
            # an end tag of ASCII letters: "</\u017fcript>" (a long s, equal to "s"
            # ignoring case) is text inside it, so such a document is left to it.
            if close is None or not close.group().isascii():
                return None
            if i < close.start():
                add((0, markup[i : close.start()], None))
            add((3, tag, None))
            i = close.end()
    return tokens


class _Sink:
    """Text being written: words joined by single spaces, line breaks asked for by blocks."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.line_open = False  # something is written on the current line
        self.space = False  # a space is due before the next word on this line
        self.breaks = 0  # line breaks due before the next word
        self.marker = ""  # a list marker due at the start of the next line

    def words(self, text: str, prefix: str) -> None:
        """Inline text whose whitespace is already collapsed to single spaces."""
        if text.startswith(" "):
            self.space = True
        trailing = text.endswith(" ")
        text = text.strip(" ")
        if not text:
            return
        if self.breaks or not self.line_open:
            self._start(prefix)
        elif self.space:
            self.out.append(" ")
        self.out.append(text)
        self.space = trailing

    def verbatim(self, text: str, prefix: str) -> None:
        """Preformatted text: its spaces and line breaks kept."""
        for number, piece in enumerate(text.split("\n")):
            if number:
                self.br()
            if piece.strip() or (piece and self.line_open and not self.breaks):
                if self.breaks or not self.line_open:
                    self._start(prefix)
                self.out.append(piece)

    def lines(self, text: str, prefix: str) -> None:
        """Finished lines (a rendered table row), one after another."""
        self.block(1)
        for line in text.split("\n"):
            if line.strip():
                self.words(line, prefix)
                self.block(1)
            elif self.out:
                self.breaks = 2
        self.block(1)

    def block(self, breaks: int) -> None:
        """A block boundary: the next word starts ``breaks`` lines further down."""
        if self.out:
            self.breaks = max(self.breaks, breaks)
        self.space = False

    def br(self) -> None:
        if self.out:
            self.breaks += 1
        self.space = False

    def _start(self, prefix: str) -> None:
        if self.breaks:
            self.out.append("\n" * min(self.breaks, 3))
            self.breaks = 0
        self.out.append(prefix + self.marker)
        self.marker = ""
        self.line_open = True
        self.space = False

    def text(self) -> str:
        return "".join(self.out)


@dataclass
class _Table:
    parent: _Sink
    cells: list[str] = field(default_factory=list)
    cell: _Sink | None = None


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Sink()
        self.skip: list[str] = []  # open elements whose content is dropped
        self.tables: list[_Table] = []
        self.lists = 0
        self.quotes: list[bool] = []  # open blockquotes: True for a quoted reply
        self.pre = 0
        self.office = False  # Word's HTML: every line a <p class=MsoNormal>, no margins

    def replay(self, tokens: list[_Token]) -> None:
        """The handler calls of `_plain_tokens`, in order."""
        for kind, value, attrs in tokens:
            if kind == 0:
                self.handle_data(value)
            elif kind == 1:
                self.handle_starttag(value, attrs or [])
            elif kind == 2:
                self.handle_startendtag(value, attrs or [])
            else:
                self.handle_endtag(value)

    # -- where text goes --------------------------------------------------------------

    def sink(self) -> _Sink:
        if self.tables:
            table = self.tables[-1]
            return table.cell if table.cell is not None else table.parent
        return self.root

    def prefix(self, sink: _Sink | None = None) -> str:
        """The quote marks of a line written to ``sink``; text in a table cell gets them
        when its row is written out."""
        if (sink or self.sink()) is not self.root:
            return ""
        return "> " * min(sum(self.quotes), _MAX_DEPTH)

    # -- tokens -------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if self.skip == ["head"] and tag not in _HEAD_ONLY:
                self.skip.clear()  # a body element ends an unclosed head, as browsers do
            else:
                if tag in _SKIPPED:
                    self.skip.append(tag)
                return
        if tag in _SKIPPED:
            self.skip.append(tag)
            return
        sink = self.sink()
        if tag == "br":
            sink.br()
        elif tag == "table":
            sink.block(1)
            self.tables.append(_Table(parent=sink))
        elif tag == "tr":
            self._end_row()
        elif tag in _CELL:
            if self.tables:
                self._end_cell()
                self.tables[-1].cell = _Sink()
            else:
                sink.words(" ", "")
        elif tag == "li":
            sink.block(1)
            sink.marker = "  " * min(max(self.lists - 1, 0), _MAX_DEPTH) + "- "
        elif tag == "blockquote":
            sink.block(2)
            values = " ".join(v or "" for k, v in attrs if k in ("type", "class")).lower()
            self.quotes.append("cite" in values or "quote" in values)
        elif tag in _PARAGRAPH:
            self.office = self.office or _is_office_line(attrs)
            sink.block(1 if self.office or (self.lists and tag in ("ul", "ol")) else 2)
            if tag in ("ul", "ol"):
                self.lists += 1
            elif tag == "pre":
                self.pre += 1
        elif tag in _BLOCK:
            sink.block(1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED or tag in ("td", "th", "tr", "table", "blockquote", "ul", "ol"):
            return  # an empty element: nothing opens, nothing to close
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        sink = self.sink()
        if tag == "table":
            if self.tables:
                self._end_row()
                table = self.tables.pop()
                table.parent.block(1)
        elif tag == "tr":
            self._end_row()
        elif tag in _CELL:
            self._end_cell()
        elif tag == "blockquote":
            sink.block(2)
            if self.quotes:
                self.quotes.pop()
        elif tag in _PARAGRAPH:
            if tag in ("ul", "ol") and self.lists:
                self.lists -= 1
                sink.block(1 if self.lists else 2)
            else:
                sink.block(1 if self.office and tag == "p" else 2)
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag in _BLOCK:
            sink.block(1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = _INVISIBLE.sub("", data)
        sink = self.sink()
        if "\xa0" in data and not data.strip() and (sink.breaks or not sink.line_open):
            sink.block(2)  # <p>&nbsp;</p>, <div>&nbsp;</div>: how editors write a blank line
            return
        if self.pre:
            self.sink().verbatim(data.replace("\r\n", "\n").replace("\r", "\n"), self.prefix())
        else:
            self.sink().words(_WHITESPACE.sub(" ", data), self.prefix())

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """``<![foo[ ...]]>``: html.parser asserts on keywords it does not know; skip it."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return len(self.rawdata) if end < 0 else end + 1

    # -- tables -------------------------------------------------------------------------

    def _end_cell(self) -> None:
        if self.tables:
            table = self.tables[-1]
            if table.cell is not None:
                table.cells.append(table.cell.text())
                table.cell = None

    def _end_row(self) -> None:
        if not self.tables:
            return
        self._end_cell()
        table = self.tables[-1]
        if table.cells:
            row = _row_text(table.cells)
            if row:
                table.parent.lines(row, self.prefix(table.parent))
        table.cells = []

    def text(self) -> str:
        """The text so far, rows of tables left open (or cut off) included."""
        while self.tables:
            self._end_row()
            self.tables.pop()
        return self.root.text()


def _is_office_line(attrs: list[tuple[str, str | None]]) -> bool:
    """Word and Outlook write every line as ``<p class=MsoNormal>`` with no margin."""
    return any(k == "class" and v and "msonormal" in v.lower() for k, v in attrs)


def _row_text(cells: list[str]) -> str:
    """One table row as text: ``label: value`` for a two-column form row."""
    cells = [cell.strip() for cell in cells]
    if len(cells) == 3 and cells[1] == ":":
        cells = [cells[0], cells[2]]  # "Nama Pelapor | : | Budi"
    if len(cells) == 2 and cells[0] and "\n" not in cells[0]:
        label = cells[0].rstrip(":").rstrip()
        value = cells[1][1:].strip() if cells[1].startswith(":") else cells[1]
        if label:
            return f"{label}: {value}".rstrip()
    filled = [cell for cell in cells if cell]
    if any("\n" in cell for cell in filled):
        return "\n".join(filled)
    return " | ".join(filled)
