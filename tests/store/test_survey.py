"""The satisfaction survey on a real SQLite file: the one invitation in the closure e-mail
(share, min_days_between, once per ticket) and the one response per ticket, through the
service the web page and the e-mail reply both use."""

from __future__ import annotations

import dataclasses
import datetime as dt
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from helpdesk.config import load_config
from helpdesk.service import move_ticket, register_complaint
from helpdesk.wiring import Site
from notifier.outbox import email_bytes
from notifier.policy import Office
from tests.conftest import FORM
from tests.faults.support import configure
from ticketing.desk import Moved, Registered
from ticketing.models import OutboxEmail, Ticket
from ticketing.survey import (
    Profile,
    Recorded,
    Refusal,
    Refused,
    chosen,
    record_survey_response,
)
from ticketing.workflow import Action, Move

WIB = dt.timezone(dt.timedelta(hours=7))
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
ANSWER = (4, 4, 3, 4, 4, 4, 3, 4, 4)


def _closed(here: Site, now: dt.datetime = MONDAY, **changes: str) -> Ticket:
    """A telephone complaint, solved at first level and closed at ``now``."""
    outcome = register_complaint(
        here, {**FORM, **changes}, channel="phone", received_at=now, signature="sari",
        officer="sari", now=now,
    )  # fmt: skip
    assert isinstance(outcome, Registered), outcome
    number = outcome.ticket.number
    for action, note in ((Action.SOLVE, "Kabel diganti."), (Action.CLOSE, "Pelapor: sudah.")):
        moved = move_ticket(here, number, Move(action, "sari", note=note), now=now)
        assert isinstance(moved, Moved), moved
    with here.store.transaction() as tx:
        ticket = tx.ticket(number)
        assert ticket is not None
        return ticket


def _closure(here: Site, ticket: Ticket) -> list[OutboxEmail]:
    with here.store.transaction() as tx:
        return [e for e in tx.outbox(ticket=ticket) if e.kind == "reporter.closed"]


