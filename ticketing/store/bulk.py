"""Many rows at once, given as column values (a phone log's chunk, the sweep's events):
no ORM objects are made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel

from ticketing.models import Event, OutboxEmail, Ticket
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
        if rows:
            self.session.execute(insert(table_of(Event)), list(rows))

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        """Queue e-mails given as column values (each with every column), as `enqueue` does."""
        if rows:
            self.session.execute(insert(table_of(OutboxEmail)), list(rows))

    def _insert_returning_ids(
        self, model: type[SQLModel], rows: Sequence[dict[str, Any]]
    ) -> list[int]:
        if not rows:
            return []
        table = table_of(model)
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in self.session.execute(statement, list(rows)).scalars()]
