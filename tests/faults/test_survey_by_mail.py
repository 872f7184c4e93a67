"""The satisfaction survey answered by e-mail against the real daemon: a real Dovecot
mailbox, a real SMTP server, the `helpdesk` process. The reporter answers the closure
e-mail the way mail clients write answers (the digits on top, the e-mail quoted below);
a second answer changes nothing, an unreadable one is answered with what is expected, and
only the reporter's own reply to our e-mail counts."""

from __future__ import annotations

from pathlib import Path

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Received, Sink
from tests.faults.support import cli, deliver, last_to, query, run_once
from tests.mail import email

NUMBER = "TIK-2026-00001"
BUDI = "budi.santoso@dinkes.example.go.id"
SCORES = "SELECT u1, u2, u3, u4, u5, u6, u7, u8, u9, saran, channel FROM survey_response"


def _text(received: Received) -> str:
    body = received.message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()


def _answer(received: Received, body: str, sender: str = f"Budi Santoso <{BUDI}>") -> bytes:
    """A reply as a mail client writes it: the words on top, the e-mail quoted below."""
    quoted = "\n".join("> " + line for line in _text(received).splitlines())
    return email(
        f"{body}\n\nPada Senin, 30 Nov 2026, Help Desk menulis:\n{quoted}\n",
        sender=sender, subject="Re: " + str(received.message["Subject"]),
        in_reply_to=str(received.message["Message-ID"]),
    )  # fmt: skip


def _closed(site: Path, dovecot: DovecotServer, sink: Sink) -> Received:
    """A complaint by e-mail, solved at first level and closed; the closure e-mail."""
    deliver(dovecot.port, [email()])
    run_once(site)
    cli(site, "ticket", "take", NUMBER, "--by", "sari")
    cli(site, "ticket", "solve", NUMBER, "--by", "sari", "--solution", "Kabel LAN diganti.")
    cli(site, "ticket", "close", NUMBER, "--by", "sari", "--confirmation", "Pelapor: sudah.")
    run_once(site)
    closure = last_to(sink, BUDI)
    assert "ditutup" in str(closure.message["Subject"]).lower()
    return closure


def test_the_reporter_answers_the_closure_e_mail_once(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    closure = _closed(site, dovecot, sink)
    said = " ".join(_text(closure).split())
    assert "Survei Kepuasan Masyarakat" in said and "4 4 3 4 4 4 3 4 4" in said
    [(token,)] = query(site, "SELECT access_token FROM ticket")
    assert f"/survei/{NUMBER}?k={token}" in said

    deliver(dovecot.port, [_answer(closure, "4,4,3,4,4,4,3,4,4\nPetugasnya sigap dan ramah.")])
    run_once(site)
    assert query(site, SCORES) == [(4, 4, 3, 4, 4, 4, 3, 4, 4, "Petugasnya sigap dan ramah.",
                                    "email")]  # fmt: skip
    thanks = " ".join(_text(last_to(sink, BUDI)).split())
    assert "telah kami catat" in thanks and "3 (Cepat)" in thanks

    before = len(sink.received)
    deliver(dovecot.port, [_answer(closure, "1\n1\n1\n1\n1\n1\n1\n1\n1")])
    run_once(site)
    assert query(site, SCORES)[0][:9] == (4, 4, 3, 4, 4, 4, 3, 4, 4)
    [told] = sink.received[before:]
    assert told.recipients == [BUDI]
    assert "jawab sebelumnya" in " ".join(_text(told).split())
    outcomes = [o for (o,) in query(site, "SELECT outcome FROM inbound ORDER BY id")]
    assert outcomes[-2:] == ["reply", "reply"]


def test_an_unreadable_answer_is_answered_with_what_is_expected(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    closure = _closed(site, dovecot, sink)
    deliver(dovecot.port, [_answer(closure, "4 4 5 4 4")])
    run_once(site)
    assert query(site, SCORES) == []
    refusal = last_to(sink, BUDI)
    said = " ".join(_text(refusal).split())
    assert "4 4 5 4 4" in said and "sembilan angka" in said and "Waktu Penyelesaian" in said
    notes = query(site, "SELECT note FROM event WHERE action = 'note'")
    assert notes == [("4 4 5 4 4",)]  # kept: nothing the reporter wrote is lost

    # The answer to that e-mail, one digit per line, with the quote below.
    deliver(dovecot.port, [_answer(refusal, "Selamat siang,\n\n4\n4\n3\n4\n4\n4\n3\n4\n4")])
    run_once(site)
    assert query(site, SCORES) == [(4, 4, 3, 4, 4, 4, 3, 4, 4, "", "email")]


def test_only_the_reporters_own_reply_counts(
    site: Path, dovecot: DovecotServer, sink: Sink
) -> None:
    """A stranger quoting the closure e-mail, and the reporter's address on a message that
    answers no e-mail of ours (the subject's tag alone): nothing is recorded."""
    closure = _closed(site, dovecot, sink)
    tagged_only = email(
        "1 1 1 1 1 1 1 1 1", subject="Re: " + str(closure.message["Subject"]),
        sender=f"Budi Santoso <{BUDI}>",
    )  # fmt: skip
    deliver(dovecot.port, [
        _answer(closure, "1 1 1 1 1 1 1 1 1", sender="Orang Lain <orang@evil.example>"),
        tagged_only,
    ])  # fmt: skip
    run_once(site)
    assert query(site, SCORES) == []
    outcomes = [o for (o,) in query(site, "SELECT outcome FROM inbound ORDER BY id")][-2:]
    assert outcomes == ["reply_stranger", "unverified"]
