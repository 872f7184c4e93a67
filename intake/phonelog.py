"""Phone-log CSV files → rows of the Formulir: bytes in, values out, no file system.

A help-desk officer keeps a log of the calls taken, in Excel or LibreOffice, and saves it
as CSV into the drop folder. Such files come in every shape those programs produce:

- UTF-8 with or without a byte-order mark; UTF-16 ("Unicode text", tab-separated); a
  legacy single-byte encoding (Windows-1252, else Latin-1) when the bytes are not UTF-8;
- ``;`` (Excel with Indonesian regional settings), ``,`` or tab as the separator, found
  from the header line, or named by Excel's ``sep=;`` first line;
- Windows line ends, quoted cells with line breaks in them (a long *Isi Aduan*);
- a title line or two above the header.

The header names each column the way people write the form's labels, in any case and with
any of their aliases (`field_for_label`), plus two columns of the phone log itself: when
the call came (`CALL_TIME_HEADERS`) and the officer who took it (`OFFICER_HEADERS`).
Several call-time columns ("Tanggal" and "Jam") are read together.

Rows are numbered as the spreadsheet shows them: the header is row N when N-1 lines stand
above it, and the first row below it is N+1; every line counts, blank ones included, a
cell with line breaks is still one row, and Excel's ``sep=`` line is none.

Whether a row is a complete Formulir is not decided here (see `check_formulir`); neither is
who the officer is. `read_phone_log` returns a rejection (`Unreadable`) for a file that
cannot be read at all, and never raises on any bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ticketing.formulir import FIELDS, FormulirField, field_for_label

DELIMITERS = ("\t", ";", ",")
HEADER_SEARCH_ROWS = 10
"""The header may stand below a title: it is looked for in this many first rows."""
MIN_HEADER_COLUMNS = 3
"""A header names at least this many known columns; fewer, and the file is not a phone log."""

CALL_TIME = "call_time"
OFFICER = "officer"

# Header spellings of the phone log's own columns, as `_header_key` gives them.
CALL_TIME_HEADERS = frozenset(
    {
        "waktu", "tanggal", "tgl", "jam", "pukul", "haritanggal", "hari", "tanggaljam",
        "tanggalwaktu", "tanggaldanjam", "waktutelepon", "waktutelpon", "tanggaltelepon",
        "tanggaltelpon", "jamtelepon", "jamtelpon", "waktupanggilan", "waktuditerima",
        "tanggalditerima", "waktupengaduan", "tanggalpengaduan", "tanggalmasuk", "waktumasuk",
        "diterima", "diterimapada", "stempelwaktu", "calltime", "callreceived", "received",
        "receivedat", "receivedon", "date", "time", "datetime", "dateandtime", "timestamp",
    }
)  # fmt: skip
OFFICER_HEADERS = frozenset(
    {
        "petugas", "petugaspenerima", "penerima", "petugashelpdesk", "petugaspencatat",
        "pencatat", "dicatatoleh", "diterimaoleh", "operator", "officer", "receivedby",
        "takenby", "helpdeskofficer", "staff",
    }
)  # fmt: skip
# Columns a spreadsheet has for itself: a running number, the complaint number the system
# assigns. They are skipped without remark.
SILENT_HEADERS = frozenset({"", "no", "nourut", "nomorurut", "nomor", "nomorpengaduan", "tiket"})

_ENUMERATION = re.compile(r"^\s*(?:\d{1,2}|[a-j])\s*[.)]\s+", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)  # ="0812..." keeps Excel from eating the 0


@dataclass(frozen=True)
class Note:
    """A remark about a file or a row, in Bahasa Indonesia and in English."""

    message_id: str
    message_en: str

    def text(self, language: str) -> str:
        return self.message_id if language == "id" else self.message_en


class Row(NamedTuple):
    """One call: the form's values by canonical key, the call-time and officer cells."""

    number: int
    values: dict[str, str]
    call_time: str
    officer: str


@dataclass(frozen=True)
class PhoneLog:
    rows: tuple[Row, ...]
    """The rows below the header that have anything in them, in file order."""
    header_row: int
    columns: tuple[str, ...]
    """What each header column was read as: a field key, CALL_TIME, OFFICER, or ""."""
    encoding: str
    delimiter: str
    problems: tuple[Note, ...]
    """About the file as a whole: unknown, missing or repeated columns. The rows are
    read all the same."""
    overfull: frozenset[int] = frozenset()
    """Rows with filled cells beyond the header's columns: a separator inside an unquoted
    value has likely shifted them, so their values cannot be trusted."""


