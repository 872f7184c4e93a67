"""Phone-log CSV files into tickets: `helpdesk import FILE`, and the drop folder.

Each row is one call. A row that makes a complete Formulir, with a help-desk officer
from the directory and a call time that is not in the future (blank: now), becomes a
ticket on the phone channel, taken by that officer, with the reporter's acknowledgement
queued in the same transaction. Any other row makes no ticket and is recorded, with
every reason, in the import's record and in the error lines (``baris 7: Alamat e-Mail
belum diisi; ...``), in the office's language.

The rows of a file are committed together, in one transaction for up to `CHUNK_ROWS`
rows (by database) and in chunks of that size beyond. Each import is recorded by the file's SHA-256
(table ``phone_import``) in the same transactions, with the last row committed, so:

- the same file read again (dropped twice, or imported by hand after the drop) makes no
  new ticket;
- an import cut short (a crash, a lost database) goes on after its last committed row
  when the file is read again; no row becomes a ticket twice, and the rows committed
  before are the file's own rows still, so that the import makes the tickets one
  uninterrupted run makes (the same holds for rows another process committed between two
  chunks of this one).

**When a file in the drop folder is read.** A file is read once its modification time
is at least `SETTLE_SECONDS` before the folder's own clock, so that a copy still being
written (whose time moves with every write) is left for a later scan, and only if its size
and modification time did not change while it was read. The folder's clock is the time its
file system stamps on a file written there now (`folder_clock`): the clock that stamped
the files being compared, which is the file server's for a shared folder and never the
office time that ``HELPDESK_NOW`` fixes. Dotfiles, Office temporary files (``~$*``) and
``*.tmp``/``*.part``-style names are never read, nor a file that Excel or LibreOffice has
open (its lock file ``~$name`` / ``.~lock.name#`` is beside it). Programs that write
into the folder should write under a temporary name and rename at the end; people who
save from Excel or copy in a file need do nothing. A file stamped ahead of the folder's
clock (copied with its times from a machine whose clock runs fast) is read once it has
not changed for `SETTLE_SECONDS` of the scanner's own clock, and a warning names it.

After its rows are committed a file moves to ``[phone_drop] processed_dir`` (default
``processed/`` inside the drop folder) with ``<name>.errors.txt`` beside it when any row
or column needs attention; a file that cannot be read at all (not text, no header
recognised) moves to ``rejected_dir`` (default ``rejected/``) with ``<name>.reason.txt``.
A name already used there gets a number: ``log-2.csv``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from helpdesk import clock, collector
from helpdesk.service import register_many_in
from helpdesk.wiring import Site
from intake import dropfolder
from intake.dropfolder import Sightings
from intake.phonecalls import RowChecker, RowProblem, call_key
from intake.phonelog import Note, Row, Unreadable, read_phone_log
from notifier import formatting
from records.files import write_text
from ticketing.desk import Complaint, Filed
from ticketing.formulir import Complete, check_formulir
from ticketing.models import PhoneImport
from ticketing.store import DatabaseUnavailable, LeaseLost, Tx
from ticketing.vocabulary import ImportStatus

log = logging.getLogger("helpdesk.jobs.phone_drop")

CHUNK_ROWS = {"sqlite": 8000, "postgresql": 4000}
"""Rows committed per transaction, by database: a chunk of complete rows holds a lock that
other writers wait for, for about a second on the 2-core development machine (SQLite's
write lock, 0.9 s; on PostgreSQL the ticket counter's row, which every new ticket takes,
0.7 s). A smaller chunk makes a large file slower: each chunk rewrites the import's
record, whose lists grow with the file."""

Progress = Callable[[int, int], None]
"""Called as rows are processed: (rows done, rows in the file)."""


@dataclass
class ImportReport:
    """What became of one file."""

    name: str
    status: Literal["imported", "duplicate", "rejected", "failed"]
    sha256: str = ""
    rows: int = 0
    """Rows below the header with anything in them."""
    tickets: list[tuple[int, str]] = field(default_factory=list)
    """(row, ticket number) of the tickets this run made."""
    problems: list[RowProblem] = field(default_factory=list)
    """Every row of the file that made no ticket (an import resumed or repeated included)."""
    notes: list[Note] = field(default_factory=list)
    """About the file as a whole: columns unknown or missing, already imported, resumed."""
    reason: Note | None = None
    """Why the file was rejected (or failed)."""
    imported_at: dt.datetime | None = None
    moved_to: Path | None = None

    @property
    def incomplete(self) -> int:
        return sum(1 for p in self.problems if not p.repeat and not p.ticket)

    @property
    def repeats(self) -> int:
        return sum(1 for p in self.problems if p.repeat)

    @property
    def to_check(self) -> int:
        return sum(1 for p in self.problems if p.ticket)

    def summary(self) -> str:
        line = f"rows {self.rows}, tickets {len(self.tickets)}, incomplete {self.incomplete}"
        line += f", already recorded {self.repeats}" if self.repeats else ""
        return line + (f", to check {self.to_check}" if self.to_check else "")

    def lines(self, language: str) -> list[str]:
        """The error file's lines: remarks on the file, then one line per problem row."""
        word = "berkas" if language == "id" else "file"
        return [f"{word}: {note.text(language)}" for note in self.notes] + [
            problem.line(language) for problem in self.problems
        ]

    def as_dict(self, language: str) -> dict[str, Any]:
        return {
            "file": self.name,
            "status": self.status,
            "sha256": self.sha256,
            "rows": self.rows,
            "tickets": [{"row": row, "number": number} for row, number in self.tickets],
            "incomplete": [
                {"row": p.row, "problems": [r.text(language) for r in p.reasons]}
                for p in self.problems
                if not p.repeat and not p.ticket
            ],
            "to_check": [
                {"row": p.row, "ticket": p.ticket, "notes": [r.text(language) for r in p.reasons]}
                for p in self.problems
                if p.ticket
            ],
            "already_recorded": [
                {"row": p.row, "note": "; ".join(r.text(language) for r in p.reasons)}
                for p in self.problems
                if p.repeat
            ],
            "notes": [note.text(language) for note in self.notes],
            "reason": self.reason.text(language) if self.reason else None,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "moved_to": str(self.moved_to) if self.moved_to else None,
        }


