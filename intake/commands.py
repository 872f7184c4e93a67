"""What a reply asks for: a staff member's command word, or the reporter's answer to the
Laporan Akhir. Pure: the reply's new text (above the quote, see `intake.quotes`) in, a
`Command` or an `Answer` out.

Mail clients write a one-word answer in many shapes: ``YA`` on a line of its own,
``Ya, sudah normal. Terima kasih`` above a signature, ``*SELESAI*`` in bold, ``Disposisi:
agus`` with a colon, a greeting line first (``Selamat siang, Pak``), a phone's ``Dikirim
dari Yahoo Mail di Android`` below. The decision is taken on the first line that is not a
greeting; case and punctuation are ignored. The rest of the text is the command's
content: the isi disposisi, the solution, the report, the reason.

A reporter's answer is read cautiously: it confirms only when the line begins with a
confirming word (``YA``, ``SUDAH``, ``sudah selesai``, ``terima kasih, sudah normal``) and
holds no word of doubt (``belum``, ``tidak``, ``masih`` ...); it says "not yet" when the
line begins with one (``BELUM``, ``tidak``, ``masih``, ``belum bisa``); anything else is
unclear, and the help desk confirms by phone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ticketing.calendar import BusinessCalendar
from ticketing.directory import Directory, Role, Staff
from ticketing.workflow import (
    NOTE_REQUIRED,
    Action,
    Move,
    Rejected,
    Sifat,
    SopTimes,
    State,
    TicketView,
    decide,
    parse_sifat,
)


class Verb(StrEnum):
    """A staff member's command word."""

    DISPOSE = "dispose"  # DISPOSISI <technician>: the unit head disposes to a technician
    DONE = "done"  # SELESAI <solution>: a solution (first level, or the technician's)
    ESCALATE = "escalate"  # ESKALASI [unit] <report>
    PAUSE = "pause"  # TUNDA <reason>: waiting on the reporter
    RESUME = "resume"  # LANJUT
    CLOSE = "close"  # TUTUP <confirmation>: the help desk closes
    REOPEN = "reopen"  # BUKA <reason>: the help desk reopens, on the reporter's word


class Reply(StrEnum):
    """What a reporter answers to "has the problem been solved?"."""

    CONFIRMED = "confirmed"
    NOT_YET = "not_yet"
    UNCLEAR = "unclear"


# Indonesian first, then English; a phrase of several words is matched as written.
VERBS: dict[str, Verb] = {
    "disposisi": Verb.DISPOSE,
    "dispose": Verb.DISPOSE,
    "selesai": Verb.DONE,
    "done": Verb.DONE,
    "eskalasi": Verb.ESCALATE,
    "escalate": Verb.ESCALATE,
    "tunda": Verb.PAUSE,
    "pause": Verb.PAUSE,
    "lanjut": Verb.RESUME,
    "resume": Verb.RESUME,
    "tutup": Verb.CLOSE,
    "close": Verb.CLOSE,
    "buka": Verb.REOPEN,
    "reopen": Verb.REOPEN,
}

_CONFIRMING = ("ya", "iya", "yes", "sudah", "sdh", "udah", "sudah selesai", "sudah normal")
_DOUBTING_START = ("belum", "blm", "tidak", "tdk", "masih", "not yet", "no", "not", "still")
# Words that make a confirming line doubtful: "Sudah, tapi masih lambat".
_DOUBT = frozenset(
    {"belum", "blm", "tidak", "tdk", "masih", "gagal", "tapi", "namun", "kecuali", "not",
     "still", "but", "no"}
)  # fmt: skip
_COURTESY = ("terima kasih", "terimakasih", "makasih", "trims", "thanks", "thank you", "baik")

