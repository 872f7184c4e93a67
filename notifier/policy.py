"""Who is told what: from a workflow event to the notices the SOP calls for.

Pure: takes the ticket, the event and the office's facts; returns ``Notice`` values
(template, recipients, template context, RFC 3834 kind). Nothing is rendered or sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from notifier import links
from notifier.compose import AUTO_GENERATED, AUTO_REPLIED, Recipient, Sender
from notifier.formatting import duration, long_time, remote_text
from notifier.links import status_url, survey_url
from ticketing.addresses import reporter_addresses, unconfirmed_email
from ticketing.calendar import BusinessCalendar, StepTime
from ticketing.conversation import subject_tag
from ticketing.directory import ROLE_LABELS, Directory, Role, Staff
from ticketing.formulir import FormulirField, Problem
from ticketing.ikm import ELEMENTS
from ticketing.models import TICKET_REQUIRED, TICKET_TIMES, Event, SurveyResponse, Ticket, TicketRow
from ticketing.normalize import CATEGORY_LABELS_EN, SEX_LABELS, format_phone_national
from ticketing.survey import Refusal, SurveySettings
from ticketing.workflow import (
    DEFAULT_SIFAT,
    SIFAT_LABELS,
    STATE_LABELS,
    STEP_NAMES,
    Action,
    Sifat,
    SopTimes,
    State,
    current_step,
    deadline_step,
)

ACTION_LABELS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "create": "Pengaduan diterima dan dicatat",
        "take": "Ditangani Help Desk (layanan tingkat pertama)",
        "solve": "Diselesaikan oleh Help Desk",
        "escalate": "Dieskalasikan ke unit",
        "dispose": "Didisposisikan ke petugas teknis",
        "resolve": "Diselesaikan",
        "escalate_higher": "Dieskalasikan ke tingkat lebih tinggi",
        "close": "Tiket ditutup",
        "reopen": "Dibuka kembali",
        "pause": "Menunggu tanggapan pelapor",
        "resume": "Dilanjutkan",
        "note": "Catatan",
        "edit": "Formulir Pengaduan diperbaiki",
        "breach": "Batas waktu terlewati",
    },
    "en": {
        "create": "Complaint received and registered",
        "take": "Taken by the help desk (first-level service)",
        "solve": "Solved by the help desk",
        "escalate": "Escalated to a unit",
        "dispose": "Disposed to a technician",
        "resolve": "Resolved",
        "escalate_higher": "Escalated to a higher level",
        "close": "Ticket closed",
        "reopen": "Reopened",
        "pause": "Waiting on the reporter",
        "resume": "Resumed",
        "note": "Note",
        "edit": "Complaint form corrected",
        "breach": "Deadline breached",
    },
}

# What the program itself writes: notes in a ticket's history, and the reason an e-mail
# failed. ``{status}`` is the "status" entry filled in, or "" when there is none.
SYSTEM_NOTES: Mapping[str, Mapping[str, str]] = {
    "id": {
        "no_text": "(tanpa isi)",
        "reporter_answered": "Pelapor menjawab",
        "escalated_on_breach": "Eskalasi otomatis: batas waktu langkah {step} terlewati",
        "breach": "Batas waktu langkah {step} terlewati",
        "reminder": "Pengingat batas waktu langkah {step}",
        "bounced": "E-mail {kind} kepada {recipients} tidak terkirim: server penerima"
        " mengembalikannya{status}.",
        "bounce_error": "Dikembalikan oleh server penerima dengan laporan kegagalan"
        " pengiriman{status}.",
        "status": " (status {status})",
        "unverified": "Pesan yang tidak dapat dipastikan berasal dari {address} ({why});"
        " dicatat tanpa mengubah apa pun:",
        "why_no_thread": "tidak menjawab e-mail kami kepada alamat tersebut",
        "why_not_verified": "server e-mail kantor tidak dapat memastikan pengirimnya",
        "unclear_answer": "Jawaban pelapor atas Laporan Akhir belum dapat dipastikan;"
        " Help Desk diminta mengonfirmasi melalui telepon:",
        "closed_after_silence": "Ditutup otomatis: pelapor tidak menjawab Laporan Akhir"
        " dalam {wait}",
        "confirmation_reminder": "Pengingat konfirmasi Laporan Akhir kepada pelapor",
    },
    "en": {
        "no_text": "(no text)",
        "reporter_answered": "The reporter answered",
        "escalated_on_breach": "Escalated automatically: the deadline of step {step} passed",
        "breach": "The deadline of step {step} passed",
        "reminder": "Reminder of the deadline of step {step}",
        "bounced": "The {kind} e-mailed to {recipients} was not delivered: the receiving"
        " server returned it{status}.",
        "bounce_error": "Returned by the receiving server with a delivery failure report{status}.",
        "status": " (status {status})",
        "unverified": "A message that cannot be confirmed as coming from {address} ({why});"
        " recorded without changing anything:",
        "why_no_thread": "it answers no e-mail of ours to that address",
        "why_not_verified": "the office's mail server could not confirm its sender",
        "unclear_answer": "The reporter's answer to the final report is unclear; the help"
        " desk is asked to confirm by telephone:",
        "closed_after_silence": "Closed automatically: the reporter did not answer the final"
        " report within {wait}",
        "confirmation_reminder": "Reminder to the reporter to confirm the final report",
    },
}


# Each kind of e-mail in words, where a person reads of one (a failed delivery, the note
# of a bounce on the ticket's history): never the template's name.
EMAIL_KINDS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "reporter.acknowledged": "tanda terima pengaduan",
        "reporter.incomplete": "pemberitahuan laporan belum lengkap",
        "reporter.first_level_solution": "solusi layanan tingkat pertama",
        "reporter.final_report": "Laporan Akhir",
        "reporter.closed": "pemberitahuan tiket ditutup",
        "reporter.escalated": "pemberitahuan eskalasi ke unit",
        "reporter.paused": "permintaan tanggapan pelapor",
        "reporter.reopened": "pemberitahuan pengaduan dibuka kembali",
        "reporter.confirmation_reminder": "pengingat konfirmasi penyelesaian",
        "reporter.held": "pemberitahuan pesan ditahan",
        "reporter.refused": "pemberitahuan pesan tidak dapat diproses",
        "reporter.status_link": "tautan status pengaduan",
        "reporter.survey_recorded": "tanda terima jawaban survei",
        "reporter.survey_refused": "pemberitahuan jawaban survei belum dapat dicatat",
        "help_desk.new_ticket": "salinan pengaduan baru untuk Help Desk",
        "help_desk.digest": "ringkasan harian",
        "help_desk.alert": "peringatan sistem",
        "help_desk.delivery_failed": "pemberitahuan e-mail tidak terkirim",
        "help_desk.confirm_by_phone": "permintaan konfirmasi melalui telepon",
        "unit_head.escalated": "eskalasi kepada penanggung jawab unit",
        "technician.disposed": "Lembar Disposisi",
        "official.escalated_higher": "eskalasi ke tingkat lebih tinggi",
        "staff.breach": "pemberitahuan batas waktu terlewati",
        "staff.reminder": "pengingat batas waktu",
        "staff.reopened": "pemberitahuan pengaduan dibuka kembali",
        "staff.command_accepted": "konfirmasi balasan",
        "staff.command_refused": "pemberitahuan balasan tidak dapat dicatat",
        "owner.unauthenticated": "pemberitahuan e-mail yang tidak dapat diverifikasi",
    },
    "en": {
        "reporter.acknowledged": "acknowledgement of the complaint",
        "reporter.incomplete": "notice of an incomplete report",
        "reporter.first_level_solution": "first-level solution",
        "reporter.final_report": "final report (Laporan Akhir)",
        "reporter.closed": "closure notice",
        "reporter.escalated": "notice of the escalation to a unit",
        "reporter.paused": "request for the reporter's answer",
        "reporter.reopened": "notice of the reopening",
        "reporter.confirmation_reminder": "reminder to confirm the solution",
        "reporter.held": "notice of held messages",
        "reporter.refused": "notice of a message that cannot be processed",
        "reporter.status_link": "link to the complaint's status",
        "reporter.survey_recorded": "receipt of the survey answer",
        "reporter.survey_refused": "notice of a survey answer not recorded",
        "help_desk.new_ticket": "the help desk's copy of a new complaint",
        "help_desk.digest": "daily digest",
        "help_desk.alert": "system alert",
        "help_desk.delivery_failed": "notice of an undelivered e-mail",
        "help_desk.confirm_by_phone": "request to confirm by telephone",
        "unit_head.escalated": "escalation to the unit head",
        "technician.disposed": "disposition sheet (Lembar Disposisi)",
        "official.escalated_higher": "escalation to a higher level",
        "staff.breach": "notice of a passed deadline",
        "staff.reminder": "deadline reminder",
        "staff.reopened": "notice of the reopening",
        "staff.command_accepted": "confirmation of a reply",
        "staff.command_refused": "notice of a reply not recorded",
        "owner.unauthenticated": "notice of an e-mail that could not be verified",
    },
}


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def email_kind(language: str, kind: str) -> str:
    """A kind of e-mail in words (``tanda terima pengaduan``); the kind itself if unknown."""
    return EMAIL_KINDS[language].get(kind, kind)


@dataclass(frozen=True)
class NotifierSettings:
    language: str
    office_name: str
    help_desk_name: str
    sender: Sender
    timezone: str
    zone_label: str
    auto_reply_limit_per_hour: int = 5
    # Alerts to the help desk about e-mails not delivered, in an hour, all together; more
    # are kept in the outbox, not sent (a flood of delivery reports must not become one).
    delivery_alert_limit_per_hour: int = 10
    # The web application's address for links in e-mails ([web] public_url; notifier.links):
    # every e-mail to a reporter about a ticket links its status page; "" links nothing.
    public_url: str = ""
    # How a person reaches the help desk ([office]): the contact block of every e-mail.
    # An empty e-mail address is the sender's own; an empty phone or WhatsApp is not shown.
    government: str = ""
    address: str = ""
    phone: str = ""
    whatsapp: str = ""
    email: str = ""
    # The letterhead of printed forms: where they are signed, and the SOP they belong to.
    city: str = ""
    sop_number: str = ""


def office_context(s: NotifierSettings) -> dict[str, str]:
    """The office as every template sees it: its names and its contact block."""
    return {
        "name": s.office_name,
        "help_desk_name": s.help_desk_name,
        "government": s.government,
        "address": s.address,
        "phone": s.phone,
        "whatsapp": s.whatsapp,
        "email": s.email or s.sender.address,
    }


@dataclass(frozen=True)
class Office:
    """What the notifier knows of the office: its settings, people, form and times."""

    settings: NotifierSettings
    directory: Directory
    sop: SopTimes
    fields: Sequence[FormulirField]
    # The office calendar: every deadline, lateness and time left an e-mail gives is
    # working time on it, as in the service report.
    calendar: BusinessCalendar
    # How long a reporter has to answer a solution or the Laporan Akhir before the ticket
    # is closed without an answer ([sop] confirmation_wait).
    confirmation_wait: StepTime = StepTime(10, "days")
    # The satisfaction survey offered in the closure e-mail ([survey]).
    survey: SurveySettings = SurveySettings()


@dataclass(frozen=True)
class Notice:
    """One e-mail the SOP calls for, before it is rendered."""

    kind: str
    to: Sequence[Recipient]
    context: Mapping[str, Any]
    auto_submitted: str = AUTO_GENERATED
    cc: Sequence[Recipient] = field(default_factory=tuple)
    to_reporter: bool = False


# The words a staff member writes at the top of a reply to move a ticket (intake.commands
# reads them), and what follows each, as the e-mails that ask for an action tell it. Keyed
# by intake.commands.Verb values; "escalate_unit" is ESKALASI at first level (to a unit).
REPLY_WORDS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "id": {
        "dispose": (
            "DISPOSISI",
            "diikuti nama atau ID petugas teknis, dengan isi disposisi (dan bila perlu sifatnya,"
            ' misalnya "Sifat: Segera") pada baris berikutnya',
        ),
        "done": ("SELESAI", "diikuti solusinya"),
        "escalate": (
            "ESKALASI",
            "diikuti laporan mengapa permasalahan belum dapat diselesaikan; eskalasi ke tingkat"
            " yang lebih tinggi dilakukan dengan menyertakan laporan tersebut",
        ),
        "escalate_unit": (
            "ESKALASI",
            "diikuti nama unit bila perlu, dengan catatan untuk unit pada baris berikutnya",
        ),
        "pause": (
            "TUNDA",
            "diikuti hal yang ditunggu dari pelapor; standar waktu berhenti sampai pelapor"
            " menjawab",
        ),
        "resume": ("LANJUT", "untuk melanjutkan penanganan; standar waktu berjalan kembali"),
        "close": ("TUTUP", "diikuti konfirmasi pelapor"),
        "reopen": (
            "BUKA",
            "diikuti keterangan pelapor mengapa permasalahannya belum terselesaikan; pengaduan"
            " dikembalikan kepada yang menyelesaikannya",
        ),
    },
    "en": {
        "dispose": (
            "DISPOSE",
            "followed by the technician's name or ID, with the instructions (and where needed the"
            ' priority, for example "Priority: Urgent") on the lines below',
        ),
        "done": ("DONE", "followed by the solution"),
        "escalate": ("ESCALATE", "followed by a report on why the problem could not be solved"),
        "escalate_unit": (
            "ESCALATE",
            "followed by the unit's name where needed, with a note for the unit on the lines below",
        ),
        "pause": (
            "PAUSE",
            "followed by what is awaited from the reporter; the service standard's clock stops"
            " until the reporter answers",
        ),
        "resume": ("RESUME", "to go on with the handling; the clock runs again"),
        "close": ("CLOSE", "followed by the reporter's confirmation"),
        "reopen": (
            "REOPEN",
            "followed by the reporter's account of why the problem is not solved; the complaint"
            " goes back to whoever solved it",
        ),
    },
}
# A command word as written (either language) to its verb.
_WORD_VERBS = {
    word.casefold(): verb
    for words in REPLY_WORDS.values()
    for verb, (word, _) in words.items()
    if verb != "escalate_unit"
}


# --- context for the templates -------------------------------------------------


def _time(office: Office, moment: dt.datetime | None) -> str:
    s = office.settings
    return _long_time(moment, s.timezone, s.zone_label, s.language)


# A phone log's tickets share their deadline and many of their call times, and each e-mail
# shows a number twice: formatting each once saves most of a notice's cost.
@lru_cache(maxsize=4096)
def _long_time(moment: dt.datetime | None, timezone: str, zone_label: str, language: str) -> str:
    return long_time(moment, timezone=timezone, zone_label=zone_label, language=language)


@lru_cache(maxsize=1024)
def _phone_shown(value: str) -> str:
    try:
        return format_phone_national(value)
    except ValueError:
        return value


def _label(office: Office, f: FormulirField) -> str:
    return f.label if office.settings.language == "id" else f.label_en


def _shown_value(office: Office, key: str, value: str) -> str:
    language = office.settings.language
    if key == "phone":
        return _phone_shown(value)
    if key == "sex":
        shown = SEX_LABELS.get(value, value)
        return shown if language == "id" else {"L": "Male", "P": "Female"}.get(value, value)
    if key == "category" and language == "en":
        return CATEGORY_LABELS_EN.get(value, value)
    return value


def salutation(language: str, name: str, sex: str | None = None) -> str:
    """``Bapak Budi`` / ``Ibu Siti`` / ``Bapak/Ibu Rudi``; ``Mr Budi`` / ``Ms Siti`` / ``Budi``."""
    if language == "id":
        return f"{sapaan(language, sex)} {name}"
    title = {"L": "Mr", "P": "Ms"}.get(sex or "", "")
    return f"{title} {name}".strip()


def sapaan(language: str, sex: str | None = None) -> str:
    """How the body of an e-mail refers to a reporter once the greeting has settled the form:
    ``Bapak`` / ``Ibu`` from the form's sex, ``Bapak/Ibu`` only when it is unknown (English
    mail says "you" and takes ``Mr`` / ``Ms`` / "")."""
    if language == "id":
        return {"L": "Bapak", "P": "Ibu"}.get(sex or "", "Bapak/Ibu")
    return {"L": "Mr", "P": "Ms"}.get(sex or "", "")


# A staff member's sapaan in English mail.
_SAPAAN_EN = {"Bapak": "Mr", "Ibu": "Ms"}


def _ticket_heading(office: Office, ticket: Ticket) -> dict[str, str]:
    """The part of `ticket_context` an e-mail's subject shows: its number and tag, its
    category and agency."""
    return {
        "number": ticket.number,
        "tag": subject_tag(ticket.number),
        "category": _shown_value(office, "category", ticket.category),
        "agency": ticket.agency,
    }


def ticket_context(office: Office, ticket: Ticket) -> dict[str, Any]:
    language = office.settings.language
    state = State(ticket.state)
    unit = office.directory.units.get(ticket.unit or "")
    technician = office.directory.get(ticket.technician or "")
    heading = _ticket_heading(office, ticket)
    return {
        "number": heading["number"],
        "tag": heading["tag"],
        "received": _time(office, ticket.received_at),
        "category": heading["category"],
        "agency": heading["agency"],
        "division": ticket.division,
        "reporter_name": ticket.reporter_name,
        "position": ticket.position,
        "phone": _shown_value(office, "phone", ticket.phone),
        "email": ticket.email,
        "sex": _shown_value(office, "sex", ticket.sex),
        "employment_status": ticket.employment_status,
        "description": ticket.description,
        "state": STATE_LABELS[language][state],
        "step": current_step(state),
        "step_name": STEP_NAMES[language][current_step(state)],
        "due": _time(office, ticket.due_at) if ticket.due_at else None,
        "unit_name": unit.name if unit else None,
        "technician_name": technician.name if technician else None,
        "solution": ticket.solution,
        "channel": ticket.channel,
        # the staff desk's page of the ticket, for staff e-mails (none without a public
        # address); the reporter's status link is added to the reporter's e-mails only
        "desk_url": (
            links.desk_url(office.settings.public_url, ticket.number)
            if office.settings.public_url.strip()
            else None
        ),
    }


# The form's values that `ticket_context` shows as `_shown_value` shows them.
_SHOWN_IN_TICKET_CONTEXT = frozenset(
    {"category", "agency", "division", "reporter_name", "position", "phone", "email", "sex",
     "employment_status", "description"}
)  # fmt: skip


def form_rows(
    office: Office, ticket: Ticket, shown: Mapping[str, Any] | None = None
) -> list[dict[str, str]]:
    """The Formulir Pengaduan as (label, value) rows, in the form's order. ``shown``: the
    ticket's `ticket_context`, whose values are taken instead of shown again."""
    language = office.settings.language
    rows = [
        {"label": "Nomor Pengaduan" if language == "id" else "Complaint number",
         "value": ticket.number},
        {"label": "Hari, Tanggal" if language == "id" else "Day, date",
         "value": shown["received"] if shown else _time(office, ticket.received_at)},
    ]  # fmt: skip
    for f in office.fields:
        key = f.key
        if shown is not None and key in _SHOWN_IN_TICKET_CONTEXT:
            value = shown[key]
        else:
            value = _shown_value(office, key, getattr(ticket, key))
        rows.append({"label": _label(office, f), "value": value})
    return rows


