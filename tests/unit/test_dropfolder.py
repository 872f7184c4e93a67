"""Reading phone-log CSV files: bytes in, rows out."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.phonelog import (
    PhoneLog,
    Row,
    Unreadable,
    decode,
    parse_call_time,
    read_phone_log,
)

JAKARTA = ZoneInfo("Asia/Jakarta")

HEADER = [
    "Nama OPD",
    "Bidang/UPT/Balai",
    "Nama Pelapor",
    "Jabatan",
    "Nomor Telepon / HandPhone",
    "Alamat e-Mail",
    "Jenis Kelamin",
    "Status Kepegawaian",
    "Jenis Aduan",
    "Isi Aduan",
    "Waktu",
    "Petugas",
]
ROW = [
    "Dinas Kesehatan",
    "Bidang Pelayanan",
    "Budi Santoso",
    "Staf",
    "0812-3456-7890",
    "budi@dinkes.example.go.id",
    "L",
    "PNS",
    "Jaringan",
    "Internet mati sejak pagi",
    "30/11/2026 09.15",
    "sari",
]
VALUES = {
    "agency": "Dinas Kesehatan",
    "division": "Bidang Pelayanan",
    "reporter_name": "Budi Santoso",
    "position": "Staf",
    "phone": "0812-3456-7890",
    "email": "budi@dinkes.example.go.id",
    "sex": "L",
    "employment_status": "PNS",
    "category": "Jaringan",
    "description": "Internet mati sejak pagi",
}


def csv_text(*rows: list[str], sep: str = ";", end: str = "\r\n") -> str:
    return end.join(sep.join(row) for row in rows) + end


def read(data: bytes) -> PhoneLog:
    result = read_phone_log(data)
    assert isinstance(result, PhoneLog), result
    return result


def at(text: str) -> dt.datetime | None:
    return parse_call_time(text, JAKARTA)


# --- encodings, separators, line ends ---------------------------------------------------------


def test_reads_excel_semicolon_csv_with_crlf() -> None:
    """Excel's CSV with Indonesian settings (`;`, CRLF) gives the form's values by key."""
    log = read(csv_text(HEADER, ROW).encode("utf-8"))
    assert log.delimiter == ";"
    assert log.rows == (Row(2, VALUES, "30/11/2026 09.15", "sari"),)
    assert log.problems == ()


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separator_is_sniffed_from_the_header(sep: str) -> None:
    """Comma, semicolon and tab separators are all found from the header line."""
    row = [cell.replace("Dinas Kesehatan", "Dinkes") for cell in ROW]
    log = read(csv_text(HEADER, row, sep=sep, end="\n").encode("utf-8"))
    assert log.delimiter == sep
    assert log.rows[0].values["agency"] == "Dinkes"


def test_utf8_bom_is_dropped_from_the_first_header() -> None:
    """A UTF-8 byte-order mark does not hide the first column's label."""
    log = read(b"\xef\xbb\xbf" + csv_text(HEADER, ROW).encode("utf-8"))
    assert log.encoding == "utf-8-sig"
    assert log.columns[0] == "agency"
    assert log.rows[0].values["agency"] == "Dinas Kesehatan"


def test_utf16_unicode_text_from_excel() -> None:
    """Excel's "Unicode text" (UTF-16 with BOM, tab-separated) is read."""
    row = [*ROW[:2], "Siti Nurhaliza Ñ", *ROW[3:]]
    data = csv_text(HEADER, row, sep="\t").encode("utf-16")
    log = read(data)
    assert log.encoding == "utf-16"
    assert log.delimiter == "\t"
    assert log.rows[0].values["reporter_name"] == "Siti Nurhaliza Ñ"


def test_utf16_without_bom_is_recognised() -> None:
    """UTF-16 little-endian without a byte-order mark is still read as text."""
    log = read(csv_text(HEADER, ROW, sep="\t").encode("utf-16-le"))
    assert log.encoding == "utf-16-le"
    assert log.rows[0].values == VALUES


