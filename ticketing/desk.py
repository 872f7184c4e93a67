"""The help desk's operations on the store: register a complaint, move a ticket.

Each takes an open transaction and returns what happened (the ticket and the events
it recorded) or why nothing happened. The caller commits, and may queue e-mails for
the events in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ticketing.calendar import BusinessCalendar
from ticketing.directory import Directory, Role
from ticketing.formulir import FIELDS, Complete, FormulirField, Incomplete, check_formulir
from ticketing.models import Event, Ticket
from ticketing.numbering import format_number
from ticketing.store import Tx
from ticketing.workflow import (
    Action,
    Move,
    Rejected,
    SopTimes,
    State,
    TicketView,
    decide,
)

CHANNELS = ("email", "phone", "letter", "web")


@dataclass(frozen=True)
class Desk:
    """The rules of this office: who works here, the service standards, the calendar."""

    directory: Directory
    sop: SopTimes
    calendar: BusinessCalendar
    number_format: str
    fields: tuple[FormulirField, ...] = FIELDS


@dataclass(frozen=True)
class Registered:
    ticket: Ticket
    events: list[Event]


@dataclass(frozen=True)
class Moved:
    ticket: Ticket
    event: Event


def register(
    tx: Tx,
    desk: Desk,
    raw: Mapping[str, str | None],
    *,
    channel: str,
    received_at: dt.datetime,
    signature: str,
    now: dt.datetime,
    officer: str | None = None,
) -> Registered | Incomplete | Rejected:
    """Check the Formulir and, when complete, store it as a numbered ticket.

    A complaint logged by a help-desk officer (a call, a letter) is taken by that
    officer at once: step 1 is done as the form is filled in.
    """
    if channel not in CHANNELS:
        return Rejected(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    if officer is not None:
        staff = desk.directory.get(officer)
        if staff is None:
            return Rejected(f"unknown officer {officer!r}")
        if staff.role != Role.HELP_DESK:
            return Rejected(f"{officer} is {staff.role.value}, not a help-desk officer")
    outcome = check_formulir(raw, desk.fields)
    if isinstance(outcome, Incomplete):
        return outcome
    assert isinstance(outcome, Complete)
    values = outcome.values

    year = received_at.astimezone(desk.calendar.tz).year
    seq = tx.next_seq("ticket", year)
    ticket = tx.add_ticket(
        Ticket(
            number=format_number(desk.number_format, year=year, seq=seq),
            year=year,
            seq=seq,
            channel=channel,
            state=State.RECEIVED.value,
            received_at=received_at,
            signature=signature,
            created_by=officer,
            created_at=now,
            step_started_at=now,
            due_at=desk.sop.deadline(State.RECEIVED, now, desk.calendar),
            **{f.key: values[f.key] for f in desk.fields},
        )
    )
    events = [
        tx.add_event(
            ticket,
            at=now,
            actor=officer or signature,
            action=Action.CREATE.value,
            from_state=None,
            to_state=State.RECEIVED.value,
            note="",
            channel=channel,
            data={
                "received_at": received_at.isoformat(),
                "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
            },
        )
    ]
    if officer is not None:
        moved = move(tx, desk, ticket.number, Move(Action.TAKE, officer, channel=channel), now=now)
        if isinstance(moved, Rejected):  # the officer was checked above
            raise RuntimeError(f"an officer could not take a new ticket: {moved.message}")
        events.append(moved.event)
    return Registered(ticket, events)


def view(ticket: Ticket) -> TicketView:
    return TicketView(
        state=State(ticket.state),
        category=ticket.category,
        unit=ticket.unit,
        assignee=ticket.assignee,
        technician=ticket.technician,
        due_at=ticket.due_at,
        paused_at=ticket.paused_at,
        remaining_minutes=ticket.remaining_minutes,
    )


def move(tx: Tx, desk: Desk, number: str, request: Move, *, now: dt.datetime) -> Moved | Rejected:
    """Apply one workflow move to the ticket ``number``, if the SOP allows it."""
    ticket = tx.ticket(number)
    if ticket is None:
        return Rejected(f"no ticket {number!r}")
    transition = decide(
        view(ticket),
        request,
        directory=desk.directory,
        sop=desk.sop,
        calendar=desk.calendar,
        now=now,
    )
    if isinstance(transition, Rejected):
        return Rejected(f"{ticket.number}: {transition.message}")
    event = tx.apply(ticket, transition, now)
    return Moved(ticket, event)
