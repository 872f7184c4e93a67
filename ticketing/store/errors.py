"""The faults of the database itself, said in one line for the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class StoreError(Exception):
    """The database cannot be used as it is (missing, its schema out of date, its disk full
    or read-only): the message is one line for the user."""


class DatabaseUnavailable(StoreError):
    """The database could not be used just now: the server down, restarting or shutting
    down, the connection to it cut; SQLite's file locked by another process, its disk full
    or failing. The transaction was rolled back, nothing of it saved: the same work can be
    done again once the database is back (a daemon waits and tries again)."""


class LeaseLost(StoreError):
    """The work of a job that one daemon at a time may run was not committed: this daemon
    no longer holds the job's lease (another took it, or it ran out on the database's
    clock while this one was stalled or cut off). The transaction was rolled back."""


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

# PostgreSQL's SQLSTATEs of a server going away or not yet there (class 57, operator
# intervention): admin_shutdown, crash_shutdown, cannot_connect_now.
_SHUTTING_DOWN = {"57P01", "57P02", "57P03"}
# Those of a server that cannot do the work just now, whatever the work: out of disk,
# memory or connections (class 53), its own I/O failing (58), a replica that cannot be
# written (a failover not finished: 25006), and conflicts that the same work done again
# does not meet (serialization failure, deadlock, a lock not available).
_SERVER_BUSY_CLASSES = ("53", "58")
_TRANSIENT = {"25006", "40001", "40P01", "55P03"}
# The server ended a session left idle in its transaction too long (a stalled daemon: see
# ticketing.db.make_engine's ``stalled_after``).
_ENDED = {"25P03"}


def database_fault(exc: BaseException) -> str | None:
    """What failed, for a failure of the database file or its disk, or of the database
    server or the connection to it (also one that lost its connection and raised again
    after it); None for anything else."""
    found = _find(exc)
    return found[0] if found else None


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's failure whatever the work was (its server gone,
    restarting, out of resources, the connection cut; SQLite's file locked, its disk full
    or failing): the same work succeeds once the database is back. A server's refusal of
    this work in particular (a value it cannot store) is not."""
    found = _find(exc)
    return found is not None and found[1]


# A server that answers a new connection with FATAL is there: it refuses this one (a wrong
# password or user, a database that does not exist, no pg_hba.conf entry), which waiting
# does not mend, unless it says it is starting, stopping or full.
_PASSING_REFUSALS = (
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "the database system is not accepting connections",
    "too many clients already",
    "remaining connection slots are reserved",
)


def refused_connection(exc: BaseException) -> bool:
    """Whether ``exc`` is a new connection that the database server, reached, refused for
    good (a wrong password, user or database name), or whose host name does not exist:
    the site's configuration, not a database that is away (see `database_unavailable`).
    A daemon starting waits for a database that is away, not for one that refuses it."""
    return any(
        _refuses(candidate)
        for error in _chain(exc)
        for candidate in (getattr(error, "orig", None), error)
    )


def _refuses(error: object) -> bool:
    """`refused_connection` for one exception."""
    if error is None or not type(error).__module__.startswith("psycopg"):
        return False
    if getattr(error, "sqlstate", None) is not None:
        return False  # an answer to a statement: the connection was made
    text = str(error)
    if "failed to resolve host" in text:
        return "Temporary failure" not in text
    return "FATAL:" in text and not any(words in text for words in _PASSING_REFUSALS)


def _find(exc: BaseException) -> tuple[str, bool] | None:
    for error in _chain(exc):
        if isinstance(error, DatabaseUnavailable):
            return str(error), True
        for candidate in (getattr(error, "orig", None), error):
            if (found := _fault_of(candidate)) is not None:
                return found
    return None


def _fault_of(error: object) -> tuple[str, bool] | None:
    """What failed, and whether it is the database's whatever the work."""
    if error is None:
        return None
    if type(error).__module__.startswith("psycopg") and _is_server_fault(error):
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        state = getattr(error, "sqlstate", None)
        # A connection refused is the configuration's (`refused_connection`); the work it
        # stops waits all the same, as for any connection that fails (a message is not
        # quarantined for it).
        if state is None and _refuses(error):
            return f"the database server refused the connection ({first})", True
        if state is None or state.startswith("08"):  # no answer: the connection failed
            return f"the database server cannot be reached ({first})", True
        if state in _ENDED:
            return f"the database server ended a stalled session ({first})", True
        if state in _SHUTTING_DOWN:
            return f"the database server is shutting down or starting up ({first})", True
        if state.startswith(_SERVER_BUSY_CLASSES) or state in _TRANSIENT:
            return f"the database server cannot do the work just now ({first})", True
        return f"the database server refused the work ({first})", False
    code = getattr(error, "sqlite_errorcode", None)
    if code is None or (code & 0xFF) not in _SQLITE_FAULTS:
        return None
    return f"{_SQLITE_FAULTS[code & 0xFF]} ({error})", True


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or while handling, nearest first."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen and len(seen) < 16:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _is_server_fault(error: object) -> bool:
    """psycopg's OperationalError (the server down, restarting, out of resources, the link
    cut, or refusing an operation), InterfaceError (a connection already closed), or the
    error of a session the server ended as stalled."""
    import psycopg

    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        return True
    return isinstance(error, psycopg.Error) and getattr(error, "sqlstate", None) in _ENDED


@contextmanager
def database_faults() -> Iterator[None]:
    """A failure of the database within: DatabaseUnavailable or StoreError (one line, the
    transaction rolled back); a StoreError and anything else pass as they are."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        # The connection lost mid-way shows as the driver's error, or as SQLAlchemy's
        # refusal to go on with a session whose connection went (raised from it).
        if (fault := database_fault(exc)) is None:
            raise
        if database_unavailable(exc):
            raise DatabaseUnavailable(f"database: {fault}; nothing was saved") from exc
        raise StoreError(f"database: {fault}; nothing was saved") from exc
