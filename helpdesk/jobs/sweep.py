"""The deadline sweep: a reminder before each step's deadline, a breach after it.

Each step of a ticket gets at most one reminder and one breach event, found with one
query each (the events since the step started tell what was already done). The e-mails
are queued at once but held until the next working moment: nobody is woken at night.

The sweep commits every ``CHUNK`` tickets: after a long stop it may find thousands past
their deadline, and one transaction for all of them would hold SQLite's write lock for
as long as their e-mails take to render (a minute for 20,000), while the mailbox's
intake waits only ``busy_timeout`` before it gives up on a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpdesk.service import move_in
from helpdesk.wiring import Site
from notifier.outbox import queue, queue_many
from notifier.policy import (
    SYSTEM_NOTES,
    Notice,
    breach_notices,
    confirmation_reminder_notice,
    reminder_notice,
    ticket_base,
)
from ticketing.addresses import is_reporter_address
from ticketing.desk import Moved
from ticketing.directory import Role
from ticketing.models import Event, Ticket
from ticketing.store import Tx
from ticketing.store.deadlines import Due
from ticketing.workflow import SYSTEM_ACTOR, Action, Move, State, deadline_step

CHUNK = 500  # tickets per transaction


@dataclass
class SweepReport:
    reminded: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    confirmation_reminded: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # after the confirmation wait, in silence


def _escalate(
    here: Site, tx: Tx, ticket: Due, step: int, now: dt.datetime, report: SweepReport
) -> None:
    """Escalate a breached step on the system's own authority, as the config asks."""
    action = Action.ESCALATE if ticket.state == State.FIRST_LEVEL else Action.ESCALATE_HIGHER
    note = _notes(here)["escalated_on_breach"].format(step=step)
    request = Move(action, SYSTEM_ACTOR, note=note, channel="system", system=True)
    if isinstance(move_in(tx, here, ticket.number, request, now=now), Moved):
        report.escalated.append(ticket.number)


def _notes(here: Site) -> Mapping[str, str]:
    """The sweep's notes on a ticket, in the office's language."""
    return SYSTEM_NOTES[here.office.settings.language]


def _responsible(here: Site, ticket: Due) -> list[str]:
    """Who answers for the ticket's current step: its assignee, else the help desk. Step 7
    (the Laporan Akhir delivered, the confirmation asked for) is the help desk's."""
    if ticket.state == State.RESOLVED:
        return [s.id for s in here.desk.directory.with_role(Role.HELP_DESK)]
    if ticket.assignee and here.desk.directory.get(ticket.assignee):
        return [ticket.assignee]
    return [s.id for s in here.desk.directory.with_role(Role.HELP_DESK)]


def event_row(
    ticket: Ticket | Due, action: Action, now: dt.datetime, note: str, data: dict
) -> dict[str, Any]:
    """The sweep's event about ``ticket``, as column values: the sweep stores its events
    together (`Tx.add_events`), not one flush per event, since a sweep after a long stop
    records thousands."""
    return {
        "ticket_id": ticket.id, "at": now, "actor": "system", "action": action.value,
        "from_state": ticket.state, "to_state": ticket.state, "note": note,
        "channel": "system", "data": data,
    }  # fmt: skip


def sweep_deadlines(
    here: Site, *, now: dt.datetime, reminder_share: float = 0.75, chunk: int = CHUNK
) -> SweepReport:
    report = SweepReport()
    send_from = here.desk.calendar.next_working_moment(now)
    after: tuple[dt.datetime, int] | None = None
    while True:  # breaches first, at most ``chunk`` tickets per transaction
        with here.store.transaction() as tx:
            page = tx.running_without(Action.BREACH.value, now, after=after, limit=chunk)
            _breaches(here, tx, page.tickets, now, send_from, report)
        if page.end is None:
            break
        after = page.end
    breached = set(report.breached)
    after = None
    while True:
        with here.store.transaction() as tx:
            page = tx.running_without(Action.REMINDER.value, after=after, limit=chunk)
            due = [t for t in page.tickets if t.number not in breached]
            _reminders(here, tx, due, now, send_from, reminder_share, report)
        if page.end is None:
            break
        after = page.end
    _confirmations(here, now, send_from, report, chunk)
    return report


