"""`helpdesk print`: the Formulir, the Lembar Disposisi and the Laporan Akhir as A4 HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import escape

from tests.cli.conftest import Cli, form_args
from ticketing.formulir import FIELDS

FIRST = "TIK-2026-00001"
SECOND = "TIK-2026-00002"
OFFICE = "Dinas Komunikasi, Informatika, Statistik dan Persandian Provinsi Banten"


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


def phone(cli: Cli, now: str = "2026-11-30T09:00:00+07:00", **changes: str) -> None:
    ok(cli("phone", *form_args(**changes), "--by", "sari", now=now))


def through_the_sop(cli: Cli, number: str = FIRST) -> None:
    """Escalate, dispose, resolve and close on Monday 30 November 2026."""
    ok(cli("ticket", "escalate", number, "--by", "sari", now="2026-11-30T09:30:00+07:00"))
    ok(
        cli(
            "ticket", "dispose", number, "--by", "rudi", "--to", "agus", "--sifat", "segera",
            "--note", "Periksa kabel & switch.", now="2026-11-30T10:00:00+07:00",
        )
    )  # fmt: skip
    ok(
        cli(
            "ticket", "resolve", number, "--by", "agus", "--solution", "Kabel diganti.",
            now="2026-11-30T13:00:00+07:00",
        )
    )  # fmt: skip
    ok(
        cli(
            "ticket", "close", number, "--by", "sari", "--confirmation", "Sudah normal.",
            now="2026-11-30T13:30:00+07:00",
        )
    )  # fmt: skip


def close_quickly(cli: Cli, number: str, now: str) -> None:
    ok(cli("ticket", "solve", number, "--by", "sari", "--solution", "Restart.", now=now))
    ok(cli("ticket", "close", number, "--by", "sari", "--confirmation", "ok", now=now))


def printed(cli: Cli, doc: str, tmp_path: Path, number: str = FIRST) -> str:
    ok(cli("print", doc, number, "--out", str(tmp_path), now="2026-11-30T14:00:00+07:00"))
    return (tmp_path / f"{number}-{doc}.html").read_text(encoding="utf-8")


@pytest.fixture
def closed(ready: Cli) -> Cli:
    """One phone complaint taken through every step and closed."""
    phone(ready)
    through_the_sop(ready)
    return ready


@pytest.mark.parametrize("doc", ["formulir", "laporan"])
def test_document_has_every_field_the_number_and_the_office(
    closed: Cli, doc: str, tmp_path: Path
) -> None:
    """The Formulir and the Laporan Akhir print every label of the form with its value,
    the number and the office."""
    html = printed(closed, doc, tmp_path)
    stored = json.loads(closed("ticket", "show", FIRST, "--json").stdout)
    for field in FIELDS:
        assert f"<th>{escape(field.label)}</th>" in html
        assert str(escape(field.shown(stored[field.key]))) in html
    assert "<th>Hari, Tanggal</th>" in html
    assert FIRST in html and OFFICE in html and "Help Desk Layanan TIK" in html
    assert "@page { size: A4; margin: 15mm; }" in html
    assert "<link" not in html and "<script" not in html


@pytest.mark.parametrize("doc", ["formulir", "disposisi", "laporan"])
def test_every_form_has_the_letterhead_the_sop_and_signatures_without_login_ids(
    closed: Cli, doc: str, tmp_path: Path
) -> None:
    """Each printout is headed PEMERINTAH PROVINSI BANTEN, the office and its address and
    telephone; it names the SOP it belongs to; it is dated "Serang, <day>" and signed by
    name and NIP, never by a login id."""
    html = printed(closed, doc, tmp_path)
    header = html[html.index("<header>") : html.index("</header>")]
    assert "PEMERINTAH PROVINSI BANTEN" in header and OFFICE in header
    assert "Jalan Syekh Nawawi Al-Bantani Blok F No. 1 KP3B" in header
    assert "Telepon (0254) 123456" in header
    assert (
        "Standar Operasional Prosedur Pengaduan Layanan TIK Nomor 545/789-Diskominfo/X/2020" in html
    )
    assert "Serang, 30 November 2026" in html
    for login in ("(sari)", "(rudi)", "(agus)", "(yoga)"):
        assert login not in html
    assert "NIP." in html


def signature_columns(html: str) -> list[list[str]]:
    """The signature table's columns, each as its lines of text (empty cells left out)."""
    import re

    table = html[html.index('<table class="signatures">') :]
    table = table[: table.index("</table>")]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in table.split("</tr>")[:-1]]
    return [[cells[i].strip() for cells in rows if cells[i].strip()] for i in range(len(rows[0]))]


