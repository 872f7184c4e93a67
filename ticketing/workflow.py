"""The SOP's seven steps as a state machine.

Pure: ``decide(ticket, move, ...)`` takes the ticket as it is and the move someone asks
for, and returns either the ``Transition`` to store (the ticket's new fields and one
immutable event) or a ``Rejected`` that says why the SOP does not allow it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ticketing.calendar import BusinessCalendar, StepTime
from ticketing.directory import ROLE_LABELS, Directory, Role, Staff


class State(StrEnum):
    RECEIVED = "received"  # step 1: registered, waiting for the help desk
    FIRST_LEVEL = "first_level"  # step 2 (and 3): help desk solves or escalates
    ESCALATED = "escalated"  # step 4: the unit head disposes to a technician
    DISPOSED = "disposed"  # step 5: the technician solves
    ESCALATED_HIGHER = "escalated_higher"  # step 6: the official or head of office
    RESOLVED = "resolved"  # step 7: final report, confirmation with the reporter
    CLOSED = "closed"


class Action(StrEnum):
    CREATE = "create"
    TAKE = "take"
    SOLVE = "solve"
    ESCALATE = "escalate"
    DISPOSE = "dispose"
    RESOLVE = "resolve"
    ESCALATE_HIGHER = "escalate_higher"
    CLOSE = "close"
    REOPEN = "reopen"
    PAUSE = "pause"
    RESUME = "resume"
    NOTE = "note"
    EDIT = "edit"  # the Formulir corrected (`ticketing.desk.edit`); the state does not change
    # Recorded by the deadline sweep, never requested by a person.
    REMINDER = "reminder"
    BREACH = "breach"


# Recorded by the system, never requested by a person: decide() refuses them.
SYSTEM_ACTIONS = frozenset({Action.CREATE, Action.REMINDER, Action.BREACH})
# Recorded by `ticketing.desk.edit`, a correction of the Formulir, not a move through the
# steps: decide() refuses it too.
FORM_ACTIONS = frozenset({Action.EDIT})

# The SOP's steps, by number, with the key of their time in the configuration.
STEPS: Mapping[int, str] = {
    1: "registration",
    2: "first_level",
    3: "escalation",
    4: "disposition",
    5: "resolution",
    6: "higher_escalation",
    7: "final_report",
}

# The steps' names, one table for every e-mail, report and printout.
STEP_NAMES: Mapping[str, Mapping[int, str]] = {
    "id": {
        1: "Penerimaan pengaduan",
        2: "Layanan tingkat pertama",
        3: "Eskalasi ke unit",
        4: "Disposisi ke petugas teknis",
        5: "Penyelesaian oleh petugas teknis",
        6: "Eskalasi ke tingkat lebih tinggi",
        7: "Laporan Akhir dan konfirmasi",
    },
    "en": {
        1: "Receiving the complaint",
        2: "First-level service",
        3: "Escalation to a unit",
        4: "Disposition to a technician",
        5: "Resolution by the technician",
        6: "Escalation to a higher level",
        7: "Final report and confirmation",
    },
}

DEFAULT_STEP_TIMES: Mapping[str, str] = {
    "registration": "1h",
    "first_level": "2h",
    "escalation": "1h",
    "disposition": "1h",
    "resolution": "1d",
    "higher_escalation": "1d",
    "final_report": "1h",
}

# The steps whose times make up the deadline while a ticket is in a state. At first
# level the help desk has step 2's time to solve, then step 3's to escalate.
STATE_STEPS: Mapping[State, tuple[int, ...]] = {
    State.RECEIVED: (1,),
    State.FIRST_LEVEL: (2, 3),
    State.ESCALATED: (4,),
    State.DISPOSED: (5,),
    State.ESCALATED_HIGHER: (6,),
    State.RESOLVED: (7,),
    State.CLOSED: (),
}


def current_step(state: State | str) -> int:
    """The SOP step a ticket in ``state`` is at (7 once it is closed)."""
    steps = STATE_STEPS[State(state)]
    return steps[0] if steps else 7


def deadline_step(state: State | str) -> int:
    """The SOP step whose deadline a ticket in ``state`` runs to: at first level step 3's
    (the escalation to a unit, in the hour after step 2's time), else the current step."""
    steps = STATE_STEPS[State(state)]
    return steps[-1] if steps else 7


STATE_LABELS: Mapping[str, Mapping[State, str]] = {
    "id": {
        State.RECEIVED: "Diterima",
        State.FIRST_LEVEL: "Layanan tingkat pertama",
        State.ESCALATED: "Dieskalasikan ke unit",
        State.DISPOSED: "Didisposisikan ke petugas teknis",
        State.ESCALATED_HIGHER: "Dieskalasikan ke tingkat lebih tinggi",
        State.RESOLVED: "Selesai, menunggu konfirmasi pelapor",
        State.CLOSED: "Tiket ditutup",
    },
    "en": {
        State.RECEIVED: "Received",
        State.FIRST_LEVEL: "First-level service",
        State.ESCALATED: "Escalated to a unit",
        State.DISPOSED: "Disposed to a technician",
        State.ESCALATED_HIGHER: "Escalated to a higher level",
        State.RESOLVED: "Resolved, awaiting the reporter's confirmation",
        State.CLOSED: "Closed",
    },
}


class Sifat(StrEnum):
    """How urgent a disposition is, as the Lembar Disposisi's Sifat box says."""

    SANGAT_SEGERA = "sangat_segera"
    SEGERA = "segera"
    BIASA = "biasa"


SIFAT_LABELS: Mapping[str, Mapping[Sifat, str]] = {
    "id": {Sifat.SANGAT_SEGERA: "Sangat Segera", Sifat.SEGERA: "Segera", Sifat.BIASA: "Biasa"},
    "en": {Sifat.SANGAT_SEGERA: "Very urgent", Sifat.SEGERA: "Urgent", Sifat.BIASA: "Ordinary"},
}
# A disposition recorded without one is Biasa.
DEFAULT_SIFAT = Sifat.BIASA


def parse_sifat(written: str) -> Sifat | None:
    """The Sifat ``written`` names, in either language, case, spaces, hyphens and
    underscores aside (``Sangat Segera``, ``sangat-segera``, ``urgent``); None if none."""
    said = " ".join(written.replace("-", " ").replace("_", " ").casefold().split())
    for labels in SIFAT_LABELS.values():
        for sifat, label in labels.items():
            if said == label.casefold():
                return sifat
    return None


def sifat_choices(language: str) -> str:
    """The Sifat's names, for help texts and refusals: ``Sangat Segera, Segera, Biasa``."""
    return ", ".join(SIFAT_LABELS[language].values())


# Escalation at step 6 only goes up this ladder.
_RANK = {Role.OFFICIAL: 1, Role.HEAD_OF_OFFICE: 2}

PAUSABLE = frozenset({State.FIRST_LEVEL, State.DISPOSED, State.ESCALATED_HIGHER, State.RESOLVED})


@dataclass(frozen=True)
class SopTimes:
    """The service standard (mutu baku) of each step."""

    by_step: Mapping[int, StepTime]

    @classmethod
    def from_names(cls, times: Mapping[str, str]) -> SopTimes:
        by_name = {**DEFAULT_STEP_TIMES, **times}
        return cls({n: StepTime.parse(by_name[name]) for n, name in STEPS.items()})

    def deadline(
        self, state: State, start: dt.datetime, calendar: BusinessCalendar
    ) -> dt.datetime | None:
        steps = STATE_STEPS[state]
        if not steps:
            return None
        due = start
        for step in steps:
            due = calendar.add(due, self.by_step[step])
        return due


@dataclass(frozen=True)
class TicketView:
    """What the workflow needs to know of a ticket."""

    state: State
    category: str
    unit: str | None = None
    assignee: str | None = None
    technician: str | None = None
    due_at: dt.datetime | None = None
    paused_at: dt.datetime | None = None
    remaining_minutes: int | None = None


@dataclass(frozen=True)
class Move:
    """A request to move a ticket, as a person makes it."""

    action: Action
    actor: str
    note: str = ""
    channel: str = "cli"
    unit: str | None = None  # escalate: the unit, default from the complaint type
    technician: str | None = None  # dispose: the technician
    sifat: str | None = None  # dispose: a Sifat value (default Biasa)
    target: str | None = None  # escalate_higher: a staff id, or "official" / "head_of_office"
    reporter: bool = False  # the actor is the reporter (an e-mail address), not staff
    system: bool = False  # the deadline sweep escalating a breached step on its own
    answers: int | None = None  # by e-mail: the id of our e-mail (outbox) the reply answered


# What a reporter's own e-mail may do to their ticket: add to it, restart its clock, and
# answer the Laporan Akhir: confirm (close) or say it is not solved yet (reopen).
REPORTER_ACTIONS = frozenset({Action.NOTE, Action.RESUME, Action.CLOSE, Action.REOPEN})
# What the system may do on its own: escalate when a step's deadline passes (config
# decides when), and close a resolved ticket whose reporter stayed silent for the
# confirmation wait.
SYSTEM_MOVES = frozenset({Action.ESCALATE, Action.ESCALATE_HIGHER, Action.CLOSE})
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Transition:
    action: Action
    actor: str
    from_state: State
    to_state: State
    note: str
    channel: str
    changes: Mapping[str, Any]  # ticket fields to set
    data: Mapping[str, Any] = field(default_factory=dict)  # recorded with the event


@dataclass(frozen=True)
class Rejected:
    """Why the SOP does not allow a move, in both languages: ``message`` in English as the
    CLI prints it (naming its options), ``message_id`` in Indonesian for what staff read in
    the office's language, the web desk's pages (buttons there, no options named)."""

    message: str
    message_id: str

    def text(self, language: str) -> str:
        """The reason in ``language`` (``[office] language``), for the web desk: in English
        the CLI's wording without the options it names ("the solution (--solution)" is "the
        solution"), since the web desk has fields and buttons."""
        if language == "id":
            return self.message_id
        return _CLI_OPTION.sub("", self.message)


# An option named in a CLI refusal: " (--solution)", "; name one with --unit".
_CLI_OPTION = re.compile(r" \(--[a-z-]+\)|; name one with --[a-z-]+")


# What a refusal says of the ticket, in Indonesian: "Tiket tidak dapat <didisposisikan> …".
PASSIVE_ID: Mapping[Action, str] = {
    Action.CREATE: "dicatat",
    Action.TAKE: "diambil untuk layanan tingkat pertama",
    Action.SOLVE: "diselesaikan di tingkat pertama",
    Action.ESCALATE: "dieskalasikan ke unit",
    Action.DISPOSE: "didisposisikan",
    Action.RESOLVE: "dinyatakan selesai",
    Action.ESCALATE_HIGHER: "dieskalasikan ke tingkat lebih tinggi",
    Action.CLOSE: "ditutup",
    Action.REOPEN: "dibuka kembali",
    Action.PAUSE: "ditunda untuk menunggu tanggapan pelapor",
    Action.RESUME: "dilanjutkan",
    Action.NOTE: "diberi catatan",
    Action.EDIT: "diperbaiki",
    Action.REMINDER: "diingatkan",
    Action.BREACH: "dicatat terlambat",
}


def who_id(staff: Staff) -> str:
    """A colleague named in an Indonesian refusal: by name, the head of office by office."""
    if staff.role == Role.HEAD_OF_OFFICE:
        return ROLE_LABELS["id"][staff.role]
    return staff.name or staff.id


NOTE_REQUIRED: Mapping[Action, str] = {
    Action.SOLVE: "the solution (--solution)",
    Action.RESOLVE: "the solution (--solution)",
    Action.ESCALATE_HIGHER: "the technician's report (--report)",
    Action.CLOSE: "how the reporter confirmed (--confirmation)",
    Action.REOPEN: "the reason (--reason)",
    Action.PAUSE: "what is awaited from the reporter (--reason)",
    Action.NOTE: "the text of the note",
}
NOTE_REQUIRED_ID: Mapping[Action, str] = {
    Action.SOLVE: "uraian penyelesaiannya",
    Action.RESOLVE: "uraian penyelesaiannya",
    Action.ESCALATE_HIGHER: "laporan penanganannya",
    Action.CLOSE: "keterangan konfirmasi dari pelapor",
    Action.REOPEN: "alasannya",
    Action.PAUSE: "keterangan tentang apa yang ditunggu dari pelapor",
    Action.NOTE: "isi catatannya",
}

# Which states each action may start from.
ALLOWED_FROM: Mapping[Action, frozenset[State]] = {
    Action.TAKE: frozenset({State.RECEIVED}),
    Action.SOLVE: frozenset({State.RECEIVED, State.FIRST_LEVEL}),
    Action.ESCALATE: frozenset({State.RECEIVED, State.FIRST_LEVEL}),
    Action.DISPOSE: frozenset({State.ESCALATED}),
    Action.RESOLVE: frozenset({State.DISPOSED, State.ESCALATED_HIGHER}),
    Action.ESCALATE_HIGHER: frozenset({State.DISPOSED, State.ESCALATED_HIGHER}),
    Action.CLOSE: frozenset({State.RESOLVED}),
    Action.REOPEN: frozenset({State.RESOLVED}),
    Action.PAUSE: PAUSABLE,
    Action.RESUME: PAUSABLE,
    Action.NOTE: frozenset(State),
}


def allowed_actions(state: State, paused: bool = False) -> list[Action]:
    """The moves the SOP allows from a state, for help texts and `ticket show`."""
    actions = [a for a, states in ALLOWED_FROM.items() if state in states]
    if paused:
        return [a for a in actions if a in (Action.RESUME, Action.NOTE)]
    return [a for a in actions if a != Action.RESUME]


def decide(
    ticket: TicketView,
    move: Move,
    *,
    directory: Directory,
    sop: SopTimes,
    calendar: BusinessCalendar,
    now: dt.datetime,
) -> Transition | Rejected:
    """The transition the SOP allows for this move, or why it does not."""
    if move.reporter:
        if move.action not in REPORTER_ACTIONS:
            return Rejected(
                f"a reporter cannot '{move.action.value}' a ticket",
                f"Tiket tidak dapat {PASSIVE_ID[move.action]} oleh pelapor.",
            )
        actor: Staff | None = Staff(move.actor, move.actor, move.actor, Role.REPORTER)
    elif move.system:
        if move.action not in SYSTEM_MOVES:
            return Rejected(
                f"the system cannot '{move.action.value}' a ticket",
                f"Tiket tidak dapat {PASSIVE_ID[move.action]} oleh sistem.",
            )
        # Escalating a breached step stands in for the help desk (step 3) or for the
        # technician (step 6).
        actor = Staff(SYSTEM_ACTOR, "Sistem Help Desk", "", Role.HELP_DESK)
    else:
        actor = directory.get(move.actor)
    if actor is None:
        return Rejected(
            f"unknown staff member {move.actor!r}",
            f"Nama pengguna {move.actor} tidak terdaftar sebagai petugas.",
        )
    state = ticket.state
    if state not in ALLOWED_FROM.get(move.action, frozenset()):
        allowed = ", ".join(a.value for a in allowed_actions(state, ticket.paused_at is not None))
        return Rejected(
            f"'{move.action.value}' is not allowed while the ticket is {state.value}"
            f" (allowed: {allowed or 'none'})",
            f"Tiket tidak dapat {PASSIVE_ID[move.action]} karena statusnya saat ini"
            f" {STATE_LABELS['id'][state]}.",
        )
    paused = ticket.paused_at is not None
    if move.action == Action.PAUSE and paused:
        return Rejected(
            "the ticket is already paused", "Tiket sudah ditunda, menunggu tanggapan pelapor."
        )
    if paused and move.action not in (Action.RESUME, Action.NOTE):
        return Rejected(
            "the ticket is paused, waiting on the reporter;"
            f" resume it before '{move.action.value}'",
            "Tiket sedang ditunda, menunggu tanggapan pelapor; mohon lanjutkan tiket terlebih"
            f" dahulu sebelum tiket {PASSIVE_ID[move.action]}.",
        )
    if move.action == Action.RESUME and not paused:
        return Rejected("the ticket is not paused", "Tiket tidak sedang ditunda.")
    note = move.note.strip()
    if move.action in NOTE_REQUIRED and not note:
        return Rejected(
            f"'{move.action.value}' needs {NOTE_REQUIRED[move.action]}",
            f"Tiket tidak dapat {PASSIVE_ID[move.action]} tanpa"
            f" {NOTE_REQUIRED_ID[move.action]}; mohon tuliskan terlebih dahulu.",
        )

    handler = _HANDLERS.get(move.action)
    ctx = _Context(ticket, move, actor, directory, sop, calendar, now, note)
    outcome = handler(ctx) if handler else _note(ctx)
    if move.answers is not None and isinstance(outcome, Transition):
        # The e-mail the reply answered is its evidence: recorded with the event.
        outcome = replace(outcome, data={**outcome.data, "answers_outbox_id": move.answers})
    return outcome


@dataclass(frozen=True)
class _Context:
    ticket: TicketView
    move: Move
    actor: Staff
    directory: Directory
    sop: SopTimes
    calendar: BusinessCalendar
    now: dt.datetime
    note: str

    def to(self, state: State, data: Mapping[str, Any] | None = None, **changes: Any) -> Transition:
        """A transition into ``state`` with a fresh deadline for its step."""
        fields: dict[str, Any] = {
            "state": state,
            "step_started_at": self.now,
            "due_at": self.sop.deadline(state, self.now, self.calendar),
            "paused_at": None,
            "remaining_minutes": None,
        }
        fields.update(changes)
        # The record keeps the deadline each step started with, so that reports can tell
        # later whether it was met.
        due = fields["due_at"]
        recorded = {**(data or {}), "due_at": due.isoformat() if due else None}
        return Transition(
            action=self.move.action,
            actor=self.actor.id,
            from_state=self.ticket.state,
            to_state=state,
            note=self.note,
            channel=self.move.channel,
            changes=fields,
            data=recorded,
        )

    def stay(self, data: Mapping[str, Any] | None = None, **changes: Any) -> Transition:
        return Transition(
            action=self.move.action,
            actor=self.actor.id,
            from_state=self.ticket.state,
            to_state=self.ticket.state,
            note=self.note,
            channel=self.move.channel,
            changes=changes,
            data=dict(data or {}),
        )


def _role_check(ctx: _Context, *roles: Role) -> Rejected | None:
    if ctx.actor.role in roles:
        return None
    names = " or ".join(r.value for r in roles)
    labels = " atau ".join(ROLE_LABELS["id"][r] for r in roles)
    return Rejected(
        f"{ctx.actor.id} is {ctx.actor.role.value}; '{ctx.move.action.value}' is for {names}",
        f"Tiket hanya dapat {PASSIVE_ID[ctx.move.action]} oleh {labels}; {who_id(ctx.actor)}"
        f" adalah {ROLE_LABELS['id'][ctx.actor.role]}.",
    )


def _take(ctx: _Context) -> Transition | Rejected:
    if rejected := _role_check(ctx, Role.HELP_DESK):
        return rejected
    return ctx.to(State.FIRST_LEVEL, assignee=ctx.actor.id)


def _solve(ctx: _Context) -> Transition | Rejected:
    if rejected := _role_check(ctx, Role.HELP_DESK):
        return rejected
    return ctx.to(State.RESOLVED, solution=ctx.note, assignee=ctx.actor.id, resolved_at=ctx.now)


def _escalate(ctx: _Context) -> Transition | Rejected:
    if rejected := _role_check(ctx, Role.HELP_DESK):
        return rejected
    directory = ctx.directory
    if ctx.move.unit:
        unit = directory.units.get(ctx.move.unit)
        if unit is None:
            known = ", ".join(directory.units)
            names = ", ".join(u.name for u in directory.units.values())
            return Rejected(
                f"unknown unit {ctx.move.unit!r} (known: {known})",
                f"Unit {ctx.move.unit} tidak dikenal; pilih salah satu: {names}.",
            )
    else:
        unit = directory.unit_for_category(ctx.ticket.category)
        if unit is None:
            return Rejected(
                f"no unit handles {ctx.ticket.category!r}; name one with --unit",
                f"Belum ada unit yang menangani kategori {ctx.ticket.category}; mohon pilih"
                " unit yang dituju.",
            )
    return ctx.to(
        State.ESCALATED,
        {"unit": unit.key, "unit_head": unit.head},
        unit=unit.key,
        assignee=unit.head,
    )


def _dispose(ctx: _Context) -> Transition | Rejected:
    unit = ctx.directory.units.get(ctx.ticket.unit or "")
    if unit is None:
        return Rejected("the ticket has no unit", "Tiket ini belum dieskalasikan ke unit mana pun.")
    if ctx.actor.id != unit.head:
        head = ctx.directory.get(unit.head)
        return Rejected(
            f"only the head of unit {unit.key} ({unit.head}) may dispose this ticket",
            f"Tiket ini hanya dapat didisposisikan oleh Penanggung Jawab {unit.name}"
            f" ({who_id(head) if head else unit.head}).",
        )
    technician = ctx.move.technician
    if not technician:
        return Rejected(
            f"name the technician (--to); in {unit.key}: {', '.join(unit.technicians)}",
            "Mohon pilih petugas teknis yang dituju:"
            f" {_names_id(ctx.directory, unit.technicians)}.",
        )
    if technician not in unit.technicians:
        return Rejected(
            f"{technician!r} is not a technician of unit {unit.key}"
            f" (technicians: {', '.join(unit.technicians)})",
            f"Petugas {_name_id(ctx.directory, technician)} bukan petugas teknis"
            f" {unit.name}; mohon pilih salah satu:"
            f" {_names_id(ctx.directory, unit.technicians)}.",
        )
    sifat = DEFAULT_SIFAT if ctx.move.sifat is None else parse_sifat(ctx.move.sifat)
    if sifat is None:
        return Rejected(
            f"unknown sifat {ctx.move.sifat!r} (one of {sifat_choices('en')})",
            f"Sifat {ctx.move.sifat} tidak dikenal; pilih salah satu: {sifat_choices('id')}.",
        )
    return ctx.to(
        State.DISPOSED, {"technician": technician, "sifat": sifat.value}, assignee=technician,
        technician=technician,
    )  # fmt: skip


def _handlers(ctx: _Context) -> set[str]:
    """Who handles the ticket now: its assignee, its technician, its unit's head."""
    ticket = ctx.ticket
    unit = ctx.directory.units.get(ticket.unit or "")
    return {h for h in (ticket.assignee, ticket.technician, unit.head if unit else None) if h}


def _name_id(directory: Directory, staff_id: str) -> str:
    found = directory.get(staff_id)
    return who_id(found) if found else staff_id


def _names_id(directory: Directory, staff_ids: tuple[str, ...]) -> str:
    return ", ".join(_name_id(directory, s) for s in staff_ids)


def _may_handle(ctx: _Context) -> Rejected | None:
    """Whether the actor handles the ticket (steps 5 and 6)."""
    if ctx.actor.id in _handlers(ctx) or ctx.move.system:
        return None
    return Rejected(
        f"{ctx.actor.id} does not handle this ticket"
        f" (assigned to {ctx.ticket.assignee or 'nobody'})",
        f"{who_id(ctx.actor)} tidak menangani tiket ini; tiket ini sedang ditangani oleh"
        f" {_name_id(ctx.directory, ctx.ticket.assignee or '') or 'belum ada petugas'}.",
    )


def _help_desk_or_handler(ctx: _Context) -> Rejected | None:
    """The help desk, or someone who handles the ticket (closing, pausing)."""
    if ctx.actor.role == Role.HELP_DESK:
        return None
    return _may_handle(ctx)


def _resolve(ctx: _Context) -> Transition | Rejected:
    if rejected := _may_handle(ctx):
        return rejected
    return ctx.to(State.RESOLVED, solution=ctx.note, resolved_at=ctx.now)


def _escalate_higher(ctx: _Context) -> Transition | Rejected:
    if rejected := _may_handle(ctx):
        return rejected
    directory = ctx.directory
    target_name = ctx.move.target or (
        Role.HEAD_OF_OFFICE.value
        if ctx.ticket.state == State.ESCALATED_HIGHER
        else Role.OFFICIAL.value
    )
    if target_name in (Role.OFFICIAL.value, Role.HEAD_OF_OFFICE.value):
        candidates = directory.with_role(Role(target_name))
        if not candidates:
            return Rejected(
                f"the staff directory has no {target_name}",
                f"Daftar petugas belum memuat {ROLE_LABELS['id'][Role(target_name)]}.",
            )
        target = candidates[0]
    else:
        found = directory.get(target_name)
        if found is None:
            return Rejected(
                f"unknown staff member {target_name!r}",
                f"Nama pengguna {target_name} tidak terdaftar sebagai petugas.",
            )
        target = found
    if target.role not in (Role.OFFICIAL, Role.HEAD_OF_OFFICE):
        return Rejected(
            f"{target.id} is {target.role.value}; escalate to an official or the head of office",
            f"{who_id(target)} adalah {ROLE_LABELS['id'][target.role]}; eskalasi ke tingkat lebih"
            " tinggi ditujukan kepada Pejabat Terkait atau Kepala Dinas.",
        )
    if target.id == ctx.ticket.assignee:
        return Rejected(
            f"the ticket is already with {target.id}",
            f"Tiket ini sudah ditangani oleh {who_id(target)}.",
        )
    current = ctx.directory.get(ctx.ticket.assignee or "")
    if current is not None and _RANK.get(target.role, 0) < _RANK.get(current.role, 0):
        return Rejected(
            f"{target.id} is below {current.id}; escalation only goes up",
            f"Jabatan {who_id(target)} berada di bawah {who_id(current)}; eskalasi hanya dapat"
            " ditujukan ke tingkat yang lebih tinggi.",
        )
    return ctx.to(
        State.ESCALATED_HIGHER,
        {"escalated_to": target.id, "report": ctx.note},
        assignee=target.id,
    )


def _close(ctx: _Context) -> Transition | Rejected:
    if ctx.actor.role == Role.REPORTER:  # the reporter confirms the Laporan Akhir
        return ctx.to(State.CLOSED, due_at=None, closed_at=ctx.now)
    if ctx.move.system:  # the reporter stayed silent for the confirmation wait
        return ctx.to(State.CLOSED, {"silence": True}, due_at=None, closed_at=ctx.now)
    if ctx.actor.role not in (Role.HELP_DESK, Role.UNIT_HEAD, Role.TECHNICIAN):
        return Rejected(
            f"{ctx.actor.id} is {ctx.actor.role.value}; the help desk or the unit closes tickets",
            f"{who_id(ctx.actor)} adalah {ROLE_LABELS['id'][ctx.actor.role]}; tiket ditutup oleh"
            " Help Desk atau unit yang menanganinya.",
        )
    if rejected := _help_desk_or_handler(ctx):
        return rejected
    return ctx.to(State.CLOSED, due_at=None, closed_at=ctx.now)


def _reopen(ctx: _Context) -> Transition | Rejected:
    """A reporter's "not yet", and the help desk's reopening (step 7 is the help desk's
    confirmation with the reporter: it reopens on the reporter's word), go back to whoever
    solved the ticket; the head of its unit reopens to the unit's technician."""
    if ctx.actor.role in (Role.REPORTER, Role.HELP_DESK):
        return _reopened_to_solver(ctx)
    unit = ctx.directory.units.get(ctx.ticket.unit or "")
    if unit is None or ctx.actor.id != unit.head:
        return Rejected(
            f"{ctx.actor.id} may not reopen this ticket;"
            " the help desk or the head of its unit does",
            f"{who_id(ctx.actor)} tidak dapat membuka kembali tiket ini; tiket dibuka kembali oleh"
            " Help Desk atau Penanggung Jawab Unit yang menanganinya.",
        )
    if ctx.ticket.technician:
        return ctx.to(State.DISPOSED, assignee=ctx.ticket.technician, resolved_at=None)
    return ctx.to(State.FIRST_LEVEL, assignee=ctx.actor.id, resolved_at=None)


def _reopened_to_solver(ctx: _Context) -> Transition | Rejected:
    """Back to whoever solved it: the official or head of office at step 6, the technician
    at step 5, else the help-desk officer at first level (the officer reopening, when the
    one who solved it is no longer in the directory)."""
    solver = ctx.directory.get(ctx.ticket.assignee or "")
    if solver is not None and solver.role in (Role.OFFICIAL, Role.HEAD_OF_OFFICE):
        return ctx.to(
            State.ESCALATED_HIGHER, {"reopened_to": solver.id}, assignee=solver.id,
            resolved_at=None,
        )  # fmt: skip
    if ctx.ticket.technician:
        technician = ctx.ticket.technician
        return ctx.to(
            State.DISPOSED, {"reopened_to": technician}, assignee=technician, resolved_at=None
        )
    if solver is None and ctx.actor.role == Role.HELP_DESK:
        solver = ctx.actor
    if solver is None:
        return Rejected(
            "nobody solved this ticket at first level to reopen it to",
            "Tidak ada petugas tingkat pertama yang menyelesaikan tiket ini, sehingga tiket tidak"
            " dapat dibuka kembali kepadanya.",
        )
    return ctx.to(
        State.FIRST_LEVEL, {"reopened_to": solver.id}, assignee=solver.id, resolved_at=None
    )


def _pause(ctx: _Context) -> Transition | Rejected:
    if rejected := _help_desk_or_handler(ctx):
        return rejected
    due = ctx.ticket.due_at
    remaining = ctx.calendar.working_minutes_between(ctx.now, due) if due else 0
    return ctx.stay(
        {"remaining_minutes": remaining}, paused_at=ctx.now, remaining_minutes=remaining
    )


def _resume(ctx: _Context) -> Transition | Rejected:
    if ctx.actor.role != Role.REPORTER and (rejected := _help_desk_or_handler(ctx)):
        return rejected
    remaining = ctx.ticket.remaining_minutes or 0
    due = ctx.calendar.add_working_minutes(ctx.now, remaining)
    return ctx.stay(
        {
            "paused_since": ctx.ticket.paused_at.isoformat() if ctx.ticket.paused_at else None,
            "due_at": due.isoformat(),
        },
        paused_at=None,
        remaining_minutes=None,
        due_at=due,
    )


def _note(ctx: _Context) -> Transition | Rejected:
    return ctx.stay()


_HANDLERS = {
    Action.TAKE: _take,
    Action.SOLVE: _solve,
    Action.ESCALATE: _escalate,
    Action.DISPOSE: _dispose,
    Action.RESOLVE: _resolve,
    Action.ESCALATE_HIGHER: _escalate_higher,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
    Action.PAUSE: _pause,
    Action.RESUME: _resume,
    Action.NOTE: _note,
}


def is_overdue(state: State, due_at: dt.datetime | None, paused: bool, now: dt.datetime) -> bool:
    return state != State.CLOSED and not paused and due_at is not None and due_at < now
