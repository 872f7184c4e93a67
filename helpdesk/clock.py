"""The one place that reads the wall clock.

``HELPDESK_NOW`` (an ISO 8601 time with its offset) fixes "now" for the whole process:
tests and replays use it to move time without waiting. It moves the office's time (when a
complaint was received, deadlines, reports), never the machine's: what the machine itself
stamps (a file's modification time, a certificate's validity, a mail server's arrival
date) is compared with `system_now`, the clock that stamped it.
"""

from __future__ import annotations

import datetime as dt
import os
import time

ENV_VAR = "HELPDESK_NOW"


class ClockError(ValueError):
    pass


def now() -> dt.datetime:
    """The current time, aware, in UTC."""
    fixed = os.environ.get(ENV_VAR)
    if fixed:
        return parse_moment(fixed, what=ENV_VAR)
    return dt.datetime.now(dt.UTC)


def system_now() -> dt.datetime:
    """The machine's own clock, aware, in UTC; never fixed by ``HELPDESK_NOW``."""
    return dt.datetime.now(dt.UTC)


def monotonic() -> float:
    """Seconds on a clock that only moves forward, for "unchanged for this long"."""
    return time.monotonic()


def parse_moment(text: str, *, what: str, tz: dt.tzinfo | None = None) -> dt.datetime:
    """An ISO 8601 date or time; a time without offset is in ``tz`` (required then)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(
            f"{what}: expected an ISO 8601 time such as 2026-11-23T08:12+07:00, got {text!r}"
        ) from None
    if value.tzinfo is None:
        if tz is None:
            raise ClockError(f"{what}: give the time with its offset, e.g. +07:00")
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.UTC)
