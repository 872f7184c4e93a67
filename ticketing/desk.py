"""The help desk's operations on the store: register a complaint, move a ticket.

Each takes an open transaction and returns what happened (the ticket and the events
it recorded) or why nothing happened. The caller commits, and may queue e-mails for
the events in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from ticketing.addresses import confirmed_at_registration, email_is_confirmed
from ticketing.calendar import BusinessCalendar
from ticketing.conversation import new_access_token
from ticketing.directory import ROLE_LABELS, Directory, Role, Staff
from ticketing.formulir import (
    FIELDS,
    Complete,
    FormulirField,
    Incomplete,
    Problem,
    check_formulir,
    invalid_problem,
    missing_problem,
)
from ticketing.models import Event, EventRow, Ticket, TicketRow
from ticketing.normalize import InvalidValue
from ticketing.numbering import format_number
from ticketing.store import Tx
from ticketing.workflow import (
    Action,
    Move,
    Rejected,
    SopTimes,
    State,
    TicketView,
    Transition,
    decide,
    who_id,
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


_TICKET_COLUMNS = frozenset(TicketRow._fields)
# The columns `_stored` gives, every one but the id, in the table's order; and those of
# an event.
_TICKET_VALUES = tuple(name for name in TicketRow._fields if name != "id")
_EVENT_VALUES = tuple(name for name in EventRow._fields if name != "id")
_ticket_values = operator.itemgetter(*_TICKET_VALUES)
_event_values = operator.itemgetter(*_EVENT_VALUES)
_new_row = tuple.__new__


@dataclass(frozen=True)
class Complaint:
    """One complaint for `register_many`: what `register` takes, apart from the moment."""

    raw: Mapping[str, str | None]
    channel: str
    received_at: dt.datetime
    signature: str
    officer: str | None = None
    source_message_id: str | None = None
    """The e-mail that made the report, where the reporter's conversation starts."""
    form: Complete | None = None
    """``check_formulir(raw, desk.fields)`` when the caller has just decided it (so that it
    is not done twice); checked here when None."""
    arrived_at: dt.datetime | None = None
    """When the complaint arrived by the office's own record (an e-mail's arrival at the
    office's mail server, its IMAP INTERNALDATE): step 1 runs from then. None: from its
    receipt for a call or a letter, else from when it is registered."""


@dataclass(frozen=True)
class Filed:
    """A complaint `register_many` stored: the ticket and its events, as stored."""

    ticket: Any  # TicketRow
    events: list[Any]  # EventRow


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
    source_message_id: str | None = None,
    form: Complete | None = None,
    arrived_at: dt.datetime | None = None,
) -> Registered | Incomplete | Rejected:
    """`register_many` of one complaint, with the ticket and its events as objects of the
    session, for a caller that goes on working with them. ``form``, ``arrived_at``: see
    `Complaint`."""
    complaint = Complaint(
        raw, channel, received_at, signature, officer, source_message_id, form, arrived_at
    )
    [outcome] = register_many(tx, desk, [complaint], now=now)
    if not isinstance(outcome, Filed):
        return outcome
    ticket = tx.ticket_by_id(outcome.ticket.id)
    assert ticket is not None  # inserted in this transaction
    return Registered(ticket, tx.events(ticket))


def _refused(desk: Desk, channel: str, officer: str | None) -> Rejected | None:
    if channel not in CHANNELS:
        return Rejected(
            f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})",
            f"Saluran Pengaduan {channel} tidak dikenal; salah satu dari: {', '.join(CHANNELS)}.",
        )
    if officer is not None:
        staff = desk.directory.get(officer)
        if staff is None:
            return Rejected(
                f"unknown officer {officer!r}",
                f"Nama pengguna {officer} tidak terdaftar sebagai petugas.",
            )
        if staff.role != Role.HELP_DESK:
            return _not_help_desk(
                staff, f"{officer} is {staff.role.value}, not a help-desk officer"
            )
    return None


def _not_help_desk(staff: Staff, message: str) -> Rejected:
    return Rejected(
        message,
        f"{who_id(staff)} adalah {ROLE_LABELS['id'][staff.role]}, bukan Petugas Help Desk.",
    )


def _no_ticket(number: str) -> Rejected:
    return Rejected(f"no ticket {number!r}", f"Tiket {number} tidak ditemukan.")


def _unknown_staff(actor: str) -> Rejected:
    return Rejected(
        f"unknown staff member {actor!r}", f"Nama pengguna {actor} tidak terdaftar sebagai petugas."
    )


