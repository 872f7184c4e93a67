"""The engine factory: one place that knows how to open the database.

Both the store and the migrations use it, so the SQLite settings the application
relies on (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) hold everywhere. A database
that cannot be written (a copy on a read-only medium) is opened read-only for the commands
that only read it: see ``read_only_uri``. SQLAlchemy's core only: neither SQLModel nor the
ORM is loaded to open a database.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

BUSY_TIMEOUT_MS = 10_000
# The execution option of a SQLite transaction that only reads from one snapshot: a plain
# BEGIN, so that it takes no write lock (see Store.snapshot).
SNAPSHOT = "helpdesk_snapshot"


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson does not write (an integer past 64 bits): the json module
        return json.dumps(value)


def _json_value(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what the json module wrote and orjson does not read:
        return json.loads(text)  # NaN, Infinity, an escaped lone surrogate


# The JSON columns (an event's data, an e-mail's recipients, a report's values) are
# written and read with orjson: compact UTF-8, several times faster than the json module
# on a phone log's thousands of rows; a key that is not a string is written as one, as the
# json module writes it, and what orjson does not write or read goes to the json module.
_JSON_COLUMNS: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": _json_value}


class _PipelineAborted(logging.Filter):
    """psycopg's warning when a statement of a pipeline fails (a bulk insert's executemany,
    `ticketing.store.bulk`): "error ignored terminating <psycopg.Pipeline ...>: pipeline
    aborted", beside the statement's own error, which is raised to the caller and reported
    there; the warning would only repeat it, naming the database server."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        return not (
            isinstance(record.msg, str)
            and record.msg.startswith("error ignored terminating")
            and isinstance(args, tuple)
            and bool(args)
            and str(args[-1]) == "pipeline aborted"
        )


_PSYCOPG_LOG = logging.getLogger("psycopg")
if not any(isinstance(f, _PipelineAborted) for f in _PSYCOPG_LOG.filters):
    _PSYCOPG_LOG.addFilter(_PipelineAborted())


class CannotRead(Exception):
    """A read-only SQLite database that cannot be read as it is; the message says why."""


def why_not_writable(path: Path) -> str | None:
    """Why the SQLite database at ``path`` cannot be written where it is, or None.

    Writing needs the file and its folder (SQLite creates its -wal, -shm and journal files
    beside the database), and any -wal or -shm file already there."""
    for target in (path, path.parent, _side(path, "wal"), _side(path, "shm")):
        if target.exists() and not os.access(target, os.W_OK):
            if os.statvfs(target).f_flag & os.ST_RDONLY:
                return f"{target} is on a read-only file system"
            return f"no permission to write {target}"
    return None


def _side(path: Path, kind: str) -> Path:
    return path.with_name(f"{path.name}-{kind}")


def read_only_uri(path: Path) -> str:
    """The SQLite URI that reads ``path`` without writing anything (an auditor's copy on a
    read-only medium, a file without write permission). Raises CannotRead.

    ``mode=ro`` never writes the database, but a database in WAL mode still needs its -shm
    file: SQLite creates it where the folder can be written, and where it cannot, reads the
    -wal file through a -shm file that is there (rebuilding what it indexes, so a stale
    copy of it does no harm). In a folder that cannot be written and without a -wal file
    holding changes, ``immutable=1`` reads the file with neither (and no locks): an
    immutable database ignores its -wal file, so it is used only when that is empty. A
    -wal file with changes but no -shm file cannot be read there at all: CannotRead."""
    wal, shm = _side(path, "wal"), _side(path, "shm")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if os.access(path.parent, os.W_OK):
        return uri
    if not (wal.exists() and wal.stat().st_size > 0):
        return uri + "&immutable=1"
    if shm.exists():
        return uri
    raise CannotRead(
        f"{wal} holds changes not yet in {path.name}, and without its {shm.name} file in a"
        " folder that cannot be written they cannot be read; copy the folder to a writable"
        " place and use the copy"
    )


def make_engine(
    url: str, *, echo: bool = False, read_only: bool = False, password: str | None = None,
    stalled_after: float | None = None,
) -> Engine:  # fmt: skip
    """An engine for ``url``; on SQLite with WAL, a busy timeout, foreign keys and
    write-locking transactions, so concurrent writers queue instead of losing updates.

    ``read_only`` (SQLite): open the file with ``read_only_uri``, so that nothing is
    written, not even the journal mode; transactions are plain BEGIN, which takes no
    write lock. Raises CannotRead.

    ``stalled_after`` (PostgreSQL, seconds): the server ends a session that stays idle in
    a transaction this long (``idle_in_transaction_session_timeout``), rolling it back. A
    daemon's process that stalls or is cut off mid-transaction (a frozen machine, a
    network cut the server does not notice) then holds its row locks no longer than this,
    so the other daemon is not kept waiting on them."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # psycopg 3; without a password here, libpq reads PGPASSWORD, a service file or
        # ~/.pgpass itself.
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if password is not None:
            parsed = parsed.set(password=password)
        # A server that does not answer (a network cut) fails a connection in 10 s, so that
        # a daemon notices it has lost its leases (helpdesk.leases).
        connect: dict[str, Any] = {"connect_timeout": 10}
        if stalled_after is not None:
            given = parsed.query.get("options", "")
            setting = f"-c idle_in_transaction_session_timeout={max(int(stalled_after * 1000), 1)}"
            connect["options"] = f"{given} {setting}".strip() if isinstance(given, str) else setting
        return create_engine(
            parsed, echo=echo, pool_pre_ping=True, connect_args=connect, **_JSON_COLUMNS
        )
    if parsed.get_backend_name() != "sqlite":
        raise ValueError(f"not a sqlite:// or postgresql:// URL: {parsed.drivername}")
    timeout = BUSY_TIMEOUT_MS / 1000
    if read_only:
        assert parsed.database not in (None, "", ":memory:"), "a read-only database is a file"
        uri = read_only_uri(Path(parsed.database))
        engine = create_engine(
            url, echo=echo, **_JSON_COLUMNS,
            creator=lambda: sqlite3.connect(uri, uri=True, timeout=timeout,
                                            check_same_thread=False),
        )  # fmt: skip
    else:
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": timeout, "check_same_thread": False},
            **_JSON_COLUMNS,
        )  # fmt: skip

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below, not pysqlite, decide when a transaction starts.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if parsed.database not in (None, "", ":memory:") and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that upgrades from read to write skips the busy
        # handler; taking the write lock up front makes writers wait their turn.
        plain = read_only or conn.get_execution_options().get(SNAPSHOT, False)
        conn.exec_driver_sql("BEGIN" if plain else "BEGIN IMMEDIATE")

    return engine