# --- One file --------------------------------------------------------------------------------


def import_file(
    here: Site,
    path: Path,
    *,
    now: dt.datetime,
    progress: Progress | None = None,
    by: str | None = None,
) -> ImportReport:
    """Import the phone log at ``path`` (left where it is). Raises OSError when the file
    cannot be read from the disk; every other problem is in the report. ``by``, the
    help-desk officer running the import, takes the calls whose officer is not known."""
    return import_bytes(
        here, path.read_bytes(), path.name, source="cli", now=now, progress=progress, by=by
    )


def import_bytes(
    here: Site,
    data: bytes,
    name: str,
    *,
    source: str,
    now: dt.datetime,
    progress: Progress | None = None,
    by: str | None = None,
) -> ImportReport:
    """Import the phone log ``data`` (named ``name`` in the report and the record)."""
    with collector.paused():
        return _import_bytes(here, data, name, source=source, now=now, progress=progress, by=by)


def _import_bytes(
    here: Site,
    data: bytes,
    name: str,
    *,
    source: str,
    now: dt.datetime,
    progress: Progress | None,
    by: str | None,
) -> ImportReport:
    sha256 = hashlib.sha256(data).hexdigest()
    with here.store.transaction() as tx:
        record = tx.phone_import(sha256)
    if record is not None and record.status == ImportStatus.DONE:
        return _already_imported(name, record, here)

    phone_log = read_phone_log(data, here.desk.fields)
    if isinstance(phone_log, Unreadable):
        return ImportReport(name, "rejected", sha256, reason=phone_log.reason)

    rows = phone_log.rows
    numbers = [row.number for row in rows]
    checker = RowChecker(
        here.desk.directory,
        here.desk.fields,
        here.desk.calendar.tz,
        now,
        overfull=phone_log.overfull,
        by=by,
        agency=here.config.stored_agency,
    )
    size = CHUNK_ROWS.get(here.store.engine.dialect.name, min(CHUNK_ROWS.values()))
    made: list[tuple[int, str]] = []
    resumed_after = 0
    known_to = 0  # the rows before this index are known to the checker (`_recall`)
    first = True
    # The record's lists as this import last committed them, with its last row: read
    # again only when another process has committed rows of the file since.
    kept: tuple[int, list[list[Any]], list[dict[str, Any]]] | None = None
    while True:
        with here.store.transaction() as tx:
            record = tx.phone_import_progress(sha256, for_update=True, lists=kept is None)
            if record is None:
                # The file's bytes are stored once, with the chunk that finishes the import
                # (SQLite writes a row whole: stored with the first of many chunks, a 30 MB
                # file would be written again with every chunk's progress).
                record = PhoneImport(
                    sha256=sha256, name=name, source=source, size=len(data), raw=b"",
                    encoding=phone_log.encoding, status=ImportStatus.IMPORTING, rows=len(rows),
                    notes=[_note_dict(note) for note in phone_log.problems], imported_at=now,
                )  # fmt: skip
            elif record.status == ImportStatus.DONE:  # another process finished it meanwhile
                if first:
                    return _already_imported(name, record, here)
                record.row_tickets, record.problem_rows  # noqa: B018 - read after the transaction
                break
            elif first:
                resumed_after = record.last_row
            first = False
            start = bisect.bisect_right(numbers, record.last_row)
            chunk = rows[start : start + size]
            row_tickets, problem_rows = (
                kept[1:]
                if kept is not None and kept[0] == record.last_row
                else (record.row_tickets, record.problem_rows)
            )
            if start > known_to:  # committed by a run cut short, or by another process
                _recall(checker, rows[known_to:start], row_tickets, problem_rows)
            known_to = start + len(chunk)
            tickets, problems = _import_rows(here, tx, checker, chunk, start, len(rows), progress)
            if chunk:
                record.last_row = chunk[-1].number
            record.row_tickets = [*row_tickets, *([r, n] for r, n in tickets)]
            record.problem_rows = [*problem_rows, *problems]
            record.tickets = len(record.row_tickets)
            record.problems = sum(1 for p in record.problem_rows if not p.get("ticket"))
            if start + len(chunk) >= len(rows):
                record.status, record.finished_at = ImportStatus.DONE, now
                record.raw = data
            tx.save_phone_import(record)
        kept = (record.last_row, record.row_tickets, record.problem_rows)
        made += tickets  # committed
        if record.status == ImportStatus.DONE:
            break

    report = _report_of(name, record, made)
    if resumed_after:
        report.notes.append(
            Note(
                f"impor sebelumnya terputus; dilanjutkan setelah baris {resumed_after}.",
                f"an earlier import was cut short; resumed after row {resumed_after}.",
            )
        )
    return report


