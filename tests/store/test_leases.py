"""The leases on the jobs that one daemon at a time runs, on both databases: taken,
renewed, run out; the fence they put on a job's commits; a dead predecessor's lease on
this machine taken at once."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text

from helpdesk.daemon import Job, run_job
from helpdesk.leases import LeaseKeeper, host_key
from helpdesk.wiring import Site
from ticketing.store import DatabaseUnavailable, LeaseLost
from ticketing.store.leases import Fence, fenced

HOUR = 3600.0


def _take(site: Site, holder: str, seconds: float = HOUR) -> bool:
    with site.store.transaction() as tx:
        return tx.take_lease("mailbox", holder, seconds)


def _held(site: Site) -> list[tuple[str, str, float]]:
    with site.store.transaction() as tx:
        return [(lease.name, lease.holder, lease.since) for lease in tx.leases()]


def test_a_lease_is_held_by_one_daemon_until_it_runs_out(site: Site) -> None:
    """The first daemon takes the lease and keeps it while renewing; the second is refused
    while it runs, and takes it once it has not been renewed for the timeout."""
    assert _take(site, "pc-a:1")
    [(_, holder, since)] = _held(site)
    assert holder == "pc-a:1"
    assert not _take(site, "pc-b:2")
    assert _take(site, "pc-a:1")  # renewed: held since the first time
    assert _held(site) == [("mailbox", "pc-a:1", since)]
    # A timeout shorter than the time since the last renewal (any time has passed since
    # then, and -1 s is shorter than none): the lease has run out.
    assert _take(site, "pc-b:2", seconds=-1.0)
    [(_, holder, taken)] = _held(site)
    assert holder == "pc-b:2" and taken >= since
    assert not _take(site, "pc-a:1")


def test_two_machines_whose_daemons_share_a_name_are_two_holders(site: Site) -> None:
    """Two containers may both be ``helpdesk`` with process id 1: their process spaces
    (``host_key``) tell them apart, so the second neither renews the first's lease as its
    own, nor commits under it, nor gives it up."""
    with site.store.transaction() as tx:
        assert tx.take_lease("mailbox", "helpdesk:1", HOUR, host_key="boot-a/pid:[1]")
    with site.store.transaction() as tx:
        assert not tx.take_lease("mailbox", "helpdesk:1", HOUR, host_key="boot-b/pid:[1]")
        tx.release_lease("mailbox", "helpdesk:1", "boot-b/pid:[1]")
    with pytest.raises(LeaseLost):
        _read_up_to(site, Fence("mailbox", "helpdesk:1", HOUR, "boot-b/pid:[1]"), 10)
    _read_up_to(site, Fence("mailbox", "helpdesk:1", HOUR, "boot-a/pid:[1]"), 10)
    assert _progress(site) == 10


def test_a_released_lease_is_taken_at_once(site: Site) -> None:
    assert _take(site, "pc-a:1")
    with site.store.transaction() as tx:
        tx.release_lease("mailbox", "pc-b:2")  # not b's: nothing happens
    assert not _take(site, "pc-b:2")
    with site.store.transaction() as tx:
        tx.release_lease("mailbox", "pc-a:1")
    assert _held(site) == []
    assert _take(site, "pc-b:2")


def test_the_database_clock_moves_on(site: Site) -> None:
    with site.store.transaction() as tx:
        first = tx.database_clock()
    with site.store.transaction() as tx:
        assert tx.database_clock() >= first > 1.7e9  # seconds since 1970, after 2023


# --- fencing: a job's writes commit only while its lease holds ------------------------------

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
A = Fence("mailbox", "pc-a:1", HOUR)


def _progress(site: Site) -> int | None:
    """What the mailbox job last recorded (the last UID read), or None."""
    with site.store.transaction() as tx:
        state = tx.mailbox_state("INBOX")
        return state.last_uid if state else None


def _read_up_to(site: Site, fence: Fence | None, uid: int) -> None:
    with fenced(fence), site.store.transaction() as tx:
        tx.set_mailbox_state("INBOX", 7, uid, NOW)


def test_a_job_commits_while_it_holds_its_lease(site: Site) -> None:
    assert _take(site, "pc-a:1")
    _read_up_to(site, A, 10)
    assert _progress(site) == 10


def test_a_job_whose_lease_another_daemon_took_commits_nothing(site: Site) -> None:
    """A daemon that stalled (paused, cut off) past its lease, and whose lease the other
    took, cannot commit the work it had in hand: LeaseLost, and nothing of it is stored;
    the new holder's work commits."""
    assert _take(site, "pc-a:1")
    assert _take(site, "pc-b:2", seconds=-1.0)  # a's lease ran out; b takes the mailbox
    with pytest.raises(LeaseLost, match=r"pc-a:1\) no longer holds the job's lease"):
        _read_up_to(site, A, 10)
    assert _progress(site) is None
    _read_up_to(site, Fence("mailbox", "pc-b:2", HOUR), 20)
    assert _progress(site) == 20


def test_a_job_whose_lease_ran_out_unrenewed_commits_nothing(site: Site) -> None:
    """Not renewed for longer than the lease runs (by the database's clock), a holder
    cannot tell whether another has taken its job: it commits nothing, even if none has."""
    assert _take(site, "pc-a:1")
    with pytest.raises(LeaseLost):
        _read_up_to(site, Fence("mailbox", "pc-a:1", -1.0), 10)
    assert _progress(site) is None


def test_work_outside_a_fence_commits_as_before(site: Site) -> None:
    """No lease, no fence (the outbox, a command run by hand): the commit is not checked."""
    assert _take(site, "pc-b:2")
    _read_up_to(site, None, 10)
    assert _progress(site) == 10


