"""A site's database read as an operator would, beside the program: SQLite with sqlite3,
PostgreSQL with psycopg. Queries are written with ``?`` placeholders, as sqlite3 takes
them, and values come back as sqlite3 gives them (a JSON column as its text)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from helpdesk.config import load_config


def _target(site: Path) -> tuple[str, Any]:
    config = load_config(site / "config.toml")
    if (path := config.sqlite_path) is not None:
        return "sqlite", path
    password = config.database.resolve_password()
    url = config.database_url.replace("postgresql+psycopg://", "postgresql://")
    return "postgresql", (url, password)


def query(site: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of one query on the site's database (SQLite in WAL mode, or PostgreSQL:
    readable while a daemon writes)."""
    kind, where = _target(site)
    if kind == "sqlite":
        db = sqlite3.connect(where, timeout=30)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()
    import psycopg

    url, password = where
    extra = {"password": password} if password else {}
    with psycopg.connect(url, autocommit=True, connect_timeout=10, **extra) as conn:
        # A JSON column as its text, as sqlite3 gives it (the program's own reading,
        # through SQLAlchemy, is a dict on both): psycopg would parse it into a dict.
        for kind in ("json", "jsonb"):
            conn.adapters.register_loader(kind, psycopg.types.string.TextLoader)
        if not params:  # no placeholders: a % in the query is itself
            return list(conn.execute(sql.encode()).fetchall())
        return list(conn.execute(sql.replace("?", "%s").encode(), params).fetchall())


def execute(site: Path, sql: str, *params: object) -> None:
    """Change the site's database by hand, as an operator (or a fault) would: one
    statement, committed."""
    kind, where = _target(site)
    if kind == "sqlite":
        db = sqlite3.connect(where, timeout=30)
        try:
            with db:
                db.execute(sql, params)
        finally:
            db.close()
        return
    import psycopg

    url, password = where
    extra = {"password": password} if password else {}
    with psycopg.connect(url, autocommit=True, connect_timeout=10, **extra) as conn:
        conn.execute(sql.replace("?", "%s").encode(), params)


def missing_table(exc: BaseException) -> bool:
    """Whether ``exc`` says a table is not there yet (a daemon still migrating)."""
    if isinstance(exc, sqlite3.OperationalError):
        return True
    import psycopg

    return isinstance(exc, psycopg.errors.UndefinedTable)


def on_postgresql() -> bool:
    return os.environ.get("HELPDESK_TEST_DB", "sqlite") == "postgresql"


def initialised(site: Path) -> bool:
    """Whether the site's database exists with its schema at some revision."""
    kind, where = _target(site)
    if kind == "sqlite" and not where.is_file():
        return False
    try:
        return bool(query(site, "SELECT version_num FROM alembic_version"))
    except Exception as exc:
        if missing_table(exc):
            return False
        raise
