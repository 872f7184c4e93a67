"""/tiket/<number>?k=<token>: the reporter's status page, and /lacak."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import httpx2 as httpx

from helpdesk.service import move_ticket
from notifier.outbox import email_bytes
from tests.web.conftest import Desk, number_in, status_link_in, without_token
from ticketing.models import Ticket
from ticketing.workflow import Action, Move


def registered(desk: Desk, **changes: str | None) -> tuple[str, str]:
    page = desk.submit(**changes)
    return number_in(page), status_link_in(page).replace("http://127.0.0.1:8080", "")


def move(desk: Desk, number: str, action: Action, actor: str, note: str = "", **kw: str) -> None:
    outcome = move_ticket(desk.site, number, Move(action, actor, note=note, **kw),
                          now=desk.site.now())  # fmt: skip
    assert not hasattr(outcome, "message"), outcome


def resolved(desk: Desk) -> tuple[str, str]:
    number, link = registered(desk)
    move(desk, number, Action.TAKE, "sari")
    move(desk, number, Action.ESCALATE, "sari")
    move(desk, number, Action.DISPOSE, "rudi", "Cek router lantai 2", technician="agus")
    move(desk, number, Action.NOTE, "agus", "Catatan internal: sandi router 1234")
    move(desk, number, Action.RESOLVE, "agus", "Router diganti, koneksi normal kembali.")
    return number, link


def ticket(desk: Desk, number: str) -> Ticket:
    with desk.site.reader.transaction() as tx:
        found = tx.ticket(number)
    assert found is not None
    return found


def answer(desk: Desk, number: str, token: str, aksi: str, text: str = "") -> httpx.Response:
    """The reporter's answer on the status page, as its form sends it."""
    data = {"csrf_token": desk.token(), "k": token, "aksi": aksi, "keterangan": text}
    return desk.client.post(f"/tiket/{number}", data=data)


def csrf(desk: Desk, link: str) -> str:
    """The session's form token (from a page with a form: the status page may have none)."""
    return desk.token()


def test_status_page_shows_step_deadline_form_and_public_timeline(desk: Desk) -> None:
    """The page says where the complaint stands in words, with the step's deadline, the
    form, and the timeline without internal notes."""
    number, link = resolved(desk)
    page = desk.client.get(link)
    assert page.status_code == 200
    assert "Tahap 7 dari 7: Laporan Akhir dan konfirmasi" in page.text
    assert "Selesai, menunggu konfirmasi pelapor" in page.text
    assert "Router diganti, koneksi normal kembali." in page.text
    assert "Budi Santoso" in page.text and "Dinas Kesehatan" in page.text
    assert "Didisposisikan" in page.text or "Disposisi" in page.text
    assert "sandi router 1234" not in page.text
    assert "Apakah permasalahan Bapak sudah terselesaikan?" in page.text


def test_wrong_or_missing_token_looks_like_a_missing_ticket(desk: Desk) -> None:
    """Without the token, or with another ticket's, nothing of the ticket is shown: the
    same 404 as a number that does not exist."""
    number, link = registered(desk)
    _, other = registered(desk)
    missing = desk.client.get("/tiket/TIK-2026-09999?k=abc")
    for path in (f"/tiket/{number}", f"/tiket/{number}?k=salah",
                 f"/tiket/{number}?k={other.split('k=')[1]}"):  # fmt: skip
        page = desk.client.get(path)
        assert page.status_code == 404
        assert "Budi" not in page.text and number not in page.text
        assert page.text.replace(path, "") == missing.text.replace(
            "/tiket/TIK-2026-09999?k=abc", ""
        )


def test_sudah_selesai_closes_as_the_email_yes_does(desk: Desk) -> None:
    """ "Sudah selesai" closes the ticket as the reporter's own confirmation, the move a YA
    by e-mail makes (by the reporter, through the same service)."""
    number, link = resolved(desk)
    token = link.split("k=")[1]
    page = answer(desk, number, token, "selesai")
    assert page.status_code == 200
    assert "tiket ditutup" in page.text
    closed = ticket(desk, number)
    assert closed.state == "closed"
    with desk.site.reader.transaction() as tx:
        events = tx.events(closed)
    last = events[-1]
    assert (last.action, last.channel, last.from_state) == ("close", "web", "resolved")
    assert last.actor == "budi.santoso@dinkes.example.go.id"


