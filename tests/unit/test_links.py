"""The addresses e-mails link to: the reporter's status page and survey."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from notifier.links import status_url, survey_url


def test_status_url_carries_the_token_as_k() -> None:
    url = status_url("https://helpdesk.example.go.id", "TIK-2026-00003", "abc_DEF-123")
    assert url == "https://helpdesk.example.go.id/tiket/TIK-2026-00003?k=abc_DEF-123"


def test_a_trailing_slash_in_public_url_makes_no_double_slash() -> None:
    url = survey_url("https://helpdesk.example.go.id/", "TIK-2026-00003", "t")
    assert url == "https://helpdesk.example.go.id/survei/TIK-2026-00003?k=t"


def test_a_number_format_with_a_slash_stays_one_path_segment() -> None:
    """[numbering] format is the office's: a "/" in it must not open another path."""
    url = status_url("http://127.0.0.1:8080", "TIK/2026/3", "t")
    assert url == "http://127.0.0.1:8080/tiket/TIK%2F2026%2F3?k=t"


@given(st.text(max_size=30), st.text(max_size=30))
def test_a_link_quotes_the_number_and_token_as_urllib_does(number: str, token: str) -> None:
    """The number and the token are written into a link as `quote` and `urlencode` write
    them, those that need no quoting taken as they are."""
    from urllib.parse import quote, urlencode

    expected = f"http://x.example/tiket/{quote(number, safe='')}?{urlencode({'k': token})}"
    assert status_url("http://x.example", number, token) == expected
