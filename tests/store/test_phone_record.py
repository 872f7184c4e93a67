"""A phone import's record, written a chunk at a time: its lists are stored as the JSON
column would store them, whichever way they are written."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from helpdesk.wiring import Site
from ticketing.models import PhoneImport
from ticketing.store.phone import JsonList
from ticketing.vocabulary import ImportStatus

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

_ITEMS = st.one_of(
    st.lists(st.one_of(st.integers(), st.text(max_size=8)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.text(max_size=8), st.booleans())),
    st.text(max_size=5),
    st.floats(allow_nan=True),
)


@given(st.lists(st.lists(_ITEMS, max_size=4), max_size=5))
def test_a_list_made_longer_has_the_json_of_all_its_items(parts: list[list[Any]]) -> None:
    """A list made longer part by part has the JSON ``json.dumps`` writes for all of its
    items, and each list before it keeps its own."""
    made = [JsonList([])]
    for part in parts:
        made.append(made[-1].plus(part))
    for count, each in enumerate(made):
        items = [item for part in parts[:count] for item in part]
        assert each.items == items
        assert each.text == json.dumps(items)


def _record(sha256: str) -> PhoneImport:
    return PhoneImport(
        sha256=sha256, name="log.csv", source="cli", size=1, raw=b"", status=ImportStatus.IMPORTING,
        rows=9, imported_at=NOW,
    )  # fmt: skip


def test_a_record_written_a_chunk_at_a_time_stores_its_lists_as_json(site: Site) -> None:
    """The record's lists, written with their JSON chunk after chunk (a new record, more
    rows, none, then read again from the database), are stored and read back as the JSON
    column stores and reads the same lists given as values."""
    chunks: list[tuple[list[Any], list[Any]]] = [
        ([[2, "TIK-2026-00001"], [3, "TIK-2026-00002"]], []),
        ([[5, "TIK-2026-00003"]], [{"row": 4, "id": ["Petugas belum diisi."], "en": ["x"]}]),
        ([], []),
        ([[7, "TIK-2026-00004"]], [{"row": 6, "id": ['é "kutip"'], "cells": {"a": None}}]),
    ]
    lists = (JsonList([]), JsonList([]))
    for number, (tickets, problems) in enumerate(chunks):
        with site.store.transaction() as tx:
            record = tx.phone_import_progress("a" * 64, lists=number == 3) or _record("a" * 64)
            if number == 3:  # read again, as after another process's chunk
                lists = (JsonList(record.row_tickets), JsonList(record.problem_rows))
            lists = (lists[0].plus(tickets), lists[1].plus(problems))
            record.last_row = number
            tx.save_phone_import(record, lists)
            assert (record.row_tickets, record.problem_rows) == (lists[0].items, lists[1].items)
        with site.store.transaction() as tx:
            plain = tx.phone_import("b" * 64) or _record("b" * 64)
            plain.row_tickets, plain.problem_rows = lists[0].items, lists[1].items
            tx.save_phone_import(plain)
    with site.store.transaction() as tx:
        query = "SELECT row_tickets, problem_rows FROM phone_import WHERE sha256 = :s"
        stored = [tuple(tx.session.execute(text(query), {"s": s * 64}).one()) for s in "ab"]
        ours, theirs = tx.phone_import("a" * 64), tx.phone_import("b" * 64)
        assert ours is not None and theirs is not None
        assert (ours.row_tickets, ours.problem_rows) == (theirs.row_tickets, theirs.problem_rows)
        assert len(ours.row_tickets) == 4 and len(ours.problem_rows) == 2
    if site.store.engine.dialect.name == "sqlite":  # PostgreSQL keeps JSON as it likes
        assert stored[0] == stored[1]
