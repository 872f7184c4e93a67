"""The e-mail templates: every kind, in both languages, rendered from the real policy's context.

Each context is built the way the notifier builds it: ``notifier.policy`` turns a ticket and
a workflow event (or a breach, an incomplete report, a failed delivery) into a ``Notice``,
and ``notifier.compose`` renders and wraps it. Tickets and events are not stored.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from notifier.compose import (
    REPLIABLE_KINDS,
    Rendered,
    Sender,
    message_bytes,
    render,
)
from notifier.policy import (
    Notice,
    NotifierSettings,
    Office,
    breach_notices,
    command_accepted_notice,
    command_refused_notice,
    confirm_by_phone_notice,
    confirmation_reminder_notice,
    delivery_failed_notice,
    incomplete_notice,
    notices_for_event,
    survey_recorded_notice,
    survey_refused_notice,
    unauthenticated_notice,
)
from ticketing.calendar import BusinessCalendar, WorkingHours
from ticketing.conversation import REPLY_MARKERS
from ticketing.directory import Directory, Role, Staff, Unit
from ticketing.formulir import FIELD_BY_KEY, build_fields, invalid_problem, missing_problem
from ticketing.models import Event, SurveyResponse, Ticket
from ticketing.normalize import InvalidValue
from ticketing.workflow import Action, SopTimes, State

JAKARTA = ZoneInfo("Asia/Jakarta")
LANGUAGES = ("id", "en")
KINDS = (
    "reporter.acknowledged",
    "help_desk.new_ticket",
    "reporter.incomplete",
    "reporter.first_level_solution",
    "reporter.final_report",
    "reporter.closed",
    "unit_head.escalated",
    "technician.disposed",
    "official.escalated_higher",
    "staff.breach",
    "help_desk.delivery_failed",
    "reporter.paused",
    "staff.reopened",
    "staff.command_accepted",
    "staff.command_refused",
    "owner.unauthenticated",
    "help_desk.confirm_by_phone",
    "reporter.confirmation_reminder",
    "reporter.survey_recorded",
    "reporter.survey_refused",
    "reporter.escalated",
    "reporter.reopened",
)
TICKET_KINDS = tuple(
    k for k in KINDS if k not in ("reporter.incomplete", "help_desk.delivery_failed")
)

NUMBER = "TIK-2026-00012"
NAME = "Budi Santoso"
DESCRIPTION = (
    "Koneksi internet di ruang pelayanan terputus sejak pagi.\nSudah dicoba restart router."
)
SOLUTION = "Kabel LAN di ruang server diganti.\nMohon restart komputer."
ESCALATION_NOTE = "Sudah dicek jarak jauh; tampaknya switch lantai 2 rusak."
DISPOSITION_NOTE = "Mohon cek switch lantai 2.\nKoordinasi dengan Pak Budi."
REPORT = "Switch harus diganti; pengadaan di luar kewenangan unit.\nMohon arahan."
AWAITED = "Mohon kirimkan alamat IP komputer.\nDan foto lampu modem."
NOT_YET = "Belum, internet masih putus.\nSudah saya restart juga."
UNCLEAR = "Terima kasih, nanti saya cek lagi ya."
SARAN = "Petugas sangat membantu.\nMohon jam layanan diperpanjang."
HOSTILE = "Budi <script>alert(1)</script> & Co"
INJECTION = "Budi\r\nBcc: attacker@example.com"


def jkt(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in office local time, in 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=JAKARTA)


RECEIVED = jkt(11, 30, 9, 12)


# --- The office ---------------------------------------------------------------------


def _person(
    staff_id: str,
    name: str,
    role: Role,
    unit: str | None = None,
    title: str = "",
    sapaan: str | None = None,
) -> Staff:
    return Staff(staff_id, name, f"{staff_id}@example.go.id", role, unit, title, sapaan)


STAFF = (
    _person("sari", "Sari Wulandari", Role.HELP_DESK, title="Petugas Help Desk", sapaan="Ibu"),
    _person(
        "rudi",
        "Rudi Hartono",
        Role.UNIT_HEAD,
        "jaringan",
        "Penanggung Jawab Unit Jaringan",
        "Bapak",
    ),
    _person(
        "agus", "Agus Setiawan", Role.TECHNICIAN, "jaringan", "Petugas Teknis Jaringan", "Bapak"
    ),
    _person(
        "kurniawan",
        "Kurniawan Adi",
        Role.OFFICIAL,
        title="Kepala Bidang Aplikasi Informatika",
        sapaan="Bapak",
    ),
    _person("kadis", "Ratna Sari Dewi", Role.HEAD_OF_OFFICE, title="Kepala Dinas", sapaan="Ibu"),
)
DIRECTORY = Directory(
    staff={s.id: s for s in STAFF},
    units={"jaringan": Unit("jaringan", "Unit Jaringan", head="rudi", technicians=("agus",))},
    routing={"Jaringan": "jaringan"},
)


# The office's working hours (the shipped configuration's), with Indonesia's holidays.
WEEKDAY = WorkingHours(start=dt.time(7, 30), end=dt.time(16, 0))
CALENDAR = BusinessCalendar(
    timezone="Asia/Jakarta",
    hours={0: WEEKDAY, 1: WEEKDAY, 2: WEEKDAY, 3: WEEKDAY,
           4: WorkingHours(start=dt.time(7, 30), end=dt.time(16, 30))},
)  # fmt: skip

OFFICE_ADDRESS = "Jalan Syekh Nawawi Al-Bantani Blok F No. 1 KP3B, Kota Serang, Banten 42171"
OFFICE_PHONE = "(0254) 123456"
OFFICE_WHATSAPP = "0812-8000-1234"


# The web application's public address, and the ticket's access token for its status page.
PUBLIC_URL = "https://helpdesk.example.go.id"
TOKEN = "Qm9ndXMtdG9rZW4tZm9yLXRlc3Rz"


def office(language: str, *, public_url: str = PUBLIC_URL) -> Office:
    settings = NotifierSettings(
        language=language,
        office_name="Dinas Komunikasi, Informatika, Statistik dan Persandian Provinsi Banten",
        help_desk_name="Help Desk Layanan TIK",
        sender=Sender("helpdesk@example.go.id", "Help Desk Layanan TIK", "example.go.id"),
        timezone="Asia/Jakarta",
        zone_label="WIB",
        address=OFFICE_ADDRESS,
        phone=OFFICE_PHONE,
        whatsapp=OFFICE_WHATSAPP,
        public_url=public_url,
    )
    return Office(settings, DIRECTORY, SopTimes.from_names({}), build_fields(), CALENDAR)


# --- Tickets, events and the notices they call for ------------------------------------------


def ticket(
    state: State,
    *,
    name: str = NAME,
    description: str = DESCRIPTION,
    agency: str = "Dinas Kesehatan",
    sex: str = "L",
) -> Ticket:
    handled = state not in (State.RECEIVED, State.FIRST_LEVEL)
    return Ticket(
        id=12,
        number=NUMBER,
        year=2026,
        seq=12,
        channel="email",
        state=state.value,
        received_at=RECEIVED,
        agency=agency,
        division="Bidang Pelayanan Kesehatan",
        reporter_name=name,
        position="Pengelola Data",
        phone="+6281234567890",
        email="budi.santoso@dinkes.example.go.id",
        sex=sex,
        employment_status="PNS",
        category="Jaringan",
        description=description,
        signature="budi.santoso@dinkes.example.go.id",
        unit="jaringan" if handled else None,
        assignee={State.ESCALATED: "rudi", State.ESCALATED_HIGHER: "kurniawan"}.get(state, "sari"),
        technician="agus" if state in (State.DISPOSED, State.ESCALATED_HIGHER) else None,
        solution=SOLUTION if state in (State.RESOLVED, State.CLOSED) else None,
        created_at=RECEIVED,
        step_started_at=jkt(12, 1, 10),
        due_at=None if state == State.CLOSED else jkt(12, 1, 11),
        access_token=TOKEN,
    )


# The whole history of one ticket: (minutes after receipt, actor, action, to_state, note).
HISTORY = (
    (0, "budi.santoso@dinkes.example.go.id", Action.CREATE, State.RECEIVED, ""),
    (20, "sari", Action.TAKE, State.FIRST_LEVEL, ""),
    (60, "sari", Action.ESCALATE, State.ESCALATED, ESCALATION_NOTE),
    (90, "rudi", Action.DISPOSE, State.DISPOSED, DISPOSITION_NOTE),
    (300, "agus", Action.ESCALATE_HIGHER, State.ESCALATED_HIGHER, REPORT),
    (1500, "kurniawan", Action.RESOLVE, State.RESOLVED, SOLUTION),
    (1560, "sari", Action.CLOSE, State.CLOSED, "Pelapor menjawab YA."),
)


# What the workflow records with a move, beyond its note: the unit, the technician, the
# official escalated to.
RECORDED = {
    Action.ESCALATE: {"unit": "jaringan", "unit_head": "rudi"},
    Action.DISPOSE: {"technician": "agus"},
    Action.ESCALATE_HIGHER: {"escalated_to": "kurniawan", "report": REPORT},
}


def events(until: Action) -> list[Event]:
    """The ticket's events up to and including the first ``until``."""
    found = []
    for n, (minutes, actor, action, to_state, note) in enumerate(HISTORY, start=1):
        found.append(
            Event(
                id=100 + n,
                ticket_id=12,
                at=RECEIVED + dt.timedelta(minutes=minutes),
                actor=actor,
                action=action.value,
                to_state=to_state.value,
                note=note,
                channel="cli",
                data=dict(RECORDED.get(action, {})),
            )
        )
        if action == until:
            return found
    raise AssertionError(f"no {until} in the history")


