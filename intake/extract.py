"""The Formulir Pengaduan's fields, read from the text of an e-mail.

Pure: text in, raw values out. The caller removes quoted text first, checks the values
with `ticketing.formulir.check_formulir`, and decides what to do with a letter that holds
no form at all (see `looks_like_form`). Labels are found only through
`ticketing.formulir.field_for_label`, so the field table stays the one list of labels.

How a line is read:

- **A label line** names a field and may carry its value: ``Label: value``,
  ``Label = value``, ``Label<TAB>value``, ``Label | value`` (a pasted two-column table)
  or ``Label  value`` (two or more spaces), in any case, after a bullet or a number
  (``-``, ``*``, ``•``, ``1.``, ``2)``, ``(3)``) and with ``*bold*`` marks. The first
  ``:`` or ``=`` whose left side is a known label is the separator (so ``Jenis Kelamin
  (L=Laki-laki, P=Perempuan): L`` works); failing that, a line that is a label and
  nothing else; then the first tab or ``|``; then, on a line without ``:`` or ``=``, the
  longest label before two spaces (labels hold spaces: ``Nama  Pelapor  Budi``). Only
  labels of the field table count: ``Mohon bantuan: internet mati``, ``pukul
  09:30`` and ``http://x`` are not label lines.
- **A single-line field** takes the rest of its label line. When that is empty it takes
  the next line, if that line is not blank, not a label line, not shaped like a
  ``Label:`` line and not a closing such as ``Terima kasih``; otherwise it is not given.
- **The multi-line field** (Isi Aduan) takes the rest of its label line and every line
  after it, blank lines included, until the next line that names another field, a
  signature delimiter (``--``, ``___``, ``Sent from…``, ``Dikirim dari…``), or, once it
  has some text, a closing line (``Terima kasih``, ``Hormat saya``, ``Salam``,
  ``Regards``…). The closing, the name under it and the rest of the mail stay out. A
  line that names the complaint field again (``Keterangan: …`` under ``Isi Aduan: …``)
  is kept as part of the complaint. The common indentation of the following lines is
  removed (our own e-mails indent a multi-line value under its label); blank lines at
  its end are dropped, and so are those at its start when the label line holds no text.
- **A repeated field**: the first non-empty value wins. An empty value is not given.
- Every other line (greetings, signatures, prose) is ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ticketing.formulir import FIELDS, FormulirField, field_for_label

FORM_MIN_LABELS = 3
"""How many different fields a text must name to be read as a form."""

_MAX_LABEL_CHARS = 160
"""The longest label looked up, hint in brackets included ("Jenis Aduan (Jaringan / …)")."""

# Between a label and its value, by strength: ":" or "=", a table cell boundary (tab or
# "|"), two or more spaces. The first alternative absorbs the spaces around the colon.
_SEPARATOR = re.compile(
    r"([ \t\u00a0]*[:=：][ \t\u00a0]*)"  # strong
    r"|([ \u00a0]*[\t|][ \t\u00a0|]*)"  # a table cell boundary
    r"|([ \u00a0]{2,})"  # spaces
)
_STRONG, _CELL, _SPACES = 0, 1, 2  # the separator's kind: its group in _SEPARATOR, less one

# A bullet, a list number or a table's outer border before a label.
_LEAD = re.compile(r"^[\s|\-–—*•·▪●◦‣+>#]*(?:\(?\d{1,2}\s*[.)]\s*|\d{1,2}\t\s*)?")
# Emphasis marks left around a value by "*Label:* value" or "Label: *value*".
_EMPHASIS = re.compile(r"^\*+\s*|\s*\*+$")

# A line shaped like "Label: value" whose label is not a field: at most five words of
# letters, then ":" or "=" and a space or the end of the line (so not "http://" or "09:30").
_LABEL_SHAPE = re.compile(
    r"^(?P<label>[^\W\d_]+(?:[ .,/&'’()-]+[^\W\d_]+){0,4}[.)]?)"
    r"[ \t*]*[:=：](?:\s|$)"
)

# A closing that ends the complaint text: the line starts with it and is short.
_CLOSING = re.compile(
    r"^\W*(?:terima\s*kasih|makasih|trims|matur\s+nuwun|hormat\s+(?:saya|kami)"
    r"|salam(?:\s+hormat)?|wassalam\w*|thanks|thank\s+you|many\s+thanks"
    r"|(?:best|kind|warm)?\s*regards|sincerely|yours\s+(?:sincerely|faithfully)|cheers)"
    r"\b.{0,40}$",
    re.IGNORECASE,
)
_CLOSING_MAX_CHARS = 60
# Where a signature or a client's footer starts.
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*$|_{3,}\s*$|-{3,}\s*$|(?:sent from|dikirim dari|get outlook for)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Extracted:
    values: dict[str, str]
    """Canonical key → the value as written (not normalized), for the fields given."""
    lines_used: int
    """How many non-blank lines were read as labels or values."""
    unknown_labels: tuple[str, ...]
    """Labels of "Label: value" lines that name no field, as written, for diagnostics."""


@dataclass(frozen=True)
class _LabelLine:
    field: FormulirField
    value: str


def extract_fields(text: str, fields: Sequence[FormulirField] = FIELDS) -> Extracted:
    """The form fields written in ``text`` (an e-mail body without its quotes)."""
    lines = text.splitlines()
    read = _lines_read(fields)
    labelled = []
    for line in lines:
        hit = read.get(line, _UNREAD)
        if hit is _UNREAD:
            hit = _label_line(line, fields)
            if len(line) <= _LINE_KEPT_CHARS:
                if len(read) >= _LINES_KEPT:
                    read.clear()
                read[line] = hit
        labelled.append(hit)
    found: dict[str, str] = {}
    used = 0
    i = 0
    while i < len(lines):
        hit = labelled[i]
        i += 1
        if hit is None:
            continue
        used += 1
        value = hit.value
        if hit.field.multiline:
            value, taken, i = _multiline_value(hit, lines, labelled, i)
            used += taken
        elif not value and i < len(lines) and _is_value_line(lines[i], labelled[i]):
            value = _clean_value(lines[i])
            used += 1
            i += 1
        if not found.get(hit.field.key):
            found[hit.field.key] = value
    values = {field.key: found[field.key] for field in fields if found.get(field.key)}
    unknown = _unknown_labels(lines, labelled)
    return Extracted(values=values, lines_used=used, unknown_labels=unknown)


def looks_like_form(text: str, fields: Sequence[FormulirField] = FIELDS) -> bool:
    """Whether ``text`` names at least `FORM_MIN_LABELS` different fields in label lines,
    filled or not."""
    keys = set()
    for line in text.splitlines():
        hit = _label_line(line, fields)
        if hit is not None:
            keys.add(hit.field.key)
            if len(keys) >= FORM_MIN_LABELS:
                return True
    return False


# --- One line ---------------------------------------------------------------------------------

# What the lines read lately were found to be (`_label_line` is pure, and what it gives is
# immutable), for the last fields they were read in: a form's greetings, blank lines and
# closings, and many of its answers (an agency, a category, "Perempuan"), are the same from
# one e-mail to the next. Kept by the fields' identity, as `ticketing.formulir.field_for_label`
# keeps its labels; at most this many lines of at most this many characters (some 2 MB).
_LINES_KEPT = 4096
_LINE_KEPT_CHARS = 256
_UNREAD: Any = object()
_last_read: tuple[Sequence[FormulirField] | None, dict[str, _LabelLine | None]] = (None, {})


def _lines_read(fields: Sequence[FormulirField]) -> dict[str, _LabelLine | None]:
    global _last_read
    known, read = _last_read  # one read: another thread may replace it meanwhile
    if known is not fields:
        read = {}
        _last_read = (fields, read)
    return read


def _label_line(line: str, fields: Sequence[FormulirField]) -> _LabelLine | None:
    """The field a line names and the value on it, or None for a line that is no label."""
    lead = _LEAD.match(line)
    body = line[lead.end() if lead else 0 :].strip().strip("|").strip()
    if not body:
        return None
    # The strong separators are tried in order as they are found: the first that follows
    # a label wins, and the rest of the line need not be looked at.
    cells: list[re.Match[str]] = []
    spaces: list[re.Match[str]] = []
    for match in _SEPARATOR.finditer(body):
        if match.start() > _MAX_LABEL_CHARS:
            break
        if match.start() > 0:
            kind = _kind(match)
            if kind == _STRONG:
                if found := _split(body, match, fields):
                    return found
            else:
                (cells if kind == _CELL else spaces).append(match)
    if len(body) <= _MAX_LABEL_CHARS and (field := field_for_label(body, fields)):
        return _LabelLine(field, "")
    for match in cells:
        if found := _split(body, match, fields):
            return found
    if any(ch in body for ch in ":=："):
        # A colon that follows no label makes this prose, not a "Label  value" row.
        return None
    # Labels hold spaces themselves ("Nama  Pelapor  Budi"): the longest label wins.
    for match in reversed(spaces):
        if found := _split(body, match, fields):
            return found
    return None


def _kind(separator: re.Match[str]) -> int:
    """Strong (it holds ":" or "="), a cell boundary (a tab or "|"), or spaces: which of
    `_SEPARATOR`'s alternatives matched, since only the first can hold a colon and only
    the first two a tab or a bar."""
    return (separator.lastindex or 1) - 1


def _split(body: str, match: re.Match[str], fields: Sequence[FormulirField]) -> _LabelLine | None:
    field = field_for_label(body[: match.start()], fields)
    if field is None:
        return None
    return _LabelLine(field, _clean_value(body[match.end() :]))


def _clean_value(raw: str) -> str:
    """The value without the table border, emphasis marks and surrounding spaces."""
    return _EMPHASIS.sub("", raw.strip().strip("|").strip())


def _unknown_label(line: str) -> str | None:
    lead = _LEAD.match(line)
    match = _LABEL_SHAPE.match(line[lead.end() if lead else 0 :].strip().strip("*"))
    return match.group("label").strip("*").strip() if match else None


def _is_closing(line: str) -> bool:
    return len(line.strip()) <= _CLOSING_MAX_CHARS and bool(_CLOSING.match(line.strip()))


def _is_value_line(line: str, labelled: _LabelLine | None) -> bool:
    """Whether the line after an empty label is that label's value."""
    return (
        labelled is None
        and bool(line.strip())
        and _unknown_label(line) is None
        and not _is_closing(line)
        and not _SIGNATURE.match(line)
    )


