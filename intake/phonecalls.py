"""Phone-log rows to complaints: one row is one call, and it becomes a `Complaint` (the
Formulir, the call's time, the officer who took it) or a `RowProblem` with every reason,
in Indonesian and English. Pure: the directory, the form's fields, the office's time zone
and the register of agencies come in as arguments; storing is the phone-drop job's.

A call time may be blank (the moment of the import) but not in the future beyond
`FUTURE_TOLERANCE`; an officer the directory does not know does not cost the reporter the
complaint: it is recorded as written, taken by whoever runs the import, or left for the
help desk to take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.phonelog import Note, Row, parse_call_time
from ticketing.desk import Complaint, Filed
from ticketing.directory import ROLE_LABELS, Directory, Role, Staff
from ticketing.formulir import FormulirField, Incomplete, Problem, check_formulir
from ticketing.normalize import AgencyMatch
from ticketing.workflow import Rejected

CHANNEL = "phone"
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
"""A call time this much ahead of our clock is still taken (the officer's clock runs fast)."""


@dataclass(frozen=True)
class RowProblem:
    """A row that made no ticket, with every reason."""

    row: int
    reasons: tuple[Note, ...]
    repeat: bool = False
    """The row is a call already recorded: not a problem with the row itself."""
    same_row: int = 0
    """For a repeat of an earlier row of the file: that row."""
    ticket: str = ""
    """For a row that made this ticket but needs checking (an officer the directory does
    not know, a Nama OPD not in the register): not a problem that cost the complaint."""

    def line(self, language: str) -> str:
        word = "baris" if language == "id" else "row"
        reasons = [reason.text(language).rstrip(".") for reason in self.reasons]
        if self.ticket:
            made = "dicatat sebagai" if language == "id" else "recorded as"
            reasons.insert(0, f"{made} {self.ticket}")
        return f"{word} {self.row}: " + "; ".join(reasons)


def call_key(
    received_at: dt.datetime, officer: str | None, values: Mapping[str, Any], fields: Sequence
) -> tuple:
    """A call: its moment, its officer and its form's values, blanks and spaces around them
    aside."""
    return (
        received_at.astimezone(dt.UTC),
        officer,
        *[(values.get(f.key) or "").strip() for f in fields],
    )


class RowChecker:
    """Turns one row into a ticket, or says why it cannot be one."""

    def __init__(
        self, directory: Directory, fields: Sequence[FormulirField], tz: dt.tzinfo,
        now: dt.datetime, *, overfull: Collection[int], by: str | None,
        agency: Callable[[str], AgencyMatch],
    ) -> None:  # fmt: skip
        """``overfull``: the rows with more cells than the header; ``by``: who runs the
        import (takes the rows whose officer is unknown); ``agency``: the register of
        agencies' verdict on a Nama OPD."""
        self.fields = fields
        self.now = now
        self.by = directory.get(by) if by else None
        self.agency = agency
        self.unknown_officers: dict[int, Note] = {}  # rows whose officer is not known: why
        self.tz = tz
        self.overfull = overfull
        self.officers = officer_index(directory)
        self.help_desk = ", ".join(s.id for s in directory.with_role(Role.HELP_DESK))
        self.seen: dict[tuple, str] = {}  # calls of this file so far: key -> row number
        self.made: set[str] = set()  # the tickets this import has made so far
        # Their ids, as runs of consecutive ids (first, last), each id of a run one of them.
        self.made_ids: list[tuple[int, int]] = []
        self._agencies: dict[str, AgencyMatch] = {}  # the register's verdicts so far
        self._officers: dict[str, tuple[Staff | None, Note | None]] = {}  # officers as written
        self.failed: dict[int, tuple[Note, ...]] = {}  # rows that made no ticket: why

    def check(self, row: Row) -> Complaint | RowProblem:
        """The complaint the row makes, or why it makes none (apart from the form itself,
        which `register_many_in` checks)."""
        reasons: list[Note] = []
        if row.number in self.overfull:
            reasons.append(
                Note(
                    "lebih banyak isian daripada judul kolom (pemisah di dalam isian tanpa "
                    "tanda kutip?).",
                    "more cells than header columns (a separator inside an unquoted value?).",
                )
            )
        received_at, time_problem = self._received_at(row.call_time)
        known = self._officers.get(row.officer)
        if known is None:
            known = self._officers[row.officer] = self._officer(row.officer)
        officer, officer_problem = known
        if time_problem is not None or reasons:
            after = [p for p in (time_problem, officer_problem) if p is not None]
            form = check_formulir(row.values, self.fields)
            problems = form.problems if isinstance(form, Incomplete) else ()
            return RowProblem(row.number, (*reasons, *map(_problem_note, problems), *after))
        assert received_at is not None
        if officer is None:
            # An officer the directory does not know must not cost the reporter the
            # complaint: it is recorded as written, taken by whoever runs the import, or
            # left for the help desk to take.
            assert officer_problem is not None
            self.unknown_officers[row.number] = officer_problem
            written = " ".join(row.officer.split()) or "-"
            taker = self.by.id if self.by is not None else None
            return Complaint(row.values, CHANNEL, received_at, signature=written, officer=taker)
        return Complaint(row.values, CHANNEL, received_at, signature=officer.id, officer=officer.id)

    def remarks_on(self, row: Row, filed: Filed) -> list[Note]:
        """What the help desk should check on a ticket the row made."""
        remarks: list[Note] = []
        if (unknown := self.unknown_officers.pop(row.number, None)) is not None:
            if self.by is not None:
                remarks.append(
                    Note(f"{unknown.message_id.rstrip('.')}; diambil oleh {self.by.id}.",
                         f"{unknown.message_en.rstrip('.')}; taken by {self.by.id}.")
                )  # fmt: skip
            else:
                remarks.append(
                    Note(f"{unknown.message_id.rstrip('.')}; dicatat seperti tertulis dan "
                         "menunggu diambil petugas help desk.",
                         f"{unknown.message_en.rstrip('.')}; recorded as written, waiting for "
                         "a help-desk officer to take it.")
                )  # fmt: skip
        agency = filed.ticket.agency
        found = self._agencies.get(agency)
        if found is None:
            found = self._agencies[agency] = self.agency(agency)
        if not found.registered:
            hint_id = hint_en = ""
            if found.suggestions:
                hint_id = f" Mungkin yang dimaksud: {'; '.join(found.suggestions)}."
                hint_en = f" Perhaps: {'; '.join(found.suggestions)}."
            remarks.append(
                Note(f"Nama OPD {_quote(agency)} tidak ada dalam daftar OPD; dicatat seperti "
                     f"tertulis.{hint_id}",
                     f"Nama OPD {_quote(agency)} is not in the register of agencies; recorded "
                     f"as written.{hint_en}")
            )  # fmt: skip
        return remarks

    def add_made(self, filed: Filed) -> None:
        """Note a ticket this import made."""
        self.made.add(filed.ticket.number)
        ticket_id = filed.ticket.id
        if self.made_ids and self.made_ids[-1][1] + 1 == ticket_id:
            self.made_ids[-1] = (self.made_ids[-1][0], ticket_id)
        else:
            self.made_ids.append((ticket_id, ticket_id))

    def outcome(self, row: Row, outcome: Filed | Incomplete | Rejected) -> Filed | RowProblem:
        """What became of the row's complaint: a ticket, or why not."""
        if isinstance(outcome, Filed):
            return outcome
        unknown = self.unknown_officers.pop(row.number, None)
        after = (unknown,) if unknown is not None else ()
        if isinstance(outcome, Incomplete):
            return RowProblem(row.number, (*map(_problem_note, outcome.problems), *after))
        assert isinstance(outcome, Rejected)
        return RowProblem(row.number, (Note(outcome.message, outcome.message),))

    def _received_at(self, text: str) -> tuple[dt.datetime | None, Note | None]:
        if not text.strip():
            return self.now, None
        when = parse_call_time(text, self.tz)
        if when is None:
            return None, Note(
                f"Waktu telepon tidak valid: {_quote(text)} (contoh: 30/11/2026 09.15).",
                f"Call time (Waktu) is not valid: {_quote(text)} (e.g. 30/11/2026 09.15).",
            )
        if when > self.now + FUTURE_TOLERANCE:
            return None, Note(
                f"Waktu telepon {_quote(text)} ada di masa depan.",
                f"Call time (Waktu) {_quote(text)} is in the future.",
            )
        return when, None

    def _officer(self, text: str) -> tuple[Staff | None, Note | None]:
        if not text.strip():
            return None, Note("Petugas belum diisi.", "Petugas (officer) is missing.")
        staff = self.officers.get(_name_key(text))
        if staff is None:
            return None, Note(
                f"Petugas {_quote(text)} tidak dikenal (petugas help desk: {self.help_desk}).",
                f"Petugas (officer) {_quote(text)} is unknown "
                f"(help-desk officers: {self.help_desk}).",
            )
        if staff.role != Role.HELP_DESK:
            return None, Note(
                f"Petugas {_quote(text)} bukan petugas help desk "
                f"({ROLE_LABELS['id'][staff.role]}).",
                f"Petugas (officer) {_quote(text)} is not a help-desk officer "
                f"({ROLE_LABELS['en'][staff.role].lower()}).",
            )
        return staff, None


def officer_index(directory: Directory) -> dict[str, Staff]:
    """Staff by id and by full name, as a phone log may give either, in any case."""
    index: dict[str, Staff] = {}
    names: dict[str, list[Staff]] = {}
    for staff in directory.staff.values():
        names.setdefault(_name_key(staff.name), []).append(staff)
    for key, same in names.items():
        if len(same) == 1:  # a name two people share names neither
            index[key] = same[0]
    for staff in directory.staff.values():
        index[_name_key(staff.id)] = staff
    return index


def _name_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _quote(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return f'"{one_line}"'


def _problem_note(problem: Problem) -> Note:
    return Note(problem.message_id, problem.message_en)