def test_formulir_has_date_channel_and_two_signature_columns(closed: Cli, tmp_path: Path) -> None:
    """The Formulir has the received day and date, the channel, and two signature columns:
    the reporter, and the officer who took the call with their NIP."""
    html = printed(closed, "formulir", tmp_path)
    assert "Senin, 30 November 2026 pukul 09.00 WIB" in html
    assert "<th>Saluran Pengaduan</th><td>Telepon</td>" in html
    assert signature_columns(html) == [
        ["Pelapor,", "Budi Santoso", "NIP. .............................."],
        ["Serang, 30 November 2026", "Petugas Penerima,", "Sari Wulandari",
         "NIP. 198503122010012003"],
    ]  # fmt: skip


def boxes(html: str) -> dict[str, str]:
    """The Lembar Disposisi's boxes: each label with the text of the cell after it."""
    import re

    table = html[html.index('<table class="boxes">') : html.index("</table>")]
    pairs = re.findall(r"<th>(.*?)</th><td[^>]*>(.*?)</td>", table, re.S)
    return {label: text(cell) for label, cell in pairs}


def text(cell: str) -> str:
    """A cell's text in one line: tags gone, a tick mark as \u2713, spaces collapsed."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", cell.replace("&#10003;", "\u2713")).split())


def test_disposisi_has_the_boxes_of_a_disposition_sheet(closed: Cli, tmp_path: Path) -> None:
    """The Lembar Disposisi has Nomor Agenda and Tanggal, Sifat (the recorded one ticked),
    Perihal in one line, Diteruskan kepada, Dengan hormat harap, Isi Disposisi, Batas Waktu
    and Paraf; it is signed by the unit head by name, title and NIP, dated the day of the
    disposition."""
    html = printed(closed, "disposisi", tmp_path)
    found = boxes(html)
    assert found["Nomor Agenda"] == FIRST
    assert found["Tanggal"] == "30 November 2026"
    assert found["Pengaduan dari"] == "Budi Santoso, Dinas Kesehatan"
    assert found["Sifat"] == "Sangat Segera \u2713 Segera Biasa"
    assert found["Perihal"] == "Jaringan: Koneksi internet di ruang pelayanan terputus sejak pagi."
    assert found["Diteruskan kepada"] == "Agus Setiawan, Petugas Teknis Jaringan"
    assert found["Dengan hormat harap"] == (
        "\u2713 Tindak lanjuti Koordinasikan \u2713 Laporkan hasilnya"
        " .............................."
    )
    assert found["Isi Disposisi"] == "Periksa kabel &amp; switch."
    # Disposed Monday 10.00; the technician has one working day: Tuesday 10.00.
    assert found["Batas Waktu"] == "Selasa, 1 Desember 2026 pukul 10.00 WIB"
    assert "Paraf" in found
    # Not the whole Formulir: the reporter's telephone and e-mail are not on the sheet.
    assert "0812-3456-7890" not in html and "budi.santoso@" not in html
    assert signature_columns(html) == [
        ["Serang, 30 November 2026", "Penanggung Jawab Unit Jaringan,", "Rudi Hartono",
         "NIP. 197806152005011004"],
    ]  # fmt: skip


def test_the_sheet_and_the_technicians_e_mail_say_the_same(closed: Cli, tmp_path: Path) -> None:
    """The technician's e-mail states the disposition's Sifat and its isi disposisi under the
    Lembar Disposisi's own words, the same as the printed sheet."""
    found = boxes(printed(closed, "disposisi", tmp_path))
    listed = json.loads(closed("outbox", "list", "--json").stdout)
    [mail] = [e for e in listed if e["kind"] == "technician.disposed"]
    shown = closed("outbox", "show", str(mail["id"]))
    ok(shown)
    assert "Sifat: Segera\n" in shown.stdout
    assert found["Sifat"].split("\u2713 ")[1].split(" ")[0] == "Segera"
    assert "Isi Disposisi: Periksa kabel & switch.\n" in shown.stdout
    assert found["Isi Disposisi"] == "Periksa kabel &amp; switch."


