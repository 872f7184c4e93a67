"""The staff desk: login, sessions, the queue, a ticket's page and its actions."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.conftest import PASSWORD, Desk, csrf_of, number_in
from tests.web.test_status import move, ticket
from ticketing.workflow import Action


@pytest.fixture
def staffed(desk: Desk) -> Desk:
    for staff_id in ("sari", "rudi", "agus"):
        desk.set_password(staff_id)
    return desk


def act(desk: Desk, number: str, aksi: str, **fields: str):  # type: ignore[no-untyped-def]
    page = desk.client.get(f"/petugas/tiket/{number}")
    data = {"csrf_token": csrf_of(page), "aksi": aksi, **fields}
    return desk.client.post(f"/petugas/tiket/{number}", data=data)


def test_the_desk_needs_a_login(staffed: Desk) -> None:
    page = staffed.client.get("/petugas")
    assert page.status_code == 303
    assert page.headers["location"] == "/petugas/masuk?next=/petugas"


def test_a_wrong_password_is_refused(staffed: Desk) -> None:
    page = staffed.login("rudi", "x")
    assert page.status_code == 401
    assert "ID petugas atau kata sandi salah." in page.text
    assert staffed.client.get("/petugas").status_code == 303


def test_login_and_logout(staffed: Desk) -> None:
    page = staffed.login("rudi")
    assert (page.status_code, page.headers["location"]) == (303, "/petugas")
    desk_page = staffed.client.get("/petugas")
    assert desk_page.status_code == 200
    assert "Rudi Hartono — Penanggung Jawab Unit" in desk_page.text
    out = staffed.client.post("/petugas/keluar", data={"csrf_token": csrf_of(desk_page)})
    assert out.status_code == 303
    assert staffed.client.get("/petugas").status_code == 303


def test_login_is_limited_per_account(staffed: Desk) -> None:
    """After five failures for an account, even its right password is refused until the
    window has passed."""
    for _ in range(5):
        staffed.login("rudi", "salah")
    refused = staffed.login("rudi")
    assert refused.status_code == 429
    assert "Terlalu banyak percobaan masuk" in refused.text
    assert staffed.login("agus").status_code == 303  # another account is not held
    staffed.at("2026-11-30T09:16:00+07:00")
    assert staffed.login("rudi").status_code == 303


def test_login_is_limited_per_address(make_desk) -> None:  # type: ignore[no-untyped-def]
    """Failures from one address across accounts hold that address."""
    desk = make_desk(web="login_failures_per_address = 3\nlogin_failures_per_account = 99")
    desk.set_password("agus")
    for staff_id in ("rudi", "sari", "dewi"):
        desk.login(staff_id, "salah")
    assert desk.login("agus").status_code == 429


def test_a_session_expires(staffed: Desk) -> None:
    """A login lasts [web] session_minutes on the office's clock; then the desk asks for the
    login again and says why."""
    staffed.login("rudi")
    staffed.at("2026-11-30T16:59:00+07:00")
    assert staffed.client.get("/petugas").status_code == 200
    staffed.at("2026-11-30T17:01:00+07:00")
    page = staffed.client.get("/petugas")
    assert page.status_code == 303
    login = staffed.client.get(page.headers["location"])
    assert "Sesi telah berakhir" in login.text


def test_a_new_password_ends_older_sessions(staffed: Desk) -> None:
    staffed.login("rudi")
    from helpdesk.passwords import set_password

    with staffed.site.store.transaction() as tx:
        set_password(tx, "rudi", "kata-sandi-baru-99", staffed.site.now())
    assert staffed.client.get("/petugas").status_code == 303


def test_next_never_leads_off_the_desk(staffed: Desk) -> None:
    token = staffed.token("/petugas/masuk")
    page = staffed.client.post("/petugas/masuk", data={
        "csrf_token": token, "staff_id": "rudi", "password": PASSWORD,
        "next": "//evil.example/petugas",
    })  # fmt: skip
    assert page.headers["location"] == "/petugas"


def test_queue_for_me_my_unit_and_all(staffed: Desk) -> None:
    """The unit head sees what waits on him first, then his unit's; the help desk also sees
    all; filters narrow the lists."""
    first = number_in(staffed.submit())
    second = number_in(staffed.submit(category="Aplikasi", reporter_name="Siti Aminah"))
    move(staffed, first, Action.TAKE, "sari")
    move(staffed, first, Action.ESCALATE, "sari")
    staffed.login("rudi")
    page = staffed.client.get("/petugas").text
    mine = page.split("<h2>")[1]
    assert mine.startswith("Untuk saya (1)") and first in mine
    assert re.search(r"Unit saya: [^<]*Jaringan \(1\)", page)
    assert "Semua pengaduan" not in page
    staffed.client.post("/petugas/keluar", data={"csrf_token": staffed.token("/petugas")})
    staffed.login("sari")
    page = staffed.client.get("/petugas").text
    assert "Semua pengaduan (2)" in page and second in page
    filtered = staffed.client.get("/petugas?category=Aplikasi").text
    everything = filtered.split("Semua pengaduan")[1]
    assert everything.startswith(" (1)") and second in everything and first not in everything


def test_unit_head_disposes_on_the_ticket_page(staffed: Desk) -> None:
    """The unit head is offered only the moves his role may make now; disposing to a
    technician of his unit, with a Sifat (Biasa offered first), moves the ticket, records
    the Sifat and queues the technician's e-mail."""
    number = number_in(staffed.submit())
    move(staffed, number, Action.TAKE, "sari")
    move(staffed, number, Action.NOTE, "sari", "Catatan internal untuk unit")
    move(staffed, number, Action.ESCALATE, "sari")
    staffed.login("rudi")
    page = staffed.client.get(f"/petugas/tiket/{number}")
    assert page.status_code == 200
    offered = re.findall(r'name="aksi" value="([a-z_]+)"', page.text)
    assert "dispose" in offered and "resolve" not in offered and "edit" not in offered
    assert "Catatan internal untuk unit" in page.text and "catatan internal" in page.text
    assert 'option value="agus"' in page.text
    sifat = page.text.split('name="sifat"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([a-z_]+)">([^<]+)<', sifat) == [
        ("biasa", "Biasa"), ("segera", "Segera"), ("sangat_segera", "Sangat Segera"),
    ]  # fmt: skip
    done = act(staffed, number, "dispose", teknisi="agus", sifat="segera",
               catatan="Cek router lantai 2")  # fmt: skip
    assert done.status_code == 303
    shown = staffed.client.get(done.headers["location"])
    assert "Tercatat" in shown.text
    moved = ticket(staffed, number)
    assert (moved.state, moved.technician) == ("disposed", "agus")
    with staffed.site.reader.transaction() as tx:
        mails = [m for m in tx.outbox(ticket=moved) if m.kind == "technician.disposed"]
        events = tx.events(moved)
    assert mails and mails[0].recipients[0] == "agus.setiawan@example.go.id"
    assert (events[-1].action, events[-1].channel) == ("dispose", "web")
    assert events[-1].data["sifat"] == "segera"