def test_legacy_single_byte_encoding_when_not_utf8() -> None:
    """Bytes that are not UTF-8 are read as Windows-1252 (the curly quote, the é)."""
    row = [*ROW[:9], "Printer rusak \u201cpaper jam\u201d di ruang André", *ROW[10:]]
    log = read(csv_text(HEADER, row).encode("cp1252"))
    assert log.encoding == "cp1252"
    assert log.rows[0].values["description"] == "Printer rusak \u201cpaper jam\u201d di ruang André"


def test_latin1_when_not_even_windows_1252() -> None:
    """A byte that Windows-1252 leaves undefined falls back to Latin-1, never an error."""
    data = csv_text(HEADER, ROW).encode("utf-8").replace(b"Staf", b"Staf\x81")
    log = read(data)
    assert log.encoding == "latin-1"
    assert log.rows[0].values["position"] == "Staf\x81"


def test_quoted_isi_aduan_with_line_breaks_is_one_row() -> None:
    """A quoted cell with CRLF line breaks stays one row; the next row keeps its number."""
    first = [*ROW[:9], '"Internet mati.\r\nSudah restart router;\r\nmasih mati."', *ROW[10:]]
    second = [*ROW[:2], "Ani", *ROW[3:]]
    log = read(csv_text(HEADER, first, second).encode("utf-8"))
    assert [row.number for row in log.rows] == [2, 3]
    assert log.rows[0].values["description"] == "Internet mati.\nSudah restart router;\nmasih mati."
    assert log.rows[1].values["reporter_name"] == "Ani"


def test_excel_sep_line_names_the_separator() -> None:
    """Excel's `sep=,` first line sets the separator and is not a row."""
    log = read(("sep=,\r\n" + csv_text(HEADER, ROW, sep=",")).encode("utf-8"))
    assert log.delimiter == ","
    assert log.rows[0].number == 2


# --- headers --------------------------------------------------------------------------------


def test_labels_and_aliases_in_any_case() -> None:
    """Headers are the form's labels or their aliases, in any case and spacing."""
    header = [
        "OPD",
        "BIDANG",
        "nama",
        "Posisi",
        "No. HP",
        "E-MAIL",
        "jenis kelamin (L/P)",
        "status",
        "KATEGORI",
        "keluhan",
        "Tanggal/Jam",
        "Petugas Penerima",
    ]
    log = read(csv_text(header, ROW).encode("utf-8"))
    assert log.rows[0].values == VALUES
    assert log.rows[0].call_time == "30/11/2026 09.15"
    assert log.rows[0].officer == "sari"
    assert log.problems == ()


@pytest.mark.parametrize(
    "header", ["Waktu", "Tanggal", "Waktu Telepon", "Tanggal/Jam", "Call time", "Received"]
)
def test_call_time_headers(header: str) -> None:
    """Each of the usual call-time headers names the call-time column."""
    log = read(csv_text([*HEADER[:10], header, "Officer"], ROW).encode("utf-8"))
    assert log.rows[0].call_time == "30/11/2026 09.15"
    assert log.rows[0].officer == "sari"


def test_separate_date_and_clock_columns_are_read_together() -> None:
    """ "Tanggal" and "Jam" in two columns make one call time."""
    header = [*HEADER[:10], "Tanggal", "Jam", "Petugas"]
    row = [*ROW[:10], "30/11/2026", "09.15", "sari"]
    log = read(csv_text(header, row).encode("utf-8"))
    assert log.rows[0].call_time == "30/11/2026 09.15"
    assert at(log.rows[0].call_time) == dt.datetime(2026, 11, 30, 2, 15, tzinfo=dt.UTC)


def test_unknown_columns_are_named_and_ignored() -> None:
    """A column the form does not know is named in the file's problems; the rows are read."""
    header = ["No", *HEADER, "Catatan Internal"]
    row = ["1", *ROW, "ditelepon ulang"]
    log = read(csv_text(header, row).encode("utf-8"))
    assert log.rows[0].values == VALUES
    [problem] = log.problems
    assert "'Catatan Internal'" in problem.message_id
    assert "unknown columns" in problem.message_en
    assert "'No'" not in problem.message_en  # a running number is expected