_GREETING = re.compile(
    r"^(yth|kepada yth|dengan hormat|selamat (pagi|siang|sore|malam)|halo|hallo|hai|hi|"
    r"hello|dear|assalamu ?alaikum( wr wb)?|salam|pak|bu|bapak|ibu|bapak ibu|mas|mbak)\b"
)
_GREETING_WORDS = 6  # a greeting line is short: "Selamat siang Bapak Rudi"
_SIGNATURE = re.compile(
    r"^[ \t]*(--[ \t]*$|"
    r"(dikirim|terkirim) (dari|dengan|melalui)\b|"
    r"sent from\b|get outlook for\b|dapatkan outlook untuk\b)",
    re.IGNORECASE,
)
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Command:
    """A staff member's command: its word, the rest of its line (the technician of a
    DISPOSISI, the unit of an ESKALASI), and the lines below it."""

    verb: Verb
    argument: str = ""
    text: str = ""
    word: str = field(default="", compare=False)  # as written, upper case: "DISPOSISI"

    @property
    def content(self) -> str:
        """Everything written after the command word: the solution, report or reason."""
        return "\n".join(part for part in (self.argument, self.text) if part).strip()


@dataclass(frozen=True)
class Answer:
    """A reporter's answer, and their words (the reason for reopening, or the note)."""

    reply: Reply
    text: str


def words(line: str) -> str:
    """A line as lower-case words, punctuation and markup gone: ``*Ya, sudah!*`` is
    ``ya sudah``."""
    return " ".join(_NOT_WORD.sub(" ", line.casefold()).replace("_", " ").split())


def body_lines(text: str) -> list[str]:
    """The text's lines without the greeting lines at the top, the signature below (from
    ``--`` or a phone's "Dikirim dari ..."), and blank lines at either end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line):
            lines = lines[:index]
            break
    while lines and (not lines[0].strip() or _is_greeting(lines[0])):
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.rstrip() for line in lines]


def _is_greeting(line: str) -> bool:
    said = words(line)
    return len(said.split()) <= _GREETING_WORDS and _GREETING.match(said) is not None


def _starts_with(said: str, phrases: tuple[str, ...]) -> str | None:
    """The longest of ``phrases`` that ``said`` begins with, as whole words."""
    found = [p for p in phrases if said == p or said.startswith(p + " ")]
    return max(found, key=len) if found else None


def read_command(text: str) -> Command | None:
    """The command a staff member's reply gives, or None when it gives none (a note)."""
    lines = body_lines(text)
    if not lines:
        return None
    first = lines[0].strip().lstrip("*_~>#- \t")
    head = re.match(r"([A-Za-z]+)\b[\s:.,;!*_-]*(.*)$", first)
    if head is None:
        return None
    verb = VERBS.get(head.group(1).casefold())
    if verb is None:
        return None
    argument = head.group(2).strip().strip("*_").strip()
    rest = "\n".join(lines[1:]).strip()
    return Command(verb, argument, rest, word=head.group(1).upper())


def read_answer(text: str) -> Answer:
    """The reporter's answer to the question whether the problem is solved."""
    lines = body_lines(text)
    said_text = "\n".join(lines).strip()
    if not lines:
        return Answer(Reply.UNCLEAR, said_text)
    said = words(lines[0])
    courtesy = _starts_with(said, _COURTESY)
    rest = said[len(courtesy) :].strip() if courtesy else said
    if _starts_with(rest, _DOUBTING_START):
        return Answer(Reply.NOT_YET, said_text)
    if _starts_with(rest, _CONFIRMING) and not _DOUBT & set(said.split()):
        return Answer(Reply.CONFIRMED, said_text)
    return Answer(Reply.UNCLEAR, said_text)


# --- from a command to the move it asks for ---------------------------------------------


