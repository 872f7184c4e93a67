"""The deadline sweep: a reminder before each step's deadline, a breach after it.

Each step of a ticket gets at most one reminder and one breach event, found with one
query each (the events since the step started tell what was already done). The e-mails
are queued at once but held until the next working moment: nobody is woken at night.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from helpdesk.service import move_in
from helpdesk.wiring import Site
from notifier.outbox import queue
from notifier.policy import breach_notices, reminder_notice
from ticketing.desk import Moved
from ticketing.directory import Role
from ticketing.models import Ticket
from ticketing.store import Tx
from ticketing.workflow import SYSTEM_ACTOR, Action, Move, State, current_step


@dataclass
class SweepReport:
    reminded: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)


def _escalate(
    here: Site, tx: Tx, ticket: Ticket, step: int, now: dt.datetime, report: SweepReport
) -> None:
    """Escalate a breached step on the system's own authority, as the config asks."""
    action = Action.ESCALATE if ticket.state == State.FIRST_LEVEL else Action.ESCALATE_HIGHER
    note = f"Eskalasi otomatis: batas waktu langkah {step} terlewati"
    request = Move(action, SYSTEM_ACTOR, note=note, channel="system", system=True)
    if isinstance(move_in(tx, here, ticket.number, request, now=now), Moved):
        report.escalated.append(ticket.number)


def _responsible(here: Site, ticket: Ticket) -> list[str]:
    """Who answers for the ticket's current step: its assignee, else the help desk."""
    if ticket.assignee and here.desk.directory.get(ticket.assignee):
        return [ticket.assignee]
    return [s.id for s in here.desk.directory.with_role(Role.HELP_DESK)]


def _record(
    tx: Tx, ticket: Ticket, action: Action, now: dt.datetime, note: str, data: dict
) -> None:
    tx.add_event(
        ticket, at=now, actor="system", action=action.value, from_state=ticket.state,
        to_state=ticket.state, note=note, channel="system", data=data,
    )  # fmt: skip


def sweep_deadlines(here: Site, *, now: dt.datetime, reminder_share: float = 0.75) -> SweepReport:
    report = SweepReport()
    calendar = here.desk.calendar
    send_from = calendar.next_working_moment(now)
    with here.store.transaction() as tx:
        for ticket in tx.running_without(Action.BREACH.value, due_before=now):
            assert ticket.due_at is not None
            step = current_step(ticket.state)
            people = _responsible(here, ticket)
            data = {"step": step, "due_at": ticket.due_at.isoformat(), "responsible": people}
            _record(tx, ticket, Action.BREACH, now, f"Batas waktu langkah {step} terlewati", data)
            for person in people:
                notices = breach_notices(
                    here.office, ticket, step=step, responsible=person, now=now
                )
                queue(tx, here.office, notices, now=now, ticket=ticket, not_before=send_from)
            report.breached.append(ticket.number)
            if ticket.state in here.config.daemon.escalate_on_breach:
                _escalate(here, tx, ticket, step, now, report)

        for ticket in tx.running_without(Action.REMINDER.value):
            assert ticket.due_at is not None
            if ticket.due_at <= now or ticket.number in report.breached:
                continue
            total = calendar.working_minutes_between(ticket.step_started_at, ticket.due_at)
            elapsed = calendar.working_minutes_between(ticket.step_started_at, now)
            if total <= 0 or elapsed < reminder_share * total:
                continue
            step = current_step(ticket.state)
            people = _responsible(here, ticket)
            data = {"step": step, "due_at": ticket.due_at.isoformat(), "responsible": people}
            _record(tx, ticket, Action.REMINDER, now, f"Pengingat batas waktu langkah {step}", data)
            for person in people:
                notices = reminder_notice(
                    here.office, ticket, step=step, responsible=person, now=now
                )
                queue(tx, here.office, notices, now=now, ticket=ticket, not_before=send_from)
            report.reminded.append(ticket.number)
    return report
