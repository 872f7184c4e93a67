"""Acting by reply against the real daemon: a real Dovecot mailbox, a real SMTP server, the
`helpdesk` process. After the first escalation no command is typed: the unit head, the
technician and the reporter answer the e-mails they received, the way their mail clients
write answers; forged and strangers' answers change nothing and the real owner is told."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Received, Sink
from tests.faults.support import cli, deliver, last_to, query, run_once
from tests.mail import email

NUMBER = "TIK-2026-00001"
BUDI = "budi.santoso@dinkes.example.go.id"
RUDI = "rudi.hartono@example.go.id"
AGUS = "agus.setiawan@example.go.id"


def _answer(received: Received, body: str, sender: str, **headers: str) -> bytes:
    """A reply as a mail client writes it: the words on top, the e-mail quoted below."""
    original = received.message
    text = original.get_body(preferencelist=("plain",))
    assert text is not None
    quoted = "\n".join("> " + line for line in text.get_content().splitlines())
    return email(
        f"{body}\n\nPada Senin, 30 Nov 2026, Help Desk menulis:\n{quoted}\n",
        sender=sender, subject="Re: " + str(original["Subject"]),
        in_reply_to=str(original["Message-ID"]), headers=headers or None,
    )  # fmt: skip


def _gmail_html_answer(received: Received, body_html: str, sender: str) -> bytes:
    """An HTML-only reply as Gmail writes it: the words in a div, the e-mail answered in a
    gmail_quote blockquote below."""
    original = received.message
    html_part = original.get_body(preferencelist=("html",))
    assert html_part is not None
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "helpdesk@example.go.id"
    message["Subject"] = "Re: " + str(original["Subject"])
    message["Message-ID"] = make_msgid(domain="example.go.id")
    message["In-Reply-To"] = message["References"] = str(original["Message-ID"])
    message.set_content(
        f'<div dir="ltr">{body_html}</div><br><div class="gmail_quote"><div dir="ltr" '
        'class="gmail_attr">Pada Sen, 30 Nov 2026 pukul 10.00 Help Desk Layanan TIK &lt;'
        'helpdesk@example.go.id&gt; menulis:<br></div><blockquote class="gmail_quote">'
        f"{html_part.get_content()}</blockquote></div>",
        subtype="html",
    )
    return bytes(message)


def _outlook_answer(received: Received, body: str, sender: str) -> bytes:
    """A reply as Outlook writes it: the words, a line of underscores, a header block in
    Indonesian, and the whole e-mail answered below it, not marked as a quote."""
    original = received.message
    text = original.get_body(preferencelist=("plain",))
    assert text is not None
    block = "\n".join([
        "________________________________",
        "Dari: Help Desk Layanan TIK <helpdesk@example.go.id>",
        "Dikirim: Senin, 30 November 2026 11.00",
        f"Kepada: Budi Santoso <{BUDI}>",
        f"Subjek: {original['Subject']}",
    ])  # fmt: skip
    return email(
        f"{body}\n\n{block}\n\n{text.get_content()}",
        sender=sender, subject="RE: " + str(original["Subject"]),
        in_reply_to=str(original["Message-ID"]),
    )  # fmt: skip


def _state(site: Path) -> tuple[str, str | None]:
    [(state, technician)] = query(site, "SELECT state, technician FROM ticket")
    return state, technician


def _escalated(site: Path, dovecot: DovecotServer, sink: Sink) -> Received:
    deliver(dovecot.port, [email()])
    run_once(site)
    cli(site, "ticket", "take", NUMBER, "--by", "sari")
    cli(site, "ticket", "escalate", NUMBER, "--by", "sari")
    run_once(site)
    return last_to(sink, RUDI)


def test_a_complaint_closes_by_replies_through_the_mailbox(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    escalation = _escalated(site, dovecot, sink)
    deliver(dovecot.port, [_answer(escalation, "Disposisi: Agus Setiawan\nMohon periksa switch "
                                               "lantai 2.", f"Rudi Hartono <{RUDI}>")])  # fmt: skip
    run_once(site)
    assert _state(site) == ("disposed", "agus")
    confirmation = last_to(sink, RUDI).message.get_body(preferencelist=("plain",))
    assert confirmation is not None
    said = " ".join(confirmation.get_content().split())
    assert "Agus Setiawan" in said and "dicatat" in said

    disposition = last_to(sink, AGUS)
    deliver(dovecot.port, [_answer(disposition, "SELESAI\nSwitch lantai 2 diganti.\n\n"
                                                "Dikirim dari Yahoo Mail di Android",
                                   f"Agus Setiawan <{AGUS}>")])  # fmt: skip
    run_once(site)
    assert _state(site)[0] == "resolved"

    final = last_to(sink, BUDI)
    deliver(dovecot.port, [_answer(final, "Ya, sudah normal. Terima kasih",
                                   f"Budi Santoso <{BUDI}>")])  # fmt: skip
    run_once(site)
    assert _state(site)[0] == "closed"
    actors = query(site, "SELECT action, actor FROM event WHERE action IN "
                         "('dispose', 'resolve', 'close') ORDER BY id")  # fmt: skip
    assert actors == [("dispose", "rudi"), ("resolve", "agus"), ("close", BUDI)]
    closing = last_to(sink, BUDI).message
    assert "ditutup" in str(closing["Subject"]).lower()


def test_forged_and_strangers_answers_change_nothing(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """A stranger quoting the real Message-ID, and the unit head's address forged with
    the office server's failing verdict: nothing moves; the unit head is told, at his own
    address, of the one that bore it."""
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[intake.folders]", 'trusted_authserv_id = "mx.example.go.id"'
                                   "\n\n[intake.folders]", 1), encoding="utf-8")  # fmt: skip
    escalation = _escalated(site, dovecot, sink)
    before = len(sink.received)
    failing = "mx.example.go.id; spf=fail smtp.mailfrom=example.go.id; dkim=none; dmarc=fail"
    deliver(dovecot.port, [
        _answer(escalation, "DISPOSISI agus", "Orang Lain <orang@evil.example>"),
        _answer(escalation, "DISPOSISI agus\nMohon langsung ditutup", f"Rudi Hartono <{RUDI}>",
                **{"Authentication-Results": failing}),
    ])  # fmt: skip
    run_once(site)
    assert _state(site) == ("escalated", None)
    outcomes = [o for (o,) in query(site, "SELECT outcome FROM inbound ORDER BY id")][-2:]
    assert outcomes == ["reply_stranger", "unverified"]
    told = sink.received[before:]
    assert [r.recipients for r in told] == [[RUDI]]
    assert "orang@evil.example" not in [a for r in told for a in r.recipients]
    actors = [a for (a,) in query(site, "SELECT actor FROM event ORDER BY id")]
    assert "rudi" not in actors and actors[-1] == "unverified-sender"


SARI = "sari.wulandari@example.go.id"


def _plain(received: Received) -> str:
    body = received.message.get_body(preferencelist=("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


def test_from_the_help_desks_copy_by_replies_alone_and_a_not_yet_reopens(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """No command at all: the help desk escalates by answering its copy of the complaint
    (an HTML-only reply, as Gmail writes it), the unit head disposes, the technician
    solves, and the reporter's BELUM (an Outlook reply, the Laporan Akhir whole below it)
    reopens the ticket to the technician, who is told."""
    deliver(dovecot.port, [email()])
    run_once(site)
    copy = last_to(sink, SARI)
    assert "Pengaduan baru" in str(copy.message["Subject"])
    escalate = "<b>ESKALASI</b> jaringan<br>Sudah dicek jarak jauh, mohon dicek di lokasi."
    deliver(dovecot.port, [_gmail_html_answer(copy, escalate, f"Sari Wulandari <{SARI}>")])
    run_once(site)
    assert _state(site) == ("escalated", None)

    escalation = last_to(sink, RUDI)
    deliver(dovecot.port, [_answer(escalation, "DISPOSISI agus\nMohon dicek hari ini.",
                                   f"Rudi Hartono <{RUDI}>")])  # fmt: skip
    run_once(site)
    disposition = last_to(sink, AGUS)
    deliver(dovecot.port, [_answer(disposition, "SELESAI\nKabel LAN diganti.",
                                   f"Agus Setiawan <{AGUS}>")])  # fmt: skip
    run_once(site)
    assert _state(site)[0] == "resolved"

    final = last_to(sink, BUDI)  # its text asks for "YA" (quoted below, never read)
    not_yet = "Belum pak, internet masih putus di lantai 2."
    deliver(dovecot.port, [_outlook_answer(final, not_yet, f"Budi Santoso <{BUDI}>")])
    run_once(site)
    assert _state(site) == ("disposed", "agus")
    reopened = last_to(sink, AGUS)
    assert "dibuka kembali" in str(reopened.message["Subject"]).lower()
    assert "internet masih putus di lantai 2" in _plain(reopened)
    actors = query(site, "SELECT action, actor FROM event WHERE action IN "
                         "('escalate', 'dispose', 'resolve', 'reopen') ORDER BY id")  # fmt: skip
    assert actors == [("escalate", "sari"), ("dispose", "rudi"), ("resolve", "agus"),
                      ("reopen", BUDI)]  # fmt: skip


def test_a_silent_reporters_ticket_closes_itself_after_the_wait(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """Resolved on Monday 30 November at 11.00; 10 working days of silence: one reminder at
    half of the wait (Monday 7 December, 11.00), then the ticket closes itself (Monday 14
    December, 11.00) and the reporter is told."""
    escalation = _escalated(site, dovecot, sink)
    deliver(dovecot.port, [_answer(escalation, "DISPOSISI agus", f"Rudi Hartono <{RUDI}>")])
    run_once(site)
    deliver(dovecot.port, [_answer(last_to(sink, AGUS), "SELESAI\nKabel LAN diganti.",
                                   f"Agus Setiawan <{AGUS}>")])  # fmt: skip
    run_once(site, now="2026-11-30T11:00:00+07:00")
    assert _state(site)[0] == "resolved"
    to_budi = len([r for r in sink.received if BUDI in r.recipients])

    run_once(site, now="2026-12-07T10:30:00+07:00")  # before half of the wait: nothing
    assert len([r for r in sink.received if BUDI in r.recipients]) == to_budi
    run_once(site, now="2026-12-07T11:30:00+07:00")
    reminder = last_to(sink, BUDI)
    assert len([r for r in sink.received if BUDI in r.recipients]) == to_budi + 1
    assert "14 Desember 2026 pukul 11.00" in _plain(reminder)
    run_once(site, now="2026-12-14T10:30:00+07:00")  # before the end of the wait
    assert _state(site)[0] == "resolved"

    run_once(site, now="2026-12-14T11:30:00+07:00")
    assert _state(site)[0] == "closed"
    [(actor, data)] = query(site, "SELECT actor, data FROM event WHERE action = 'close'")
    assert actor == "system" and json.loads(data)["silence"] is True
    closing = last_to(sink, BUDI)
    assert "ditutup" in str(closing.message["Subject"]).lower()
