"""The reporter's pages, without an account: the Formulir (/lapor), the status page
(/tiket/<number>?k=<token>, with the satisfaction survey's link once the ticket is closed)
and the link by e-mail (/lacak). The survey's own page is `helpdesk.web.survey`."""

from __future__ import annotations

import datetime as dt
import mimetypes
import secrets

from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.display import long_time
from helpdesk.service import move_in, register_complaint
from helpdesk.web.app import Web
from notifier import links
from notifier.outbox import queue
from notifier.policy import (
    STEP_NAMES,
    form_rows,
    sapaan,
    status_link_notice,
    timeline,
)
from ticketing.desk import Moved, Registered
from ticketing.files import archive_bytes
from ticketing.formulir import Incomplete
from ticketing.models import Event, Ticket
from ticketing.normalize import CATEGORY_LABELS_EN
from ticketing.store import Tx
from ticketing.survey import standing
from ticketing.workflow import STATE_LABELS, Action, Move, Rejected, State, current_step

OTHER_AGENCY = "__lainnya__"
HONEYPOT = "website"
ATTACHMENT = "lampiran"
FORM_ID = "form_id"
HOUR = dt.timedelta(hours=1)


def routes(web: Web) -> list[Route]:
    async def lapor(request: Request) -> Response:
        if request.method == "GET":
            return _form_page(web, request, {}, {}, secrets.token_urlsafe(16))
        return await _submit(web, request)

    async def tiket(request: Request) -> Response:
        return await _status(web, request, request.path_params["number"])

    async def lacak(request: Request) -> Response:
        return await _track(web, request)

    return [
        Route("/lapor", lapor, methods=["GET", "POST"]),
        Route("/tiket/{number:path}", tiket, methods=["GET", "POST"]),
        Route("/lacak", lacak, methods=["GET", "POST"]),
    ]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def over_limit(web: Web, kind: str, key: str, limit: int, now: dt.datetime) -> bool:
    """Count this request; whether it is beyond ``limit`` in the last hour (then it is
    refused, and counted all the same)."""
    with web.site.store.transaction() as tx:
        tx.forget_hits_before(now - dt.timedelta(days=1))
        seen = tx.count_hits(kind, key, now - HOUR)
        tx.add_hit(kind, key, now)
    return seen >= limit


# --- /lapor ------------------------------------------------------------------------------


