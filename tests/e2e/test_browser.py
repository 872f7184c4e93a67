"""A complaint's whole way through a real browser (Playwright driving Debian's chromium;
no browser is downloaded): the public form, the acknowledgement's link, the staff desk,
the status page. Screenshots at a phone's width go to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.cli.conftest import form_args
from tests.e2e.web import PASSWORDS, Served
from ticketing.ikm import ELEMENTS

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is needed: apt-get install chromium (scripts/system-packages)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def phone(browser: Browser) -> Page:
    """A fresh browser (no cookies) with a phone's screen."""
    return browser.new_context(viewport=PHONE).new_page()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fill_form(page: Page, *, position: str | None) -> None:
    page.get_by_label("Nama OPD", exact=True).select_option("Dinas Kesehatan")
    page.get_by_label("Bidang/UPT/Balai").fill("Bidang Pelayanan Kesehatan")
    page.get_by_label("Nama Pelapor").fill("Budi Santoso")
    if position is not None:
        page.get_by_label("Jabatan").fill(position)
    page.get_by_label("Nomor Telepon / HandPhone").fill("0812-3456-7890")
    page.get_by_label("Alamat e-Mail").fill("budi.santoso@dinkes.example.go.id")
    page.get_by_label("Laki-laki").check()
    page.get_by_label("PNS", exact=True).check()
    page.get_by_label("Jenis Aduan").select_option("Jaringan")
    page.get_by_label("Isi Aduan").fill("Koneksi internet di ruang pelayanan terputus.")


def mail_to(served: Served, address: str, kind_words: str) -> EmailMessage:
    for received in served.sink.received:
        message = received.message
        if address in received.recipients and kind_words in str(message["Subject"]):
            return message
    subjects = [str(r.message["Subject"]) for r in served.sink.received]
    raise AssertionError(f"no e-mail to {address} about {kind_words!r}: {subjects}")


def login(browser: Browser, served: Served, staff_id: str) -> Page:
    page = phone(browser)
    page.goto(f"{served.url}/petugas")
    page.get_by_label("ID Petugas").fill(staff_id)
    page.get_by_label("Kata Sandi").fill(PASSWORDS[staff_id])
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Meja Petugas")).to_be_visible()
    return page


