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
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterable

from helpdesk.wiring import Site

log = logging.getLogger("helpdesk.run")

# The jobs one daemon at a time runs; every other job (the outbox) runs on each.
ONE_AT_A_TIME = ("mailbox", "phone_drop", "sweep", "digest", "watchdog")

RENEW_SHARE = 0.2  # renewed every fifth of the timeout
FREE_SHARE = 0.75  # in the database, free after this share of the timeout unrenewed
TRUST_SHARE = 0.4  # the holder itself stops after this share without a renewal


def this_daemon() -> str:
    """Who a daemon is in `helpdesk status`: its machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
        self.trust_seconds = timeout * TRUST_SHARE
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

    def renew(self) -> None:
        """Take or renew every lease once; a database that cannot be reached is logged,
        and the leases held run out here on their own."""
        try:
            with self.here.store.transaction() as tx:
                got = {name: tx.take_lease(name, self.holder, self.free_seconds)
                       for name in self.names}  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the database may be down: try again later
            log.warning("could not renew the job leases: %s", _one_line(exc))
            got = {}
        now = time.monotonic()
        with self._lock:
            for name, ours in got.items():
                if ours:
                    if name not in self._renewed or now - self._renewed[name] >= self.trust_seconds:
                        log.info("running %s (lease taken by %s)", name, self.holder)
                    self._renewed[name] = now
                elif self._renewed.pop(name, None) is not None:
                    log.warning("%s is run by another daemon now", name)
            for name, tenures in self._tenures.items():
                if not (name in self._renewed and now - self._renewed[name] < self.trust_seconds):
                    for tenure in tenures:
                        tenure.set()
                    tenures.clear()

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
        every tenure and give the leases up, so that another daemon takes them at once."""
        while not stop.wait(self.renew_seconds):
            self.renew()
        with self._lock:
            for tenures in self._tenures.values():
                for tenure in tenures:
                    tenure.set()
        self.release()

    def release(self) -> None:
        with self._lock:
            self._renewed.clear()
        try:
            with self.here.store.transaction() as tx:
                for name in self.names:
                    tx.release_lease(name, self.holder)
        except Exception as exc:  # noqa: BLE001 - they run out on their own
            log.warning("could not give up the job leases: %s", _one_line(exc))


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
