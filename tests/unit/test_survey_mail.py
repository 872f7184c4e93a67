"""The closure e-mail's invitation to the satisfaction survey, in both languages, rendered
from the real policy's context: the link with the ticket's token, the nine questions with
their answers, and the reply way, in an e-mail that opens with the reply marker."""

from __future__ import annotations

import dataclasses

import pytest

from notifier.compose import render
from notifier.policy import Notice, Office, notices_for_event
from tests.unit.test_templates import PUBLIC_URL, events, office, ticket
from ticketing.conversation import REPLY_MARKERS
from ticketing.ikm import ELEMENTS
from ticketing.workflow import Action, State

TOKEN = "Qx7_tokenOfTheTicket-9"


def closure(the_office: Office, *, invited: bool) -> Notice:
    closed = ticket(State.CLOSED)
    closed.access_token = TOKEN
    history = events(Action.CLOSE)
    (found,) = notices_for_event(the_office, closed, history[-1], history, invited=invited)
    return found


def test_the_questions_ask_the_reporter_as_the_e_mail_addresses_him() -> None:
    """The Indonesian questions say "pendapat Bapak" to Bapak Budi, never "Anda"; without an
    e-mail's reader they keep the regulation's "Saudara"."""
    found = closure(office("id"), invited=True)
    text = render(found.kind, "id", found.context).text
    assert "Bagaimana pendapat Bapak tentang kecepatan waktu penyelesaian pengaduan Bapak?" in text
    assert "Anda" not in text
    assert ELEMENTS[2].question("id").startswith("Bagaimana pendapat Saudara tentang")


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_invitation_carries_the_link_the_questions_and_the_reply_way(language: str) -> None:
    found = closure(office(language), invited=True)
    assert found.kind == "reporter.closed"
    result = render(found.kind, language, found.context)
    link = f"{PUBLIC_URL}/survei/TIK-2026-00012?k={TOKEN}"
    for part in (result.text, result.html):
        assert link in part and "4 4 3 4 4 4 3 4 4" in part
        for element in ELEMENTS:
            assert element.name(language) in part
            assert element.question(language, "Bapak") in part.replace("&#39;", "'")
            for label in element.labels(language):
                assert label in part.replace("&#39;", "'")
    assert result.text.splitlines()[0] == REPLY_MARKERS[language]
    said = "Survei Kepuasan Masyarakat" if language == "id" else "Satisfaction survey"
    assert said in result.text


@pytest.mark.parametrize("language", ["id", "en"])
def test_without_a_public_address_only_the_reply_way(language: str) -> None:
    plain = office(language)
    settings = dataclasses.replace(plain.settings, public_url="")
    found = closure(dataclasses.replace(plain, settings=settings), invited=True)
    result = render(found.kind, language, found.context)
    for part in (result.text, result.html):
        assert "/survei/" not in part and TOKEN not in part
        assert "4 4 3 4 4 4 3 4 4" in part


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_closure_without_invitation_says_nothing_of_the_survey(language: str) -> None:
    found = closure(office(language), invited=False)
    result = render(found.kind, language, found.context)
    for part in (result.text, result.html):
        assert "/survei/" not in part and "4 4 3 4 4 4 3 4 4" not in part
    assert result.text.splitlines()[0] != REPLY_MARKERS[language]


@pytest.mark.parametrize(("sex", "word"), [("L", "Bapak"), ("P", "Ibu"), ("", "Bapak/Ibu")])
def test_the_questions_address_the_reporter_as_the_greeting_does(sex: str, word: str) -> None:
    """The Indonesian questions say Bapak or Ibu as the greeting settled it (Bapak/Ibu only
    without the form's sex), never "Anda" (docs/BAHASA.md)."""
    closed = ticket(State.CLOSED, sex=sex)
    closed.access_token = TOKEN
    history = events(Action.CLOSE)
    (found,) = notices_for_event(office("id"), closed, history[-1], history, invited=True)
    result = render(found.kind, "id", found.context)
    for part in (result.text, result.html):
        assert "Anda" not in part
        assert f"Bagaimana pendapat {word} tentang kecepatan waktu penyelesaian" in part
        assert f"pengaduan {word}?" in part