def _recall(
    checker: RowChecker,
    rows: Sequence[Row],
    row_tickets: Sequence[Sequence[Any]],
    problem_rows: Sequence[Mapping[str, Any]],
) -> None:
    """Bring ``checker`` to where one run of the file would be after ``rows``, which
    another run committed (one cut short, or another process), with the file's record as
    it stands (``row_tickets``, ``problem_rows``): their tickets are this import's, their
    calls are the file's earlier rows, to which a later row is compared by its cells as
    written (`_without_repeats`), and a copy of a row that made no ticket gives that row's
    reasons."""
    repeats = set()
    for problem in problem_rows:
        if problem.get("repeat"):
            repeats.add(problem["row"])
        elif not problem.get("ticket"):
            checker.failed[problem["row"]] = tuple(
                Note(i, e) for i, e in zip(problem["id"], problem["en"], strict=True)
            )
    checker.made.update(number for _, number in row_tickets)
    for row in rows:
        if row.number in repeats:
            continue
        checked = checker.check(row)
        checker.unknown_officers.pop(row.number, None)
        if isinstance(checked, Complaint):
            cells = call_key(checked.received_at, checked.signature, checked.raw, checker.fields)
            checker.seen.setdefault(cells, f"{row.number}")


def _import_rows(
    here: Site,
    tx: Tx,
    checker: RowChecker,
    chunk: Sequence[Row],
    done_before: int,
    total: int,
    progress: Progress | None,
) -> tuple[list[tuple[int, str]], list[dict[str, Any]]]:
    """The rows of one chunk, in one transaction: the complete ones registered together
    (`register_many_in`: the numbers, tickets, events and acknowledgements of one row after
    another, stored together)."""
    checked = _without_repeats(tx, checker, chunk, [checker.check(row) for row in chunk])
    complaints = [c for c in checked if isinstance(c, Complaint)]
    registered = iter(register_many_in(tx, here, complaints, now=checker.now))
    tickets: list[tuple[int, str]] = []
    problems: list[dict[str, Any]] = []
    for row, checked_row in zip(chunk, checked, strict=True):
        outcome = (
            checker.outcome(row, next(registered))
            if isinstance(checked_row, Complaint)
            else checked_row
        )
        if isinstance(outcome, RowProblem) and outcome.same_row in checker.failed:
            # The same cells as a row that made no ticket: the same reasons, not a repeat.
            outcome = RowProblem(row.number, checker.failed[outcome.same_row])
        if isinstance(outcome, RowProblem) and not outcome.repeat:
            checker.failed[row.number] = outcome.reasons
        if isinstance(outcome, Filed):
            tickets.append((row.number, outcome.ticket.number))
            checker.add_made(outcome)
            if remarks := checker.remarks_on(row, outcome):
                problems.append(
                    {
                        "row": row.number,
                        "id": [r.message_id for r in remarks],
                        "en": [r.message_en for r in remarks],
                        "ticket": outcome.ticket.number,
                    }
                )
        else:
            problems.append(
                {
                    "row": row.number,
                    "id": [r.message_id for r in outcome.reasons],
                    "en": [r.message_en for r in outcome.reasons],
                    "cells": {**row.values, "call_time": row.call_time, "officer": row.officer},
                    **({"repeat": True} if outcome.repeat else {}),
                }
            )
    if progress is not None:
        for done in range(done_before + 1, done_before + len(chunk) + 1):
            progress(done, total)
    return tickets, problems


