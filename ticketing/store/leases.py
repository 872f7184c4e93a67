"""Leases: a job that one daemon at a time may run is held by the daemon whose lease row
names it, as long as it renews the lease; one that stops renewing (killed, cut off from
the database) loses it once ``seconds`` have passed, and another takes it.

Every time is the database server's clock, read in the statement that uses it: two
machines agree on it whatever their own clocks say.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import col, select

from ticketing.models import JobLease
from ticketing.store.base import Part

_CLOCK = {
    "postgresql": "extract(epoch from clock_timestamp())",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}


class Leases(Part):
    def database_clock(self) -> float:
        """The database server's time, in seconds since the epoch."""
        return float(self.session.execute(text(f"SELECT {self._clock()}")).scalar_one())

    def take_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease on ``name`` for ``holder``: True when ``holder`` has it
        now, False while another holder's lease runs (renewed less than ``seconds`` ago).
        On PostgreSQL the row lock makes two daemons that try at once agree."""
        clock = self._clock()
        self.session.execute(
            text(
                "INSERT INTO job_lease (name, holder, since, renewed)"
                f" VALUES (:name, :holder, {clock}, {clock}) ON CONFLICT (name) DO NOTHING"
            ),
            {"name": name, "holder": holder},
        )
        row = self.session.execute(
            text(
                f"UPDATE job_lease SET renewed = {clock},"
                f" since = CASE WHEN holder = :holder THEN since ELSE {clock} END,"
                " holder = :holder"
                f" WHERE name = :name AND (holder = :holder OR renewed < {clock} - :seconds)"
                " RETURNING holder"
            ),
            {"name": name, "holder": holder, "seconds": seconds},
        ).first()
        return row is not None

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up (a daemon stopping): another may take it at once."""
        self.session.execute(
            text("DELETE FROM job_lease WHERE name = :name AND holder = :holder"),
            {"name": name, "holder": holder},
        )

    def leases(self) -> list[JobLease]:
        return list(self.session.exec(select(JobLease).order_by(col(JobLease.name))))

    def _clock(self) -> str:
        return _CLOCK[self.session.get_bind().dialect.name]