# The workflow event behind each notice of a ticket, and the state it leaves the ticket in.
EVENT_KINDS = {
    "reporter.acknowledged": (Action.CREATE, State.RECEIVED),
    "help_desk.new_ticket": (Action.CREATE, State.RECEIVED),
    "reporter.first_level_solution": (Action.SOLVE, State.RESOLVED),
    "unit_head.escalated": (Action.ESCALATE, State.ESCALATED),
    "reporter.escalated": (Action.ESCALATE, State.ESCALATED),
    "technician.disposed": (Action.DISPOSE, State.DISPOSED),
    "official.escalated_higher": (Action.ESCALATE_HIGHER, State.ESCALATED_HIGHER),
    "reporter.final_report": (Action.RESOLVE, State.RESOLVED),
    "reporter.closed": (Action.CLOSE, State.CLOSED),
}
REPORTER = "budi.santoso@dinkes.example.go.id"


def event(
    action: Action, actor: str, state: State, note: str = "", data: dict[str, Any] | None = None
) -> Event:
    """One more event of the ticket, after its history."""
    return Event(
        id=120,
        ticket_id=12,
        at=RECEIVED + dt.timedelta(minutes=2000),
        actor=actor,
        action=action.value,
        to_state=state.value,
        note=note,
        channel="email",
        data=data or {},
    )