def refusal_in(page) -> str:  # type: ignore[no-untyped-def]
    """The refusal the page shows, as the reader sees it."""
    found = re.search(r"(?:Ditolak|Refused): ([^<]*)", page.text)
    assert found, page.text
    return html.unescape(found.group(1)).strip()


ENGLISH = re.compile(r"--|\b(the|is|not|allowed|while|ticket|needs|resolve|received)\b")


def test_a_move_the_sop_refuses_is_refused_with_the_reason(staffed: Desk) -> None:
    """A technician who is not on the ticket cannot resolve it: nothing moves, and the
    Indonesian page says why in Indonesian, no English word and no option in it."""
    number = number_in(staffed.submit())
    staffed.login("agus")
    page = act(staffed, number, "resolve", catatan="Sudah")
    assert page.status_code == 409
    reason = refusal_in(page)
    assert (
        reason
        == f"{number}: Tiket tidak dapat dinyatakan selesai karena statusnya saat ini Diterima."
    )
    assert not ENGLISH.search(reason)
    assert "not allowed" not in page.text
    assert ticket(staffed, number).state == "received"


def test_an_english_office_refuses_in_english(make_desk) -> None:  # type: ignore[no-untyped-def]
    """With [office] language = "en" the same refusal reads in English (the CLI's words)."""
    from tests.conftest import DEFAULT_CONFIG

    office = re.search(r"\[office\]\n(.*?)\n\[", DEFAULT_CONFIG.read_text(), re.S)
    assert office
    desk = make_desk(office=re.sub(r'language = "id"', 'language = "en"', office.group(1)))
    for staff_id in ("sari", "agus"):
        desk.set_password(staff_id)
    number = number_in(desk.submit())
    desk.login("agus")
    page = act(desk, number, "resolve", catatan="Done")
    assert page.status_code == 409
    reason = refusal_in(page)
    assert reason.startswith(f"{number}: 'resolve' is not allowed while the ticket is received")
    assert "Tiket" not in reason and "Ditolak" not in page.text
    assert ticket(desk, number).state == "received"


