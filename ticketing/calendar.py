"""The office's business calendar: working hours, holidays and service-standard deadlines.

Pure: the module never reads the wall clock. Every moment is a parameter and must be a
timezone-aware datetime; every moment returned is aware and in UTC. Working-hour arithmetic
happens in the office's own time zone.

Days off are the weekdays without configured hours, Indonesian public holidays and the
government's *cuti bersama* (joint leave days, the ``government`` category of the
``holidays`` library), plus extra days off from the configuration. A decree can turn a day
off (usually a Saturday) into an extra working day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal, get_args
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import holidays

Unit = Literal["minutes", "hours", "days"]

EXTRA_DAY_OFF_NAME = "Hari libur tambahan"
"""The name `BusinessCalendar.holiday_name` gives a day off that comes from the configuration."""

# A guard against configurations without any reachable working day (for example every
# weekday listed as an extra day off): searching stops after this many idle days.
_MAX_IDLE_DAYS = 3660

_ONE_MINUTE = timedelta(minutes=1)

# How many days' working periods, and how many deadlines, a calendar keeps at most (it
# starts again when full): more days than the search above may walk through.
_PERIODS_KEPT = 8192
_ADDED_KEPT = 4096

_STEP_PATTERN = re.compile(r"\s*([0-9]+)\s*([^\s0-9].*?)\s*", re.ASCII)

# Unit words accepted by `StepTime.parse`, lower case, inner whitespace collapsed.
_UNIT_WORDS: dict[str, Unit] = {
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "menit": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "jam": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "working day": "days",
    "working days": "days",
    "hari": "days",
    "hari kerja": "days",
}

_UNIT_SUFFIXES: dict[Unit, str] = {"minutes": "m", "hours": "h", "days": "d"}

# language -> unit -> (singular, plural)
STEP_LABELS: dict[str, dict[Unit, tuple[str, str]]] = {
    "id": {
        "minutes": ("menit", "menit"),
        "hours": ("jam", "jam"),
        "days": ("hari kerja", "hari kerja"),
    },
    "en": {
        "minutes": ("minute", "minutes"),
        "hours": ("hour", "hours"),
        "days": ("working day", "working days"),
    },
}


@dataclass(frozen=True)
class StepTime:
    """A service standard for one SOP step, such as ``1h``, ``90m`` or ``1d``."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"step time amount must be an integer, got {self.amount!r}")
        if self.amount <= 0:
            raise ValueError(f"step time amount must be greater than 0, got {self.amount}")
        if self.unit not in get_args(Unit):
            raise ValueError(
                f"step time unit must be one of minutes, hours, days; got {self.unit!r}"
            )

    @classmethod
    def parse(cls, text: str) -> StepTime:
        """Read ``"1h"``, ``"2 h"``, ``"90m"``, ``"1d"``, ``"2 jam"``, ``"1 hari"``, ``"30 menit"``.

        Raises ValueError on anything else, including a zero amount.
        """
        match = _STEP_PATTERN.fullmatch(text)
        if match is None:
            raise ValueError(
                f"invalid step time {text!r}: expected a whole number followed by a unit, "
                'such as "30m", "2h", "1d", "30 menit", "2 jam" or "1 hari"'
            )
        amount_text, unit_text = match.groups()
        unit = _UNIT_WORDS.get(" ".join(unit_text.lower().split()))
        if unit is None:
            raise ValueError(
                f"invalid step time {text!r}: unknown unit {unit_text!r}; use m/menit for "
                "minutes, h/jam for hours or d/hari for working days"
            )
        amount = int(amount_text)
        if amount <= 0:
            raise ValueError(f"invalid step time {text!r}: the amount must be greater than 0")
        return cls(amount=amount, unit=unit)

    def __str__(self) -> str:
        return f"{self.amount}{_UNIT_SUFFIXES[self.unit]}"

    def label(self, language: str = "id") -> str:
        """The step time for people to read: ``"2 jam"``, ``"1 working day"``."""
        try:
            singular, plural = STEP_LABELS[language][self.unit]
        except KeyError:
            raise ValueError(
                f"no step time labels for language {language!r}; "
                f"available: {', '.join(sorted(STEP_LABELS))}"
            ) from None
        return f"{self.amount} {singular if self.amount == 1 else plural}"


