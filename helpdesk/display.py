"""How times, states and people are shown to the help desk, in the office's language."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime

from helpdesk.config import Config
from ticketing.workflow import STATE_LABELS, State


def local(moment: dt.datetime, config: Config) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(config.calendar.timezone))


def long_time(moment: dt.datetime | None, config: Config) -> str:
    """``Senin, 23 November 2026 pukul 08.12 WIB`` (or its English form)."""
    if moment is None:
        return "-"
    when = local(moment, config)
    zone = config.calendar.zone_label
    if config.office.language == "id":
        return format_datetime(when, "EEEE, d MMMM y 'pukul' HH.mm", locale="id") + f" {zone}"
    return format_datetime(when, "EEEE, d MMMM y, HH:mm", locale="en") + f" {zone}"


def short_time(moment: dt.datetime | None, config: Config) -> str:
    if moment is None:
        return "-"
    return local(moment, config).strftime("%Y-%m-%d %H:%M")


def state_label(state: str, config: Config) -> str:
    return STATE_LABELS[config.office.language][State(state)]
