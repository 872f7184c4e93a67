"""Many rows at once, given as column values (a phone log's chunk, the sweep's events,
a batch of e-mails): no ORM objects are made, and the rows go to the driver's
executemany (SQLite's, and psycopg's pipeline)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert
from sqlmodel import SQLModel

from ticketing.models import Event, Inbound, OutboxEmail, Submission, Ticket
from ticketing.store.base import Part, table_of


class Bulk(Part):
    def insert_ticket_values(
        self, names: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> list[int]:
        """Insert tickets given as the values of the columns ``names``, in that order (every
        column but the id), in batches of one statement; their ids, in the order given.
        Cheaper than `add_ticket` per ticket: no ORM objects are made, no dict a row."""
        return self._insert_values_returning_ids(Ticket, tuple(names), rows)

    def insert_event_values(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
        """`insert_ticket_values` for events."""
        return self._insert_values_returning_ids(Event, tuple(names), rows)

    def add_events(self, rows: Sequence[dict[str, Any]]) -> None:
        """`insert_event_values` when the ids are not needed (the deadline sweep's reminders and
        breaches): one executemany, several times cheaper than RETURNING the ids."""
        self._insert_many(Event, rows)

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        """Queue e-mails given as column values (each with every column), as `enqueue` does."""
        self._insert_many(OutboxEmail, rows)

    def insert_submissions(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert incomplete reports given as column values (each with every column); their
        ids, in the order given (`_insert_returning_ids`)."""
        return self._insert_returning_ids(Submission, rows)

    def insert_inbound(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep messages given as column values (each with every column), as `add_inbound`
        does for one."""
        self._insert_many(Inbound, rows)

    def _insert_many(self, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows given as column values, ids not needed. When every row gives every
        column but the id, the values go through the columns' own bind processors (each
        distinct value once: a sweep's events share their moment) and straight to the
        driver's executemany, without SQLAlchemy's per-row compilation of parameters: the
        same stored values, at a fraction of the cost. On PostgreSQL the statement is one
        row's INSERT, which psycopg sends for every row in one pipeline."""
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
        is checked). On PostgreSQL the ids are drawn from the table's sequence, in one
        query, and sent with the rows. Otherwise one INSERT ... RETURNING (SQLAlchemy's
        insertmanyvalues)."""
        if not rows:
            return []
        table = table_of(model)
        names = _same_columns(rows)
        if names is not None:
            getter = operator.itemgetter(*names)
            ids = self._driver_returning_ids(table, names, [getter(row) for row in rows])
            if ids is not None:
                return ids
        statement_ = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in self.session.execute(statement_, list(rows)).scalars()]

    def _insert_values_returning_ids(
        self, model: type[SQLModel], names: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> list[int]:
        """`_insert_returning_ids` of rows given as values of the columns ``names``."""
        if not rows:
            return []
        table = table_of(model)
        ids = self._driver_returning_ids(table, names, rows)
        if ids is not None:
            return ids
        statement_ = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        given = [dict(zip(names, row, strict=True)) for row in rows]
        return [int(i) for i in self.session.execute(statement_, given).scalars()]

    def _driver_returning_ids(
        self, table: Table, names: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> list[int] | None:
        """The rows inserted through the driver and their ids (see `_insert_returning_ids`
        for SQLite; on PostgreSQL the ids are drawn from the table's sequence first, in
        one query, and inserted with the rows); None where that path is not taken."""
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            plan = _plan(table, ("id", *names), connection.dialect)
            if plan is None:
                return None
            self._flush_pending()  # they take their ids first, as they would
            drawn = connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id'))"
                " FROM generate_series(1, %(count)s)",
                {"table": table.name, "count": len(rows)},
            )
            ids = sorted(int(i) for i in drawn.scalars())
            with_ids = [(i, *row) for i, row in zip(ids, rows, strict=True)]
            connection.exec_driver_sql(plan.statement, plan.converted(with_ids))
            return ids
        direct = self._driver_values(table, names, rows)
        if direct is None:
            return None
        connection, statement, values = direct
        name = connection.dialect.identifier_preparer.quote(table.name)
        before = connection.exec_driver_sql(f"SELECT max(id) FROM {name}").scalar() or 0
        if before >= _LARGEST_ID - len(rows):  # SQLite would pick ids at random
            return None
        connection.exec_driver_sql(statement, values)
        last, count = connection.exec_driver_sql(
            f"SELECT max(id), count(*) FROM {name} WHERE id > ?", (before,)
        ).one()
        if (last, count) != (before + len(rows), len(rows)):
            raise RuntimeError(
                f"{table.name}: the rows inserted did not take the ids after {before}"
            )
        return list(range(before + 1, before + 1 + len(rows)))

    def _driver_insert(
        self, table: Table, rows: Sequence[dict[str, Any]]
    ) -> tuple[Connection, str, list[Any]] | None:
        """The connection, INSERT statement and converted values with which rows that give
        every column but the id go straight to the driver's executemany (pending ORM
        objects flushed first, as a statement through the session would); None where that
        path is not taken."""
        names = _same_columns(rows)
        if names is None:
            return None
        getter = operator.itemgetter(*names)
        return self._driver_values(table, names, [getter(row) for row in rows])

    def _driver_values(
        self, table: Table, names: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> tuple[Connection, str, list[Any]] | None:
        """`_driver_insert` of rows given as the values of the columns ``names``."""
        connection = self.session.connection()
        dialect = connection.dialect
        plan = _plan(table, names, dialect)
        if plan is None:
            return None
        self._flush_pending()
        return connection, plan.statement, plan.converted(rows)

    def _flush_pending(self) -> None:
        """Pending ORM objects go first, as a statement through the session would send them."""
        if self.session.autoflush:
            self.session.flush()


def _same_columns(rows: Sequence[dict[str, Any]]) -> tuple[str, ...] | None:
    """The columns every row gives, in the first row's order, when all give the same."""
    first = rows[0].keys()
    if len(first) < 2 or any(row.keys() != first for row in rows):
        return None
    return tuple(first)


