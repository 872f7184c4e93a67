"""The tickets the deadline sweep looks at: a clock running, and no reminder or breach yet."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlalchemy
from sqlalchemy import and_, or_, tuple_
from sqlmodel import col, select

from ticketing.models import Event, Ticket
from ticketing.store.base import Part
from ticketing.workflow import State


class Due(NamedTuple):
    """A ticket whose step's clock runs, as the deadline sweep reads it: the columns its
    decisions and events need, as a plain row (a sweep after a long stop reads thousands;
    the e-mails, which show the whole ticket, load it by id)."""

    id: int
    number: str
    state: str
    assignee: str | None
    step_started_at: dt.datetime
    due_at: dt.datetime


class DuePage(NamedTuple):
    """One page of `Deadlines.running_without`."""

    tickets: list[Due]
    # The (due_at, id) that the next page starts after; None when this page is the last.
    end: tuple[dt.datetime, int] | None


class Deadlines(Part):
    def running_without(
        self,
        action: str,
        due_before: dt.datetime | None = None,
        *,
        after: tuple[dt.datetime, int] | None = None,
        limit: int | None = None,
    ) -> DuePage:
        """Open tickets whose clock runs, with a deadline (before ``due_before``), that have
        no ``action`` event since their current step started: each step gets one breach
        and one reminder at most. In order of (deadline, id), a page at a time: the page
        looks at the next ``limit`` tickets with a deadline after ``after`` (the previous
        page's ``end``) and lists those of them that qualify.

        The page is a walk of ``ix_ticket_due_at_id`` in its order that stops after
        ``limit`` entries; whether a ticket qualifies is a column of the result, not a
        condition of the walk. As a condition, PostgreSQL's planner, which takes the
        state and the deadline for independent (most tickets are closed, but none with a
        deadline), expected fewer rows than a page and read and sorted every ticket past
        its deadline for each page; this way each page costs the same on both databases.
        Each ticket's events are looked up by ``ix_event_ticket_id``."""
        recorded = (
            select(Event.id)
            .where(
                col(Event.ticket_id) == col(Ticket.id),
                col(Event.action) == action,
                col(Event.at) >= col(Ticket.step_started_at),
            )
            .exists()
        )
        running = and_(
            col(Ticket.state) != State.CLOSED.value, col(Ticket.paused_at).is_(None), ~recorded
        )
        statement = sqlalchemy.select(
            col(Ticket.id), col(Ticket.number), col(Ticket.state), col(Ticket.assignee),
            col(Ticket.step_started_at), col(Ticket.due_at), running,
        )  # fmt: skip
        # A deadline before ``due_before`` is one: PostgreSQL would count "not null" twice
        # in its estimate of the rows, as if fewer than a page were there to walk.
        if due_before is not None:
            statement = statement.where(col(Ticket.due_at) < due_before)
        else:
            statement = statement.where(col(Ticket.due_at).is_not(None))
        if after is not None:
            statement = statement.where(tuple_(col(Ticket.due_at), col(Ticket.id)) > after)
        statement = statement.order_by(col(Ticket.due_at), col(Ticket.id))
        if limit is not None:
            statement = statement.limit(limit)
        rows = self.session.execute(statement).all()
        tickets = [Due._make(row[:6]) for row in rows if row[6]]
        end = (rows[-1][5], rows[-1][0]) if limit is not None and len(rows) == limit else None
        return DuePage(tickets, end)

    def awaiting_confirmation(
        self, *, after: tuple[dt.datetime, int] | None = None, limit: int | None = None
    ) -> list[Ticket]:
        """Resolved tickets waiting on the reporter's confirmation, their clock running, in
        order of (resolved_at, id); ``after`` and ``limit`` read them a page at a time (``after``
        is the last (resolved_at, id) of the previous page)."""
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
