"""The business calendar: working time, Indonesian holidays and step deadlines.

Holiday dates come from holidays 0.109 (printed and checked before these tests were written):
2026-08-17 (Mon) Independence Day, 2026-12-24 (Thu) Christmas joint holiday (cuti bersama),
2026-12-25 (Fri) Christmas, 2027-01-01 (Fri) New Year, 2026-01-16 (Fri) Isra' and Mi'raj.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketing.calendar import (
    EXTRA_DAY_OFF_NAME,
    BusinessCalendar,
    StepTime,
    Unit,
    WorkingHours,
)

JAKARTA = ZoneInfo("Asia/Jakarta")

MON_THU = WorkingHours(start=time(7, 30), end=time(16, 0))
FRIDAY = WorkingHours(start=time(7, 30), end=time(16, 30))
OFFICE_HOURS = {0: MON_THU, 1: MON_THU, 2: MON_THU, 3: MON_THU, 4: FRIDAY}


def make_calendar(
    *,
    extra_days_off: Iterable[date] = (),
    extra_working_days: Iterable[date] = (),
    holiday_categories: tuple[str, ...] = ("public", "government"),
) -> BusinessCalendar:
    return BusinessCalendar(
        hours=OFFICE_HOURS,
        extra_days_off=extra_days_off,
        extra_working_days=extra_working_days,
        holiday_categories=holiday_categories,
    )


# Shared by the property tests: the calendar is immutable apart from its holiday cache.
CALENDAR = make_calendar()


def jkt(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in office local time."""
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def calendar() -> BusinessCalendar:
    return make_calendar()


# StepTime


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("1h", 1, "hours"),
        ("2 h", 2, "hours"),
        ("90m", 90, "minutes"),
        ("1d", 1, "days"),
        ("1 jam", 1, "hours"),
        ("2 jam", 2, "hours"),
        ("1 hari", 1, "days"),
        ("30 menit", 30, "minutes"),
        ("  2 JAM ", 2, "hours"),
        ("3 hari kerja", 3, "days"),
    ],
)
def test_step_time_parse_accepts_short_and_indonesian_units(
    text: str, amount: int, unit: Unit
) -> None:
    """Short English units and Indonesian words both parse, whatever the spacing and case."""
    assert StepTime.parse(text) == StepTime(amount=amount, unit=unit)


@pytest.mark.parametrize(
    "text", ["", "h", "jam", "0h", "0 menit", "-1h", "1.5h", "1 week", "jam 1", "1hx", "1h 30m"]
)
def test_step_time_parse_rejects_malformed_text(text: str) -> None:
    """Missing or non-positive amounts, fractions and unknown units raise ValueError."""
    with pytest.raises(ValueError, match="invalid step time"):
        StepTime.parse(text)


def test_step_time_rejects_non_positive_amount() -> None:
    """A StepTime built directly still needs an amount above zero."""
    with pytest.raises(ValueError, match="greater than 0"):
        StepTime(amount=0, unit="hours")


def test_step_time_str_is_the_short_form() -> None:
    """str() gives the compact form used in configuration."""
    assert [str(StepTime.parse(t)) for t in ("1 jam", "90 menit", "1 hari")] == [
        "1h",
        "90m",
        "1d",
    ]


def test_step_time_label_in_indonesian() -> None:
    """Indonesian labels name days as working days and do not pluralise."""
    assert StepTime(1, "hours").label() == "1 jam"
    assert StepTime(2, "hours").label("id") == "2 jam"
    assert StepTime(30, "minutes").label("id") == "30 menit"
    assert StepTime(1, "days").label("id") == "1 hari kerja"


def test_step_time_label_in_english() -> None:
    """English labels pluralise and name days as working days."""
    assert StepTime(1, "hours").label("en") == "1 hour"
    assert StepTime(2, "hours").label("en") == "2 hours"
    assert StepTime(1, "minutes").label("en") == "1 minute"
    assert StepTime(1, "days").label("en") == "1 working day"
    assert StepTime(3, "days").label("en") == "3 working days"


def test_step_time_label_rejects_unknown_language() -> None:
    """Asking for a language without labels raises ValueError."""
    with pytest.raises(ValueError, match="language"):
        StepTime(1, "hours").label("fr")