def register_many(
    tx: Tx, desk: Desk, complaints: Sequence[Complaint], *, now: dt.datetime
) -> list[Filed | Incomplete | Rejected]:
    """Check each complaint's Formulir and store the complete ones as numbered tickets with
    their events, as registering them one after another in this order would (each year's
    numbers in this order), in a few statements for them all. The tickets and events come
    back as read-only records, not as objects of the session.

    A complaint logged by a help-desk officer (a call, a letter) is taken by that officer
    at once: step 1 is done as the form is filled in.
    """
    checked = [
        _refused(desk, c.channel, c.officer) or c.form or check_formulir(c.raw, desk.fields)
        for c in complaints
    ]
    accepted = [
        (complaint, outcome.values)
        for complaint, outcome in zip(complaints, checked, strict=True)
        if isinstance(outcome, Complete)
    ]
    filed = iter(_stored(tx, desk, accepted, now))
    return [next(filed) if isinstance(outcome, Complete) else outcome for outcome in checked]


def _stored(
    tx: Tx, desk: Desk, accepted: Sequence[tuple[Complaint, Mapping[str, str]]], now: dt.datetime
) -> list[Filed]:
    """The tickets of complete complaints and their events, stored in this order."""
    if not accepted:
        return []
    calendar = desk.calendar
    years = [complaint.received_at.astimezone(calendar.tz).year for complaint, _ in accepted]
    # Each year's numbers in one block: the same numbers as one at a time, in this order.
    # The years' counters are taken in the years' order, as every transaction takes them
    # (on PostgreSQL, two that took two years' counters in opposite orders could deadlock).
    first = {year: tx.next_seqs("ticket", year, n) for year, n in sorted(Counter(years).items())}
    keys = [f.key for f in desk.fields]
    if unknown := [key for key in keys if key not in _TICKET_COLUMNS or key == "id"]:
        raise TypeError(f"form fields that are not a ticket's columns: {', '.join(unknown)}")
    blank = dict.fromkeys(_TICKET_VALUES)
    received, create = State.RECEIVED.value, Action.CREATE.value
    # What rows share is worked out once: step 1's deadline (and its words) for each start,
    # and an officer's taking of a new ticket for each ticket as the workflow sees it
    # (`now` is the same for all).
    dues: dict[dt.datetime, tuple[dt.datetime | None, str | None]] = {}
    taken: dict[tuple[Any, ...], tuple[list[tuple[str, Any]], dict[str, Any]]] = {}
    tickets: list[dict[str, Any]] = []
    events: list[list[dict[str, Any]]] = []
    for (complaint, values), year in zip(accepted, years, strict=True):
        seq, first[year] = first[year], first[year] + 1
        start = step_one_start(complaint, now)
        known = dues.get(start)
        if known is None:
            due = desk.sop.deadline(State.RECEIVED, start, calendar)
            known = dues[start] = (due, due.isoformat() if due else None)
        due, due_words = known
        ticket = blank.copy()
        ticket["number"] = format_number(desk.number_format, year=year, seq=seq)
        ticket["year"] = year
        ticket["seq"] = seq
        ticket["channel"] = channel = complaint.channel
        ticket["state"] = received
        ticket["received_at"] = complaint.received_at
        ticket["signature"] = complaint.signature
        ticket["created_by"] = officer = complaint.officer
        ticket["created_at"] = now
        ticket["step_started_at"] = start
        ticket["due_at"] = due
        ticket["source_message_id"] = complaint.source_message_id
        ticket["access_token"] = new_access_token()
        for key in keys:
            ticket[key] = values[key]
        ticket["email_confirmed"] = confirmed_at_registration(
            channel, complaint.signature, ticket.get("email") or ""
        )
        received_words = complaint.received_at.isoformat()
        made = [
            {
                "at": now,
                "actor": officer or complaint.signature,
                "action": create,
                "from_state": None,
                "to_state": received,
                "note": "",
                "channel": channel,
                "data": {
                    "received_at": received_words,
                    "started_at": (
                        received_words if start is complaint.received_at else start.isoformat()
                    ),
                    "due_at": due_words,
                },
            }
        ]
        if officer is not None:
            # The ticket as the workflow sees it (`_view_of`), and the move.
            seen_as = (officer, channel, *[ticket[name] for name in _VIEW])
            take = taken.get(seen_as)
            if take is None:
                take = taken[seen_as] = _taking(desk, ticket, officer, channel, now)
            changes, event = take
            ticket.update(changes)
            event = event.copy()
            event["data"] = dict(event["data"])
            made.append(event)
        tickets.append(ticket)
        events.append(made)

    values_of = [_ticket_values(ticket) for ticket in tickets]
    ticket_ids = tx.insert_ticket_values(_TICKET_VALUES, values_of)
    for ticket_id, made in zip(ticket_ids, events, strict=True):
        for event in made:
            event["ticket_id"] = ticket_id
    event_values = [_event_values(event) for made in events for event in made]
    event_ids = iter(tx.insert_event_values(_EVENT_VALUES, event_values))
    rows = iter(event_values)
    return [
        Filed(
            _new_row(TicketRow, (ticket_id, *ticket)),
            [_new_row(EventRow, (next(event_ids), *next(rows))) for _ in made],
        )
        for ticket, ticket_id, made in zip(values_of, ticket_ids, events, strict=True)
    ]


