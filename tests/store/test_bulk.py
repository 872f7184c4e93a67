"""Rows inserted many at once (`ticketing.store.bulk`) are stored as SQLAlchemy's own
insert stores them, whichever path they take."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from helpdesk.wiring import Site
from tests.conftest import FORM
from ticketing.desk import register
from ticketing.models import Event, Ticket
from ticketing.store.base import table_of
from ticketing.store.tx import Tx

WIB = dt.timezone(dt.timedelta(hours=7))
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)


def _tickets(here: Site, count: int, *, later: dt.datetime | None = None) -> list[int]:
    """``count`` phone tickets received on MONDAY (the second and the fifth at ``later``)."""
    ids = []
    with here.store.transaction() as tx:
        for n in range(count):
            received_at = later if later is not None and n in (1, 4) else MONDAY
            outcome = register(
                tx, here.desk, FORM, channel="phone", received_at=received_at,
                signature="sari", officer="sari", now=MONDAY,
            )  # fmt: skip
            ids.append(outcome.ticket.id)  # type: ignore[union-attr]
    return ids


def _insert_events(tx: Tx, rows: list[dict[str, Any]]) -> list[int]:
    names = tuple(rows[0])
    return tx.insert_event_values(names, [tuple(row[n] for n in names) for row in rows])


def _insert_tickets(tx: Tx, rows: list[dict[str, Any]]) -> list[int]:
    names = tuple(rows[0])
    return tx.insert_ticket_values(names, [tuple(row[n] for n in names) for row in rows])


def _events(ticket_id: int) -> list[dict[str, Any]]:
    """Events whose values a conversion shared between rows or columns could get wrong:
    the same moment in two zones and in two columns' worth of rows, equal JSON objects,
    objects whose values are equal keys but not the same JSON (1, 1.0, True), keys that
    are not text, None in a JSON column and in a nullable one."""
    utc = MONDAY.astimezone(dt.UTC)
    datas: list[Any] = [
        {"due_at": "2026-12-01T02:00:00+00:00"},
        {"due_at": "2026-12-01T02:00:00+00:00"},
        {"due_at": None},
        {"n": 1},
        {"n": 1.0},
        {"n": True},
        {1: "x"},
        {True: "x"},
        {"a": "x", "b": "y"},
        {"b": "y", "a": "x"},
        {"a": "x", "b": "y", "c": "z", "d": "w", "e": "v"},
        {"nested": {"a": "x"}},
        {},
        None,
        ["a", "b"],
        {"t": "Dinas Kesehatan – lantai 2 ✓", "q": 'kata "sandi"\n\\'},
        {"f": 1.5, "nan": float("nan"), "inf": float("-inf")},
        {"big": 10**20},
        ["x", ("a", 1), {"n": [None, False]}],
        "teks",
    ]
    # The wall-clock hour New York's clocks go back, twice: equal as datetimes, an hour apart.
    first, again = (dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=f) for f in (0, 1))
    moments = [MONDAY, utc, MONDAY + dt.timedelta(microseconds=1), utc, MONDAY, first, again]
    return [
        {
            "ticket_id": ticket_id,
            "at": moments[n % len(moments)],
            "actor": "sari",
            "action": "note",
            "from_state": None if n % 2 else "first_level",
            "to_state": "first_level",
            "note": f"catatan {n}",
            "channel": "cli",
            "data": data,
        }
        for n, data in enumerate(datas)
    ]


_COLUMNS = "at, actor, action, from_state, to_state, note, channel, data"


def test_events_given_at_once_are_stored_as_sqlalchemy_stores_them(site: Site) -> None:
    """The same events through the driver's path (with and without their ids: on
    PostgreSQL, ids drawn from the sequence) and through SQLAlchemy's insert: the same
    stored values, column for column. (PostgreSQL's json type refuses a NaN whichever
    path it takes: that event is left out there.)"""
    direct, returning, plain = _tickets(site, 3)
    with site.store.transaction() as tx:
        postgresql = tx.session.connection().dialect.name == "postgresql"

        def events(ticket_id: int) -> list[dict[str, Any]]:
            return [
                event for event in _events(ticket_id)
                if not (postgresql and isinstance(event["data"], dict) and "nan" in event["data"])
            ]  # fmt: skip

        tx.add_events(events(direct))
        ids = _insert_events(tx, events(returning))
        tx.session.execute(insert(table_of(Event)), events(plain))
    with site.store.transaction() as tx:

        def stored(ticket_id: int) -> list[tuple[Any, ...]]:
            query = f"SELECT {_COLUMNS} FROM event WHERE ticket_id = :t AND action = 'note'"
            return [
                tuple(r) for r in tx.session.execute(text(query + " ORDER BY id"), {"t": ticket_id})
            ]

        by_ids = tx.session.execute(
            text("SELECT id FROM event WHERE ticket_id = :t AND action = 'note' ORDER BY id"),
            {"t": returning},
        ).scalars()
        assert stored(direct) == stored(plain) == stored(returning)
        assert list(by_ids) == ids
        assert len(stored(plain)) == len(events(plain))


def test_the_calls_recorded_at_some_moments_leave_out_only_the_runs_of_ids_given(
    site: Site,
) -> None:
    """The phone tickets received at the moments asked, without those whose ids are in
    the runs given (an import's own tickets), and every other one still found."""
    later = MONDAY - dt.timedelta(minutes=1)
    ids = _tickets(site, 6, later=later)
    with site.store.transaction() as tx:

        def found(*runs: tuple[int, int]) -> list[int]:
            rows = tx.phone_tickets_received_at([MONDAY, later], ["id"], besides=runs)
            return [row.id for row in rows]

        assert found() == ids
        assert found((ids[1], ids[2])) == [ids[0], *ids[3:]]
        assert found((ids[0], ids[0]), (ids[4], ids[5])) == ids[1:4]
        only_later = tx.phone_tickets_received_at([later], ["id"], besides=[(ids[0], ids[1])])
        assert [row.id for row in only_later] == [ids[4]]


def test_an_event_waiting_in_the_session_takes_its_id_before_the_rows_given_at_once(
    site: Site,
) -> None:
    """An event added to the session and not yet flushed is stored first, as a statement
    through the session stores it: a ticket's history keeps the order it was made in."""
    [ticket_id] = _tickets(site, 1)
    pending, *given = _events(ticket_id)[:3]
    with site.store.transaction() as tx:
        tx.session.add(Event(**{**pending, "note": "first"}))
        ids = _insert_events(tx, [{**event, "note": "then"} for event in given])
        notes = tx.session.execute(
            text("SELECT id, note FROM event WHERE ticket_id = :t AND action = 'note' ORDER BY id"),
            {"t": ticket_id},
        ).all()
    assert [note for _, note in notes] == ["first", "then", "then"]
    assert [i for i, _ in notes][1:] == ids


def test_a_bulk_insert_that_fails_rolls_back_to_its_savepoint_with_its_error_alone(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """A row of many that breaks a constraint raises its error, the savepoint around them
    rolls back and the transaction goes on; the log does not gain the driver's own line
    about the statements it abandoned (psycopg's "pipeline aborted")."""
    [ticket_id] = _tickets(site, 1)
    with site.store.transaction() as tx:
        stored = tx.session.get(Ticket, ticket_id)
        assert stored is not None
        number = stored.number
        good = {c.name: getattr(stored, c.name) for c in table_of(Ticket).columns}
        del good["id"]
        twins = [
            {**good, "seq": 1000 + n, "access_token": f"token{n}", "number": f"TIK-X-{n}"}
            for n in range(50)
        ]
        twins[1]["number"] = number  # the ticket's own number, again
        caplog.set_level(logging.WARNING)
        with pytest.raises(IntegrityError), tx.savepoint():
            _insert_tickets(tx, twins)
        _insert_tickets(tx, [twins[0]])
    with site.store.transaction() as tx:
        assert tx.session.execute(text("SELECT count(*) FROM ticket")).scalar_one() == 2
    assert [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")] == []
