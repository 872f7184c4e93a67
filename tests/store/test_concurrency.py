"""What two connections at once see and take, on SQLite and on PostgreSQL: the outbox
claimed by two senders together, a report or archive read from one snapshot while the
help desk goes on writing, and the ticket numbers of two years taken together."""

from __future__ import annotations

import datetime as dt
import threading

from helpdesk.service import register_complaint
from helpdesk.wiring import Site
from tests.conftest import FORM
from ticketing.desk import Complaint, Registered, register_many
from ticketing.store import Tx

WIB = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
LEASE = MONDAY + dt.timedelta(minutes=5)
WAIT = 60  # seconds: only bounds a hang; nothing here waits for a time to pass


def _complaints(site: Site, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        outcome = register_complaint(
            site, {**FORM, "email": f"pelapor{n}@dinkes.example.go.id"}, channel="email",
            received_at=MONDAY, signature=f"pelapor{n}@dinkes.example.go.id", now=MONDAY,
            source_message_id=f"<m{n}@dinkes.example.go.id>",
        )  # fmt: skip
        assert isinstance(outcome, Registered)


def test_two_senders_claiming_at_once_never_take_the_same_e_mail(site: Site) -> None:
    """While one sender's claim is still open, a second sender claims too: they get
    different e-mails (PostgreSQL: at once, skipping the locked rows; SQLite: after the
    first commits), and together every e-mail once."""
    _complaints(site, 6)
    first_claimed = threading.Event()
    release = threading.Event()
    taken: dict[str, list[int]] = {}

    def first() -> None:
        with site.store.transaction() as tx:
            taken["first"] = tx.claim_due(MONDAY, LEASE, 3)
            first_claimed.set()
            assert release.wait(WAIT)

    def second() -> None:
        with site.store.transaction() as tx:
            taken["second"] = tx.claim_due(MONDAY, LEASE, 10)

    one = threading.Thread(target=first)
    one.start()
    assert first_claimed.wait(WAIT)
    two = threading.Thread(target=second)
    two.start()
    if site.config.sqlite_path is None:  # row locks: the second does not wait for the first
        two.join(WAIT)
        assert not two.is_alive(), "the second claim waited for the first"
    release.set()
    one.join(WAIT)
    two.join(WAIT)
    assert len(taken["first"]) == 3
    assert sorted(taken["first"] + taken["second"]) == sorted(e.id for e in _outbox(site)), taken
    with site.store.transaction() as tx:
        assert tx.claim_due(MONDAY, LEASE, 10) == []


def _outbox(site: Site) -> list:  # type: ignore[type-arg]
    with site.store.transaction() as tx:
        return tx.outbox()


def test_a_snapshot_sees_nothing_written_after_it_began(site: Site) -> None:
    """A report or archive reads its tickets, then their events: a complaint registered
    in between is in neither, and the next snapshot sees it whole."""
    _complaints(site, 1)
    start, end = MONDAY - dt.timedelta(days=1), MONDAY + dt.timedelta(days=1)
    with site.store.snapshot() as tx:
        tickets = tx.tickets_active_in(start, end)
        writer = threading.Thread(target=_complaints, args=(site, 2, 1))
        writer.start()
        writer.join(WAIT)
        assert not writer.is_alive(), "the writer waited for a snapshot"
        assert len(tx.tickets_active_in(start, end)) == 1
        assert len(tx.archive_tickets(start, end)) == 1
        assert len(tx.outbox()) == 2  # the acknowledgement and the help desk's copy
        events = tx.events_of([t.id for t in tickets if t.id is not None])
        assert [len(e) for e in events.values()] == [1]
    with site.store.snapshot() as tx:
        assert len(tx.tickets_active_in(start, end)) == 3


def test_two_daemons_recording_a_first_run_at_once_both_count(site: Site) -> None:
    """The outbox runs in every daemon: when two record its very first run at once, the
    second waits for the first and neither fails, and `helpdesk status` counts both runs
    and the failure."""
    first_recorded = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with site.store.transaction() as tx:
            tx.record_job("outbox", started=MONDAY, error=None, now=MONDAY)
            first_recorded.set()
            assert release.wait(WAIT)

    def second() -> None:
        try:
            with site.store.transaction() as tx:
                tx.record_job("outbox", started=MONDAY, error="smtp: refused", now=LEASE)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)

    one = threading.Thread(target=first)
    one.start()
    assert first_recorded.wait(WAIT)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.3)  # long enough for the second to reach the row the first holds
    release.set()
    one.join(WAIT)
    two.join(WAIT)
    assert errors == []
    with site.store.transaction() as tx:
        (state,) = tx.job_states()
        assert (state.runs, state.failures, state.last_error) == (2, 1, "smtp: refused")


def test_two_registrations_of_two_years_at_once_neither_fails(site: Site) -> None:
    """Two transactions register calls of two years at once, one the year before first
    and the other last year's last: each takes the years' counters in the years' order,
    so the second waits for the first (on PostgreSQL, where taking them in the calls'
    order would deadlock and abort one), and both years are numbered without a gap."""
    new_year = dt.datetime(2025, 12, 31, 23, 30, tzinfo=WIB)
    calls = {
        "first": [MONDAY, new_year],  # this year's call, then last year's
        "second": [new_year, MONDAY],
    }
    took_one = {name: threading.Event() for name in calls}
    real_next_seqs = Tx.next_seqs
    names = threading.local()
    errors: list[BaseException] = []

    def next_seqs(self: Tx, name: str, year: int, count: int) -> int:
        taken = real_next_seqs(self, name, year, count)
        me = names.name
        if not took_one[me].is_set():
            took_one[me].set()
            # Holding one year's counter, let the other transaction take what it can.
            took_one["second" if me == "first" else "first"].wait(1.5)
        return taken

    def register(name: str) -> None:
        names.name = name
        complaints = [
            Complaint(
                {**FORM, "email": f"{name}{n}@dinkes.example.go.id"},
                "phone",
                received_at,
                signature="sari",
                officer="sari",
            )  # fmt: skip
            for n, received_at in enumerate(calls[name])
        ]
        try:
            with site.store.transaction() as tx:
                register_many(tx, site.desk, complaints, now=MONDAY)
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)

    Tx.next_seqs = next_seqs  # type: ignore[method-assign]
    try:
        threads = [threading.Thread(target=register, args=(name,)) for name in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT)
    finally:
        Tx.next_seqs = real_next_seqs  # type: ignore[method-assign]
    assert errors == []
    with site.store.transaction() as tx:
        numbers = sorted(t.number for t in tx.tickets())
    assert numbers == ["TIK-2025-00001", "TIK-2025-00002", "TIK-2026-00001", "TIK-2026-00002"]
