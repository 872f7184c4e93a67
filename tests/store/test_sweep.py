"""The deadline sweep on a real SQLite file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from helpdesk.jobs.sweep import deadline_events, delivered_in_time, sweep_deadlines
from helpdesk.service import move_ticket, register_complaint
from helpdesk.wiring import Site
from notifier.outbox import email_bytes, queue
from notifier.policy import Office, breach_notices
from tests.conftest import FORM
from ticketing.desk import Registered
from ticketing.store import Tx
from ticketing.workflow import Action, Move

WIB = dt.timezone(dt.timedelta(hours=7))


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=WIB)


def _phone(site: Site, now: dt.datetime) -> str:
    outcome = register_complaint(
        site, FORM, channel="phone", received_at=now, signature="sari", now=now, officer="sari"
    )
    assert isinstance(outcome, Registered)
    return outcome.ticket.number  # first level, due three working hours later


def _sent(site: Site, kind: str) -> list:
    with site.store.transaction() as tx:
        return [e for e in tx.outbox() if e.kind == kind]


def test_reminder_once_before_the_deadline(site: Site) -> None:
    """At three quarters of the step's time the person responsible is reminded, once."""
    number = _phone(site, at(11, 30, 9))
    assert sweep_deadlines(site, now=at(11, 30, 11)).reminded == []  # 2 of 3 hours
    assert sweep_deadlines(site, now=at(11, 30, 11, 20)).reminded == [number]
    assert sweep_deadlines(site, now=at(11, 30, 11, 40)).reminded == []
    [reminder] = _sent(site, "staff.reminder")
    assert reminder.recipients == ["sari.wulandari@example.go.id"]


def test_one_breach_per_step_to_the_person_and_superior(site: Site) -> None:
    """A passed deadline is recorded once per step and told to the person and superior."""
    number = _phone(site, at(11, 30, 9))
    assert sweep_deadlines(site, now=at(11, 30, 12, 30)).breached == [number]
    assert sweep_deadlines(site, now=at(11, 30, 13)).breached == []
    [breach] = _sent(site, "staff.breach")
    assert breach.recipients == ["sari.wulandari@example.go.id", "kurniawan.adi@example.go.id"]

    move_ticket(site, number, Move(Action.ESCALATE, "sari"), now=at(11, 30, 13))  # due 14:00
    assert sweep_deadlines(site, now=at(11, 30, 14, 30)).breached == [number]
    second = _sent(site, "staff.breach")[-1]
    assert second.recipients[0] == "rudi.hartono@example.go.id"
    with site.store.transaction() as tx:
        ticket = tx.ticket(number)
        assert ticket is not None
        assert [e.action for e in tx.events(ticket)].count("breach") == 2


def test_breach_found_at_night_is_sent_in_working_hours(site: Site) -> None:
    """A breach found at 20:00 is recorded then, its e-mail held until 07:30 next day."""
    _phone(site, at(11, 30, 14))  # due Tuesday 09:30
    sweep_deadlines(site, now=at(12, 1, 20))
    [breach] = _sent(site, "staff.breach")
    assert breach.next_attempt_at == at(12, 2, 7, 30)


def test_paused_ticket_is_never_breached(site: Site) -> None:
    """While the clock is stopped, no reminder and no breach."""
    number = _phone(site, at(11, 30, 9))
    move_ticket(site, number, Move(Action.PAUSE, "sari", note="tunggu"), now=at(11, 30, 9, 30))
    report = sweep_deadlines(site, now=at(12, 1, 15))
    assert (report.reminded, report.breached) == ([], [])


def test_breach_escalates_by_itself_where_configured(site_dir, site: Site) -> None:  # type: ignore[no-untyped-def]
    """With escalate_on_breach, a breached first level goes to its unit at once."""
    from helpdesk.config import load_config

    config = site_dir / "config.toml"
    config.write_text(config.read_text().replace(
        "escalate_on_breach = []", 'escalate_on_breach = ["first_level"]'))  # fmt: skip
    here = Site(load_config(config))
    number = _phone(here, at(11, 30, 9))
    report = sweep_deadlines(here, now=at(11, 30, 12, 30))
    assert report.escalated == [number]
    with here.store.transaction() as tx:
        ticket = tx.ticket(number)
        assert ticket is not None
        assert (ticket.state, ticket.assignee) == ("escalated", "rudi")
        last = tx.events(ticket)[-1]
    assert (last.actor, last.action, last.channel) == ("system", "escalate", "system")
    assert [e.kind for e in _sent(here, "unit_head.escalated")] == ["unit_head.escalated"]


