"""The leases' SQL, on any connection: an ORM session of the store (`Leases`, a part of
Tx) or a plain SQLAlchemy connection, which a poll by hand that finds the mailbox empty
uses without loading SQLModel, the models and the ORM (helpdesk.leases.ByHand).

Every time is the database server's clock, read in the statement that uses it: two
machines agree on it whatever their own clocks say. See ticketing.store.leases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text


@dataclass(frozen=True)
class Fence:
    """The lease that the commits of a job's transactions depend on."""

    lease: str  # the job's name
    holder: str
    seconds: float | None  # the lease runs out this long unrenewed; None: never (one daemon)
    host_key: str | None = None  # with ``holder``, who holds it (see take_lease)


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


class Connection(Protocol):
    """What the functions here need: an ORM session or a Core connection."""

    def execute(self, statement: Any, parameters: Any = ..., /) -> Any: ...


# The row is the caller's: its holder by name and process space (``:holder``, ``:key``).
_OURS = "(holder = :holder AND coalesce(host_key, '') = :key)"

_CLOCK = {
    "postgresql": "extract(epoch from clock_timestamp())",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}


def clock_sql(dialect: str) -> str:
    """The database server's time, in seconds since the epoch, as an SQL expression."""
    return _CLOCK[dialect]


def take_lease(
    conn: Connection, dialect: str, name: str, holder: str, seconds: float, *,
    host_key: str | None = None, dead: str | None = None,
) -> bool:  # fmt: skip
    """See `ticketing.store.leases.Leases.take_lease`."""
    clock = clock_sql(dialect)
    conn.execute(
        text(
            "INSERT INTO job_lease (name, holder, since, renewed, host_key)"
            f" VALUES (:name, :holder, {clock}, {clock}, :host_key)"
            " ON CONFLICT (name) DO NOTHING"
        ),
        {"name": name, "holder": holder, "host_key": host_key},
    )
    row = conn.execute(
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


def still_holds(conn: Connection, dialect: str, fence: Fence) -> bool:
    """See `ticketing.store.leases.Leases.still_holds`."""
    clock = clock_sql(dialect)
    sql = f"SELECT holder FROM job_lease WHERE name = :name AND {_OURS}"
    params: dict[str, object] = {
        "name": fence.lease, "holder": fence.holder, "key": fence.host_key or ""
    }  # fmt: skip
    if fence.seconds is not None:
        sql += f" AND renewed >= {clock} - :seconds"
        params["seconds"] = fence.seconds
    if dialect == "postgresql":
        sql += " FOR UPDATE"
    return conn.execute(text(sql), params).first() is not None


def release_lease(conn: Connection, name: str, holder: str, host_key: str | None = None) -> None:
    """Give the lease up (a daemon stopping): another may take it at once."""
    conn.execute(
        text(f"DELETE FROM job_lease WHERE name = :name AND {_OURS}"),
        {"name": name, "holder": holder, "key": host_key or ""},
    )


def lease_holder(conn: Connection, name: str) -> tuple[str, str | None] | None:
    """Who holds the lease on ``name`` (its holder and host key), if anyone has it."""
    row = conn.execute(
        text("SELECT holder, host_key FROM job_lease WHERE name = :name"), {"name": name}
    ).first()
    return (row[0], row[1]) if row is not None else None