# Configuration


def test_working_hours_must_end_after_start() -> None:
    """Hours that end before or when they start are refused."""
    with pytest.raises(ValueError, match="end after"):
        WorkingHours(start=time(16, 0), end=time(7, 30))


def test_calendar_needs_at_least_one_working_weekday() -> None:
    """A calendar without any hours would never reach a deadline, so it is refused."""
    with pytest.raises(ValueError, match="at least one weekday"):
        BusinessCalendar(hours={})


# Holidays


def test_independence_day_is_a_named_holiday(calendar: BusinessCalendar) -> None:
    """17 August 2026, a Monday, is closed and carries its Indonesian name."""
    assert calendar.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert not calendar.is_working_day(date(2026, 8, 17))


def test_cuti_bersama_is_a_day_off(calendar: BusinessCalendar) -> None:
    """The Christmas joint leave day on 24 December 2026 closes the office."""
    assert calendar.holiday_name(date(2026, 12, 24)) == "Cuti Bersama Hari Raya Natal"
    assert not calendar.is_working_day(date(2026, 12, 24))


def test_cuti_bersama_needs_the_government_category() -> None:
    """With only public holidays, 24 December 2026 would count as a working day."""
    public_only = make_calendar(holiday_categories=("public",))
    assert public_only.holiday_name(date(2026, 12, 24)) is None
    assert public_only.is_working_day(date(2026, 12, 24))


def test_normal_day_has_no_holiday_name(calendar: BusinessCalendar) -> None:
    """An ordinary Tuesday is a working day without a holiday name."""
    assert calendar.holiday_name(date(2026, 8, 11)) is None
    assert calendar.is_working_day(date(2026, 8, 11))


def test_weekend_is_not_a_working_day(calendar: BusinessCalendar) -> None:
    """Weekdays without configured hours are closed even without a holiday."""
    assert not calendar.is_working_day(date(2026, 8, 8))
    assert calendar.holiday_name(date(2026, 8, 8)) is None


def test_extra_day_off_from_config_is_named(calendar: BusinessCalendar) -> None:
    """A configured day off closes the office and is named as an extra day off."""
    cal = make_calendar(extra_days_off=[date(2026, 8, 11)])
    assert cal.holiday_name(date(2026, 8, 11)) == EXTRA_DAY_OFF_NAME == "Hari libur tambahan"
    assert not cal.is_working_day(date(2026, 8, 11))


def test_holiday_name_rejects_a_datetime(calendar: BusinessCalendar) -> None:
    """A datetime passed as a day would never match a holiday, so it is refused."""
    with pytest.raises(ValueError, match="expected a date"):
        calendar.holiday_name(jkt(2026, 8, 17, 9))


# Working time


def test_working_time_includes_start_and_excludes_end(calendar: BusinessCalendar) -> None:
    """A working period is half-open: 07:30 is inside, 16:00 on a Monday is not."""
    assert calendar.is_working_time(jkt(2026, 8, 10, 7, 30))
    assert calendar.is_working_time(jkt(2026, 8, 10, 15, 59))
    assert not calendar.is_working_time(jkt(2026, 8, 10, 16, 0))
    assert calendar.is_working_time(jkt(2026, 8, 14, 16, 15))


def test_working_time_accepts_any_time_zone(calendar: BusinessCalendar) -> None:
    """Moments are compared in office time: 01:00 UTC is 08:00 in Jakarta."""
    assert calendar.is_working_time(datetime(2026, 8, 10, 1, 0, tzinfo=UTC))
    assert not calendar.is_working_time(datetime(2026, 8, 10, 10, 0, tzinfo=UTC))


def test_next_working_moment_keeps_a_working_moment(calendar: BusinessCalendar) -> None:
    """A moment inside working time is its own next working moment."""
    assert calendar.next_working_moment(jkt(2026, 8, 10, 10, 0)) == jkt(2026, 8, 10, 10, 0)