@dataclass(frozen=True)
class Unreadable:
    """Why the file cannot be read as a phone log at all."""

    reason: Note


# --- Reading ---------------------------------------------------------------------------------


def read_phone_log(data: bytes, fields: Sequence[FormulirField] = FIELDS) -> PhoneLog | Unreadable:
    """The rows of a phone-log CSV file, or why it cannot be read."""
    decoded = decode(data)
    if isinstance(decoded, Unreadable):
        return decoded
    text, encoding = decoded
    forced, text = _sep_line(text)
    try:
        found = _find_header(text, fields, (forced,) if forced else DELIMITERS)
        if found is None:
            return _no_header(text, fields)
        delimiter, header_index, header = found
        columns = tuple(_column(cell, fields) or "" for cell in header)
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        rows, overfull = _rows(records, header_index, columns)
    except csv.Error as exc:
        return Unreadable(
            Note(
                f"berkas CSV rusak: {exc}.",
                f"the CSV file is damaged: {exc}.",
            )
        )
    return PhoneLog(
        rows=tuple(rows),
        header_row=header_index + 1,
        columns=columns,
        encoding=encoding,
        delimiter=delimiter,
        problems=tuple(_header_problems(header, columns, fields)),
        overfull=frozenset(overfull),
    )


def decode(data: bytes) -> tuple[str, str] | Unreadable:
    """The text of the file and the encoding it was read with, or why it is not text."""
    if not data.strip(b" \t\r\n\x00\x1a\xef\xbb\xbf\xff\xfe"):
        return Unreadable(Note("berkas kosong.", "the file is empty."))
    if kind := _binary_kind(data):
        return Unreadable(
            Note(
                f"berkas ini {kind[0]}, bukan CSV; simpan sebagai CSV lalu taruh lagi.",
                f"this file is {kind[1]}, not CSV; save it as CSV and drop it again.",
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    elif (utf16 := _utf16_without_bom(data)) is not None:
        text, encoding = data.decode(utf16, errors="replace"), utf16
    else:
        text, encoding = _single_or_utf8(data)
    text = text.removeprefix("\ufeff").rstrip("\x1a")  # a DOS end-of-file mark
    if not _looks_like_text(text):
        return Unreadable(
            Note(
                "berkas ini bukan teks (berkas biner?); simpan log telepon sebagai CSV.",
                "this file is not text (a binary file?); save the phone log as CSV.",
            )
        )
    return text, encoding


def _binary_kind(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"PK\x03\x04"):
        return "buku kerja Excel (.xlsx) atau ZIP", "an Excel workbook (.xlsx) or a ZIP archive"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "buku kerja Excel lama (.xls)", "an old Excel workbook (.xls)"
    if data.startswith(b"%PDF"):
        return "PDF", "a PDF document"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a byte-order mark: ASCII text with a NUL beside every byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _single_or_utf8(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) other than tab,
# line feed, form feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _looks_like_text(text: str) -> bool:
    """No NUL, and control characters (other than tab and line ends) are rare."""
    if "\x00" in text:
        return False
    limit = max(2, len(text) // 200)
    controls = 0
    for _ in _CONTROL.finditer(text):
        controls += 1
        if controls > limit:
            return False
    return True


def _sep_line(text: str) -> tuple[str | None, str]:
    """Excel's ``sep=;`` first line: the separator it names, and the text after it."""
    first, newline, rest = text.partition("\n")
    match = _SEP_LINE.match(first)
    if match and newline:
        return match.group(1), rest
    return None, text


def _find_header(
    text: str, fields: Sequence[FormulirField], delimiters: Sequence[str]
) -> tuple[str, int, list[str]] | None:
    """The separator and the header row: the one among the first rows that names the most
    known columns, for the separator under which it names the most."""
    best: tuple[int, int, int] | None = None  # (known columns, -row index, delimiter index)
    found: tuple[str, int, list[str]] | None = None
    for d_index, delimiter in enumerate(delimiters):
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        for index, record in enumerate(itertools.islice(records, HEADER_SEARCH_ROWS)):
            known = len({c for cell in record if (c := _column(cell, fields))})
            if known < MIN_HEADER_COLUMNS:
                continue
            score = (known, -index, -d_index)
            if best is None or score > best:
                best, found = score, (delimiter, index, record)
    return found


def _no_header(text: str, fields: Sequence[FormulirField]) -> Unreadable:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    shown = first if len(first) <= 80 else first[:79] + "…"
    expected = ", ".join(f.label for f in fields[:3])
    return Unreadable(
        Note(
            f"judul kolom tidak dikenali (baris pertama: {shown!r}); baris judul harus memuat "
            f"label formulir seperti {expected}, serta Waktu dan Petugas.",
            f"no header recognised (first line: {shown!r}); the header row must name the "
            f"form's labels such as {expected}, and Waktu (call time) and Petugas (officer).",
        )
    )


def _header_key(text: str) -> str:
    text = _ENUMERATION.sub("", text.strip().lstrip("\ufeff"))
    text = _PARENTHETICAL.sub(" ", text)
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _column(header: str, fields: Sequence[FormulirField]) -> str | None:
    """What a header cell names: a field's key, CALL_TIME, OFFICER, or None."""
    key = _header_key(header)
    if key in CALL_TIME_HEADERS:
        return CALL_TIME
    if key in OFFICER_HEADERS:
        return OFFICER
    if key in SILENT_HEADERS:
        return None
    field = field_for_label(header.strip().lstrip("\ufeff"), fields)
    return field.key if field is not None else None


def _rows(
    records: Iterator[list[str]], header_index: int, columns: tuple[str, ...]
) -> tuple[list[Row], list[int]]:
    rows: list[Row] = []
    overfull: list[int] = []
    field_keys = [c for c in dict.fromkeys(columns) if c and c not in (CALL_TIME, OFFICER)]
    for index, record in enumerate(records):
        if index <= header_index:
            continue
        cells = [_cell(value) for value in record]
        if not any(cells):
            continue
        number = index + 1
        if any(cells[len(columns) :]):
            overfull.append(number)
        values = dict.fromkeys(field_keys, "")
        times: list[str] = []
        officer = ""
        for column, value in zip(columns, cells, strict=False):
            if not column or not value:
                continue
            if column == CALL_TIME:
                times.append(value)
            elif column == OFFICER:
                officer = officer or value
            elif not values[column]:  # a repeated column: the first filled one counts
                values[column] = value
        rows.append(Row(number, values, " ".join(times), officer))
    return rows, overfull


def _cell(value: str) -> str:
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    if value.startswith('="') and (match := _EXCEL_TEXT.match(value)):
        value = match.group(1).strip()
    return value


def _header_problems(
    header: Sequence[str], columns: Sequence[str], fields: Sequence[FormulirField]
) -> list[Note]:
    problems: list[Note] = []
    unknown = [
        cell.strip()
        for cell, column in zip(header, columns, strict=True)
        if not column and _header_key(cell) not in SILENT_HEADERS
    ]
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        problems.append(
            Note(
                f"kolom tidak dikenal (diabaikan): {names}.",
                f"unknown columns (ignored): {names}.",
            )
        )
    labels = {f.key: f.label for f in fields} | {CALL_TIME: "Waktu", OFFICER: "Petugas"}
    missing = [f.label for f in fields if f.key not in columns]
    if OFFICER not in columns:
        missing.append(labels[OFFICER])
    if missing:
        names = ", ".join(missing)
        problems.append(
            Note(
                f"tidak ada kolom untuk: {names}; setiap baris menjadi tidak lengkap.",
                f"no column for: {names}; every row is incomplete.",
            )
        )
    seen: dict[str, str] = {}
    for cell, column in zip(header, columns, strict=True):
        if not column or column == CALL_TIME:  # call-time columns are read together
            continue
        if column in seen:
            label = labels[column]
            problems.append(
                Note(
                    f"kolom {cell.strip()!r} mengulang {label} (kolom {seen[column]!r}); "
                    "isian pertama yang terisi yang dipakai.",
                    f"column {cell.strip()!r} repeats {label} (column {seen[column]!r}); "
                    "the first filled one is used.",
                )
            )
        else:
            seen[column] = cell.strip()
    return problems


# --- Call times ------------------------------------------------------------------------------

_MONTHS = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "pebruari": 2, "february": 2,
    "feb": 2, "peb": 2, "maret": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5,
    "may": 5, "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "agustus": 8,
    "august": 8, "agu": 8, "agt": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11, "nopember": 11,
    "nov": 11, "nop": 11, "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
_FILLER_WORDS = frozenset(
    {
        "senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "pukul", "pkl", "jam", "at", "t",
        "tanggal", "tgl",
    }
)  # fmt: skip
_ZONES = {"wib": 7, "wita": 8, "wit": 9}
_YMD = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_D_MONTH_Y = re.compile(r"(?<![\w])(\d{1,2})[\s./-]*([a-z]+)\.?[\s./-]*(\d{4})(?!\d)")
_CLOCK = re.compile(
    r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?(?![\d])"
    r"\s*(a\.?m\.?|p\.?m\.?)?(?![a-z])"
)
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2}):?(\d{2})?(?!\d)")


# A log's calls share their moments (a busy minute, a day written without a time): each
# way of writing one is read once.
@functools.lru_cache(maxsize=16384)
def parse_call_time(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    """When a call came, as officers write it, in UTC; None when it cannot be understood.

    Accepted: ISO 8601 (``2026-11-30T09:15+07:00``, ``2026-11-30 09:15``), day first
    (``30/11/2026 09.15``, ``30-11-2026 9:15``, ``30.11.26``), month names in Bahasa
    Indonesia or English (``Senin, 30 November 2026 pukul 09.15 WIB``), 12-hour clocks
    (``9:15 AM``), and a date alone (midnight). Month first only where day first is
    impossible (``11/30/2026``). Without an offset or zone label the time is in ``tz``.
    """
    text = " ".join(text.split())
    if not text:
        return None
    value: dt.datetime | None
    if plain := _DAY_FIRST_CLOCK.fullmatch(text):
        value = _day_first(plain, tz)
    else:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            value = _parse_loose(text.casefold(), tz)
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


# The way a phone log mostly writes a call, day first with a clock and nothing else
# ("30/11/2026 09.15", "1-2-2026 9:05"): read as `_parse_loose` reads it, without its
# searches. (Not a form `fromisoformat` takes: its dates start with the year.)
_DAY_FIRST_CLOCK = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}) (\d{1,2})[:.](\d{2})")