@dataclass(frozen=True)
class WorkingHours:
    """The office hours of one weekday, in the office's local time."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local times of the office: drop the tzinfo")
        if self.end <= self.start:
            raise ValueError(
                f"working hours must end after they start, got {self.start}-{self.end}"
            )


class BusinessCalendar:
    """Working days and hours of the office, and deadlines counted in working time."""

    tz: ZoneInfo

    def __init__(
        self,
        *,
        timezone: str = "Asia/Jakarta",
        hours: Mapping[int, WorkingHours],
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        holiday_country: str | None = "ID",
        holiday_categories: tuple[str, ...] = ("public", "government"),
        holiday_subdiv: str | None = None,
        holiday_language: str = "id",
    ) -> None:
        """Build the calendar.

        ``hours`` maps a weekday (0 = Monday .. 6 = Sunday) to its hours; a weekday that is
        absent is not a working day. An extra working day uses the hours of its own weekday
        when that weekday has hours, else the Monday hours. ``holiday_language`` is passed to
        the ``holidays`` library explicitly because it otherwise follows the process locale.
        """
        self.tz = ZoneInfo(timezone)
        if not hours:
            raise ValueError("hours must give the working hours of at least one weekday")
        for weekday, weekday_hours in hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            if not isinstance(weekday_hours, WorkingHours):
                raise ValueError(f"hours of weekday {weekday} must be WorkingHours")
        self._hours: dict[int, WorkingHours] = dict(hours)
        self._extra_days_off = frozenset(_as_date(day) for day in extra_days_off)
        self._extra_working_days = frozenset(_as_date(day) for day in extra_working_days)
        both = self._extra_days_off & self._extra_working_days
        if both:
            listed = ", ".join(day.isoformat() for day in sorted(both))
            raise ValueError(f"days both extra days off and extra working days: {listed}")
        if self._extra_working_days and 0 not in self._hours:
            orphans = [day for day in self._extra_working_days if day.weekday() not in hours]
            if orphans:
                raise ValueError(
                    "extra working days on a weekday without hours need the Monday hours, "
                    "which are not configured"
                )
        self._holiday_country = holiday_country
        self._holiday_categories = tuple(holiday_categories)
        self._holiday_subdiv = holiday_subdiv
        self._holiday_language = holiday_language
        self._holiday_years: dict[int, dict[date, str]] = {}
        # What never changes for a calendar, kept as it is asked for: the working period
        # of each day, and the deadlines of recent starts (a phone log's thousands of
        # tickets share their steps and many of their moments).
        self._periods: dict[date, tuple[datetime, datetime] | None] = {}
        self._added: dict[tuple[datetime, StepTime], datetime] = {}
        if holiday_country is not None:
            # Fail now, not at the first deadline, on an unknown country, subdivision or
            # category. No year is computed here.
            self._load_holidays(years=())

    # Days

    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday, cuti bersama or configured day off, else None."""
        day = _as_date(day)
        name = self._holidays_of(day.year).get(day)
        if name is not None:
            return name
        if day in self._extra_days_off:
            return EXTRA_DAY_OFF_NAME
        return None

    def is_working_day(self, day: date) -> bool:
        """Whether the office is open at all on ``day``."""
        return self._hours_of(_as_date(day)) is not None

    # Moments

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside a working period (start included, end excluded)."""
        moment = _as_utc(moment, "moment")
        period = self._period(moment.astimezone(self.tz).date())
        return period is not None and period[0] <= moment < period[1]

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if in working time, else the start of the next working period."""
        moment = _as_utc(moment, "moment")
        day = moment.astimezone(self.tz).date()
        for _ in range(_MAX_IDLE_DAYS):
            period = self._period(day)
            if period is not None and moment < period[1]:
                return max(moment, period[0])
            day += timedelta(days=1)
        raise ValueError(f"no working time within {_MAX_IDLE_DAYS} days after {moment}")

    def add(self, start: datetime, step: StepTime) -> datetime:
        """The deadline of a step that starts at ``start``.

        Minutes and hours count working time only. N days are N working days later at the
        same local clock time, counted from the next working moment, and clamped into the
        hours of the target day.
        """
        key = (start, step)
        due = self._added.get(key)
        if due is not None:
            return due
        if step.unit == "minutes":
            due = self.add_working_minutes(start, step.amount)
        elif step.unit == "hours":
            due = self.add_working_minutes(start, step.amount * 60)
        else:
            due = self._add_working_days(start, step.amount)
        if len(self._added) >= _ADDED_KEPT:
            self._added.clear()
        # Equal moments are equal keys whatever their zone: the deadline is in UTC.
        self._added[key] = due
        return due

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` of working time after ``start``.

        The clock starts at the next working moment. A result that lands exactly on the end
        of a working period stays there rather than moving to the next morning.
        """
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        cursor = self.next_working_moment(start)
        remaining = timedelta(minutes=minutes)
        while True:
            period = self._period(cursor.astimezone(self.tz).date())
            assert period is not None  # next_working_moment returned a working moment
            available = period[1] - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            cursor = self.next_working_moment(period[1])

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole minutes of working time in ``[start, end)``; 0 if ``end <= start``."""
        start = _as_utc(start, "start")
        end = _as_utc(end, "end")
        if end <= start:
            return 0
        day = start.astimezone(self.tz).date()
        last_day = end.astimezone(self.tz).date()
        total = timedelta()
        while day <= last_day:
            period = self._period(day)
            if period is not None:
                overlap = min(end, period[1]) - max(start, period[0])
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total // _ONE_MINUTE

    # Internals

    def _add_working_days(self, start: datetime, days: int) -> datetime:
        cursor = self.next_working_moment(start).astimezone(self.tz)
        clock = cursor.time()
        day = cursor.date()
        counted = 0
        idle = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                idle = 0
            else:
                idle += 1
                if idle >= _MAX_IDLE_DAYS:
                    raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days after {day}")
        hours = self._hours_of(day)
        assert hours is not None  # the loop stopped on a working day
        clock = min(max(clock, hours.start), hours.end)
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def _hours_of(self, day: date) -> WorkingHours | None:
        """The hours of ``day``, or None when the office is closed that day."""
        if day in self._extra_days_off:
            return None
        if day in self._extra_working_days:
            return self._hours.get(day.weekday(), self._hours.get(0))
        if day in self._holidays_of(day.year):
            return None
        return self._hours.get(day.weekday())

    def _period(self, day: date) -> tuple[datetime, datetime] | None:
        """The working period of ``day`` as UTC moments, or None on a day off."""
        try:
            return self._periods[day]
        except KeyError:
            pass
        hours = self._hours_of(day)
        period = None
        if hours is not None:
            start = datetime.combine(day, hours.start, tzinfo=self.tz).astimezone(UTC)
            end = datetime.combine(day, hours.end, tzinfo=self.tz).astimezone(UTC)
            period = (start, end)
        if len(self._periods) >= _PERIODS_KEPT:
            self._periods.clear()
        self._periods[day] = period
        return period

    def _holidays_of(self, year: int) -> Mapping[date, str]:
        """The holidays of one year, computed on first use and then kept."""
        if self._holiday_country is None:
            return {}
        cached = self._holiday_years.get(year)
        if cached is None:
            cached = dict(self._load_holidays(years=(year,)).items())
            self._holiday_years[year] = cached
        return cached

    def _load_holidays(self, *, years: tuple[int, ...]) -> holidays.HolidayBase:
        # Imported here, not with the module: the CLI's help and the commands that never
        # compute a deadline do not pay for loading the library; and of its countries only
        # this one is loaded (ticketing.holiday_data).
        from ticketing.holiday_data import country_holidays

        assert self._holiday_country is not None
        return country_holidays(
            self._holiday_country,
            subdiv=self._holiday_subdiv,
            years=years,
            categories=self._holiday_categories,
            language=self._holiday_language,
        )


def _as_utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC)


def _as_date(day: date) -> date:
    # datetime is a subclass of date but never equal to one, so it would silently miss
    # every lookup.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"expected a date, got {type(day).__name__}: {day!r}")
    return day