def test_next_working_moment_skips_a_holiday(calendar: BusinessCalendar) -> None:
    """Sunday evening before Independence Day rolls to Tuesday morning."""
    assert calendar.next_working_moment(jkt(2026, 8, 16, 20, 0)) == jkt(2026, 8, 18, 7, 30)


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.is_working_time(datetime(2026, 8, 10, 9, 0)),
        lambda cal: cal.next_working_moment(datetime(2026, 8, 10, 9, 0)),
        lambda cal: cal.add(datetime(2026, 8, 10, 9, 0), StepTime(1, "hours")),
        lambda cal: cal.add(datetime(2026, 8, 10, 9, 0), StepTime(1, "days")),
        lambda cal: cal.add_working_minutes(datetime(2026, 8, 10, 9, 0), 30),
        lambda cal: cal.working_minutes_between(jkt(2026, 8, 10), datetime(2026, 8, 11)),
    ],
)
def test_naive_datetime_is_rejected(
    calendar: BusinessCalendar, call: Callable[[BusinessCalendar], object]
) -> None:
    """Every method refuses a datetime without a time zone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        call(calendar)


def test_results_are_in_utc(calendar: BusinessCalendar) -> None:
    """Returned moments carry datetime.timezone.utc, whatever the input zone."""
    for result in (
        calendar.add(jkt(2026, 8, 10, 9, 0), StepTime(1, "hours")),
        calendar.add(jkt(2026, 8, 10, 9, 0), StepTime(1, "days")),
        calendar.next_working_moment(jkt(2026, 8, 10, 9, 0)),
    ):
        assert result.tzinfo is UTC
    assert calendar.add(jkt(2026, 8, 10, 9, 0), StepTime(1, "hours")) == datetime(
        2026, 8, 10, 3, 0, tzinfo=UTC
    )


# Deadlines in hours and minutes


def test_hours_within_one_day(calendar: BusinessCalendar) -> None:
    """Two hours from Monday 09:00 is Monday 11:00."""
    assert calendar.add(jkt(2026, 8, 10, 9, 0), StepTime(2, "hours")) == jkt(2026, 8, 10, 11, 0)


def test_hours_across_a_weekend(calendar: BusinessCalendar) -> None:
    """Friday 15:30 plus 2h uses the hour to 16:30, then Monday 07:30-08:30."""
    deadline = calendar.add(jkt(2026, 8, 7, 15, 30), StepTime.parse("2h"))
    assert deadline == jkt(2026, 8, 10, 8, 30)


def test_hours_across_a_public_holiday(calendar: BusinessCalendar) -> None:
    """Friday 15:30 plus 2h skips the weekend and Independence Day to Tuesday 08:30."""
    deadline = calendar.add(jkt(2026, 8, 14, 15, 30), StepTime.parse("2h"))
    assert deadline == jkt(2026, 8, 18, 8, 30)


def test_hours_across_cuti_bersama_and_christmas(calendar: BusinessCalendar) -> None:
    """Wednesday 23 Dec 15:00 plus 2h skips 24 (cuti bersama), 25 and the weekend."""
    deadline = calendar.add(jkt(2026, 12, 23, 15, 0), StepTime.parse("2 jam"))
    assert deadline == jkt(2026, 12, 28, 8, 30)


def test_deadline_on_the_end_of_a_working_day_stays_there(calendar: BusinessCalendar) -> None:
    """Monday 14:00 plus 2h is Monday 16:00, not Tuesday 07:30."""
    deadline = calendar.add(jkt(2026, 8, 10, 14, 0), StepTime(2, "hours"))
    assert deadline == jkt(2026, 8, 10, 16, 0)


def test_received_at_night_starts_next_morning(calendar: BusinessCalendar) -> None:
    """A complaint at Monday 20:00 with a 1h step is due Tuesday 08:30."""
    deadline = calendar.add(jkt(2026, 8, 10, 20, 0), StepTime(1, "hours"))
    assert deadline == jkt(2026, 8, 11, 8, 30)


def test_received_before_opening_starts_at_opening(calendar: BusinessCalendar) -> None:
    """A complaint at Tuesday 06:00 with a 30m step is due Tuesday 08:00."""
    deadline = calendar.add(jkt(2026, 8, 11, 6, 0), StepTime.parse("30 menit"))
    assert deadline == jkt(2026, 8, 11, 8, 0)


def test_received_on_sunday_starts_on_monday(calendar: BusinessCalendar) -> None:
    """A complaint on Sunday 10:00 with a 1h step is due Monday 08:30."""
    deadline = calendar.add(jkt(2026, 8, 9, 10, 0), StepTime(1, "hours"))
    assert deadline == jkt(2026, 8, 10, 8, 30)


def test_hours_across_an_extra_day_off() -> None:
    """A configured day off on Tuesday pushes Monday 15:00 plus 2h to Wednesday 08:30."""
    cal = make_calendar(extra_days_off=[date(2026, 8, 11)])
    deadline = cal.add(jkt(2026, 8, 10, 15, 0), StepTime(2, "hours"))
    assert deadline == jkt(2026, 8, 12, 8, 30)


def test_extra_working_saturday_uses_monday_hours() -> None:
    """A Saturday made a working day opens at 07:30, so Friday 15:30 plus 2h is Saturday 08:30."""
    cal = make_calendar(extra_working_days=[date(2026, 8, 8)])
    assert cal.is_working_day(date(2026, 8, 8))
    deadline = cal.add(jkt(2026, 8, 7, 15, 30), StepTime(2, "hours"))
    assert deadline == jkt(2026, 8, 8, 8, 30)


def test_extra_working_saturday_closes_with_monday_hours() -> None:
    """On an extra working Saturday, 16:00 is already outside working time."""
    cal = make_calendar(extra_working_days=[date(2026, 8, 8)])
    assert cal.is_working_time(jkt(2026, 8, 8, 15, 59))
    assert not cal.is_working_time(jkt(2026, 8, 8, 16, 0))


def test_hours_across_the_year_boundary(calendar: BusinessCalendar) -> None:
    """31 Dec 2026 15:00 plus 2h skips New Year's Day 2027 and the weekend to 4 January."""
    deadline = calendar.add(jkt(2026, 12, 31, 15, 0), StepTime(2, "hours"))
    assert deadline == jkt(2027, 1, 4, 8, 30)