def test_missing_columns_are_a_file_problem() -> None:
    """A header without some of the form's columns says which; rows are still returned."""
    log = read(csv_text(HEADER[:8], ROW[:8]).encode("utf-8"))
    assert len(log.rows) == 1
    [problem] = log.problems
    assert "Jenis Aduan, Isi Aduan, Petugas" in problem.message_id
    assert "category" not in log.rows[0].values


def test_title_lines_above_the_header_count_as_rows() -> None:
    """A title above the header is skipped; row numbers follow the spreadsheet's."""
    text = "Log Telepon Help Desk;;\r\nNovember 2026;;\r\n\r\n" + csv_text(HEADER, ROW)
    log = read(text.encode("utf-8"))
    assert log.header_row == 4
    assert log.rows[0].number == 5


def test_blank_rows_are_skipped_but_counted() -> None:
    """Empty rows (`;;;;`) are no calls, yet the rows after them keep Excel's numbers."""
    blank = [""] * len(HEADER)
    log = read(csv_text(HEADER, blank, ROW, blank).encode("utf-8"))
    assert [row.number for row in log.rows] == [3]


def test_excel_text_formula_keeps_the_leading_zero() -> None:
    """`="0812..."`, Excel's way to keep a phone number as text, gives the number."""
    row = [*ROW[:4], '"=""0812-3456-7890"""', *ROW[5:]]
    log = read(csv_text(HEADER, row).encode("utf-8"))
    assert log.rows[0].values["phone"] == "0812-3456-7890"


def test_row_with_more_cells_than_the_header_is_flagged() -> None:
    """A row with filled cells beyond the header (an unquoted `;`) is marked overfull."""
    row = [*ROW[:9], "Internet mati; router juga", *ROW[10:]]
    log = read(csv_text(HEADER, row).encode("utf-8"))
    assert log.overfull == frozenset({2})


# --- files that are not phone logs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"", "empty"),
        (b"\r\n \r\n", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Excel"),
        (bytes(range(256)) * 4, "not text"),
        (b"Tanggal;Barang;Jumlah\r\n30/11/2026;Kertas;5\r\n", "no header recognised"),
    ],
)
def test_unreadable_files_say_why(data: bytes, word: str) -> None:
    """A file that is empty, binary, a workbook or not a phone log is rejected with a reason."""
    result = read_phone_log(data)
    assert isinstance(result, Unreadable)
    assert word in result.reason.message_en
    assert result.reason.message_id


def test_no_header_reason_quotes_the_first_line() -> None:
    """The reason for an unrecognised header shows the line that was taken for it."""
    result = read_phone_log(b"Tanggal;Barang;Jumlah\r\n")
    assert isinstance(result, Unreadable)
    assert "'Tanggal;Barang;Jumlah'" in result.reason.message_id


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_reading_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    """Any bytes give a phone log or a reason, never an exception."""
    assert isinstance(read_phone_log(data), PhoneLog | Unreadable)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*HEADER, *ROW, ";", ",", "\t", '"', "\r\n", "\n"]), max_size=60))
def test_reading_never_raises_on_csv_like_text(parts: list[str]) -> None:
    """Shuffled labels, values, separators, quotes and line ends never raise either."""
    data = "".join(parts).encode("utf-8")
    assert isinstance(read_phone_log(data), PhoneLog | Unreadable)


def test_decode_prefers_utf8() -> None:
    """Valid UTF-8 is read as UTF-8, not as a single-byte encoding."""
    assert decode("Nama;Pelapor é\n".encode()) == ("Nama;Pelapor é\n", "utf-8")


# --- call times ------------------------------------------------------------------------------

NINE_FIFTEEN = dt.datetime(2026, 11, 30, 2, 15, tzinfo=dt.UTC)  # 09.15 WIB


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-30 09:15",
        "2026-11-30T09:15:00+07:00",
        "2026-11-30T02:15Z",
        "30/11/2026 09.15",
        "30/11/2026 09:15:00",
        "30-11-2026 9:15",
        "30.11.2026 09.15",
        "30/11/26 09.15",
        "Senin, 30 November 2026 pukul 09.15 WIB",
        "30 Nov 2026 9:15",
        "30-Nov-2026 09:15",
        "11/30/2026 9:15 AM",
        "30/11/2026 10.15 WITA",
        "  30/11/2026   09.15  ",
    ],
)
def test_call_time_formats(text: str) -> None:
    """The ways officers write a call time all give 09.15 WIB on 30 November 2026."""
    assert at(text) == NINE_FIFTEEN


