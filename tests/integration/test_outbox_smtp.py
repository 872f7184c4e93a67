"""The outbox delivered to a real SMTP server on loopback (aiosmtpd), failures included."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from helpdesk.cli.main import app
from helpdesk.testing.smtp import Sink, SmtpServer, smtp_server
from tests import databases
from tests.cli.conftest import form_args
from tests.conftest import use_smtp

MONDAY_9 = "2026-11-30T09:00:00+07:00"


class Desk:
    """The help desk's CLI on one site, with a clock the test moves."""

    def __init__(self, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.site_dir = site_dir
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()
        monkeypatch.setenv("HELPDESK_CONFIG", str(site_dir / "config.toml"))
        monkeypatch.delenv("HELPDESK_USER", raising=False)

    def __call__(self, *args: str, now: str = MONDAY_9) -> Result:
        self.monkeypatch.setenv("HELPDESK_NOW", now)
        return self.runner.invoke(app, list(args))

    def ok(self, *args: str, now: str = MONDAY_9) -> Result:
        result = self(*args, now=now)
        assert result.exit_code == 0, result.output
        return result

    def outbox(self, *args: str) -> list[dict]:
        return json.loads(self.ok("outbox", "list", "--json", *args).stdout)

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Rows of one query on the site's database, as an operator would read it."""
        return databases.query(self.site_dir, sql, *params)


def test_acknowledgement_is_delivered_with_our_headers(desk: Desk, sink: Sink) -> None:
    """A logged complaint queues its acknowledgement; `outbox send` delivers it over SMTP."""
    desk.ok("phone", *form_args(), "--by", "sari")
    [queued] = desk.outbox()
    assert (queued["status"], queued["kind"]) == ("pending", "reporter.acknowledged")
    assert sink.received == []

    assert "sent 1" in desk.ok("outbox", "send").stdout
    [mail] = sink.received
    assert mail.recipients == ["budi.santoso@dinkes.example.go.id"]
    # The envelope sender is the e-mail's own VERP address, its token also in a header:
    # where a delivery report about it goes, and what makes that report ours.
    [(token,)] = desk.query("SELECT bounce_token FROM outbox")
    assert re.fullmatch(r"[a-z2-7]{16}", token)
    assert mail.sender == f"helpdesk+b-{token}@example.go.id"
    message = mail.message
    assert message["From"].addresses[0].addr_spec == "helpdesk@example.go.id"
    assert message["X-Helpdesk-Ref"] == f"b-{token}"
    assert message["Subject"].startswith("[TIK-2026-00001] ")
    assert message["Message-ID"] == queued["message_id"]
    assert message["Message-ID"].endswith("@example.go.id>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "TIK-2026-00001" in text and "TIK-2026-00001" in html
    assert "Yth. Bapak Budi Santoso" in text
    [sent] = desk.outbox()
    assert sent["status"] == "sent" and sent["sent_at"] is not None


def test_every_sop_step_tells_the_right_people(desk: Desk, sink: Sink) -> None:
    """Escalation, disposition, higher escalation, final report and closure each reach
    the person the SOP names, in one thread per audience; the reporter also hears that the
    complaint went to a unit."""
    desk.ok("phone", *form_args(), "--by", "sari")
    desk.ok("ticket", "escalate", "TIK-2026-00001", "--by", "sari", "--note", "Cek router.")
    desk.ok("ticket", "dispose", "TIK-2026-00001", "--by", "rudi", "--to", "agus")
    desk.ok("ticket", "escalate-higher", "TIK-2026-00001", "--by", "agus", "--report", "Rusak.")
    desk.ok("ticket", "resolve", "TIK-2026-00001", "--by", "kurniawan", "--solution", "Diganti.")
    desk.ok("ticket", "close", "TIK-2026-00001", "--by", "sari", "--confirmation", "YA")
    desk.ok("outbox", "send")

    kinds = [(e["kind"], e["recipients"]) for e in desk.outbox()]
    assert kinds == [
        ("reporter.acknowledged", ["budi.santoso@dinkes.example.go.id"]),
        ("unit_head.escalated", ["rudi.hartono@example.go.id"]),
        ("reporter.escalated", ["budi.santoso@dinkes.example.go.id"]),
        ("technician.disposed", ["agus.setiawan@example.go.id", "rudi.hartono@example.go.id"]),
        (
            "official.escalated_higher",
            ["kurniawan.adi@example.go.id", "rudi.hartono@example.go.id"],
        ),
        ("reporter.final_report", ["budi.santoso@dinkes.example.go.id"]),
        ("reporter.closed", ["budi.santoso@dinkes.example.go.id"]),
    ]
    assert len(sink.received) == 7
    messages = [m.message for m in sink.received]
    ack, escalated, told, disposed, higher, final, closed = messages
    # The reporter's conversation: each e-mail answers the one before it, back to the
    # acknowledgement.
    assert told["In-Reply-To"] == ack["Message-ID"]
    assert final["In-Reply-To"] == told["Message-ID"]
    assert ack["Message-ID"] in final["References"]
    assert final["Message-ID"] in closed["References"]
    # The staff's conversation is another thread, never mixed with the reporter's.
    assert disposed["In-Reply-To"] == escalated["Message-ID"]
    assert ack["Message-ID"] not in disposed.get("References", "")
    assert escalated["Message-ID"] not in told.get("References", "")
    assert "Cek router." in escalated.get_body(preferencelist=("plain",)).get_content()
    assert "Rusak." in higher.get_body(preferencelist=("plain",)).get_content()
    assert "Diganti." in final.get_body(preferencelist=("plain",)).get_content()


def test_temporary_failure_retries_with_back_off(desk: Desk, sink: Sink) -> None:
    """A 451 reply keeps the e-mail, retries it after the back-off, and then delivers it."""
    sink.replies = ["451 4.3.0 Mailbox busy, try later"]
    desk.ok("phone", *form_args(), "--by", "sari")
    desk.ok("outbox", "send")
    [waiting] = desk.outbox()
    assert waiting["status"] == "pending" and waiting["attempts"] == 1
    assert waiting["next_attempt_at"] == "2026-11-30T02:01:00+00:00"  # one minute later
    assert "451" in waiting["last_error"]

    assert "sent 0" in desk.ok("outbox", "send", now="2026-11-30T09:00:30+07:00").stdout
    assert sink.received == []
    desk.ok("outbox", "send", now="2026-11-30T09:01:00+07:00")
    assert len(sink.received) == 1
    assert desk.outbox()[0]["status"] == "sent"


def test_back_off_doubles_until_the_e_mail_is_dead(desk: Desk, sink: Sink, site_dir: Path) -> None:
    """Each temporary failure waits twice as long; after the last attempt the e-mail is dead."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace("max_attempts = 8", "max_attempts = 3"))
    sink.default = "421 4.3.2 Service shutting down"
    desk.ok("phone", *form_args(), "--by", "sari")
    times = ["2026-11-30T09:00:00+07:00", "2026-11-30T09:01:00+07:00", "2026-11-30T09:03:00+07:00"]
    waits = []
    for now in times:
        desk("outbox", "send", now=now)
        ack = desk.outbox("--status", "pending", "--status", "dead")[0]
        waits.append((ack["status"], ack["attempts"], ack["next_attempt_at"]))
    assert waits == [
        ("pending", 1, "2026-11-30T02:01:00+00:00"),
        ("pending", 2, "2026-11-30T02:03:00+00:00"),
        ("dead", 3, "2026-11-30T02:03:00+00:00"),
    ]


def test_permanent_failure_is_dead_and_the_help_desk_is_told(desk: Desk, sink: Sink) -> None:
    """A 550 reply marks the e-mail dead and alerts the help desk, which can retry it."""
    sink.replies = ["550 5.1.1 No such user"]
    desk.ok("phone", *form_args(), "--by", "sari")
    result = desk("outbox", "send")
    assert result.exit_code == 1 and "dead 1" in result.stdout
    dead = desk.outbox("--status", "dead")
    assert len(dead) == 1 and "550" in dead[0]["last_error"]
    [alert] = desk.outbox("--status", "pending")
    assert alert["kind"] == "help_desk.delivery_failed"
    assert alert["recipients"] == ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]

    desk.ok("outbox", "send")
    [delivered] = sink.received
    body = delivered.message.get_body(preferencelist=("plain",)).get_content()
    assert "budi.santoso@dinkes.example.go.id" in body and "550" in body

    desk.ok("outbox", "retry", str(dead[0]["id"]))
    desk.ok("outbox", "send")
    assert [m.recipients for m in sink.received][-1] == ["budi.santoso@dinkes.example.go.id"]


def test_smtp_outage_loses_nothing(site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no SMTP server the e-mails wait; when it is back they are all delivered."""
    sink = Sink()
    server = SmtpServer(sink)  # its port chosen; nothing listens there yet
    use_smtp(site_dir, server.port)
    desk = Desk(site_dir, monkeypatch)
    desk.ok("init")
    desk.ok("phone", *form_args(), "--by", "sari")
    desk.ok("ticket", "escalate", "TIK-2026-00001", "--by", "sari")
    desk.ok("outbox", "send")
    waiting = desk.outbox()
    # the acknowledgement, the escalation to the unit head, the reporter told of it
    assert [e["status"] for e in waiting] == ["pending", "pending", "pending"]
    assert all("connect" in e["last_error"] for e in waiting)

    server.start()
    try:
        desk.ok("outbox", "send", now="2026-11-30T09:05:00+07:00")
    finally:
        server.stop()
    assert len(sink.received) == 3
    assert [e["status"] for e in desk.outbox()] == ["sent", "sent", "sent"]


def test_wrong_tls_setting_pauses_the_outbox(desk: Desk, sink: Sink, site_dir: Path) -> None:
    """STARTTLS against a server without it is a settings problem: nothing is used up."""
    desk.ok("phone", *form_args(), "--by", "sari")
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace('security = "none"', 'security = "starttls"', 1))
    result = desk("outbox", "send")
    assert result.exit_code == 1
    assert "error: smtp:" in result.stderr and "STARTTLS" in result.stderr
    [email] = desk.outbox()
    assert (email["status"], email["attempts"]) == ("pending", 0)


def test_two_senders_never_send_one_e_mail_twice(desk: Desk, sink: Sink, site_dir: Path) -> None:
    """Two `outbox send` processes at once deliver every e-mail exactly once."""
    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace("batch_size = 50", "batch_size = 3"))
    for n in range(15):
        desk.ok("phone", *form_args(email=f"pelapor{n}@dinkes.example.go.id"), "--by", "sari")
    env = {**os.environ, "HELPDESK_CONFIG": str(config), "HELPDESK_NOW": MONDAY_9}
    senders = [
        subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "outbox", "send"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for sender in senders:
        _, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err
    ids = [m.message["Message-ID"] for m in sink.received]
    assert len(ids) == 15 and len(set(ids)) == 15
    assert {e["status"] for e in desk.outbox()} == {"sent"}


def test_each_email_is_marked_sent_as_soon_as_the_server_takes_it(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the server takes the second e-mail of a batch, the first is already recorded
    as sent: a sender killed there would not send the first again."""
    seen: list[list[tuple[str, str]]] = []

    class Watching(Sink):
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            seen.append(
                databases.query(site_dir, "SELECT message_id, status FROM outbox ORDER BY id")
            )
            return await super().handle_DATA(server, session, envelope)

    watching = Watching()
    with smtp_server(watching) as server:
        use_smtp(site_dir, server.port)
        desk = Desk(site_dir, monkeypatch)
        desk.ok("init")
        desk.ok("phone", *form_args(), "--by", "sari")
        desk.ok("phone", *form_args(phone="0812-3456-7891"), "--by", "sari")
        assert "sent 2" in desk.ok("outbox", "send").stdout
    first, second = seen
    assert [status for _, status in first] == ["sending", "sending"]
    assert [status for _, status in second] == ["sent", "sending"]


def test_an_e_mail_is_rendered_when_sent_as_it_was_shown_before(desk: Desk, sink: Sink) -> None:
    """A queued e-mail is kept as data and rendered when it is sent, a day later here: the
    bytes the server receives are those `outbox show --raw` gave while it waited (its Date
    the moment it was queued), and they are kept with it once it is sent, in place of
    the data they were rendered from."""
    desk.ok("phone", *form_args(), "--by", "sari")
    [queued] = desk.outbox()
    [(raw,)] = desk.query("SELECT raw FROM outbox")
    assert raw is None  # not rendered yet
    shown = desk.ok("outbox", "show", "--raw", str(queued["id"])).stdout
    tuesday = "2026-12-01T10:00:00+07:00"
    assert "sent 1" in desk.ok("outbox", "send", now=tuesday).stdout
    [mail] = sink.received
    assert mail.raw.decode("utf-8").replace("\r\n", "\n") + "\n" == shown.replace("\r\n", "\n")
    assert mail.message["Date"] == "Mon, 30 Nov 2026 02:00:00 +0000"
    [(kept, draft)] = desk.query("SELECT raw, draft FROM outbox")
    assert bytes(kept) == mail.raw and draft is None
    again = desk.ok("outbox", "show", "--raw", str(queued["id"])).stdout
    assert again.replace("\r\n", "\n") == shown.replace("\r\n", "\n")


def test_an_e_mail_that_cannot_be_rendered_is_dead_and_the_help_desk_told(
    desk: Desk, sink: Sink
) -> None:
    """An e-mail whose data no longer renders (an acknowledgement is composed from facts
    its draft lacks: the ticket's category, here) is not sent half-made: it is dead with
    the reason, the help desk is alerted, and the others of the batch go out."""
    desk.ok("phone", *form_args(), "--by", "sari")
    desk.ok("phone", *form_args(phone="0812-3456-7891"), "--by", "sari")
    first, second = desk.outbox()
    draft = json.loads(desk.query("SELECT draft FROM outbox WHERE id = ?", first["id"])[0][0])
    del draft["facts"]["ticket"]["category"]
    databases.execute(
        desk.site_dir, "UPDATE outbox SET draft = ? WHERE id = ?", json.dumps(draft), first["id"]
    )
    result = desk("outbox", "send")
    assert result.exit_code == 1 and "sent 1" in result.stdout and "dead 1" in result.stdout
    [dead] = desk.outbox("--status", "dead")
    assert dead["id"] == first["id"] and "could not be rendered" in dead["last_error"]
    assert [m.message["Message-ID"] for m in sink.received] == [second["message_id"]]
    [alert] = desk.outbox("--status", "pending")
    assert alert["kind"] == "help_desk.delivery_failed"
