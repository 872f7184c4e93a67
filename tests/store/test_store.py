"""The store on a real SQLite file: numbering, events, time zones, filters, migrations."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from helpdesk.config import load_config
from helpdesk.wiring import Site
from tests import databases
from tests.conftest import FORM, SiteDatabase
from ticketing import migrate
from ticketing.desk import Moved, Registered, move, register
from ticketing.formulir import Incomplete
from ticketing.store import StoreError, TicketFilter
from ticketing.workflow import Action, Move, Rejected, State

WIB = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)


def _register(here: Site, now: dt.datetime = MONDAY, **changes: str) -> Registered:
    with here.store.transaction() as tx:
        outcome = register(
            tx,
            here.desk,
            {**FORM, **changes},
            channel="phone",
            received_at=now,
            signature="sari",
            officer="sari",
            now=now,
        )
    assert isinstance(outcome, Registered), outcome
    return outcome


def test_numbers_are_sequential_per_year(site: Site) -> None:
    """Numbers count up within a year and start again at 1 in the next."""
    numbers = [_register(site).ticket.number for _ in range(3)]
    new_year = dt.datetime(2027, 1, 4, 9, 0, tzinfo=WIB)
    numbers.append(_register(site, now=new_year).ticket.number)
    assert numbers == ["TIK-2026-00001", "TIK-2026-00002", "TIK-2026-00003", "TIK-2027-00001"]


def test_year_is_the_offices_year(site: Site) -> None:
    """A complaint at 01:00 WIB on 1 January belongs to the new year, though UTC is still in
    the old one."""
    new_year_night = dt.datetime(2027, 1, 1, 1, 0, tzinfo=WIB)
    assert _register(site, now=new_year_night).ticket.number == "TIK-2027-00001"


def test_failed_transaction_leaves_no_gap(site: Site) -> None:
    """A registration rolled back after taking a number gives that number to the next one."""
    _register(site)
    with pytest.raises(RuntimeError):
        with site.store.transaction() as tx:
            register(
                tx,
                site.desk,
                FORM,
                channel="phone",
                received_at=MONDAY,
                signature="sari",
                officer="sari",
                now=MONDAY,
            )
            raise RuntimeError("crash after the number was taken")
    assert _register(site).ticket.number == "TIK-2026-00002"


def test_incomplete_form_stores_nothing(site: Site) -> None:
    """An incomplete Formulir returns its problems and leaves no ticket and no number used."""
    with site.store.transaction() as tx:
        outcome = register(
            tx,
            site.desk,
            {**FORM, "phone": "", "email": "budi@"},
            channel="phone",
            received_at=MONDAY,
            signature="sari",
            officer="sari",
            now=MONDAY,
        )
    assert isinstance(outcome, Incomplete)
    assert [(p.key, p.kind) for p in outcome.problems] == [
        ("phone", "missing"),
        ("email", "invalid"),
    ]
    with site.store.transaction() as tx:
        assert tx.tickets() == []
    assert _register(site).ticket.number == "TIK-2026-00001"


def _register_many(config_path: str, count: int, queue: multiprocessing.Queue) -> None:
    here = Site(load_config(Path(config_path)))
    numbers = []
    for _ in range(count):
        with here.store.transaction() as tx:
            outcome = register(
                tx,
                here.desk,
                FORM,
                channel="phone",
                received_at=MONDAY,
                signature="sari",
                officer="sari",
                now=MONDAY,
            )
            assert isinstance(outcome, Registered)
            numbers.append(outcome.ticket.seq)
    queue.put(numbers)


def test_two_processes_never_share_or_skip_a_number(site: Site, site_dir: Path) -> None:
    """Two processes registering at once get distinct numbers with no gap between them."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_register_many, args=(str(site_dir / "config.toml"), 25, queue))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert sorted(results[0] + results[1]) == list(range(1, 51))
    with site.store.transaction() as tx:
        assert len(tx.tickets()) == 50


def test_events_cannot_be_changed_or_deleted(site: Site) -> None:
    """The database refuses to update or delete a recorded event."""
    _register(site)
    for statement in ("UPDATE event SET note = 'rewritten'", "DELETE FROM event"):
        with pytest.raises(DBAPIError, match="events are immutable"):
            with site.store.transaction() as tx:
                tx.session.execute(text(statement))
    with site.store.transaction() as tx:
        ticket = tx.ticket("TIK-2026-00001")
        assert ticket is not None
        assert [e.note for e in tx.events(ticket)] == ["", ""]


def test_times_come_back_as_the_same_instant_in_utc(site: Site) -> None:
    """A time stored with +07:00 reads back aware, in UTC, as the same instant."""
    ticket = _register(site).ticket
    with site.store.transaction() as tx:
        again = tx.ticket(ticket.number)
    assert again is not None
    assert again.received_at == MONDAY
    assert again.received_at.tzinfo == dt.UTC
    assert again.received_at.hour == 2  # 09:00 WIB is 02:00 UTC
    [(raw,)] = databases.query(site.config.base_dir, "SELECT received_at FROM ticket")
    if site.config.sqlite_path is not None:  # SQLite: text, in UTC without a zone
        assert raw.startswith("2026-11-30 02:00:00")
    else:  # PostgreSQL: timestamptz, the instant itself
        assert raw == MONDAY


def test_rejected_move_changes_nothing(site: Site) -> None:
    """A move the SOP forbids leaves the ticket and its timeline as they were."""
    number = _register(site).ticket.number
    with site.store.transaction() as tx:
        outcome = move(tx, site.desk, number, Move(Action.CLOSE, "sari", note="ok"), now=MONDAY)
    assert isinstance(outcome, Rejected)
    assert "not allowed while the ticket is first_level" in outcome.message
    with site.store.transaction() as tx:
        ticket = tx.ticket(number)
        assert ticket is not None and ticket.state == State.FIRST_LEVEL
        assert [e.action for e in tx.events(ticket)] == ["create", "take"]


