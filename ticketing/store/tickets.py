"""Tickets: one by its number or id, and lists of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from ticketing.models import Ticket
from ticketing.store.base import Part, chunks
from ticketing.workflow import State


@dataclass(frozen=True)
class TicketFilter:
    states: Sequence[str] = ()
    categories: Sequence[str] = ()
    agency: str | None = None  # a case-insensitive part of the agency name
    agency_not_in: Sequence[str] | None = None  # only agencies other than these (the register)
    overdue_at: dt.datetime | None = None  # only tickets overdue at this moment
    limit: int | None = None


class Tickets(Part):
    def ticket(self, number: str) -> Ticket | None:
        """The ticket numbered ``number``, as typed (any case, spaces around it)."""
        wanted = number.strip()
        for candidate in dict.fromkeys((wanted, wanted.upper())):  # the unique index first
            found = self.session.exec(select(Ticket).where(Ticket.number == candidate)).first()
            if found is not None:
                return found
        statement = select(Ticket).where(func.upper(Ticket.number) == wanted.upper())
        return self.session.exec(statement).first()

    def ticket_by_id(self, ticket_id: int) -> Ticket | None:
        return self.session.get(Ticket, ticket_id)

    def tickets_by_id(self, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        found: dict[int, Ticket] = {}
        for ids in chunks(ticket_ids):
            statement = select(Ticket).where(col(Ticket.id).in_(ids))
            found.update((t.id, t) for t in self.session.exec(statement) if t.id is not None)
        return found

    def tickets(self, flt: TicketFilter = TicketFilter()) -> list[Ticket]:
        statement = select(Ticket)
        if flt.states:
            statement = statement.where(col(Ticket.state).in_(list(flt.states)))
        if flt.categories:
            statement = statement.where(col(Ticket.category).in_(list(flt.categories)))
        if flt.agency:
            pattern = f"%{flt.agency.lower()}%"
            statement = statement.where(func.lower(Ticket.agency).like(pattern))
        if flt.agency_not_in is not None:
            statement = statement.where(col(Ticket.agency).not_in(list(flt.agency_not_in)))
        if flt.overdue_at is not None:
            statement = statement.where(
                Ticket.state != State.CLOSED.value,
                col(Ticket.paused_at).is_(None),
                col(Ticket.due_at).is_not(None),
                col(Ticket.due_at) < flt.overdue_at,
            )
        statement = statement.order_by(col(Ticket.year), col(Ticket.seq))
        if flt.limit:
            statement = statement.limit(flt.limit)
        return list(self.session.exec(statement))
