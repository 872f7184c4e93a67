"""What every part of a transaction shares: its session, and a few helpers for queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Table, inspect
from sqlalchemy.orm import QueryableAttribute
from sqlmodel import Session, SQLModel

from ticketing.undo import undone_on_failure

# Ids per IN (...) query: well under SQLite's limit of bound parameters.
CHUNK = 500
_Key = TypeVar("_Key", int, str, dt.datetime)


def chunks(ids: Sequence[_Key]) -> Iterator[list[_Key]]:
    """``ids`` without repeats, in slices small enough for one ``IN (...)`` each."""
    unique = list(dict.fromkeys(ids))
    for offset in range(0, len(unique), CHUNK):
        yield unique[offset : offset + CHUNK]


def table_of(model: type[SQLModel]) -> Table:
    """The table a model is mapped to (SQLModel does not declare ``__table__``)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def attribute(column: Any) -> QueryableAttribute[Any]:
    """A model's column as the ORM attribute it is (SQLModel types it as its value)."""
    assert isinstance(column, QueryableAttribute)
    return column


class Part:
    """The session of one transaction, which each part of `Tx` works in."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, *rows: Any) -> None:
        """Write changed rows now (their ids and defaults filled in), within the
        transaction."""
        self.session.add_all(rows)
        self.session.flush()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that an exception rolls back alone, with the files
        archived in it (`ticketing.undo.undone_on_failure`)."""
        with undone_on_failure(), self.session.begin_nested():
            yield

    def _on_postgresql(self) -> bool:
        """Whether the database is PostgreSQL (row locks; SQLite serialises its writers)."""
        return self.session.get_bind().dialect.name == "postgresql"