def sent_for(the_office: Office, the_ticket: Ticket, the_event: Event) -> list[Notice]:
    """The notices the policy sends for one more event of the ticket."""
    history = [*events(Action.RESOLVE), the_event]
    return notices_for_event(the_office, the_ticket, the_event, history)


FAILED_SUBJECT = f"[{NUMBER}] Pengaduan diterima: Jaringan - Dinas Kesehatan"
FAILED_ERROR = "550 5.1.1 <budi.santoso@dinkes.example.go.id>:\nuser unknown"


def _event_notice(kind: str, language: str, the_ticket: Ticket) -> Notice:
    action, state = EVENT_KINDS[kind]
    if action == Action.SOLVE:  # the help desk solves it at first level (step 2)
        solved = Event(
            id=110,
            ticket_id=12,
            at=RECEIVED + dt.timedelta(minutes=40),
            actor="sari",
            action=action.value,
            to_state=state.value,
            note=SOLUTION,
            channel="cli",
        )
        history = [*events(Action.TAKE), solved]
    else:
        history = events(action)
    return of_kind(kind, notices_for_event(office(language), the_ticket, history[-1], history))


def of_kind(kind: str, notices: list[Notice]) -> Notice:
    """The one notice of ``kind`` among those an event calls for."""
    (found,) = [n for n in notices if n.kind == kind]
    return found


