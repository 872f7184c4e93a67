"""E-mails through `helpdesk intake inject`: the same path as the mailbox, without IMAP."""

from __future__ import annotations

import datetime as dt
import json
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.mail import FORM_TEXT, email, without


def _outbox(cli: Cli) -> list[dict]:
    return json.loads(cli("outbox", "list", "--json").stdout)


def _raw(site_dir: Path, message_id: str) -> bytes:
    """The e-mail's bytes, as the sender will send them (rendered from its draft)."""
    from helpdesk.wiring import Site
    from notifier.outbox import email_bytes

    here = Site.load(str(site_dir / "config.toml"))
    with here.reader.transaction() as tx:
        email = tx.outbox_by_message_id(message_id)
    assert email is not None
    return email_bytes(email, here.office)


def test_complete_complaint_becomes_a_ticket_with_an_acknowledgement(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """A complete form by e-mail is a ticket on the e-mail channel, acknowledged in its thread."""
    result = inject(email(message_id="<first@dinkes.example.go.id>"))
    assert result.exit_code == 0, result.output
    assert "ticket TIK-2026-00001" in result.stdout
    ticket = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert (ticket["channel"], ticket["state"], ticket["reporter_name"]) == (
        "email", "received", "Budi Santoso",
    )  # fmt: skip
    assert ticket["signature"] == "budi.santoso@dinkes.example.go.id"
    [ack, copy] = _outbox(ready)
    assert ack["kind"] == "reporter.acknowledged" and ack["auto_submitted"] == "auto-replied"
    assert copy["kind"] == "help_desk.new_ticket" and copy["auto_submitted"] == "auto-generated"
    assert copy["recipients"] == ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]


