"""Outages: the IMAP and SMTP servers stopped and started again while the real daemon runs.

What the design promises: the mailbox watch reconnects with back-off and never ends; a
message whose outcome was committed but not yet moved when the server went away is read
again and found stored; e-mails that cannot be sent wait in the outbox with back-off and
go once the server is back ("a notification is never lost because SMTP was down"). The
database failing (its disk full) is waited out the same way, nothing lost.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.postgres import PostgresServer
from helpdesk.testing.smtp import Sink, SmtpServer
from tests.conftest import use_mailbox, use_smtp
from tests.faults.support import (
    Daemon,
    configure,
    count,
    deliver,
    folder_contents,
    helpdesk,
    inbox_size,
    message_id,
    query,
    wait_for,
)
from tests.filesystems import fill, small_disk
from tests.mail import FORM_TEXT, email


def _complaints(first: int, how_many: int) -> list[bytes]:
    messages = []
    for n in range(first, first + how_many):
        address = f"pelapor{n}@dinkes.example.go.id"
        messages.append(email(
            FORM_TEXT.replace("budi.santoso@dinkes.example.go.id", address),
            sender=f"Pelapor {n} <{address}>", message_id=f"<outage{n}@dinkes.example.go.id>",
        ))  # fmt: skip
    return messages


def _tickets(site: Path) -> int:
    return count(site, "SELECT count(*) FROM ticket")


HELP_DESK = ["sari.wulandari@example.go.id", "yoga.pratama@example.go.id"]


def _acks(sink: Sink) -> int:
    """Acknowledgements the SMTP server took (on the real clock a digest may go as well,
    and each ticket's copy goes to the help desk)."""
    return sum(
        "[TIK-" in str(r.message["Subject"]) and r.recipients != HELP_DESK for r in sink.received
    )


def _copies(sink: Sink) -> int:
    """The help desk's copies of the new tickets the SMTP server took."""
    return sum(
        "Pengaduan baru" in str(r.message["Subject"]) and r.recipients == HELP_DESK
        for r in sink.received
    )


def test_imap_and_smtp_outages_lose_nothing_and_everything_drains(
    site: Path, dovecot: DovecotServer, smtp: SmtpServer, sink: Sink, tmp_path: Path
) -> None:
    """SMTP goes down, then IMAP goes down in the middle of a batch; both come back. The
    daemon never dies; every complaint becomes one ticket, the inbox empties, and every
    acknowledgement queued during the outage is delivered once SMTP is back, exactly once."""
    configure(site, {
        "daemon.outbox_seconds": 5, "daemon.mailbox_seconds": 5,
        "notifier.retry_base_seconds": 1, "notifier.retry_cap_seconds": 2,
        "notifier.max_attempts": 100, "notifier.timeout_seconds": 5, "intake.batch_size": 5,
    })  # fmt: skip
    before, during, after = _complaints(0, 10), _complaints(10, 40), _complaints(50, 10)
    # On the real clock: a retry falls due only when time passes.
    daemon = Daemon(site, tmp_path / "daemon.log", now=None)
    try:
        deliver(dovecot.port, before)
        assert wait_for(lambda: _acks(sink) == 10, 60), daemon.text()[-2000:]
        assert wait_for(lambda: _copies(sink) == 10, 60), daemon.text()[-2000:]

        # SMTP down: the acknowledgements of the next complaints wait in the outbox.
        smtp.stop()
        deliver(dovecot.port, during)
        # IMAP down in the middle of that batch: some stored, some not, one maybe stored
        # but not yet moved.
        assert wait_for(lambda: _tickets(site) > 12, 60, step=0.02), daemon.text()[-2000:]
        dovecot.stop()
        cut_at = _tickets(site)
        time.sleep(2)
        assert daemon.alive()
        dovecot.start()
        deliver(dovecot.port, after)
        assert wait_for(lambda: _tickets(site) == 60, 90), daemon.text()[-3000:]
        assert (_acks(sink), _copies(sink)) == (10, 10), "sent while the SMTP server was down?"

        # The sender kept trying, and failing, while the server was away.
        def failed() -> int:
            return count(
                site,
                "SELECT count(*) FROM outbox WHERE status = 'pending' "
                "AND attempts > 0 AND last_error LIKE 'connect%failed%'",
            )

        assert wait_for(lambda: failed() >= 100, 30), daemon.text()[-3000:]  # 50 and copies
        retries = count(site, "SELECT max(attempts) FROM outbox")

        smtp.start()
        assert wait_for(lambda: _acks(sink) >= 60, 60), daemon.text()[-3000:]
        assert wait_for(lambda: _copies(sink) >= 60, 60), daemon.text()[-3000:]
        assert wait_for(lambda: inbox_size(dovecot.port) == 0, 30)
        assert daemon.alive()
    finally:
        code = daemon.stop()
    log = daemon.text()
    assert code == 0, log[-3000:]
    assert "mailbox unavailable" in log and "Traceback" not in log
    print(f"{cut_at} tickets when IMAP stopped; up to {retries} failed tries per e-mail")

    # Nothing lost, nothing doubled.
    everything = before + during + after
    ids = sorted(message_id(raw) for raw in everything)
    assert sorted(m for (m,) in query(site, "SELECT source_message_id FROM ticket")) == ids
    assert sorted(m for (m,) in query(site, "SELECT message_id FROM inbound")) == ids
    acks = query(site, "SELECT message_id, status FROM outbox WHERE kind = 'reporter.acknowledged'")
    assert len(acks) == 60 and {s for _, s in acks} == {"sent"}
    copies = query(
        site, "SELECT message_id, status FROM outbox WHERE kind = 'help_desk.new_ticket'"
    )
    assert len(copies) == 60 and {s for _, s in copies} == {"sent"}
    delivered = Counter(message_id(r.raw) for r in sink.received)
    assert {m: delivered[m] for m, _ in acks + copies} == {m: 1 for m, _ in acks + copies}
    assert set(delivered) <= {m for (m,) in query(site, "SELECT message_id FROM outbox")}
    folders = folder_contents(dovecot.port)
    assert folders["INBOX"] == []
    assert sorted(message_id(raw) for raw in folders["Processed"]) == ids

    # And the help desk is told all is well again.
    status = helpdesk(site, "status", "--json", now=None)
    report = json.loads(status.stdout)
    assert status.returncode == 0, report["problems"]
    assert report["outbox"].get("pending", 0) == 0


@pytest.mark.sqlite_only("the database file's own disk; a PostgreSQL server keeps its disk")
def test_a_full_disk_under_the_database_is_waited_out(
    site_dir: Path, dovecot: DovecotServer, sink: Sink, smtp: SmtpServer, tmp_path: Path
) -> None:
    """The disk holding the SQLite database fills up while mail comes in: the daemon says
    so in one line each time it tries, stores nothing half-way and quarantines nothing for
    it; once space is freed it goes on, and every complaint becomes one ticket."""
    with small_disk(tmp_path / "disk", size_kb=16384) as disk:
        site = disk / "site"
        site.mkdir()
        (site / "config.toml").write_text((site_dir / "config.toml").read_text("utf-8"))
        use_mailbox(site, dovecot.port)
        use_smtp(site, smtp.port)
        configure(site, {"daemon.digest_time": "23:59", "daemon.outbox_seconds": 5,
                         "daemon.mailbox_seconds": 5, "intake.batch_size": 5})  # fmt: skip
        assert helpdesk(site, "init").returncode == 0
        before, during = _complaints(0, 10), _complaints(10, 20)
        daemon = Daemon(site, tmp_path / "daemon.log")
        try:
            assert daemon.wait_running(), daemon.text()[-2000:]
            deliver(dovecot.port, before)
            assert wait_for(lambda: _tickets(site) == 10, 60), daemon.text()[-2000:]
            filler = fill(disk)
            deliver(dovecot.port, during)
            full = "mailbox not read: database: the disk holding the database is full"
            assert wait_for(lambda: daemon.text().count(full) >= 2, 60), daemon.text()[-2000:]
            assert daemon.alive() and _tickets(site) == 10
            filler.unlink()
            assert wait_for(lambda: _tickets(site) == 30, 90), daemon.text()[-3000:]
            assert wait_for(lambda: inbox_size(dovecot.port) == 0, 30)
        finally:
            code = daemon.stop()
        log = daemon.text()
        assert code == 0, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        outcomes = query(site, "SELECT outcome, count(*) FROM inbound GROUP BY outcome")
        assert outcomes == [("ticket", 30)]


WAITING = "waiting for the database: cannot open the database"


@pytest.mark.postgresql_only("a database server not up yet; SQLite's file is there or not")
def test_a_daemon_started_before_its_database_server_waits_for_it(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path, postgres: PostgresServer
) -> None:
    """The daemon starts while the PostgreSQL server is stopped (a machine booting, the
    database's service not up yet): it says so in one line each time it tries, pausing
    1, 2, 4 s..., and once the server is up it runs and the mail that came meanwhile is
    received and acknowledged."""
    configure(site, {"daemon.outbox_seconds": 5, "daemon.mailbox_seconds": 5})
    postgres.stop()
    try:
        daemon = Daemon(site, tmp_path / "daemon.log")
        assert wait_for(lambda: daemon.text().count(WAITING) >= 3, 60), daemon.text()[-2000:]
        assert daemon.alive() and "running:" not in daemon.text()
        deliver(dovecot.port, _complaints(0, 3))
    finally:
        postgres.start()
    try:
        assert daemon.wait_running(), daemon.text()[-2000:]
        assert wait_for(lambda: _tickets(site) == 3, 60), daemon.text()[-2000:]
        assert wait_for(lambda: _acks(sink) == 3, 60), daemon.text()[-2000:]
    finally:
        code = daemon.stop()
    log = daemon.text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    waits = [line for line in log.splitlines() if WAITING in line]
    assert all("the database server cannot be reached" in line for line in waits), waits
    pauses = [line.rpartition("trying again in ")[2] for line in waits]
    assert pauses[:3] == ["1 s", "2 s", "4 s"], waits


@pytest.mark.postgresql_only("a database server not up yet; SQLite's file is there or not")
def test_a_daemon_waiting_for_its_database_stops_when_told(
    site: Path, tmp_path: Path, postgres: PostgresServer
) -> None:
    """SIGTERM while the daemon waits for its database: it stops at once, exit 0."""
    postgres.stop()
    try:
        daemon = Daemon(site, tmp_path / "daemon.log")
        assert wait_for(lambda: WAITING in daemon.text(), 60), daemon.text()[-2000:]
        os.kill(daemon.pid, signal.SIGTERM)
        assert daemon.process.wait(timeout=30) == 0, daemon.text()[-2000:]
    finally:
        postgres.start()
    assert "Traceback" not in daemon.text()


@pytest.mark.postgresql_only("a database server that refuses the site; SQLite has no login")
@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("password", 'password authentication failed for user "helpdesk"'),
        ("database", 'database "no_such_database" does not exist'),
        ("host", "failed to resolve host"),
    ],
)
def test_a_daemon_refused_by_its_database_says_so_in_one_line(
    site: Path, monkeypatch: pytest.MonkeyPatch, setting: str, said: str
) -> None:
    """A wrong password, a database that does not exist or a host name that does not: not
    a database that is away, so not waited for: one line saying what the server said,
    exit 1."""
    config = (site / "config.toml").read_text(encoding="utf-8")
    url = next(line for line in config.splitlines() if line.startswith("url = "))[7:-1]
    if setting == "password":
        monkeypatch.setenv("HD_WRONG_PASSWORD", "not-the-password")
        configure(site, {"database.password_env": "HD_WRONG_PASSWORD"})
    elif setting == "database":
        configure(site, {"database.url": url.rpartition("/")[0] + "/no_such_database"})
    else:
        configure(site, {"database.url": url.replace("@127.0.0.1:", "@no-such-host.invalid:")})
    done = helpdesk(site, "run")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: cannot open the database"), lines
    assert said in lines[0] and WAITING not in done.stderr