class Refusal(StrEnum):
    """Why a command moves nothing; the notifier words each for the sender."""

    NOT_NOW = "not_now"  # the ticket's state does not allow it, or it is not theirs to do
    PAUSED = "paused"  # the ticket waits on the reporter: only LANJUT
    NEEDS_TEXT = "needs_text"  # the solution, report or reason is missing
    UNKNOWN_TECHNICIAN = "unknown_technician"  # DISPOSISI to nobody in the unit
    UNKNOWN_SIFAT = "unknown_sifat"  # DISPOSISI with a "Sifat:" line that names no Sifat


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    detail: str  # for the log and the ticket's note, in English
    allowed: tuple[Verb, ...] = ()  # what the sender may write instead, now
    candidates: tuple[str, ...] = ()  # staff ids to choose from (the unit's technicians)
    written: str = ""  # what the sender wrote that could not be read (an unknown Sifat)


def move_for(
    command: Command, sender: Staff, ticket: TicketView, directory: Directory, *,
    calendar: BusinessCalendar, sop: SopTimes, now: dt.datetime,
) -> Move | Refused:  # fmt: skip
    """The move a staff member's command asks for, checked against the SOP as the CLI's
    would be; or why it moves nothing and what the sender may write instead."""
    made = _move(command, sender, ticket, directory)
    if isinstance(made, Refused):
        allowed = allowed_verbs(sender, ticket, directory, calendar=calendar, sop=sop, now=now)
        return replace(made, allowed=allowed)
    outcome = decide(ticket, made, directory=directory, sop=sop, calendar=calendar, now=now)
    if not isinstance(outcome, Rejected):
        return made
    allowed = allowed_verbs(sender, ticket, directory, calendar=calendar, sop=sop, now=now)
    if ticket.paused_at is not None and made.action != Action.RESUME:
        return Refused(Refusal.PAUSED, outcome.message, allowed)
    if made.action in NOTE_REQUIRED and not made.note.strip():
        return Refused(Refusal.NEEDS_TEXT, outcome.message, allowed)
    return Refused(Refusal.NOT_NOW, outcome.message, allowed)


def answer_move(answer: Answer, address: str) -> Move | None:
    """The move a reporter's answer to the Laporan Akhir asks for; None when unclear."""
    if answer.reply == Reply.CONFIRMED:
        return Move(Action.CLOSE, address, note=answer.text, channel="email", reporter=True)
    if answer.reply == Reply.NOT_YET:
        return Move(Action.REOPEN, address, note=answer.text, channel="email", reporter=True)
    return None


def allowed_verbs(
    sender: Staff, ticket: TicketView, directory: Directory, *,
    calendar: BusinessCalendar, sop: SopTimes, now: dt.datetime,
) -> tuple[Verb, ...]:  # fmt: skip
    """The command words this sender may write about this ticket now."""
    found = []
    for verb in Verb:
        probe = _probe(verb, sender, ticket, directory)
        if probe is None:
            continue
        outcome = decide(ticket, probe, directory=directory, sop=sop, calendar=calendar, now=now)
        if not isinstance(outcome, Rejected):
            found.append(verb)
    return tuple(found)


def _probe(verb: Verb, sender: Staff, ticket: TicketView, directory: Directory) -> Move | None:
    """A command of ``verb`` with plausible content, to ask the workflow whether it would go."""
    argument = ""
    if verb == Verb.DISPOSE:
        unit = directory.units.get(ticket.unit or "")
        if unit is None or not unit.technicians:
            return None
        argument = unit.technicians[0]
    made = _move(Command(verb, argument, "-"), sender, ticket, directory)
    return made if isinstance(made, Move) else None


