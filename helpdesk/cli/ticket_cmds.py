"""`helpdesk ticket ...`: list, show, and move tickets through the SOP's steps."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk.cli.common import actor, fail, out, print_json, site
from helpdesk.cli.intake_cmds import (
    AgencyOpt,
    CategoryOpt,
    DescriptionOpt,
    DivisionOpt,
    EmailOpt,
    NameOpt,
    PhoneOpt,
    PositionOpt,
    SexOpt,
    StatusOpt,
)
from ticketing.workflow import (
    Action,
    Move,
    State,
    allowed_actions,
    current_step,
    is_overdue,
)

if TYPE_CHECKING:
    from helpdesk.wiring import Site
    from ticketing.models import Attachment, Event, Ticket

app = typer.Typer(help="List, show and move tickets.", no_args_is_help=True)

NumberArg = Annotated[str, typer.Argument(help="The complaint number, e.g. TIK-2026-00012.")]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Who does this: a staff id (default $HELPDESK_USER).")
]
ViaOpt = Annotated[
    str,
    typer.Option("--via", help="How it was done: cli, phone, email, letter, in-person."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
VIA = ("cli", "phone", "email", "letter", "in-person")


# --- reading -----------------------------------------------------------------


def ticket_dict(ticket: Ticket, here: Site, now: dt.datetime) -> dict[str, Any]:
    from helpdesk.display import CLI_LANGUAGE
    from ticketing.addresses import email_is_confirmed, reporter_addresses
    from ticketing.workflow import STATE_LABELS

    paused = ticket.paused_at is not None
    agency = here.config.stored_agency(ticket.agency)
    return {
        "number": ticket.number,
        "state": ticket.state,
        "state_label": STATE_LABELS[CLI_LANGUAGE][State(ticket.state)],
        "step": current_step(ticket.state),
        "channel": ticket.channel,
        "received_at": ticket.received_at.isoformat(),
        "category": ticket.category,
        "agency": ticket.agency,
        "agency_registered": agency.registered,
        "agency_suggestions": list(agency.suggestions),
        "division": ticket.division,
        "reporter_name": ticket.reporter_name,
        "position": ticket.position,
        "phone": ticket.phone,
        "email": ticket.email,
        "sex": ticket.sex,
        "employment_status": ticket.employment_status,
        "description": ticket.description,
        "signature": ticket.signature,
        "email_confirmed": email_is_confirmed(ticket),
        "reporter_addresses": reporter_addresses(ticket),
        "created_by": ticket.created_by,
        "unit": ticket.unit,
        "assignee": ticket.assignee,
        "technician": ticket.technician,
        "solution": ticket.solution,
        "created_at": ticket.created_at.isoformat(),
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        "paused": paused,
        "paused_at": ticket.paused_at.isoformat() if ticket.paused_at else None,
        "remaining_minutes": ticket.remaining_minutes,
        "overdue": is_overdue(State(ticket.state), ticket.due_at, paused, now),
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
    }


def event_dict(event: Event) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "note": event.note,
        "channel": event.channel,
        "data": event.data,
    }


def attachment_dict(attachment: Attachment) -> dict[str, Any]:
    return {
        "filename": attachment.filename,
        "stored_path": attachment.stored_path,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


@app.command("list")
def list_tickets(
    ctx: typer.Context,
    state: Annotated[
        list[str] | None,
        typer.Option("--state", help=f"Only these states: {', '.join(s.value for s in State)}."),
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Only these complaint types.")
    ] = None,
    agency: Annotated[
        str | None, typer.Option("--agency", help="Only agencies whose name contains this.")
    ] = None,
    unregistered: Annotated[
        bool,
        typer.Option(
            "--unregistered-opd", help="Only tickets whose Nama OPD is not in the register."
        ),
    ] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tickets.")] = False,
    open_only: Annotated[bool, typer.Option("--open", help="Only tickets not closed.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List tickets, oldest first."""
    from rich.table import Table

    from helpdesk.display import short_time
    from ticketing.normalize import InvalidValue, normalize_category
    from ticketing.store import TicketFilter

    states = [s.strip().lower() for s in state or []]
    unknown = [s for s in states if s not in State.__members__.values()]
    if unknown:
        fail(f"--state: unknown state {unknown[0]!r} (one of {', '.join(s.value for s in State)})")
    if open_only:
        states = states or [s.value for s in State if s != State.CLOSED]
        states = [s for s in states if s != State.CLOSED.value]
        if not states:
            fail("--open with --state closed lists nothing")
    categories = []
    for raw in category or []:
        try:
            categories.append(normalize_category(raw))
        except InvalidValue as exc:
            fail(f"--category: {exc.message_en}")
    here = site(ctx)
    now = here.now()
    flt = TicketFilter(
        states=states,
        categories=categories,
        agency=agency,
        agency_not_in=[a.name for a in here.config.agency_list()] if unregistered else None,
        overdue_at=now if overdue else None,
        limit=limit,
    )
    with here.reader.transaction() as tx:
        tickets = tx.tickets(flt)
    rows = [ticket_dict(t, here, now) for t in tickets]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no tickets")
        return
    table = Table(title=f"{len(rows)} ticket(s)", title_justify="left")
    table.add_column("Number", no_wrap=True)
    table.add_column("State", no_wrap=True)
    for column in ("Type", "Agency", "Reporter", "With", "Due"):
        table.add_column(column)
    for row in rows:
        due = (
            short_time(dt.datetime.fromisoformat(row["due_at"]), here.config)
            if row["due_at"]
            else "-"
        )
        if row["paused"]:
            due += " (paused)"
        elif row["overdue"]:
            due = f"[bold red]{due} OVERDUE[/]"
        table.add_row(
            row["number"],
            row["state"],
            row["category"],
            row["agency"] if row["agency_registered"] else f"{row['agency']} (not in register)",
            row["reporter_name"],
            row["assignee"] or "-",
            due,
        )
    out.print(table)


