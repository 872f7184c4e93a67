"""Which of the jobs that one daemon at a time may run this daemon runs now.

Two daemons on two machines may share one PostgreSQL database. The outbox they both work
(each e-mail is claimed by one sender), but the mailbox (IMAP gives two readers no safe way
to split one folder), the phone-log folder, the deadline sweep, the digest and the
watchdog are run by one of them: the one holding the job's lease in the database
(ticketing.store.leases). A thread of the daemon renews its leases every fifth of
``[daemon] lease_timeout`` and takes those that are free. A lease not renewed for 75 % of
the timeout is free, so a daemon that dies (SIGKILL, power off, a network cut) loses its
jobs to the other within 95 % of it: the other's next renewal takes them. A daemon that
has not renewed a lease for 40 % of the timeout (the database unreachable, the machine
stalled) stops its job, at the latest at its next renewal, 60 %: before the other can
take it. The mailbox stops between two messages. On SQLite there is one daemon (the run
lock); it holds every lease, also one a killed daemon left.

Each job that one daemon at a time runs writes only while its lease holds: its
transactions are fenced (`fence`, ticketing.store.leases): each checks the lease as its
last statement and rolls back if this daemon no longer holds it, so that a daemon paused
or cut off mid-batch cannot commit once the other has taken the job.

A command run by hand that does such a job's work (`helpdesk intake poll` and `intake
watch` read the mailbox) holds the job's lease for its run, as a daemon would (`ByHand`):
it takes the lease, or refuses with one line naming the daemon that holds it; it renews it
while it runs, its writes fenced by it, and gives it up at the end. A daemon does not take
a lease from a command that holds it, also on SQLite (where the daemon otherwise holds
every lease, being the only one): the lease is taken from a holder on this machine only
once its process has ended.

A daemon restarted on the machine where its predecessor was killed need not wait for the
lease to run out: a lease whose holder ran in the same process space (the same boot of the
same machine, the same PID namespace: `host_key`) under a process id that is no longer
running is taken at once. Any other lease is waited out.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ticketing.store import lease_sql
from ticketing.store.lease_sql import Fence, fenced

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from helpdesk.wiring import Site
    from ticketing.models import JobLease

log = logging.getLogger("helpdesk.run")

# The jobs one daemon at a time runs; every other job (the outbox) runs on each.
ONE_AT_A_TIME = ("mailbox", "phone_drop", "sweep", "digest", "watchdog")

RENEW_SHARE = 0.2  # renewed every fifth of the timeout
FREE_SHARE = 0.75  # in the database, free after this share of the timeout unrenewed
TRUST_SHARE = 0.4  # the holder itself stops after this share without a renewal
# A daemon's session idle in a transaction this share of the timeout is ended by the
# PostgreSQL server: the row locks of a daemon stalled or cut off mid-transaction (its
# lease rows' among them) are let go before its leases are free, so the other can take them.
STALL_SHARE = 0.25


def this_daemon() -> str:
    """Who a daemon is in `helpdesk status`: its machine and process. The machine is the
    host name, or ``HELPDESK_MACHINE`` where set (two daemons on one host that stand for
    two machines, as the fault tests run them: neither then takes the other's lease early,
    as no daemon can tell whether another machine's process still runs)."""
    machine = os.environ.get("HELPDESK_MACHINE", "").strip() or socket.gethostname()
    return f"{machine}:{os.getpid()}"


@cache
def host_key() -> str | None:
    """The process space this daemon's process id belongs to: this boot of the machine's
    kernel and its PID namespace (Linux; None elsewhere). Two holders with the same key and
    host name see the same processes, so one can tell whether the other still runs."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    return f"{boot}/{namespace}" if boot and namespace else None


def running(pid: int) -> bool:
    """Whether process ``pid`` runs here (a zombie, killed and not yet reaped, does not)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return not Path("/proc/self").exists()  # /proc/PID gone meanwhile: ended
    fields = stat.rpartition(")")[2].split()
    return not fields or fields[0] != "Z"


class LeaseKeeper:
    def __init__(self, here: Site, names: Iterable[str], holder: str | None = None) -> None:
        self.here = here
        self.names = tuple(names)
        self.holder = holder or this_daemon()
        timeout = float(here.config.daemon.lease_timeout)
        self.renew_seconds = timeout * RENEW_SHARE
        # SQLite: the run lock makes this the only daemon, so a lease left by one that was
        # killed is taken at once.
        single = here.config.sqlite_path is not None
        self.free_seconds = -1.0 if single else timeout * FREE_SHARE
        self.single = single
        self.trust_seconds = timeout * TRUST_SHARE
        self.host_key = host_key()
        self._renewed: dict[str, float] = {}  # name -> time.monotonic() of its last renewal
        self._tenures: dict[str, list[threading.Event]] = {}
        self._lock = threading.Lock()

    def holds(self, name: str) -> bool:
        """Whether this daemon runs ``name`` now (always, for a job without a lease)."""
        if name not in self.names:
            return True
        with self._lock:
            renewed = self._renewed.get(name)
        return renewed is not None and time.monotonic() - renewed < self.trust_seconds

    def fence(self, name: str) -> Fence | None:
        """What this daemon's writes for job ``name`` are fenced by (None: a job without
        a lease, which every daemon runs)."""
        if name not in self.names:
            return None
        seconds = None if self.single else self.free_seconds
        return Fence(name, self.holder, seconds, self.host_key)

    def renew(self) -> None:
        """Take or renew every lease once; a database that cannot be reached is logged,
        and the leases held run out here on their own."""
        dead: dict[str, str] = {}
        others: dict[str, str] = {}
        try:
            with self.here.store.transaction() as tx:
                leases = tx.leases()
                if self.single:
                    # The only daemon (the run lock) takes every lease, but not one that a
                    # command run by hand holds while its process runs.
                    others = self._live_others(leases)
                else:
                    dead = self._dead_predecessors(leases)
                    others = {lease.name: lease.holder for lease in leases}
                got = {
                    name: name not in others if self.single else
                    tx.take_lease(name, self.holder, self.free_seconds,
                                  host_key=self.host_key, dead=dead.get(name))
                    for name in self.names
                }  # fmt: skip
                for name, ours in got.items():
                    if ours and self.single:
                        tx.take_lease(name, self.holder, self.free_seconds,
                                      host_key=self.host_key)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the database may be down: try again later
            log.warning("could not renew the job leases: %s", _one_line(exc))
            got = {}
        now = time.monotonic()
        with self._lock:
            for name, ours in got.items():
                if ours:
                    if name not in self._renewed or now - self._renewed[name] >= self.trust_seconds:
                        self._taken(name, dead.get(name))
                    self._renewed[name] = now
                elif self._renewed.pop(name, None) is not None:
                    if self.single:  # the run lock: only a command run by hand can hold it
                        log.warning("%s is run by %s now, a command run by hand", name,
                                    others.get(name, "?"))  # fmt: skip
                    else:
                        log.warning("%s is run by another daemon now (%s)", name,
                                    others.get(name, "?"))  # fmt: skip
            for name, tenures in self._tenures.items():
                if not (name in self._renewed and now - self._renewed[name] < self.trust_seconds):
                    for tenure in tenures:
                        tenure.set()
                    tenures.clear()

    def _taken(self, name: str, predecessor: str | None) -> None:
        if predecessor is None:
            log.info("running %s (lease taken by %s)", name, self.holder)
        else:
            log.info("running %s (lease taken by %s from %s, no longer running on this"
                     " machine)", name, self.holder, predecessor)  # fmt: skip

    def _dead_predecessors(self, leases: list[JobLease]) -> dict[str, str]:
        """The leases (name -> holder) held by a daemon that ran where this one runs and
        is no longer running: a predecessor killed on this machine."""
        return self._held_here(leases, alive=False)

    def _live_others(self, leases: list[JobLease]) -> dict[str, str]:
        """The leases (name -> holder) held by another process that runs on this machine
        now (a command run by hand): with the run lock, no other daemon runs here."""
        return self._held_here(leases, alive=True)

    def _held_here(self, leases: list[JobLease], *, alive: bool) -> dict[str, str]:
        """The leases (name -> holder) of this daemon's jobs held by another process of
        this machine (the same host and boot), whose process is running (``alive``) or
        gone."""
        if self.host_key is None:
            return {}
        host, _, _ = self.holder.rpartition(":")
        found = {}
        for lease in leases:
            other_host, _, pid = lease.holder.rpartition(":")
            if (
                lease.name in self.names
                and lease.holder != self.holder
                and lease.host_key == self.host_key
                and other_host == host
                and pid.isdigit()
                and running(int(pid)) == alive
            ):
                found[lease.name] = lease.holder
        return found

    def tenure(self, name: str) -> threading.Event:
        """An event set once this daemon no longer runs ``name`` (or stops)."""
        event = threading.Event()
        with self._lock:
            self._tenures.setdefault(name, []).append(event)
        if not self.holds(name):
            event.set()
        return event

    def keep(self, stop: threading.Event) -> None:
        """Renew until ``stop`` is set (the body of the daemon's lease thread); then end
        every tenure. The leases are kept until `release`, once the work in hand is done:
        given up before, its commit would be refused (the lease no longer this daemon's)."""
        while not stop.wait(self.renew_seconds):
            self.renew()
        with self._lock:
            for tenures in self._tenures.values():
                for tenure in tenures:
                    tenure.set()

    def release(self) -> None:
        """Give every lease up (the daemon stopping, its jobs done): another daemon takes
        them at once."""
        with self._lock:
            self._renewed.clear()
        try:
            with self.here.store.transaction() as tx:
                for name in self.names:
                    tx.release_lease(name, self.holder, self.host_key)
        except Exception as exc:  # noqa: BLE001 - they run out on their own
            log.warning("could not give up the job leases: %s", _one_line(exc))


_WORK = {"mailbox": "the mailbox", "phone_drop": "the phone-log folder"}


class HeldElsewhere(Exception):
    """A command run by hand was refused a job's lease: another holds it (the message,
    one line, names the holder)."""


class ByHand:
    """The lease of a job that one daemon at a time runs, held by a command run by hand
    that does the job's work (`helpdesk intake poll`): `take` in a transaction of the
    command's (with what else it reads first), then `held()` around the work."""

    def __init__(self, here: Site, name: str, *, on_lost: Callable[[], None] | None = None):
        self.here = here
        self.name = name
        self.holder = this_daemon()
        self.host_key = host_key()
        timeout = float(here.config.daemon.lease_timeout)
        self.free_seconds = timeout * FREE_SHARE
        self.renew_seconds = timeout * RENEW_SHARE
        self.fence = Fence(name, self.holder, self.free_seconds, self.host_key)
        self.on_lost = on_lost
        self.lost: str | None = None  # the holder that took it while this command ran

    def take(self, conn: Connection) -> None:
        """Take the lease in the plain transaction ``conn`` (`Site.plain_transaction`), or
        raise HeldElsewhere: a daemon (or another command) renewed it within the last
        ``FREE_SHARE`` of the timeout and, on this machine, its process still runs. A
        holder here whose process has ended is taken over at once."""
        holder = lease_sql.lease_holder(conn, self.name)
        dead = None
        if holder is not None and holder != self.holder:
            other_host, _, pid = holder[0].rpartition(":")
            host, _, _ = self.holder.rpartition(":")
            if (self.host_key is not None and holder[1] == self.host_key and other_host == host
                    and pid.isdigit() and not running(int(pid))):  # fmt: skip
                dead = holder[0]
        if not self._take(conn, dead):
            assert holder is not None
            what = _WORK.get(self.name, f"the {self.name} job")
            raise HeldElsewhere(
                f"{what} is being read by {holder[0]}, which holds its lease (helpdesk status"
                " shows it): two readers at once are not safe; stop it first, or leave the"
                " work to it"
            )

    def _take(self, conn: Connection, dead: str | None = None) -> bool:
        return lease_sql.take_lease(
            conn, conn.dialect.name, self.name, self.holder, self.free_seconds,
            host_key=self.host_key, dead=dead,
        )  # fmt: skip

    @contextmanager
    def held(self) -> Iterator[None]:
        """The work of a command that has taken the lease: its transactions fenced by it,
        the lease renewed every fifth of the timeout meanwhile and given up at the end."""
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep, args=(stop,), name="lease", daemon=True)
        keeper.start()
        try:
            with fenced(self.fence):
                yield
        finally:
            stop.set()
            keeper.join(timeout=30)
            self.release()

    def _keep(self, stop: threading.Event) -> None:
        while not stop.wait(self.renew_seconds):
            try:
                with self.here.plain_transaction() as conn:
                    ours = self._take(conn)
                    holder = None if ours else lease_sql.lease_holder(conn, self.name)
            except Exception as exc:  # noqa: BLE001 - the database may be down: try again
                log.warning("could not renew the %s lease: %s", self.name, _one_line(exc))
                continue
            if not ours:
                self.lost = holder[0] if holder else "another daemon"
                log.warning("%s is run by %s now", self.name, self.lost)
                if self.on_lost is not None:
                    self.on_lost()
                return

    def release(self) -> None:
        try:
            with self.here.plain_transaction() as conn:
                lease_sql.release_lease(conn, self.name, self.holder, self.host_key)
        except Exception as exc:  # noqa: BLE001 - it runs out on its own
            log.warning("could not give up the %s lease: %s", self.name, _one_line(exc))


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
