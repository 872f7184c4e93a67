"""Dates, times and durations the way the office writes them, in either language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime


def long_time(moment: dt.datetime | None, *, timezone: str, zone_label: str, language: str) -> str:
    """``Senin, 23 November 2026 pukul 08.12 WIB`` / ``Monday, 23 November 2026, 08:12 WIB``."""
    if moment is None:
        return "-"
    when = moment.astimezone(ZoneInfo(timezone))
    if language == "id":
        return format_datetime(when, "EEEE, d MMMM y 'pukul' HH.mm", locale="id") + f" {zone_label}"
    return format_datetime(when, "EEEE, d MMMM y, HH:mm", locale="en") + f" {zone_label}"


def long_date(day: dt.date, *, language: str) -> str:
    """``1 November 2026`` / ``1 November 2026``: a day in words, for headings."""
    return format_date(day, "d MMMM y", locale=language)


def short_time(moment: dt.datetime | None, *, timezone: str, language: str) -> str:
    """``23-11-2026 08.12`` / ``2026-11-23 08:12``, for tables and timelines."""
    if moment is None:
        return "-"
    when = moment.astimezone(ZoneInfo(timezone))
    return when.strftime("%d-%m-%Y %H.%M") if language == "id" else when.strftime("%Y-%m-%d %H:%M")


def duration(minutes: int, language: str) -> str:
    """``1 jam 30 menit`` / ``1 hour 30 minutes``."""
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if language == "id":
        if hours:
            parts.append(f"{hours} jam")
        if rest or not hours:
            parts.append(f"{rest} menit")
    else:
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if rest or not hours:
            parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)
