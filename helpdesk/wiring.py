"""Composition: from a configuration to the objects that do the work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from helpdesk import clock
from helpdesk.config import Config, find_config, load_config
from ticketing import migrate
from ticketing.db import make_engine
from ticketing.desk import Desk
from ticketing.store import Store, StoreError


@dataclass
class Site:
    """One help-desk installation: its configuration, database and rules."""

    config: Config

    @classmethod
    def load(cls, explicit_path: str | None) -> Site:
        return cls(load_config(find_config(explicit_path)))

    @cached_property
    def desk(self) -> Desk:
        return Desk(
            directory=self.config.directory(),
            sop=self.config.sop_times(),
            calendar=self.config.business_calendar(),
            number_format=self.config.numbering.format,
            fields=self.config.formulir_fields(),
        )

    @cached_property
    def _engine(self):  # type: ignore[no-untyped-def]
        return make_engine(self.config.database_url)

    def folders(self) -> list[Path]:
        config = self.config
        folders = [
            config.path(config.paths.data_dir),
            config.path(config.paths.archive_dir),
            config.path(config.phone_drop.dir),
        ]
        if (db := config.sqlite_path) is not None:
            folders.append(db.parent)
        return folders

    def init(self) -> list[str]:
        """Create what a new site needs; harmless when it exists. Returns what was done."""
        done: list[str] = []
        for folder in self.folders():
            if not folder.is_dir():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create {folder}: {exc.strerror}") from None
                done.append(f"created {folder}")
        try:
            before = migrate.current_revision(self._engine)
            migrate.upgrade(self._engine)
            after = migrate.current_revision(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot initialise the database: {exc.orig or exc}") from None
        if before != after:
            done.append(f"database migrated from {before or 'empty'} to {after}")
        return done

    @cached_property
    def store(self) -> Store:
        """The store of an initialised site (raises StoreError otherwise)."""
        db = self.config.sqlite_path
        if db is not None and not db.exists():
            raise StoreError(f"no database at {db}; run 'helpdesk init' first")
        store = Store(self._engine)
        store.check_schema()
        return store

    def now(self) -> dt.datetime:
        return clock.now()