@dataclass(frozen=True)
class _Plan:
    """How rows of some columns of a table go to the driver: the statement, and the
    columns whose values their bind processors convert."""

    statement: str
    converters: tuple[tuple[int, Callable[[Any], Any], bool, int], ...]
    """(position, the bind processor, whether it gives None for None, the column's group:
    columns of one type share the values converted already)."""
    groups: int
    named: tuple[str, ...] | None = None
    """The columns, when the statement takes each row as a mapping (``%(name)s``, as
    SQLAlchemy writes an INSERT for psycopg, with the casts it renders)."""

    def converted(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The rows' values as the driver takes them, each distinct time converted once (the
        rows of a chunk share their moments)."""
        values = self._converted(rows)
        if self.named is not None:
            names = self.named
            return [dict(zip(names, row, strict=True)) for row in values]
        return values

    def _converted(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        converters = self.converters
        if not converters:
            return [tuple(row) for row in rows]
        seen: list[dict[Any, Any]] = [{} for _ in range(self.groups)]
        datetime = dt.datetime
        values = []
        for row in rows:
            out = list(row)
            for position, convert, none_is_none, group in converters:
                value = out[position]
                if value is None and none_is_none:
                    continue
                # A moment repeated in the wall-clock hour a zone's clocks go back shows
                # it by its fold alone, which equality ignores: converted each time.
                if type(value) is datetime and not value.fold:
                    done = seen[group].get(value)
                    if done is None:
                        done = seen[group][value] = convert(value)
                    out[position] = done
                else:
                    out[position] = convert(value)
            values.append(tuple(out))
        return values


# The plans made, by table, columns and dialect (the engine's own: its processors are
# made from it), with the dialect itself, so that its id is not another's. Emptied when it
# grows past this many (a test run makes an engine for each site).
_PLANS: dict[tuple[Table, tuple[str, ...], int], tuple[Dialect, _Plan | None]] = {}
_PLANS_KEPT = 64


def _plan(table: Table, names: tuple[str, ...], dialect: Dialect) -> _Plan | None:
    """The plan for rows of ``table`` giving every column but the id as ``names`` (on
    PostgreSQL, the id as well, first, or not); None when they do not, or on a driver
    other than SQLite's and psycopg (such rows take SQLAlchemy's own path). Made once per
    columns and dialect."""
    key = (table, names, id(dialect))
    known = _PLANS.get(key)
    if known is not None and known[0] is dialect:
        return known[1]
    wanted = {c.name for c in table.columns if not c.primary_key}
    postgresql = dialect.name == "postgresql" and dialect.driver == "psycopg"
    given = names[1:] if postgresql and names[:1] == ("id",) else names
    plan = None
    if (dialect.paramstyle == "qmark" or postgresql) and (
        set(given) == wanted and len(given) == len(wanted)
    ):
        groups: dict[tuple[type, str], int] = {}
        converters: list[tuple[int, Callable[[Any], Any], bool, int]] = []
        for position, name in enumerate(names):
            column_type = table.c[name].type
            impl = column_type.dialect_impl(dialect)
            process = impl.bind_processor(dialect)
            if process is None:
                continue
            # Columns of one type share the values converted already.
            group = groups.setdefault((type(column_type), repr(column_type)), len(groups))
            converters.append((position, process, process(None) is None, group))
        if postgresql:
            # SQLAlchemy's own INSERT for psycopg, with its casts (``::JSON``), without
            # RETURNING; one row a statement, so psycopg converts it once and its
            # executemany sends the rows in one pipeline, where a statement of many rows'
            # VALUES (SQLAlchemy's insertmanyvalues) is converted anew every time.
            compiled = insert(table).inline().compile(dialect=dialect, column_keys=list(names))
            plan = _Plan(str(compiled), tuple(converters), len(groups), named=names)
        else:
            quote = dialect.identifier_preparer.quote
            statement = (
                f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                f"VALUES ({', '.join('?' * len(names))})"
            )
            plan = _Plan(statement, tuple(converters), len(groups))
    if len(_PLANS) >= _PLANS_KEPT:
        _PLANS.clear()
    _PLANS[key] = (dialect, plan)
    return plan


_LARGEST_ID = 2**63 - 1  # SQLite's largest rowid