def test_belum_selesai_needs_a_reason_and_reopens(desk: Desk) -> None:
    number, link = resolved(desk)
    token = link.split("k=")[1]
    data = {"csrf_token": csrf(desk, link), "k": token, "aksi": "belum", "keterangan": ""}
    page = desk.client.post(f"/tiket/{number}", data=data)
    assert page.status_code == 422
    assert "Mohon tuliskan mengapa" in page.text
    assert ticket(desk, number).state == "resolved"
    data["keterangan"] = "Masih putus setiap sore."
    page = desk.client.post(f"/tiket/{number}", data=data)
    assert page.status_code == 200
    reopened = ticket(desk, number)
    assert (reopened.state, reopened.assignee) == ("disposed", "agus")


def test_confirm_is_refused_before_the_ticket_is_resolved(desk: Desk) -> None:
    number, link = registered(desk)
    token = link.split("k=")[1]
    page = answer(desk, number, token, "selesai")
    assert page.status_code == 409
    assert ticket(desk, number).state == "received"


def test_a_post_with_a_wrong_token_changes_nothing(desk: Desk) -> None:
    number, link = resolved(desk)
    page = answer(desk, number, "salah", "selesai")
    assert page.status_code == 404
    assert ticket(desk, number).state == "resolved"


def test_paused_ticket_has_a_box_to_answer(desk: Desk) -> None:
    """While the ticket waits on the reporter, the page shows what is awaited and a box; the
    answer is the reporter's note and starts the clock again."""
    number, link = registered(desk)
    move(desk, number, Action.TAKE, "sari")
    move(desk, number, Action.PAUSE, "sari", "Mohon kirim nomor seri modem.")
    page = desk.client.get(link)
    assert "Mohon kirim nomor seri modem." in page.text
    assert 'name="aksi" value="jawab"' in page.text
    token = link.split("k=")[1]
    page = desk.client.post(f"/tiket/{number}", data={
        "csrf_token": csrf(desk, link), "k": token, "aksi": "jawab",
        "keterangan": "Nomor seri ZTE-12345",
    })  # fmt: skip
    assert page.status_code == 200
    resumed = ticket(desk, number)
    assert resumed.paused_at is None
    with desk.site.reader.transaction() as tx:
        notes = [e.note for e in tx.events(resumed)]
    assert "Nomor seri ZTE-12345" in notes


def test_typed_values_are_escaped_on_the_status_page(desk: Desk) -> None:
    number, link = registered(desk, description="<script>alert('x')</script> internet mati")
    page = desk.client.get(link)
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text


def test_lacak_emails_the_link_only_when_number_and_address_match(desk: Desk) -> None:
    """The page says the same either way; the link goes by e-mail to the form's address
    only when number and address match."""
    number, link = registered(desk)
    token = desk.token("/lacak")
    asked = {"csrf_token": token, "nomor": number, "email": "orang.lain@example.org"}
    wrong = desk.client.post("/lacak", data=asked)
    asked.update(nomor=number.lower(), email="Budi.Santoso@dinkes.example.go.id")
    right = desk.client.post("/lacak", data=asked)
    assert wrong.status_code == right.status_code == 200
    assert without_token(wrong) == without_token(right)
    assert number not in right.text and "k=" not in right.text
    with desk.site.reader.transaction() as tx:
        sent = [m for m in tx.outbox() if m.kind == "reporter.status_link"]
    assert len(sent) == 1 and sent[0].recipients == ["budi.santoso@dinkes.example.go.id"]
    body = (
        message_from_bytes(email_bytes(sent[0], desk.site.office), policy=default)
        .get_body(("plain",))
        .get_content()
    )
    assert f"http://127.0.0.1:8080{link}" in body.replace("=\n", "")