# The isi disposisi of a disposition recorded without one, on the sheet and in the e-mail.
DEFAULT_INSTRUCTION = {"id": "Mohon ditindaklanjuti", "en": "Please follow up"}


def disposition_context(office: Office, event: Event) -> dict[str, str]:
    """A disposition's Sifat and isi disposisi in words, the same on the Lembar Disposisi
    and in the technician's e-mail: the recorded Sifat (Biasa when none was recorded)
    and the isi disposisi, "Mohon ditindaklanjuti" when it is empty."""
    language = office.settings.language
    sifat = recorded_sifat(event) or DEFAULT_SIFAT
    return {
        "sifat": SIFAT_LABELS[language][sifat],
        "instruction": event.note.strip() or DEFAULT_INSTRUCTION[language],
    }


def recorded_sifat(event: Event) -> Sifat | None:
    """The Sifat a disposition event recorded; None for one recorded before it was."""
    data = event.data if isinstance(event.data, dict) else {}
    try:
        return Sifat(str(data.get("sifat") or ""))
    except ValueError:
        return None


# What the reporter sees of the staff's notes in the Laporan Akhir: the solution, and
# what they were asked for while the clock was stopped. Internal notes stay internal.
NOTES_FOR_REPORTER = frozenset({"solve", "resolve", "pause", "reopen", "close"})