def _day_first(match: re.Match[str], tz: dt.tzinfo) -> dt.datetime | None:
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    day, month = (second, first) if second > 12 and first <= 12 else (first, second)
    try:
        return dt.datetime(year, month, day, int(match.group(5)), int(match.group(6)), tzinfo=tz)
    except ValueError:
        return None


def _parse_loose(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    found = _find_date(text)
    if found is None:
        return None
    date, rest = found
    hour = minute = second = 0
    if clock := _CLOCK.search(rest):
        hour, minute = int(clock.group(1)), int(clock.group(2))
        second = int(clock.group(3) or 0)
        if meridiem := clock.group(4):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
        rest = rest[: clock.start()] + " " + rest[clock.end() :]
    zone: dt.tzinfo = tz
    if offset := _OFFSET.search(rest):
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14 or minutes > 59:
            return None
        delta = dt.timedelta(hours=hours, minutes=minutes)
        zone = dt.timezone(-delta if offset.group(1) == "-" else delta)
        rest = rest[: offset.start()] + " " + rest[offset.end() :]
    words = re.findall(r"[a-z']+|\d+", rest)
    for word in words:
        if word in _ZONES:
            zone = dt.timezone(dt.timedelta(hours=_ZONES[word]))
        elif word not in _FILLER_WORDS:
            return None
    try:
        return dt.datetime.combine(date, dt.time(hour, minute, second), tzinfo=zone)
    except ValueError:
        return None


def _find_date(text: str) -> tuple[dt.date, str] | None:
    """The date in the text and the text without it."""
    for pattern in (_YMD, _DMY, _D_MONTH_Y):
        match = pattern.search(text)
        if match is None:
            continue
        if pattern is _YMD:
            year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        elif pattern is _DMY:
            first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
            day, month = (second, first) if second > 12 and first <= 12 else (first, second)
            if len(match.group(4)) == 2:
                year += 2000
        else:
            month_number = _MONTHS.get(match.group(2))
            if month_number is None:
                continue
            day, month, year = int(match.group(1)), month_number, int(match.group(3))
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        return date, text[: match.start()] + " " + text[match.end() :]
    return None
