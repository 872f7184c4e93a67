"""Routing on values: what becomes of a message, given what the store knows about it."""

from __future__ import annotations

import pytest

from intake.parse import InboundMessage, parse
from intake.route import (
    HELP_DESK,
    OFFICE,
    Automatic,
    Facts,
    NewSubmission,
    ReplyToSubmission,
    ReplyToTicket,
    route,
)
from ticketing.conversation import is_our_message_id


def message(sender: str = "budi@dinkes.example.go.id") -> InboundMessage:
    return parse(
        f"From: {sender}\nTo: helpdesk@example.go.id\nSubject: Internet mati\n"
        f"Message-ID: <m1@dinkes.example.go.id>\n\nNama OPD: Dinkes\n".encode()
    )


def test_our_own_address_is_never_a_submission_nor_a_reply() -> None:
    """Mail from the help desk's own address is archived, even in a ticket's thread."""
    for facts in (Facts(own_sender=OFFICE), Facts(own_sender=OFFICE, thread_ticket="TIK-1"),
                  Facts(own_sender=OFFICE, thread_submission=3)):  # fmt: skip
        decision = route(message("helpdesk@example.go.id"), facts)
        assert isinstance(decision, Automatic)
        assert decision.reason == "from our own address helpdesk@example.go.id"


def test_our_own_message_id_is_archived() -> None:
    """A message carrying one of our Message-IDs is our own mail come back."""
    decision = route(message(), Facts(own_message=True, thread_ticket="TIK-2026-00001"))
    assert isinstance(decision, Automatic) and "our own message" in decision.reason


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(own_sender=HELP_DESK, thread_ticket="TIK-2026-00001"), ReplyToTicket),
        (Facts(own_sender=HELP_DESK, tagged_ticket="TIK-2026-00001"), ReplyToTicket),
        (Facts(own_sender=HELP_DESK, thread_submission=4), Automatic),
        (Facts(own_sender=HELP_DESK), Automatic),
        (Facts(), NewSubmission),
        (Facts(thread_submission=4), ReplyToSubmission),
    ],
)
def test_a_help_desk_officer_joins_tickets_but_never_reports(facts: Facts, expected: type) -> None:
    """An officer's reply joins its ticket as today; their mail that joins no ticket (a new
    form, an answer to an incomplete report) is never made a ticket."""
    assert isinstance(route(message("sari@example.go.id"), facts), expected)


@pytest.mark.parametrize(
    ("message_id", "ours"),
    [
        ("<tik-2026-00001.0123456789abcdef0123456789abcdef@example.go.id>", True),
        ("<helpdesk.0123456789abcdef0123456789abcdef@Example.GO.ID>", True),
        ("<tik-2026-00001.0123456789abcdef0123456789abcdef@other.example.org>", False),
        ("<CAFx0123456789abcdef0123456789abcd@mail.gmail.com>", False),
        ("<1700000000.1234.5678901234567890@example.go.id>", False),  # make_msgid
        ("<2b7d3f1a-4c5e-4f7a-9b8c-0d1e2f3a4b5c@example.go.id>", False),  # Thunderbird
        ("<1234567.89.1606712345678.JavaMail.zimbra@example.go.id>", False),
        (None, False),
    ],
)
def test_our_message_ids_are_known_by_their_form(message_id: str | None, ours: bool) -> None:
    """Only the Message-IDs our own e-mails carry, at our domain, count as ours; a mail
    client's at the same domain does not."""
    assert is_our_message_id(message_id, "example.go.id") is ours


def test_the_message_ids_we_write_are_known_as_ours() -> None:
    """Every Message-ID the notifier writes, with or without a ticket, reads as ours."""
    import random

    from notifier.compose import new_message_id

    rng = random.Random(2026)
    for number in ("TIK-2026-00001", None, "PGD/2026/12"):
        message_id = new_message_id("example.go.id", number, rng=rng)
        assert is_our_message_id(message_id, "example.go.id")
