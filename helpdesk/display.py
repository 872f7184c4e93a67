"""How times, states and people are shown to the help desk.

The CLI speaks English whatever the office writes (`CLI_LANGUAGE`): its labels, messages
and dates. What it writes for people outside the terminal is in the office's language: the
e-mails, printouts, the service report, and the Formulir of `helpdesk phone` and `helpdesk
letter`, filled in with a caller and read back to them.
"""

from __future__ import annotations

import datetime as dt

from helpdesk.config import Config
from notifier import formatting
from ticketing.workflow import STATE_LABELS, State

# The language of the CLI's own words and dates (README, "Staff output").
CLI_LANGUAGE = "en"


def long_time(moment: dt.datetime | None, config: Config, language: str | None = None) -> str:
    """``Senin, 23 November 2026 pukul 08.12 WIB`` (or its English form; ``language``: in
    that language rather than the office's, for a line written in it)."""
    return formatting.long_time(
        moment,
        timezone=config.calendar.timezone,
        zone_label=config.calendar.zone_label,
        language=language or config.office.language,
    )


def short_time(moment: dt.datetime | None, config: Config) -> str:
    """``2026-11-30 12:00``: sortable, for the help desk's tables."""
    return formatting.short_time(moment, timezone=config.calendar.timezone, language="en")


def state_label(state: str, config: Config) -> str:
    return STATE_LABELS[config.office.language][State(state)]
