"""The mailbox end to end: a real Dovecot in, a real SMTP server out."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from helpdesk.cli.main import app
from helpdesk.testing.imap import DovecotServer, dovecot_available
from helpdesk.testing.smtp import Sink, smtp_server
from intake.imap import Mailbox, MailboxError, MailboxSettings
from tests.conftest import use_mailbox, use_smtp
from tests.mail import email, without

NOW = "2026-11-30T09:00:00+07:00"

# The help-desk officers of config.toml, who get each e-mailed complaint's copy; and the
# e-mails one e-mailed complaint makes.
HELP_DESK = ("sari.wulandari@example.go.id", "yoga.pratama@example.go.id")
ACKNOWLEDGED = ["reporter.acknowledged", "help_desk.new_ticket"]


@pytest.fixture(scope="module", autouse=True)
def _needs_dovecot() -> None:
    if reason := dovecot_available():
        pytest.fail(f"Dovecot is needed for these tests: {reason} (apt-get install dovecot-imapd)")


@pytest.fixture
def imap(dovecot: DovecotServer) -> DovecotServer:
    return dovecot


class Office:
    def __init__(self, site_dir: Path, imap: DovecotServer, monkeypatch: pytest.MonkeyPatch):
        self.imap = imap
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()
        monkeypatch.setenv("HELPDESK_CONFIG", str(site_dir / "config.toml"))
        monkeypatch.setenv("HELPDESK_NOW", NOW)

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(app, list(args))

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, result.output
        return result

    def mailbox(self) -> Mailbox:
        return Mailbox(MailboxSettings("127.0.0.1", self.imap.port, "none", "helpdesk", "secret"))

    def deliver(self, *messages: bytes, arrived: str = NOW) -> None:
        """Put messages in the INBOX as arrived at ``arrived`` (their INTERNALDATE; the
        office's clock of the test, never the machine's)."""
        with self.mailbox() as box:
            for raw in messages:
                box.append("INBOX", raw, dt.datetime.fromisoformat(arrived))

    def started_reading(self, at: str) -> None:
        """The help desk has read this mailbox since ``at``: its first message (an
        auto-reply, which makes nothing) arrived and was read then."""
        self.monkeypatch.setenv("HELPDESK_NOW", at)
        self.deliver(email("Saya sedang cuti.", sender="x@dinsos.example.go.id",
                           headers={"Auto-Submitted": "auto-replied"}), arrived=at)  # fmt: skip
        self.ok("intake", "poll")
        self.monkeypatch.setenv("HELPDESK_NOW", NOW)

    def count(self, folder: str) -> int:
        settings = MailboxSettings("127.0.0.1", self.imap.port, "none", "helpdesk", "secret",
                                   folder=folder)  # fmt: skip
        with Mailbox(settings) as box:
            return len(box.uids_after(0))

    def json(self, *args: str) -> list[dict]:
        return json.loads(self.ok(*args, "--json").stdout)


@pytest.fixture
def office(
    site_dir: Path, imap: DovecotServer, sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Office]:
    with smtp_server(sink) as smtp:
        use_mailbox(site_dir, imap.port)
        use_smtp(site_dir, smtp.port)
        here = Office(site_dir, imap, monkeypatch)
        here.ok("init")
        yield here


def test_mailbox_to_tickets_replies_and_folders(office: Office, sink: Sink) -> None:
    """A complete complaint becomes a ticket, an incomplete one a reply, an auto-reply
    nothing; each message ends in its folder and the e-mails reach the SMTP server."""
    office.deliver(
        email(message_id="<c1@dinkes.example.go.id>"),
        email(without("Jabatan"), sender="Siti <siti@bpkad.example.go.id>",
              message_id="<i1@bpkad.example.go.id>"),
        email("Saya sedang cuti.", sender="x@dinsos.example.go.id",
              headers={"Auto-Submitted": "auto-replied"}),
    )  # fmt: skip
    result = office.ok("intake", "poll")
    assert "fetched 3" in result.stdout
    assert [t["number"] for t in office.json("ticket", "list")] == ["TIK-2026-00001"]
    assert (office.count("INBOX"), office.count("Processed")) == (0, 1)
    assert (office.count("Incomplete"), office.count("Ignored")) == (1, 1)

    office.ok("outbox", "send")
    delivered = {tuple(m.recipients): m.message for m in sink.received}
    assert set(delivered) == {
        ("budi.santoso@dinkes.example.go.id",),
        ("siti@bpkad.example.go.id",),
        HELP_DESK,  # the help desk's copy of the ticket
    }
    assert "Pengaduan baru" in str(delivered[HELP_DESK]["Subject"])
    ack = delivered[("budi.santoso@dinkes.example.go.id",)]
    assert ack["In-Reply-To"] == "<c1@dinkes.example.go.id>"
    reply = delivered[("siti@bpkad.example.go.id",)]
    assert "Jabatan belum diisi." in reply.get_body(preferencelist=("plain",)).get_content()
    assert office.ok("intake", "poll").stdout.startswith("fetched 0")


def test_an_emails_step_1_starts_when_it_arrived(
    office: Office, sink: Sink, tmp_path: Path
) -> None:
    """An e-mail that arrived on Friday at 16.00 (its INTERNALDATE on the mail server) and
    is read on Monday at 09.00 was received on Friday: step 1 runs from then and ended at
    08.00 on Monday (one working hour: 16.00-16.30 and 07.30-08.00), so it is already late;
    the acknowledgement says so, and the Laporan Akhir prints the receipt and, apart, the
    moment it was registered. (The help desk has read the mailbox since Friday morning.)"""
    office.started_reading("2026-11-27T08:00:00+07:00")
    office.deliver(email(message_id="<friday@dinkes.example.go.id>"),
                   arrived="2026-11-27T16:00:00+07:00")  # fmt: skip
    office.ok("intake", "poll")
    ticket = json.loads(office.ok("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert ticket["received_at"] == "2026-11-27T09:00:00+00:00"  # Friday 16.00 WIB
    assert ticket["created_at"] == "2026-11-30T02:00:00+00:00"  # Monday 09.00 WIB, read
    assert ticket["due_at"] == "2026-11-30T01:00:00+00:00"  # Monday 08.00 WIB
    assert ticket["overdue"] is True
    [created] = ticket["events"]
    assert created["data"]["started_at"] == "2026-11-27T09:00:00+00:00"

    office.ok("outbox", "send")
    [ack] = [m.message for m in sink.received
             if m.recipients == ["budi.santoso@dinkes.example.go.id"]]  # fmt: skip
    text = " ".join(ack.get_body(preferencelist=("plain",)).get_content().split())
    assert "Hari, Tanggal: Jumat, 27 November 2026 pukul 16.00 WIB" in text
    assert (
        "standar waktu 1 jam, yaitu paling lambat Senin, 30 November 2026 pukul 08.00 WIB."
        " Mohon maaf, pengaduan Bapak baru kami catat setelah batas waktu tersebut."
    ) in text

    office.ok("ticket", "take", "TIK-2026-00001", "--by", "sari")
    office.ok("print", "laporan", "TIK-2026-00001", "--out", str(tmp_path))
    page = (tmp_path / "TIK-2026-00001-laporan.html").read_text(encoding="utf-8")
    table = page[page.index('<table class="timeline">') :]
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("</tr>")[1:4]]
    assert rows[0].startswith(
        "Jumat, 27 November 2026 pukul 16.00 WIB Pengaduan diterima melalui e-mail"
    )
    assert rows[1].startswith("Senin, 30 November 2026 pukul 09.00 WIB Dicatat dalam sistem")
    assert rows[2] == (
        "Senin, 30 November 2026 pukul 09.00 WIB Ditangani oleh Sari Wulandari (layanan tingkat"
        " pertama) 1. Penerimaan pengaduan Senin, 30 November 2026 pukul 08.00 WIB Terlambat"
        " 1 jam"
    )


def test_a_replayed_message_keeps_its_arrival(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message that failed and was kept in quarantine keeps the moment it arrived: replayed
    after the fix, its complaint was received then, not at the replay."""
    import helpdesk.jobs.reports as job  # where the form is read

    real = job.extract_fields

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("extraction bug")

    office.started_reading("2026-11-27T08:00:00+07:00")
    monkeypatch.setattr(job, "extract_fields", broken)
    office.deliver(email(message_id="<kept@dinkes.example.go.id>"),
                   arrived="2026-11-27T16:00:00+07:00")  # fmt: skip
    office.ok("intake", "poll")
    [kept] = office.json("intake", "quarantine")
    assert kept["received_at"] == "2026-11-27T09:00:00+00:00"
    monkeypatch.setattr(job, "extract_fields", real)  # the fix
    office.monkeypatch.setenv("HELPDESK_NOW", "2026-11-30T10:00:00+07:00")
    office.ok("intake", "replay", str(kept["id"]))
    ticket = json.loads(office.ok("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert ticket["received_at"] == "2026-11-27T09:00:00+00:00"
    assert ticket["created_at"] == "2026-11-30T03:00:00+00:00"


def test_a_message_that_trips_a_silent_check_is_kept_with_where_it_tripped(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure that says nothing of itself (a bare ``assert`` in the program) quarantines
    the message with a reason that names where it was raised, not a bare "AssertionError"."""
    import helpdesk.jobs.reports as job

    def checked(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError  # what a failing bare ``assert`` raises outside pytest

    monkeypatch.setattr(job, "extract_fields", checked)
    office.deliver(email(message_id="<silent@dinkes.example.go.id>"))
    office.ok("intake", "poll")
    [kept] = office.json("intake", "quarantine")
    assert "AssertionError at integration/test_intake_imap.py:" in json.dumps(kept)
    assert "(checked)" in json.dumps(kept)


def test_old_mail_found_at_the_first_start_is_received_when_read(office: Office) -> None:
    """On its first start the help desk finds mail months old in the INBOX (it arrived in
    August, before the help desk read this mailbox): it was never the help desk's to answer
    in time, so each complaint is received when it is first read, on time and in this
    month's report, and its record keeps the arrival on the mail server."""
    office.deliver(email(message_id="<august@dinkes.example.go.id>"),
                   arrived="2026-08-03T10:00:00+07:00")  # fmt: skip
    office.ok("intake", "poll")
    ticket = json.loads(office.ok("ticket", "show", "TIK-2026-00001", "--json").stdout)
    assert ticket["received_at"] == ticket["created_at"] == "2026-11-30T02:00:00+00:00"
    assert ticket["due_at"] == "2026-11-30T03:00:00+00:00"  # step 1's hour from the read
    assert ticket["overdue"] is False
    [record] = office.json("intake", "list")
    assert record["received_at"] == "2026-11-30T02:00:00+00:00"
    assert (
        "arrived at the mail server 2026-08-03T03:00:00+00:00, before the help desk"
        in (record["detail"])
    )
    august = json.loads(office.ok("report", "--month", "2026-08", "--format", "json").stdout)
    november = json.loads(office.ok("report", "--month", "2026-11", "--format", "json").stdout)
    assert (august["received"], november["received"]) == (0, 1)


def test_old_mail_put_in_after_the_first_read_is_received_when_read(office: Office) -> None:
    """The help desk has read the mailbox since Friday 08.00. A message put into the INBOX
    later with an older arrival (moved in from another folder, an old export) arrived before
    the help desk read this mailbox: it is received when read too. One that arrived on
    Friday at 09.00, after the help desk started reading, keeps its arrival."""
    office.started_reading("2026-11-27T08:00:00+07:00")
    office.deliver(email(message_id="<old@dinkes.example.go.id>"),
                   arrived="2026-11-26T15:00:00+07:00")  # fmt: skip
    office.deliver(email(message_id="<after@dinkes.example.go.id>", subject="Printer rusak"),
                   arrived="2026-11-27T09:00:00+07:00")  # fmt: skip
    office.ok("intake", "poll")
    old, after = (
        json.loads(office.ok("ticket", "show", n, "--json").stdout)
        for n in ("TIK-2026-00001", "TIK-2026-00002")
    )  # in the INBOX's order
    assert old["received_at"] == old["created_at"] == "2026-11-30T02:00:00+00:00"
    assert old["overdue"] is False
    assert after["received_at"] == "2026-11-27T02:00:00+00:00"  # Friday 09.00 WIB
    assert after["overdue"] is True


def test_reply_through_the_mailbox_completes_the_report(office: Office, sink: Sink) -> None:
    """The reporter answers our incomplete-report e-mail; the answer makes the ticket."""
    office.deliver(email(without("Jabatan"), message_id="<i2@dinkes.example.go.id>"))
    office.ok("intake", "poll")
    office.ok("outbox", "send")
    [ours] = sink.received
    office.deliver(
        email("Jabatan: Pengelola Data\n", subject="Re: " + ours.message["Subject"],
              in_reply_to=ours.message["Message-ID"])
    )  # fmt: skip
    office.ok("intake", "poll")
    [ticket] = office.json("ticket", "list")
    assert ticket["position"] == "Pengelola Data"


def test_same_message_twice_makes_one_ticket(office: Office) -> None:
    """A message appended twice (a client's double send, a redelivery) is one ticket."""
    raw = email(message_id="<twice@dinkes.example.go.id>")
    office.deliver(raw, raw)
    office.ok("intake", "poll")
    assert len(office.json("ticket", "list")) == 1
    assert [e["kind"] for e in office.json("outbox", "list")] == ACKNOWLEDGED
    assert office.count("Processed") == 2


def test_crash_between_commit_and_move_makes_no_duplicate(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the move after the commit never happens, the next poll recognises the message."""
    office.deliver(email(message_id="<crash@dinkes.example.go.id>"))
    real_move = Mailbox.move

    def dies(self: Mailbox, uid: int, folder: str) -> None:
        raise MailboxError("connection lost before the move")

    monkeypatch.setattr(Mailbox, "move", dies)
    failed = office("intake", "poll")
    assert failed.exit_code == 1 and "mailbox:" in failed.stderr
    assert office.count("INBOX") == 1 and len(office.json("ticket", "list")) == 1

    monkeypatch.setattr(Mailbox, "move", real_move)
    office.ok("intake", "poll")
    assert office.count("INBOX") == 0 and office.count("Processed") == 1
    assert len(office.json("ticket", "list")) == 1
    assert [e["kind"] for e in office.json("outbox", "list")] == ACKNOWLEDGED


def test_server_going_away_mid_batch_recovers(
    office: Office, site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server stops after the first two messages (a batch, moved together); after its
    restart the rest follow, once each."""
    config = site_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert "batch_size = 500 " in text
    config.write_text(text.replace("batch_size = 500 ", "batch_size = 2   ", 1), encoding="utf-8")
    office.deliver(*[
        email(sender=f"p{n}@dinkes.example.go.id", message_id=f"<b{n}@dinkes.example.go.id>")
        for n in range(4)
    ])  # fmt: skip
    real_move = Mailbox.move
    moves = []

    def move_then_stop(self: Mailbox, uids: list[int], folder: str) -> None:
        real_move(self, uids, folder)
        moves.extend(uids)
        if len(moves) == 2:
            office.imap.stop()

    monkeypatch.setattr(Mailbox, "move", move_then_stop)
    failed = office("intake", "poll")
    assert failed.exit_code == 1 and "mailbox:" in failed.stderr
    assert len(office.json("ticket", "list")) in (2, 3)

    monkeypatch.setattr(Mailbox, "move", real_move)
    office.imap.start()
    office.ok("intake", "poll")
    assert len(office.json("ticket", "list")) == 4
    assert office.count("INBOX") == 0 and office.count("Processed") == 4


def test_a_batch_holds_at_most_its_bytes_of_mail(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages that together pass the batch's bytes are fetched, stored and moved in
    batches under it: here one message each, where the count alone would take all three."""
    import helpdesk.jobs.mailbox as job

    messages = [
        email(sender=f"s{n}@dinkes.example.go.id", message_id=f"<s{n}@dinkes.example.go.id>")
        for n in range(3)
    ]
    office.deliver(*messages)
    monkeypatch.setattr(job, "BATCH_BYTES", max(len(m) for m in messages) + 10)
    real_move = Mailbox.move
    moves: list[list[int]] = []

    def recorded(self: Mailbox, uids: list[int], folder: str) -> None:
        moves.append(list(uids))
        real_move(self, uids, folder)

    monkeypatch.setattr(Mailbox, "move", recorded)
    office.ok("intake", "poll")
    assert [len(uids) for uids in moves] == [1, 1, 1]
    assert len(office.json("ticket", "list")) == 3
    assert office.count("INBOX") == 0 and office.count("Processed") == 3

    monkeypatch.setattr(job, "BATCH_BYTES", 32 * 1024 * 1024)
    moves.clear()
    office.deliver(*[email(sender=f"t{n}@dinkes.example.go.id") for n in range(3)])
    office.ok("intake", "poll")
    assert [len(uids) for uids in moves] == [3]


def test_a_backlog_longer_than_a_command_line_is_read_whole(
    site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mailbox whose new messages' UIDs, listed one by one, pass the server's longest
    command line (here 2 kB; Dovecot's default is 64 kB, some 13,000 new messages) is read
    whole: the UIDs go as runs ("1:700"), and their sizes are asked a part at a time."""
    from helpdesk.testing.imap import dovecot_server

    with dovecot_server(
        tmp_path / "short-lines", {"helpdesk": "secret"}, settings="imap_max_line_length = 2k"
    ) as server:
        use_mailbox(site_dir, server.port)
        office = Office(site_dir, server, monkeypatch)
        office.ok("init")
        with office.mailbox() as box:
            for n in range(700):
                raw = email("Saya sedang cuti.", sender=f"c{n}@dinsos.example.go.id",
                            headers={"Auto-Submitted": "auto-replied"})  # fmt: skip
                box.append("INBOX", raw, dt.datetime.fromisoformat(NOW))
        office.ok("intake", "poll")
        assert office.count("INBOX") == 0
        assert len(office.json("ticket", "list")) == 0


def _fetched_as_a_server_may(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[int, dict[int, dict]], None]
) -> None:
    """Two UIDs a FETCH command (as some 170 five-digit UIDs of a 500-message batch), and
    each answer of a FETCH of bodies changed by ``change(command number, answer)``, as a
    server other than Dovecot may answer."""
    from imapclient import IMAPClient

    import intake.imap

    real_lists, real_fetch = intake.imap.uid_lists, IMAPClient.fetch
    monkeypatch.setattr(intake.imap, "uid_lists", lambda uids, limit=3: real_lists(uids, 3))
    commands = iter(range(1, 1000))

    def fetch(self: IMAPClient, messages: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        answer = real_fetch(self, messages, data, *args, **kwargs)
        if "BODY.PEEK[]" in data:
            change(next(commands), answer)
        return answer

    monkeypatch.setattr(IMAPClient, "fetch", fetch)


def test_news_of_a_message_in_a_later_answer_loses_nothing(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server may put in any answer a flag another client changed meanwhile, of any
    message (RFC 3501 5.2, 7.4.2; Dovecot holds such news back, Cyrus and others do not):
    "* 1 FETCH (FLAGS (\\Seen \\Flagged))" in the answer to the batch's second FETCH command.
    The first message, fetched by the first command, is still read."""
    office.deliver(*[
        email(sender=f"f{n}@dinkes.example.go.id", message_id=f"<f{n}@dinkes.example.go.id>")
        for n in range(4)
    ])  # fmt: skip

    def flagged(command: int, answer: dict[int, dict]) -> None:
        if command == 2:
            answer[1] = {b"SEQ": 1, b"FLAGS": (b"\\Seen", b"\\Flagged")}

    _fetched_as_a_server_may(monkeypatch, flagged)
    assert "ticket 4" in office.ok("intake", "poll").stdout
    assert (len(office.json("ticket", "list")), office.count("INBOX")) == (4, 0)


def test_a_message_whose_body_does_not_come_is_read_at_the_next_poll(
    office: Office, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A message that is in the folder but whose body the server's answer leaves out is
    said in the log and left there; the poll reads the others, and the next poll reads it
    (the mailbox is not marked read past it)."""
    office.deliver(*[
        email(sender=f"b{n}@dinkes.example.go.id", message_id=f"<b{n}@dinkes.example.go.id>")
        for n in range(4)
    ])  # fmt: skip

    def without_the_first(command: int, answer: dict[int, dict]) -> None:
        answer.pop(1, None)

    with monkeypatch.context() as server:
        _fetched_as_a_server_may(server, without_the_first)
        assert "ticket 3" in office.ok("intake", "poll").stdout
    assert "message UID 1 came without its body" in caplog.text
    assert office.count("INBOX") == 1
    assert "ticket 1" in office.ok("intake", "poll").stdout
    assert (len(office.json("ticket", "list")), office.count("INBOX")) == (4, 0)


def test_refused_login_is_one_clear_line(office: Office, site_dir: Path) -> None:
    """Wrong mailbox credentials: exit 1 naming the mailbox, nothing fetched."""
    use_mailbox(site_dir, office.imap.port, password="wrong")
    result = office("intake", "poll")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: mailbox:") and "wrong" not in result.stderr


def test_one_bad_message_does_not_block_the_mailbox(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message that cannot be processed goes to Quarantine; the next one becomes a ticket."""
    import helpdesk.jobs.reports as job  # where the form is read

    real = job.extract_fields

    def fails_on_poison(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "RACUN" in text:
            raise ValueError("cannot read this one")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(job, "extract_fields", fails_on_poison)
    office.deliver(
        email("RACUN\n" + "x" * 20, message_id="<bad@dinkes.example.go.id>"),
        email(sender="p2@dinkes.example.go.id", message_id="<good@dinkes.example.go.id>"),
    )
    assert "quarantine 1" in office.ok("intake", "poll").stdout
    assert office.count("Quarantine") == 1 and office.count("Processed") == 1
    assert len(office.json("ticket", "list")) == 1
    assert len(office.json("intake", "quarantine")) == 1


def test_a_batch_that_fails_as_a_whole_is_processed_message_by_message(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch is one transaction; should it fail after its messages were stored in it
    (here as it commits, its three tickets written), none of them is kept from it, and each
    message is then processed on its own: every one becomes its ticket once, with one
    acknowledgement, and is moved."""
    from sqlalchemy import event, text
    from sqlalchemy.orm import Session

    office.deliver(*[
        email(sender=f"q{n}@dinkes.example.go.id", message_id=f"<q{n}@dinkes.example.go.id>")
        for n in range(3)
    ])  # fmt: skip
    stored_when_it_failed: list[int] = []

    def fails_as_it_commits(session: Session) -> None:
        if not stored_when_it_failed and not session.in_nested_transaction():
            count = session.execute(text("SELECT count(*) FROM ticket")).scalar_one()
            if count:
                stored_when_it_failed.append(count)
                raise RuntimeError("the batch fails as it commits")

    event.listen(Session, "before_commit", fails_as_it_commits)
    try:
        assert "ticket 3" in office.ok("intake", "poll").stdout
    finally:
        event.remove(Session, "before_commit", fails_as_it_commits)
    assert stored_when_it_failed == [3], "the batch did not fail with its messages stored"
    numbers = sorted(t["number"] for t in office.json("ticket", "list"))
    assert numbers == ["TIK-2026-00001", "TIK-2026-00002", "TIK-2026-00003"]  # no gap
    assert len(office.json("outbox", "list")) == 6  # an acknowledgement and a copy each
    assert office.count("INBOX") == 0 and office.count("Processed") == 3