def _confirmation(
    here: Site, tx: Tx, ticket: Ticket, events: list[Event], now: dt.datetime,
    send_from: dt.datetime, report: SweepReport,
) -> None:  # fmt: skip
    """One resolved ticket awaiting its reporter: closed at the end of the wait, reminded
    once at half of it. A reporter who has written since the resolution is not silent:
    their words (an answer neither yes nor not yet) wait for the help desk's call."""
    assert ticket.resolved_at is not None
    resolved_at = ticket.resolved_at
    if any(e.at >= resolved_at and _by_reporter(ticket, e) for e in events):
        return
    calendar = here.desk.calendar
    wait = here.config.confirmation_wait()
    notes = _notes(here)
    closes_at = calendar.add(ticket.resolved_at, wait)
    if now >= closes_at:
        note = notes["closed_after_silence"].format(wait=wait.label(here.office.settings.language))
        request = Move(Action.CLOSE, SYSTEM_ACTOR, note=note, channel="system", system=True)
        if isinstance(move_in(tx, here, ticket.number, request, now=now), Moved):
            report.closed.append(ticket.number)
        return
    total = calendar.working_minutes_between(ticket.resolved_at, closes_at)
    half_at = calendar.add_working_minutes(ticket.resolved_at, total // 2)
    reminded = any(
        e.action == Action.REMINDER.value and e.at >= ticket.resolved_at
        and isinstance(e.data, dict) and e.data.get("confirmation")
        for e in events
    )  # fmt: skip
    if now < half_at or reminded:
        return
    data = {"confirmation": True, "closes_at": closes_at.isoformat()}
    tx.add_events([event_row(ticket, Action.REMINDER, now, notes["confirmation_reminder"], data)])
    mails = confirmation_reminder_notice(here.office, ticket, closes_at=closes_at)
    queue(tx, here.office, mails, now=now, ticket=ticket, not_before=send_from)
    report.confirmation_reminded.append(ticket.number)


def _by_reporter(ticket: Ticket, event: Event) -> bool:
    """An event the reporter made by e-mail: a verified reply, in their address's name."""
    return event.channel == "email" and is_reporter_address(ticket, event.actor)


# The e-mails that deliver a solution to the reporter and ask for the confirmation: once
# one is sent, step 7's work is done and only the reporter's answer is awaited.
FINAL_REPORTS = ("reporter.final_report", "reporter.first_level_solution")


def delivered_in_time(tx: Tx, tickets: Sequence[Due]) -> set[int]:
    """Of ``tickets``, the resolved ones whose Laporan Akhir went out within step 7's time."""
    resolved = [t for t in tickets if t.state == State.RESOLVED]
    sent = tx.first_sent([t.id for t in resolved], FINAL_REPORTS)
    return {t.id for t in resolved if t.id in sent and sent[t.id] <= t.due_at}


def _confirmations(
    here: Site, now: dt.datetime, send_from: dt.datetime, report: SweepReport, chunk: int
) -> None:
    """Resolved tickets whose reporter has not answered: one reminder to the reporter at
    half of ``[sop] confirmation_wait``, and at its end the ticket closed on the system's
    authority, the reporter told (SP4N-LAPOR! counts such a report as finished)."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        with here.store.transaction() as tx:
            found = tx.awaiting_confirmation(after=after, limit=chunk)
            if found:
                last = found[-1]
                assert last.resolved_at is not None and last.id is not None
                after = (last.resolved_at, last.id)
            ids = [t.id for t in found if t.id is not None]
            events = tx.events_of(ids)
            for ticket in found:
                _confirmation(here, tx, ticket, events.get(ticket.id or 0, []), now,
                              send_from, report)  # fmt: skip
        if len(found) < chunk:
            break


def _breaches(
    here: Site, tx: Tx, tickets: Sequence[Due], now: dt.datetime, send_from: dt.datetime,
    report: SweepReport,
) -> None:  # fmt: skip
    delivered = delivered_in_time(tx, tickets)
    breached = [t for t in tickets if t.id not in delivered]  # else the reporter is awaited
    whole = tx.tickets_by_id([t.id for t in breached])  # for the e-mails
    pending = _Pending(here, tx, Action.BREACH, now, send_from)
    for ticket in breached:
        step = pending.record(ticket, whole[ticket.id])
        report.breached.append(ticket.number)
        if ticket.state in here.config.daemon.escalate_on_breach:
            pending.store()  # the breach and its e-mails come before the escalation's
            _escalate(here, tx, ticket, step, now, report)
    pending.store()


class _Pending:
    """The reminders or breaches of a page and their e-mails, stored together (`store`):
    one statement for the events, one for the e-mails (`queue_many`, the same e-mails as
    queued one by one), since a sweep after a long stop records thousands. What the
    page's tickets share (the note, the step and who answers for it, by state and
    assignee) is worked out once."""

    def __init__(
        self, here: Site, tx: Tx, action: Action, now: dt.datetime, send_from: dt.datetime
    ) -> None:
        self.here, self.tx, self.action, self.now, self.send_from = here, tx, action, now, send_from
        self.notices = breach_notices if action == Action.BREACH else reminder_notice
        self.facts = _Facts(here, action)
        self.events: list[dict[str, Any]] = []
        self.mails: list[tuple[Ticket, Sequence[Notice]]] = []

    def record(self, due: Due, ticket: Ticket) -> int:
        """The ticket's reminder or breach of its current step, with its e-mails to each
        person responsible (``ticket`` is the whole ticket they show). Returns the step."""
        event = self.facts.event(due, self.now)
        self.events.append(event)
        step: int = event["data"]["step"]
        office, now = self.here.office, self.now
        base = ticket_base(office, ticket)  # the same for each of them
        for person in event["data"]["responsible"]:
            notices = self.notices(office, ticket, step=step, responsible=person, now=now,
                                   base=base)  # fmt: skip
            self.mails.append((ticket, notices))
        return step

    def store(self) -> None:
        self.tx.add_events(self.events)
        queue_many(self.tx, self.here.office, self.mails, now=self.now, not_before=self.send_from)
        self.events, self.mails = [], []


class _Facts:
    """The reminders or breaches of tickets' current steps, as events' column values
    (`event_row`): the step, its deadline and who answers for it in their data; what
    tickets in the same state with the same assignee share is made once."""

    def __init__(self, here: Site, action: Action) -> None:
        self.here = here
        self.action = action
        self._shared: dict[tuple[str, str | None], tuple[int, str, list[str]]] = {}

    def event(self, ticket: Due, now: dt.datetime) -> dict[str, Any]:
        key = (ticket.state, ticket.assignee)
        shared = self._shared.get(key)
        if shared is None:
            step = deadline_step(ticket.state)
            note = _notes(self.here)[self.action.value].format(step=step)
            shared = self._shared[key] = (step, note, _responsible(self.here, ticket))
        step, note, responsible = shared
        data = {"step": step, "due_at": ticket.due_at.isoformat(), "responsible": responsible}
        return event_row(ticket, self.action, now, note, data)


def deadline_events(
    here: Site, tickets: Sequence[Due], action: Action, now: dt.datetime
) -> list[dict[str, Any]]:
    """The reminder or breach event of each ticket's current step, as the sweep makes a
    page's."""
    facts = _Facts(here, action)
    return [facts.event(ticket, now) for ticket in tickets]


def _reminders(
    here: Site, tx: Tx, tickets: Sequence[Due], now: dt.datetime, send_from: dt.datetime,
    reminder_share: float, report: SweepReport,
) -> None:  # fmt: skip
    calendar = here.desk.calendar
    delivered = delivered_in_time(tx, tickets)
    due = []
    for ticket in tickets:
        if ticket.due_at <= now or ticket.id in delivered:
            continue
        total = calendar.working_minutes_between(ticket.step_started_at, ticket.due_at)
        elapsed = calendar.working_minutes_between(ticket.step_started_at, now)
        if total <= 0 or elapsed < reminder_share * total:
            continue
        due.append(ticket)
    whole = tx.tickets_by_id([t.id for t in due])  # for the e-mails
    pending = _Pending(here, tx, Action.REMINDER, now, send_from)
    for ticket in due:
        pending.record(ticket, whole[ticket.id])
        report.reminded.append(ticket.number)
    pending.store()