_VIEW = tuple(f.name for f in dataclass_fields(TicketView))
"""A ticket's columns that `TicketView` holds (its fields are named as they are)."""


def _taking(
    desk: Desk, ticket: dict[str, Any], officer: str, channel: str, now: dt.datetime
) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """The officer's taking of a new ticket at once: the ticket's new column values, and
    the event's (`Tx.apply` on column values)."""
    request = Move(Action.TAKE, officer, channel=channel)
    transition = decide(
        _view_of(ticket), request, directory=desk.directory, sop=desk.sop,
        calendar=desk.calendar, now=now,
    )  # fmt: skip
    if isinstance(transition, Rejected):  # the officer was checked above
        raise RuntimeError(f"an officer could not take a new ticket: {transition.message}")
    changes = []
    for name, value in transition.changes.items():
        if name not in ticket:
            raise ValueError(f"ticket has no field {name!r}")
        changes.append((name, value.value if isinstance(value, State) else value))
    event = {
        "at": now,
        "actor": transition.actor,
        "action": transition.action.value,
        "from_state": transition.from_state.value,
        "to_state": transition.to_state.value,
        "note": transition.note,
        "channel": transition.channel,
        "data": dict(transition.data),
    }
    return changes, event


# Channels whose moment of receipt a person records (the call taken, the letter's arrival):
# step 1 runs from then. An e-mail's runs from its arrival at the office's mail server
# (`Complaint.arrived_at`), where the intake knows it; a sender's own Date is never believed.
RECEIPT_STARTS_STEP_ONE = frozenset({"phone", "letter", "in-person"})


def step_one_start(complaint: Complaint, now: dt.datetime) -> dt.datetime:
    """When step 1 (receiving and registering the complaint) started: at its receipt for
    a call or a letter logged by hand, so that a letter received on Friday and logged on
    Monday is late; at its arrival for an e-mail, so that one that came in on Friday
    evening and was read on Monday is counted from Friday; never later than it was
    logged."""
    if complaint.arrived_at is not None:
        return min(complaint.arrived_at, now)
    if complaint.channel in RECEIPT_STARTS_STEP_ONE and complaint.received_at < now:
        return complaint.received_at
    return now


def _view_of(ticket: Mapping[str, Any]) -> TicketView:
    return TicketView(
        state=State(ticket["state"]),
        category=ticket["category"],
        unit=ticket["unit"],
        assignee=ticket["assignee"],
        technician=ticket["technician"],
        due_at=ticket["due_at"],
        paused_at=ticket["paused_at"],
        remaining_minutes=ticket["remaining_minutes"],
    )


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
        return _no_ticket(number)
    transition = decide(
        view(ticket),
        request,
        directory=desk.directory,
        sop=desk.sop,
        calendar=desk.calendar,
        now=now,
    )
    if isinstance(transition, Rejected):
        return Rejected(
            f"{ticket.number}: {transition.message}", f"{ticket.number}: {transition.message_id}"
        )
    event = tx.apply(ticket, transition, now)
    return Moved(ticket, event)


