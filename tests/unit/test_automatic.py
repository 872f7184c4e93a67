"""Automatic and list mail on header values: what is never answered, and why."""

from __future__ import annotations

import pytest

from intake.automatic import automatic_reason, is_no_reply, mailing_list, suppressed_replies
from intake.parse import parse
from intake.route import Automatic, Facts, route


def reason(headers: dict[str, str], sender: str | None = "budi@dinkes.example.go.id") -> str | None:
    return automatic_reason(
        headers, from_address=sender, subject="Internet mati", content_type="text/plain"
    )


@pytest.mark.parametrize(
    ("value", "suppressed"),
    [
        ("All", True),
        ("all", True),
        ("AutoReply", True),
        ("OOF", True),
        ("DR, OOF", True),
        ("OOF, DR, RN, NRN, AutoReply", True),
        ("-1", True),
        ("None", False),
        ("DR", False),
        ("NDR", False),
        ("RN, NRN", False),
        ("DR, NDR, RN, NRN", False),
        ("", False),
    ],
)
def test_auto_response_suppress_values(value: str, suppressed: bool) -> None:
    """All, AutoReply and OOF ask for no automatic reply; None and the delivery/read report
    flags (DR, NDR, RN, NRN) do not."""
    assert (suppressed_replies(value) is not None) is suppressed
    assert (reason({"x-auto-response-suppress": value}) is not None) is suppressed


@pytest.mark.parametrize(
    "address",
    ["noreply@example.go.id", "no-reply@example.go.id", "no_reply@example.go.id",
     "NoReply@Example.org", "no.reply@example.org", "donotreply@example.org",
     "do-not-reply@example.org", "do_not_reply@example.org", "dont-reply@example.org",
     "noreply-dmarc-support@google.com", "no-reply+bounce@example.org", "noreplies@example.org"],
)  # fmt: skip
def test_no_reply_senders(address: str) -> None:
    """Every usual spelling of a no-reply sender is recognised."""
    assert is_no_reply(address)
    assert reason({}, sender=address) == "no-reply sender"


@pytest.mark.parametrize(
    "address",
    ["budi@example.go.id", "noreen@example.org", "reply@example.org", "noreplyall.budi@x.org",
     "replies@example.org", "norman.reply@example.org", "info@example.go.id", None],
)  # fmt: skip
def test_people_are_not_no_reply_senders(address: str | None) -> None:
    """Addresses that only look alike are a person's."""
    assert not is_no_reply(address)
    assert reason({}, sender=address) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"list-unsubscribe": "<https://x.example/u>"}, "bulk mail: List-Unsubscribe"),
        ({"feedback-id": "a:b:c"}, "bulk mail: Feedback-ID"),
        ({"precedence": "Bulk"}, "Precedence: bulk"),
        ({"precedence": "junk"}, "Precedence: junk"),
        ({"precedence": "list"}, "Precedence: list"),
        ({"precedence": "normal"}, None),
    ],
)
def test_bulk_headers(headers: dict[str, str], expected: str | None) -> None:
    """Each bulk sign gives its reason; an ordinary Precedence none."""
    assert reason(headers) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"list-id": "Forum <forum.lists.example.go.id>"}, "Forum <forum.lists.example.go.id>"),
        ({"mailing-list": "contact forum-help@example.org"}, "contact forum-help@example.org"),
        ({"list-post": "<mailto:forum@lists.example.go.id>"},
         "List-Post: <mailto:forum@lists.example.go.id>"),
        ({"list-help": "<mailto:forum-help@example.org>"},
         "List-Help: <mailto:forum-help@example.org>"),
        ({"list-id": "", "list-post": "NO"}, "List-Post: NO"),
        ({}, None),
    ],
)  # fmt: skip
def test_mailing_list_headers(headers: dict[str, str], expected: str | None) -> None:
    """List-Id names the list; without it, any RFC 2369 list header does."""
    assert mailing_list(headers) == expected


def test_list_post_with_only_unsubscribe_and_post_is_never_answered() -> None:
    """A list post that carries only List-Unsubscribe and List-Post is routed as automatic."""
    raw = (
        b"From: Anggota Forum <anggota@example.org>\nTo: forum@lists.example.go.id\n"
        b"Subject: Rapat koordinasi\nMessage-ID: <p1@example.org>\n"
        b"List-Unsubscribe: <mailto:forum-leave@lists.example.go.id>\n"
        b"List-Post: <mailto:forum@lists.example.go.id>\n\nNama OPD: Dinkes\n"
    )
    decision = route(parse(raw), Facts())
    assert isinstance(decision, Automatic)