def notice(
    kind: str,
    language: str,
    *,
    name: str = NAME,
    description: str = DESCRIPTION,
    agency: str = "Dinas Kesehatan",
    subject: str | None = None,
    sex: str = "L",
) -> Notice:
    """The notice of ``kind`` as the policy builds it, for a reporter with this name,
    description and agency. ``subject`` is the subject of an incomplete report or of an
    undelivered e-mail; an undelivered e-mail's error is the description when one is given.
    ``sex`` is the reporter's, as on the form ("" unknown)."""
    the_office = office(language)
    if kind in EVENT_KINDS:
        state = EVENT_KINDS[kind][1]
        return _event_notice(
            kind,
            language,
            ticket(state, name=name, description=description, agency=agency, sex=sex),
        )
    if kind == "staff.breach":
        (breach,) = breach_notices(
            the_office,
            ticket(State.DISPOSED, name=name, description=description, agency=agency, sex=sex),
            step=5,
            responsible="agus",
            now=jkt(12, 1, 13, 30),
        )
        return breach
    if kind == "reporter.paused":
        waiting = ticket(State.DISPOSED, name=name, description=description, agency=agency, sex=sex)
        (paused,) = sent_for(
            the_office, waiting, event(Action.PAUSE, "agus", State.DISPOSED, AWAITED)
        )
        return paused
    if kind in ("staff.reopened", "reporter.reopened"):
        reopened = ticket(
            State.DISPOSED, name=name, description=description, agency=agency, sex=sex
        )
        reopened.solution, reopened.assignee = SOLUTION, "agus"
        return of_kind(
            kind,
            sent_for(the_office, reopened, event(Action.REOPEN, REPORTER, State.DISPOSED, NOT_YET)),
        )
    if kind == "staff.command_accepted":
        return command_accepted_notice(
            the_office,
            ticket(State.DISPOSED, name=name, description=description, agency=agency, sex=sex),
            sender=DIRECTORY.staff["rudi"],
            event=event(Action.DISPOSE, "rudi", State.DISPOSED, DISPOSITION_NOTE),
        )
    if kind == "staff.command_refused":
        return command_refused_notice(
            the_office,
            ticket(State.DISPOSED, name=name, description=description, agency=agency, sex=sex),
            sender=DIRECTORY.staff["agus"],
            word="SELESAI",
            reason="needs_text",
            allowed=["done", "escalate", "pause", "close"],
            candidates=[],
        )
    if kind == "owner.unauthenticated":
        return unauthenticated_notice(
            the_office,
            ticket(State.DISPOSED, name=name, description=description, agency=agency, sex=sex),
            owner_address=REPORTER,
            owner_name=name,
            to_reporter=True,
            claimed_from=f"{name} <{REPORTER}>",
            subject=f"Re: [{NUMBER}] Lembar Disposisi" if subject is None else subject,
            reason="no_thread",
        )
    if kind == "help_desk.confirm_by_phone":
        answered = ticket(
            State.RESOLVED, name=name, description=description, agency=agency, sex=sex
        )
        answered.assignee = "kurniawan"  # resolved at step 6
        found_phone = confirm_by_phone_notice(the_office, answered, words=UNCLEAR)
        assert found_phone is not None
        return found_phone
    if kind == "reporter.confirmation_reminder":
        resolved = ticket(
            State.RESOLVED, name=name, description=description, agency=agency, sex=sex
        )
        resolved.assignee = "kurniawan"
        (reminder,) = confirmation_reminder_notice(the_office, resolved, closes_at=jkt(12, 15, 10))
        return reminder
    if kind == "reporter.survey_recorded":
        closed = ticket(State.CLOSED, name=name, description=description, agency=agency, sex=sex)
        response = SurveyResponse(
            ticket_id=12, channel="email", answered_at=jkt(12, 2, 9), saran=SARAN,
            u1=4, u2=4, u3=3, u4=4, u5=4, u6=4, u7=3, u8=4, u9=None,
        )  # fmt: skip
        (recorded,) = survey_recorded_notice(the_office, closed, response)
        return recorded
    if kind == "reporter.survey_refused":
        closed = ticket(State.CLOSED, name=name, description=description, agency=agency, sex=sex)
        (refused,) = survey_refused_notice(the_office, closed, reason="malformed", found="4 4 5")
        return refused
    if kind == "reporter.incomplete":
        return incomplete_notice(
            the_office,
            address="budi.santoso@dinkes.example.go.id",
            name=name,
            sex=sex or None,
            subject="Internet mati" if subject is None else subject,
            problems=[
                missing_problem(FIELD_BY_KEY["agency"]),
                missing_problem(FIELD_BY_KEY["sex"]),
                invalid_problem(
                    FIELD_BY_KEY["phone"],
                    InvalidValue("nomor terlalu pendek.", "the number is too short."),
                ),
            ],
            understood={"reporter_name": name, "category": "Jaringan", "description": description},
        )
    if kind == "help_desk.delivery_failed":
        failed = delivery_failed_notice(
            the_office,
            kind="reporter.acknowledged",
            recipients=["budi.santoso@dinkes.example.go.id"],
            subject=FAILED_SUBJECT if subject is None else subject,
            error=FAILED_ERROR if description == DESCRIPTION else description,
            ticket_number=NUMBER,
        )
        assert failed is not None
        return failed
    raise AssertionError(f"unknown kind {kind}")


