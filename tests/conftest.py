"""Fixtures shared by every layer: a site on the default configuration, in a temp folder."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from helpdesk.testing.imap import DovecotServer, dovecot_available, dovecot_server
from helpdesk.testing.postgres import PostgresServer, postgres_available, postgres_server
from ticketing.db import make_engine

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "config.toml"

# A complete Formulir, as a phone officer would type it.
FORM = {
    "agency": "Dinkes",
    "division": "Bidang Pelayanan Kesehatan",
    "reporter_name": "Budi Santoso",
    "position": "Pengelola Data",
    "phone": "0812-3456-7890",
    "email": "budi.santoso@dinkes.example.go.id",
    "sex": "L",
    "employment_status": "PNS",
    "category": "internet",
    "description": "Koneksi internet di ruang pelayanan terputus sejak pagi.",
}


# The database the store, CLI, integration, e2e and fault tests run on: SQLite (the
# default), or PostgreSQL with HELPDESK_TEST_DB=postgresql, on a private cluster that the
# run starts (one per worker) and stops at its end; each test gets a database of its own.
TEST_DB = os.environ.get("HELPDESK_TEST_DB", "sqlite")
if TEST_DB not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"HELPDESK_TEST_DB={TEST_DB!r}: expected sqlite or postgresql")
# The variable that [database] password_env names in a test site on PostgreSQL.
PASSWORD_ENV = "HELPDESK_TEST_DB_PASSWORD"
_numbers = itertools.count(1)


@dataclass
class SiteDatabase:
    """The database of one test's site: its URL as config.toml gives it."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    server: PostgresServer | None = None

    def engine(self, site_dir: Path | None = None) -> Engine:
        """An engine on it (SQLite: the file in ``site_dir``'s var folder)."""
        if self.server is None:
            assert site_dir is not None, "a SQLite database is a file of the site"
            return make_engine(f"sqlite:///{site_dir / 'var' / 'helpdesk.db'}")
        return make_engine(self.url, password=self.server.password)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """This worker's private PostgreSQL cluster. Missing PostgreSQL fails, never skips."""
    if reason := postgres_available():
        pytest.fail(f"PostgreSQL is needed: {reason}")
    with postgres_server() as server:
        os.environ[PASSWORD_ENV] = server.password  # also for the processes tests start
        yield server


@pytest.fixture(scope="session")
def migrated(postgres: PostgresServer) -> str:
    """This worker's template database: empty, then migrated to the head revision by the
    same Alembic migrations as `helpdesk init`, once. A test's database is a copy of it
    (CREATE DATABASE ... TEMPLATE, some 50 ms), which spares each test the migrations
    (some 0.3 s in the process, more in a `helpdesk init` of its own)."""
    from ticketing.store import Store

    name = f"migrated_{os.getpid()}"
    url = postgres.create_database(name)
    engine = make_engine(url, password=postgres.password)
    try:
        Store(engine).upgrade()
    finally:
        engine.dispose()  # a template must have no connection when it is copied
    return name


@pytest.fixture
def database(request: pytest.FixtureRequest) -> SiteDatabase:
    """The test's database: SQLite in its site folder (a file ``helpdesk init`` creates),
    or a fresh PostgreSQL database, migrated already (see ``migrated``); a test marked
    ``empty_database(reason)`` gets one without a table, as a new site's server has."""
    if TEST_DB == "sqlite":
        return SiteDatabase("sqlite", "sqlite:///var/helpdesk.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    empty = request.node.get_closest_marker("empty_database") is not None
    template = None if empty else request.getfixturevalue("migrated")
    name = f"t{os.getpid()}_{next(_numbers)}"
    url = server.create_database(name, template=template)
    request.addfinalizer(lambda: server.drop_database(name))
    return SiteDatabase("postgresql", url, server)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``sqlite_only(reason)`` is about the SQLite file itself: on
    PostgreSQL it is skipped, with its reason; ``postgresql_only(reason)`` the other way.

    On PostgreSQL a test that uses no database (neither the ``database`` fixture, through
    a site, nor the ``postgres`` server) is not run: it did the same on SQLite's run."""
    other = "postgresql_only" if TEST_DB == "sqlite" else "sqlite_only"
    label = "PostgreSQL only" if TEST_DB == "sqlite" else "SQLite only"
    without_database = []
    for item in items:
        if marker := item.get_closest_marker(other):
            reason = marker.args[0] if marker.args else ""
            assert reason, f"{item.nodeid}: {other} needs its reason"
            item.add_marker(pytest.mark.skip(reason=f"{label}: {reason}"))
        if marker := item.get_closest_marker("empty_database"):
            assert marker.args and marker.args[0], f"{item.nodeid}: empty_database needs its reason"
        used = set(getattr(item, "fixturenames", ()))
        if TEST_DB == "postgresql" and not used & {"database", "postgres"}:
            without_database.append(item)
    if without_database:
        config.hook.pytest_deselected(items=without_database)
        dropped = set(map(id, without_database))
        items[:] = [item for item in items if id(item) not in dropped]


@pytest.fixture
def site_dir(tmp_path: Path, database: SiteDatabase) -> Path:
    """A folder holding a copy of the default config.toml (not yet initialised), its
    [database] the test's."""
    folder = tmp_path / "site"
    folder.mkdir()
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    if database.kind == "postgresql":
        from helpdesk.config import with_section

        body = f'url = "{database.url}"\npassword_env = "{PASSWORD_ENV}"'
        text = with_section(text, "database", body)
    (folder / "config.toml").write_text(text)
    return folder


def use_smtp(site_dir: Path, port: int, security: str = "none") -> None:
    """Point the site's [smtp] at a loopback server without login."""
    _set_section(
        site_dir, "smtp",
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\nusername = ""\n'
        'from_address = "helpdesk@example.go.id"',
    )  # fmt: skip


def use_mailbox(
    site_dir: Path, port: int, user: str = "helpdesk", password: str = "secret"
) -> None:
    """Point the site's [mailbox] at a plain IMAP server on loopback."""
    _set_section(
        site_dir, "mailbox",
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'username = "{user}"\npassword = "{password}"\nfolder = "INBOX"',
    )  # fmt: skip


def _set_section(site_dir: Path, name: str, body: str) -> None:
    from helpdesk.config import with_section

    config = site_dir / "config.toml"
    config.write_text(with_section(config.read_text(encoding="utf-8"), name, body), "utf-8")


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[DovecotServer]:
    """A private Dovecot on a loopback port with the mailbox user ``helpdesk`` (password
    ``secret``); stopped after the test. Missing Dovecot fails the test, never skips it."""
    if reason := dovecot_available():
        pytest.fail(f"Dovecot is needed: {reason} (apt-get install dovecot-imapd)")
    with dovecot_server(tmp_path / "dovecot", {"helpdesk": "secret"}) as server:
        yield server