# Who a delivery report's note on a ticket is by.
BOUNCE_ACTOR = "MAILER-DAEMON"


def event_note(event: Event) -> tuple[str, str]:
    """An event's note in our own words, and the remote text it quotes (a delivery report's
    diagnostic, made safe by `remote_text`; "" for none). Every place that shows a note
    shows the remote text apart, quoted and labelled as the remote server's words."""
    data = event.data if isinstance(event.data, dict) else {}
    bounce = data.get("bounce")
    if isinstance(bounce, dict):
        return event.note, remote_text(str(bounce.get("remote_text") or ""))
    if event.actor == BOUNCE_ACTOR and event.action == "note":
        # Recorded before delivery reports were verified and their text kept apart: all of
        # the note may be a forger's words.
        return "", remote_text(event.note)
    return event.note, ""


# A ticket's history as its reader takes it in, each row saying who did what to whom:
# {by} is who acted, {to} whom the ticket went to (a technician, the official), {unit} the
# unit. The "_self" forms are for a row the reporter or the system made.
TIMELINE_WORDS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "received": "Pengaduan diterima",
        "create": "Dicatat dalam sistem oleh {by}",
        "create_self": "Dicatat dalam sistem",
        "received_create": "Pengaduan diterima dan dicatat dalam sistem oleh {by}",
        "received_create_self": "Pengaduan diterima dan dicatat dalam sistem",
        "take": "Ditangani oleh {by} (layanan tingkat pertama)",
        "solve": "Diselesaikan oleh {by} pada layanan tingkat pertama",
        "escalate": "Dieskalasikan oleh {by} ke {unit}",
        "escalate_nobody": "Dieskalasikan oleh {by} ke unit TIK",
        "dispose": "Didisposisikan oleh {by} kepada petugas teknis {to}",
        "dispose_nobody": "Didisposisikan oleh {by} kepada petugas teknis",
        "escalate_higher": "Dieskalasikan oleh {by} ke tingkat lebih tinggi, kepada {to}",
        "escalate_higher_nobody": "Dieskalasikan oleh {by} ke tingkat lebih tinggi",
        "resolve": "Diselesaikan oleh {by}",
        "pause": "Ditunda oleh {by}, menunggu tanggapan pelapor",
        "resume": "Dilanjutkan oleh {by}",
        "resume_self": "Dilanjutkan setelah tanggapan pelapor",
        "reopen": "Dibuka kembali oleh {by}",
        "reopen_self": "Dibuka kembali atas jawaban pelapor",
        "close": "Tiket ditutup oleh {by}",
        "close_self": "Tiket ditutup",
        "system": "sistem Help Desk",
    },
    "en": {
        "received": "Complaint received",
        "create": "Registered by {by}",
        "create_self": "Registered",
        "received_create": "Complaint received and registered by {by}",
        "received_create_self": "Complaint received and registered",
        "take": "Taken by {by} (first-level service)",
        "solve": "Solved by {by} at first level",
        "escalate": "Escalated by {by} to {unit}",
        "escalate_nobody": "Escalated by {by} to an ICT unit",
        "dispose": "Disposed by {by} to the technician {to}",
        "dispose_nobody": "Disposed by {by} to a technician",
        "escalate_higher": "Escalated by {by} to a higher level, to {to}",
        "escalate_higher_nobody": "Escalated by {by} to a higher level",
        "resolve": "Resolved by {by}",
        "pause": "Paused by {by}, waiting on the reporter",
        "resume": "Resumed by {by}",
        "resume_self": "Resumed after the reporter's answer",
        "reopen": "Reopened by {by}",
        "reopen_self": "Reopened on the reporter's answer",
        "close": "Closed by {by}",
        "close_self": "Closed",
        "system": "the help desk system",
    },
}


def _what(office: Office, event: Event, *, received: bool = False) -> str:
    """One row of the history in words: who did what to whom. ``received``: the complaint
    was received at the moment it was registered (one row says both)."""
    language = office.settings.language
    words = TIMELINE_WORDS[language]
    directory = office.directory
    data = event.data if isinstance(event.data, dict) else {}
    person = directory.get(event.actor)
    if event.actor == "system":
        by = words["system"]
    elif person is None:  # the reporter (an address), or a name no longer in the directory
        by = ""
    else:
        by = _mentioned(office, person)
    key = event.action
    if key == "create" and received:
        key = "received_create"
    if key not in words:
        return ACTION_LABELS[language].get(key, key)
    if not by and f"{key}_self" in words:
        return words[f"{key}_self"]
    unit = directory.units.get(str(data.get("unit") or ""))
    to = directory.get(str(data.get("technician") or data.get("escalated_to") or ""))
    unknown = (key == "escalate" and unit is None) or (
        key in ("dispose", "escalate_higher") and to is None
    )
    return words[f"{key}_nobody" if unknown else key].format(
        by=by or event.actor, to=_mentioned(office, to) if to else "",
        unit=unit.name if unit else "",
    )  # fmt: skip


def timeline(
    office: Office,
    events: Sequence[Event],
    *,
    for_reporter: bool = False,
    ticket: Ticket | None = None,
) -> list[dict[str, str]]:
    """The history, one row per event, each at its moment in the long form with the zone;
    with ``ticket``, it starts when the complaint was received (a letter's arrival, the
    call, an e-mail's arrival at the mail server): on a row of its own when that was before
    it was registered ("Dicatat dalam sistem"), else on the registration's row."""
    language = office.settings.language
    rows = []
    created = next((e for e in events if e.action == "create"), None)
    received_apart = ticket is not None and (created is None or ticket.received_at < created.at)
    if ticket is not None and received_apart:
        words = TIMELINE_WORDS[language]
        rows.append(
            {"at": _time(office, ticket.received_at), "action": words["received"],
             "note": "", "remote": ""}
        )  # fmt: skip
    for event in events:
        if for_reporter and event.action == "note":
            continue
        note, remote = event_note(event)
        shown = not for_reporter or event.action in NOTES_FOR_REPORTER
        received_here = ticket is not None and not received_apart and event is created
        rows.append(
            {
                "at": _time(office, event.at),
                "action": _what(office, event, received=received_here),
                "note": note if shown else "",
                "remote": remote if shown else "",
            }
        )
    return rows


