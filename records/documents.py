"""Print-ready documents of a ticket, laid out like the office's own paper forms.

``formulir`` (Formulir Pengaduan Layanan TIK), ``disposisi`` (Lembar Disposisi) and
``laporan`` (Laporan Akhir) are rendered from ``templates/print/<doc>.html.j2`` (package
data, see ``records.TEMPLATES``) as self-contained HTML: inline CSS, A4 pages, nothing
fetched from elsewhere. Building the context is pure: the ticket, its events and the
configuration in, plain values out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifier import formatting
from notifier.policy import ACTION_LABELS, NotifierSettings, Office, event_note
from records import TEMPLATES as ROOT
from ticketing.models import Attachment, Event, Ticket
from ticketing.vocabulary import UNVERIFIED_ACTOR
from ticketing.workflow import State

TEMPLATES = ROOT / "print"
DOCUMENTS = ("formulir", "disposisi", "laporan")
CHANNELS = {
    "email": "E-mail",
    "phone": "Telepon",
    "letter": "Surat",
    "web": "Web",
    "in-person": "Datang langsung",
}


class NotApplicable(Exception):
    """The document does not exist for this ticket (a Lembar Disposisi of an undisposed one)."""


def environment(root: Path = TEMPLATES) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(root)),
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


def context(
    office: Office,
    doc: str,
    ticket: Ticket,
    events: Sequence[Event],
    attachments: Sequence[Attachment],
    now: dt.datetime,
) -> dict[str, Any]:
    """Everything the templates print, as plain strings (escaped by the template). A reply
    not verified as its sender's is printed nowhere: it is nobody's word."""
    settings = office.settings
    directory = office.directory
    events = [e for e in events if e.actor != UNVERIFIED_ACTOR]

    def person(staff_id: str | None) -> str:
        if not staff_id:
            return "-"
        staff = directory.get(staff_id)
        return f"{staff.name} ({staff_id})" if staff else staff_id

    def when(moment: dt.datetime | None) -> str:
        return long_time(moment, settings) if moment else "-"

    unit = directory.units.get(ticket.unit or "") if ticket.unit else None
    fields = [{"label": f.label, "value": f.shown(getattr(ticket, f.key))} for f in office.fields]
    signer = ticket.signature
    if ticket.channel != "email":
        signer = person(ticket.created_by or ticket.signature)
    dispositions = [
        {
            "at": when(e.at),
            "by": person(e.actor),
            "to": person(str(e.data.get("technician") or "") or None),
            "instruction": e.note or "-",
        }
        for e in events
        if e.action == "dispose"
    ]
    if doc == "disposisi" and not dispositions:
        raise NotApplicable(f"{ticket.number} has never been disposed: it has no Lembar Disposisi")
    labels = ACTION_LABELS["id"]
    return {
        "office": {"name": settings.office_name, "help_desk_name": settings.help_desk_name},
        "number": ticket.number,
        "received": when(ticket.received_at),
        "fields": fields,
        "channel": CHANNELS.get(ticket.channel, ticket.channel),
        "signer": signer,
        "unit": unit.name if unit else (ticket.unit or "-"),
        "dispositions": dispositions,
        "solution": ticket.solution or "-",
        "closed": when(ticket.closed_at),
        "timeline": [
            {
                "at": when(e.at),
                "by": person(e.actor),
                "action": labels.get(e.action, e.action),
                # A remote server's text (a delivery report's) apart from our words.
                "note": event_note(e)[0],
                "remote": event_note(e)[1],
                **deadline_row(ticket, events, i, now, when),
            }
            for i, e in enumerate(events)
        ],
        "attachments": [a.filename for a in attachments],
        "printed": when(now),
    }


def deadline_row(
    ticket: Ticket, events: Sequence[Event], index: int, now: dt.datetime, when: Any
) -> dict[str, str]:
    """The deadline that applied to the step an event started, and whether it was met.

    Each transition records the deadline its step started with (``due_at`` in its data),
    and a resume the deadline it moved to; those are used as they stand. Records from
    before deadlines were kept show "-" rather than a recomputed guess (pauses and config
    changes would make it wrong).
    """
    event = events[index]
    if event.from_state == event.to_state or event.to_state == State.CLOSED.value:
        return {"due": "", "met": ""}
    ended = next(
        (
            later
            for later in events[index + 1 :]
            if later.from_state != later.to_state and later.from_state is not None
        ),
        None,
    )
    # The step's deadline as recorded when it started, or as moved by a resume within it.
    recorded = event.data.get("due_at") if isinstance(event.data, dict) else None
    for later in events[index + 1 :]:
        if later is ended:
            break
        if later.action == "resume" and isinstance(later.data, dict) and later.data.get("due_at"):
            recorded = later.data["due_at"]
    due: dt.datetime | None = None
    if isinstance(recorded, str):
        try:
            due = dt.datetime.fromisoformat(recorded)
        except ValueError:
            due = None
    elif ended is None and ticket.due_at is not None:
        due = ticket.due_at  # the current step: the ticket's own deadline
    if due is None:
        return {"due": "-", "met": "-"}
    if due.tzinfo is None:
        due = due.replace(tzinfo=dt.UTC)
    if ended is not None:
        met = "Tepat waktu" if ended.at <= due else "Terlambat"
    elif ticket.paused_at is not None:
        met = "Ditunda (menunggu pelapor)"
    else:
        met = "Berjalan" if now <= due else "Terlambat"
    return {"due": when(due), "met": met}
