"""A poll of the mailbox by hand and the daemon's mailbox lease, with real processes: the
daemon (`helpdesk run`), `helpdesk intake poll` and `intake watch`, one Dovecot.

IMAP gives two readers of one folder no safe way to share it, so a command that reads the
mailbox by hand holds the mailbox's lease for its run, as a daemon does: refused with one
line naming the holder while a daemon has it, and the daemon leaves the mailbox to a
command that holds it until that command ends (on SQLite as on PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.smtp import Sink, smtp_server
from tests.conftest import use_mailbox, use_smtp
from tests.faults.support import Daemon, configure, deliver, env, helpdesk, query, wait_for
from tests.mail import email

LEASE_TIMEOUT = 5  # seconds: renewed every second, free after 3.75 s unrenewed


@pytest.fixture
def site(site_dir: Path, dovecot: DovecotServer) -> Iterator[Path]:
    with smtp_server(Sink()) as smtp:
        use_mailbox(site_dir, dovecot.port)
        use_smtp(site_dir, smtp.port)
        configure(site_dir, {"daemon.digest_time": "23:59",
                             "daemon.lease_timeout": LEASE_TIMEOUT})  # fmt: skip
        done = helpdesk(site_dir, "init")
        assert done.returncode == 0, done.stderr
        yield site_dir


def _mail(first: int, count: int) -> list[bytes]:
    return [
        email(sender=f"Warga {n} <warga{n}@example.org>", message_id=f"<hand-{n}@example.org>")
        for n in range(first, first + count)
    ]


def _mailbox_holder(site: Path) -> str | None:
    rows = query(site, "SELECT holder FROM job_lease WHERE name = 'mailbox'")
    return str(rows[0][0]) if rows else None


def _stored(site: Path) -> Counter[str]:
    return Counter(str(row[0]) for row in query(site, "SELECT message_id FROM inbound"))


def _watch(site: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "helpdesk", "intake", "watch", "--no-idle", "--interval", "1"],
            env=env(site), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def test_a_poll_by_hand_is_refused_while_the_daemon_reads_the_mailbox(
    site: Path, dovecot: DovecotServer, tmp_path: Path
) -> None:
    """While a daemon holds the mailbox's lease, `intake poll` and `intake watch` by hand
    read nothing and exit 1 with one line naming the daemon as `helpdesk status` does;
    once the daemon has stopped, the poll reads the mail that came meanwhile."""
    daemon = Daemon(site, tmp_path / "daemon.log")
    try:
        assert daemon.wait_running(), daemon.text()
        holder = f"{socket.gethostname()}:{daemon.pid}"
        assert wait_for(lambda: _mailbox_holder(site) == holder, 30)
        for command in (("intake", "poll"), ("intake", "watch", "--no-idle")):
            done = helpdesk(site, *command)
            assert done.returncode == 1, done.stdout + done.stderr
            [line] = done.stderr.strip().splitlines()
            assert line.startswith(f"error: the mailbox is being read by {holder}, which holds")
            assert "helpdesk status" in line
        assert _mailbox_holder(site) == holder  # the refused commands left it as it was
    finally:
        assert daemon.stop() == 0, daemon.text()
    assert _mailbox_holder(site) is None
    deliver(dovecot.port, _mail(1, 3))
    done = helpdesk(site, "intake", "poll")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("fetched 3:")
    assert _stored(site) == Counter({f"<hand-{n}@example.org>": 1 for n in (1, 2, 3)})
    assert _mailbox_holder(site) is None  # given up at the end of the poll


def test_the_daemon_leaves_the_mailbox_to_a_watch_by_hand_until_it_ends(
    site: Path, dovecot: DovecotServer, tmp_path: Path
) -> None:
    """A daemon started while `intake watch` holds the mailbox's lease does not read the
    mailbox (on SQLite too, where it holds every other lease); the watch reads the mail,
    and once it is stopped the daemon takes the lease and reads what comes next: every
    message stored once."""
    watch = _watch(site, tmp_path / "watch.log")
    daemon = None
    try:
        watcher = f"{socket.gethostname()}:{watch.pid}"
        assert wait_for(lambda: _mailbox_holder(site) == watcher, 60)
        daemon = Daemon(site, tmp_path / "daemon.log")
        assert daemon.wait_running(), daemon.text()
        deliver(dovecot.port, _mail(1, 5))
        assert wait_for(lambda: len(_stored(site)) == 5, 60), (tmp_path / "watch.log").read_text()
        wait_for(lambda: False, 3 * LEASE_TIMEOUT / 5)  # three of the daemon's renewals
        assert _mailbox_holder(site) == watcher
        os.kill(watch.pid, signal.SIGTERM)
        assert watch.wait(timeout=60) == 0, (tmp_path / "watch.log").read_text()
        holder = f"{socket.gethostname()}:{daemon.pid}"
        assert wait_for(lambda: _mailbox_holder(site) == holder, 30), daemon.text()
        deliver(dovecot.port, _mail(6, 5))
        assert wait_for(lambda: len(_stored(site)) == 10, 60), daemon.text()
    finally:
        if watch.poll() is None:
            watch.kill()
        if daemon is not None:
            assert daemon.stop() == 0, daemon.text()
    assert _stored(site) == Counter({f"<hand-{n}@example.org>": 1 for n in range(1, 11)})
    assert "connected to" not in (tmp_path / "daemon.log").read_text().split("running mailbox")[0]


def test_a_poll_by_hand_takes_over_from_a_killed_watch_at_once(
    site: Path, dovecot: DovecotServer, tmp_path: Path
) -> None:
    """A watch by hand killed (SIGKILL) leaves its lease behind; a poll on the same machine
    sees that its process has ended and takes the lease at once."""
    configure(site, {"daemon.lease_timeout": 600})
    watch = _watch(site, tmp_path / "watch.log")
    try:
        assert wait_for(lambda: _mailbox_holder(site) == f"{socket.gethostname()}:{watch.pid}", 60)
    finally:
        watch.kill()
        watch.wait(timeout=30)
    deliver(dovecot.port, _mail(1, 2))
    done = helpdesk(site, "intake", "poll")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("fetched 2:")