def edit(
    tx: Tx,
    desk: Desk,
    number: str,
    actor: str,
    raw: Mapping[str, str],
    *,
    now: dt.datetime,
    channel: str = "cli",
    reason: str = "",
    language: str = "id",
) -> Moved | Incomplete | Rejected:
    """Correct fields of a ticket's Formulir: a misspelt name, a wrong agency, a phone
    number. Each value is checked by the Formulir's own rule; the change is an event with
    every old and new value, and the state and deadline stay as they are. Only the help
    desk corrects a form."""
    ticket = tx.ticket(number)
    if ticket is None:
        return _no_ticket(number)
    staff = desk.directory.get(actor)
    if staff is None:
        return _unknown_staff(actor)
    if staff.role != Role.HELP_DESK:
        return Rejected(
            f"{actor} is {staff.role.value}; 'edit' is for help_desk",
            f"Formulir Pengaduan hanya dapat diperbaiki oleh Petugas Help Desk; {who_id(staff)}"
            f" adalah {ROLE_LABELS['id'][staff.role]}.",
        )
    fields = {f.key: f for f in desk.fields}
    if unknown := [key for key in raw if key not in fields]:
        return Rejected(
            f"not a field of the Formulir: {', '.join(unknown)}",
            f"Bukan isian Formulir Pengaduan: {', '.join(unknown)}.",
        )
    if not raw:
        return Rejected(
            "nothing to correct: give at least one field",
            "Tidak ada yang diperbaiki: mohon ubah sekurang-kurangnya satu isian.",
        )
    problems: list[Problem] = []
    values: dict[str, str] = {}
    for key, text in raw.items():
        field = fields[key]
        if not text.strip():
            problems.append(missing_problem(field))
            continue
        try:
            values[key] = field.normalize(text)
        except InvalidValue as reason_:
            problems.append(invalid_problem(field, reason_))
    if problems:
        return Incomplete(problems=tuple(problems), understood=values)
    changes = {key: value for key, value in values.items() if getattr(ticket, key) != value}
    if not changes:
        return Rejected(
            f"{ticket.number}: the form already says so; nothing changed",
            f"{ticket.number}: isian Formulir sudah sesuai; tidak ada yang berubah.",
        )
    label = (lambda f: f.label_en) if language == "en" else (lambda f: f.label)
    summary = "; ".join(
        f"{label(fields[key])}: {_shown(fields[key], getattr(ticket, key))} → "
        f"{_shown(fields[key], value)}"
        for key, value in changes.items()
    )
    state = State(ticket.state)
    transition = Transition(
        action=Action.EDIT,
        actor=actor,
        from_state=state,
        to_state=state,
        note=f"{reason.strip()} ({summary})" if reason.strip() else summary,
        channel=channel,
        changes=changes,
        data={"changes": {key: [getattr(ticket, key), value] for key, value in changes.items()}},
    )
    event = tx.apply(ticket, transition, now)
    return Moved(ticket, event)


def _shown(field: FormulirField, value: str) -> str:
    shown = " ".join(field.shown(value).split())
    return f'"{shown[:57]}..."' if len(shown) > 60 else f'"{shown}"'


def confirm_email(
    tx: Tx, desk: Desk, number: str, *, actor: str, reporter: bool, channel: str,
    now: dt.datetime,
) -> Moved | Rejected:  # fmt: skip
    """Confirm the form's e-mail address, so that the reporter's e-mails go to it too: by
    its owner (``reporter``, ``actor`` the address, answering us from it) or by a help-desk
    officer. Recorded as a note on the timeline, with the address in its data."""
    ticket = tx.ticket(number)
    if ticket is None:
        return _no_ticket(number)
    address = ticket.email.strip().lower()
    if not address:
        return Rejected(
            f"{ticket.number}: the form has no e-mail address",
            f"{ticket.number}: Formulir Pengaduan tidak memuat alamat e-mail.",
        )
    if reporter:
        if actor.strip().lower() != address:
            return Rejected(
                f"{ticket.number}: only {ticket.email} can confirm its own address",
                f"{ticket.number}: alamat {ticket.email} hanya dapat dikonfirmasi oleh pemiliknya.",
            )
        note = f"Alamat e-mail {ticket.email} terkonfirmasi: pelapor membalas dari alamat itu"
    else:
        staff = desk.directory.get(actor)
        if staff is None:
            return _unknown_staff(actor)
        if staff.role != Role.HELP_DESK:
            return _not_help_desk(staff, f"{actor} is {staff.role.value}, not a help-desk officer")
        note = f"Alamat e-mail {ticket.email} dikonfirmasi oleh Help Desk"
    if email_is_confirmed(ticket):
        return Rejected(
            f"{ticket.number}: {ticket.email} is already confirmed",
            f"{ticket.number}: alamat {ticket.email} sudah terkonfirmasi.",
        )
    state = State(ticket.state)
    transition = Transition(
        action=Action.NOTE, actor=actor, from_state=state, to_state=state, note=note,
        channel=channel, changes={"email_confirmed": address},
        data={"email_confirmed": address},
    )  # fmt: skip
    return Moved(ticket, tx.apply(ticket, transition, now))
