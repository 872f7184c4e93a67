"""Many rows at once, given as column values (a phone log's chunk, the sweep's events):
no ORM objects are made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlmodel import SQLModel

from ticketing.models import Event, Inbound, OutboxEmail, Submission, Ticket
from ticketing.store.base import Part, table_of


class Bulk(Part):
    def insert_tickets(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert tickets given as column values (each with every column), in batches of
        one statement; their ids, in the order given. Cheaper than `add_ticket` per ticket:
        no ORM objects are made."""
        return self._insert_returning_ids(Ticket, rows)

    def insert_events(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """`insert_tickets` for events."""
        return self._insert_returning_ids(Event, rows)

    def add_events(self, rows: Sequence[dict[str, Any]]) -> None:
        """`insert_events` when the ids are not needed (the deadline sweep's reminders and
        breaches): one executemany, several times cheaper than RETURNING the ids."""
        self._insert_many(Event, rows)

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        """Queue e-mails given as column values (each with every column), as `enqueue` does."""
        self._insert_many(OutboxEmail, rows)

    def insert_submissions(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """`insert_tickets` for incomplete reports."""
        return self._insert_returning_ids(Submission, rows)

    def insert_inbound(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep messages given as column values (each with every column), as `add_inbound`
        does for one."""
        self._insert_many(Inbound, rows)

    def _insert_many(self, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows given as column values, ids not needed. On SQLite, when every row
        gives every column but the id, the values go through the columns' own bind
        processors (each distinct value once: a sweep's events share their moment) and
        straight to the driver's executemany, without SQLAlchemy's per-row compilation
        of parameters: the same stored values, at a fraction of the cost."""
        if not rows:
            return
        table = table_of(model)
        direct = self._driver_insert(table, rows)
        if direct is None:
            self.session.execute(insert(table), list(rows))
            return
        connection, statement, values = direct
        connection.exec_driver_sql(statement, values)

    def _insert_returning_ids(
        self, model: type[SQLModel], rows: Sequence[dict[str, Any]]
    ) -> list[int]:
        """Insert rows given as column values; their ids, in the order given. On SQLite the
        rows go to the driver as `_insert_many` sends them: SQLite gives a row without an id
        the largest id in the table plus one, and this transaction holds the database's
        write lock, so the rows take the ids after the largest before them, in order (which
        is checked). Otherwise one INSERT ... RETURNING (SQLAlchemy's insertmanyvalues)."""
        if not rows:
            return []
        table = table_of(model)
        direct = self._driver_insert(table, rows)
        if direct is not None:
            connection, statement, values = direct
            name = connection.dialect.identifier_preparer.quote(table.name)
            before = connection.exec_driver_sql(f"SELECT max(id) FROM {name}").scalar() or 0
            if before < _LARGEST_ID - len(rows):  # else SQLite picks ids at random
                connection.exec_driver_sql(statement, values)
                last, count = connection.exec_driver_sql(
                    f"SELECT max(id), count(*) FROM {name} WHERE id > ?", (before,)
                ).one()
                if (last, count) != (before + len(rows), len(rows)):
                    raise RuntimeError(
                        f"{table.name}: the rows inserted did not take the ids after {before}"
                    )
                return list(range(before + 1, before + 1 + len(rows)))
        statement_ = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in self.session.execute(statement_, list(rows)).scalars()]

    def _driver_insert(
        self, table: Table, rows: Sequence[dict[str, Any]]
    ) -> tuple[Connection, str, list[tuple[Any, ...]]] | None:
        """The connection, INSERT statement and converted values with which rows that give
        every column but the id go straight to the SQLite driver (pending ORM objects
        flushed first, as a statement through the session would); None elsewhere."""
        names = list(rows[0])
        wanted = {c.name for c in table.columns if not c.primary_key}
        connection = self.session.connection()
        dialect = connection.dialect
        if (
            dialect.paramstyle != "qmark"
            or set(names) != wanted
            or any(len(row) != len(names) or row.keys() != rows[0].keys() for row in rows)
        ):
            return None
        if self.session.autoflush:
            self.session.flush()  # as session.execute would: pending objects go first
        # (position, the column's bind processor, its values converted)
        converted: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
        for position, name in enumerate(names):
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                converted.append((position, process, {}))
        values = []
        for row in rows:
            out = [row[name] for name in names]
            for position, convert, seen in converted:
                value = out[position]
                if type(value) is dt.datetime:
                    if value not in seen:
                        seen[value] = convert(value)
                    out[position] = seen[value]
                else:
                    out[position] = convert(value)
            values.append(tuple(out))
        quote = dialect.identifier_preparer.quote
        statement = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        return connection, statement, values


_LARGEST_ID = 2**63 - 1  # SQLite's largest rowid
