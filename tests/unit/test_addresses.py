"""Where the reporter's e-mails go: only to addresses that have shown they want our mail."""

from __future__ import annotations

import pytest

from notifier.policy import Notice, notices_for_event
from tests.unit.test_templates import events, office, ticket
from ticketing.addresses import (
    confirmed_at_registration,
    is_reporter_address,
    reporter_addresses,
    unconfirmed_email,
)
from ticketing.models import Ticket
from ticketing.workflow import Action, State

SENDER = "asing@luar.example.org"
VICTIM = "Korban@Example.ORG"


def filed(channel: str = "email", email: str = VICTIM, confirmed: str | None = None) -> Ticket:
    """A received ticket whose form names ``email``, e-mailed from SENDER (or taken by an
    officer on ``channel``)."""
    made = ticket(State.RECEIVED)
    made.channel, made.email = channel, email
    made.signature = SENDER if channel == "email" else "sari"
    made.email_confirmed = confirmed
    return made


@pytest.mark.parametrize(
    ("channel", "signature", "email", "confirmed"),
    [
        ("email", "budi@dinkes.go.id", "Budi@dinkes.go.id", "budi@dinkes.go.id"),
        ("email", SENDER, VICTIM, None),
        ("phone", "sari", VICTIM, "korban@example.org"),
        ("letter", "yoga", VICTIM, "korban@example.org"),
        ("web", "", VICTIM, None),
        ("email", SENDER, "", None),
    ],
)  # fmt: skip
def test_what_registering_confirms(
    channel: str, signature: str, email: str, confirmed: str | None
) -> None:
    """An officer's call or letter confirms the form's address, and so does an e-mail sent
    from that very address; another address named on an e-mailed or web form does not."""
    assert confirmed_at_registration(channel, signature, email) == confirmed


def test_an_unconfirmed_form_address_gets_nothing() -> None:
    """A stranger's e-mailed form naming someone else: only the stranger is written to."""
    stranger = filed()
    assert reporter_addresses(stranger) == [SENDER]
    assert unconfirmed_email(stranger) == VICTIM


def test_a_confirmed_form_address_gets_the_mail_with_the_sender() -> None:
    """Once confirmed, the form's address comes first, the sender stays."""
    confirmed = filed(confirmed="korban@example.org")
    assert reporter_addresses(confirmed) == [VICTIM, SENDER]
    assert unconfirmed_email(confirmed) is None


def test_a_corrected_address_needs_confirming_again() -> None:
    """Confirmation holds for the address confirmed: a form corrected to another address
    is not written to until that one is confirmed."""
    corrected = filed(email="baru@example.org", confirmed="korban@example.org")
    assert reporter_addresses(corrected) == [SENDER]


def test_phone_tickets_write_to_the_address_taken_down() -> None:
    """A call's ticket goes to its form's address, never to the officer who took it."""
    call = filed("phone", confirmed="korban@example.org")
    assert reporter_addresses(call) == [VICTIM]
    assert reporter_addresses(filed("phone")) == []


def test_both_reporter_addresses_may_write_to_the_ticket() -> None:
    """The sender and the form's address (confirmed or not) are the reporter; others not."""
    stranger = filed()
    assert is_reporter_address(stranger, SENDER)
    assert is_reporter_address(stranger, "korban@example.org")
    assert not is_reporter_address(stranger, "lain@example.org")
    assert not is_reporter_address(filed("phone"), "sari")


def to_reporter(notices: list[Notice]) -> list[Notice]:
    """The notices to the reporter (the help desk's copy of a new ticket left out)."""
    return [n for n in notices if n.to_reporter]


@pytest.mark.parametrize(
    "action", [Action.CREATE, Action.RESOLVE, Action.CLOSE], ids=lambda a: a.value
)
def test_every_reporter_e_mail_goes_to_verified_addresses_only(action: Action) -> None:
    """The acknowledgement, the final report and the closure go to the sender, never to the
    unconfirmed form's address; once it is confirmed, to both."""
    history = events(action)
    for confirmed, expected in ((None, [SENDER]), ("korban@example.org", [VICTIM, SENDER])):
        the_ticket = filed(confirmed=confirmed)
        the_ticket.state = history[-1].to_state
        [notice] = to_reporter(notices_for_event(office("id"), the_ticket, history[-1], history))
        assert [r.address for r in notice.to] == expected
        assert not notice.cc


def test_acknowledgement_says_the_form_address_is_not_written_to() -> None:
    """The sender learns that the form's address gets nothing until it answers us."""
    [notice] = to_reporter(notices_for_event(office("id"), filed(), events(Action.CREATE)[-1], []))
    assert notice.context["unconfirmed_email"] == VICTIM


def test_a_web_form_is_acknowledged_at_its_address_and_nothing_more() -> None:
    """A web ticket's acknowledgement goes to the form's address, as an automatic reply
    (capped per address); the address is not confirmed by it, so the next e-mail to the
    reporter (the Laporan Akhir) goes nowhere until its owner answers us."""
    from notifier.compose import AUTO_REPLIED

    web = filed("web")
    [create] = events(Action.CREATE)
    [ack, copy] = notices_for_event(office("id"), web, create, [create])
    assert copy.kind == "help_desk.new_ticket" and VICTIM not in [r.address for r in copy.to]
    assert [r.address for r in ack.to] == [VICTIM]
    assert ack.auto_submitted == AUTO_REPLIED
    assert ack.context["web_unconfirmed"] and ack.context["unconfirmed_email"] is None
    history = events(Action.RESOLVE)
    web.state = history[-1].to_state
    later = notices_for_event(office("id"), web, history[-1], history)
    assert not [n for n in later if n.to_reporter]


@pytest.mark.parametrize("language", ["id", "en"])
def test_acknowledgement_tells_how_to_confirm_the_form_address(language: str) -> None:
    """Text and HTML name the unconfirmed address and ask the sender to contact the help
    desk (an e-mail with the tag would prove nothing: anyone can write one); an
    acknowledgement to the form's own address says nothing of the kind."""
    from notifier.compose import render

    create = events(Action.CREATE)[-1]
    [notice] = to_reporter(notices_for_event(office(language), filed(), create, [create]))
    rendered = render(notice.kind, language, notice.context)
    contact = {"id": "hubungi Help Desk", "en": "contact the help desk"}[language]
    for body in (rendered.text, rendered.html):
        assert VICTIM in body and contact in body
        told = [line for line in body.splitlines() if VICTIM in line and contact in line]
        assert told and all("[TIK-2026-00012]" not in line for line in told)
    [own] = to_reporter(
        notices_for_event(office(language), ticket(State.RECEIVED), create, [create])
    )
    plain = render(own.kind, language, own.context).text
    assert "terkonfirmasi" not in plain and "not confirmed" not in plain
