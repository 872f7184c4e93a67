"""Phone-log imports: each file once, by its SHA-256, committed a chunk at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import select

from ticketing.models import PhoneImport, Ticket
from ticketing.store.base import Part, attribute, chunks, table_of


class PhoneImports(Part):
    def phone_import(self, sha256: str, *, for_update: bool = False) -> PhoneImport | None:
        """The import of the file with this SHA-256; ``for_update`` locks its row on
        PostgreSQL (SQLite's write transactions are serialised already), so that two
        processes never import the same rows of one file."""
        statement = select(PhoneImport).where(PhoneImport.sha256 == sha256)
        if for_update and self._on_postgresql():
            statement = statement.with_for_update()
        return self.session.exec(statement).first()

    def save_phone_import(self, record: PhoneImport) -> PhoneImport:
        self.session.add(record)
        self.session.flush()
        return record

    def phone_import_progress(
        self, sha256: str, *, for_update: bool = False, lists: bool = True
    ) -> PhoneImport | None:
        """`phone_import` without the file's bytes (loaded only if read): each chunk of a
        large import reads and updates its record, and the file can be tens of megabytes.
        Without ``lists``, its lists of tickets and of problem rows are loaded only if read
        too (they grow with the file: an import that made them knows them already)."""
        deferred: list[Any] = [PhoneImport.raw]
        if not lists:
            deferred += [PhoneImport.row_tickets, PhoneImport.problem_rows]
        statement = (
            select(PhoneImport)
            .where(PhoneImport.sha256 == sha256)
            .options(*(defer(attribute(column)) for column in deferred))
        )
        if for_update and self._on_postgresql():
            statement = statement.with_for_update()
        return self.session.exec(statement).first()

    def phone_tickets_received_at(
        self,
        moments: Sequence[dt.datetime],
        columns: Sequence[str] = (),
        *,
        besides: Sequence[tuple[int, int]] = (),
    ) -> list[Any]:
        """The phone-channel tickets received at one of ``moments`` (a phone log's call
        times), in the order they were made: the candidates for a row imported before.
        Read-only rows with a ticket's columns (or only ``columns``) as attributes, not
        objects of the session: a large log's later chunks find thousands, most of them
        the log's own earlier rows, which ``besides`` leaves out (runs of ids, first and
        last)."""
        table = table_of(Ticket)
        selected = [table.c[name] for name in columns] if columns else list(table.columns)
        others = [~table.c.id.between(first, last) for first, last in besides]
        found: list[Any] = []
        for chunk in chunks(list(dict.fromkeys(moments))):  # each moment asked once
            statement = (
                select(*selected)
                .where(table.c.channel == "phone", table.c.received_at.in_(chunk), *others)
                .order_by(table.c.id)
            )
            found += self.session.execute(statement)
        return found
