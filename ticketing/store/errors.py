"""The faults of the database itself, said in one line for the user."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used as it is (missing, its schema out of date, its disk full
    or read-only): the message is one line for the user."""


# SQLite's primary result codes that say the file or its disk is at fault, not the program:
# each of these rolled the transaction back.
_SQLITE_FAULTS = {
    5: "another process holds the database",  # SQLITE_BUSY, after the busy timeout
    8: "the database cannot be written",  # SQLITE_READONLY
    10: "the disk could not be read or written",  # SQLITE_IOERR
    11: "the database file is damaged",  # SQLITE_CORRUPT
    13: "the disk holding the database is full",  # SQLITE_FULL
    14: "the database file cannot be opened",  # SQLITE_CANTOPEN
}


def database_fault(exc: BaseException) -> str | None:
    """What failed, for a failure of the database file or its disk, or of the connection to
    the database server; None for anything else."""
    orig = getattr(exc, "orig", None)
    if type(orig).__module__.startswith("psycopg") and _is_operational(orig):
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        return f"the database server cannot be reached ({first})"
    code = getattr(orig, "sqlite_errorcode", None)
    if code is None or (code & 0xFF) not in _SQLITE_FAULTS:
        return None
    return f"{_SQLITE_FAULTS[code & 0xFF]} ({orig})"


def _is_operational(error: object) -> bool:
    """psycopg's OperationalError: the server is down, restarting, or the link is cut."""
    import psycopg

    return isinstance(error, psycopg.OperationalError)