def test_date_only_is_midnight_in_the_office_zone() -> None:
    """A date alone is the start of that day in the time zone the caller gives."""
    midnight = dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC)
    assert at("30/11/2026") == midnight
    assert at("2026-11-30") == midnight


def test_afternoon_on_a_twelve_hour_clock() -> None:
    """`2:05 PM` is 14.05."""
    assert at("30/11/2026 2:05 PM") == dt.datetime(2026, 11, 30, 7, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text",
    ["", "kemarin", "30/11/2026 25:00", "31/02/2026", "30/11/2026 09.15 tadi pagi", "13/13/2026"],
)
def test_call_times_not_understood(text: str) -> None:
    """Text that is not a date, or a date that does not exist, gives None."""
    assert at(text) is None


@given(st.text(max_size=60))
def test_call_time_never_raises(text: str) -> None:
    """Any text gives a time or None."""
    result = at(text)
    assert result is None or result.tzinfo is not None


@st.composite
def day_first_times(draw: st.DrawFn) -> str:
    """Day-first dates with a clock, in and near the shape read without searching: one or
    two digits, any separator, days and months either way round or impossible, hours and
    minutes out of range, two-digit years, seconds, a zone, a meridiem."""
    number = st.integers(0, 99).flatmap(lambda n: st.sampled_from([str(n), f"{n:02d}"]))
    day, month = draw(number), draw(number)
    year = draw(st.sampled_from(["2026", "1999", "0001", "9999", "26", "20265"]))
    sep = draw(st.sampled_from(["/", "-", ".", "/", "-."]))
    hour, minute = draw(number), draw(st.integers(0, 99).map(lambda n: f"{n:02d}"))
    clock = draw(st.sampled_from([":", "."]))
    tail = draw(st.sampled_from(["", "", "", ":30", " WIB", " PM", " +0800", "x"]))
    gap = draw(st.sampled_from([" ", " ", "  ", "T", ""]))
    return f"{day}{sep[0]}{month}{sep[-1]}{year}{gap}{hour}{clock}{minute}{tail}"


@given(day_first_times(), st.sampled_from([JAKARTA, dt.UTC, ZoneInfo("Asia/Makassar")]))
def test_a_day_first_time_is_read_as_the_loose_reading_reads_it(text: str, tz: dt.tzinfo) -> None:
    """The usual day-first shape, read without the loose reading's searches, gives the
    moment the loose reading gives (or None, as it does)."""
    from intake import phonelog

    words = " ".join(text.split())
    loose = phonelog._parse_loose(words.casefold(), tz)
    expected = None if loose is None else loose.astimezone(dt.UTC)
    assert parse_call_time.__wrapped__(text, tz) == expected


def test_the_usual_day_first_times_are_read_without_searching() -> None:
    """The shape a phone log is written in takes the quick reading (so that the test above
    compares it), impossible dates and clocks included."""
    from intake import phonelog

    for text in ["30/11/2026 09.15", "1-2-2026 9:05", "31/02/2026 09.15", "30/11/2026 25.00"]:
        assert phonelog._DAY_FIRST_CLOCK.fullmatch(text)
    assert at("1-2-2026 9:05") == dt.datetime(2026, 2, 1, 2, 5, tzinfo=dt.UTC)
    assert at("12/31/2026 09.15") == dt.datetime(2026, 12, 31, 2, 15, tzinfo=dt.UTC)


def _cell_as_before(value: str) -> str:
    import re

    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if match := re.match(r'^="(.*)"$', value, re.DOTALL):
        value = match.group(1).strip()
    return value


@given(st.text(st.sampled_from(["=", '"', "\r", "\n", " ", "\t", "a", "0", "\u00a0"]), max_size=12))
def test_a_cell_is_read_as_it_was_read_with_every_step(value: str) -> None:
    """A cell without a carriage return or Excel's text mark skips those steps and reads
    the same as with them."""
    from intake import phonelog

    assert phonelog._cell(value) == _cell_as_before(value)