def _person(office: Office, staff: Staff) -> dict[str, str]:
    """A colleague as an e-mail addresses them: ``Bapak Rudi Hartono`` by their sapaan, by
    name and title without one (never ``Bapak/Ibu Rudi Hartono``); the head of office by
    office, ``Ibu Kepala Dinas …``. ``sapaan`` is how the body refers to them."""
    language = office.settings.language
    title = staff.title or ROLE_LABELS[language][staff.role]
    word = staff.sapaan if language == "id" else _SAPAAN_EN.get(staff.sapaan or "")
    if staff.role == Role.HEAD_OF_OFFICE:
        office_name = office.settings.office_name
        greeting = f"Kepala {office_name}" if language == "id" else f"Head of {office_name}"
        greeting = f"{word} {greeting}" if word and language == "id" else greeting
    elif word:
        greeting = f"{word} {staff.name}"
    else:
        greeting = f"{staff.name}, {title}"
    return {
        "name": staff.name,
        "title": title,
        "salutation": greeting,
        "sapaan": word or sapaan(language),
        # as a sentence about them names them to someone else: "Agus Setiawan (Petugas
        # Teknis Jaringan)"; the head of office by office
        "named": _mentioned(office, staff)
        if staff.role == Role.HEAD_OF_OFFICE
        else f"{staff.name} ({title})",
    }


def _mentioned(office: Office, staff: Staff) -> str:
    """A colleague named in a sentence about someone else: the bare name ("tembusan kepada
    Rudi Hartono"); the head of office by office ("tembusan kepada Kepala Dinas …")."""
    if staff.role == Role.HEAD_OF_OFFICE:
        name = office.settings.office_name
        return f"Kepala {name}" if office.settings.language == "id" else f"the Head of {name}"
    return staff.name


def _author(office: Office, staff: Staff) -> dict[str, str]:
    """Who wrote a report, as its heading names them: their title (``Kepala Bidang
    Aplikasi Informatika``), else their role's name (``Petugas Teknis``), and their name."""
    language = office.settings.language
    role = staff.title or ROLE_LABELS[language][staff.role]
    return {"role": role, "name": staff.name}


def _staff_by_address(office: Office, address: str) -> Staff | None:
    wanted = address.strip().casefold()
    return next((s for s in office.directory.staff.values() if s.email.casefold() == wanted), None)


def _base(office: Office, ticket: Ticket) -> dict[str, Any]:
    s = office.settings
    shown = ticket_context(office, ticket)
    return {"office": office_context(s), "ticket": shown, "form": form_rows(office, ticket, shown)}


def _acted(office: Office, ticket: Ticket, actor_id: str, note: str) -> dict[str, Any]:
    """What every e-mail about an event says of the ticket, its form, who acted (their id
    where the directory does not know them) and the note."""
    made = _base(office, ticket)
    actor = office.directory.get(actor_id)
    made["actor"] = _person(office, actor) if actor else {
        "name": actor_id, "title": "", "salutation": actor_id,
        "sapaan": sapaan(office.settings.language), "named": actor_id,
    }  # fmt: skip
    made["note"] = note
    return made


def _step_time(office: Office, step: int) -> str:
    return office.sop.by_step[step].label(office.settings.language)


def _first_standards(office: Office, ticket: Ticket) -> dict[str, Any]:
    """What the acknowledgement promises: steps 1 to 3's service standards, each with the
    deadline it gives where it is running. A complaint by e-mail waits for the help desk
    (step 1, its deadline the ticket's); one logged by an officer is taken at once, so
    step 2 runs from then and step 3's deadline (the ticket's) follows step 2's.

    The same for alike tickets (a phone log's, taken at the same moment): worked out once
    for each, for the office last asked about (kept by identity). Read, not changed."""
    global _last_standards
    known_office, known = _last_standards  # one read: another thread may replace it
    if known_office is not office:
        known = {}
        _last_standards = (office, known)
    key = (ticket.state, ticket.step_started_at, ticket.due_at, ticket.created_at)
    found = known.get(key)
    if found is None:
        if len(known) >= _STANDARDS_KEPT:
            known.clear()
        found = known[key] = _standards_of(office, ticket)
    return found


_STANDARDS_KEPT = 1024
_last_standards: tuple[object, dict[tuple[Any, ...], dict[str, Any]]] = (None, {})


def _standards_of(office: Office, ticket: Ticket) -> dict[str, Any]:
    """`_first_standards`, worked out."""
    taken = ticket.state == State.FIRST_LEVEL.value
    step2_due = (
        office.calendar.add(ticket.step_started_at, office.sop.by_step[2]) if taken else None
    )
    dues = {1: None if taken else ticket.due_at, 2: step2_due, 3: ticket.due_at if taken else None}
    return {
        "taken": taken,
        **{
            f"step{n}": {
                "standard": _step_time(office, n),
                "due": _time(office, due) if due else None,
                # passed before the complaint was registered (an e-mail that came in out
                # of hours and was read later): said, with an apology
                "passed": due is not None and due < ticket.created_at,
            }
            for n, due in dues.items()
        },
    }


def _reporter(office: Office, ticket: Ticket) -> tuple[list[Recipient], dict[str, str]]:
    """The reporter's recipients, only at addresses that have shown they want our mail
    (ticketing/addresses.py: never the form's address before it is confirmed), and how
    to address them."""
    recipients = [Recipient(a, ticket.reporter_name) for a in reporter_addresses(ticket)]
    language = office.settings.language
    return recipients, {
        "name": ticket.reporter_name,
        "salutation": salutation(language, ticket.reporter_name, ticket.sex),
        "sapaan": sapaan(language, ticket.sex),
    }


def _help_desk(office: Office, officers: Sequence[Staff]) -> dict[str, str]:
    """The help desk's officers, as an e-mail to them all addresses them: their team ("Yth.
    Tim Help Desk Layanan TIK,"); an officer alone by sapaan and name."""
    return _person(office, officers[0]) if len(officers) == 1 else _team(office)


def _staff_recipient(staff: Staff) -> Recipient:
    return Recipient(staff.email, staff.name)


def _help_desk_officers(office: Office, *, but: str | None = None) -> list[Staff]:
    return [s for s in office.directory.with_role(Role.HELP_DESK) if s.id != but]


def _wait(office: Office) -> str:
    return office.confirmation_wait.label(office.settings.language)


def _final_report(office: Office, ticket: Ticket) -> bool:
    """Whether the reporter's confirmation is asked of a Laporan Akhir, not of a solution
    the help desk gave at first level (which leaves the ticket with a help-desk officer)."""
    solver = office.directory.get(ticket.assignee or "")
    return solver is None or solver.role != Role.HELP_DESK


def _reply_word(office: Office, verb: str, sender: Staff | None, ticket: Ticket) -> dict[str, str]:
    """One word a staff member may write, and what follows it."""
    at_first_level = ticket.state in (State.RECEIVED.value, State.FIRST_LEVEL.value)
    if verb == "escalate" and sender is not None and sender.role == Role.HELP_DESK:
        verb = "escalate_unit" if at_first_level else verb
    word, follows = REPLY_WORDS[office.settings.language][verb]
    return {"word": word, "follows": follows}


def _can_escalate(office: Office, person: Staff) -> bool:
    """An official may escalate higher, to the head of office, when there is one."""
    return person.role == Role.OFFICIAL and bool(office.directory.with_role(Role.HEAD_OF_OFFICE))


# --- the SOP's notices -----------------------------------------------------------


def _linked(office: Office, ticket: Ticket, notices: list[Notice]) -> list[Notice]:
    """Each e-mail to the reporter with the link to the ticket's status page (opened by its
    access token; the reporter's own), when the office has a public address."""
    if not any(n.to_reporter and not isinstance(n.context, Composed) for n in notices):
        return notices
    link = _status_link(office, ticket)
    if link is None:
        return notices
    return [
        _with_context(n, {**n.context, "status_url": link})
        if n.to_reporter and not isinstance(n.context, Composed)  # linked as composed
        else n
        for n in notices
    ]


def _status_link(office: Office, ticket: Ticket) -> str | None:
    """The reporter's link to the ticket's status page (opened by its access token), when
    the office has a public address."""
    public_url = office.settings.public_url
    token = getattr(ticket, "access_token", None)
    return status_url(public_url, ticket.number, token) if public_url and token else None


def _with_context(notice: Notice, context: Mapping[str, Any]) -> Notice:
    """``dataclasses.replace(notice, context=context)``, without its look at the fields
    (an acknowledgement of each call of a phone log)."""
    made = object.__new__(Notice)
    made.__dict__.update(notice.__dict__, context=context)
    return made


def notices_for_event(
    office: Office, ticket: Ticket, event: Event, events: Sequence[Event], *, invited: bool = False
) -> list[Notice]:
    """The e-mails one workflow event calls for (possibly none). ``invited``: the closure
    notice invites the reporter to the satisfaction survey (`ticketing.survey.invite`)."""
    return _linked(office, ticket, _event_notices(office, ticket, event, events, invited=invited))


