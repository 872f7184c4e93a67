"""The satisfaction survey's page (/survei/<number>?k=<token>): the nine questions of
PermenPANRB 14/2017 on one screen, the optional profile and saran, recorded through
`ticketing.survey.record_survey_response` as the e-mail answer is.

- The token is the ticket's access token, as on the status page; a missing or wrong one
  is the same not-found page.
- Only a closed ticket whose closure e-mail invited to the survey can be answered; the
  page says so otherwise.
- Each question may be left out (NRR divides by those who answered it); at least one is
  answered. The profile and the saran are optional; the sex is the form's.
- A value the page does not offer is refused in one message, the rest of the answers shown
  back as they were sent, and nothing recorded. A second answer changes nothing and says
  the first one stands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.display import long_time
from helpdesk.web.app import Web
from helpdesk.web.public import ticket_for
from notifier import links
from notifier.policy import sapaan
from ticketing.ikm import ELEMENTS, SCALE
from ticketing.models import Ticket
from ticketing.normalize import SEX_LABELS
from ticketing.survey import (
    PROFILE_CHOICES,
    SARAN_MAX,
    Profile,
    Recorded,
    Refusal,
    Refused,
    Standing,
    record_survey_response,
    standing,
)
from ticketing.workflow import State

# The form's fields: an element's score, then the profile's questions by their field name.
SCORE = "u{n}"
PROFILE_FIELDS = {"age_band": "usia", "education": "pendidikan", "occupation": "pekerjaan"}
SARAN = "saran"


def routes(web: Web) -> list[Route]:
    async def survei(request: Request) -> Response:
        number = request.path_params["number"]
        if request.method == "POST":
            return await _answer(web, request, number)
        return _show(web, request, number, request.query_params.get("k", ""))

    return [Route("/survei/{number:path}", survei, methods=["GET", "POST"])]


def _show(web: Web, request: Request, number: str, token: str) -> Response:
    here = web.site
    with here.reader.transaction() as tx:
        ticket = ticket_for(web, tx, number, token)
        if ticket is None:
            return web.error(request, 404, "not_found_title", "not_found")
        now_standing = standing(tx, here.survey, ticket)
        earlier = tx.survey_response(ticket.id) if ticket.id is not None else None
    if now_standing == Standing.ANSWERED and earlier is not None:
        answered = long_time(earlier.answered_at, here.config)
        return _closed_page(web, request, ticket, token, web.t["survey_answered"].format(
            sapaan=sapaan(web.language, ticket.sex), at=answered), ok=True)  # fmt: skip
    if now_standing == Standing.NONE:
        return _closed_page(web, request, ticket, token, _why_not(web, ticket))
    return _form(web, request, ticket, token, {}, {})


def _why_not(web: Web, ticket: Ticket) -> str:
    """Why this ticket's survey cannot be answered (it is not answered either)."""
    if not web.site.survey.enabled:
        reason = Refusal.DISABLED
    elif ticket.state != State.CLOSED.value:
        reason = Refusal.NOT_CLOSED
    else:
        reason = Refusal.NOT_INVITED
    return Refused(reason).message(web.language)


async def _answer(web: Web, request: Request, number: str) -> Response:
    here = web.site
    t = web.t
    async with request.form(max_files=0, max_fields=30) as form:
        token = _text(form, "k")
        sent = {key: _text(form, key) for key in _field_names()}
    with here.reader.transaction() as tx:
        ticket = ticket_for(web, tx, number, token)
    if ticket is None:
        return web.error(request, 404, "not_found_title", "not_found")
    scores, profile, saran, problems = _read(web, sent)
    if problems:
        return _form(web, request, ticket, token, sent, problems, status=422)
    now = here.now()
    try:
        with here.store.transaction() as tx:
            fresh = tx.ticket(ticket.number)
            assert fresh is not None  # a ticket is never deleted
            outcome: Recorded | Refused = record_survey_response(
                tx, here.survey, fresh, token, scores, saran, profile, channel="web", now=now
            )
    except IntegrityError:  # an answer recorded meanwhile (a second click, the e-mail path):
        outcome = Refused(Refusal.ALREADY_ANSWERED)  # the database's one response per ticket
    if isinstance(outcome, Recorded):
        return _closed_page(web, request, ticket, token, t["survey_thanks"].format(
            sapaan=sapaan(web.language, ticket.sex)), ok=True)  # fmt: skip
    if outcome.reason == Refusal.WRONG_TOKEN:  # the token checked above: not reached
        return web.error(request, 404, "not_found_title", "not_found")
    if outcome.reason == Refusal.INVALID:
        return _form(web, request, ticket, token, sent, {"": outcome.message(web.language)},
                     status=422)  # fmt: skip
    # Already answered (the first answer stands), not closed, not invited, survey off.
    return _closed_page(web, request, ticket, token, outcome.message(web.language), status=409)


