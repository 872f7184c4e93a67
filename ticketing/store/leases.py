"""Leases: a job that one daemon at a time may run is held by the daemon whose lease row
names it, as long as it renews the lease; one that stops renewing (killed, cut off from
the database) loses it once ``seconds`` have passed, and another takes it.

Every time is the database server's clock, read in the statement that uses it: two
machines agree on it whatever their own clocks say.

A job's writes are fenced by its lease: inside ``fenced(Fence(...))`` every transaction
of the store checks, as its last statement before the commit, that the lease row still
names this holder and has not run out (`Leases.still_holds`), and rolls back with
LeaseLost otherwise. On PostgreSQL the check locks the row (FOR UPDATE) until the commit,
so another daemon's take of the lease waits for it: a daemon stalled mid-batch (paused,
cut off) and one that took its lease can never both commit work of the job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import col, select

from ticketing.models import JobLease
from ticketing.store.base import Part


@dataclass(frozen=True)
class Fence:
    """The lease that the commits of a job's transactions depend on."""

    lease: str  # the job's name
    holder: str
    seconds: float | None  # the lease runs out this long unrenewed; None: never (one daemon)
    host_key: str | None = None  # with ``holder``, who holds it (see Leases.take_lease)


# The fence of the job this thread runs (each thread has its own: the mailbox watch, the
# scheduled jobs); set by `fenced`, read by Store.transaction.
_current: ContextVar[Fence | None] = ContextVar("job_fence", default=None)


@contextmanager
def fenced(fence: Fence | None) -> Iterator[None]:
    """Within this block, every transaction this thread opens commits only while
    ``fence`` holds (None: no fence, for work that belongs to no single-holder job)."""
    token = _current.set(fence)
    try:
        yield
    finally:
        _current.reset(token)


def current_fence() -> Fence | None:
    return _current.get()


# The row is the caller's: its holder by name and process space (``:holder``, ``:key``).
_OURS = "(holder = :holder AND coalesce(host_key, '') = :key)"

_CLOCK = {
    "postgresql": "extract(epoch from clock_timestamp())",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}


class Leases(Part):
    def database_clock(self) -> float:
        """The database server's time, in seconds since the epoch."""
        return float(self.session.execute(text(f"SELECT {self._clock()}")).scalar_one())

    def take_lease(
        self, name: str, holder: str, seconds: float, *, host_key: str | None = None,
        dead: str | None = None,
    ) -> bool:  # fmt: skip
        """Take or renew the lease on ``name`` for ``holder``: True when ``holder`` has it
        now, False while another holder's lease runs (renewed less than ``seconds`` ago),
        unless that holder is ``dead`` (a predecessor in the same process space, ``host_key``,
        that the caller knows is not running). On PostgreSQL the row lock makes two daemons
        that try at once agree.

        A holder is its name (``host:pid``) and its ``host_key`` together: two machines
        whose daemons have the same host name and process id are two holders."""
        clock = self._clock()
        self.session.execute(
            text(
                "INSERT INTO job_lease (name, holder, since, renewed, host_key)"
                f" VALUES (:name, :holder, {clock}, {clock}, :host_key)"
                " ON CONFLICT (name) DO NOTHING"
            ),
            {"name": name, "holder": holder, "host_key": host_key},
        )
        row = self.session.execute(
            text(
                f"UPDATE job_lease SET renewed = {clock},"
                f" since = CASE WHEN {_OURS} THEN since ELSE {clock} END,"
                " holder = :holder, host_key = :host_key"
                f" WHERE name = :name AND ({_OURS} OR renewed < {clock} - :seconds"
                " OR (holder = :dead AND coalesce(host_key, '') = :key))"
                " RETURNING holder"
            ),
            {"name": name, "holder": holder, "seconds": seconds, "host_key": host_key,
             "key": host_key or "", "dead": dead},
        ).first()  # fmt: skip
        return row is not None

    def still_holds(self, fence: Fence) -> bool:
        """Whether ``fence.holder`` holds the lease now and it has not run out on the
        database's clock; on PostgreSQL the row stays locked until this transaction ends,
        so no one takes the lease before it has committed."""
        clock = self._clock()
        sql = f"SELECT holder FROM job_lease WHERE name = :name AND {_OURS}"
        params: dict[str, object] = {
            "name": fence.lease, "holder": fence.holder, "key": fence.host_key or ""
        }  # fmt: skip
        if fence.seconds is not None:
            sql += f" AND renewed >= {clock} - :seconds"
            params["seconds"] = fence.seconds
        if self.session.get_bind().dialect.name == "postgresql":
            sql += " FOR UPDATE"
        return self.session.execute(text(sql), params).first() is not None

    def release_lease(self, name: str, holder: str, host_key: str | None = None) -> None:
        """Give the lease up (a daemon stopping): another may take it at once."""
        self.session.execute(
            text(f"DELETE FROM job_lease WHERE name = :name AND {_OURS}"),
            {"name": name, "holder": holder, "key": host_key or ""},
        )

    def lease_holder(self, name: str) -> tuple[str, str | None] | None:
        """Who holds the lease on ``name`` (its holder and host key), if anyone has it."""
        row = self.session.execute(
            text("SELECT holder, host_key FROM job_lease WHERE name = :name"), {"name": name}
        ).first()
        return (row[0], row[1]) if row is not None else None

    def leases(self) -> list[JobLease]:
        return list(self.session.exec(select(JobLease).order_by(col(JobLease.name))))

    def _clock(self) -> str:
        return _CLOCK[self.session.get_bind().dialect.name]
