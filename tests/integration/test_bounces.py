"""Delivery reports about e-mails really sent through a real SMTP server (aiosmtpd): built
from the envelope sender the server saw, read through `helpdesk intake inject` (the
mailbox's own path). A report counts only with the token of an e-mail we sent to the
address it names; repeats are one record; alerts are one per e-mail and capped per hour;
the remote server's words are only ever shown quoted."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from helpdesk.testing.smtp import Received, Sink
from tests.bounces import EVIL, EVIL_SHOWN, delivery_report, random_token
from tests.cli.conftest import form_args
from tests.integration.test_outbox_smtp import Desk

REPORTER = "budi.santoso@dinkes.example.go.id"
OFFICERS = ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]


_files = itertools.count()


def inject(desk: Desk, tmp_path: Path, raw: bytes) -> str:
    """Read one message as the mailbox would; the line `intake inject` prints."""
    path = tmp_path / f"report-{next(_files)}.eml"
    path.write_bytes(raw)
    return desk.ok("intake", "inject", str(path)).stdout.strip()


def sent_acknowledgements(desk: Desk, sink: Sink, *addresses: str) -> list[Received]:
    """A phone complaint from each address, and its acknowledgement sent: what the SMTP
    server received, in order."""
    for address in addresses:
        desk.ok("phone", *form_args(email=address), "--by", "sari")
    desk.ok("outbox", "send")
    return list(sink.received)


def genuine(mail: Received, **kw: object) -> bytes:
    """The report a receiving server writes about ``mail``: to the envelope sender it had."""
    return delivery_report(
        to=mail.sender, recipient=mail.recipients[0], original_id=mail.message["Message-ID"],
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def alerts(desk: Desk) -> list[dict]:
    return [e for e in desk.outbox() if e["kind"] == "help_desk.delivery_failed"]


def test_genuine_report_repeated_is_one_record_one_note_and_one_alert(
    desk: Desk, sink: Sink, tmp_path: Path
) -> None:
    """The same failure reported three times (servers retry) marks the acknowledgement
    bounced once, notes it once on the ticket and alerts the help desk once; the alert
    quotes the remote server's words under a label, with the link broken."""
    [ack] = sent_acknowledgements(desk, sink, REPORTER)
    assert ack.sender.startswith("helpdesk+b-")
    lines = [inject(desk, tmp_path, genuine(ack)) for _ in range(3)]
    assert all(line.endswith(": bounce TIK-2026-00001") for line in lines), lines

    records = desk.query("SELECT recipient, status, count FROM bounce")
    assert records == [(REPORTER, "5.1.1", 3)]
    details = [d for (d,) in desk.query("SELECT detail FROM inbound ORDER BY id")]
    assert details[0].endswith("bounced 5.1.1") and details[1].startswith("repeat: ")
    first = desk.outbox()[0]
    assert first["status"] == "bounced" and EVIL_SHOWN in first["last_error"]
    ticket = json.loads(desk.ok("ticket", "show", "TIK-2026-00001", "--json").stdout)
    notes = [e for e in ticket["events"] if e["actor"] == "MAILER-DAEMON"]
    assert len(notes) == 1
    assert notes[0]["note"] == (
        f"E-mail tanda terima pengaduan kepada {REPORTER} tidak terkirim: server penerima"
        " mengembalikannya (status 5.1.1)."
    )
    assert EVIL in notes[0]["data"]["bounce"]["remote_text"]  # kept as it came, apart
    shown = desk.ok("ticket", "show", "TIK-2026-00001").stdout
    flat = " ".join(shown.replace("│", " ").split())  # the note column, unwrapped
    assert '[text from the receiving server, quoted:] "550 5.1.1 <user unknown>: Akun' in flat
    assert "hxxp[:]//evil[.]example/verifikasi" in flat and "http://evil" not in shown

    [alert] = alerts(desk)
    assert alert["recipients"] == OFFICERS and alert["status"] == "pending"
    desk.ok("outbox", "send")
    [to_officers] = [m for m in sink.received if m.recipients == OFFICERS]
    message = to_officers.message
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    label = "Teks dari server penerima, dikutip apa adanya. Ini bukan pernyataan Help Desk"
    assert label in text and label in html
    quoted = " ".join(line[2:] for line in text.splitlines() if line.startswith("> "))
    assert quoted == f"550 5.1.1 <user unknown>: Akun Anda diblokir, {EVIL_SHOWN}"
    assert "<blockquote" in html and EVIL_SHOWN in html and "<a " not in html
    assert b"http://evil.example" not in to_officers.raw
    assert "Dikembalikan oleh server penerima" in text


def test_report_with_a_valid_token_for_another_address_or_e_mail_is_unverified(
    desk: Desk, sink: Sink, tmp_path: Path
) -> None:
    """The right token is not enough: the report must name a recipient of that e-mail, and
    must not name another of our e-mails' Message-IDs."""
    first, second = sent_acknowledgements(desk, sink, REPORTER, "siti@bkd.example.go.id")
    stranger = delivery_report(
        to=first.sender, recipient="orang.lain@example.org",
        original_id=first.message["Message-ID"],
    )  # fmt: skip
    mixed = delivery_report(
        to=first.sender, recipient=REPORTER, original_id=second.message["Message-ID"]
    )
    for raw in (stranger, mixed):
        assert inject(desk, tmp_path, raw).endswith(": bounce")
    details = [d for (d,) in desk.query("SELECT detail FROM inbound ORDER BY id")]
    assert details == [
        "unverified: the token of our e-mail 1, which did not go to orang.lain@example.org",
        "unverified: names our e-mail 2 without its token",
    ]
    assert [e["status"] for e in desk.outbox()] == ["sent", "sent"]
    assert desk.query("SELECT count(*) FROM bounce") == [(0,)]


