"""The phone-log drop folder: which of its files are complete and may be read now.

A file is read once its modification time is at least `SETTLE_SECONDS` before the folder's
own clock (`folder_clock`: the time its file system stamps on a file written there now,
the file server's for a shared folder), and only if its size and modification time did
not change while it was read. Hidden and temporary names and files open in Excel or
LibreOffice (their lock file is beside them) are never read. A file stamped ahead of the
folder's clock is read once it has not changed for `SETTLE_SECONDS` of a monotonic clock;
``Sightings`` is the caller's memory of such files. The clocks come in as arguments.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("helpdesk.jobs.phone_drop")

SETTLE_SECONDS = 10
"""A file in the drop folder is read once it has not been written to for this long."""
TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp")

Sightings = dict[Path, tuple[tuple[int, int], float]]
"""Files stamped ahead of the folder's clock, as last seen: (size, mtime_ns) and when."""


def is_ignored(name: str) -> bool:
    """Names the scan never reads: hidden, temporary, or an editor's lock file."""
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(TEMPORARY_SUFFIXES)


def folder_clock(folder: Path, system_now: Callable[[], dt.datetime]) -> dt.datetime:
    """Now, as the folder's file system stamps a file written into it (a file server's
    clock for a shared folder), from a probe file made and removed at once; ``system_now``,
    the machine's clock, where the folder cannot be written."""
    try:
        handle, name = tempfile.mkstemp(prefix=".helpdesk-clock-", dir=folder)
        try:
            stamp = os.fstat(handle).st_mtime
        finally:
            os.close(handle)
            os.unlink(name)
    except OSError:
        return system_now()
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def complete_file(
    path: Path, files_now: dt.datetime, sightings: Sightings | None,
    monotonic: Callable[[], float],
) -> bytes | None:  # fmt: skip
    """The file's bytes if it is complete and should be read now; else None. ``files_now``
    is the folder's clock; ``monotonic`` a clock that only moves forward."""
    if is_ignored(path.name) or _open_in_editor(path):
        return None
    try:
        if not path.is_file():
            return None
        before = path.stat()
        if not _settled(path, before, files_now, sightings, monotonic):
            return None
        data = path.read_bytes()
        after = path.stat()
    except OSError as exc:  # gone meanwhile, or not ours to read
        log.warning("phone drop: cannot read %s: %s", path.name, exc.strerror or exc)
        return None
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        return None  # written to while we read it: next time
    if len(data) != after.st_size:
        return None
    return data


def _settled(
    path: Path, stat: os.stat_result, files_now: dt.datetime, sightings: Sightings | None,
    monotonic: Callable[[], float],
) -> bool:  # fmt: skip
    """Whether nothing has written to the file for `SETTLE_SECONDS`."""
    settle = dt.timedelta(seconds=SETTLE_SECONDS)
    age = files_now - dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
    if age >= settle:
        return True
    if age > -settle:
        return False  # written moments ago
    # Stamped ahead of the folder's clock: its time says nothing; wait until it stops changing.
    shape = (stat.st_size, stat.st_mtime_ns)
    seen = sightings.get(path) if sightings is not None else None
    if seen is not None and seen[0] == shape:
        return monotonic() - seen[1] >= SETTLE_SECONDS
    log.warning(
        "phone drop: %s is stamped %s ahead of the folder's clock; it is read once it has "
        "not changed for %d seconds", path.name, -age, SETTLE_SECONDS,
    )  # fmt: skip
    if sightings is not None:
        sightings[path] = (shape, monotonic())
    return False


def _open_in_editor(path: Path) -> bool:
    folder, name = path.parent, path.name
    # Excel's owner file drops the name's first two letters when the name is long.
    locks = (f"~${name}", f"~${name[2:]}", f".~lock.{name}#")
    return any((folder / lock).exists() for lock in locks)
