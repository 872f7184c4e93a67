"""Forged delivery reports against the real daemon: a real Dovecot mailbox, a real SMTP
server, `helpdesk run --once` as its own process.

Reproduces issue 11's attack: 200 forged DSNs naming ten of our Message-IDs, their
Diagnostic-Code asking officers to call a WhatsApp number or open a link. They made 200
alerts per officer, some 20 "bounced" notes per ticket, re-marked delivered e-mails, and
the forger's words went into the alerts and the printed Laporan Akhir. What must hold:
a report counts only with the token of an e-mail we sent (its VERP envelope sender, as the
SMTP server saw it) and one of that e-mail's recipients; repeats are one record; one alert
per e-mail; remote text only ever quoted as the remote server's, its link broken.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from pathlib import Path

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Received, Sink
from tests.bounces import EVIL, EVIL_SHOWN, delivery_report, random_token
from tests.faults.support import count, deliver, folder_contents, helpdesk, query
from tests.mail import FORM_TEXT, email

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
LATER = (NOW + dt.timedelta(minutes=10)).isoformat()
REPORTERS = [f"pelapor{n}@dinkes.example.go.id" for n in range(10)]
OFFICERS = ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]


def _ten_tickets_acknowledged(site: Path, dovecot: DovecotServer, sink: Sink) -> list[Received]:
    """Ten complaints by e-mail, read and answered by one round of the daemon: the ten
    acknowledgements as the SMTP server received them (the help desk's ten copies went out
    too)."""
    deliver(dovecot.port, [
        email(FORM_TEXT.replace("budi.santoso@dinkes.example.go.id", address),
              sender=f"Pelapor {n} <{address}>", subject=f"Internet mati {n}",
              message_id=f"<aduan{n}@dinkes.example.go.id>")
        for n, address in enumerate(REPORTERS)
    ])  # fmt: skip
    done = helpdesk(site, "run", "--once")
    assert done.returncode == 0, done.stderr[-3000:]
    acks = [r for r in sink.received if r.recipients != OFFICERS]
    assert all(r.message["Subject"].startswith("[TIK-2026-") for r in acks)
    assert sorted(r.recipients[0] for r in acks) == sorted(REPORTERS)
    assert len(sink.received) == 20
    assert count(site, "SELECT count(*) FROM outbox WHERE status = 'sent'") == 20
    return acks


def _forged(acks: list[Received], how_many: int) -> list[bytes]:
    """Reports naming our acknowledgements and their recipients, as a forger can write
    them: to our plain address, to a VERP-looking address, with tokens guessed into the
    returned headers; never with a token of ours."""
    made = []
    for n, ack in zip(range(how_many), itertools.cycle(acks), strict=False):
        guess = random_token()
        variant = n % 4
        to = "helpdesk@example.go.id" if variant in (0, 2) else f"helpdesk+b-{guess}@example.go.id"
        returned = {"X-Helpdesk-Ref": f"b-{guess}"} if variant >= 2 else None
        if variant == 3:
            returned = {"Return-Path": f"<helpdesk+b-{guess}@example.go.id>"}
        made.append(
            delivery_report(
                to=to,
                recipient=ack.recipients[0],
                original_id=ack.message["Message-ID"],
                message_id=f"<palsu{n}@mx.evil.example>",
                returned=returned,
            )
        )
    return made


def test_200_forged_reports_change_nothing(site: Path, dovecot: DovecotServer, sink: Sink) -> None:
    """200 forged DSNs naming our ten acknowledgements: each is kept and archived as
    unverified; no alert is queued or sent, no ticket gets a note, every acknowledgement
    stays sent, and the forger's text is in no e-mail of ours."""
    acks = _ten_tickets_acknowledged(site, dovecot, sink)
    before = len(sink.received)
    deliver(dovecot.port, _forged(acks, 200))

    done = helpdesk(site, "run", "--once", now=LATER)
    assert done.returncode == 0, done.stderr[-3000:]

    outcomes = Counter(
        (outcome, detail.split(":")[0])
        for outcome, detail in query(site, "SELECT outcome, detail FROM inbound WHERE "
                                           "message_id LIKE '<palsu%'")
    )  # fmt: skip
    assert outcomes == Counter({("bounce", "unverified"): 200})
    assert len(sink.received) == before  # no alert went out
    assert count(site, "SELECT count(*) FROM outbox WHERE kind = 'help_desk.delivery_failed'") == 0
    assert [s for (s,) in query(site, "SELECT DISTINCT status FROM outbox")] == ["sent"]
    assert count(site, "SELECT count(*) FROM event WHERE action != 'create'") == 0
    assert count(site, "SELECT count(*) FROM bounce") == 0
    assert count(site, "SELECT count(*) FROM outbox WHERE raw LIKE '%evil%'") == 0
    folders = folder_contents(dovecot.port)
    assert folders["INBOX"] == [] and len(folders["Ignored"]) == 200


