"""The engine factory: one place that knows how to open the database.

Both the store and the migrations use it, so the SQLite settings the application
relies on (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) hold everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, create_engine

# Named constraints, so that Alembic's batch mode on SQLite can drop and alter them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

BUSY_TIMEOUT_MS = 10_000


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime, stored as UTC and read back aware.

    SQLite keeps no time zone: without this, 09:00+07:00 would come back as a naive 09:00.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; times must be aware")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; on SQLite with WAL, a busy timeout, foreign keys and
    write-locking transactions, so concurrent writers queue instead of losing updates."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(
        url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below, not pysqlite, decide when a transaction starts.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that upgrades from read to write skips the busy
        # handler; taking the write lock up front makes writers wait their turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
