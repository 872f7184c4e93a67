"""Dates, times and durations the way the office writes them, in either language; and
text a remote server wrote, made safe to quote."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date


def long_time(moment: dt.datetime | None, *, timezone: str, zone_label: str, language: str) -> str:
    """``Senin, 23 November 2026 pukul 08.12 WIB`` / ``Monday, 23 November 2026, 08:12 WIB``."""
    if moment is None:
        return "-"
    when = moment.astimezone(ZoneInfo(timezone))
    # babel's "EEEE, d MMMM y 'pukul' HH.mm" (in English "EEEE, d MMMM y, HH:mm"), token by
    # token: the day in words once per day, the clock written here.
    if language == "id":
        return f"{_long_day(when.date(), 'id')} pukul {when:%H.%M} {zone_label}"
    return f"{_long_day(when.date(), 'en')}, {when:%H:%M} {zone_label}"


@lru_cache(maxsize=1024)
def _long_day(day: dt.date, language: str) -> str:
    return format_date(day, "EEEE, d MMMM y", locale=_locale(language))


@lru_cache(maxsize=8)
def _locale(name: str) -> Locale:
    """babel's locale, read once (given by name, babel parses it at every call)."""
    return Locale.parse(name)


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


# --- remote text ------------------------------------------------------------------------
#
# A delivery report's Diagnostic-Code is whatever the server that wrote it (or a forger)
# chose: "hubungi WA 0812-... atau http://evil.example/verifikasi". It is never our words.
# Wherever it is shown (the help desk's alert, the ticket's timeline, the Laporan Akhir),
# it is quoted under a label that says whose words they are, cut to a sane length, and
# with every link broken so that no mail client, browser or PDF viewer makes it one.

REMOTE_TEXT_CHARS = 300
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,15}):(/{1,3})")
_MAILTO = re.compile(r"(?i)\bmailto:")
# A host name: labels of letters, digits and hyphens joined by dots, the last of letters.
_HOST = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+")
_SPACES = re.compile(r"\s+")


def remote_text(text: str | None, limit: int = REMOTE_TEXT_CHARS) -> str:
    """``text`` as one line without control or invisible characters (bidi overrides,
    zero-width spaces), at most ``limit`` characters (then "…"), and defanged:
    ``http://evil.example/x`` becomes ``hxxp[:]//evil[.]example/x``."""
    if not text:
        return ""
    visible = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) not in ("Cf", "Co", "Cs", "Cn")
    )
    line = _SPACES.sub(" ", visible).strip()
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    line = _SCHEME.sub(_defang_scheme, line)
    line = _MAILTO.sub("mailto[:]", line)
    return _HOST.sub(_defang_host, line)


def _defang_scheme(match: re.Match[str]) -> str:
    scheme = match.group(1)
    if scheme.lower() in ("http", "https"):
        scheme = ("hxxp" if scheme.islower() else "HXXP") + scheme[4:]
    return f"{scheme}[:]{match.group(2)}"


def _defang_host(match: re.Match[str]) -> str:
    host = match.group(0)
    last = host.rpartition(".")[2]
    if not last.isalpha():
        return host  # a number (5.1.1) or an IP address: no link
    return host.replace(".", "[.]")