def test_incomplete_complaint_gets_a_reply_listing_what_is_missing(
    inject, ready: Cli, site_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """A form without phone and sex is not a ticket; the reply names both fields."""
    body = without("Jenis Kelamin", without("Nomor Telepon"))
    result = inject(email(body, message_id="<partial@dinkes.example.go.id>"))
    assert result.exit_code == 0, result.output
    assert "incomplete submission 1" in result.stdout
    assert json.loads(ready("ticket", "list", "--json").stdout) == []
    [reply] = _outbox(ready)
    assert reply["kind"] == "reporter.incomplete"
    message = message_from_bytes(_raw(site_dir, reply["message_id"]), policy=default_policy)
    assert message["In-Reply-To"] == "<partial@dinkes.example.go.id>"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Nomor Telepon / HandPhone belum diisi." in text
    assert "Jenis Kelamin belum diisi." in text


def test_reply_completing_an_incomplete_report_makes_the_ticket(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """The reporter's reply with the missing fields turns the report into one ticket."""
    body = without("Jenis Kelamin", without("Nomor Telepon"))
    inject(email(body, message_id="<partial@dinkes.example.go.id>"))
    [reply] = _outbox(ready)
    answer = "Nomor Telepon / HandPhone: 0812-3456-7890\nJenis Kelamin: L\n\n> " + "\n> ".join(
        FORM_TEXT.splitlines()
    )
    result = inject(
        email(answer, subject="Re: Laporan belum lengkap", in_reply_to=reply["message_id"])
    )
    assert result.exit_code == 0, result.output
    assert "completed TIK-2026-00001" in result.stdout
    ticket = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert ticket["phone"] == "+6281234567890" and ticket["sex"] == "L"
    assert ticket["description"].startswith("Koneksi internet di ruang pelayanan")
    kinds = [e["kind"] for e in _outbox(ready)]
    assert kinds == ["reporter.incomplete", "reporter.acknowledged", "help_desk.new_ticket"]


def test_automatic_mail_is_archived_and_never_answered(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """An out-of-office reply makes no ticket and no e-mail."""
    result = inject(email("Saya sedang cuti.", headers={"Auto-Submitted": "auto-replied"}))
    assert "automatic" in result.stdout
    assert json.loads(ready("ticket", "list", "--json").stdout) == []
    assert _outbox(ready) == []


def test_the_same_message_twice_makes_one_ticket(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """A message delivered or fetched twice is recognised and skipped."""
    raw = email(message_id="<once@dinkes.example.go.id>")
    inject(raw)
    again = inject(raw)
    assert "(already stored)" in again.stdout
    assert len(json.loads(ready("ticket", "list", "--json").stdout)) == 1
    assert [e["kind"] for e in _outbox(ready)] == ["reporter.acknowledged", "help_desk.new_ticket"]


def test_reporters_reply_joins_the_ticket_and_restarts_its_clock(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """A reply in the ticket's thread is added to it; a paused ticket's clock runs again."""
    inject(email())
    [ack, copy] = _outbox(ready)  # the acknowledgement, and the help desk's copy
    ready("ticket", "take", "TIK-2026-00001", "--by", "sari")
    ready("ticket", "pause", "TIK-2026-00001", "--by", "sari", "--reason", "Mohon kirim foto")
    result = inject(
        email("Foto sudah saya lampirkan.\n\n> kutipan", subject="Re: [TIK-2026-00001] x",
              in_reply_to=ack["message_id"]),
        now="2026-11-30T10:00:00+07:00",
    )  # fmt: skip
    assert "reply TIK-2026-00001" in result.stdout
    ticket = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert ticket["paused"] is False
    actions = [(e["action"], e["actor"], e["note"]) for e in ticket["events"]][-2:]
    assert actions == [
        ("note", "budi.santoso@dinkes.example.go.id", "Foto sudah saya lampirkan."),
        ("resume", "budi.santoso@dinkes.example.go.id", "Pelapor menjawab"),
    ]


def test_strangers_reply_is_kept_but_changes_nothing(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """Someone else answering in the thread is stored, not added to the ticket."""
    inject(email())
    [ack, copy] = _outbox(ready)  # the acknowledgement, and the help desk's copy
    result = inject(email("Saya juga mengalami.", sender="orang@lain.example.id",
                          in_reply_to=ack["message_id"]))  # fmt: skip
    assert "reply_stranger" in result.stdout
    ticket = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert [e["action"] for e in ticket["events"]] == ["create"]


def test_delivery_report_naming_our_e_mail_without_its_token_changes_nothing(
    inject, ready: Cli
) -> None:  # type: ignore[no-untyped-def]
    """A delivery report that names our acknowledgement's Message-ID and its recipient, but
    carries no token of it, is archived as unverified: no alert, no note, nothing marked."""
    inject(email())
    [ack, copy] = _outbox(ready)  # the acknowledgement, and the help desk's copy
    result = inject(_dsn(ack["message_id"], "budi.santoso@dinkes.example.go.id"))
    assert result.exit_code == 0 and ": bounce" in result.stdout, result.output
    [kept] = json.loads(ready("intake", "list", "--outcome", "bounce", "--json").stdout)
    assert kept["detail"] == f"unverified: names our e-mail {ack['id']} without its token"
    assert _outbox(ready) == [ack, copy]  # not re-marked, no alert queued
    ticket = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert [e["action"] for e in ticket["events"]] == ["create"]


def test_delivery_report_with_the_token_of_an_e_mail_never_sent_is_unverified(
    inject, ready: Cli, site_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """Even the right token counts only for an e-mail the SMTP server took: a report about
    one still waiting in the outbox cannot be real."""
    inject(email())
    [ack, copy] = _outbox(ready)  # the acknowledgement, and the help desk's copy
    raw = message_from_bytes(_raw(site_dir, ack["message_id"]), policy=default_policy)
    ref = str(raw["X-Helpdesk-Ref"])
    assert ref.startswith("b-") and len(ref) == 18
    inject(_dsn(ack["message_id"], "budi.santoso@dinkes.example.go.id", ref=ref))
    [kept] = json.loads(ready("intake", "list", "--outcome", "bounce", "--json").stdout)
    never = f"unverified: the token of our e-mail {ack['id']}, which was never sent"
    assert kept["detail"] == never
    assert _outbox(ready) == [ack, copy]


def test_unreadable_file_is_one_error_line(ready: Cli, tmp_path: Path) -> None:
    """A path that does not exist is refused before anything is processed."""
    result = ready("intake", "inject", str(tmp_path / "none.eml"))
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("none.eml: no such file")


def _dsn(original_id: str, recipient: str, ref: str | None = None) -> bytes:
    """A Postfix-style delivery report; ``ref`` the returned original's X-Helpdesk-Ref."""
    returned = f"X-Helpdesk-Ref: {ref}\r\n" if ref else ""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.go.id>\r\n"
        "To: helpdesk@example.go.id\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce1@mx.example.go.id>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.go.id\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: helpdesk@example.go.id\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        f"{returned}Subject: [TIK-2026-00001] Pengaduan diterima\r\n"
        "\r\n--B--\r\n"
    ).encode()


def _with_attachment(body: str, name: str, payload: bytes, **kw) -> bytes:  # type: ignore[no-untyped-def]
    message = message_from_bytes(email(body, **kw), policy=default_policy)
    message.add_attachment(payload, maintype="application", subtype="pdf", filename=name)
    return bytes(message)


def test_attachments_are_archived_with_the_ticket(inject, ready: Cli, site_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A complaint's attachment is kept in the ticket's archive folder with its SHA-256."""
    import hashlib

    payload = b"%PDF-1.4 tangkapan layar galat"
    inject(_with_attachment(FORM_TEXT, "../../galat layar.pdf", payload))
    shown = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    [attachment] = shown["attachments"]
    assert attachment["sha256"] == hashlib.sha256(payload).hexdigest()
    stored = site_dir / "var" / "archive" / attachment["stored_path"]
    assert stored.read_bytes() == payload
    assert stored.parent.name == "TIK-2026-00001" and ".." not in attachment["stored_path"]


def test_message_over_the_limits_is_kept_and_the_sender_told(
    inject, ready: Cli, site_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """An attachment over the limit: no ticket, the message kept, a reply naming the limit."""
    config = site_dir / "config.toml"
    config.write_text(
        config.read_text().replace("max_attachment_mb = 10", "max_attachment_mb = 0.001")
    )
    result = inject(_with_attachment(FORM_TEXT, "foto.pdf", b"x" * 5000))
    assert "refused" in result.stdout
    assert json.loads(ready("ticket", "list", "--json").stdout) == []
    [reply] = _outbox(ready)
    assert reply["kind"] == "reporter.refused"
    text = message_from_bytes(_raw(site_dir, reply["message_id"]), policy=default_policy)
    body = text.get_body(preferencelist=("plain",)).get_content()
    assert 'Lampiran "foto.pdf"' in body and "melebihi batas" in body
    [kept] = json.loads(ready("intake", "list", "--json").stdout)
    assert kept["outcome"] == "refused"


def test_flooding_sender_is_held_after_one_notice(inject, ready: Cli, site_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Past the hourly limit a sender gets one notice; more mail is kept, making no tickets,
    until the help desk releases them and replays it."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace("sender_messages_per_hour = 20",
                                                 "sender_messages_per_hour = 2"))  # fmt: skip
    outcomes = []
    for n in range(5):
        result = inject(email(without("Jabatan"), message_id=f"<f{n}@dinkes.example.go.id>"))
        outcomes.append(result.stdout.split(": ")[1].split()[0])
    assert outcomes == ["incomplete", "incomplete", "held", "held", "held"]
    kinds = [e["kind"] for e in _outbox(ready)]
    assert kinds == ["reporter.incomplete", "reporter.incomplete", "reporter.held"]
    holds = json.loads(ready("intake", "holds", "--json").stdout)
    assert [h["address"] for h in holds] == ["budi.santoso@dinkes.example.go.id"]

    held = [m["id"] for m in json.loads(ready("intake", "list", "--json").stdout)
            if m["outcome"] == "held"]  # fmt: skip
    refused = ready("intake", "replay", str(held[0]))
    assert refused.exit_code == 1 and "still held" in refused.stderr
    ready("intake", "release", "budi.santoso@dinkes.example.go.id", "--by", "sari")
    replayed = ready("intake", "replay", str(held[0]), now="2026-11-30T11:00:00+07:00")
    assert replayed.exit_code == 0, replayed.output
    assert "incomplete" in replayed.stdout


def test_forwarded_complaint_keeps_the_forwarded_form(inject, ready: Cli) -> None:  # type: ignore[no-untyped-def]
    """An Outlook forward of a colleague's complaint is read, not cut as a quoted reply."""
    body = (
        "Mohon ditindaklanjuti.\n\n________________________________\n"
        "From: Budi <budi.santoso@dinkes.example.go.id>\nSent: Monday, 30 November 2026 08:00\n"
        "To: Kepala Bidang\nSubject: Internet mati\n\n" + FORM_TEXT
    )
    result = inject(email(body, subject="FW: Internet mati"))
    assert "ticket TIK-2026-00001" in result.stdout, result.output


def test_failing_message_is_quarantined_then_replayed(
    inject, ready: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A message whose processing fails is kept in quarantine with its reason; after the
    fix, replaying it makes its ticket."""
    import helpdesk.jobs.reports as job  # where the form is read

    real = job.extract_fields

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("extraction bug")

    monkeypatch.setattr(job, "extract_fields", broken)
    result = inject(email())
    assert result.exit_code == 1 and "quarantine" in result.stdout
    [kept] = json.loads(ready("intake", "quarantine", "--json").stdout)
    assert "RuntimeError: extraction bug" in kept["detail"]
    assert json.loads(ready("ticket", "list", "--json").stdout) == []

    monkeypatch.setattr(job, "extract_fields", real)  # the fix
    replayed = ready("intake", "replay", str(kept["id"]))
    assert replayed.exit_code == 0, replayed.output
    assert "ticket TIK-2026-00001" in replayed.stdout
    assert json.loads(ready("intake", "quarantine", "--json").stdout) == []


@pytest.mark.parametrize(
    "date",
    [
        "2026-11-27T16:10:00+07:00",  # a recent Date
        "1999-12-31T23:00:00+07:00",  # a Date years back (forged, or a clock never set)
        "2027-01-02T08:00:00+07:00",  # a Date in the future
    ],
)
def test_a_senders_date_is_never_taken_for_the_receipt(inject, ready: Cli, date: str) -> None:  # type: ignore[no-untyped-def]
    """A message with no arrival time of the mail server (injected from a file) was
    received when it is read, whatever its sender's Date says: a Date neither backdates
    the complaint nor gives it another year's number."""
    raw = email(message_id="<dated@dinkes.example.go.id>", date=dt.datetime.fromisoformat(date))
    result = inject(raw)
    assert result.exit_code == 0, result.output
    ticket = json.loads(ready("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert ticket["received_at"] == "2026-11-30T02:00:00+00:00"  # 09.00 WIB, when read
    [created] = [e for e in ticket["events"] if e["action"] == "create"]
    assert created["data"]["started_at"] == "2026-11-30T02:00:00+00:00"