def rendered(kind: str, language: str, **fields: str) -> Rendered:
    return render(kind, language, notice(kind, language, **fields).context)


# The e-mails that tell their reader the ticket's deadline (not the higher escalation: it
# reports to a superior and asks for direction; nobody sets their superior a deadline).
DUE_KINDS = (
    "reporter.acknowledged",
    "help_desk.new_ticket",
    "unit_head.escalated",
    "technician.disposed",
)


def expected_values(kind: str, context: Mapping[str, Any]) -> list[str]:
    """What the e-mail must say, taken from its context."""
    if kind == "help_desk.delivery_failed":
        failed = context["failed"]
        return [
            failed["ticket_number"],
            failed["recipients"],
            failed["subject"],
            failed["error"],
            failed["kind"],
        ]
    if kind == "reporter.incomplete":
        return [
            *context["problems"],
            *(row["value"] for row in context["understood"]),
            *(row["label"] for row in context["blank_form"]),
            *(row["choices"] for row in context["blank_form"] if row["choices"]),
        ]
    ticket_ = context["ticket"]
    if kind == "owner.unauthenticated":  # only what the owner needs to know the e-mail
        suspect = context["suspect"]
        return [ticket_["number"], context["recipient"]["name"], suspect["subject"],
                suspect["claimed_from"]]  # fmt: skip
    if kind == "reporter.survey_recorded":  # the answers as read, not the complaint again
        answers = [a["label"] for a in context["answers"] if a["label"]]
        return [ticket_["number"], ticket_["reporter_name"], context["saran"], *answers]
    if kind == "reporter.survey_refused":  # what was read, and the questions to answer
        questions = [e["question"] for e in context["survey"]["elements"]]
        return [ticket_["number"], ticket_["reporter_name"], context["found"], *questions]
    values = [ticket_["number"], ticket_["reporter_name"], ticket_["description"]]
    if kind in ("reporter.first_level_solution", "reporter.final_report"):
        values.append(context["solution"])
    if kind == "reporter.final_report":
        values += [row["action"] for row in context["timeline"]]
        values += [row["note"] for row in context["timeline"] if row["note"]]
    if kind == "reporter.closed":
        values.append(ticket_["solution"])
    if kind in ("unit_head.escalated", "technician.disposed"):
        values.append(context["note"])
    if kind == "official.escalated_higher":
        values.append(context["report"])
    if kind in ("technician.disposed", "official.escalated_higher"):
        values.append(context["actor"]["name"])
    if "step_time" in context:
        values.append(context["step_time"])
    if kind in DUE_KINDS:
        values.append(ticket_["due"])
    if kind == "reporter.paused":
        values.append(context["awaited"])
    if kind == "reporter.reopened":
        values += [context["reason"], context["handler"]["name"]]
    if kind == "reporter.escalated":
        values += [ticket_["unit_name"], context["disposition_time"], context["resolution_time"]]
    if kind == "staff.reopened":
        values += [context["reason"], ticket_["solution"]]
        values += [part for w in context["reply_words"] for part in (w["word"], w["follows"])]
    if kind == "staff.command_accepted":
        values += [context["accepted"]["note"], context["accepted"]["technician"]]
    if kind == "staff.command_refused":
        values += [
            part for w in context["refused"]["allowed"] for part in (w["word"], w["follows"])
        ]
    if kind == "help_desk.confirm_by_phone":
        values += [context["words"], ticket_["phone"], context["reopen_to"]]
    if kind in ("help_desk.confirm_by_phone", "help_desk.new_ticket"):
        values += [context["close_word"]["word"], context["close_word"]["follows"]]
    if kind == "help_desk.new_ticket":
        values += [part for w in context["reply_words"] for part in (w["word"], w["follows"])]
        values += [context["unit"], *(u["name"] for u in context["units"])]
    if kind == "reporter.confirmation_reminder":
        values += [context["closes"], ticket_["solution"]]
    if kind in ("reporter.first_level_solution", "reporter.final_report"):
        values.append(context["confirmation_wait"])
    if kind == "staff.breach":
        breach = context["breach"]
        keys = ("step_name", "step_time", "due", "overdue_by", "responsible", "superior")
        values += [breach[key] for key in keys]
    return values


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def mime(the_notice: Notice, language: str) -> EmailMessage:
    """The e-mail the outbox would queue for this notice, as a receiving server parses it."""
    raw, _ = message_bytes(
        render(the_notice.kind, language, the_notice.context),
        sender=office(language).settings.sender,
        to=the_notice.to,
        cc=the_notice.cc,
        message_id="<tik-2026-00012.test@example.go.id>",
        date=jkt(12, 1, 10),
        auto_submitted=the_notice.auto_submitted,
        language=language,
        rng=random.Random(12),
    )
    parsed = message_from_bytes(raw, policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return parsed


HEADERS = {
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
    "Content-Language",
    "MIME-Version",
    "Content-Type",
}


every_kind = pytest.mark.parametrize("kind", KINDS)
every_language = pytest.mark.parametrize("language", LANGUAGES)


# --- Tests ----------------------------------------------------------------------------------


@every_language
@every_kind
def test_every_kind_renders(kind: str, language: str) -> None:
    """Every kind renders in both languages from the context the policy builds."""
    result = rendered(kind, language)
    assert result.subject and result.text.strip() and "</html>" in result.html


@every_language
@pytest.mark.parametrize("kind", TICKET_KINDS)
def test_ticket_subject_is_one_line_starting_with_the_tag(kind: str, language: str) -> None:
    """A ticket e-mail's subject is one line that starts with the ticket's tag."""
    subject = rendered(kind, language).subject
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith(f"[{NUMBER}] ") and len(subject) > len(f"[{NUMBER}] ")


@every_language
def test_incomplete_subject_names_the_original_subject(language: str) -> None:
    """The reply to an incomplete report names the subject the reporter wrote."""
    subject = rendered("reporter.incomplete", language, subject="Internet mati di ruang TU").subject
    assert subject.endswith(": Internet mati di ruang TU") and "\n" not in subject


@every_language
def test_delivery_failure_subject_carries_the_tag_of_its_ticket(language: str) -> None:
    """A failed delivery that belongs to a ticket is tagged with it."""
    assert rendered("help_desk.delivery_failed", language).subject.startswith(f"[{NUMBER}] ")


@every_language
@every_kind
def test_every_value_appears_in_text_and_html(kind: str, language: str) -> None:
    """What the e-mail must say appears, line by line, in both the text and the HTML part."""
    the_notice = notice(kind, language)
    result = render(kind, language, the_notice.context)
    values = expected_values(kind, the_notice.context)
    assert values and all(values)
    for value in values:
        for line in lines(value):
            assert line in result.text, (line, "text")
            assert str(escape(line)) in result.html, (line, "html")


@every_language
@pytest.mark.parametrize("kind", [k for k in KINDS if k.startswith("reporter.")])
def test_reporter_e_mails_address_the_reporter(kind: str, language: str) -> None:
    """Every e-mail to the reporter addresses them by name."""
    greeting = "Yth. Bapak Budi Santoso," if language == "id" else "Dear Mr Budi Santoso,"
    result = rendered(kind, language)
    assert greeting in result.text and greeting in result.html


@every_language
def test_incomplete_report_form_lists_every_field_with_its_choices(language: str) -> None:
    """The form to complete has one "Label (choices): value" line per field, blank when unknown."""
    the_notice = notice("reporter.incomplete", language)
    result = render("reporter.incomplete", language, the_notice.context)
    text_lines = result.text.splitlines()
    for row in the_notice.context["blank_form"]:
        label = f"{row['label']} ({row['choices']}):" if row["choices"] else f"{row['label']}:"
        expected = f"{label} {row['value']}" if row["value"] and "\n" not in row["value"] else label
        assert expected in text_lines, expected
        assert str(escape(expected)) in result.html
    sex = "Jenis Kelamin (Laki-laki / Perempuan):" if language == "id" else "Sex (Male / Female):"
    assert sex in text_lines


@every_language
def test_escalation_without_a_note_leaves_out_the_note(language: str) -> None:
    """An escalation with no note from the help desk has no note paragraph."""
    context = {**notice("unit_head.escalated", language).context, "note": ""}
    result = render("unit_head.escalated", language, context)
    heading = "Catatan Petugas Help Desk" if language == "id" else "Note from the help desk officer"
    assert heading not in result.text and heading not in result.html


@every_language
def test_escalation_says_how_to_dispose_by_reply(language: str) -> None:
    """The unit head is told to reply with the disposition word, the technician, the Sifat
    and the isi disposisi below, with an example to copy, and that the words go above the
    quote."""
    result = rendered("unit_head.escalated", language)
    word = "DISPOSISI" if language == "id" else "DISPOSE"
    how = (
        "tuliskan DISPOSISI diikuti nama atau ID petugas teknis yang ditunjuk, lalu isi"
        " disposisi pada baris berikutnya"
        if language == "id"
        else "write DISPOSE followed by the name or ID of the technician you choose"
    )
    top = "di atas kutipan e-mail ini" if language == "id" else "above the quoted e-mail"
    text_lines = lines(result.text)
    example = text_lines.index(f"{word} Agus Setiawan")
    assert text_lines[example + 1] == ("Sifat: Segera" if language == "id" else "Priority: Urgent")
    assert text_lines[example + 2].startswith("Mohon periksa" if language == "id" else "Please")
    sifat = (
        "Sifat disposisi (Sangat Segera, Segera atau Biasa) dapat dituliskan pada baris"
        ' tersendiri, misalnya "Sifat: Segera"; tanpa baris tersebut, disposisi bersifat Biasa.'
        if language == "id"
        else "The priority (Very urgent, Urgent or Ordinary) may be written on a line of its"
        ' own, for example "Priority: Urgent"; without that line the disposition is Ordinary.'
    )
    assert sifat in " ".join(result.text.split())
    assert how in result.text and top in result.text and "Agus Setiawan (ID: agus)" in result.text
    assert f"{word} Agus Setiawan\n" in result.html and top in result.html


@every_language
def test_escalation_lists_technicians_when_given(language: str) -> None:
    """When the context lists the unit's technicians, the unit head sees their ids."""
    context = {
        **notice("unit_head.escalated", language).context,
        "technicians": [{"id": "agus", "name": "Agus Setiawan"}],
    }
    result = render("unit_head.escalated", language, context)
    assert "Agus Setiawan (ID: agus)" in result.text and "Agus Setiawan (ID: agus)" in result.html


@every_language
def test_breach_without_a_superior_copies_nobody(language: str) -> None:
    """A breach of someone with no superior mentions no copy."""
    the_notice = notice("staff.breach", language)
    context = {**the_notice.context, "breach": {**the_notice.context["breach"], "superior": None}}
    result = render("staff.breach", language, context)
    assert "None" not in result.text and "None" not in result.html
    assert "Rudi Hartono" not in result.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "kind",
    ["reporter.first_level_solution", "reporter.final_report", "reporter.confirmation_reminder"],
)
def test_solution_asks_the_reporter_to_confirm(kind: str, language: str) -> None:
    """A solution and the final report ask the reporter whether the problem is solved."""
    check = (
        'Balas "YA" bila sudah, atau "BELUM" disertai keterangan bila belum.'
        if language == "id"
        else 'Reply "YES" if it has, or "NOT YET" with a short explanation if it has not.'
    )
    result = rendered(kind, language)
    assert check in result.text and check in result.html