def _field_names() -> list[str]:
    return [
        *(SCORE.format(n=n) for n in range(1, len(ELEMENTS) + 1)),
        *PROFILE_FIELDS.values(),
        SARAN,
    ]


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _read(web: Web, sent: dict[str, str]) -> tuple[list[int | None], Profile, str, dict[str, str]]:
    """The answers as sent: scores (None unanswered), the profile, the saran, and a problem
    per field that holds what the page does not offer ("" for the whole form)."""
    t = web.t
    problems: dict[str, str] = {}
    scores: list[int | None] = []
    for n in range(1, len(ELEMENTS) + 1):
        field = SCORE.format(n=n)
        raw = sent[field].strip()
        if not raw:
            scores.append(None)
        elif raw in {str(score) for score in SCALE}:
            scores.append(int(raw))
        else:
            scores.append(None)
            problems[field] = t["survey_bad_score"].format(n=n)
    chosen: dict[str, str | None] = {}
    for key, field in PROFILE_FIELDS.items():
        raw = sent[field].strip()
        codes = {code for code, _, _ in PROFILE_CHOICES[key]}
        if raw and raw not in codes:
            problems[field] = t["survey_bad_choice"]
        chosen[key] = raw if raw in codes else None
    saran = sent[SARAN].strip()
    if len(saran) > SARAN_MAX:
        problems[SARAN] = t["survey_saran_long"].format(max=SARAN_MAX)
    if not problems and all(score is None for score in scores):
        problems[""] = t["survey_none_answered"]
    return scores, Profile(**chosen), saran, problems


def _form(
    web: Web, request: Request, ticket: Ticket, token: str, sent: dict[str, str],
    problems: dict[str, str], status: int = 200,
) -> Response:  # fmt: skip
    language = web.language
    t = web.t
    word = sapaan(language, ticket.sex)
    elements = [
        {
            "n": n,
            "field": SCORE.format(n=n),
            "code": element.code,
            "name": element.name(language),
            "question": element.question(language, word),
            "answers": list(zip(SCALE, element.labels(language), strict=True)),
            "value": sent.get(SCORE.format(n=n), "").strip(),
            "problem": problems.get(SCORE.format(n=n), ""),
        }
        for n, element in enumerate(ELEMENTS, 1)
    ]
    profile = [
        {
            "field": field,
            "label": t[f"survey_{key}"],
            "choices": [
                (code, label_en if language == "en" else label_id)
                for code, label_id, label_en in PROFILE_CHOICES[key]
            ],
            "value": sent.get(field, "").strip(),
            "problem": problems.get(field, ""),
        }
        for key, field in PROFILE_FIELDS.items()
    ]
    summary = problems.get("") or (t["survey_problems"] if problems else "")
    return web.render(
        request, "survei.html.j2", status=status, number=ticket.number, token=token,
        sapaan=word, elements=elements, profile=profile, sex=_sex(language, ticket.sex),
        saran=sent.get(SARAN, ""), saran_problem=problems.get(SARAN, ""), saran_max=SARAN_MAX,
        summary=summary, status_link=links.status_url("", ticket.number, token),
    )  # fmt: skip


def _sex(language: str, sex: str | None) -> str:
    if not sex:
        return ""
    if language == "en":
        return {"L": "Male", "P": "Female"}.get(sex, sex)
    return SEX_LABELS.get(sex, sex)


def _closed_page(
    web: Web, request: Request, ticket: Ticket, token: str, message: str, *, ok: bool = False,
    status: int = 200,
) -> Response:  # fmt: skip
    """The survey page without its form: thanks, or why it cannot be answered."""
    values: dict[str, Any] = {
        "number": ticket.number,
        "message": message,
        "ok": ok,
        "status_link": links.status_url("", ticket.number, token),
    }
    return web.render(request, "survei-done.html.j2", status=status, **values)
