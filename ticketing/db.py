"""The models' metadata and column types, and the engine factory (`ticketing.engine`,
which loads neither SQLModel nor the ORM), under one name for the store and the
migrations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlmodel import SQLModel

from ticketing.engine import (
    BUSY_TIMEOUT_MS,
    SNAPSHOT,
    CannotRead,
    make_engine,
    read_only_uri,
    why_not_writable,
)

__all__ = [
    "BUSY_TIMEOUT_MS", "SNAPSHOT", "CannotRead", "UTCDateTime", "make_engine", "metadata",
    "read_only_uri", "why_not_writable",
]  # fmt: skip

# Named constraints, so that Alembic's batch mode on SQLite can drop and alter them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


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

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """`process_result_value` after the dialect's own conversion, as TypeDecorator
        composes them, in one function: a page of the deadline sweep reads seven times
        per ticket, and the two calls a value were a good part of loading it."""
        parse = self.impl_instance.result_processor(dialect, coltype)
        utc = dt.UTC

        def process(value: Any) -> dt.datetime | None:
            if parse is not None:
                value = parse(value)
            if value is None:
                return None
            if value.tzinfo is None:
                return value.replace(tzinfo=utc)
            return value.astimezone(utc)

        return process