def _text(email: OutboxEmail, office: Office) -> str:
    parsed = message_from_bytes(email_bytes(email, office), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


def _invited(here: Site, ticket: Ticket) -> bool:
    assert ticket.id is not None
    with here.store.transaction() as tx:
        return tx.survey_invitation(ticket.id) is not None


def _site(site_dir: Path, settings: dict[str, object]) -> Site:
    """An initialised site with these lines of its config.toml changed."""
    configure(site_dir, settings)
    here = Site(load_config(site_dir / "config.toml"))
    here.init()
    return here


def test_the_closure_e_mail_invites_once_with_the_link_and_the_digits(site: Site) -> None:
    ticket = _closed(site)
    [closure] = _closure(site, ticket)
    text = _text(closure, site.office)
    assert "Survei Kepuasan Masyarakat" in text
    assert f"/survei/{ticket.number}?k={ticket.access_token}" in text
    assert "4 4 3 4 4 4 3 4 4" in text and "Waktu Penyelesaian" in text
    assert text.startswith("##- Mohon tulis balasan di atas baris ini -##")  # a reply is read
    assert _invited(site, ticket)


def test_no_link_without_a_public_address_but_the_reply_way_stays(site_dir: Path) -> None:
    here = _site(site_dir, {"web.public_url": ""})
    ticket = _closed(here)
    text = _text(_closure(here, ticket)[0], here.office)
    assert "/survei/" not in text and ticket.access_token not in text
    assert "Silakan balas e-mail ini" in text and "4 4 3 4 4 4 3 4 4" in text


def test_a_survey_turned_off_invites_nobody(site_dir: Path) -> None:
    here = _site(site_dir, {"survey.enabled": False})
    ticket = _closed(here)
    assert "Survei" not in _text(_closure(here, ticket)[0], here.office)
    assert not _invited(here, ticket)


def test_the_share_is_chosen_by_the_tickets_number(site_dir: Path) -> None:
    """Half the tickets: the same ones on every run, as `chosen` tells from the number."""
    site = _site(site_dir, {"survey.share": 0.5, "survey.min_days_between": 0})
    tickets = [_closed(site, email=f"p{i}@dinkes.example.go.id") for i in range(12)]
    invited = [_invited(site, t) for t in tickets]
    assert invited == [chosen(t.number, 0.5) for t in tickets]
    assert 0 < sum(invited) < len(tickets)
    for ticket, yes in zip(tickets, invited, strict=True):
        assert ("Survei Kepuasan" in _text(_closure(site, ticket)[0], site.office)) == yes


def test_the_choice_is_a_fixed_function_of_the_number() -> None:
    numbers = [f"TIK-2026-{n:05d}" for n in range(1, 401)]
    assert [chosen(n, 0.3) for n in numbers] == [chosen(n, 0.3) for n in numbers]
    assert 80 < sum(chosen(n, 0.3) for n in numbers) < 160
    assert all(chosen(n, 1.0) for n in numbers) and not any(chosen(n, 0.0) for n in numbers)


def test_a_reporter_who_did_not_answer_is_not_asked_again_within_the_days(site: Site) -> None:
    first = _closed(site)
    ten_days = _closed(site, now=MONDAY + dt.timedelta(days=10))
    a_month = _closed(site, now=MONDAY + dt.timedelta(days=31))
    assert [_invited(site, t) for t in (first, ten_days, a_month)] == [True, False, True]
    assert "Survei" not in _text(_closure(site, ten_days)[0], site.office)


def test_a_reporter_who_answered_is_asked_again_for_the_next_ticket(site: Site) -> None:
    first = _closed(site)
    with site.store.transaction() as tx:
        outcome = record_survey_response(
            tx, site.survey, first, first.access_token, ANSWER, channel="web", now=MONDAY
        )
    assert isinstance(outcome, Recorded)
    second = _closed(site, now=MONDAY + dt.timedelta(days=3))
    assert _invited(site, second)


def test_another_reporter_is_asked_whatever_the_first_did(site: Site) -> None:
    _closed(site)
    other = _closed(site, now=MONDAY + dt.timedelta(days=1), email="rina@dinsos.example.go.id")
    assert _invited(site, other)


# --- the response -----------------------------------------------------------------------


def _answer(
    here: Site, ticket: Ticket, token: str | None = None, scores: tuple = ANSWER, **kw: object
) -> Recorded | Refused:
    with here.store.transaction() as tx:
        fresh = tx.ticket(ticket.number)
        assert fresh is not None
        return record_survey_response(
            tx, here.survey, fresh, ticket.access_token if token is None else token, scores,
            channel=str(kw.pop("channel", "web")), now=MONDAY + dt.timedelta(hours=3),
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip


def test_a_response_is_recorded_with_the_forms_sex(site: Site) -> None:
    ticket = _closed(site)
    profile = Profile(age_band="35-44", education="D4-S1", occupation="PNS")
    outcome = _answer(site, ticket, saran="  Lebih cepat lagi.  ", profile=profile)
    assert isinstance(outcome, Recorded)
    response = outcome.response
    assert response.scores == ANSWER and response.saran == "Lebih cepat lagi."
    assert (response.sex, response.age_band, response.education) == ("L", "35-44", "D4-S1")


def test_the_token_is_required(site: Site) -> None:
    ticket = _closed(site)
    for token in ("", "x" * len(ticket.access_token), ticket.access_token.upper() + "!"):
        outcome = _answer(site, ticket, token)
        assert isinstance(outcome, Refused) and outcome.reason == Refusal.WRONG_TOKEN
    other = _closed(site, email="rina@dinsos.example.go.id")
    outcome = _answer(site, ticket, other.access_token)
    assert isinstance(outcome, Refused) and outcome.reason == Refusal.WRONG_TOKEN
    with site.store.transaction() as tx:
        assert ticket.id is not None and tx.survey_response(ticket.id) is None


def test_a_second_answer_changes_nothing_and_says_so(site: Site) -> None:
    ticket = _closed(site)
    assert isinstance(_answer(site, ticket), Recorded)
    second = _answer(site, ticket, scores=(1,) * 9, saran="Ganti jawaban")
    assert isinstance(second, Refused) and second.reason == Refusal.ALREADY_ANSWERED
    assert "sudah dijawab" in second.message("id") and "already" in second.message("en")
    with site.store.transaction() as tx:
        assert ticket.id is not None
        stored = tx.survey_response(ticket.id)
        assert stored is not None and stored.scores == ANSWER and stored.saran == ""


def test_only_a_closed_ticket_is_surveyed(site: Site) -> None:
    outcome = register_complaint(
        site, FORM, channel="phone", received_at=MONDAY, signature="sari", officer="sari",
        now=MONDAY,
    )  # fmt: skip
    assert isinstance(outcome, Registered)
    ticket = outcome.ticket
    move_ticket(site, ticket.number, Move(Action.SOLVE, "sari", note="Diganti."), now=MONDAY)
    outcome = _answer(site, ticket)
    assert isinstance(outcome, Refused) and outcome.reason == Refusal.NOT_CLOSED


@pytest.mark.parametrize(
    "scores",
    [(4,) * 8, (4,) * 10, (5, 4, 4, 4, 4, 4, 4, 4, 4), (0,) * 9, (None,) * 9, (True,) * 9],
)
def test_scores_outside_one_to_four_are_refused(site: Site, scores: tuple) -> None:
    outcome = _answer(site, _closed(site), scores=scores)
    assert isinstance(outcome, Refused) and outcome.reason == Refusal.INVALID


def test_elements_may_be_left_unanswered(site: Site) -> None:
    outcome = _answer(site, _closed(site), scores=(4, None, 3, 4, None, 4, 3, 4, 4))
    assert isinstance(outcome, Recorded)
    assert outcome.response.scores == (4, None, 3, 4, None, 4, 3, 4, 4)


def test_a_profile_value_outside_the_choices_is_refused(site: Site) -> None:
    outcome = _answer(site, _closed(site), profile=Profile(education="SMA kelas 2"))
    assert isinstance(outcome, Refused) and outcome.reason == Refusal.INVALID


def test_a_survey_turned_off_takes_no_answer(site: Site) -> None:
    ticket = _closed(site)
    site.__dict__["survey"] = dataclasses.replace(site.survey, enabled=False)
    outcome = _answer(site, ticket)
    assert isinstance(outcome, Refused) and outcome.reason == Refusal.DISABLED


def test_the_database_holds_one_response_per_ticket_and_scores_in_range(site: Site) -> None:
    from sqlalchemy import text

    ticket = _closed(site)
    assert isinstance(_answer(site, ticket), Recorded)
    columns = "ticket_id, channel, answered_at, saran, u1"
    with pytest.raises(IntegrityError), site.store.transaction() as tx:
        tx.session.execute(
            text(f"INSERT INTO survey_response ({columns}) VALUES (:t, 'web', :at, '', 4)"),
            {"t": ticket.id, "at": MONDAY},
        )
    other = _closed(site, email="rina@dinsos.example.go.id")
    with pytest.raises(IntegrityError), site.store.transaction() as tx:
        tx.session.execute(
            text(f"INSERT INTO survey_response ({columns}) VALUES (:t, 'web', :at, '', 7)"),
            {"t": other.id, "at": MONDAY},
        )