def _event_notices(
    office: Office, ticket: Ticket, event: Event, events: Sequence[Event], *, invited: bool
) -> list[Notice]:
    action = event.action
    directory = office.directory
    actor = directory.get(event.actor)

    said: list[dict[str, Any]] = []  # base(), once made

    def base() -> dict[str, Any]:
        """What every e-mail about the event says of the ticket, its form, who acted and
        the note: put into words only for an event that has e-mails, once."""
        if not said:
            said.append(_acted(office, ticket, event.actor, event.note))
        return said[0]

    if action == Action.CREATE:
        # Composed when rendered, from the facts of the registration (`Composed`): a phone
        # log acknowledges thousands of calls at once.
        facts = _registration_facts(ticket, event)
        made = []
        to, _ = _reporter(office, ticket)
        if _acknowledged_on_the_web(ticket, to):
            to = [Recipient(ticket.email.strip(), ticket.reporter_name)]
        if to:
            # An answer to the reporter's own e-mail or form is an auto-reply; after a call
            # or a letter it is a notice the system sends on its own.
            kind = AUTO_REPLIED if ticket.channel in ("email", "web") else AUTO_GENERATED
            # What the SOP promised at registration (not what a later SOP would say).
            promised = {**facts, "standards": _first_standards(office, ticket)}
            composed = Composed(office, "reporter.acknowledged", promised, ticket)
            made.append(Notice("reporter.acknowledged", to, composed, kind, to_reporter=True))
        copy = new_ticket_notice(office, ticket, facts, acknowledged=bool(to))
        return made + ([copy] if copy is not None else [])

    if action == Action.SOLVE:
        to, who = _reporter(office, ticket)
        if not to:
            return []
        context = {
            **base(),
            "recipient": who,
            "solution": event.note,
            "confirmation_wait": _wait(office),
        }
        return [Notice("reporter.first_level_solution", to, context, to_reporter=True)]

    if action == Action.ESCALATE:
        head = directory.get(ticket.assignee or "")
        if head is None:
            return []
        unit = directory.units.get(ticket.unit or "")
        members = [directory.get(t) for t in (unit.technicians if unit else ())]
        context = {
            **base(),
            "recipient": _person(office, head),
            "step_time": _step_time(office, 4),
            "technicians": [{"id": m.id, "name": m.name} for m in members if m],
        }
        notices = [Notice("unit_head.escalated", [_staff_recipient(head)], context)]
        to, who = _reporter(office, ticket)
        if to:
            told = {
                **base(),
                "recipient": who,
                "disposition_time": _step_time(office, 4),
                "resolution_time": _step_time(office, 5),
            }
            notices.append(Notice("reporter.escalated", to, told, to_reporter=True))
        return notices

    if action == Action.DISPOSE:
        technician = directory.get(ticket.technician or "")
        if technician is None:
            return []
        cc = [_staff_recipient(actor)] if actor else []
        context = {
            **base(),
            "recipient": _person(office, technician),
            "step_time": _step_time(office, 5),
            "disposition": disposition_context(office, event),
        }
        return [Notice("technician.disposed", [_staff_recipient(technician)], context, cc=cc)]

    if action == Action.ESCALATE_HIGHER:
        target = directory.get(ticket.assignee or "")
        if target is None:
            return []
        unit = directory.units.get(ticket.unit or "")
        head = directory.get(unit.head) if unit else None
        cc = [_staff_recipient(p) for p in (head,) if p and p.id != event.actor]
        # The report is named by its author's own role: a technician's, or the official's
        # when the official takes it to the head of office; none when the sweep escalated.
        author = actor if actor and actor.role != Role.REPORTER else None
        context = {
            **base(),
            "recipient": _person(office, target),
            "report": event.note,
            "report_by": _author(office, author) if author else None,
            "to_head_of_office": target.role == Role.HEAD_OF_OFFICE,
            "can_escalate": _can_escalate(office, target),
        }
        return [Notice("official.escalated_higher", [_staff_recipient(target)], context, cc=cc)]

    if action == Action.RESOLVE:
        to, who = _reporter(office, ticket)
        if not to:
            return []
        context = {
            **base(),
            "recipient": who,
            "solution": event.note,
            "timeline": timeline(office, events, for_reporter=True, ticket=ticket),
            "confirmation_wait": _wait(office),
        }
        return [Notice("reporter.final_report", to, context, to_reporter=True)]

    if action == Action.PAUSE:
        if actor is None:
            return []
        to, who = _reporter(office, ticket)
        if not to:
            return []
        context = {**base(), "recipient": who, "awaited": event.note}
        return [Notice("reporter.paused", to, context, to_reporter=True)]

    if action == Action.REOPEN:
        assignee = directory.get(ticket.assignee or "")
        if assignee is None:
            return []
        cc = [_staff_recipient(o) for o in _help_desk_officers(office, but=assignee.id)]
        context = {
            **base(),
            "recipient": _person(office, assignee),
            "reason": event.note,
            "by_reporter": actor is None,
            "reply_words": _handler_words(office, assignee, ticket),
            # the official or the head of office is reported to, and set no deadline
            "for_direction": _gives_direction(assignee),
        }
        notices = [Notice("staff.reopened", [_staff_recipient(assignee)], context, cc=cc)]
        to, who = _reporter(office, ticket)
        if to:
            handler = _person(office, assignee)
            told = {
                **base(),
                "recipient": who,
                "reason": event.note,
                "by_reporter": actor is None,
                "handler": {
                    "name": handler["name"],
                    "title": handler["title"],
                    "named": handler["named"],
                    # the official or the head of office gives direction: no deadline
                    "for_direction": _gives_direction(assignee),
                },  # fmt: skip
            }
            notices.append(Notice("reporter.reopened", to, told, to_reporter=True))
        return notices

    if action == Action.CLOSE:
        to, who = _reporter(office, ticket)
        if not to:
            return []
        data = event.data if isinstance(event.data, dict) else {}
        context = {
            **base(),
            "recipient": who,
            "closed_without_answer": data.get("silence") is True,
            "confirmation_wait": _wait(office),
            "final_report": _final_report(office, ticket),
            "survey": survey_context(office, ticket) if invited else None,
            # an invitation asks for an answer: the reply marker heads the e-mail
            "asks_reply": invited,
        }
        return [Notice("reporter.closed", to, context, to_reporter=True)]

    return []


# The channels whose complaints come in without an officer: by e-mail and through the web
# form. A call or a letter is registered by a help-desk officer, who has it in front of
# them (and a phone log's calls were written down by the officers themselves).
UNATTENDED_CHANNELS = frozenset({"email", "web"})


def new_ticket_notice(
    office: Office, ticket: Ticket, facts: Mapping[str, Any], *, acknowledged: bool
) -> Notice | None:
    """The help desk's copy of a complaint that came in by itself (e-mail, web form): the
    form, the reporter's acknowledgement, and the words that act on it by reply (a
    first-level solution, an escalation to a unit, the closure once the reporter confirms).
    ``facts``: `_registration_facts`."""
    if ticket.channel not in UNATTENDED_CHANNELS:
        return None
    officers = _help_desk_officers(office)
    if not officers:
        return None
    sent_to = {**facts, "acknowledged": acknowledged, "officers": [o.id for o in officers]}
    context = Composed(office, "help_desk.new_ticket", sent_to, ticket)
    return Notice("help_desk.new_ticket", [_staff_recipient(o) for o in officers], context)