def _without_repeats(
    tx: Tx,
    checker: RowChecker,
    chunk: Sequence[Row],
    checked: list[Complaint | RowProblem],
) -> list[Complaint | RowProblem]:
    """Rows already made into a ticket become problems naming that ticket, so that a log
    saved again with new calls added at the end (a different file, to its checksum) makes
    tickets of the new calls only.

    A row repeats an earlier row of the file when its call time, officer and cells are the
    same; it repeats a phone ticket of an earlier import when its call time, officer and
    every field of the form, as normalised, are the ticket's as it was registered or as it
    is now (a correction the help desk made since, `ticketing.desk.edit`, undone or not;
    only the rows that share a call time with such a ticket are normalised for this). The
    officer is the one written in the row (the ticket's signature), whoever took the call's
    ticket: an import run with ``--by`` and a later one without agree on it.

    A row without a call time takes the moment of the import: it repeats an earlier row of
    the file without one, or a phone ticket logged without one (received as it was made),
    when its officer and cells, or its officer and form, are the same; its line says to
    write its call time if it is another call."""
    complaints = [
        (i, c) for i, c in enumerate(checked) if isinstance(c, Complaint)
    ]  # fmt: skip
    if not complaints:
        return checked
    fields = checker.fields
    known: dict[tuple, str] = {}
    untimed = {i for i, _ in complaints if not chunk[i].call_time.strip()}
    moments = [c.received_at for i, c in complaints if i not in untimed]
    wanted = ("id", "number", "received_at", "signature", *(f.key for f in fields))
    # The tickets this import made are left out by their ids where they are a few runs
    # of ids (a chunk's are one on SQLite); the rest by their numbers.
    made = checker.made_ids if len(checker.made_ids) <= _RUNS_LEFT_OUT else ()
    found = tx.phone_tickets_received_at(moments, wanted, besides=made) if moments else []
    # Logged without a call time: compared as this import's rows without one, at its moment.
    found_untimed = tx.phone_tickets_without_call_time(wanted, besides=made) if untimed else []
    earlier = [
        (ticket, moment)
        for ticket, moment in [
            *((t, t.received_at) for t in found),
            *((t, checker.now) for t in found_untimed),
        ]
        if ticket.number not in checker.made
    ]
    before = tx.values_before_corrections([t.id for t, _ in earlier]) if earlier else {}
    for ticket, moment in earlier:
        now = {f.key: getattr(ticket, f.key) for f in fields}
        for values in ({**now, **before.get(ticket.id, {})}, now):  # as registered, as now
            known[call_key(moment, ticket.signature, values, fields)] = ticket.number
    known_moments = {key[0] for key in known}
    result = list(checked)
    for i, complaint in complaints:
        row = chunk[i].number
        cells = call_key(complaint.received_at, complaint.signature, complaint.raw, fields)
        repeated = checker.seen.get(cells)
        if repeated is None and cells[0] in known_moments:
            form = check_formulir(complaint.raw, fields)
            if isinstance(form, Complete):
                normal = call_key(complaint.received_at, complaint.signature, form.values, fields)
                repeated = known.get(normal)
        if repeated is None:
            checker.seen[cells] = f"{row}"
            continue
        if repeated.isdigit():
            note = Note(f"panggilan yang sama dengan baris {repeated}; tidak dicatat dua kali.",
                        f"the same call as row {repeated}; not recorded twice.")  # fmt: skip
        else:
            note = Note(f"sudah tercatat sebagai {repeated} (impor sebelumnya).",
                        f"already recorded as {repeated} (an earlier import).")  # fmt: skip
        if i in untimed:
            note = Note(f"{note.message_id[:-1]}; tanpa waktu telepon: isi waktunya bila ini "
                        "panggilan lain.",
                        f"{note.message_en[:-1]}; no call time: write it if this is another "
                        "call.")  # fmt: skip
        same_row = int(repeated) if repeated.isdigit() else 0
        result[i] = RowProblem(row, (note,), repeat=True, same_row=same_row)
    return result