@pytest.mark.postgresql_only("the database server stopped mid-batch and started again")
def test_e_mails_claimed_when_the_database_went_away_go_once_it_is_back(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path, postgres: PostgresServer
) -> None:
    """The database server stops as the SMTP server takes the third e-mail of the outbox
    sender's batch of twenty, and starts again a few seconds later. That e-mail is
    marked sent, not sent again; the other seventeen, claimed for five minutes, go as soon
    as the database is back (on a clock that never reaches the claim's end): every e-mail
    delivered exactly once."""
    configure(site, {"daemon.outbox_seconds": 5, "intake.batch_size": 20})
    deliver(dovecot.port, _complaints(0, 10))
    polled = helpdesk(site, "intake", "poll")
    assert polled.returncode == 0, polled.stderr[-2000:]
    queued = query(site, "SELECT message_id FROM outbox")
    assert len(queued) == 20  # each complaint's acknowledgement and the help desk's copy
    stopped = threading.Event()

    def stop_the_database(accepted: int) -> None:
        if accepted == 3 and not stopped.is_set():
            postgres.stop("immediate")
            stopped.set()

    sink.on_accept = stop_the_database
    daemon = Daemon(site, tmp_path / "daemon.log")  # its clock fixed: no claim runs out
    try:
        try:
            assert wait_for(stopped.is_set, 60), daemon.text()[-2000:]
            gone = "sent, not yet marked: the database went away"
            assert wait_for(lambda: gone in daemon.text(), 30), daemon.text()[-2000:]
        finally:
            postgres.start()

        def all_sent() -> bool:
            return count(site, "SELECT count(*) FROM outbox WHERE status = 'sent'") == 20

        assert wait_for(all_sent, 60), daemon.text()[-3000:]
    finally:
        code = daemon.stop()
    log = daemon.text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert "1 e-mail(s) sent before it went away marked sent, 17 claimed and not sent given" \
        " back" in log, log[-3000:]  # fmt: skip
    delivered = Counter(message_id(r.raw) for r in sink.received)
    assert delivered == Counter({m: 1 for (m,) in queued})