def _move(
    command: Command, sender: Staff, ticket: TicketView, directory: Directory
) -> Move | Refused:
    verb, content = command.verb, command.content
    help_desk = sender.role == Role.HELP_DESK
    at_first_level = ticket.state in (State.RECEIVED, State.FIRST_LEVEL)
    if verb == Verb.DISPOSE:
        technician = find_technician(command.argument, ticket, directory)
        if technician is None:
            unit = directory.units.get(ticket.unit or "")
            return Refused(
                Refusal.UNKNOWN_TECHNICIAN,
                f"no technician {command.argument!r} in unit {ticket.unit or '-'}",
                candidates=unit.technicians if unit else (),
            )
        sifat, written, instruction = read_sifat(command.text)
        if written and sifat is None:
            return Refused(Refusal.UNKNOWN_SIFAT, f"unknown sifat {written!r}", written=written)
        return _staff_move(
            Action.DISPOSE, sender, instruction, technician=technician,
            sifat=sifat.value if sifat else None,
        )  # fmt: skip
    if verb == Verb.DONE:
        action = Action.SOLVE if help_desk and at_first_level else Action.RESOLVE
        return _staff_move(action, sender, content)
    if verb == Verb.ESCALATE:
        if help_desk and at_first_level:
            # "ESKALASI jaringan": to that unit; else to the complaint type's unit, and the
            # words are the note.
            unit_key = find_unit(command.argument, directory) if command.argument else None
            note = command.text if unit_key else content
            return _staff_move(Action.ESCALATE, sender, note, unit=unit_key)
        return _staff_move(Action.ESCALATE_HIGHER, sender, content)
    if verb == Verb.PAUSE:
        return _staff_move(Action.PAUSE, sender, content)
    if verb == Verb.RESUME:
        return _staff_move(Action.RESUME, sender, content)
    if verb == Verb.REOPEN:
        return _staff_move(Action.REOPEN, sender, content)
    return _staff_move(Action.CLOSE, sender, content)


def _staff_move(
    action: Action, sender: Staff, note: str, *, unit: str | None = None,
    technician: str | None = None, sifat: str | None = None,
) -> Move:  # fmt: skip
    return Move(
        action, sender.id, note=note, channel="email", unit=unit, technician=technician,
        sifat=sifat,
    )  # fmt: skip


# A line of a DISPOSISI that gives its Sifat: "Sifat: Segera", "sifat - sangat segera",
# "Priority: urgent".
_SIFAT_LINE = re.compile(r"^[\s*_]*(sifat|priority)\b[\s*_]*([:=-]?)[\s*_]*(.*?)[\s*_.]*$", re.I)


def read_sifat(text: str) -> tuple[Sifat | None, str, str]:
    """The Sifat a DISPOSISI's lines give (``Sifat: Segera`` on a line of its own, in either
    language), what was written for it, and the isi disposisi: the other lines. A line with
    a colon after the word is the Sifat line, whatever follows (an unknown word is returned
    as written, with no Sifat); without one, only when a Sifat's name follows ("Sifat
    segera"), so that a sentence that begins with the word stays in the isi disposisi."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        found = _SIFAT_LINE.match(line)
        if found is None:
            continue
        written = found.group(3).strip()
        sifat = parse_sifat(written)
        if sifat is None and not found.group(2):
            continue
        rest = "\n".join(lines[:index] + lines[index + 1 :]).strip()
        return sifat, written or line.strip(), rest
    return None, "", text


def find_technician(written: str, ticket: TicketView, directory: Directory) -> str | None:
    """The technician of the ticket's unit that ``written`` names: by id, by full name, or
    by the first word of the name when only one technician of the unit has it."""
    unit = directory.units.get(ticket.unit or "")
    if unit is None:
        return None
    said = words(written)
    if not said:
        return None
    people = [directory.get(key) for key in unit.technicians]
    staff = [person for person in people if person is not None]
    for person in staff:
        if said == person.id.casefold() or said == words(person.name):
            return person.id
    first = [p for p in staff if words(p.name).split()[:1] == said.split()[:1]]
    return first[0].id if len(first) == 1 and len(said.split()) == 1 else None


def find_unit(written: str, directory: Directory) -> str | None:
    """The unit ``written`` names, by key or name; None when it names none."""
    said = words(written)
    for unit in directory.units.values():
        if said in (unit.key.casefold(), words(unit.name)):
            return unit.key
    return None