def test_sweep_in_chunks_records_each_ticket_once(site: Site) -> None:
    """Many tickets past their deadline are swept a chunk per transaction: each gets its one
    breach and its e-mail, whatever the chunk size; those still in time, their reminder."""
    late = [_phone(site, at(11, 30, 9, minute)) for minute in (0, 0, 5, 10, 15)]
    soon = [_phone(site, at(11, 30, 10, 5)), _phone(site, at(11, 30, 10, 10))]
    report = sweep_deadlines(site, now=at(11, 30, 12, 30), chunk=2)
    assert report.breached == late
    assert report.reminded == soon
    assert sweep_deadlines(site, now=at(11, 30, 12, 40), chunk=2).breached == []
    assert len(_sent(site, "staff.breach")) == len(late)
    with site.store.transaction() as tx:
        for number in late:
            ticket = tx.ticket(number)
            assert ticket is not None
            assert [e.action for e in tx.events(ticket)].count("breach") == 1


def _seeded(site: Site) -> None:
    """The site's e-mails drawing their Message-IDs, tokens and boundaries from a
    generator seeded anew, the same sequence each time."""
    settings = site.office.settings
    sender = dataclasses.replace(settings.sender, rng=random.Random(2026))
    office = dataclasses.replace(site.office, settings=dataclasses.replace(settings, sender=sender))
    site.__dict__["office"] = office  # the cached office, its generator seeded


def _outbox(tx: Tx, office: Office) -> list[tuple[object, ...]]:
    """Every queued e-mail in the order queued, as it will be sent (ids aside: those of a
    rolled-back transaction are not reused on PostgreSQL)."""
    return [
        (e.kind, e.recipients, e.subject, e.message_id, e.status, e.next_attempt_at,
         e.bounce_token, e.ticket_id, email_bytes(e, office))
        for e in tx.outbox()
    ]  # fmt: skip


class _Undone(Exception):
    pass


def test_a_page_queues_the_e_mails_that_queueing_them_one_by_one_would(site: Site) -> None:
    """The sweep queues a page's breach e-mails together; they are byte for byte those
    queued one at a time, each ticket's threaded after its e-mails before (its
    acknowledgement, the e-mail to the first person responsible before the second's)."""
    for minute in (0, 5, 10, 15, 20):  # at first level: to the officer, copied to the head
        _phone(site, at(11, 30, 9, minute))
    for minute in (0, 30):  # by e-mail, waiting for the help desk: to each of its officers
        register_complaint(site, FORM, channel="email", received_at=at(11, 28, 8, minute),
                           signature="budi", now=at(11, 28, 8, minute))  # fmt: skip
    now = at(11, 30, 12, 30)
    send_from = site.desk.calendar.next_working_moment(now)
    _seeded(site)
    with pytest.raises(_Undone), site.store.transaction() as tx:  # one by one, then undone
        page = tx.running_without("breach", now)
        due = [t for t in page.tickets if t.id not in delivered_in_time(tx, page.tickets)]
        whole = tx.tickets_by_id([t.id for t in due])
        events = deadline_events(site, due, Action.BREACH, now)
        assert len(events) == 7
        for ticket, event in zip(due, events, strict=True):
            for person in event["data"]["responsible"]:
                mails = breach_notices(site.office, whole[ticket.id], step=event["data"]["step"],
                                       responsible=person, now=now)  # fmt: skip
                queue(tx, site.office, mails, now=now, ticket=whole[ticket.id],
                      not_before=send_from)  # fmt: skip
        tx.add_events(events)
        one_by_one = _outbox(tx, site.office)
        raise _Undone
    _seeded(site)
    report = sweep_deadlines(site, now=now, chunk=3)
    assert len(report.breached) == 7
    with site.store.transaction() as tx:
        swept = _outbox(tx, site.office)
    assert len([r for r in swept if r[0] == "staff.breach"]) == 9  # two help desk officers
    assert swept == one_by_one


