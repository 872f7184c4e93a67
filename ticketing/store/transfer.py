"""A whole database copied into an empty one (a SQLite site moving to PostgreSQL), and the
counts and checksums that show that the copy holds what the original does.

The copy reads the original from one snapshot and writes the target in one transaction:
an interrupted copy leaves the target as empty as it was (its schema aside). The leases of
the original's daemons are not copied: they name processes of the old site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Table, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine

import ticketing.models  # noqa: F401 - every table in the metadata
from ticketing import migrate
from ticketing.db import metadata
from ticketing.store.database import Store
from ticketing.store.errors import StoreError

NOT_COPIED = ("job_lease",)
CHUNK = 1000


def tables() -> list[Table]:
    """The site's tables, each after those its rows refer to."""
    return [t for t in metadata.sorted_tables if t.name not in NOT_COPIED]


def copy_database(source: Store, target: Engine) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``, which must hold no table; the number
    of rows per table. Raises StoreError for a target that is not empty."""
    found = sorted(inspect(target).get_table_names())
    if found:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        raise StoreError(
            f"the target database is not empty ({len(found)} table(s): {shown}); copy into"
            " a new, empty database"
        )
    migrate.upgrade(target)
    counts: dict[str, int] = {}
    with source.snapshot() as tx, target.begin() as out:
        reading = tx.session.connection()
        for table in tables():
            counts[table.name] = _copy_table(reading, out, table)
        if out.dialect.name == "postgresql":
            for table in tables():
                _advance_sequence(out, table)
    return counts


def _copy_table(reading: Connection, out: Connection, table: Table) -> int:
    rows = reading.execute(select(table).order_by(*table.primary_key.columns))
    copied = 0
    while batch := rows.fetchmany(CHUNK):
        out.execute(insert(table), [dict(row._mapping) for row in batch])
        copied += len(batch)
    return copied


def _advance_sequence(out: Connection, table: Table) -> None:
    """The next id PostgreSQL gives is past the copied ones."""
    column = table.c.get("id")
    if column is None or not column.primary_key:
        return
    highest = out.execute(select(func.max(column))).scalar()
    if highest is not None:
        out.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
            {"table": table.name, "value": int(highest)},
        )


def checksums(store: Store) -> dict[str, tuple[int, str]]:
    """Per table: its number of rows and a SHA-256 of their values in key order, read from
    one snapshot, the same for the same rows on SQLite and on PostgreSQL."""
    found: dict[str, tuple[int, str]] = {}
    with store.snapshot() as tx:
        reading = tx.session.connection()
        for table in tables():
            digest = hashlib.sha256()
            rows = reading.execute(select(table).order_by(*table.primary_key.columns))
            count = 0
            while batch := rows.fetchmany(CHUNK):
                for row in batch:
                    digest.update(_canonical(row._mapping).encode())
                    count += 1
            found[table.name] = (count, digest.hexdigest())
    return found


def _canonical(row: Any) -> str:
    return json.dumps({key: _value(value) for key, value in row.items()}, sort_keys=True) + "\n"


def _value(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value