def test_disposisi_without_instruction_asks_to_follow_up(ready: Cli, tmp_path: Path) -> None:
    """A disposition given without instructions reads "Mohon ditindaklanjuti", not "-"; a
    long complaint's Perihal is its first words in one line."""
    phone(ready, description="Printer di ruang rapat tidak mau mencetak. " * 10)
    ok(ready("ticket", "escalate", FIRST, "--by", "sari", now="2026-11-30T09:30:00+07:00"))
    ok(ready("ticket", "dispose", FIRST, "--by", "rudi", "--to", "agus",
             now="2026-11-30T10:00:00+07:00"))  # fmt: skip
    found = boxes(printed(ready, "disposisi", tmp_path))
    assert found["Isi Disposisi"] == "Mohon ditindaklanjuti"
    assert found["Sifat"] == "Sangat Segera Segera \u2713 Biasa"  # none given: Biasa
    listed = json.loads(ready("outbox", "list", "--json").stdout)
    [mail] = [e for e in listed if e["kind"] == "technician.disposed"]
    shown = ready("outbox", "show", str(mail["id"])).stdout
    assert "Sifat: Biasa\n" in shown and "Isi Disposisi: Mohon ditindaklanjuti\n" in shown
    assert found["Perihal"].startswith("Jaringan: Printer di ruang rapat tidak mau mencetak.")
    assert found["Perihal"].endswith("…") and len(found["Perihal"]) <= 100