def _solved(site: Site, now: dt.datetime) -> str:
    """A phone complaint solved at first level at ``now``: resolved, its Laporan Akhir
    (the first-level solution) queued to the reporter."""
    number = _phone(site, now)
    move_ticket(site, number, Move(Action.SOLVE, "sari", note="Kabel dipasang ulang"), now=now)
    return number


def test_a_silent_reporter_is_reminded_at_half_the_wait_then_the_ticket_closes(
    site: Site,
) -> None:
    """Ten working days by default: reminded after five, closed after ten, told both times."""
    number = _solved(site, at(11, 30, 9, 30))  # Monday
    assert sweep_deadlines(site, now=at(12, 7, 9)).confirmation_reminded == []
    assert sweep_deadlines(site, now=at(12, 7, 10)).confirmation_reminded == [number]
    assert sweep_deadlines(site, now=at(12, 8, 10)).confirmation_reminded == []
    [reminder] = _sent(site, "reporter.confirmation_reminder")
    assert reminder.recipients == ["budi.santoso@dinkes.example.go.id"]
    assert sweep_deadlines(site, now=at(12, 14, 9)).closed == []
    assert sweep_deadlines(site, now=at(12, 14, 10)).closed == [number]
    with site.store.transaction() as tx:
        ticket = tx.ticket(number)
        assert ticket is not None and ticket.state == "closed"
        close = tx.events(ticket)[-1]
        assert (close.action, close.actor, close.data.get("silence")) == ("close", "system", True)
    assert _sent(site, "reporter.closed")


def test_the_wait_counts_working_days(site: Site) -> None:
    """Resolved on a Friday: half of ten working days ends the next Friday, not Wednesday."""
    number = _solved(site, at(12, 4, 9, 30))  # Friday
    assert sweep_deadlines(site, now=at(12, 9, 10)).confirmation_reminded == []
    assert sweep_deadlines(site, now=at(12, 11, 10)).confirmation_reminded == [number]


def test_step_7_is_not_breached_once_the_final_report_went_out(site: Site) -> None:
    """Step 7's hour is the help desk's, to deliver the Laporan Akhir: once it is sent,
    the reporter's answer is awaited, and nobody is told of a breach."""
    number = _solved(site, at(11, 30, 9, 30))
    [solution] = _sent(site, "reporter.first_level_solution")
    with site.store.transaction() as tx:
        assert solution.id is not None
        tx.mark_sent(solution.id, at(11, 30, 9, 31))
    report = sweep_deadlines(site, now=at(11, 30, 11))
    assert number not in report.breached
    assert _sent(site, "staff.breach") == []


def test_step_7_breach_goes_to_the_help_desk_alone(site: Site) -> None:
    """The Laporan Akhir not delivered within the hour: the help desk is told, not the
    official, not the Kepala Dinas."""
    number = _solved(site, at(11, 30, 9, 30))  # its e-mail never sent: no SMTP here
    assert number in sweep_deadlines(site, now=at(11, 30, 11)).breached
    recipients = {r for e in _sent(site, "staff.breach") for r in e.recipients}
    assert recipients == {"sari.wulandari@example.go.id", "yoga.pratama@example.go.id"}


def test_a_reporter_who_answered_unclearly_is_not_closed_as_silent(site: Site) -> None:
    """An answer neither yes nor not yet waits for the help desk's call: no reminder, and
    no close in the reporter's silence, since they were not silent."""
    number = _solved(site, at(11, 30, 9, 30))
    words = Move(Action.NOTE, "budi.santoso@dinkes.example.go.id", note="Nanti saya cek",
                 channel="email", reporter=True)  # fmt: skip
    move_ticket(site, number, words, now=at(12, 1, 10))
    report = sweep_deadlines(site, now=at(12, 14, 10))
    assert (report.confirmation_reminded, report.closed) == ([], [])
