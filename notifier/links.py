"""The web application's addresses that e-mails link to. One place, so that an e-mail and
the page it opens agree (the web application serves these paths)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

STATUS_PATH = "/tiket/{number}"
SURVEY_PATH = "/survei/{number}"
DESK_TICKET_PATH = "/petugas/tiket/{number}"


# What `quote` and `urlencode` never change: a ticket's number, an access token.
_ALWAYS_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")


def _quoted(text: str) -> str:
    """``quote(text, safe="")``."""
    return text if _ALWAYS_SAFE.fullmatch(text) else quote(text, safe="")


def _join(public_url: str, path: str, token: str) -> str:
    query = f"k={token}" if _ALWAYS_SAFE.fullmatch(token) else urlencode({"k": token})
    return f"{public_url.rstrip('/')}{path}?{query}"


def status_url(public_url: str, number: str, token: str) -> str:
    """The reporter's status page of ticket ``number``, opened by its access token."""
    return _join(public_url, STATUS_PATH.format(number=_quoted(number)), token)


def survey_url(public_url: str, number: str, token: str) -> str:
    """The satisfaction survey for ticket ``number``, opened by its access token."""
    return _join(public_url, SURVEY_PATH.format(number=_quoted(number)), token)


def desk_url(public_url: str, number: str) -> str:
    """Ticket ``number``'s page on the staff desk (behind the staff login)."""
    return f"{public_url.rstrip('/')}{DESK_TICKET_PATH.format(number=_quoted(number))}"