_RUNS_LEFT_OUT = 64
"""At most this many runs of ids are left out by the query for earlier calls."""


def _note_dict(note: Note) -> dict[str, str]:
    return {"id": note.message_id, "en": note.message_en}


def _report_of(name: str, record: PhoneImport, made: list[tuple[int, str]]) -> ImportReport:
    return ImportReport(
        name=name,
        status="imported",
        sha256=record.sha256,
        rows=record.rows,
        tickets=list(made),
        problems=[
            RowProblem(
                p["row"],
                tuple(Note(i, e) for i, e in zip(p["id"], p["en"], strict=True)),
                repeat=bool(p.get("repeat")),
                ticket=p.get("ticket", ""),
            )
            for p in record.problem_rows
        ],
        notes=[Note(n["id"], n["en"]) for n in record.notes],
        imported_at=record.imported_at,
    )


def _already_imported(name: str, record: PhoneImport, here: Site) -> ImportReport:
    report = _report_of(name, record, [])
    report.status = "duplicate"
    calendar = here.config.calendar

    def when(language: str) -> str:
        return formatting.long_time(
            record.imported_at, timezone=calendar.timezone, zone_label=calendar.zone_label,
            language=language,
        )  # fmt: skip

    first = f" ({record.name})" if record.name != name else ""
    report.notes.insert(
        0,
        Note(
            f"sudah diimpor pada {when('id')}{first} ({record.tickets} tiket); "
            "tidak ada tiket baru.",
            f"already imported on {when('en')}{first} ({record.tickets} tickets); no new tickets.",
        ),
    )
    return report