def test_zero_minutes_is_the_next_working_moment(calendar: BusinessCalendar) -> None:
    """Adding no working time on a Saturday gives Monday's opening."""
    assert calendar.add_working_minutes(jkt(2026, 8, 8, 12, 0), 0) == jkt(2026, 8, 10, 7, 30)


def test_negative_minutes_are_rejected(calendar: BusinessCalendar) -> None:
    """Working time cannot be subtracted."""
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_minutes(jkt(2026, 8, 10, 9, 0), -1)


def test_a_full_week_of_minutes_ends_at_friday_closing(calendar: BusinessCalendar) -> None:
    """Four 8.5-hour days and a 9-hour Friday from Monday 07:30 end Friday 16:30."""
    deadline = calendar.add_working_minutes(jkt(2026, 8, 10, 7, 30), 4 * 510 + 540)
    assert deadline == jkt(2026, 8, 14, 16, 30)


# Deadlines in days


def test_one_day_keeps_the_clock_time(calendar: BusinessCalendar) -> None:
    """Monday 10:00 plus 1d is Tuesday 10:00."""
    assert calendar.add(jkt(2026, 8, 10, 10, 0), StepTime(1, "days")) == jkt(2026, 8, 11, 10, 0)


def test_one_day_from_friday_is_monday(calendar: BusinessCalendar) -> None:
    """Friday 10:00 plus 1d is Monday 10:00."""
    assert calendar.add(jkt(2026, 8, 7, 10, 0), StepTime(1, "days")) == jkt(2026, 8, 10, 10, 0)


def test_one_day_skips_a_friday_holiday(calendar: BusinessCalendar) -> None:
    """Thursday 15 Jan 2026 10:00 plus 1d skips Isra' Mi'raj on Friday to Monday 10:00."""
    deadline = calendar.add(jkt(2026, 1, 15, 10, 0), StepTime.parse("1 hari"))
    assert deadline == jkt(2026, 1, 19, 10, 0)