def test_moves_are_recorded_in_order(site: Site) -> None:
    """Each accepted move updates the ticket and appends one event with who, when, from, to."""
    number = _register(site).ticket.number
    later = MONDAY + dt.timedelta(minutes=30)
    with site.store.transaction() as tx:
        outcome = move(tx, site.desk, number, Move(Action.ESCALATE, "sari", note="cek"), now=later)
    assert isinstance(outcome, Moved)
    with site.store.transaction() as tx:
        ticket = tx.ticket(number)
        assert ticket is not None
        events = tx.events(ticket)
    assert (ticket.state, ticket.unit, ticket.assignee) == ("escalated", "jaringan", "rudi")
    last = events[-1]
    assert (last.actor, last.action, last.from_state, last.to_state, last.note) == (
        "sari",
        "escalate",
        "first_level",
        "escalated",
        "cek",
    )
    assert last.at == later
    assert ticket.due_at == dt.datetime(2026, 11, 30, 10, 30, tzinfo=WIB)


def test_filters_select_tickets(site: Site) -> None:
    """Listing filters by state, complaint type, agency and overdue."""
    _register(site)
    _register(site, category="Aplikasi", agency="BPKAD")
    with site.store.transaction() as tx:
        move(tx, site.desk, "TIK-2026-00002", Move(Action.ESCALATE, "sari"), now=MONDAY)
    evening = dt.datetime(2026, 11, 30, 15, 0, tzinfo=WIB)
    with site.store.transaction() as tx:

        def numbers(**kw: object) -> list[str]:
            return [t.number for t in tx.tickets(TicketFilter(**kw))]  # type: ignore[arg-type]

        assert numbers(states=["escalated"]) == ["TIK-2026-00002"]
        assert numbers(categories=["Jaringan"]) == ["TIK-2026-00001"]
        assert numbers(agency="keuangan") == ["TIK-2026-00002"]
        # escalated at 09:00 is due 10:00; first level at 09:00 is due 12:00
        assert numbers(overdue_at=dt.datetime(2026, 11, 30, 11, 0, tzinfo=WIB)) == [
            "TIK-2026-00002"
        ]
        assert numbers(overdue_at=evening) == ["TIK-2026-00001", "TIK-2026-00002"]
        assert numbers(limit=1) == ["TIK-2026-00001"]


def test_ticket_lookup_ignores_case_and_spaces(site: Site) -> None:
    """A number typed in lower case or with spaces around it still finds the ticket."""
    _register(site)
    with site.store.transaction() as tx:
        assert tx.ticket("  tik-2026-00001 ") is not None


def test_init_twice_is_harmless(site: Site) -> None:
    """A second init finds nothing to do and keeps the data."""
    _register(site)
    assert site.init() == []
    with site.store.transaction() as tx:
        assert len(tx.tickets()) == 1


@pytest.mark.empty_database("a site whose database has no table yet")
def test_uninitialised_database_is_refused(site_dir: Path) -> None:
    """Opening the store before init says to run init instead of failing on SQL."""
    here = Site(load_config(site_dir / "config.toml"))
    with pytest.raises(StoreError, match="helpdesk init"):
        _ = here.store


@pytest.mark.empty_database("the migrations build the schema from nothing")
def test_migrations_reach_head_and_go_back(database: SiteDatabase, tmp_path: Path) -> None:
    """The migrations build the schema from nothing and can be undone, on either database."""
    (tmp_path / "var").mkdir()
    engine = database.engine(tmp_path)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "ticket" not in tables and "event" not in tables


@pytest.mark.sqlite_only("WAL and PRAGMAs are SQLite's")
def test_sqlite_runs_in_wal_mode(site: Site) -> None:
    """The database file is in WAL mode and enforces foreign keys."""
    with site.store.transaction() as tx:
        assert tx.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert tx.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(site: Site) -> None:
    """An event of a ticket that does not exist is refused."""
    with pytest.raises(DBAPIError):
        with site.store.transaction() as tx:
            tx.session.execute(
                text(
                    "INSERT INTO event (ticket_id, at, actor, action, to_state, note, channel,"
                    " data) VALUES (999, '2026-01-01', 'x', 'note', 'received', '', 'cli', '{}')"
                )
            )


@pytest.mark.sqlite_only("PostgreSQL's json type refuses NaN and lone surrogates as they come")
def test_json_the_json_module_wrote_reads_as_it_did(site: Site) -> None:
    """An event's data written by the json module (an older version of the help desk), even
    with what orjson does not read (NaN, an escaped lone surrogate), reads as it did."""
    import json

    written = {"plain": "é", "nan": float("nan"), "odd": "caf\udce9", "n": 2**40}
    ticket = _register(site).ticket.id
    with site.store.transaction() as tx:
        tx.session.execute(
            text(
                "INSERT INTO event (ticket_id, at, actor, action, to_state, note, channel, data)"
                " VALUES (:t, '2026-11-30 02:00:00.000000', 'sari', 'note', 'received', '',"
                " 'cli', :d)"
            ),
            {"t": ticket, "d": json.dumps(written)},
        )
    with site.store.transaction() as tx:
        [event] = [e for e in tx.events(tx.ticket_by_id(ticket)) if e.action == "note"]
        data = dict(event.data)
    nan = data.pop("nan")
    assert nan != nan  # NaN, as written
    assert data == {"plain": "é", "odd": "caf\udce9", "n": 2**40}