@app.command("show")
def show(ctx: typer.Context, number: NumberArg, as_json: JsonOpt = False) -> None:
    """Show a ticket: its Formulir, current step and deadline, and its whole timeline."""
    here = site(ctx)
    now = here.now()
    with here.reader.transaction() as tx:
        ticket = tx.ticket(number)
        if ticket is None:
            fail(f"no ticket {number!r}")
        events = tx.events(ticket)
        attachments = tx.attachments(ticket)
    data = ticket_dict(ticket, here, now)
    paused = ticket.paused_at is not None
    data["allowed_actions"] = [a.value for a in allowed_actions(State(ticket.state), paused)]
    data["events"] = [event_dict(e) for e in events]
    data["attachments"] = [attachment_dict(a) for a in attachments]
    if as_json:
        print_json(data)
        return
    _print_ticket(here, ticket, data, events, attachments)


def _print_ticket(
    here: Site,
    ticket: Ticket,
    data: dict[str, Any],
    events: list[Event],
    attachments: list[Attachment],
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from helpdesk.display import CLI_LANGUAGE, long_time, short_time
    from notifier.policy import event_note
    from ticketing.workflow import STATE_LABELS

    config = here.config

    def when(moment: dt.datetime | None) -> str:
        return long_time(moment, config, language=CLI_LANGUAGE)

    # The CLI's words and dates are English whatever the office writes (README, "Staff
    # output"); the form's values are shown as recorded.
    form = Table(title=f"Complaint form {ticket.number}", title_justify="left", show_header=False)
    form.add_column(style="bold")
    form.add_column()
    form.add_row("Complaint number", ticket.number)
    form.add_row("Day, date (received)", when(ticket.received_at))
    if ticket.created_at > ticket.received_at:
        form.add_row("Registered", when(ticket.created_at))
    for field in here.desk.fields:
        form.add_row(field.label_en, field.shown(data[field.key]))
        if field.key == "agency" and not data["agency_registered"]:
            flag = "[bold yellow]not in the register of OPD[/]"
            if data["agency_suggestions"]:
                flag += "; did they mean: " + "; ".join(data["agency_suggestions"]) + "?"
            form.add_row("", flag + " (correct it with: ticket edit --opd)")
    form.add_row("Signature", f"{ticket.signature} ({ticket.channel})")
    out.print(form)

    status = Table(title="Status", title_justify="left", show_header=False)
    status.add_column(style="bold")
    status.add_column()
    status.add_row("State", f"{ticket.state} — {STATE_LABELS[CLI_LANGUAGE][State(ticket.state)]}")
    status.add_row("Step", f"{data['step']} of 7")
    due = when(ticket.due_at)
    if data["paused"]:
        due += f" (paused since {when(ticket.paused_at)}, waiting on the reporter)"
    elif data["overdue"]:
        due = f"[bold red]{due} — OVERDUE[/]"
    status.add_row("Deadline", due)
    if ticket.unit:
        unit = here.desk.directory.units.get(ticket.unit)
        status.add_row("Unit", unit.name if unit else ticket.unit)
    status.add_row("With", _person(here, ticket.assignee))
    if ticket.technician:
        status.add_row("Technician", _person(here, ticket.technician))
    if ticket.solution:
        status.add_row("Solution", ticket.solution)
    status.add_row("Next", ", ".join(data["allowed_actions"]) or "-")
    mail_to = ", ".join(data["reporter_addresses"]) or "-"
    if not data["email_confirmed"]:
        mail_to += f" ({ticket.email} not confirmed: ticket confirm-email)"
    status.add_row("E-mails to", mail_to)
    out.print(status)

    timeline = Table(title="Timeline", title_justify="left")
    for column in ("When", "Who", "Action", "State", "Via", "Note"):
        timeline.add_column(column)
    for event in events:
        move = (
            event.to_state
            if event.from_state in (None, event.to_state)
            else (f"{event.from_state} → {event.to_state}")
        )
        note, remote = event_note(event)
        if remote:
            # A remote server's words (a delivery report's), never ours: quoted, labelled.
            note = f'{note}\n[text from the receiving server, quoted:] "{remote}"'.strip()
        timeline.add_row(
            short_time(event.at, config), escape(event.actor), event.action, move, event.channel,
            escape(note),
        )  # fmt: skip
    out.print(timeline)
    if attachments:
        files = Table(title="Archived files", title_justify="left")
        for column in ("File", "Size", "SHA-256", "Stored as"):
            files.add_column(column)
        for a in attachments:
            files.add_row(a.filename, f"{a.size:,}", a.sha256[:16] + "…", a.stored_path)
        out.print(files)


def _quoted(value: str) -> str:
    shown = " ".join(value.split())
    return f'"{shown[:57]}..."' if len(shown) > 60 else f'"{shown}"'


def _person(here: Site, staff_id: str | None) -> str:
    if not staff_id:
        return "-"
    person = here.desk.directory.get(staff_id)
    return f"{person.name} ({staff_id})" if person else staff_id


# --- the reporter's e-mail address -------------------------------------------


@app.command("confirm-email")
def confirm_email(
    ctx: typer.Context,
    number: NumberArg,
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Confirm the form's e-mail address (checked with the reporter): from now on the
    reporter's e-mails go to it too, not only to the address the complaint came from."""
    from helpdesk.service import confirm_ticket_email
    from ticketing.addresses import reporter_addresses
    from ticketing.desk import Moved

    if via not in VIA:
        fail(f"--via: expected one of {', '.join(VIA)}, got {via!r}")
    here = site(ctx)
    now = here.now()
    outcome = confirm_ticket_email(here, number, actor=actor(by), channel=via, now=now)
    if not isinstance(outcome, Moved):
        fail(outcome.message)
    ticket = outcome.ticket
    if as_json:
        data = ticket_dict(ticket, here, now)
        data["event"] = event_dict(outcome.event)
        print_json(data)
        return
    typer.echo(
        f"{ticket.number}: {ticket.email} confirmed; e-mails to the reporter go to "
        + ", ".join(reporter_addresses(ticket))
    )


# --- moving ------------------------------------------------------------------


def _move(
    ctx: typer.Context,
    number: str,
    action: Action,
    by: str | None,
    via: str,
    as_json: bool,
    note: str = "",
    *,
    unit: str | None = None,
    technician: str | None = None,
    target: str | None = None,
    sifat: str | None = None,
) -> None:
    from helpdesk.display import CLI_LANGUAGE, long_time
    from helpdesk.service import move_ticket
    from ticketing.desk import Moved

    if via not in VIA:
        fail(f"--via: expected one of {', '.join(VIA)}, got {via!r}")
    here = site(ctx)
    who = actor(by)
    now = here.now()
    request = Move(
        action=action, actor=who, note=note or "", channel=via, unit=unit,
        technician=technician, target=target, sifat=sifat,
    )  # fmt: skip
    outcome = move_ticket(here, number, request, now=now)
    if not isinstance(outcome, Moved):
        fail(outcome.message)
    ticket, event = outcome.ticket, outcome.event
    if as_json:
        print_json({**ticket_dict(ticket, here, now), "event": event_dict(event)})
        return
    change = (
        f"{event.from_state} → {event.to_state}"
        if event.from_state != event.to_state
        else f"{action.value} recorded"
    )
    line = f"{ticket.number}: {change}"
    if ticket.assignee and event.from_state != event.to_state:
        line += f", with {_person(here, ticket.assignee)}"
    if ticket.paused_at is not None:
        line += "; clock stopped"
    elif ticket.due_at is not None and ticket.state != State.CLOSED.value:
        # The line is the CLI's English: its date too, not "due Senin, ...".
        line += f"; due {long_time(ticket.due_at, here.config, language=CLI_LANGUAGE)}"
    typer.echo(line)


@app.command()
def take(
    ctx: typer.Context,
    number: NumberArg,
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 2: the help desk takes a received complaint for first-level service."""
    _move(ctx, number, Action.TAKE, by, via, as_json)


@app.command()
def solve(
    ctx: typer.Context,
    number: NumberArg,
    solution: Annotated[str, typer.Option("--solution", help="The solution given.")] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 2: the help desk solves the complaint at first level."""
    _move(ctx, number, Action.SOLVE, by, via, as_json, note=solution)


@app.command()
def escalate(
    ctx: typer.Context,
    number: NumberArg,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="The ICT unit (default: the one for the complaint type)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="What first level found.")] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 3: escalate what first level cannot solve to the unit concerned."""
    _move(ctx, number, Action.ESCALATE, by, via, as_json, note=note, unit=unit)


@app.command()
def dispose(
    ctx: typer.Context,
    number: NumberArg,
    to: Annotated[str, typer.Option("--to", help="The technician's staff id.")] = "",
    note: Annotated[
        str,
        typer.Option("--note", help="The isi disposisi (instructions) of the Lembar Disposisi."),
    ] = "",
    sifat: Annotated[
        str,
        typer.Option(
            "--sifat",
            help="How urgent: sangat-segera, segera or biasa (very-urgent, urgent, ordinary).",
        ),
    ] = "biasa",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 4: the unit head disposes the complaint to a technician, with the isi disposisi
    and its Sifat (Sangat Segera / Segera / Biasa) as the Lembar Disposisi prints them."""
    from ticketing.workflow import parse_sifat, sifat_choices

    chosen = parse_sifat(sifat)
    if chosen is None:
        fail(f"--sifat: expected one of {sifat_choices('id')} ({sifat_choices('en')}), "
             f"got {sifat!r}")  # fmt: skip
    _move(ctx, number, Action.DISPOSE, by, via, as_json, note=note, technician=to or None,
          sifat=chosen.value)  # fmt: skip


@app.command()
def resolve(
    ctx: typer.Context,
    number: NumberArg,
    solution: Annotated[str, typer.Option("--solution", help="The solution.")] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 5: the technician (or the official it was escalated to) records the solution."""
    _move(ctx, number, Action.RESOLVE, by, via, as_json, note=solution)


@app.command("escalate-higher")
def escalate_higher(
    ctx: typer.Context,
    number: NumberArg,
    report: Annotated[str, typer.Option("--report", help="The technician's report.")] = "",
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="official, head_of_office, or a staff id (default: the official, "
            "then the head of office).",
        ),
    ] = None,
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 6: escalate what the technician cannot solve to a higher level, with a report."""
    _move(ctx, number, Action.ESCALATE_HIGHER, by, via, as_json, note=report, target=to)


@app.command()
def close(
    ctx: typer.Context,
    number: NumberArg,
    confirmation: Annotated[
        str,
        typer.Option("--confirmation", help="How the reporter confirmed the solution."),
    ] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 7: close the ticket once the reporter has confirmed the solution."""
    _move(ctx, number, Action.CLOSE, by, via, as_json, note=confirmation)


@app.command()
def reopen(
    ctx: typer.Context,
    number: NumberArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is not solved.")] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Step 7: the reporter says it is not solved. By the help desk (on the reporter's
    word): back to whoever solved it, as the reporter's own BELUM; by the unit head: back
    to the unit's technician."""
    _move(ctx, number, Action.REOPEN, by, via, as_json, note=reason)


@app.command()
def pause(
    ctx: typer.Context,
    number: NumberArg,
    reason: Annotated[
        str, typer.Option("--reason", help="What is awaited from the reporter.")
    ] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Stop the clock while the ticket waits on the reporter."""
    _move(ctx, number, Action.PAUSE, by, via, as_json, note=reason)


@app.command()
def resume(
    ctx: typer.Context,
    number: NumberArg,
    note: Annotated[str, typer.Option("--note", help="What the reporter answered.")] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Start the clock again: the reporter answered, or the officer goes on without."""
    _move(ctx, number, Action.RESUME, by, via, as_json, note=note)


@app.command()
def note(
    ctx: typer.Context,
    number: NumberArg,
    text: Annotated[str, typer.Argument(help="The note.")],
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Add a note to the timeline; the state does not change."""
    _move(ctx, number, Action.NOTE, by, via, as_json, note=text)


@app.command()
def edit(
    ctx: typer.Context,
    number: NumberArg,
    agency: AgencyOpt = None,
    division: DivisionOpt = None,
    name: NameOpt = None,
    position: PositionOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    sex: SexOpt = None,
    status: StatusOpt = None,
    category: CategoryOpt = None,
    description: DescriptionOpt = None,
    reason: Annotated[
        str, typer.Option("--reason", help="Why, e.g. the reporter's correction by phone.")
    ] = "",
    by: ByOpt = None,
    via: ViaOpt = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Correct the Formulir of a ticket (a misspelt name, the agency, a phone number); the
    change is recorded with the old and new values. Only the help desk corrects a form."""
    from helpdesk.service import edit_ticket
    from ticketing.desk import Moved
    from ticketing.formulir import FIELDS, Incomplete

    if via not in VIA:
        fail(f"--via: expected one of {', '.join(VIA)}, got {via!r}")
    values = (agency, division, name, position, phone, email, sex, status, category, description)
    given = {f.key: value for f, value in zip(FIELDS, values, strict=True) if value is not None}
    if not given:
        fail('give at least one field to correct, e.g. --opd "Dinas Kesehatan"')
    here = site(ctx)
    who = actor(by)
    now = here.now()
    outcome = edit_ticket(here, number, who, given, now=now, channel=via, reason=reason)
    if isinstance(outcome, Incomplete):
        fail(*(p.message_en for p in outcome.problems))
    if not isinstance(outcome, Moved):
        fail(outcome.message)
    ticket, event = outcome.ticket, outcome.event
    if as_json:
        print_json({**ticket_dict(ticket, here, now), "event": event_dict(event)})
        return
    # The record's note is in the office's language; the CLI says the same in English.
    labels = {f.key: f for f in here.desk.fields}
    changes = event.data.get("changes", {}) if isinstance(event.data, dict) else {}
    said = "; ".join(
        f"{labels[key].label_en}: {_quoted(labels[key].shown(old))} → "
        f"{_quoted(labels[key].shown(new))}"
        for key, (old, new) in changes.items()
        if key in labels
    )
    why = f" ({reason.strip()})" if reason.strip() else ""
    typer.echo(f"{ticket.number}: corrected: {said}{why}")
    flagged = here.config.stored_agency(ticket.agency)
    if "agency" in given and not flagged.registered:
        typer.echo(f"{ticket.number}: the Nama OPD {ticket.agency!r} is not in the register")