def _choices(web: Web, key: str, choices: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    if web.language == "en":
        if key == "sex":
            return [(v, {"L": "Male", "P": "Female"}.get(v, s)) for v, s in choices]
        if key == "category":
            return [(v, CATEGORY_LABELS_EN.get(v, s)) for v, s in choices]
    return list(choices)


def _form_page(
    web: Web, request: Request, values: dict[str, str], problems: dict[str, str], form_id: str,
    status: int = 200,
) -> Response:  # fmt: skip
    t = web.t
    fields = []
    for field in web.site.desk.fields:
        fields.append(
            {
                "key": field.key,
                "label": field.label if web.language == "id" else field.label_en,
                "help": t.get(f"help_{field.key}", ""),
                "choices": _choices(web, field.key, field.choices),
                "multiline": field.multiline,
                "value": values.get(field.key, ""),
                "problem": problems.get(field.key, ""),
            }
        )
    agencies = [a.name for a in web.site.config.agency_list()]
    agency = values.get("agency", "")
    other = values.get("agency_other", "")
    if agency and agencies and agency not in agencies and agency != OTHER_AGENCY:
        other, agency = agency, OTHER_AGENCY  # a name typed in, kept as typed
    mb = max(1, web.max_attachment // (1024 * 1024))
    return web.render(
        request, "lapor.html.j2", status=status, fields=fields, agencies=agencies,
        agency_choice=agency, agency_other=other, other_value=OTHER_AGENCY, form_id=form_id,
        problems=problems, mb=mb, attachment_problem=problems.get(ATTACHMENT, ""),
        now=long_time(web.site.now(), web.site.config),
    )  # fmt: skip


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


async def _submit(web: Web, request: Request) -> Response:
    here = web.site
    now = here.now()
    if over_limit(web, "form", client_address(request), here.config.web.forms_per_hour, now):
        return web.error(request, 429, "flooded_title", "flooded")
    async with request.form(max_files=2, max_fields=40) as form:
        if _text(form, HONEYPOT).strip():
            return web.error(request, 400, "forbidden_title", "honeypot")
        form_id = _text(form, FORM_ID).strip()[:64] or secrets.token_urlsafe(16)
        with here.reader.transaction() as tx:
            earlier = tx.web_submission(form_id)
        if earlier is not None:  # sent twice: the first one is the complaint
            return _registered_page(web, request, earlier)
        values = {f.key: _text(form, f.key) for f in here.desk.fields}
        values["agency_other"] = _text(form, "agency_other")
        raw: dict[str, str | None] = {f.key: values[f.key] for f in here.desk.fields}
        if raw["agency"] == OTHER_AGENCY:
            raw["agency"] = values["agency_other"]
        problems: dict[str, str] = {}
        upload = form.get(ATTACHMENT)
        payload: bytes | None = None
        if isinstance(upload, UploadFile) and upload.filename:
            payload = await upload.read(web.max_attachment + 1)
            mb = max(1, web.max_attachment // (1024 * 1024))
            if len(payload) > web.max_attachment:
                problems[ATTACHMENT] = web.t["attachment_too_big"].format(mb=mb)
            elif not payload:
                problems[ATTACHMENT] = web.t["attachment_empty"]
        filename = upload.filename if isinstance(upload, UploadFile) and upload.filename else ""
    from ticketing.formulir import check_formulir

    checked = check_formulir(raw, here.desk.fields)
    if isinstance(checked, Incomplete):
        for problem in checked.problems:
            problems[problem.key] = (
                problem.message_id if web.language == "id" else problem.message_en
            )
    if problems:
        return _form_page(web, request, values, problems, form_id, status=422)

    archive_dir = here.config.path(here.config.paths.archive_dir)

    # A file archived for a transaction that fails goes with it (`ticketing.undo`).
    def also(tx: Tx, registered: Registered) -> None:
        assert registered.ticket.id is not None
        tx.add_web_submission(form_id, registered.ticket.id, now)
        if payload:
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            attachment = archive_bytes(
                payload, filename[:200], content_type, archive_dir, registered.ticket, now
            )
            tx.add_attachment(attachment)

    try:
        outcome = register_complaint(
            here, raw, channel="web", received_at=now, signature=raw["email"] or "",
            now=now, also=also,
        )  # fmt: skip
    except IntegrityError:  # the same form, registered meanwhile by a second click
        with here.reader.transaction() as tx:
            earlier = tx.web_submission(form_id)
        if earlier is None:
            raise
        return _registered_page(web, request, earlier)
    if isinstance(outcome, Incomplete):  # checked above; the rule is the same
        problems = {
            p.key: p.message_id if web.language == "id" else p.message_en for p in outcome.problems
        }
        return _form_page(web, request, values, problems, form_id, status=422)
    if isinstance(outcome, Rejected):
        raise RuntimeError(outcome.message)
    return _registered_page(web, request, outcome.ticket)


def _registered_page(web: Web, request: Request, ticket: Ticket) -> Response:
    config = web.site.config
    link = links.status_url(config.web.public_url, ticket.number, ticket.access_token)
    return web.render(
        request, "registered.html.j2", number=ticket.number,
        due=long_time(ticket.due_at, config), link=link, email=ticket.email,
        sapaan=sapaan(web.language, ticket.sex),
    )  # fmt: skip


# --- /tiket/<number>?k=<token> -----------------------------------------------------------


def ticket_for(web: Web, tx: Tx, number: str, token: str) -> Ticket | None:
    """The ticket, only for its own token: a wrong one is the same as no ticket."""
    ticket = tx.ticket(number)
    if ticket is None or not token:
        return None
    if not secrets.compare_digest(ticket.access_token.encode(), token.encode()):
        return None
    return ticket


async def _status(web: Web, request: Request, number: str) -> Response:
    here = web.site
    t = web.t
    message = ""
    problem = ""
    status = 200
    if request.method == "POST":
        async with request.form(max_files=0, max_fields=10) as form:
            token = _text(form, "k")
            action = _text(form, "aksi")
            text = _text(form, "keterangan").strip()
        now = here.now()
        with here.store.transaction() as tx:
            ticket = ticket_for(web, tx, number, token)
            if ticket is None:
                return web.error(request, 404, "not_found_title", "not_found")
            message, problem = _reporter_move(web, tx, ticket, action, text, now)
        status = 200 if message else 409 if problem == t["not_now"] else 422
    else:
        token = request.query_params.get("k", "")
    with here.reader.transaction() as tx:
        ticket = ticket_for(web, tx, number, token)
        if ticket is None:
            return web.error(request, 404, "not_found_title", "not_found")
        events = tx.events(ticket)
        survey = standing(tx, here.survey, ticket)
    office = here.office
    config = here.config
    state = State(ticket.state)
    step = current_step(state)
    awaited = ""
    if ticket.paused_at is not None:
        pauses = [e for e in events if e.action == Action.PAUSE.value]
        awaited = pauses[-1].note if pauses else ""
    return web.render(
        request, "status.html.j2", status=status, number=ticket.number, token=token,
        step=t["status_step_text"].format(step=step, name=STEP_NAMES[web.language][step]),
        state=STATE_LABELS[web.language][state], due=long_time(ticket.due_at, config)
        if ticket.due_at and state != State.CLOSED else "",
        paused=long_time(ticket.paused_at, config) if ticket.paused_at else "",
        closed=long_time(ticket.closed_at, config) if ticket.closed_at else "",
        solution=ticket.solution or "", form=form_rows(office, ticket),
        received=long_time(ticket.received_at, config),
        timeline=_public_timeline(web, ticket, events),
        resolved=state == State.RESOLVED and ticket.paused_at is None,
        awaited=awaited, message=message, problem=problem, sapaan=sapaan(web.language, ticket.sex),
        survey=survey.value, survey_link=links.survey_url("", ticket.number, token),
    )  # fmt: skip


def _public_timeline(web: Web, ticket: Ticket, events: list[Event]) -> list[dict[str, str]]:
    """The timeline as the Laporan Akhir shows the reporter (no internal notes), each row
    saying who did what, from the complaint's receipt on."""
    return timeline(web.site.office, events, for_reporter=True, ticket=ticket)


def _reporter_move(
    web: Web, tx: Tx, ticket: Ticket, action: str, text: str, now: dt.datetime
) -> tuple[str, str]:
    """The reporter's answer on the status page, as the same moves as their e-mail reply:
    "Sudah selesai" closes, "Belum selesai" reopens with the reason, an answer while the
    ticket waits on them is their note and starts the clock again. (message, problem)."""
    t = web.t
    here = web.site
    who = ticket.email.strip().lower() or ticket.signature
    resolved = ticket.state == State.RESOLVED.value and ticket.paused_at is None
    if action == "selesai" and resolved:
        request = Move(Action.CLOSE, who, note=t["confirmed_note"], channel="web", reporter=True)
        done = t["confirmed"]
    elif action == "belum" and resolved:
        if not text:
            return "", t["reopen_needs_reason"]
        request = Move(Action.REOPEN, who, note=text, channel="web", reporter=True)
        done = t["reopened"]
    elif action == "jawab" and ticket.paused_at is not None:
        if not text:
            return "", t["answer_needs_text"]
        noted = move_in(tx, here, ticket.number,
                        Move(Action.NOTE, who, note=text, channel="web", reporter=True),
                        now=now)  # fmt: skip
        if not isinstance(noted, Moved):
            return "", t["not_now"]
        request = Move(Action.RESUME, who, note=t["reporter_answered"], channel="web",
                       reporter=True)  # fmt: skip
        done = t["answered"]
    else:
        return "", t["not_now"]
    moved = move_in(tx, here, ticket.number, request, now=now)
    if not isinstance(moved, Moved):
        return "", t["not_now"]
    return done, ""


# --- /lacak ------------------------------------------------------------------------------


async def _track(web: Web, request: Request) -> Response:
    here = web.site
    if request.method == "GET":
        return web.render(request, "lacak.html.j2", sent=False, number="", email="")
    now = here.now()
    if over_limit(web, "lacak", client_address(request), here.config.web.forms_per_hour, now):
        return web.error(request, 429, "flooded_title", "flooded")
    async with request.form(max_files=0, max_fields=10) as form:
        number = _text(form, "nomor").strip()[:64]
        email = _text(form, "email").strip().lower()[:320]
    if number and email:
        with here.store.transaction() as tx:
            ticket = tx.ticket(number)
            if ticket is not None and secrets.compare_digest(
                ticket.email.strip().lower().encode(), email.encode()
            ):
                queue(tx, here.office, [status_link_notice(here.office, ticket)], now=now,
                      ticket=ticket)  # fmt: skip
    # The same page whether or not they matched: nothing of any ticket is shown here.
    return web.render(request, "lacak.html.j2", sent=True, number="", email="")
