"""Two daemons on one PostgreSQL database, as two machines run them, against one Dovecot
and one SMTP server: whichever holds the mailbox is killed with SIGKILL at random moments,
several times, and a new one started in its place; then the database server itself is
stopped mid-run and started again.

What the design promises (README "Two machines, one database"): the mailbox, the
phone-log folder, the sweep and the digest are run by one daemon at a time, the holder of
the job's lease; the survivor takes a dead daemon's jobs within ``[daemon]
lease_timeout``; the outbox is worked by both, each e-mail claimed by one sender.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from helpdesk.testing.imap import DovecotServer
from helpdesk.testing.postgres import PostgresServer
from helpdesk.testing.smtp import Sink
from tests.faults.support import (
    Daemon,
    configure,
    count,
    deliver,
    inbox_size,
    message_id,
    query,
    wait_for,
)
from tests.faults.test_crash import _messages, _moment

pytestmark = pytest.mark.postgresql_only(
    "two daemons share a database only on a server; on SQLite the second is refused"
)

LEASE_TIMEOUT = 6  # seconds: [daemon] lease_timeout
KILLS = 3
FIRST = 200  # messages before the first kill
MORE = 30  # delivered before each later kill: 260 in all


def _clock(site: Path) -> float:
    return float(query(site, "SELECT extract(epoch from clock_timestamp())")[0][0])


def _mailbox_lease(site: Path) -> tuple[str, float] | None:
    rows = query(site, "SELECT holder, since FROM job_lease WHERE name = 'mailbox'")
    return (rows[0][0], float(rows[0][1])) if rows else None


def _pid(holder: str) -> int:
    return int(holder.rpartition(":")[2])


def _check_outcomes(site: Path, expected: dict[str, str], sink: Sink, repeats: int) -> None:
    inbound = query(site, "SELECT message_id, outcome FROM inbound")
    stored = Counter(row[0] for row in inbound)
    assert [m for m, n in stored.items() if n != 1] == [], "messages stored more than once"
    assert dict(inbound) == expected
    tickets = query(site, "SELECT id FROM ticket")
    numbers = [n for (n,) in query(site, "SELECT number FROM ticket ORDER BY id")]
    assert numbers == [f"TIK-2026-{i:05d}" for i in range(1, len(tickets) + 1)], "gaps"
    acks = Counter(t for (t,) in query(
        site, "SELECT ticket_id FROM outbox WHERE kind = 'reporter.acknowledged'"
    ))  # fmt: skip
    assert acks == Counter({t[0]: 1 for t in tickets})
    rows = query(site, "SELECT message_id, status FROM outbox")
    assert {status for _, status in rows} <= {"sent", "suppressed"}
    received = Counter(message_id(r.raw) for r in sink.received)
    assert set(received) == {m for m, status in rows if status == "sent"}
    resent = sum(n - 1 for n in received.values())
    print(f"e-mails delivered twice: {resent}")
    assert resent <= repeats


def _drain(site: Path, dovecot: DovecotServer, tmp_path: Path, total: int) -> None:
    """A last daemon, on a clock past every outbox lease a killed sender held, sends what
    was left and stops on SIGTERM."""
    daemon = Daemon(site, tmp_path / "daemon-last.log", now=_moment(30))
    try:
        assert daemon.wait_running(), daemon.text()[-3000:]

        def drained() -> bool:
            stored = count(site, "SELECT count(DISTINCT message_id) FROM inbound")
            waiting = count(site, "SELECT count(*) FROM outbox WHERE status IN "
                                  "('pending', 'sending')")  # fmt: skip
            return stored == total and waiting == 0 and inbox_size(dovecot.port) == 0

        assert wait_for(drained, 120, step=0.3), daemon.text()[-3000:]
    finally:
        assert daemon.stop() == 0, daemon.text()[-3000:]


def test_the_survivor_takes_the_mailbox_each_time_its_holder_is_killed(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path
) -> None:
    """Whichever daemon reads the mailbox is killed three times while mail comes in; each
    time the other takes the mailbox within the lease timeout, and at the end every
    message is stored once with its outcome, numbers have no gaps, every acknowledgement
    is sent (at most one repeat per kill) and the inbox is empty."""
    seed = int(os.environ.get("HELPDESK_FAULT_SEED", random.randrange(1_000_000)))
    print(f"kill schedule seed {seed} (set HELPDESK_FAULT_SEED={seed} to run it again)")
    rng = random.Random(seed)
    configure(site, {
        "daemon.outbox_seconds": 5, "daemon.mailbox_seconds": 5,
        "daemon.lease_timeout": LEASE_TIMEOUT, "notifier.batch_size": 10,
        "intake.batch_size": 20,
    })  # fmt: skip
    messages, expected = _messages(FIRST + (KILLS - 1) * MORE)
    batches = [messages[:FIRST], *(
        messages[FIRST + i * MORE : FIRST + (i + 1) * MORE] for i in range(KILLS - 1)
    )]  # fmt: skip
    started = 0

    def start() -> Daemon:
        nonlocal started
        started += 1
        return Daemon(site, tmp_path / f"daemon-{started}.log", now=_moment(started))

    daemons = {d.pid: d for d in (start(), start())}
    takeovers: list[float] = []
    try:
        for d in daemons.values():
            assert d.wait_running(), d.text()[-2000:]
        for batch in batches:
            before = count(site, "SELECT count(*) FROM inbound")
            deliver(dovecot.port, batch)
            progress = wait_for(lambda b=before: count(site, "SELECT count(*) FROM inbound") > b,
                                60, step=0.02)  # fmt: skip
            assert progress, "no daemon read the mailbox"
            time.sleep(rng.uniform(0.0, 0.8))
            lease = _mailbox_lease(site)
            assert lease is not None
            victim = daemons.pop(_pid(lease[0]))
            victim.kill()
            killed_at = _clock(site)
            [survivor] = daemons.values()

            def taken(s: Daemon = survivor) -> tuple[str, float] | None:
                now = _mailbox_lease(site)
                return now if now is not None and _pid(now[0]) == s.pid else None

            after = wait_for(taken, 60, step=0.1)
            assert after, f"the survivor did not take the mailbox: {survivor.text()[-2000:]}"
            assert isinstance(after, tuple)
            takeovers.append(after[1] - killed_at)
            new = start()
            daemons[new.pid] = new
            assert new.wait_running(), new.text()[-2000:]
        print(f"taken over after (s): {takeovers}")
        assert all(t <= LEASE_TIMEOUT for t in takeovers), takeovers
    finally:
        for d in daemons.values():
            d.stop()
    for d in daemons.values():
        assert "Traceback" not in d.text(), d.text()[-3000:]
    _drain(site, dovecot, tmp_path, len(messages))
    assert inbox_size(dovecot.port) == 0
    _check_outcomes(site, expected, sink, KILLS)


@pytest.mark.skip(
    reason="known failure, issue 17 open: after a PostgreSQL restart a daemon's job "
    "bookkeeping (helpdesk/daemon.py record) ends in a traceback instead of waiting"
)
def test_both_daemons_wait_out_a_database_restart_and_go_on(
    site: Path, dovecot: DovecotServer, sink: Sink, tmp_path: Path, postgres: PostgresServer
) -> None:
    """The database server stops (as in a crash) while mail comes in and two daemons
    work, and starts again: both daemons are still running, and every message is stored
    once with its e-mails sent."""
    configure(site, {
        "daemon.outbox_seconds": 5, "daemon.mailbox_seconds": 5,
        "daemon.lease_timeout": LEASE_TIMEOUT, "intake.batch_size": 10,
    })  # fmt: skip
    messages, expected = _messages(60)
    daemons = [Daemon(site, tmp_path / f"daemon-{n}.log", now=_moment(n)) for n in (1, 2)]
    try:
        for d in daemons:
            assert d.wait_running(), d.text()[-2000:]
        deliver(dovecot.port, messages[:30])
        assert wait_for(lambda: count(site, "SELECT count(*) FROM inbound") > 0, 60, step=0.02)
        postgres.stop("immediate")
        deliver(dovecot.port, messages[30:])
        time.sleep(LEASE_TIMEOUT)  # the daemons find the server gone
        postgres.start()

        def done() -> bool:
            stored = count(site, "SELECT count(DISTINCT message_id) FROM inbound")
            return stored == len(messages) and inbox_size(dovecot.port) == 0

        assert wait_for(done, 120, step=0.3), daemons[0].text()[-3000:]
        assert all(d.alive() for d in daemons)
    finally:
        for d in daemons:
            d.stop()
    _drain(site, dovecot, tmp_path, len(messages))
    _check_outcomes(site, expected, sink, 2)