def timeline_rows(html: str) -> list[list[str]]:
    """The Laporan Akhir's history: each row as its cells' text."""
    import re

    table = html[html.index('<table class="timeline">') :]
    table = table[: table.index("</table>")]
    return [[text(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in table.split("</tr>")[1:-1]]  # fmt: skip


def test_laporan_has_solution_and_who_did_what_to_whom(closed: Cli, tmp_path: Path) -> None:
    """The Laporan Akhir has the solution and a timeline that says who did what to whom,
    with long dates in WIB, each step's deadline kept on the row of whoever ended it."""
    html = printed(closed, "laporan", tmp_path)
    assert "Kabel diganti." in html
    assert "<th>Ketepatan Waktu</th>" in html
    rows = timeline_rows(html)
    assert [row[1] for row in rows] == [
        "Pengaduan diterima melalui telepon dan dicatat dalam sistem oleh Sari Wulandari",
        "Ditangani oleh Sari Wulandari (layanan tingkat pertama)",
        "Dieskalasikan oleh Sari Wulandari ke Unit Jaringan",
        "Didisposisikan oleh Rudi Hartono kepada petugas teknis Agus Setiawan",
        "Diselesaikan oleh Agus Setiawan",
        "Tiket ditutup oleh Sari Wulandari",
    ]
    assert rows[3][:5] == [
        "Senin, 30 November 2026 pukul 10.00 WIB",
        "Didisposisikan oleh Rudi Hartono kepada petugas teknis Agus Setiawan",
        "4. Disposisi ke petugas teknis",
        "Senin, 30 November 2026 pukul 10.30 WIB",
        "Tepat waktu",
    ]
    assert all(row[4] == "Tepat waktu" for row in rows[1:])  # every step was done in time
    assert "Terlambat" not in html


def test_html_in_the_form_is_escaped(ready: Cli, tmp_path: Path) -> None:
    """A name or complaint with markup and ampersands is printed as text, never as markup."""
    phone(
        ready,
        reporter_name="Budi <script>x</script> & Co",
        description="<script>alert(1)</script> & lagi",
    )
    html = printed(ready, "formulir", tmp_path)
    assert "<script>" not in html
    assert "Budi &lt;script&gt;x&lt;/script&gt; &amp; Co" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; lagi" in html


def test_long_description_is_whole_and_wraps(ready: Cli, tmp_path: Path) -> None:
    """A 5,000-character complaint is printed whole, and the CSS wraps it on the page."""
    long = "Koneksi terputus " + "x" * 4983
    assert len(long) == 5000
    phone(ready, description=long)
    html = printed(ready, "formulir", tmp_path)
    assert long in html
    assert "table-layout: fixed;" in html
    assert "td, th { overflow-wrap: break-word; white-space: pre-wrap; }" in html


def test_closed_in_month_prints_that_months_closed_tickets_only(ready: Cli, tmp_path: Path) -> None:
    """--closed-in writes one file per ticket closed in that month (office time), and no other."""
    phone(ready)
    phone(ready)
    phone(ready)
    close_quickly(ready, FIRST, "2026-11-30T10:00:00+07:00")
    close_quickly(ready, SECOND, "2026-12-01T06:00:00+07:00")  # still 30 November in UTC
    result = ready("print", "laporan", "--closed-in", "2026-11", "--out", str(tmp_path / "nov"))
    ok(result)
    assert sorted(p.name for p in (tmp_path / "nov").iterdir()) == [f"{FIRST}-laporan.html"]
    ok(ready("print", "formulir", "--closed-in", "2026-12", "--out", str(tmp_path / "dec")))
    assert sorted(p.name for p in (tmp_path / "dec").iterdir()) == [f"{SECOND}-formulir.html"]


def test_several_numbers_write_several_files(ready: Cli, tmp_path: Path) -> None:
    """Several numbers at once write one file each."""
    phone(ready)
    phone(ready)
    ok(ready("print", "formulir", FIRST, SECOND, "--out", str(tmp_path / "out")))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"{FIRST}-formulir.html",
        f"{SECOND}-formulir.html",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kuitansi", FIRST], "error: unknown document 'kuitansi'"),
        (["formulir", "TIK-2026-09999"], "error: no ticket 'TIK-2026-09999'"),
        (["laporan", "--closed-in", "2026-13"], "error: --closed-in: expected a month"),
        (["disposisi", FIRST], f"error: {FIRST} has never been disposed"),
    ],
)
def test_errors_are_one_line_and_exit_1(
    ready: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    """A bad document, an unknown ticket, a bad month or an undisposed ticket: one line, exit 1."""
    phone(ready)
    result = ready("print", *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(message)
    assert not (tmp_path / "out").exists()


def test_pdf_without_weasyprint_says_how_to_add_it(
    ready: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--pdf without WeasyPrint exits 1 with one line naming `pip install weasyprint`."""
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    phone(ready)
    result = ready("print", "formulir", FIRST, "--pdf", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "pip install weasyprint" in result.stderr


def test_laporan_marks_a_step_done_late(ready: Cli, tmp_path: Path) -> None:
    """A disposition made an hour after the unit head's deadline is late by one working
    hour, on the unit head's row."""
    phone(ready)
    ok(ready("ticket", "escalate", FIRST, "--by", "sari", now="2026-11-30T09:00:00+07:00"))
    ok(
        ready(
            "ticket",
            "dispose",
            FIRST,
            "--by",
            "rudi",
            "--to",
            "agus",
            now="2026-11-30T11:00:00+07:00",
        )
    )  # fmt: skip — due 10:00
    rows = timeline_rows(printed(ready, "laporan", tmp_path))
    disposed = next(row for row in rows if row[1].startswith("Didisposisikan oleh Rudi"))
    assert disposed[2:5] == [
        "4. Disposisi ke petugas teknis",
        "Senin, 30 November 2026 pukul 10.00 WIB", "Terlambat 1 jam",
    ]  # fmt: skip


def test_lateness_belongs_to_the_actor_of_the_step_in_working_time(
    ready: Cli, tmp_path: Path
) -> None:
    """The unit head who disposed in 30 minutes is on time though the technician was late;
    the technician's lateness is working time: resolved Wednesday 13.00 against Tuesday
    10.00 is 6 hours of Tuesday and 5 hours 30 minutes of Wednesday."""
    phone(ready)
    ok(ready("ticket", "escalate", FIRST, "--by", "sari", now="2026-11-30T09:30:00+07:00"))
    ok(ready("ticket", "dispose", FIRST, "--by", "rudi", "--to", "agus",
             now="2026-11-30T10:00:00+07:00"))  # fmt: skip
    ok(ready("ticket", "resolve", FIRST, "--by", "agus", "--solution", "Kabel diganti.",
             now="2026-12-02T13:00:00+07:00"))  # fmt: skip
    rows = timeline_rows(printed(ready, "laporan", tmp_path))
    by_action = {row[1]: row for row in rows}
    disposed = by_action["Didisposisikan oleh Rudi Hartono kepada petugas teknis Agus Setiawan"]
    assert disposed[4] == "Tepat waktu"
    resolved = by_action["Diselesaikan oleh Agus Setiawan"]
    assert resolved[2:5] == [
        "5. Penyelesaian oleh petugas teknis",
        "Selasa, 1 Desember 2026 pukul 10.00 WIB",
        "Terlambat 11 jam 30 menit",
    ]
    # Step 7 is running: the Laporan Akhir is due an hour after the resolution.
    assert rows[-1][1:5] == [
        "Langkah yang sedang berjalan", "7. Laporan Akhir dan konfirmasi",
        "Rabu, 2 Desember 2026 pukul 14.00 WIB", "Sedang berjalan",
    ]  # fmt: skip


def test_a_letter_received_friday_and_logged_monday_is_late_on_step_1(
    ready: Cli, tmp_path: Path
) -> None:
    """Step 1 starts when the letter arrived: received Friday 14.00 and logged Monday 09.00,
    it is three working hours late (Friday 15.00 to 16.30, Monday 07.30 to 09.00). The
    timeline shows its receipt, then the moment it was recorded."""
    ok(ready("letter", *form_args(), "--by", "yoga", "--received", "2026-11-27T14:00",
             now="2026-11-30T09:00:00+07:00"))  # fmt: skip
    rows = timeline_rows(printed(ready, "laporan", tmp_path))
    assert rows[0][:2] == [
        "Jumat, 27 November 2026 pukul 14.00 WIB",
        "Pengaduan diterima melalui surat",
    ]
    assert rows[1][:2] == [
        "Senin, 30 November 2026 pukul 09.00 WIB",
        "Dicatat dalam sistem oleh Yoga Pratama",
    ]
    assert rows[2][1:5] == [
        "Ditangani oleh Yoga Pratama (layanan tingkat pertama)", "1. Penerimaan pengaduan",
        "Jumat, 27 November 2026 pukul 15.00 WIB", "Terlambat 3 jam",
    ]  # fmt: skip


def test_a_call_logged_at_once_is_on_time_on_step_1(ready: Cli, tmp_path: Path) -> None:
    """A call logged as it is taken starts and ends step 1 at once: on time, with no
    separate receipt row."""
    phone(ready)
    rows = timeline_rows(printed(ready, "laporan", tmp_path))
    assert (
        rows[0][1]
        == "Pengaduan diterima melalui telepon dan dicatat dalam sistem oleh Sari Wulandari"
    )
    assert rows[1][2] == "1. Penerimaan pengaduan" and rows[1][4] == "Tepat waktu"


def test_pdf_is_a4_and_a_long_complaint_stays_on_the_page(ready: Cli, tmp_path: Path) -> None:
    """With WeasyPrint: --pdf writes a PDF, and laid out on A4 a 5,000-character complaint
    without a space is printed whole, over as many pages as it needs, inside the margins."""
    weasyprint = pytest.importorskip("weasyprint")
    from weasyprint.formatting_structure import boxes

    long = "Koneksi terputus " + "x" * 4983
    phone(ready, description=long)
    ok(ready("print", "formulir", FIRST, "--pdf", "--out", str(tmp_path)))
    pdf = (tmp_path / f"{FIRST}-formulir.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")

    document = weasyprint.HTML(string=printed(ready, "formulir", tmp_path)).render()
    a4 = (210 / 25.4 * 96, 297 / 25.4 * 96)  # CSS pixels
    margin = 15 / 25.4 * 96
    text = ""
    for page in document.pages:
        assert (page.width, page.height) == pytest.approx(a4)
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TextBox):
                assert box.position_x >= margin - 0.5
                assert box.position_x + box.width <= a4[0] - margin + 0.5, box.text[:40]
                text += box.text
    assert "x" * 4983 in text.replace("\n", "").replace("\u00ad", "")


def test_pdf_batch_of_a_month(ready: Cli, tmp_path: Path) -> None:
    """--closed-in with --pdf writes one PDF per ticket closed in the month."""
    pytest.importorskip("weasyprint")
    phone(ready)
    phone(ready)
    close_quickly(ready, FIRST, "2026-11-30T10:00:00+07:00")
    close_quickly(ready, SECOND, "2026-11-30T11:00:00+07:00")
    ok(ready("print", "laporan", "--closed-in", "2026-11", "--pdf", "--out", str(tmp_path / "p")))
    written = sorted((tmp_path / "p").iterdir())
    assert [p.name for p in written] == [f"{FIRST}-laporan.pdf", f"{SECOND}-laporan.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written)


@pytest.fixture
def english(site_dir: Path, ready: Cli) -> Cli:
    """The cli on a site whose office writes in English, one complaint through the SOP."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace('language = "id"', 'language = "en"', 1))
    phone(ready)
    through_the_sop(ready)
    return ready


# Words of the Indonesian printouts that an English one must not carry.
INDONESIAN = (
    "Pelapor", "Petugas Penerima", "Nomor Agenda", "Dengan hormat harap", "Isi Disposisi",
    "Batas Waktu", "Ketepatan Waktu", "Riwayat", "Dicetak", "pukul", "Didisposisikan",
    "Ditangani", "Tepat waktu", "Hari, Tanggal", "Saluran Pengaduan", "Standar Operasional",
    "Senin", "Desember", "Laki-laki",
)  # fmt: skip


@pytest.mark.parametrize("doc", ["formulir", "disposisi", "laporan"])
def test_printouts_are_in_english_when_the_office_writes_english(
    english: Cli, doc: str, tmp_path: Path
) -> None:
    """With office.language = "en" every word the printout itself writes is English (the
    names of the office, agencies and staff titles are the configuration's)."""
    html = printed(english, doc, tmp_path)
    assert '<html lang="en">' in html
    assert "PEMERINTAH PROVINSI BANTEN" in html and OFFICE in html
    assert "Standard Operating Procedure for ICT Service Complaints No. 545/789" in html
    assert "Serang, 30 November 2026" in html
    assert "Monday, 30 November 2026, " in html and " WIB" in html
    for word in INDONESIAN:
        assert word not in html, word


def test_english_laporan_and_disposisi_say_who_did_what(english: Cli, tmp_path: Path) -> None:
    """The English timeline and disposition sheet in full sentences and English labels."""
    rows = timeline_rows(printed(english, "laporan", tmp_path))
    assert rows[3][1:5] == [
        "Disposed by Rudi Hartono to the technician Agus Setiawan",
        "4. Disposition to a technician",
        "Monday, 30 November 2026, 10:30 WIB", "On time",
    ]  # fmt: skip
    found = boxes(printed(english, "disposisi", tmp_path))
    assert found["Agenda number"] == FIRST
    assert found["Priority"] == "Very urgent \u2713 Urgent Ordinary"
    assert found["Instructions"] == "Periksa kabel &amp; switch."
    assert found["Subject"] == "Network: Koneksi internet di ruang pelayanan terputus sejak pagi."


def pdf_pages(html: str) -> list[str]:
    """The text WeasyPrint lays out on each A4 page of ``html``, line by line."""
    weasyprint = pytest.importorskip("weasyprint")
    from weasyprint.formatting_structure import boxes as layout

    pages = []
    for page in weasyprint.HTML(string=html).render().pages:
        lines: dict[float, list[str]] = {}
        for box in page._page_box.descendants():
            if isinstance(box, layout.TextBox):
                lines.setdefault(round(box.position_y), []).append(box.text)
        pages.append("\n".join(" ".join(lines[y]) for y in sorted(lines)))
    return pages


@pytest.mark.parametrize("doc", ["formulir", "disposisi", "laporan"])
def test_pdf_has_the_letterhead_boxes_and_signatures(closed: Cli, doc: str, tmp_path: Path) -> None:
    """Laid out on A4 by WeasyPrint, each printout starts with the letterhead and the SOP's
    number, and its signature block (place and date, name, NIP) stays whole on one page."""
    pages = pdf_pages(printed(closed, doc, tmp_path))
    first = pages[0].splitlines()
    assert first[0] == "PEMERINTAH PROVINSI BANTEN"
    assert "Jalan Syekh Nawawi Al-Bantani" in pages[0] and "(0254) 123456" in pages[0]
    assert "545/789-Diskominfo/X/2020" in pages[0]
    signed = [page for page in pages if "Serang, 30 November 2026" in page]
    assert len(signed) == 1
    nip = {"formulir": "198503122010012003", "disposisi": "197806152005011004",
           "laporan": "198503122010012003"}[doc]  # fmt: skip
    assert f"NIP. {nip}" in signed[0]
    assert "(sari)" not in "".join(pages) and "(rudi)" not in "".join(pages)
    if doc == "disposisi":
        text = pages[0]
        assert len(pages) == 1  # one sheet
        for label in ("Nomor Agenda", "Tanggal", "Sifat", "Sangat Segera", "Perihal",
                      "Diteruskan kepada", "Dengan hormat", "Tindak lanjuti", "Koordinasikan",
                      "Laporkan hasilnya", "Isi Disposisi", "Batas Waktu", "Paraf"):  # fmt: skip
            assert label in text, label
    if doc == "laporan":
        text = "\n".join(pages)
        assert "Ketepatan" in text and "Didisposisikan" in text and "Tepat waktu" in text


def test_a_disposition_recorded_before_the_sifat_leaves_its_boxes_to_tick() -> None:
    """A disposition recorded before the Sifat was has none ticked: the three are left to
    tick by hand, not printed as a Biasa nobody chose."""
    from records.documents import disposition
    from tests.unit.test_templates import CALENDAR, events, office, ticket
    from ticketing.workflow import Action, State

    history = events(Action.DISPOSE)  # its data: the technician only
    assert "sifat" not in history[-1].data
    boxes_ = disposition(office("id"), ticket(State.DISPOSED), history, len(history) - 1, CALENDAR)
    assert [(s["label"], s["ticked"]) for s in boxes_["sifat"]] == [
        ("Sangat Segera", False), ("Segera", False), ("Biasa", False),
    ]  # fmt: skip