@every_language
@every_kind
def test_markup_from_people_is_escaped_in_html_and_literal_in_text(
    kind: str, language: str
) -> None:
    """A name or description holding markup and "&" is escaped in HTML and left as typed in text."""
    result = rendered(
        kind, language, name=HOSTILE, description=f"Printer rusak & {HOSTILE}", subject=HOSTILE
    )
    assert "<script>" not in result.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in result.html
    assert "<script>alert(1)</script> & Co" in result.text
    assert "&lt;" not in result.text and "&amp;" not in result.text


@every_language
def test_values_joined_in_a_template_are_escaped_once(language: str) -> None:
    """The Lembar Disposisi's "from" row, built in the template, escapes its parts once."""
    context = {
        **notice("technician.disposed", language).context,
        "actor": {"name": "R & D <x>", "title": "Kepala <b>", "salutation": "R & D"},
    }
    result = render("technician.disposed", language, context)
    assert "R &amp; D &lt;x&gt;, Kepala &lt;b&gt;" in result.html
    assert "R & D <x>, Kepala <b>" in result.text


@every_language
@every_kind
def test_line_breaks_in_names_cannot_add_headers(kind: str, language: str) -> None:
    """A CR/LF in the reporter's name, the agency or the original subject adds no header."""
    the_notice = notice(kind, language, name=INJECTION, subject=INJECTION, agency=INJECTION)
    parsed = mime(the_notice, language)
    assert set(parsed.keys()) <= HEADERS
    assert [a.addr_spec for a in parsed["To"].addresses] == [r.address for r in the_notice.to]
    assert len(parsed.get_all("Subject", [])) == 1 and len(parsed.get_all("To", [])) == 1


