"""The new text of a reply: what its writer typed, without the mail it answers.

Mail clients quote in a few ways, and Indonesian ones in Indonesian:

- our own marker line (``REPLY_MARKER``) heads every e-mail we send: a reply's text ends
  above its copy, quoted with ``>`` or not;
- Gmail, Apple Mail, Thunderbird, Yahoo: an attribution line (``Pada ... menulis:``,
  ``On ... wrote:``, ``Le ... a écrit :``, ``Am ... schrieb ...:``, sometimes wrapped over
  two lines) above ``>`` lines; the answer may also stand below or between the quotes;
- Outlook: ``-----Pesan Asli-----`` / ``-----Original Message-----``, or a header block
  (``Dari:``/``From:``, ``Dikirim:``/``Sent:``, ``Kepada:``/``To:``, ``Subjek:``/
  ``Subject:``), often after a line of underscores, with the whole original below.

Everything from a marker, a separator or a header block on is cut; ``>`` lines and their
attribution are removed wherever they stand. A forwarded message is content, not a quote:
a header block right under "Forwarded message" / "Pesan terusan" stays. A bare Outlook
forward ("From:/Sent:/To:/Subject:" after underscores) looks exactly like an Outlook
reply, so a caller that knows a message is a forward should not strip it.
"""

from __future__ import annotations

import re

from ticketing.conversation import REPLY_MARKER_PATTERN

_LINES = re.compile(r"\r\n|\r|\n")
_QUOTED = re.compile(r"^[ \t]*>")
_SEPARATOR = re.compile(
    r"^[ \t]*-{2,}[ \t]*(pesan asli|original message|ursprüngliche nachricht|"
    r"message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|"
    r"mensagem original)[ \t]*-{2,}[ \t]*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^[ \t]*(-{2,}[ \t]*(forwarded message|pesan terusan|pesan yang diteruskan|"
    r"weitergeleitete nachricht|message transféré|mensaje reenviado)[ \t]*-{2,}|"
    r"begin forwarded message:|mulai pesan yang diteruskan:|awal pesan yang diteruskan:)",
    re.IGNORECASE,
)
_FIELD = r"[ \t]*\*?({names})\*?[ \t]*:"
_HEADER_FROM = re.compile(_FIELD.format(names="dari|from|von|de") + r"[ \t*]*\S", re.I)
# "Sent" is Outlook's alone; "Date"/"Tanggal" also head an official memo (nota dinas),
# so with those the From line must hold an address before the block counts.
_HEADER_SENT = re.compile(
    _FIELD.format(names="dikirim|terkirim|sent|gesendet|envoyé|enviado|inviato"), re.I
)
_HEADER_DATE = re.compile(_FIELD.format(names="tanggal|date|datum|waktu|data|fecha"), re.I)
_HEADER_TO = re.compile(
    _FIELD.format(names="kepada|to|cc|subjek|subject|perihal|hal|an|betreff|objet|à|para|asunto"),
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^[ \t]*_{5,}[ \t]*$")
_ATTRIBUTION_END = re.compile(
    r"(menulis|wrote|a écrit|schrieb|escribió|ha scritto|написал|написала|schreef|skrev|"
    r"napisał|escreveu)\b[^\n]{0,120}?:[ \t]*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^[ \t]*(pada|pd|on|le|am|el|il|op|den|em|w dniu)\b", re.I)
_DATE_OR_ADDRESS = re.compile(r"@|\d{1,2}[:.]\d{2}|\d{4}")
_HEADER_WINDOW = 6


def strip_quotes(text: str) -> str:
    """The reply's own text; ``text`` unchanged when nothing in it is quoted."""
    while True:
        stripped = _strip_once(text)
        if stripped is None:
            return text
        text = stripped


def _strip_once(text: str) -> str | None:
    """One pass of cutting and removing; None when it finds nothing to take out."""
    lines = _LINES.split(text)
    cut = _cut_index(lines)
    keep = lines if cut is None else lines[:cut]
    drop: set[int] = set()
    if cut is not None:
        above = _previous_filled(keep, len(keep))
        drop |= _attribution_at(keep, above)
    for index, line in enumerate(keep):
        if _QUOTED.match(line):
            drop.add(index)
            if index == 0 or not _QUOTED.match(keep[index - 1]):
                drop |= _attribution_at(keep, _previous_filled(keep, index))
    if cut is None and not drop:
        return None
    result = "\n".join(line for index, line in enumerate(keep) if index not in drop)
    result = re.sub(r"\n(?:[ \t]*\n){3,}", "\n\n\n", result)  # at most two blank lines
    return re.sub(r"^(?:[ \t]*\n)+", "", result).rstrip()


def _cut_index(lines: list[str]) -> int | None:
    """Where the quoted original begins: our marker, a reply separator or a header block."""
    for index, line in enumerate(lines):
        if REPLY_MARKER_PATTERN.search(line) or _SEPARATOR.match(line):
            return _with_rule_above(lines, index)
        if _HEADER_FROM.match(line) and _is_header_block(lines, index):
            return _with_rule_above(lines, index)
    return None


def _with_rule_above(lines: list[str], index: int) -> int:
    """The cut moved up over a line of underscores that Outlook draws above its block."""
    above = _previous_filled(lines, index)
    return above if above >= 0 and _UNDERSCORES.match(lines[above]) else index


def _is_header_block(lines: list[str], start: int) -> bool:
    """A From line followed closely by a Sent/Date line and a To/Subject line, and not the
    head of a forwarded message."""
    window = lines[start + 1 : start + 1 + _HEADER_WINDOW]
    sent = any(_HEADER_SENT.match(line) for line in window)
    dated = any(_HEADER_DATE.match(line) for line in window) and "@" in " ".join(
        lines[start : start + 2]
    )
    addressed = any(_HEADER_TO.match(line) for line in window)
    if not ((sent or dated) and addressed):
        return False
    above = lines[max(0, start - 3) : start]
    return not any(_FORWARD.match(line) for line in above)


def _previous_filled(lines: list[str], index: int) -> int:
    """The last non-blank line before ``index``, or -1."""
    index -= 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    return index


def _attribution_at(lines: list[str], index: int) -> set[int]:
    """The attribution line ending at ``index`` (with the line before it when it wraps),
    or nothing."""
    if index < 0 or _QUOTED.match(lines[index]) or not _ATTRIBUTION_END.search(lines[index]):
        return set()
    found = {index}
    if not _ATTRIBUTION_START.match(lines[index]) and index > 0:
        before = lines[index - 1]
        if before.strip() and not _QUOTED.match(before):
            if _ATTRIBUTION_START.match(before) or _DATE_OR_ADDRESS.search(before):
                found.add(index - 1)
    return found
