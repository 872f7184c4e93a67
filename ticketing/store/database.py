"""The database of a site: its schema checked or migrated, and its transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from ticketing import migrate
from ticketing.db import SNAPSHOT
from ticketing.store.errors import (
    LeaseLost,
    StoreError,
    database_faults,
)
from ticketing.store.lease_sql import current_fence
from ticketing.store.tx import Tx
from ticketing.undo import undone_on_failure


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def check_schema(self) -> None:
        """Raise StoreError unless the database has been initialised and migrated
        (`migrate.check_current`)."""
        migrate.check_current(self.engine)

    def upgrade(self) -> tuple[str | None, str | None]:
        """Bring the schema to the program's (harmless when it is there already); the
        revisions before and after. StoreError when the database refuses."""
        try:
            before = migrate.current_revision(self.engine)
            migrate.upgrade(self.engine)
            after = migrate.current_revision(self.engine)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"cannot initialise the database: {reason}") from None
        return before, after

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One transaction; a full disk, a read-only or locked file, a database server that
        cannot be reached or goes away raise DatabaseUnavailable, a StoreError (the
        transaction rolled back); other database errors pass as they are.

        Inside ``ticketing.store.leases.fenced(fence)`` (a job that one daemon at a time
        runs) the commit is the fence's: the transaction checks last that this daemon still
        holds the job's lease, and rolls back with LeaseLost if it does not."""
        fence = current_fence()
        with self._session({}) as tx:
            yield tx
            if fence is not None and not tx.still_holds(fence):
                raise LeaseLost(
                    f"{fence.lease}: this daemon ({fence.holder}) no longer holds the job's"
                    " lease; nothing was saved, the work is left to the daemon that holds it"
                )

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """A transaction that only reads, every query of it from one snapshot of the
        database (a report, an archive: no ticket counted whose events are missing).
        PostgreSQL: REPEATABLE READ, read only. SQLite: a deferred transaction, which
        takes no write lock and sees the database as of its first read (WAL)."""
        if self.engine.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        else:
            options = {SNAPSHOT: True}
        with self._session(options) as tx:
            yield tx

    @contextmanager
    def _session(self, options: dict[str, object]) -> Iterator[Tx]:
        # A transaction that fails, as late as its commit, takes the files archived in it
        # with it (`ticketing.undo.undone_on_failure`).
        with (
            undone_on_failure(),
            database_faults(),
            Session(self.engine, expire_on_commit=False) as session,
        ):
            with session.begin():
                if options:
                    session.connection(execution_options=options)
                yield Tx(session)
