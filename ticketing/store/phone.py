"""Phone-log imports: each file once, by its SHA-256, committed a chunk at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import defer
from sqlmodel import select

from ticketing.models import Event, PhoneImport, Ticket
from ticketing.store.base import Part, attribute, chunks, table_of
from ticketing.workflow import Action

_IMPORTS_LOCK = 0x70686F6E65  # "phone": PostgreSQL's advisory lock of the phone imports


class PhoneImports(Part):
    def phone_import(self, sha256: str) -> PhoneImport | None:
        """The import of the file with this SHA-256."""
        return self.session.exec(select(PhoneImport).where(PhoneImport.sha256 == sha256)).first()

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
        too (they grow with the file: an import that made them knows them already).

        ``for_update``: the transaction imports rows. It waits first for any other
        transaction importing rows of any file to end, as SQLite's write transactions
        do: on PostgreSQL, an advisory lock held to the transaction's end. Two processes
        then never import the same rows of one file (the file's record may not exist
        yet), and rows are compared with every ticket another import has made of the same
        calls (a log and its copy saved later with calls added, imported at once)."""
        if for_update and self._on_postgresql():
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORTS_LOCK})
        deferred: list[Any] = [PhoneImport.raw]
        if not lists:
            deferred += [PhoneImport.row_tickets, PhoneImport.problem_rows]
        statement = (
            select(PhoneImport)
            .where(PhoneImport.sha256 == sha256)
            .options(*(defer(attribute(column)) for column in deferred))
        )
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

    def phone_tickets_without_call_time(
        self, columns: Sequence[str], *, besides: Sequence[tuple[int, int]] = ()
    ) -> list[Any]:
        """`phone_tickets_received_at` for the calls logged without a call time: received
        at the moment they were made."""
        table = table_of(Ticket)
        others = [~table.c.id.between(first, last) for first, last in besides]
        statement = (
            select(*[table.c[name] for name in columns])
            .where(table.c.channel == "phone", table.c.received_at == table.c.created_at, *others)
            .order_by(table.c.id)
        )
        return list(self.session.execute(statement))

    def values_before_corrections(self, ticket_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The Formulir values the tickets were registered with, where the help desk has
        corrected them since (`ticketing.desk.edit`): by ticket id, each field corrected
        and its value before the first correction. A ticket never corrected is not in it."""
        found: dict[int, dict[str, Any]] = {}
        for chunk in chunks(ticket_ids):
            statement = (
                select(Event.ticket_id, Event.data)
                .where(Event.action == Action.EDIT.value, attribute(Event.ticket_id).in_(chunk))
                .order_by(attribute(Event.id))
            )
            for ticket_id, data in self.session.execute(statement):
                changes = data.get("changes") if isinstance(data, dict) else None
                before = found.setdefault(ticket_id, {})
                for key, change in changes.items() if isinstance(changes, dict) else ():
                    if isinstance(change, list) and len(change) == 2:
                        before.setdefault(key, change[0])  # the first correction's old value
        return found