def test_technician_resolves(staffed: Desk) -> None:
    number = number_in(staffed.submit())
    move(staffed, number, Action.TAKE, "sari")
    move(staffed, number, Action.ESCALATE, "sari")
    move(staffed, number, Action.DISPOSE, "rudi", technician="agus")
    staffed.login("agus")
    empty = act(staffed, number, "resolve", catatan="")
    assert empty.status_code == 409
    assert refusal_in(empty) == (
        f"{number}: Tiket tidak dapat dinyatakan selesai tanpa uraian penyelesaiannya;"
        " mohon tuliskan terlebih dahulu."
    )
    assert "--solution" not in empty.text
    done = act(staffed, number, "resolve", catatan="Router diganti.")
    assert done.status_code == 303
    assert ticket(staffed, number).state == "resolved"


def test_help_desk_corrects_the_form(staffed: Desk) -> None:
    number = number_in(staffed.submit(reporter_name="Budi Santosa"))
    staffed.login("sari")
    page = staffed.client.get(f"/petugas/tiket/{number}")
    assert 'name="aksi" value="edit"' in page.text
    fields = {"reporter_name": "Budi Santoso", "phone": "12", "alasan": "telepon pelapor"}
    bad = act(staffed, number, "edit", **fields)
    assert bad.status_code == 422 and "Nomor Telepon / HandPhone tidak valid" in bad.text
    fields["phone"] = "0812-3456-7890"
    assert act(staffed, number, "edit", **fields).status_code == 303
    assert ticket(staffed, number).reporter_name == "Budi Santoso"


def test_staff_page_escapes_what_the_reporter_typed(staffed: Desk) -> None:
    number = number_in(staffed.submit(description="<img src=x onerror=alert(1)> rusak"))
    staffed.login("sari")
    page = staffed.client.get(f"/petugas/tiket/{number}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_printable_documents_and_attachment(staffed: Desk) -> None:
    files = {"lampiran": ("layar.png", b"\x89PNG data", "image/png")}
    number = number_in(staffed.submit(files=files))
    staffed.login("sari")
    formulir = staffed.client.get(f"/petugas/cetak/formulir/{number}")
    assert formulir.status_code == 200 and "FORMULIR PENGADUAN LAYANAN TIK" in formulir.text
    assert staffed.client.get(f"/petugas/cetak/disposisi/{number}").status_code == 404
    page = staffed.client.get(f"/petugas/tiket/{number}").text
    link = re.search(r'href="(/petugas/berkas/\d+)">layar.png', page)
    assert link
    got = staffed.client.get(link.group(1))
    assert got.content == b"\x89PNG data"
    assert got.headers["content-disposition"].startswith("attachment")


def test_report_page_is_the_cli_report(staffed: Desk) -> None:
    """The monthly report page has the same figures as `helpdesk report -f html`."""
    from helpdesk.reporting import build_report
    from records.output import as_html
    from records.periods import month_period

    staffed.submit()
    staffed.login("rudi")
    page = staffed.client.get("/petugas/laporan?bulan=2026-11")
    assert page.status_code == 200
    period = month_period("2026-11", staffed.site.config.calendar.timezone)
    assert page.text == as_html(build_report(staffed.site, period))
    assert staffed.client.get("/petugas/laporan?bulan=13-2026").status_code == 400
