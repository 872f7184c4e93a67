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
            "ticket", "dispose", number, "--by", "rudi", "--to", "agus",
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


@pytest.mark.parametrize("doc", ["formulir", "disposisi", "laporan"])
def test_document_has_every_field_the_number_and_the_office(
    closed: Cli, doc: str, tmp_path: Path
) -> None:
    """Each document prints every label of the form with its value, the number and the office."""
    html = printed(closed, doc, tmp_path)
    stored = json.loads(closed("ticket", "show", FIRST, "--json").stdout)
    for field in FIELDS:
        assert f"<th>{escape(field.label)}</th>" in html
        assert str(escape(field.shown(stored[field.key]))) in html
    assert FIRST in html and OFFICE in html and "Help Desk Layanan TIK" in html
    assert "@page { size: A4; margin: 15mm; }" in html
    assert "<link" not in html and "<script" not in html


def test_formulir_has_date_channel_and_signature(closed: Cli, tmp_path: Path) -> None:
    """The Formulir has the received day and date, the channel and who signed for the call."""
    html = printed(closed, "formulir", tmp_path)
    assert "Senin, 30 November 2026 pukul 09.00 WIB" in html
    assert "Telepon" in html and "Tanda Tangan" in html and 'class="box"' in html


def test_disposisi_lists_who_disposed_to_whom(closed: Cli, tmp_path: Path) -> None:
    """The Lembar Disposisi names the unit head, the technician, the time and the instruction."""
    html = printed(closed, "disposisi", tmp_path)
    assert "(rudi)" in html and "(agus)" in html
    assert "Periksa kabel &amp; switch." in html
    assert "Senin, 30 November 2026 pukul 10.00 WIB" in html


def test_laporan_has_solution_and_timeline(closed: Cli, tmp_path: Path) -> None:
    """The Laporan Akhir has the solution, every event in Indonesian, and whether each
    step's deadline was met."""
    html = printed(closed, "laporan", tmp_path)
    assert "Kabel diganti." in html
    for label in (
        "Pengaduan diterima dan dicatat",
        "Didisposisikan ke petugas teknis",
        "Tiket ditutup",
    ):
        assert label in html
    assert "Tepat waktu" in html  # every step of this ticket was done in time
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
    """A disposition made after the unit head's hour is marked late in the Laporan Akhir."""
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
    html = printed(ready, "laporan", tmp_path)
    assert "Terlambat" in html


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