# --- Isi Aduan ------------------------------------------------------------------------------


def _multiline_value(
    hit: _LabelLine, lines: list[str], labelled: list[_LabelLine | None], start: int
) -> tuple[str, int, int]:
    """The complaint text from its label line on: (value, lines taken, next index)."""
    following: list[str] = []
    headed: set[int] = set()  # lines that name the complaint field again
    i = start
    while i < len(lines):
        line = lines[i]
        has_text = bool(hit.value) or any(part.strip() for part in following)
        other = labelled[i]
        if other is not None and (other.field.key != hit.field.key or not has_text):
            break
        if _SIGNATURE.match(line) or (has_text and _is_closing(line)):
            break
        if other is not None:
            headed.add(len(following))
        following.append(line.rstrip())
        i += 1
    body = _dedent(following, headed)
    while body and not body[-1]:
        body.pop()
    text = "\n".join([hit.value, *body]) if hit.value else "\n".join(body)
    value = text.strip()
    return value, sum(1 for line in following if line.strip()), i


def _dedent(lines: list[str], headed: set[int]) -> list[str]:
    """The lines without their common indentation; lines in ``headed`` lose all of theirs
    and do not count towards the common one."""
    indents = [
        line[: len(line) - len(line.lstrip())]
        for n, line in enumerate(lines)
        if n not in headed and line.strip()
    ]
    margin = os.path.commonprefix(indents) if indents else ""
    return [
        line.lstrip() if n in headed else line.removeprefix(margin) if line.strip() else ""
        for n, line in enumerate(lines)
    ]


def _unknown_labels(lines: list[str], labelled: list[_LabelLine | None]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for line, hit in zip(lines, labelled, strict=True):
        if hit is None and (label := _unknown_label(line)):
            seen.setdefault(label.casefold(), label)
    return tuple(seen.values())