@every_language
@every_kind
def test_reply_marker_is_the_first_line(kind: str, language: str) -> None:
    """An e-mail whose reply is read opens with the reply marker in the office's language,
    so a quoted reply can be cut there; the others open with the greeting."""
    the_notice = notice(kind, language)
    first = render(kind, language, the_notice.context).text.splitlines()[0]
    if kind in REPLIABLE_KINDS or the_notice.context.get("asks_reply"):
        assert first == REPLY_MARKERS[language]
    else:
        assert first.startswith("Yth. " if language == "id" else "Dear ")


@every_language
@every_kind
def test_automatic_mail_notice_is_the_last_line(kind: str, language: str) -> None:
    """Both parts end by saying the mail is automatic."""
    notice_text = (
        "Pesan ini dikirim secara otomatis"
        if language == "id"
        else "This message was sent automatically"
    )
    result = rendered(kind, language)
    assert result.text.splitlines()[-1].startswith(notice_text)
    assert notice_text in result.html.rsplit("<hr", 1)[1]


@every_kind
def test_indonesian_mail_uses_the_office_register(kind: str) -> None:
    """Indonesian e-mails open with "Yth." and close with "Hormat kami,"."""
    result = rendered(kind, "id")
    for part in (result.text, result.html):
        assert "Yth. " in part and "Hormat kami," in part