def test_a_complaint_goes_its_whole_way_through_the_browser(
    browser: Browser, served: Served
) -> None:
    # The reporter leaves out Jabatan, sees why beside it, fixes it, and gets a number.
    reporter = phone(browser)
    reporter.goto(f"{served.url}/lapor")
    fill_form(reporter, position=None)
    reporter.get_by_role("button", name="Kirim Pengaduan").click()
    expect(reporter.locator("#p-position")).to_have_text("Jabatan belum diisi.")
    expect(reporter.get_by_label("Nama Pelapor")).to_have_value("Budi Santoso")
    shot(reporter, "lapor-phone-problem")
    reporter.get_by_label("Jabatan").fill("Pengelola Data")
    reporter.get_by_role("button", name="Kirim Pengaduan").click()
    expect(reporter.get_by_role("heading", name="Pengaduan telah diterima")).to_be_visible()
    number = re.search(r"TIK-\d{4}-\d{5}", reporter.content())
    assert number
    number_text = number.group(0)
    shot(reporter, "lapor-phone-registered")

    # The acknowledgement reaches the SMTP sink; its link opens the status page.
    served.send_outbox()
    ack = mail_to(served, "budi.santoso@dinkes.example.go.id", "Pengaduan diterima")
    body = ack.get_body(("plain",))
    assert body is not None
    link = re.search(r"(http://127\.0\.0\.1:\d+/tiket/\S+)", body.get_content())
    assert link and number_text in link.group(1)
    reporter.goto(link.group(1))
    expect(reporter.get_by_role("heading", name=f"Status Pengaduan {number_text}")).to_be_visible()
    expect(reporter.get_by_text("Tahap 1 dari 7: Penerimaan pengaduan")).to_be_visible()
    shot(reporter, "status-phone")

    # The help desk takes it and escalates it to the unit.
    sari = login(browser, served, "sari")
    sari.get_by_role("link", name=number_text).first.click()
    sari.get_by_role("button", name="Ambil untuk layanan tingkat pertama").click()
    expect(sari.get_by_text("Tercatat")).to_be_visible()
    sari.get_by_role("button", name="Eskalasikan ke unit").click()
    expect(sari.get_by_text("Tercatat")).to_be_visible()

    # The unit head disposes to a technician, whose e-mail arrives.
    rudi = login(browser, served, "rudi")
    rudi.get_by_role("link", name=number_text).first.click()
    rudi.get_by_label("Petugas teknis").select_option("agus")
    rudi.get_by_label("Isi disposisi").fill("Mohon cek router lantai 2.")
    rudi.get_by_role("button", name="Disposisikan kepada petugas teknis").click()
    expect(rudi.get_by_text("Tercatat")).to_be_visible()
    served.send_outbox()
    disposed = mail_to(served, "agus.setiawan@example.go.id", "Lembar Disposisi")
    assert "Mohon cek router lantai 2." in disposed.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # The technician resolves.
    agus = login(browser, served, "agus")
    agus.get_by_role("link", name=number_text).first.click()
    agus.get_by_label("Solusi").fill("Router diganti; koneksi normal kembali.")
    agus.get_by_role("button", name="Selesaikan", exact=True).click()
    expect(agus.get_by_text("Tercatat")).to_be_visible()

    # The reporter confirms on the status page; the ticket is closed.
    reporter.goto(link.group(1))
    expect(reporter.get_by_text("Router diganti; koneksi normal kembali.").first).to_be_visible()
    reporter.get_by_role("button", name="Sudah selesai").click()
    expect(reporter.get_by_text("tiket ditutup").first).to_be_visible()
    expect(reporter.get_by_role("row", name="Keadaan Tiket ditutup")).to_be_visible()
    shot(reporter, "status-phone-closed")
    shown = served.helpdesk("ticket", "show", number_text, "--json")
    assert '"state": "closed"' in shown.stdout

    # A stranger with a wrong token sees nothing of it.
    stranger = phone(browser)
    response = stranger.goto(f"{served.url}/tiket/{number_text}?k=tebakan")
    assert response is not None and response.status == 404
    expect(stranger.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    assert "Budi" not in stranger.content()


def test_the_reporter_answers_the_survey_on_a_phone_and_it_is_counted(
    browser: Browser, served: Served
) -> None:
    """A telephone complaint closed by the help desk: the closure e-mail's link opens the
    survey at a phone's width (no sideways scrolling, no script); the reporter answers
    eight of the nine questions, gives part of the profile and a saran; the status page
    thanks them, and the report counts the respondent with the saran."""
    made = served.helpdesk("phone", *form_args(), "--by", "sari")
    assert made.returncode == 0, made.stderr
    number = re.search(r"TIK-\d{4}-\d{5}", made.stdout)
    assert number
    n = number.group(0)
    solve = ("solve", n, "--by", "sari", "--solution", "Kabel LAN diganti.")
    close = ("close", n, "--by", "sari", "--confirmation", "Pelapor: sudah normal.")
    for args in (solve, close):
        moved = served.helpdesk("ticket", *args)
        assert moved.returncode == 0, moved.stderr
    served.send_outbox()
    closure = mail_to(served, "budi.santoso@dinkes.example.go.id", "ditutup")
    body = closure.get_body(("plain",))
    assert body is not None
    link = re.search(r"(http://127\.0\.0\.1:\d+/survei/\S+)", body.get_content())
    assert link and n in link.group(1)

    reporter = phone(browser)
    reporter.goto(link.group(1))
    expect(reporter.get_by_role("heading", name="Survei Kepuasan Masyarakat")).to_be_visible()
    assert reporter.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert reporter.locator("script").count() == 0
    scores = {1: 4, 2: 3, 3: 4, 4: 4, 5: 3, 6: 4, 7: 4, 9: 4}  # U8 left unanswered
    for question, score in scores.items():
        label = f"{score} {ELEMENTS[question - 1].labels('id')[score - 1]}"
        reporter.locator(f"#q-u{question}").get_by_label(label, exact=True).check()
    reporter.get_by_label("Usia").select_option("35-44")
    reporter.get_by_label("Pendidikan").select_option("D4-S1")
    saran = "Petugas sigap; mohon informasi jadwal perbaikan."
    reporter.get_by_label("Saran dan masukan").fill(saran)
    shot(reporter, "survei-phone")
    reporter.get_by_role("button", name="Kirim jawaban survei").click()
    thanks = "Terima kasih. Jawaban survei Bapak telah kami catat."
    expect(reporter.get_by_text(thanks)).to_be_visible()
    shot(reporter, "survei-phone-done")
    reporter.get_by_role("link", name="Kembali ke status pengaduan").click()
    expect(reporter.get_by_text("Bapak telah mengisi Survei Kepuasan Masyarakat")).to_be_visible()

    # The link opened again: the first answer stands, and no form is offered.
    reporter.goto(link.group(1))
    expect(reporter.get_by_text("jawaban pertama yang kami catat")).to_be_visible()
    assert reporter.locator('input[type="radio"]').count() == 0

    report = served.helpdesk("report", "--month", "2026-11", "--format", "json",
                             now="2026-11-30T10:00:00+07:00")  # fmt: skip
    assert report.returncode == 0, report.stderr
    ikm = json.loads(report.stdout)["ikm"]
    assert (ikm["respondents"], ikm["invited"], ikm["answered"]) == (1, 1, 1)
    assert ikm["nrr"]["U8"] is None and ikm["nrr"]["U2"] == 3.0 and ikm["nrr"]["U5"] == 3.0
    assert ikm["value"] is None  # an element nobody answered: no index yet
    assert ikm["profile"]["age_band"]["35-44"] == 1 and ikm["profile"]["sex"]["L"] == 1
    assert ikm["profile"]["education"]["D4-S1"] == 1
    page = served.site_dir / "laporan.html"
    html = served.helpdesk("report", "--month", "2026-11", "--format", "html", "--out",
                           str(page), now="2026-11-30T10:00:00+07:00")  # fmt: skip
    assert html.returncode == 0, html.stderr
    assert saran in page.read_text(encoding="utf-8")
