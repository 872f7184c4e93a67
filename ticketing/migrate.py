"""Schema migrations (Alembic), run from the program rather than a separate tool.

Alembic is imported only to migrate. Checking that a database is current (what every
command and the daemon do on start) reads the version table and the revision ids of the
migration files directly: importing Alembic would cost a long-running daemon about 10 MB
of memory for one comparison. Anything unusual (several heads, several version rows)
is left to Alembic itself.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    heads = _heads_from_files()
    if len(heads) == 1:
        return heads[0]
    from alembic.script import ScriptDirectory  # no single head: let Alembic say so

    return ScriptDirectory.from_config(_config()).get_current_head()


@cache
def _heads_from_files() -> tuple[str, ...]:
    """The revisions that no migration names as its ``down_revision``."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value)
        if isinstance(values.get("revision"), str):
            revisions.add(values["revision"])
        down = values.get("down_revision")
        parents.update([down] if isinstance(down, str) else down or ())
    return tuple(sorted(revisions - parents))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
        if len(rows) <= 1:
            return rows[0] if rows else None
        from alembic.runtime.migration import MigrationContext  # branches: Alembic decides

        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; harmless when it is there already."""
    from alembic import command

    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def check_current(engine: Engine) -> None:
    """Raise StoreError unless the database has been initialised and migrated:
    DatabaseUnavailable when it cannot be reached or used just now (its server down or
    starting, its file locked), which may pass; a plain StoreError when it refuses this
    site (a wrong password, user or database name) or is not set up."""
    from ticketing.store.errors import (
        DatabaseUnavailable,
        StoreError,
        database_fault,
        database_unavailable,
        refused_connection,
    )

    try:
        current = current_revision(engine)
    except Exception as exc:  # an unreachable server, an unreadable file
        reason = database_fault(exc) or getattr(exc, "orig", None) or exc
        if database_unavailable(exc) and not refused_connection(exc):
            raise DatabaseUnavailable(f"cannot open the database: {reason}") from exc
        raise StoreError(f"cannot open the database: {reason}") from exc
    if current is None:
        raise StoreError("the database is not initialised; run 'helpdesk init'")
    if current != head_revision():
        raise StoreError(
            f"the database schema is at {current}, the program needs"
            f" {head_revision()}; run 'helpdesk init' to migrate it"
        )
