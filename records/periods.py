"""A reporting period: a month or a range of days, in the office's time zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MONTH = re.compile(r"(\d{4})-(\d{2})")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The days a period may span: far wider than any office's records, and narrow enough that
# every date computed from a period (its bounds in UTC, the weeks it touches) stays within
# the years Python holds (1 to 9999).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)
_OUTSIDE = f"outside the dates this program can count ({FIRST_DAY} to {LAST_DAY})"


class PeriodError(ValueError):
    """The period asked for is not one: the message is the one line to show."""


@dataclass(frozen=True)
class Period:
    """From ``start`` (inclusive) to ``end`` (exclusive), both aware; ``label`` names it
    (``2026-11``, or ``2026-11-01..2026-11-15``) in file names and headings."""

    start: dt.datetime
    end: dt.datetime
    label: str
    first_day: dt.date
    last_day: dt.date

    def contains(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def month_period(text: str, timezone: str) -> Period:
    match = MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError(f"--month: expected a month as YYYY-MM, got {text!r}")
    year, month = int(match[1]), int(match[2])
    label = f"{year:04d}-{month:02d}"
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise PeriodError(f"--month {text.strip()}: {_OUTSIDE}")
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return _period(first, following - dt.timedelta(days=1), label, timezone)


def day_range(first: str, last: str, timezone: str) -> Period:
    days = []
    for option, text in (("--from", first), ("--to", last)):
        try:
            if not DAY.fullmatch(text.strip()):
                raise ValueError
            days.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise PeriodError(f"{option}: expected a date as YYYY-MM-DD, got {text!r}") from None
        if not FIRST_DAY <= days[-1] <= LAST_DAY:
            raise PeriodError(f"{option} {days[-1]}: {_OUTSIDE}")
    if days[1] < days[0]:
        raise PeriodError(f"--to {days[1]} is before --from {days[0]}")
    return _period(days[0], days[1], f"{days[0]}..{days[1]}", timezone)


def choose(month: str | None, first: str | None, last: str | None, timezone: str) -> Period:
    """The period the options name: ``--month``, or ``--from`` and ``--to`` together."""
    if month and (first or last):
        raise PeriodError("give --month or --from/--to, not both")
    if month:
        return month_period(month, timezone)
    if first and last:
        return day_range(first, last, timezone)
    if first or last:
        raise PeriodError("--from and --to go together")
    raise PeriodError("say which period: --month YYYY-MM, or --from YYYY-MM-DD --to YYYY-MM-DD")


def _period(first: dt.date, last: dt.date, label: str, timezone: str) -> Period:
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return Period(start=start, end=end, label=label, first_day=first, last_day=last)
