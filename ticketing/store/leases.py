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

from sqlalchemy import text
from sqlmodel import col, select

from ticketing.models import JobLease
from ticketing.store import lease_sql
from ticketing.store.base import Part
from ticketing.store.lease_sql import Fence, current_fence, fenced

__all__ = ["Fence", "Leases", "current_fence", "fenced"]


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
        return lease_sql.take_lease(
            self.session, self._dialect(), name, holder, seconds, host_key=host_key, dead=dead
        )

    def still_holds(self, fence: Fence) -> bool:
        """Whether ``fence.holder`` holds the lease now and it has not run out on the
        database's clock; on PostgreSQL the row stays locked until this transaction ends,
        so no one takes the lease before it has committed."""
        return lease_sql.still_holds(self.session, self._dialect(), fence)

    def release_lease(self, name: str, holder: str, host_key: str | None = None) -> None:
        """Give the lease up (a daemon stopping): another may take it at once."""
        lease_sql.release_lease(self.session, name, holder, host_key)

    def lease_holder(self, name: str) -> tuple[str, str | None] | None:
        """Who holds the lease on ``name`` (its holder and host key), if anyone has it."""
        return lease_sql.lease_holder(self.session, name)

    def leases(self) -> list[JobLease]:
        return list(self.session.exec(select(JobLease).order_by(col(JobLease.name))))

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _clock(self) -> str:
        return lease_sql.clock_sql(self._dialect())