# --- The drop folder -------------------------------------------------------------------------


def scan_drop_folder(
    here: Site,
    *,
    now: dt.datetime,
    files_now: dt.datetime | None = None,
    sightings: Sightings | None = None,
) -> list[ImportReport]:
    """Import each complete file in ``[phone_drop] dir`` and move it away (see the module's
    documentation for when a file is complete). A file whose import fails is logged and
    left in place for the next scan; the other files go on. The database unreachable or the
    lease lost stops the scan (raised), every file left in place.

    ``now`` is the office's time (what the calls are logged at); ``files_now`` the folder's
    clock that file times are compared with, read from the folder when not given;
    ``sightings`` is the daemon's memory of files stamped ahead of that clock."""
    config = here.config.phone_drop
    drop = here.config.path(config.dir)
    if not drop.is_dir():
        return []
    here.store  # noqa: B018 - a site without its database fails here, once, not per file
    language = here.config.office.language
    if files_now is None:
        files_now = folder_clock(drop)
    reports: list[ImportReport] = []
    for path in sorted(drop.iterdir()):
        data = dropfolder.complete_file(path, files_now, sightings, clock.monotonic)
        if data is None:
            continue
        try:
            report = import_bytes(here, data, path.name, source="drop", now=now)
        except (DatabaseUnavailable, LeaseLost):
            raise  # not the file's fault: it stays, and the scan stops until the next turn
        except Exception as exc:  # noqa: BLE001 - one file's fault must not stop the others
            log.exception("phone drop: %s could not be imported", path.name)
            error = str(exc) or type(exc).__name__
            reason = Note(f"impor gagal: {error}", f"import failed: {error}")
            reports.append(ImportReport(path.name, "failed", reason=reason))
            continue
        folder = config.rejected_dir if report.status == "rejected" else config.processed_dir
        report.moved_to = _file_away(path, drop / folder, report, language)
        log.info("phone drop: %s: %s, %s", path.name, report.status, report.summary())
        reports.append(report)
    return reports


def folder_clock(folder: Path) -> dt.datetime:
    """Now on the drop folder's own clock (see `intake.dropfolder.folder_clock`)."""
    return dropfolder.folder_clock(folder, clock.system_now)


def _file_away(path: Path, folder: Path, report: ImportReport, language: str) -> Path | None:
    """Move the file into ``folder`` with its error (or reason) file; the moved path."""
    if report.status == "rejected":
        suffix = ".reason.txt"
        assert report.reason is not None
        lines = [report.reason.text(language)]
    else:
        suffix = ".errors.txt"
        lines = report.lines(language)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, path.name, suffix)
        if lines:
            side = target.with_name(target.name + suffix)
            write_text(side, "\r\n".join(lines) + "\r\n")
        shutil.move(path, target)
    except OSError as exc:
        log.error("phone drop: cannot move %s to %s: %s", path.name, folder, exc)
        return None
    return target


def _free_name(folder: Path, name: str, suffix: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3``... when it (or its side file) is taken."""
    stem, ext = Path(name).stem, Path(name).suffix
    candidate, n = folder / name, 1
    while candidate.exists() or candidate.with_name(candidate.name + suffix).exists():
        n += 1
        candidate = folder / f"{stem}-{n}{ext}"
    return candidate
