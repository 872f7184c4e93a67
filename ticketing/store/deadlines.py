"""The tickets the deadline sweep looks at: a clock running, and no reminder or breach yet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_
from sqlmodel import col, select

from ticketing.models import Event, Ticket
from ticketing.store.base import Part
from ticketing.workflow import State


class Deadlines(Part):
    def running_without(
        self,
        action: str,
        due_before: dt.datetime | None = None,
        *,
        after: tuple[dt.datetime, int] | None = None,
        limit: int | None = None,
    ) -> list[Ticket]:
        """Open tickets whose clock runs, with a deadline (before ``due_before``), that have
        no ``action`` event since their current step started: each step gets one breach
        and one reminder at most. In order of (deadline, id); ``after`` and ``limit`` read
        them a page at a time (``after`` is the last (due_at, id) of the previous page)."""
        recorded = (
            select(Event.id)
            .where(
                col(Event.ticket_id) == col(Ticket.id),
                col(Event.action) == action,
                col(Event.at) >= col(Ticket.step_started_at),
            )
            .exists()
        )
        statement = select(Ticket).where(
            Ticket.state != State.CLOSED.value,
            col(Ticket.paused_at).is_(None),
            col(Ticket.due_at).is_not(None),
            ~recorded,
        )
        if due_before is not None:
            statement = statement.where(col(Ticket.due_at) < due_before)
        if after is not None:
            due, ident = after
            statement = statement.where(
                col(Ticket.due_at) >= due, or_(col(Ticket.due_at) > due, col(Ticket.id) > ident)
            )
        statement = statement.order_by(col(Ticket.due_at), col(Ticket.id))
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    def awaiting_confirmation(
        self, *, after: tuple[dt.datetime, int] | None = None, limit: int | None = None
    ) -> list[Ticket]:
        """Resolved tickets waiting on the reporter's confirmation, their clock running, in
        order of (resolved_at, id); ``after`` and ``limit`` page as in `running_without`."""
        statement = select(Ticket).where(
            Ticket.state == State.RESOLVED.value,
            col(Ticket.paused_at).is_(None),
            col(Ticket.resolved_at).is_not(None),
        )
        if after is not None:
            moment, ident = after
            statement = statement.where(
                col(Ticket.resolved_at) >= moment,
                or_(col(Ticket.resolved_at) > moment, col(Ticket.id) > ident),
            )
        statement = statement.order_by(col(Ticket.resolved_at), col(Ticket.id))
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))