def test_delayed_report_is_noted_and_changes_nothing_else(
    desk: Desk, sink: Sink, tmp_path: Path
) -> None:
    """A genuine 'still trying' report leaves our e-mail sent, with a note of the delay,
    and raises no alert."""
    [ack] = sent_acknowledgements(desk, sink, REPORTER)
    inject(desk, tmp_path, genuine(ack, action="delayed", status="4.4.1",
                                   diagnostic="smtp; 451 4.4.1 try again later"))  # fmt: skip
    [email] = desk.outbox()
    assert email["status"] == "sent" and email["last_error"].startswith("delayed 4.4.1")
    assert desk.query("SELECT count(*) FROM bounce") == [(0,)]


def test_without_verp_the_returned_header_makes_the_report_ours(
    desk: Desk, sink: Sink, site_dir: Path, tmp_path: Path
) -> None:
    """With `verp = false` the envelope sender is the plain address; a report to it that
    returns the original's X-Helpdesk-Ref is verified, one that returns no header is not."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace("verp = true", "verp = false"))
    [ack] = sent_acknowledgements(desk, sink, REPORTER)
    assert ack.sender == "helpdesk@example.go.id"
    bare = genuine(ack)
    inject(desk, tmp_path, bare)
    assert desk.outbox()[0]["status"] == "sent"
    returned = genuine(ack, returned={"X-Helpdesk-Ref": ack.message["X-Helpdesk-Ref"]})
    inject(desk, tmp_path, returned)
    assert desk.outbox()[0]["status"] == "bounced"
    assert len(alerts(desk)) == 1


def test_alerts_are_one_per_e_mail_and_capped_per_hour(
    desk: Desk, sink: Sink, tmp_path: Path
) -> None:
    """Twelve acknowledgements bounce in one hour: twelve records, ten alerts to send and
    two kept in the outbox unsent by the cap (config.toml: 10 an hour)."""
    addresses = [f"pelapor{n}@dinkes.example.go.id" for n in range(12)]
    for ack in sent_acknowledgements(desk, sink, *addresses):
        inject(desk, tmp_path, genuine(ack))
    assert desk.query("SELECT count(*) FROM bounce") == [(12,)]
    statuses = [e["status"] for e in alerts(desk)]
    assert statuses == ["pending"] * 10 + ["suppressed"] * 2
    held = [e for e in alerts(desk) if e["status"] == "suppressed"]
    assert all(e["last_error"].startswith("alert limit: 10 alerts") for e in held)


def test_both_recipients_of_one_e_mail_bouncing_alert_once(
    desk: Desk, sink: Sink, tmp_path: Path
) -> None:
    """A disposition goes to the technician with a copy to the unit head; both addresses
    bounce, in two reports: two records, a note for each, and one alert."""
    desk.ok("phone", *form_args(), "--by", "sari")
    desk.ok("ticket", "escalate", "TIK-2026-00001", "--by", "sari")
    desk.ok("ticket", "dispose", "TIK-2026-00001", "--by", "rudi", "--to", "agus")
    desk.ok("outbox", "send")
    [disposed] = [m for m in sink.received if m.message["Subject"].find("Disposisi") >= 0]
    assert disposed.recipients == ["agus.setiawan@example.go.id", "rudi.hartono@example.go.id"]
    for address in disposed.recipients:
        inject(desk, tmp_path, delivery_report(
            to=disposed.sender, recipient=address, original_id=disposed.message["Message-ID"],
        ))  # fmt: skip
    assert sorted(r for (r,) in desk.query("SELECT recipient FROM bounce")) == sorted(
        disposed.recipients
    )
    assert len(alerts(desk)) == 1
    assert desk.query("SELECT count(*) FROM event WHERE actor = 'MAILER-DAEMON'") == [(2,)]


def test_guessed_tokens_and_our_message_ids_change_nothing(
    desk: Desk, sink: Sink, tmp_path: Path
) -> None:
    """Forged reports naming our acknowledgement, with guessed tokens in every place a
    token may stand, are all archived as unverified."""
    [ack] = sent_acknowledgements(desk, sink, REPORTER)
    message_id = ack.message["Message-ID"]
    forged = [
        delivery_report(to="helpdesk@example.go.id", recipient=REPORTER, original_id=message_id),
        delivery_report(to=f"helpdesk+b-{random_token()}@example.go.id", recipient=REPORTER,
                        original_id=message_id),
        delivery_report(to="helpdesk@example.go.id", recipient=REPORTER, original_id=message_id,
                        returned={"X-Helpdesk-Ref": f"b-{random_token()}",
                                  "Return-Path": f"<helpdesk+b-{random_token()}@example.go.id>"}),
    ]  # fmt: skip
    for raw in forged:
        inject(desk, tmp_path, raw)
    details = [d for (d,) in desk.query("SELECT detail FROM inbound ORDER BY id")]
    assert details == ["unverified: names our e-mail 1 without its token"] * 3
    assert [e["status"] for e in desk.outbox()] == ["sent"]
