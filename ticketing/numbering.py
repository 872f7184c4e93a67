"""Complaint numbers: a configurable format over a gapless per-year sequence."""

from __future__ import annotations

import string

DEFAULT_FORMAT = "TIK-{year}-{seq:05d}"


def check_format(fmt: str) -> str | None:
    """Why ``fmt`` cannot number complaints, or None when it can.

    It must name ``{year}`` and ``{seq}`` (numbers restart every year) and nothing else.
    """
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
        format_number(fmt, year=2026, seq=1)
    except (ValueError, KeyError, IndexError) as exc:
        return f"not a valid format ({exc})"
    unknown = names - {"year", "seq"}
    if unknown:
        return f"unknown placeholder(s) {', '.join(sorted(unknown))}; use {{year}} and {{seq}}"
    if names != {"year", "seq"}:
        return "must contain both {year} and {seq}, e.g. " + DEFAULT_FORMAT
    if format_number(fmt, year=2026, seq=1) == format_number(fmt, year=2026, seq=2):
        return "different sequence numbers give the same complaint number"
    return None


def format_number(fmt: str, *, year: int, seq: int) -> str:
    return fmt.format(year=year, seq=seq)
