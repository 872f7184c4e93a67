"""A ticket's events: its history, one change each, never updated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from ticketing.models import Event, Ticket
from ticketing.store.base import Part, chunks
from ticketing.workflow import State, Transition


class Events(Part):
    def add_event(self, ticket: Ticket, **fields: Any) -> Event:
        if ticket.id is None:
            raise ValueError("ticket must be stored before its events")
        event = Event(ticket_id=ticket.id, **fields)
        self.session.add(event)
        self.session.flush()
        return event

    def apply(self, ticket: Ticket, transition: Transition, now: dt.datetime) -> Event:
        """Store a workflow transition: the ticket's new fields and its event."""
        for name, value in transition.changes.items():
            if not hasattr(ticket, name):
                raise ValueError(f"ticket has no field {name!r}")
            setattr(ticket, name, value.value if isinstance(value, State) else value)
        self.session.add(ticket)
        return self.add_event(
            ticket,
            at=now,
            actor=transition.actor,
            action=transition.action.value,
            from_state=transition.from_state.value,
            to_state=transition.to_state.value,
            note=transition.note,
            channel=transition.channel,
            data=dict(transition.data),
        )

    def events(self, ticket: Ticket) -> list[Event]:
        statement = select(Event).where(Event.ticket_id == ticket.id).order_by(col(Event.id))
        return list(self.session.exec(statement))

    def events_of(self, ticket_ids: Sequence[int]) -> dict[int, list[Event]]:
        """The events of many tickets at once, each ticket's in order."""
        found: dict[int, list[Event]] = {ticket_id: [] for ticket_id in ticket_ids}
        for ids in chunks(ticket_ids):
            statement = (
                select(Event)
                .where(col(Event.ticket_id).in_(ids))
                .order_by(col(Event.ticket_id), col(Event.id))
            )
            for event in self.session.exec(statement):
                found[event.ticket_id].append(event)
        return found
