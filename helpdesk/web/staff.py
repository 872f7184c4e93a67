"""The staff desk: login and logout, the queue (/petugas), a ticket's page with the SOP
actions the staff member may take now, printable documents and the monthly report.

Every action goes through the same services as the CLI and the e-mail commands
(`helpdesk.service`), so a move allowed or refused here is allowed or refused there, with
the same reason (in the office's language here, `Rejected.text`).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from helpdesk.display import long_time, short_time, state_label
from helpdesk.passwords import check_password, fingerprint
from helpdesk.service import edit_ticket, move_ticket
from helpdesk.web.app import Web
from helpdesk.web.public import client_address
from notifier.policy import ACTION_LABELS, STEP_NAMES, event_note, form_rows
from ticketing.addresses import reporter_addresses
from ticketing.desk import Moved, view
from ticketing.directory import ROLE_LABELS, Role, Staff
from ticketing.formulir import Incomplete
from ticketing.models import Ticket
from ticketing.normalize import InvalidValue, normalize_category
from ticketing.store import TicketFilter
from ticketing.workflow import (
    DEFAULT_SIFAT,
    SIFAT_LABELS,
    Action,
    Move,
    Rejected,
    Sifat,
    State,
    current_step,
    decide,
    is_overdue,
)

Handler = Callable[[Request], Awaitable[Response]]

# The actions offered on a ticket's page, in the SOP's order; edit (the help desk's
# correction of the form) is offered apart.
ACTIONS = (
    Action.TAKE, Action.SOLVE, Action.ESCALATE, Action.DISPOSE, Action.RESOLVE,
    Action.ESCALATE_HIGHER, Action.CLOSE, Action.REOPEN, Action.PAUSE, Action.RESUME,
    Action.NOTE,
)  # fmt: skip
# The label of each action's text box.
NOTE_FIELD = {
    Action.SOLVE: "field_solution",
    Action.ESCALATE: "field_note",
    Action.DISPOSE: "field_instruction",
    Action.RESOLVE: "field_solution",
    Action.ESCALATE_HIGHER: "field_report",
    Action.CLOSE: "field_confirmation",
    Action.REOPEN: "field_reason",
    Action.PAUSE: "field_awaited",
    Action.RESUME: "field_note",
    Action.NOTE: "field_note",
}
# The choice an action needs: the form field's name, and its label's text.
CHOICE_NAMES = {
    Action.DISPOSE: "teknisi",
    Action.ESCALATE: "unit",
    Action.ESCALATE_HIGHER: "tujuan",
}
CHOICE_LABELS = {
    Action.DISPOSE: "field_technician",
    Action.ESCALATE: "field_unit",
    Action.ESCALATE_HIGHER: "field_target",
}
DOCUMENTS = ("formulir", "disposisi", "laporan")
SIFAT_OFFERED = (DEFAULT_SIFAT, Sifat.SEGERA, Sifat.SANGAT_SEGERA)


def routes(web: Web) -> list[Route]:
    def staff_only(handler: Callable[[Request, Staff], Awaitable[Response]]) -> Handler:
        async def guarded(request: Request) -> Response:
            staff = current_staff(web, request)
            if staff is None:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(f"/petugas/masuk?next={quote(target)}", status_code=303)
            request.scope["helpdesk.staff"] = staff
            return await handler(request, staff)

        return guarded

    async def login(request: Request) -> Response:
        return await _login(web, request)

    async def logout(request: Request) -> Response:
        request.session.clear()
        request.session["flash"] = web.t["logged_out"]
        return RedirectResponse("/petugas/masuk", status_code=303)

    async def desk(request: Request, staff: Staff) -> Response:
        return _desk(web, request, staff)

    async def ticket(request: Request, staff: Staff) -> Response:
        return await _ticket(web, request, staff, request.path_params["number"])

    async def document(request: Request, staff: Staff) -> Response:
        return _document(web, request, request.path_params["doc"], request.path_params["number"])

    async def attachment(request: Request, staff: Staff) -> Response:
        return _attachment(web, request, request.path_params["id"])

    async def report(request: Request, staff: Staff) -> Response:
        return _report(web, request)

    return [
        Route("/petugas/masuk", login, methods=["GET", "POST"]),
        Route("/petugas/keluar", logout, methods=["POST"]),
        Route("/petugas", staff_only(desk)),
        Route("/petugas/tiket/{number:path}", staff_only(ticket), methods=["GET", "POST"]),
        Route("/petugas/cetak/{doc}/{number:path}", staff_only(document)),
        Route("/petugas/berkas/{id:int}", staff_only(attachment)),
        Route("/petugas/laporan", staff_only(report)),
    ]


# --- the session ---------------------------------------------------------------------------


def current_staff(web: Web, request: Request) -> Staff | None:
    """The staff member logged in on this session, while the session lasts (counted on the
    office's clock) and their password has not changed since."""
    session = request.session
    staff_id = session.get("staff")
    if not isinstance(staff_id, str):
        return None
    here = web.site
    staff = here.desk.directory.get(staff_id)
    try:
        since = dt.datetime.fromisoformat(str(session.get("since")))
    except ValueError:
        since = None
    lasts = dt.timedelta(minutes=here.config.web.session_minutes)
    with here.reader.transaction() as tx:
        current = fingerprint(tx, staff_id)
    if (
        staff is None
        or since is None
        or since.tzinfo is None
        or here.now() - since > lasts
        or here.now() < since - dt.timedelta(minutes=5)
        or current is None
        or session.get("fp") != current
    ):
        session.clear()
        session["flash"] = web.t["login_expired"]
        return None
    return staff


def _safe_next(target: str) -> str:
    """Only a page of the staff desk itself: never another site."""
    if target.startswith("/petugas") and not target.startswith("//") and "\\" not in target:
        return target
    return "/petugas"


async def _login(web: Web, request: Request) -> Response:
    here = web.site
    t = web.t
    flash = request.session.pop("flash", "")
    if request.method == "GET":
        return web.render(request, "login.html.j2", problem="", flash=flash, staff_id="",
                          next=_safe_next(request.query_params.get("next", "")))  # fmt: skip
    async with request.form(max_files=0, max_fields=10) as form:
        staff_id = _text(form, "staff_id").strip()[:64]
        password = _text(form, "password")[:1024]
        target = _safe_next(_text(form, "next"))
    config = here.config.web
    now = here.now()
    window = dt.timedelta(minutes=config.login_window_minutes)
    address = client_address(request)
    with here.store.transaction() as tx:
        tx.forget_hits_before(now - dt.timedelta(days=1))
        limited = (
            tx.count_hits("login_account", staff_id, now - window)
            >= config.login_failures_per_account
            or tx.count_hits("login_address", address, now - window)
            >= config.login_failures_per_address
        )
        ok = False
        if not limited:
            # Verified first in every case: an unknown id takes as long as a wrong password.
            ok = check_password(tx, staff_id, password, now)
            ok = ok and here.desk.directory.get(staff_id) is not None
        if not ok:
            tx.add_hit("login_account", staff_id, now)
            tx.add_hit("login_address", address, now)
        else:
            tx.clear_hits("login_account", staff_id)
            current = fingerprint(tx, staff_id)
    if limited:
        problem = t["login_limited"].format(minutes=config.login_window_minutes)
        return web.render(request, "login.html.j2", status=429, problem=problem, flash="",
                          staff_id=staff_id, next=target)  # fmt: skip
    if not ok:
        return web.render(request, "login.html.j2", status=401, problem=t["login_failed"],
                          flash="", staff_id=staff_id, next=target)  # fmt: skip
    request.session.clear()
    request.session.update({"staff": staff_id, "since": now.isoformat(), "fp": current})
    return RedirectResponse(target, status_code=303)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


# --- /petugas ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    state: str = ""
    category: str = ""
    agency: str = ""
    overdue: bool = False
    open_only: bool = False
    unregistered: bool = False


def _filters(request: Request) -> Filters:
    q = request.query_params
    state = q.get("state", "").strip().lower()
    if state not in {s.value for s in State}:
        state = ""
    category = ""
    if q.get("category"):
        try:
            category = normalize_category(q["category"])
        except InvalidValue:
            category = ""
    return Filters(
        state=state, category=category, agency=q.get("agency", "").strip()[:100],
        overdue=q.get("overdue") == "1", open_only=q.get("open") == "1",
        unregistered=q.get("unregistered") == "1",
    )  # fmt: skip


def _row(web: Web, ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    config = web.site.config
    paused = ticket.paused_at is not None
    person = web.site.desk.directory.get(ticket.assignee or "")
    return {
        "number": ticket.number,
        "state": state_label(ticket.state, config),
        "category": ticket.category,
        "agency": ticket.agency,
        "registered": config.stored_agency(ticket.agency).registered,
        "reporter": ticket.reporter_name,
        "with": person.name if person else (ticket.assignee or "-"),
        "due": short_time(ticket.due_at, config) if ticket.due_at else "-",
        "paused": paused,
        "overdue": is_overdue(State(ticket.state), ticket.due_at, paused, now),
    }


def _is_mine(staff: Staff, ticket: Ticket) -> bool:
    if ticket.state == State.CLOSED.value:
        return False
    if staff.id in (ticket.assignee, ticket.technician):
        return True
    if staff.role == Role.HELP_DESK:  # steps 1 and 7 are the help desk's
        return ticket.state in (State.RECEIVED.value, State.RESOLVED.value)
    return False


def _desk(web: Web, request: Request, staff: Staff) -> Response:
    here = web.site
    t = web.t
    now = here.now()
    f = _filters(request)
    states = [f.state] if f.state else []
    if f.open_only:
        states = [s for s in (states or [s.value for s in State]) if s != State.CLOSED.value]
    flt = TicketFilter(
        states=states, categories=[f.category] if f.category else [], agency=f.agency or None,
        agency_not_in=[a.name for a in here.config.agency_list()] if f.unregistered else None,
        overdue_at=now if f.overdue else None,
    )  # fmt: skip
    with here.reader.transaction() as tx:
        tickets = tx.tickets(flt) if states or not f.open_only else []
    tickets.sort(key=lambda x: (x.due_at is None, x.due_at or now))
    mine = [_row(web, x, now) for x in tickets if _is_mine(staff, x)]
    sections = [(t["desk_mine"], mine)]
    unit = here.desk.directory.units.get(staff.unit or "")
    if unit is not None:
        rows = [_row(web, x, now) for x in tickets if x.unit == unit.key]
        sections.append((t["desk_unit"].format(unit=unit.name), rows))
    if staff.role in (Role.HELP_DESK, Role.OFFICIAL, Role.HEAD_OF_OFFICE):
        sections.append((t["desk_all"], [_row(web, x, now) for x in tickets]))
    states_shown = [(s.value, state_label(s.value, here.config)) for s in State]
    categories = [c for f in here.desk.fields if f.key == "category" for c, _ in f.choices]
    return web.render(
        request, "desk.html.j2", sections=sections, f=f, states=states_shown,
        categories=categories, flash=request.session.pop("flash", ""),
        role=ROLE_LABELS[web.language][staff.role], month=_month(web, now),
    )  # fmt: skip


def _month(web: Web, now: dt.datetime) -> str:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(web.site.config.calendar.timezone)).strftime("%Y-%m")


# --- a ticket --------------------------------------------------------------------------


def _offers(web: Web, staff: Staff, ticket: Ticket, now: dt.datetime) -> list[dict[str, Any]]:
    """The actions the SOP lets this staff member take on the ticket now, each with the
    choices it needs (the unit's technicians, the units, whom to escalate to)."""
    desk = web.site.desk
    directory = desk.directory
    current = view(ticket)
    t = web.t

    def allowed(move: Move) -> bool:
        outcome = decide(current, move, directory=directory, sop=desk.sop,
                         calendar=desk.calendar, now=now)  # fmt: skip
        return not isinstance(outcome, Rejected)

    offers = []
    for action in ACTIONS:
        choices: list[tuple[str, str]] = []
        if action == Action.DISPOSE:
            unit = directory.units.get(ticket.unit or "")
            for tech in unit.technicians if unit else ():
                person = directory.get(tech)
                if person and allowed(Move(action, staff.id, note="-", technician=tech)):
                    choices.append((tech, person.name))
            if not choices:
                continue
        elif action == Action.ESCALATE_HIGHER:
            for person in (*directory.with_role(Role.OFFICIAL),
                           *directory.with_role(Role.HEAD_OF_OFFICE)):  # fmt: skip
                if allowed(Move(action, staff.id, note="-", target=person.id)):
                    title = ROLE_LABELS[web.language][person.role]
                    choices.append((person.id, f"{person.name} ({title})"))
            if not choices:
                continue
        elif not allowed(Move(action, staff.id, note="-")):
            continue
        elif action == Action.ESCALATE:
            choices = [("", t["unit_default"])] + [
                (u.key, u.name) for u in directory.units.values()
            ]
        offers.append(
            {
                "action": action.value,
                "label": t[f"act_{action.value}"],
                "note_label": t[NOTE_FIELD[action]] if action in NOTE_FIELD else "",
                "choices": choices,
                "choice_name": CHOICE_NAMES.get(action, ""),
                "choice_label": t[CHOICE_LABELS[action]] if action in CHOICE_LABELS else "",
                # a disposition's Sifat, the default (Biasa) first, then the more urgent:
                # the Lembar Disposisi ticks it
                "sifat": [(s.value, SIFAT_LABELS[web.language][s]) for s in SIFAT_OFFERED]
                if action == Action.DISPOSE
                else [],
            }
        )
    return offers


async def _ticket(web: Web, request: Request, staff: Staff, number: str) -> Response:
    here = web.site
    t = web.t
    problem = ""
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        async with request.form(max_files=0, max_fields=40) as form:
            values = {key: _text(form, key) for key in form.keys()}
        now = here.now()
        outcome = _act(web, staff, number, values, now)
        if isinstance(outcome, Moved):
            what = ACTION_LABELS[web.language].get(outcome.event.action, outcome.event.action)
            request.session["flash"] = t["done"].format(what=what)
            path = f"/petugas/tiket/{quote(outcome.ticket.number, safe='')}"
            return RedirectResponse(path, status_code=303)
        if isinstance(outcome, Incomplete):
            problems = [p.message_id if web.language == "id" else p.message_en
                        for p in outcome.problems]  # fmt: skip
            status = 422
        else:
            problem = t["refused"].format(reason=outcome.text(web.language))
            status = 409
    now = here.now()
    with here.reader.transaction() as tx:
        ticket = tx.ticket(number)
        if ticket is None:
            return web.error(request, 404, "not_found_title", "not_found")
        events = tx.events(ticket)
        attachments = tx.attachments(ticket)
        sent = tx.outbox(ticket=ticket)
        received = tx.inbound_of(ticket)
    config = here.config
    directory = here.desk.directory

    def person(staff_id: str | None) -> str:
        found = directory.get(staff_id or "")
        return found.name if found else (staff_id or "-")

    timeline = []
    for event in events:
        note, remote = event_note(event)
        timeline.append(
            {
                "at": short_time(event.at, config),
                "by": person(event.actor),
                "action": ACTION_LABELS[web.language].get(event.action, event.action),
                "note": note,
                "remote": remote,
                "internal": event.action == Action.NOTE.value,
                "channel": event.channel,
            }
        )
    unit = directory.units.get(ticket.unit or "")
    paused = ticket.paused_at is not None
    edit_fields = []
    if staff.role == Role.HELP_DESK:
        for field in here.desk.fields:
            edit_fields.append(
                {
                    "key": field.key,
                    "label": field.label if web.language == "id" else field.label_en,
                    "value": getattr(ticket, field.key),
                    "multiline": field.multiline,
                }  # fmt: skip
            )
    documents = ["formulir", "laporan"]
    if any(e.action == Action.DISPOSE.value for e in events):
        documents.insert(1, "disposisi")
    return web.render(
        request, "ticket.html.j2", status=status, ticket=ticket, number=ticket.number,
        quoted=quote(ticket.number, safe=""), form=form_rows(here.office, ticket),
        received=long_time(ticket.received_at, config),
        state=state_label(ticket.state, config),
        step=t["status_step_text"].format(step=current_step(ticket.state),
                                         name=STEP_NAMES[web.language][current_step(ticket.state)]),
        due=long_time(ticket.due_at, config) if ticket.due_at else "-",
        overdue=is_overdue(State(ticket.state), ticket.due_at, paused, now), paused=paused,
        unit=unit.name if unit else "", with_=person(ticket.assignee),
        technician=person(ticket.technician) if ticket.technician else "",
        solution=ticket.solution or "", mail_to=", ".join(reporter_addresses(ticket)) or "-",
        timeline=timeline, offers=_offers(web, staff, ticket, now), edit_fields=edit_fields,
        attachments=attachments, sent=[
            {"at": short_time(e.created_at, config), "to": ", ".join(e.recipients),
             "subject": e.subject, "status": e.status} for e in sent
        ],
        received_mail=[
            {"at": short_time(m.received_at, config), "from": m.from_address or "-",
             "subject": m.subject} for m in received
        ],
        documents=documents, flash=request.session.pop("flash", ""), problem=problem,
        problems=problems,
    )  # fmt: skip


def _act(
    web: Web, staff: Staff, number: str, values: dict[str, str], now: dt.datetime
) -> Moved | Incomplete | Rejected:
    here = web.site
    name = values.get("aksi", "")
    note = values.get("catatan", "").strip()
    if name == Action.EDIT.value:
        with here.reader.transaction() as tx:
            ticket = tx.ticket(number)
        if ticket is None:
            return Rejected(f"no ticket {number!r}", f"Tiket {number} tidak ditemukan.")
        changed: dict[str, str] = {}
        for field in here.desk.fields:
            if field.key not in values:
                continue
            given = values[field.key]
            try:
                same = field.normalize(given) == getattr(ticket, field.key)
            except InvalidValue:
                same = False
            if not same:
                changed[field.key] = given
        return edit_ticket(here, number, staff.id, changed, now=now, channel="web",
                           reason=values.get("alasan", ""))  # fmt: skip
    try:
        action = Action(name)
    except ValueError:
        return Rejected(f"unknown action {name!r}", f"Langkah {name} tidak dikenal.")
    if action not in ACTIONS:
        return Rejected(f"unknown action {name!r}", f"Langkah {name} tidak dikenal.")
    request = Move(
        action=action, actor=staff.id, note=note, channel="web",
        unit=values.get("unit") or None, technician=values.get("teknisi") or None,
        target=values.get("tujuan") or None,
        sifat=(values.get("sifat") or None) if action == Action.DISPOSE else None,
    )  # fmt: skip
    return move_ticket(here, number, request, now=now)


# --- documents, files, the report ----------------------------------------------------------


def _document(web: Web, request: Request, doc: str, number: str) -> Response:
    from records.documents import NotApplicable, context, environment, render

    here = web.site
    if doc not in DOCUMENTS:
        return web.error(request, 404, "not_found_title", "not_found")
    now = here.now()
    with here.reader.transaction() as tx:
        ticket = tx.ticket(number)
        if ticket is None:
            return web.error(request, 404, "not_found_title", "not_found")
        events = tx.events(ticket)
        attachments = tx.attachments(ticket)
    try:
        data = context(here.office, doc, ticket, events, attachments, now, here.desk.calendar)
    except NotApplicable:
        return web.error(request, 404, "not_found_title", "not_found")
    return HTMLResponse(render(doc, data, environment()), headers={"cache-control": "no-store"})


def _attachment(web: Web, request: Request, attachment_id: int) -> Response:
    """An archived file, by its id: always as a download, under its safe stored name."""
    from starlette.responses import FileResponse

    here = web.site
    with here.reader.transaction() as tx:
        found = tx.attachment(attachment_id)
    if found is None:
        return web.error(request, 404, "not_found_title", "not_found")
    archive = here.config.path(here.config.paths.archive_dir).resolve()
    path = (archive / found.stored_path).resolve()
    if archive not in path.parents or not path.is_file():
        return web.error(request, 404, "not_found_title", "not_found")
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(
        path, media_type=media, filename=path.name, content_disposition_type="attachment",
        headers={"x-content-type-options": "nosniff", "cache-control": "no-store"},
    )  # fmt: skip


def _report(web: Web, request: Request) -> Response:
    from helpdesk.reporting import build_report
    from records.output import as_html
    from records.periods import PeriodError, month_period

    here = web.site
    month = request.query_params.get("bulan", "").strip() or _month(web, here.now())
    try:
        period = month_period(month, here.config.calendar.timezone)
    except PeriodError:
        return web.error(request, 400, "error_title", "bad_request")
    return HTMLResponse(as_html(build_report(here, period)), headers={"cache-control": "no-store"})
