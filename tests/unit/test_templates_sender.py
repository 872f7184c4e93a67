"""The two notices to a sender whose mail is not processed: over the limits, or held."""

from __future__ import annotations

import pytest

from notifier.compose import render
from notifier.policy import held_notice, refused_notice
from tests.unit.test_templates import office

REASONS = [
    {"code": "message_size", "actual": "30.0 MB", "limit": "25.0 MB"},
    {
        "code": "attachment_size",
        "name": "foto <besar>.jpg",
        "actual": "12.0 MB",
        "limit": "10.0 MB",
    },
    {"code": "attachment_count", "actual": "14", "limit": "10"},
]


@pytest.mark.parametrize("language", ["id", "en"])
def test_refused_notice_names_every_limit_passed(language: str) -> None:
    """Each limit passed is named with its size, in the text and (escaped) in the HTML."""
    notice = refused_notice(
        office(language), address="budi@x.go.id", name="Budi", subject="Foto\r\nBcc: x@y",
        reasons=REASONS,
    )  # fmt: skip
    result = render(notice.kind, language, notice.context)
    assert "\n" not in result.subject and "\r" not in result.subject
    for value in ("30.0 MB", "25.0 MB", "12.0 MB", "14", "10"):
        assert value in result.text and value in result.html
    assert "foto <besar>.jpg" in result.text
    assert "foto &lt;besar&gt;.jpg" in result.html


@pytest.mark.parametrize("language", ["id", "en"])
def test_held_notice_says_how_many_and_that_nothing_is_lost(language: str) -> None:
    """The hold notice names the address and the count, and says the mail is kept."""
    notice = held_notice(office(language), address="budi@x.go.id", name=None, count=21)
    result = render(notice.kind, language, notice.context)
    for text in (result.text, result.html):
        assert "budi@x.go.id" in text and "21" in text
    assert ("tidak hilang" if language == "id" else "not lost") in result.text
    assert notice.auto_submitted == "auto-replied"