def test_genuine_report_is_recorded_once_alerted_once_and_quoted_as_remote_text(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path
) -> None:
    """A real report, to the VERP address our sender really used, reaches the mailbox three
    times among 40 forged ones: one record, the acknowledgement marked bounced, one note,
    one alert to the officers; the Diagnostic-Code is quoted as the remote server's words,
    link broken, in the alert and in the printed Laporan Akhir."""
    acks = _ten_tickets_acknowledged(site, dovecot, sink)
    ack = acks[3]
    assert ack.sender.startswith("helpdesk+b-") and ack.sender.endswith("@example.go.id")
    number = ack.message["Subject"].split("]")[0].strip("[")
    genuine = [
        delivery_report(
            to=ack.sender,
            recipient=ack.recipients[0],
            original_id=ack.message["Message-ID"],
            message_id=f"<asli{n}@mx.dinkes.example.go.id>",
        )
        for n in range(3)
    ]
    before = len(sink.received)
    deliver(dovecot.port, [*_forged(acks, 20), *genuine, *_forged(acks, 20)])

    done = helpdesk(site, "run", "--once", now=LATER)
    assert done.returncode == 0, done.stderr[-3000:]

    assert query(site, "SELECT recipient, count FROM bounce") == [(ack.recipients[0], 3)]
    statuses = Counter(s for (s,) in query(site, "SELECT status FROM outbox WHERE kind = "
                                                 "'reporter.acknowledged'"))  # fmt: skip
    assert statuses == Counter({"sent": 9, "bounced": 1})
    notes = query(site, "SELECT note FROM event WHERE actor = 'MAILER-DAEMON'")
    assert len(notes) == 1 and "evil" not in notes[0][0] and "tidak terkirim" in notes[0][0]

    [alert] = sink.received[before:]
    assert alert.recipients == OFFICERS
    text = alert.message.get_body(preferencelist=("plain",)).get_content()
    quoted = " ".join(line[2:] for line in text.splitlines() if line.startswith("> "))
    assert EVIL_SHOWN in quoted
    assert "Teks dari server penerima, dikutip apa adanya. Ini bukan pernyataan Help Desk" in text
    assert b"http://evil.example" not in alert.raw and EVIL not in text

    solved = helpdesk(site, "ticket", "solve", number, "--by", "sari", "--solution",
                      "Alamat e-mail pelapor diperbaiki.", now=LATER)  # fmt: skip
    assert solved.returncode == 0, solved.stderr
    printed = helpdesk(site, "print", "laporan", number, "--out", str(tmp_path), now=LATER)
    assert printed.returncode == 0, printed.stderr
    html = (tmp_path / f"{number}-laporan.html").read_text(encoding="utf-8")
    assert "Teks dari server penerima (dikutip apa adanya, bukan pernyataan Help Desk):" in html
    # The report is the receiving server's, never taken for the reporter's message.
    assert "<td>Laporan kegagalan pengiriman e-mail diterima</td>" in html
    assert "Pesan dari pelapor" not in html
    assert f"<q>550 5.1.1 &lt;user unknown&gt;: Akun Anda diblokir, {EVIL_SHOWN}</q>" in html
    assert "http://evil.example" not in html and "<a " not in html