@pytest.mark.postgresql_only("two daemons write at once only on a server")
def test_the_take_of_a_lease_waits_for_its_holders_fenced_commit(site: Site) -> None:
    """The holder checks its lease as the last statement of its transaction and locks the
    row until it commits: a daemon taking the lease meanwhile (it has run out) waits, and
    takes it only after that commit, so the two never both commit work of the job."""
    assert _take(site, "pc-a:1")
    taken: list[bool] = []
    with site.store.transaction() as tx:
        tx.set_mailbox_state("INBOX", 7, 10, NOW)
        assert tx.still_holds(A)  # what the fenced commit checks, just before it commits
        taker = threading.Thread(target=lambda: taken.append(_take(site, "pc-b:2", -1.0)))
        taker.start()
        assert _waits_for_a_lock(site), "the take did not wait for the holder's commit"
        assert taken == []
    taker.join(timeout=60)
    assert taken == [True]
    assert _progress(site) == 10  # a's work, committed before b took the mailbox
    with pytest.raises(LeaseLost):
        _read_up_to(site, A, 11)
    assert _progress(site) == 10


def _waits_for_a_lock(site: Site) -> bool:
    """Whether, within a minute, a session of the site's database waits for a row lock."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with site.store.transaction() as tx:
            waiting = tx.session.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     " AND datname = current_database()")
            ).scalar_one()  # fmt: skip
        if waiting:
            return True
        time.sleep(0.05)
    return False


def test_a_daemon_whose_lease_was_taken_runs_its_job_without_effect(site: Site) -> None:
    """The daemon still trusts its last renewal (it has not renewed since), but the other
    took the lease: its job runs, its write is refused, the run is recorded as failed."""
    keeper = LeaseKeeper(site, ["sweep"], holder="pc-a:1")
    keeper.renew()
    assert keeper.holds("sweep")
    with site.store.transaction() as tx:
        assert tx.take_lease("sweep", "pc-b:2", -1.0)

    def sweep() -> None:
        with site.store.transaction() as tx:
            tx.set_mailbox_state("INBOX", 7, 10, NOW)

    assert not run_job(site, Job("sweep", 60, sweep), keeper)
    assert _progress(site) is None
    with site.store.transaction() as tx:
        [state] = [s for s in tx.job_states() if s.name == "sweep"]
    assert state.last_error is not None and "no longer holds the job's lease" in state.last_error


# --- a daemon restarted on the machine where its predecessor was killed ---------------------


def _dead_pid() -> int:
    """The id of a process that ran here and has ended (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def _left_by(site: Site, holder: str, key: str | None) -> None:
    """A lease renewed just now by ``holder``, in the process space ``key``."""
    with site.store.transaction() as tx:
        assert tx.take_lease("mailbox", holder, HOUR, host_key=key)


@pytest.mark.postgresql_only("on SQLite the one daemon takes every lease at once anyway")
def test_a_restarted_daemon_takes_its_dead_predecessors_lease_at_once(site: Site) -> None:
    """The lease names a process of this machine (same host name, boot and PID namespace)
    that no longer runs: the new daemon takes it at its first renewal, not a lease timeout
    later."""
    host = socket.gethostname()
    _left_by(site, f"{host}:{_dead_pid()}", host_key())
    keeper = LeaseKeeper(site, ["mailbox"], holder=f"{host}:{os.getpid()}")
    keeper.renew()
    assert keeper.holds("mailbox")
    assert [h for _, h, _ in _held(site)] == [f"{host}:{os.getpid()}"]


@pytest.mark.postgresql_only("on SQLite the one daemon takes every lease at once anyway")
@pytest.mark.parametrize("case", ["still running", "another machine", "another boot"])
def test_a_lease_whose_holder_may_still_run_is_waited_out(site: Site, case: str) -> None:
    """A holder that runs here still, or ran on another machine, or on this one before it
    was restarted, or in another PID namespace (whose process ids mean other processes):
    its lease is not taken before it runs out."""
    host, key, pid = socket.gethostname(), host_key(), _dead_pid()
    if case == "still running":
        pid = os.getppid()
    elif case == "another machine":
        host = "pc-lain"
    else:
        key = "another-boot/pid:[1]"
    _left_by(site, f"{host}:{pid}", key)
    keeper = LeaseKeeper(site, ["mailbox"], holder=f"{socket.gethostname()}:{os.getpid()}")
    keeper.renew()
    assert not keeper.holds("mailbox")
    assert [h for _, h, _ in _held(site)] == [f"{host}:{pid}"]


@pytest.mark.postgresql_only("a server ends a stalled session; on SQLite there is one daemon")
def test_a_stalled_holders_lock_on_its_lease_is_let_go(site: Site) -> None:
    """A daemon stalls (a frozen machine, a cut network) just after its fenced check, the
    lease row locked and its commit not sent. The server ends its session once it has been
    idle in the transaction for ``stalled_after``: the other's take of the lease (which has
    run out) waits only that long, and the stalled one's commit fails as the database's
    fault, nothing of it saved."""
    stalled = Site(site.config, stalled_after=0.5)
    assert _take(site, "pc-a:1")
    taken: list[bool] = []
    with pytest.raises(DatabaseUnavailable, match="stalled session|cannot be reached"):
        with stalled.store.transaction() as tx:
            tx.set_mailbox_state("INBOX", 7, 10, NOW)
            assert tx.still_holds(A)
            taker = threading.Thread(target=lambda: taken.append(_take(site, "pc-b:2", -1.0)))
            taker.start()
            taker.join(timeout=60)  # meanwhile this transaction is idle: it has stalled
            assert taken == [True], "the take waited on the stalled holder's lock"
    assert _progress(site) is None
    assert [h for _, h, _ in _held(site)] == ["pc-b:2"]