@every_kind
def test_english_mail_has_no_indonesian_salutation(kind: str) -> None:
    """English e-mails use English greetings and closings only."""
    result = rendered(kind, "en")
    for part in (result.text, result.html):
        assert "Dear " in part and "Yours sincerely," in part
        for word in ("Yth.", "Bapak", "Hormat kami", "Dengan hormat"):
            assert word not in part, word


@every_language
def test_message_has_text_and_html_alternatives_in_utf8(language: str) -> None:
    """The MIME message carries the text and HTML parts as UTF-8 alternatives."""
    parsed = mime(notice("reporter.final_report", language), language)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in parsed.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    for part in parts.values():
        assert part.get_content_charset() == "utf-8"
    expected = render(
        "reporter.final_report", language, notice("reporter.final_report", language).context
    )
    assert parts["text/plain"].get_content().replace("\r\n", "\n") == expected.text
    assert NUMBER in parts["text/html"].get_content()
    # A subject just over 78 characters is folded onto its own line, which Python keeps
    # as a leading space when it parses the message back.
    assert parsed["Subject"].strip() == expected.subject


@every_language
def test_the_message_says_its_language(language: str) -> None:
    """Content-Language tells a reader's mail program (and screen reader) the language."""
    the_notice = notice("reporter.acknowledged", language)
    parsed = mime(the_notice, language)
    assert parsed["Content-Language"] == language
