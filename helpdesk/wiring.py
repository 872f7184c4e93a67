"""Composition: from a configuration to the objects that do the work.

What only some commands need (the notifier and its templates, the desk's rules, the mail
clients) is imported by the property that builds it: a command that reads the database,
or a poll of an empty mailbox, does not load the rest.
"""

from __future__ import annotations

import datetime as dt
import random
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk import clock
from helpdesk.config import Config, ConfigError, find_config, load_config
from ticketing.engine import CannotRead, make_engine, why_not_writable
from ticketing.store.errors import StoreError, database_faults

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from intake.imap import MailboxSettings
    from notifier.outbox import RetryPolicy
    from notifier.policy import Office
    from notifier.smtp import SmtpSettings
    from ticketing.desk import Desk
    from ticketing.store import Store
    from ticketing.survey import SurveySettings


@dataclass
class Site:
    """One help-desk installation: its configuration, database and rules."""

    config: Config
    # `helpdesk run`: on PostgreSQL the server ends a session of this process left idle in
    # a transaction this long (ticketing.db.make_engine), so a stalled daemon's locks run out.
    stalled_after: float | None = None

    @classmethod
    def load(cls, explicit_path: str | None) -> Site:
        return cls(load_config(find_config(explicit_path)))

    @cached_property
    def desk(self) -> Desk:
        from ticketing.desk import Desk

        return Desk(
            directory=self.config.directory(),
            sop=self.config.sop_times(),
            calendar=self.config.business_calendar(),
            number_format=self.config.numbering.format,
            fields=self.config.formulir_fields(),
        )

    @cached_property
    def office(self) -> Office:
        """What the notifier needs to know of this office."""
        from notifier.compose import Sender
        from notifier.policy import NotifierSettings, Office

        config = self.config
        from_address = config.smtp.from_address
        return Office(
            settings=NotifierSettings(
                language=config.office.language,
                office_name=config.office.name,
                help_desk_name=config.office.help_desk_name,
                sender=Sender(
                    address=from_address,
                    name=config.notifier.from_name or config.office.help_desk_name,
                    message_id_domain=config.notifier.message_id_domain
                    or from_address.rpartition("@")[2],
                    bounce_address=config.notifier.bounce_address or from_address,
                    verp_delimiter=config.notifier.verp_delimiter if config.notifier.verp else None,
                    # Message-IDs, bounce tokens and MIME boundaries: unguessable.
                    rng=random.SystemRandom(),
                ),
                timezone=config.calendar.timezone,
                zone_label=config.calendar.zone_label,
                auto_reply_limit_per_hour=config.notifier.auto_reply_limit_per_hour,
                delivery_alert_limit_per_hour=config.notifier.delivery_alert_limit_per_hour,
                public_url=config.web.public_url,
                government=config.office.government,
                address=config.office.address,
                phone=config.office.phone,
                whatsapp=config.office.whatsapp,
                email=config.office.email or from_address,
                city=config.office.city,
                sop_number=config.office.sop_number,
            ),
            directory=self.desk.directory,
            sop=self.desk.sop,
            fields=self.desk.fields,
            calendar=self.desk.calendar,
            confirmation_wait=self.config.confirmation_wait(),
            survey=self.survey,
        )

    @cached_property
    def survey(self) -> SurveySettings:
        """``[survey]``: whom the closure e-mail invites to the satisfaction survey."""
        from ticketing.survey import SurveySettings

        s = self.config.survey
        return SurveySettings(
            enabled=s.enabled,
            share=s.share,
            min_days_between=s.min_days_between,
            min_group_respondents=s.min_group_respondents,
        )

    @cached_property
    def own_addresses(self) -> frozenset[str]:
        """The help desk's own addresses, lower case: the one it sends from and the logins
        of its mailbox and of its SMTP account, where those are addresses. Mail from them
        is our own and is never a complaint."""
        config = self.config
        candidates = [config.smtp.from_address, config.smtp.username]
        if config.mailbox:
            candidates.append(config.mailbox.username)
        return frozenset(a.strip().lower() for a in candidates if a and "@" in a)

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        from notifier.outbox import RetryPolicy

        n = self.config.notifier
        return RetryPolicy(n.retry_base_seconds, n.retry_cap_seconds, n.max_attempts)

    def smtp_settings(self) -> SmtpSettings:
        from notifier.smtp import SmtpSettings

        smtp = self.config.smtp
        return SmtpSettings(
            host=smtp.host,
            port=smtp.port,
            security=smtp.security,
            username=smtp.username,
            password=smtp.resolve_password(),
            timeout=float(self.config.notifier.timeout_seconds),
            local_hostname=smtp.from_address.rpartition("@")[2] or "localhost",
            tls_context=self._tls_context(smtp.ca_file),
        )

    def mailbox_settings(self) -> MailboxSettings:
        from intake.imap import MailboxSettings

        box = self.config.mailbox
        return MailboxSettings(
            host=box.host,
            port=box.port,
            security=box.security,
            username=box.username,
            password=box.resolve_password(),
            folder=box.folder,
            timeout=float(self.config.notifier.timeout_seconds),
            ssl_context=self._tls_context(box.ca_file, "mailbox.ca_file"),
            password_from=(
                f"the environment variable {box.password_env}"
                if box.password_env
                else "mailbox.password"
            ),
        )

    def _tls_context(self, ca_file: str | None, key: str = "smtp.ca_file") -> ssl.SSLContext | None:
        if ca_file is None:
            return None
        path = self.config.path(ca_file)
        try:
            return ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(self.config.source, [f"{key}: cannot load {path}: {exc}"]) from None

    @cached_property
    def _engine(self) -> Engine:
        return self._make_engine(read_only=False)

    def _make_engine(self, *, read_only: bool) -> Engine:
        url = self.config.database_url
        try:
            return make_engine(
                url, read_only=read_only, password=self.config.database.resolve_password(),
                stalled_after=self.stalled_after,
            )  # fmt: skip
        except ImportError as exc:  # a database whose driver is not installed
            scheme = url.partition(":")[0]  # never the rest: it may hold a password
            raise StoreError(
                f"database.url {scheme}://...: its driver is not installed ({exc})"
            ) from None
        except CannotRead as exc:
            raise StoreError(f"cannot read the database: {exc}") from None

    def _read_only_reason(self) -> str | None:
        """Why this site's database cannot be written (None: it can, or it is not SQLite)."""
        db = self.config.sqlite_path
        if db is None or not db.exists():
            return None
        return why_not_writable(db)

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
        if reason := self._read_only_reason():
            raise StoreError(self._read_only_line(reason))
        done: list[str] = []
        for folder in self.folders():
            if not folder.is_dir():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create {folder}: {exc.strerror}") from None
                done.append(f"created {folder}")
        from ticketing.store import Store

        before, after = Store(self._engine).upgrade()
        if before != after:
            done.append(f"database migrated from {before or 'empty'} to {after}")
        return done

    @cached_property
    def store(self) -> Store:
        """The store of an initialised site, for a command that writes (raises StoreError
        otherwise, also on a site whose database cannot be written)."""
        from ticketing.store import Store

        return Store(self.engine)

    @cached_property
    def engine(self) -> Engine:
        """The database of an initialised site, for a command that writes, checked as
        `store` is (StoreError otherwise), without loading the store itself (SQLModel, the
        models, the ORM)."""
        from ticketing.migrate import check_current

        db = self.config.sqlite_path
        if db is not None and not db.exists():
            raise StoreError(f"no database at {db}; run 'helpdesk init' first")
        if reason := self._read_only_reason():
            raise StoreError(self._read_only_line(reason))
        check_current(self._engine)
        return self._engine

    @contextmanager
    def plain_transaction(self) -> Iterator[Connection]:
        """One transaction in plain SQL (SQLAlchemy's core) on `engine`: for the few
        statements of a poll that finds nothing new. Its failures are the store's
        (DatabaseUnavailable, StoreError); no lease fences it."""
        with database_faults(), self.engine.begin() as conn:
            yield conn

    @cached_property
    def reader(self) -> Store:
        """The store for a command that only reads. On a site whose database cannot be
        written (an auditor's copy on a read-only medium) it is opened read-only, so that
        SQLite writes nothing; elsewhere it is ``store``."""
        db = self.config.sqlite_path
        if db is None or not db.exists() or not self._read_only_reason():
            return self.store
        from ticketing.store import Store

        store = Store(self._make_engine(read_only=True))
        store.check_schema()
        return store

    @staticmethod
    def _read_only_line(reason: str) -> str:
        return (
            f"the database cannot be written ({reason}): this command changes it; commands"
            " that only read (ticket list/show, report, print, outbox list, intake list,"
            " status, archive export) still work"
        )

    def now(self) -> dt.datetime:
        return clock.now()
