"""The web application's addresses that e-mails link to. One place, so that an e-mail and
the page it opens agree (the web application serves these paths)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

STATUS_PATH = "/tiket/{number}"
SURVEY_PATH = "/survei/{number}"
DESK_TICKET_PATH = "/petugas/tiket/{number}"


def _join(public_url: str, path: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{path}?{urlencode({'k': token})}"


def status_url(public_url: str, number: str, token: str) -> str:
    """The reporter's status page of ticket ``number``, opened by its access token."""
    return _join(public_url, STATUS_PATH.format(number=quote(number, safe="")), token)


def survey_url(public_url: str, number: str, token: str) -> str:
    """The satisfaction survey for ticket ``number``, opened by its access token."""
    return _join(public_url, SURVEY_PATH.format(number=quote(number, safe="")), token)


def desk_url(public_url: str, number: str) -> str:
    """Ticket ``number``'s page on the staff desk (behind the staff login)."""
    return f"{public_url.rstrip('/')}{DESK_TICKET_PATH.format(number=quote(number, safe=''))}"