def _new_ticket_copy(
    office: Office, ticket: Ticket, facts: Mapping[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    directory = office.directory
    # Those it went to, as the directory names them now (the team, should none be left).
    officers = [s for s in map(directory.get, facts["officers"]) if s is not None]
    first = officers[0] if officers else None
    suggested = directory.unit_for_category(ticket.category)
    return {
        **base,
        "recipient": _help_desk(office, officers) if officers else _team(office),
        "acknowledged": facts["acknowledged"],
        "unit": suggested.name if suggested else None,
        "units": [{"key": u.key, "name": u.name} for u in directory.units.values()],
        "reply_words": [_reply_word(office, verb, first, ticket) for verb in ("done", "escalate")],
        "close_word": _reply_word(office, "close", first, ticket),
    }


def _acknowledgement(
    office: Office, ticket: Ticket, facts: Mapping[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    to, who = _reporter(office, ticket)
    web = _acknowledged_on_the_web(ticket, to)
    context = {
        **base,
        "recipient": who,
        "standards": facts["standards"],
        "unconfirmed_email": None if web else unconfirmed_email(ticket),
        "web_unconfirmed": web,
    }
    if (link := _status_link(office, ticket)) is not None:  # as `_linked` links
        context["status_url"] = link
    return context


def _acknowledged_on_the_web(ticket: Ticket, to: Sequence[Recipient]) -> bool:
    """The web form's only answer goes to the address typed on it: the acknowledgement with
    the status link. The address is not confirmed by it (nothing else goes there until its
    owner answers us), and as an answer to a request it counts towards the per-address cap
    on automatic replies."""
    return ticket.channel == "web" and not to and bool(ticket.email.strip())


class _TicketShown(Mapping[str, Any]):
    """`ticket_context` as a subject reads it: its heading (`_ticket_heading`) at once,
    the rest made (all of it) the first time anything else is read."""

    __slots__ = ("_office", "_ticket", "_heading", "_whole")

    def __init__(self, office: Office, ticket: Ticket) -> None:
        self._office, self._ticket = office, ticket
        self._heading = _ticket_heading(office, ticket)
        self._whole: dict[str, Any] | None = None

    def _context(self) -> dict[str, Any]:
        if self._whole is None:
            self._whole = ticket_context(self._office, self._ticket)
        return self._whole

    def __getitem__(self, key: str) -> Any:
        heading = self._heading
        return heading[key] if key in heading else self._context()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._context())

    def __len__(self) -> int:
        return len(self._context())


# --- e-mails composed when rendered --------------------------------------------------


def _registration_facts(ticket: Ticket, event: Event) -> dict[str, Any]:
    """What the e-mails of a registration are composed from: the ticket as registered
    (every column) and who registered it, with the note."""
    values = ticket._asdict() if hasattr(ticket, "_asdict") else {
        name: getattr(ticket, name) for name in TicketRow._fields
    }  # fmt: skip
    return {"ticket": values, "actor": event.actor, "note": event.note}


def _ticket_of(facts: Mapping[str, Any]) -> Any:
    """The ticket of ``facts`` (`_registration_facts`) as read back from JSON. A draft that
    lacks a column that always holds a value is not composed half-made; one that lacks a
    column that may be empty (one added since it was queued) takes it empty."""
    given = facts["ticket"]
    if missing := sorted(TICKET_REQUIRED.difference(given)):
        raise ValueError(f"the facts lack the ticket's {', '.join(missing)}")
    return TicketRow(
        **{
            name: dt.datetime.fromisoformat(value)
            if name in TICKET_TIMES and value is not None
            else value
            for name, value in given.items()
            if name in TicketRow._fields
        }
    )


_COMPOSERS = {"reporter.acknowledged": _acknowledgement, "help_desk.new_ticket": _new_ticket_copy}
"""The kinds of e-mail composed from facts, and how each is composed over its base."""


class Composed(Mapping[str, Any]):
    """The context of an e-mail that is composed from facts (``facts``: data, stored in its
    draft) when it is rendered. The facts are fixed when the e-mail is queued: the ticket
    as registered (not as it is later), who registered it, the deadlines the SOP gave then,
    those it went to. What is said of them, in the draft's language, follows the office's
    configuration when it is rendered: its names and contacts, the staff's names and
    titles, the form's labels, the status page's address.

    Read as a mapping; the ticket's part alone (what a subject shows) is made without the
    rest, which is made once, the first time any other part is read. ``language``: the
    draft's, when the office's has changed since it was queued."""

    __slots__ = ("office", "kind", "facts", "_ticket", "_whole")

    def __init__(
        self,
        office: Office,
        kind: str,
        facts: Mapping[str, Any],
        ticket: Any = None,
        *,
        language: str | None = None,
    ) -> None:
        if kind not in _COMPOSERS:
            raise ValueError(f"no e-mail of kind {kind!r} is composed from facts")
        settings = office.settings
        if language is not None and language != settings.language:
            office = replace(office, settings=replace(settings, language=language))
        self.office, self.kind, self.facts = office, kind, facts
        self._ticket = ticket
        self._whole: dict[str, Any] | None = None

    def _ticket_row(self) -> Any:
        if self._ticket is None:
            self._ticket = _ticket_of(self.facts)
        return self._ticket

    def _context(self) -> dict[str, Any]:
        if self._whole is None:
            ticket = self._ticket_row()
            base = _acted(self.office, ticket, self.facts["actor"], self.facts["note"])
            self._whole = _COMPOSERS[self.kind](self.office, ticket, self.facts, base)
        return self._whole

    def __getitem__(self, key: str) -> Any:
        if key == "ticket" and self._whole is None:
            return _TicketShown(self.office, self._ticket_row())
        return self._context()[key]

    def __contains__(self, key: object) -> bool:
        return key == "ticket" or key in self._context()

    def __iter__(self) -> Iterator[str]:
        return iter(self._context())

    def __len__(self) -> int:
        return len(self._context())


def _handler_words(office: Office, person: Staff, ticket: Ticket) -> list[dict[str, str]]:
    """The words the one who handles a ticket may write in reply: a solution, an escalation
    where there is a level above them, a pause to wait on the reporter."""
    verbs = ["done"]
    if person.role in (Role.HELP_DESK, Role.TECHNICIAN) or _can_escalate(office, person):
        verbs.append("escalate")
    verbs.append("pause")
    return [_reply_word(office, verb, person, ticket) for verb in verbs]


def _step_words(office: Office, person: Staff, ticket: Ticket) -> list[dict[str, str]]:
    """The words the person responsible for the ticket's current step may write in reply
    to a reminder or breach of it (at step 7, the help desk's: the reporter's confirmation
    or not-yet, taken by telephone)."""
    state = ticket.state
    if state == State.ESCALATED.value and person.role == Role.UNIT_HEAD:
        return [_reply_word(office, "dispose", person, ticket)]
    if state in (State.FIRST_LEVEL.value, State.DISPOSED.value, State.ESCALATED_HIGHER.value):
        return _handler_words(office, person, ticket)
    if state == State.RECEIVED.value and person.role == Role.HELP_DESK:
        return [_reply_word(office, verb, person, ticket) for verb in ("done", "escalate")]
    if state == State.RESOLVED.value and person.role == Role.HELP_DESK:
        # step 7, the Laporan Akhir not delivered: the help desk gives it by telephone and
        # writes what the reporter said
        return [_reply_word(office, verb, person, ticket) for verb in ("close", "reopen")]
    return []


def _gives_direction(person: Staff) -> bool:
    """Whether ``person`` is above those who handle complaints (the official, the head of
    office): told of a step's time as a report that awaits their direction, never set a
    deadline."""
    return person.role in (Role.OFFICIAL, Role.HEAD_OF_OFFICE)


def _step_facts(office: Office, ticket: Ticket, step: int) -> dict[str, Any]:
    """The step a reminder or breach is about: its number, name and standard; at first level
    (step 3, whose deadline the ticket runs to) also the step 2 it follows, so that the
    reader sees the two standards that make the deadline."""
    language = office.settings.language
    after = None
    if ticket.state == State.FIRST_LEVEL.value:
        # its deadline (the ticket's) is the escalation's, whatever step was asked about
        step = deadline_step(State.FIRST_LEVEL)
        after = {
            "step": 2,
            "step_name": STEP_NAMES[language][2],
            "step_time": _step_time(office, 2),
        }
    return {
        "step": step,
        "step_name": STEP_NAMES[language][step],
        "step_time": _step_time(office, step),
        "after": after,
    }


def late_minutes(office: Office, due: dt.datetime | None, now: dt.datetime) -> int:
    """How late a step is at ``now``: working minutes past its deadline on the office
    calendar, the same count as the service report's (records.report)."""
    return office.calendar.working_minutes_between(due, now) if due else 0


def ticket_base(office: Office, ticket: Ticket) -> Mapping[str, Any]:
    """What every e-mail about ``ticket`` shows of the office, the ticket and its form: made
    once for the several people a reminder or breach goes to (``base=``)."""
    return _base(office, ticket)


def breach_notices(
    office: Office, ticket: Ticket, *, step: int, responsible: str, now: dt.datetime,
    base: Mapping[str, Any] | None = None,
) -> list[Notice]:  # fmt: skip
    """A breached deadline: to the person responsible, copied to their superior; step 7's
    (the Laporan Akhir not delivered in time) is the help desk's own and is not copied.
    ``base``: `ticket_base` of the ticket, when already made."""
    directory = office.directory
    person = directory.get(responsible)
    if person is None:
        return []
    superior = directory.superior_of(responsible) if step != 7 else None
    language = office.settings.language
    overdue = late_minutes(office, ticket.due_at, now)
    context = {
        **(base if base is not None else _base(office, ticket)),
        "recipient": _person(office, person),
        "breach": {
            **_step_facts(office, ticket, step),
            "due": _time(office, ticket.due_at),
            "overdue_by": duration(overdue, language),
            "responsible": person.name,
            "superior": _mentioned(office, superior) if superior else None,
            "for_direction": _gives_direction(person),
        },
    }
    context["reply_words"] = _step_words(office, person, ticket)
    cc = [_staff_recipient(superior)] if superior else []
    return [Notice("staff.breach", [_staff_recipient(person)], context, cc=cc)]


def reminder_notice(
    office: Office, ticket: Ticket, *, step: int, responsible: str, now: dt.datetime,
    base: Mapping[str, Any] | None = None,
) -> list[Notice]:  # fmt: skip
    """Before a deadline: to the person responsible, with the time that is left. ``base``:
    `ticket_base` of the ticket, when already made."""
    person = office.directory.get(responsible)
    if person is None or ticket.due_at is None:
        return []
    language = office.settings.language
    left = office.calendar.working_minutes_between(now, ticket.due_at)
    context = {
        **(base if base is not None else _base(office, ticket)),
        "recipient": _person(office, person),
        "reminder": {
            **_step_facts(office, ticket, step),
            "due": _time(office, ticket.due_at),
            "left": duration(left, language),
            "for_direction": _gives_direction(person),
        },
    }
    context["reply_words"] = _step_words(office, person, ticket)
    return [Notice("staff.reminder", [_staff_recipient(person)], context)]


def incomplete_notice(
    office: Office,
    *,
    address: str,
    name: str | None,
    sex: str | None,
    subject: str,
    problems: Sequence[Problem],
    understood: Mapping[str, str],
) -> Notice:
    """The reply to an incomplete report: every problem, what was understood, and the
    form pre-filled with it, to complete by replying."""
    language = office.settings.language
    s = office.settings
    rows = []
    for f in office.fields:
        value = understood.get(f.key, "")
        rows.append(
            {
                "label": _label(office, f),
                "value": _shown_value(office, f.key, value) if value else "",
                "choices": " / ".join(_shown_value(office, f.key, c) for c, _ in f.choices),
            }
        )
    context = {
        "office": office_context(s),
        "recipient": {
            "name": name or address,
            "salutation": salutation(language, name or "", sex).strip()
            if name
            else ("Bapak/Ibu" if language == "id" else "Sir or Madam"),
            "sapaan": sapaan(language, sex),
        },
        "original_subject": subject,
        "problems": [p.message_id if language == "id" else p.message_en for p in problems],
        "understood": [row for row in rows if row["value"]],
        "blank_form": rows,
    }
    return Notice(
        "reporter.incomplete", [Recipient(address, name or "")], context, AUTO_REPLIED,
        to_reporter=True,
    )  # fmt: skip


def delivery_failed_notice(
    office: Office,
    *,
    kind: str,
    recipients: Sequence[str],
    subject: str,
    error: str,
    ticket_number: str | None,
    remote: str | None = None,
) -> Notice | None:
    """Tell the help desk that an e-mail could not be delivered (an address may be wrong).
    ``error`` is in our words; ``remote`` is what a remote server wrote about it (a
    delivery report's diagnostic), shown apart, quoted, as the remote server's words."""
    officers = office.directory.with_role(Role.HELP_DESK)
    if not officers:
        return None
    s = office.settings
    context = {
        "office": office_context(s),
        "recipient": _help_desk(office, officers),
        "failed": {
            "kind": _capitalized(email_kind(s.language, kind)),
            "recipients": ", ".join(recipients),
            "subject": subject,
            "error": error,
            "ticket_number": ticket_number,
            "remote_text": remote_text(remote) or None,
        },
    }
    return Notice("help_desk.delivery_failed", [_staff_recipient(o) for o in officers], context)


def _to_sender(office: Office, address: str, name: str | None) -> dict[str, Any]:
    s = office.settings
    language = s.language
    return {
        "office": office_context(s),
        "recipient": {
            "name": name or address,
            "salutation": salutation(language, name)
            if name
            else ("Bapak/Ibu" if language == "id" else "Sir or Madam"),
            "sapaan": sapaan(language),
        },
    }


def refused_notice(
    office: Office,
    *,
    address: str,
    name: str | None,
    subject: str,
    reasons: Sequence[Mapping[str, str]],
) -> Notice:
    """A message over the configured limits: kept, not processed, and the sender told why.
    Each reason has a ``code`` (message_size, attachment_size, attachment_count), ``actual``
    and ``limit`` (and ``name`` for an attachment)."""
    context = {
        **_to_sender(office, address, name),
        "original_subject": subject,
        "reasons": [dict(r) for r in reasons],
    }
    return Notice(
        "reporter.refused", [Recipient(address, name or "")], context, AUTO_REPLIED,
        to_reporter=True,
    )  # fmt: skip


def held_notice(office: Office, *, address: str, name: str | None, count: int) -> Notice:
    """The one notice to a sender whose mail is held for flooding the mailbox."""
    context = {**_to_sender(office, address, name), "address": address, "count": count}
    return Notice(
        "reporter.held", [Recipient(address, name or "")], context, AUTO_REPLIED,
        to_reporter=True,
    )  # fmt: skip


def digest_notice(
    office: Office,
    *,
    recipients: Sequence[Staff],
    day: str,
    per_state: Mapping[str, int],
    overdue: Sequence[Ticket],
    new: int,
    closed: int,
    breaches: int,
    outbox_dead: int,
    quarantined: int,
    incomplete_open: int,
) -> list[Notice]:
    """The daily digest: how the service is doing, at a glance. The help desk's copy goes to
    its officers together, addressed to the team ("Yth. Tim Help Desk Layanan TIK"; an
    officer alone by sapaan and name), with the help desk's internal counts (e-mails and
    messages the program could not handle). Every other recipient has a copy of their own
    addressed to them, without those counts: the official and the head of office as a
    report, a colleague of a unit as a summary."""
    s = office.settings
    language = s.language
    labels = STATE_LABELS[language]
    team = [p for p in recipients if p.role == Role.HELP_DESK]
    others = [p for p in recipients if p.role != Role.HELP_DESK]
    facts = {
        "day": day,
        "states": [
            {"label": labels[state], "count": per_state.get(state.value, 0)}
            for state in State
            if state != State.CLOSED
        ],
        "open": sum(per_state.get(st.value, 0) for st in State if st != State.CLOSED),
        "overdue": [
            {
                "number": t.number,
                "state": labels[State(t.state)],
                # with nobody yet: a complaint the help desk has still to take
                "with": (
                    _mentioned(office, p)
                    if (p := office.directory.get(t.assignee or ""))
                    else (s.help_desk_name if t.state == State.RECEIVED.value else "-")
                ),
                "due": _time(office, t.due_at),
            }
            for t in overdue
        ],
        "new": new,
        "closed": closed,
        "breaches": breaches,
        "outbox_dead": outbox_dead,
        "quarantined": quarantined,
        "incomplete_open": incomplete_open,
    }
    notices = []
    if team:
        context = {
            "office": office_context(s),
            "recipient": _help_desk(office, team),
            "digest": {**facts, "for_superior": False, "internal": True},
        }
        notices.append(Notice("help_desk.digest", [_staff_recipient(p) for p in team], context))
    for person in others:
        context = {
            "office": office_context(s),
            "recipient": _person(office, person),
            "digest": {**facts, "for_superior": _gives_direction(person), "internal": False},
        }
        notices.append(Notice("help_desk.digest", [_staff_recipient(person)], context))
    return notices


def _team(office: Office) -> dict[str, str]:
    """The help desk's officers together, addressed as their team: ``Tim Help Desk Layanan
    TIK`` (``Help Desk Layanan TIK team``)."""
    s = office.settings
    name = f"Tim {s.help_desk_name}" if s.language == "id" else f"{s.help_desk_name} team"
    return {"name": name, "salutation": name, "sapaan": sapaan(s.language)}


# What each of the daemon's jobs is, in the words of the alert about it: the subject reads
# "PERHATIAN: <what> <failing>" while it fails and "PULIH: <what> <working>" once it works.
ALERT_WORDS: Mapping[str, Mapping[str, tuple[str, str, str]]] = {
    "id": {
        "mailbox": ("kotak surat pengaduan", "tidak dapat dibaca", "dapat dibaca kembali"),
        "phone_drop": ("folder log telepon", "tidak dapat diproses", "dapat diproses kembali"),
        "sweep": ("pemeriksaan batas waktu", "tidak berjalan", "berjalan kembali"),
        "digest": ("ringkasan harian", "tidak dapat dibuat", "dapat dibuat kembali"),
        "outbox": ("pengiriman e-mail", "tidak berjalan", "berjalan kembali"),
    },
    "en": {
        "mailbox": ("the complaint mailbox", "cannot be read", "can be read again"),
        "phone_drop": ("the phone-log folder", "cannot be processed", "can be processed again"),
        "sweep": ("the deadline sweep", "is not running", "runs again"),
        "digest": ("the daily digest", "cannot be made", "can be made again"),
        "outbox": ("sending e-mail", "is not working", "works again"),
    },
}
_ALERT_OTHER = {"id": ("bermasalah", "berjalan kembali"), "en": ("is failing", "works again")}


def program_alert_notice(
    office: Office, *, job: str, raised: bool, since: dt.datetime, detail: str
) -> Notice | None:
    """To the help desk: one of the daemon's jobs (a key of ALERT_WORDS) has been failing
    for too long (``raised``), or works again."""
    officers = office.directory.with_role(Role.HELP_DESK)
    if not officers:
        return None
    s = office.settings
    what, failing, working = ALERT_WORDS[s.language].get(job, (job, *_ALERT_OTHER[s.language]))
    context = {
        "office": office_context(s),
        "recipient": _help_desk(office, officers),
        "alert": {
            "what": what, "failing": failing, "working": working, "raised": raised,
            "since": _time(office, since), "detail": detail,
        },
    }  # fmt: skip
    return Notice("help_desk.alert", [_staff_recipient(o) for o in officers], context)


# --- answers to replies ------------------------------------------------------------


def command_accepted_notice(
    office: Office, ticket: Ticket, *, sender: Staff, event: Event
) -> Notice:
    """To a staff member whose reply command was recorded: what was recorded, and what
    happens next (the e-mails the move itself sends)."""
    directory = office.directory
    technician = directory.get(ticket.technician or "")
    unit = directory.units.get(ticket.unit or "")
    handler = directory.get(ticket.assignee or "")
    context = {
        **_base(office, ticket),
        "recipient": _person(office, sender),
        "accepted": {
            "action": event.action,
            "note": event.note,
            "technician": technician.name if technician else None,
            "unit": unit.name if unit else None,
            # whom the ticket went to: the unit head after ESKALASI at first level, the
            # official or head of office after ESKALASI higher
            "handler": _mentioned(office, handler) if handler else None,
            "reporter_by_email": bool(reporter_addresses(ticket)),
            "sifat": disposition_context(office, event)["sifat"],
        },
    }
    return Notice("staff.command_accepted", [_staff_recipient(sender)], context, AUTO_REPLIED)


def command_refused_notice(
    office: Office,
    ticket: Ticket,
    *,
    sender: Staff,
    word: str,
    reason: str,
    allowed: Sequence[str],
    candidates: Sequence[str],
    written: str = "",
) -> Notice:
    """To a staff member whose reply command moved nothing: why, and what they may write
    instead. ``reason`` is an intake.commands.Refusal value (not_now, paused, needs_text,
    unknown_technician, unknown_sifat); ``allowed`` the Verb values they may write now;
    ``candidates`` the staff ids of the technicians to choose from; ``written`` what they
    wrote that could not be read (the Sifat)."""
    directory = office.directory
    # who has the ticket now; nobody once it is closed
    handler = None if ticket.state == State.CLOSED.value else directory.get(ticket.assignee or "")
    verb = _WORD_VERBS.get(word.strip().casefold())
    people = [directory.get(c) for c in candidates]
    context = {
        **_base(office, ticket),
        "recipient": _person(office, sender),
        "refused": {
            "word": word.strip().upper(),
            "reason": reason,
            # what must follow the word, when the sender wrote it alone
            "follows": _reply_word(office, verb, sender, ticket)["follows"].split(";")[0]
            if verb
            else "",
            "allowed": [_reply_word(office, v, sender, ticket) for v in allowed],
            "candidates": [{"id": p.id, "name": p.name} for p in people if p],
            "handler": _mentioned(office, handler) if handler else None,
            "written": written,
            "sifat_names": list(SIFAT_LABELS[office.settings.language].values()),
        },
    }
    return Notice("staff.command_refused", [_staff_recipient(sender)], context, AUTO_REPLIED)


UNAUTHENTICATED_REASONS = ("no_thread", "not_verified")


def unauthenticated_notice(
    office: Office,
    ticket: Ticket,
    *,
    owner_address: str,
    owner_name: str,
    to_reporter: bool,
    claimed_from: str,
    subject: str,
    reason: str,
) -> Notice:
    """To the real owner of an address, at the address we know: an e-mail about their
    ticket bore their address as sender but could not be verified as theirs (``reason``:
    no_thread, not_verified); it changed nothing."""
    if reason not in UNAUTHENTICATED_REASONS:
        raise ValueError(f"unknown reason {reason!r}; known: {', '.join(UNAUTHENTICATED_REASONS)}")
    language = office.settings.language
    staff = None if to_reporter else _staff_by_address(office, owner_address)
    if staff is not None:
        recipient = _person(office, staff)
    else:
        sex = ticket.sex if to_reporter else None
        recipient = {
            "name": owner_name,
            # a colleague we cannot find in the directory: by name only
            "salutation": salutation(language, owner_name, sex) if to_reporter else owner_name,
            "sapaan": sapaan(language, sex),
        }
    context = {
        **_base(office, ticket),
        "recipient": recipient,
        "owner_address": owner_address,
        "suspect": {
            # a stranger's words, sent on to a person: one line, links broken
            "claimed_from": remote_text(claimed_from),
            "subject": remote_text(subject),
            "reason": reason,
        },
        "to_reporter": to_reporter,
    }
    # An answer to a message received: capped per address like every automatic reply, so
    # that a stream of forgeries cannot become a stream of mail to their victim.
    (found,) = _linked(office, ticket, [Notice(
        "owner.unauthenticated", [Recipient(owner_address, owner_name)], context, AUTO_REPLIED,
        to_reporter=to_reporter,
    )])  # fmt: skip
    return found


def confirm_by_phone_notice(office: Office, ticket: Ticket, *, words: str) -> Notice | None:
    """To the help desk: the reporter answered the confirmation in words that are neither
    YA nor BELUM; a call settles it."""
    officers = _help_desk_officers(office)
    if not officers:
        return None
    solver = office.directory.get(ticket.assignee or "")  # where BUKA sends it back
    context = {
        **_base(office, ticket),
        "recipient": _help_desk(office, officers),
        "words": words,
        "final_report": _final_report(office, ticket),
        "close_word": _reply_word(office, "close", None, ticket),
        "reopen_word": _reply_word(office, "reopen", None, ticket),
        "reopen_to": _mentioned(office, solver) if solver else None,
    }
    return Notice("help_desk.confirm_by_phone", [_staff_recipient(o) for o in officers], context)


def status_link_notice(office: Office, ticket: Ticket) -> Notice:
    """The status page's link, asked for on /lacak by someone who typed the complaint
    number and the form's e-mail address: only ever to that address, and, as an answer to
    a request, counted towards the per-address cap on automatic replies."""
    language = office.settings.language
    context = {
        **_base(office, ticket),
        "recipient": {
            "name": ticket.reporter_name,
            "salutation": salutation(language, ticket.reporter_name, ticket.sex),
            "sapaan": sapaan(language, ticket.sex),
        },
    }
    to = [Recipient(ticket.email.strip(), ticket.reporter_name)]
    (linked,) = _linked(
        office,
        ticket,
        [Notice("reporter.status_link", to, context, AUTO_REPLIED, to_reporter=True)],
    )
    return linked


def confirmation_reminder_notice(
    office: Office, ticket: Ticket, *, closes_at: dt.datetime
) -> list[Notice]:
    """To the reporter, halfway through the wait: we still await their YA or BELUM, and
    the ticket is closed at ``closes_at`` without it."""
    to, who = _reporter(office, ticket)
    if not to:
        return []
    context = {
        **_base(office, ticket),
        "recipient": who,
        "closes": _time(office, closes_at),
        "confirmation_wait": _wait(office),
        "final_report": _final_report(office, ticket),
    }
    return _linked(
        office, ticket, [Notice("reporter.confirmation_reminder", to, context, to_reporter=True)]
    )


# --- the satisfaction survey -----------------------------------------------------------

SURVEY_EXAMPLE = "4 4 3 4 4 4 3 4 4"


def survey_context(office: Office, ticket: Ticket) -> dict[str, Any]:
    """The survey as an e-mail offers it: the link to its page (when the office has a
    public web address), and the nine questions with their answers 1..4, to answer by
    replying with nine digits."""
    language = office.settings.language
    public_url = office.settings.public_url.strip()
    word = sapaan(language, ticket.sex)
    return {
        "url": survey_url(public_url, ticket.number, ticket.access_token) if public_url else None,
        "example": SURVEY_EXAMPLE,
        "elements": [
            {
                "code": element.code,
                "name": element.name(language),
                "question": element.question(language, word),
                "answers": [
                    {"score": score, "label": label}
                    for score, label in zip((1, 2, 3, 4), element.labels(language), strict=True)
                ],
            }
            for element in ELEMENTS
        ],
    }


def survey_recorded_notice(
    office: Office, ticket: Ticket, response: SurveyResponse
) -> list[Notice]:
    """To the reporter whose e-mailed survey answer was recorded: thanks, and the answers as
    read, element by element."""
    to, who = _reporter(office, ticket)
    if not to:
        return []
    language = office.settings.language
    context = {
        **_base(office, ticket),
        "recipient": who,
        "answers": [
            {
                "code": element.code,
                "name": element.name(language),
                "score": score,
                "label": element.labels(language)[score - 1] if score else None,
            }
            for element, score in zip(ELEMENTS, response.scores, strict=True)
        ],
        "saran": response.saran,
    }
    return _linked(
        office,
        ticket,
        [Notice("reporter.survey_recorded", to, context, AUTO_REPLIED, to_reporter=True)],
    )


# Why an e-mailed survey answer was not recorded: a Refusal of ticketing.survey, or
# "malformed" (not nine digits 1..4).
MALFORMED = "malformed"


def survey_refused_notice(
    office: Office, ticket: Ticket, *, reason: str, found: str = ""
) -> list[Notice]:
    """To the reporter whose e-mailed survey answer was not recorded: why (already
    answered: the first answer stands; not nine digits 1..4; the ticket not closed) and, for
    an answer that could not be read, what is expected, so that they may reply again.
    ``found`` is what was read (the digits), shown back."""
    # A reply to a closure that did not invite is read as a reply, never refused as a
    # survey answer (helpdesk.jobs.replies): no e-mail says "not invited".
    if reason != MALFORMED and reason not in {r.value for r in Refusal if r != Refusal.NOT_INVITED}:
        raise ValueError(f"unknown reason {reason!r}")
    to, who = _reporter(office, ticket)
    if not to:
        return []
    malformed = reason in (MALFORMED, Refusal.INVALID.value)
    context = {
        **_base(office, ticket),
        "recipient": who,
        "reason": MALFORMED if malformed else reason,
        "found": found,
        "survey": survey_context(office, ticket) if malformed else None,
        "asks_reply": malformed,
    }
    return _linked(
        office,
        ticket,
        [Notice("reporter.survey_refused", to, context, AUTO_REPLIED, to_reporter=True)],
    )