def test_one_day_across_a_public_holiday(calendar: BusinessCalendar) -> None:
    """Friday 14 Aug 2026 10:00 plus 1d skips the weekend and Independence Day."""
    assert calendar.add(jkt(2026, 8, 14, 10, 0), StepTime(1, "days")) == jkt(2026, 8, 18, 10, 0)


def test_one_day_across_the_year_boundary(calendar: BusinessCalendar) -> None:
    """Thursday 31 Dec 2026 10:00 plus 1d skips New Year's Day to Monday 4 Jan 10:00."""
    assert calendar.add(jkt(2026, 12, 31, 10, 0), StepTime(1, "days")) == jkt(2027, 1, 4, 10, 0)


def test_one_day_is_clamped_to_a_shorter_day(calendar: BusinessCalendar) -> None:
    """Friday 16:15 plus 1d is Monday 16:00, because Monday closes earlier."""
    assert calendar.add(jkt(2026, 8, 7, 16, 15), StepTime(1, "days")) == jkt(2026, 8, 10, 16, 0)


def test_days_received_on_saturday_count_from_monday_opening(
    calendar: BusinessCalendar,
) -> None:
    """Saturday 10:00 rolls to Monday 07:30, so 1d is Tuesday 07:30."""
    assert calendar.add(jkt(2026, 8, 8, 10, 0), StepTime(1, "days")) == jkt(2026, 8, 11, 7, 30)


def test_days_differ_from_hours(calendar: BusinessCalendar) -> None:
    """1d keeps the clock time while 8h counts 8.5-hour days: Tuesday 10:00 vs 09:30."""
    start = jkt(2026, 8, 10, 10, 0)
    assert calendar.add(start, StepTime(1, "days")) == jkt(2026, 8, 11, 10, 0)
    assert calendar.add(start, StepTime(8, "hours")) == jkt(2026, 8, 11, 9, 30)


# Working minutes between


def test_working_minutes_between_skips_the_weekend(calendar: BusinessCalendar) -> None:
    """Friday 15:30 to Monday 08:30 holds two working hours."""
    assert calendar.working_minutes_between(jkt(2026, 8, 7, 15, 30), jkt(2026, 8, 10, 8, 30)) == 120


def test_working_minutes_between_reversed_is_zero(calendar: BusinessCalendar) -> None:
    """An end before the start gives zero, not a negative number."""
    assert calendar.working_minutes_between(jkt(2026, 8, 10, 12, 0), jkt(2026, 8, 10, 9, 0)) == 0


def test_working_minutes_between_full_week(calendar: BusinessCalendar) -> None:
    """A plain week holds four 8.5-hour days and one 9-hour Friday."""
    minutes = calendar.working_minutes_between(jkt(2026, 8, 10), jkt(2026, 8, 17))
    assert minutes == 4 * 510 + 540


# Properties

MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.just(JAKARTA),
)
STEPS = st.builds(
    StepTime,
    amount=st.integers(min_value=1, max_value=20),
    unit=st.sampled_from(["minutes", "hours", "days"]),
)


@settings(max_examples=150, deadline=None)
@given(start=MOMENTS, minutes=st.integers(min_value=0, max_value=5000))
def test_minutes_between_inverts_add_working_minutes(start: datetime, minutes: int) -> None:
    """Counting working minutes up to a deadline gives back the minutes added."""
    deadline = CALENDAR.add_working_minutes(start, minutes)
    assert CALENDAR.working_minutes_between(start, deadline) == minutes


@settings(max_examples=150, deadline=None)
@given(
    first=MOMENTS,
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    step=STEPS,
)
def test_later_start_never_gives_earlier_deadline(
    first: datetime, gap: timedelta, step: StepTime
) -> None:
    """A deadline is monotonic in its start, for minutes, hours and days alike."""
    assert CALENDAR.add(first, step) <= CALENDAR.add(first + gap, step)


@settings(max_examples=150, deadline=None)
@given(start=MOMENTS, step=STEPS)
def test_deadline_is_never_before_the_start(start: datetime, step: StepTime) -> None:
    """A deadline lies after its start and on a working day."""
    deadline = CALENDAR.add(start, step)
    assert deadline > start
    assert CALENDAR.is_working_day(deadline.astimezone(JAKARTA).date())
