"""The help desk's operations on the store: register a complaint, move a ticket.

Each takes an open transaction and returns what happened (the ticket and the events
it recorded) or why nothing happened. The caller commits, and may queue e-mails for
the events in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from ticketing.models import Event, Ticket
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


def _row_type(name: str, model: Any, doc: str) -> Any:
    """A read-only record with an attribute for each of ``model``'s columns."""
    columns = [column.name for column in model.__table__.columns]
    fields = [(column, Any, dataclasses.field(default=None)) for column in columns]
    record = dataclasses.make_dataclass(name, fields, frozen=True, slots=True)
    record.__doc__ = doc
    record.__module__ = __name__
    return record


TicketRow = _row_type(
    "TicketRow", Ticket, "A ticket as `register_many` stored it; reads like a Ticket."
)
EventRow = _row_type("EventRow", Event, "An event as `register_many` stored it.")
_TICKET_COLUMNS = frozenset(f.name for f in dataclasses.fields(TicketRow))


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
    years = [complaint.received_at.astimezone(desk.calendar.tz).year for complaint, _ in accepted]
    # Each year's numbers in one block: the same numbers as one at a time, in this order.
    first = {year: tx.next_seqs("ticket", year, n) for year, n in Counter(years).items()}
    decided: dict[tuple[TicketView, Move], Transition] = {}  # `now` is the same for all
    tickets: list[dict[str, Any]] = []
    events: list[list[dict[str, Any]]] = []
    for (complaint, values), year in zip(accepted, years, strict=True):
        seq, first[year] = first[year], first[year] + 1
        start = step_one_start(complaint, now)
        due = desk.sop.deadline(State.RECEIVED, start, desk.calendar)
        ticket = dict.fromkeys(_TICKET_COLUMNS) | {
            "number": format_number(desk.number_format, year=year, seq=seq),
            "year": year,
            "seq": seq,
            "channel": complaint.channel,
            "state": State.RECEIVED.value,
            "received_at": complaint.received_at,
            "signature": complaint.signature,
            "created_by": complaint.officer,
            "created_at": now,
            "step_started_at": start,
            "due_at": due,
            "source_message_id": complaint.source_message_id,
            "access_token": new_access_token(),
            **{f.key: values[f.key] for f in desk.fields},
        }
        ticket["email_confirmed"] = confirmed_at_registration(
            complaint.channel, complaint.signature, ticket.get("email") or ""
        )
        del ticket["id"]
        made = [_created_event(ticket, complaint, now, start)]
        if complaint.officer is not None:
            request = Move(Action.TAKE, complaint.officer, channel=complaint.channel)
            key = (_view_of(ticket), request)
            transition = decided.get(key)
            if transition is None:
                outcome = decide(
                    key[0], request, directory=desk.directory, sop=desk.sop,
                    calendar=desk.calendar, now=now,
                )  # fmt: skip
                if isinstance(outcome, Rejected):  # the officer was checked above
                    raise RuntimeError(f"an officer could not take a new ticket: {outcome.message}")
                transition = decided[key] = outcome
            made.append(_applied(ticket, transition, now))
        tickets.append(ticket)
        events.append(made)

    ticket_ids = tx.insert_tickets(tickets)
    for ticket_id, made in zip(ticket_ids, events, strict=True):
        for event in made:
            event["ticket_id"] = ticket_id
    event_ids = iter(tx.insert_events([event for made in events for event in made]))
    return [
        Filed(
            TicketRow(id=ticket_id, **ticket),
            [EventRow(id=next(event_ids), **event) for event in made],
        )
        for ticket, ticket_id, made in zip(tickets, ticket_ids, events, strict=True)
    ]


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


def _created_event(
    ticket: Mapping[str, Any], complaint: Complaint, now: dt.datetime, start: dt.datetime
) -> dict:
    due_at = ticket["due_at"]
    return {
        "at": now,
        "actor": complaint.officer or complaint.signature,
        "action": Action.CREATE.value,
        "from_state": None,
        "to_state": State.RECEIVED.value,
        "note": "",
        "channel": complaint.channel,
        "data": {
            "received_at": complaint.received_at.isoformat(),
            "started_at": start.isoformat(),
            "due_at": due_at.isoformat() if due_at else None,
        },
    }


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


def _applied(ticket: dict[str, Any], transition: Transition, now: dt.datetime) -> dict:
    """`Tx.apply` on column values: the ticket's new values, and its event's."""
    for name, value in transition.changes.items():
        if name not in ticket:
            raise ValueError(f"ticket has no field {name!r}")
        ticket[name] = value.value if isinstance(value, State) else value
    return {
        "at": now,
        "actor": transition.actor,
        "action": transition.action.value,
        "from_state": transition.from_state.value,
        "to_state": transition.to_state.value,
        "note": transition.note,
        "channel": transition.channel,
        "data": dict(transition.data),
    }


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
