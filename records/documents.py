"""Print-ready documents of a ticket, laid out like the office's own paper forms.

``formulir`` (Formulir Pengaduan Layanan TIK), ``disposisi`` (Lembar Disposisi) and
``laporan`` (Laporan Akhir) are rendered from ``templates/print/<doc>.html.j2`` (package
data, see ``records.TEMPLATES``) as self-contained HTML: inline CSS, A4 pages, nothing
fetched from elsewhere. Each has the letterhead of a provincial office (the government,
the office, its address and how to reach the help desk, from ``[office]``), the SOP's
number, the place and date of signing and signature blocks with name and NIP; every word
is in the office's language (``TEXTS``).

Building the context is pure: the ticket, its events, the configuration and the office
calendar in, plain values out. Every lateness is working time on that calendar, and
belongs to the person whose step it was: the row of the event that ended a step says
whether that step kept to its deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifier import formatting
from notifier.policy import (
    BOUNCE_ACTOR,
    STEP_NAMES,
    NotifierSettings,
    Office,
    disposition_context,
    event_note,
    form_rows,
    recorded_sifat,
)
from records import TEMPLATES as ROOT
from records.report import CHANNEL_LABELS, OpenStage, Stage, walk
from ticketing.calendar import BusinessCalendar
from ticketing.directory import ROLE_LABELS, Role, Staff
from ticketing.models import Attachment, Event, Ticket
from ticketing.normalize import CATEGORY_LABELS_EN
from ticketing.vocabulary import UNVERIFIED_ACTOR
from ticketing.workflow import SIFAT_LABELS, Sifat

TEMPLATES = ROOT / "print"
DOCUMENTS = ("formulir", "disposisi", "laporan")
CHANNELS = CHANNEL_LABELS["id"]

# The words of the printouts, in each language the office may write in.
TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "lang": "id",
        "formulir": "Formulir Pengaduan Layanan TIK",
        "disposisi": "Lembar Disposisi",
        "laporan": "Laporan Akhir Pengaduan Layanan TIK",
        "sop": "Standar Operasional Prosedur Pengaduan Layanan TIK Nomor {number}",
        "phone": "Telepon",
        "whatsapp": "WhatsApp",
        "email": "E-mail",
        "channel": "Saluran Pengaduan",
        "email_signature": "Tanda Tangan (pada e-mail)",
        "attachments": "Lampiran",
        "reporter": "Pelapor",
        "receiver": "Petugas Penerima",
        "nip": "NIP.",
        "nip_blank": "NIP. ..............................",
        "name_blank": "..............................",
        "printed": "Dicetak",
        # Lembar Disposisi
        "agenda": "Nomor Agenda",
        "date": "Tanggal",
        "from": "Pengaduan dari",
        "received": "Diterima",
        "sifat": "Sifat",
        "subject": "Perihal",
        "forwarded": "Diteruskan kepada",
        "request": "Dengan hormat harap",
        "follow_up": "Tindak lanjuti",
        "coordinate": "Koordinasikan",
        "report_back": "Laporkan hasilnya",
        "other": "..............................",
        "instruction": "Isi Disposisi",
        "due": "Batas Waktu",
        "initials": "Paraf",
        "earlier": "Disposisi sebelumnya",
        "unit_head": "Penanggung Jawab Unit",
        # Laporan Akhir
        "unit": "Unit",
        "solution": "Solusi",
        "closed": "Tiket Ditutup",
        "history": "Riwayat Penanganan",
        "time": "Waktu",
        "action": "Uraian",
        "step": "Langkah",
        "met": "Ketepatan Waktu",
        "remark": "Keterangan",
        "remote": "Teks dari server penerima (dikutip apa adanya, bukan pernyataan Help Desk):",
        "on_time": "Tepat waktu",
        "late": "Terlambat {late}",
        "running": "Sedang berjalan",
        "paused": "Ditunda (menunggu pelapor)",
        "current": "Langkah yang sedang berjalan",
        "maker": "Dibuat oleh",
        "none": "-",
    },
    "en": {
        "lang": "en",
        "formulir": "ICT Service Complaint Form",
        "disposisi": "Disposition Sheet",
        "laporan": "Final Report of an ICT Service Complaint",
        "sop": "Standard Operating Procedure for ICT Service Complaints No. {number}",
        "phone": "Telephone",
        "whatsapp": "WhatsApp",
        "email": "E-mail",
        "channel": "Channel",
        "email_signature": "Signature (in the e-mail)",
        "attachments": "Attachments",
        "reporter": "Reporter",
        "receiver": "Receiving officer",
        "nip": "NIP",
        "nip_blank": "NIP ..............................",
        "name_blank": "..............................",
        "printed": "Printed",
        "agenda": "Agenda number",
        "date": "Date",
        "from": "Complaint from",
        "received": "Received",
        "sifat": "Priority",
        "subject": "Subject",
        "forwarded": "Forwarded to",
        "request": "Kindly",
        "follow_up": "Follow up",
        "coordinate": "Coordinate",
        "report_back": "Report the result",
        "other": "..............................",
        "instruction": "Instructions",
        "due": "Deadline",
        "initials": "Initials",
        "earlier": "Earlier dispositions",
        "unit_head": "Unit head",
        "unit": "Unit",
        "solution": "Solution",
        "closed": "Ticket closed",
        "history": "Handling history",
        "time": "Time",
        "action": "What was done",
        "step": "Step",
        "met": "Timeliness",
        "remark": "Remarks",
        "remote": "Text from the receiving server (quoted as it is, not the help desk's words):",
        "on_time": "On time",
        "late": "Late by {late}",
        "running": "Running",
        "paused": "Paused (waiting on the reporter)",
        "current": "The step now running",
        "maker": "Prepared by",
        "none": "-",
    },
}

# What each event in a ticket's history says on paper: who did what, to whom.
EVENT_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "received": "Pengaduan diterima melalui {channel}",
        "create": "Dicatat dalam sistem",
        "create_by": "Dicatat dalam sistem oleh {actor}",
        "received_create": "Pengaduan diterima melalui {channel} dan dicatat dalam sistem",
        "received_create_by": "Pengaduan diterima melalui {channel} dan dicatat dalam sistem"
        " oleh {actor}",
        "take": "Ditangani oleh {actor} (layanan tingkat pertama)",
        "solve": "Diselesaikan di tingkat pertama oleh {actor}",
        "escalate": "Dieskalasikan oleh {actor} ke {unit}",
        "dispose": "Didisposisikan oleh {actor} kepada petugas teknis {to}",
        "resolve": "Diselesaikan oleh {actor}",
        "escalate_higher": "Dieskalasikan oleh {actor} ke tingkat lebih tinggi, kepada {to}",
        "close": "Tiket ditutup oleh {actor}",
        "close_reporter": "Tiket ditutup: pelapor mengonfirmasi penyelesaian",
        "close_silence": "Tiket ditutup otomatis: pelapor tidak menjawab Laporan Akhir",
        "reopen": "Dibuka kembali oleh {actor}",
        "reopen_reporter": "Dibuka kembali: pelapor menyatakan belum selesai",
        "pause": "Ditunda oleh {actor}: menunggu tanggapan pelapor",
        "resume": "Dilanjutkan oleh {actor}",
        "resume_reporter": "Dilanjutkan: pelapor menanggapi",
        "note": "Catatan dari {actor}",
        "note_reporter": "Pesan dari pelapor",
        "edit": "Formulir Pengaduan diperbaiki oleh {actor}",
        "breach": "Batas waktu terlewati",
        "reminder": "Pengingat batas waktu dikirim",
        "bounce": "Laporan kegagalan pengiriman e-mail diterima",
        "system": "sistem",
    },
    "en": {
        "received": "Complaint received by {channel}",
        "create": "Registered in the system",
        "create_by": "Registered in the system by {actor}",
        "received_create": "Complaint received by {channel} and registered in the system",
        "received_create_by": "Complaint received by {channel} and registered in the system"
        " by {actor}",
        "take": "Taken by {actor} (first-level service)",
        "solve": "Solved at first level by {actor}",
        "escalate": "Escalated by {actor} to {unit}",
        "dispose": "Disposed by {actor} to the technician {to}",
        "resolve": "Resolved by {actor}",
        "escalate_higher": "Escalated by {actor} to a higher level, to {to}",
        "close": "Ticket closed by {actor}",
        "close_reporter": "Ticket closed: the reporter confirmed the solution",
        "close_silence": "Ticket closed automatically: the reporter did not answer the final"
        " report",
        "reopen": "Reopened by {actor}",
        "reopen_reporter": "Reopened: the reporter said it is not solved",
        "pause": "Paused by {actor}: waiting on the reporter",
        "resume": "Resumed by {actor}",
        "resume_reporter": "Resumed: the reporter answered",
        "note": "Note from {actor}",
        "note_reporter": "Message from the reporter",
        "edit": "Complaint form corrected by {actor}",
        "breach": "Deadline passed",
        "reminder": "Deadline reminder sent",
        "bounce": "Delivery failure report received",
        "system": "the system",
    },
}

# A disposition to a technician asks them to act on it and report the result (SOP step 5).
REQUESTS = (("follow_up", True), ("coordinate", False), ("report_back", True), ("other", False))
SUBJECT_CHARS = 90


class NotApplicable(Exception):
    """The document does not exist for this ticket (a Lembar Disposisi of an undisposed one)."""


@lru_cache(maxsize=4)
def environment(root: Path = TEMPLATES) -> Environment:
    """The documents' environment, made once a process (a folder of templates): the staff
    desk shows a document at each request, which compiled its templates again each time.
    Templates are kept once compiled, never looked at again on disk (they are the
    program's own files)."""
    return Environment(
        loader=FileSystemLoader(str(root)),
        auto_reload=False,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(doc: str, context: dict[str, Any], env: Environment | None = None) -> str:
    if doc not in DOCUMENTS:
        raise ValueError(f"unknown document {doc!r}")
    return (env or environment()).get_template(f"{doc}.html.j2").render(context)


def long_time(moment: dt.datetime | None, settings: NotifierSettings) -> str:
    """``Senin, 23 November 2026 pukul 08.12 WIB`` (or its English form)."""
    return formatting.long_time(
        moment,
        timezone=settings.timezone,
        zone_label=settings.zone_label,
        language=settings.language,
    )


def long_date(moment: dt.datetime, settings: NotifierSettings) -> str:
    """``30 November 2026``: the day of ``moment`` in the office's time zone."""
    day = moment.astimezone(ZoneInfo(settings.timezone)).date()
    return formatting.long_date(day, language=settings.language)


def letterhead(settings: NotifierSettings) -> dict[str, str]:
    """The office as its printed forms head it, and how to reach the help desk."""
    return {
        "government": settings.government,
        "name": settings.office_name,
        "help_desk_name": settings.help_desk_name,
        "address": settings.address,
        "phone": settings.phone,
        "whatsapp": settings.whatsapp,
        "email": settings.email or settings.sender.address,
        "city": settings.city,
        "sop_number": settings.sop_number,
    }


def context(
    office: Office,
    doc: str,
    ticket: Ticket,
    events: Sequence[Event],
    attachments: Sequence[Attachment],
    now: dt.datetime,
    calendar: BusinessCalendar,
) -> dict[str, Any]:
    """Everything the templates print, as plain strings (escaped by the template). A reply
    not verified as its sender's is printed nowhere: it is nobody's word."""
    settings = office.settings
    language = settings.language
    texts = TEXTS[language]
    directory = office.directory
    events = [e for e in events if e.actor != UNVERIFIED_ACTOR]

    def when(moment: dt.datetime | None) -> str:
        return long_time(moment, settings) if moment else texts["none"]

    def signer(staff_id: str | None, role: str) -> dict[str, str]:
        """A signature block: the role, the name and NIP (blank lines to fill by hand
        when the person or the NIP is not known)."""
        staff = directory.get(staff_id) if staff_id else None
        return {
            "role": role,
            "name": staff.name if staff else texts["name_blank"],
            "nip": f"{texts['nip']} {staff.nip}" if staff and staff.nip else texts["nip_blank"],
        }

    unit = directory.units.get(ticket.unit or "") if ticket.unit else None
    receiver = ticket.created_by or next((e.actor for e in events if e.action == "take"), None)
    dispositions = [
        disposition(office, ticket, events, i, calendar) for i, e in enumerate(events)
        if e.action == "dispose"
    ]  # fmt: skip
    if doc == "disposisi" and not dispositions:
        raise NotApplicable(f"{ticket.number} has never been disposed: it has no Lembar Disposisi")
    # The day the document speaks of: the Formulir's registration, the disposition, the
    # report's closing (or printing, while it is still open).
    dated = {
        "formulir": ticket.created_at,
        "laporan": ticket.closed_at or now,
    }.get(doc) or now
    if doc == "disposisi" and dispositions:
        dated = dispositions[-1]["moment"]
    head_id = dispositions[-1]["by_id"] if dispositions else (unit.head if unit else None)
    head = directory.get(head_id) if head_id else None
    return {
        "t": texts,
        "title": texts[doc],
        "office": letterhead(settings),
        "place_date": f"{settings.city}, {long_date(dated, settings)}"
        if settings.city
        else long_date(dated, settings),
        "number": ticket.number,
        "received": when(ticket.received_at),
        "form": form_rows(office, ticket),
        "channel": CHANNEL_LABELS[language].get(ticket.channel, ticket.channel),
        "email_signature": ticket.signature if ticket.channel == "email" else "",
        "signers": [
            {**signer(None, texts["reporter"]), "name": ticket.reporter_name},
            signer(receiver, texts["receiver"]),
        ],
        "unit": unit.name if unit else (ticket.unit or texts["none"]),
        "disposition": dispositions[-1] if dispositions else None,
        "earlier_dispositions": dispositions[:-1],
        "unit_head": signer(head_id, head.title if head and head.title else texts["unit_head"]),
        "maker": signer(receiver, ROLE_LABELS[language][Role.HELP_DESK]),
        "solution": ticket.solution or texts["none"],
        "closed": when(ticket.closed_at),
        "timeline": timeline(office, ticket, events, now, calendar),
        "attachments": [a.filename for a in attachments],
        "printed": when(now),
    }


def _staff_name(office: Office, staff_id: str | None) -> str:
    staff = office.directory.get(staff_id) if staff_id else None
    return staff.name if staff else (staff_id or TEXTS[office.settings.language]["none"])


def _staff_with_title(office: Office, staff: Staff | None, staff_id: str) -> str:
    if staff is None:
        return staff_id
    title = staff.title or ROLE_LABELS[office.settings.language][staff.role]
    return f"{staff.name}, {title}"


def subject(office: Office, ticket: Ticket) -> str:
    """The Perihal of a disposition: the complaint type and its first words, in one line."""
    category = ticket.category
    if office.settings.language == "en":
        category = CATEGORY_LABELS_EN.get(category, category)
    words = " ".join(ticket.description.split())
    if len(words) > SUBJECT_CHARS:
        words = words[: SUBJECT_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
    return f"{category}: {words}" if words else category


def disposition(
    office: Office,
    ticket: Ticket,
    events: Sequence[Event],
    index: int,
    calendar: BusinessCalendar,
) -> dict[str, Any]:
    """The boxes of the Lembar Disposisi for the disposition ``events[index]``."""
    settings = office.settings
    texts = TEXTS[settings.language]
    event = events[index]
    technician = str(event.data.get("technician") or "") if isinstance(event.data, dict) else ""
    due = _recorded(event, "due_at")
    # The Sifat recorded with the disposition is ticked; one recorded before the Sifat
    # was leaves the three boxes to tick by hand.
    sifat = recorded_sifat(event)
    labels = SIFAT_LABELS[settings.language]
    return {
        "agenda": ticket.number,
        "date": long_date(event.at, settings),
        "at": long_time(event.at, settings),
        "moment": event.at,
        "from": f"{ticket.reporter_name}, {ticket.agency}",
        "received": long_time(ticket.received_at, settings),
        "sifat": [{"label": labels[s], "ticked": s == sifat} for s in Sifat],
        "subject": subject(office, ticket),
        "to": _staff_with_title(office, office.directory.get(technician), technician),
        "requests": [{"label": texts[key], "ticked": ticked} for key, ticked in REQUESTS],
        "instruction": disposition_context(office, event)["instruction"],
        "due": long_time(due, settings) if due else texts["none"],
        "by": _staff_name(office, event.actor),
        "by_id": event.actor,
    }


def _recorded(event: Event, key: str) -> dt.datetime | None:
    value = event.data.get(key) if isinstance(event.data, dict) else None
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def describe(office: Office, ticket: Ticket, event: Event, *, received: bool = False) -> str:
    """What an event did, by whom and to whom, in a sentence of the office's language.
    ``received``: the complaint was received at the moment it was registered, and the
    registration's sentence says both."""
    language = office.settings.language
    words = EVENT_TEXTS[language]
    data = event.data if isinstance(event.data, dict) else {}
    staff = office.directory.get(event.actor)
    by_system = event.actor == "system"
    actor = staff.name if staff else (words["system"] if by_system else event.actor)
    action = event.action
    if action == "create":
        key = "create_by" if ticket.created_by else "create"
        channel = CHANNEL_LABELS[language].get(ticket.channel, ticket.channel).lower()
        key = f"received_{key}" if received else key
        return words[key].format(actor=actor, channel=channel)
    if event.actor == BOUNCE_ACTOR:  # a receiving server's report, not the reporter's word
        return words["bounce"]
    if staff is None and not by_system and f"{action}_reporter" in words:
        return words[f"{action}_reporter"]
    if action == "close" and data.get("silence"):
        return words["close_silence"]
    if action == "escalate":
        unit = office.directory.units.get(str(data.get("unit") or ""))
        return words[action].format(actor=actor, unit=unit.name if unit else data.get("unit"))
    if action == "dispose":
        to = _staff_name(office, str(data.get("technician") or "") or None)
        return words[action].format(actor=actor, to=to)
    if action == "escalate_higher":
        target_id = str(data.get("escalated_to") or "")
        target = office.directory.get(target_id)
        return words[action].format(
            actor=actor, to=_staff_with_title(office, target, target_id or "-")
        )
    if action in words:
        return words[action].format(actor=actor)
    return action


def _verdict(
    texts: Mapping[str, str],
    language: str,
    calendar: BusinessCalendar,
    due: dt.datetime | None,
    end: dt.datetime,
) -> str:
    if due is None:
        return texts["none"]
    if end <= due:
        return texts["on_time"]
    late = calendar.working_minutes_between(due, end)
    if late <= 0:  # past the deadline only outside working hours
        return texts["on_time"]
    return texts["late"].format(late=formatting.duration(late, language))


def timeline(
    office: Office,
    ticket: Ticket,
    events: Sequence[Event],
    now: dt.datetime,
    calendar: BusinessCalendar,
) -> list[dict[str, str]]:
    """The history as the Laporan Akhir prints it. The row of the event that ended a step
    carries that step's deadline and whether it was kept (in working time): the unit head
    who disposed in time is on time, however late the technician was after. A complaint
    logged by hand starts with its receipt, then the moment it was recorded; the step
    still running, if any, ends the table."""
    settings = office.settings
    language = settings.language
    texts = TEXTS[language]
    steps = STEP_NAMES[language]
    ended, running = walk(ticket.number, events, calendar, office.sop.by_step[2])
    by_event: dict[int, Stage] = dict(ended)

    def when(moment: dt.datetime | None) -> str:
        return long_time(moment, settings) if moment else texts["none"]

    def step_name(step: int) -> str:
        return f"{step}. {steps[step]}"

    rows: list[dict[str, str]] = []
    for index, event in enumerate(events):
        received_here = False
        if event.action == "create":
            received = _recorded(event, "received_at") or ticket.received_at
            if received < event.at:  # logged after it came in: its receipt first
                channel = CHANNEL_LABELS[language].get(ticket.channel, ticket.channel)
                words = EVENT_TEXTS[language]["received"].format(channel=channel.lower())
                rows.append(_row(when(received), words))
            else:  # logged as it came in: one row says both
                received_here = True
        note, remote = event_note(event)
        said = describe(office, ticket, event, received=received_here)
        row = _row(when(event.at), said, note=note, remote=remote)
        stage = by_event.get(index)
        if stage is not None:
            row["step"] = step_name(stage.step)
            row["due"] = when(stage.due)
            row["met"] = _verdict(texts, language, calendar, stage.due, stage.end)
        rows.append(row)
    if running is not None:
        rows.append(_current(texts, language, calendar, ticket, running, now, when, step_name))
    return rows


def _current(
    texts: Mapping[str, str],
    language: str,
    calendar: BusinessCalendar,
    ticket: Ticket,
    running: OpenStage,
    now: dt.datetime,
    when: Any,
    step_name: Any,
) -> dict[str, str]:
    from records.report import STATE_STEP

    due = running.due
    if ticket.paused_at is not None:
        met = texts["paused"]
    elif due is not None and now > due and calendar.working_minutes_between(due, now) > 0:
        met = texts["late"].format(late=formatting.duration(
            calendar.working_minutes_between(due, now), language))  # fmt: skip
    else:
        met = texts["running"]
    row = _row(texts["none"], texts["current"])
    row.update(step=step_name(STATE_STEP[running.state]), due=when(due), met=met)
    return row


def _row(at: str, action: str, *, note: str = "", remote: str = "") -> dict[str, str]:
    return {"at": at, "action": action, "step": "", "due": "", "met": "", "note": note,
            "remote": remote}  # fmt: skip
