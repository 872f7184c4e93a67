"""The electronic archive of a period: one self-contained zip bundle that can be verified.

The SOP keeps every complaint on paper and electronically. A bundle holds the complaints
received in a period (``ticket.received_at``) and the incomplete reports made in it
(``submission.created_at``)::

    register.csv                    one row per complaint: the Formulir and where it went
    incomplete-reports.csv          one row per incomplete report: what was missing
    survey.csv                      one row per complaint invited to the satisfaction
                                    survey: when, and its one answer (scores, saran, profile)
    messages/<TICKET>/in-<id>.eml   each e-mail received about the ticket, byte for byte
    messages/<TICKET>/out-<id>.eml  each e-mail the office sent about it (sent or bounced)
    messages/incomplete/<id>/...    the same for an incomplete report not completed into
                                    a ticket of the bundle (else they are with that ticket)
    messages/not-sent.csv           e-mails about them still queued, dead or suppressed
    phone-logs/<sha256[:12]>-<name> each phone-log file with a ticket here, or read in the period
    attachments/<TICKET>/<name>     each file kept with the ticket, checked against its SHA-256
    documents/<TICKET>-<doc>.html   Formulir; Lembar Disposisi once disposed; Laporan Akhir
                                    once resolved or closed
    PROBLEMS.txt                    only when a file could not be archived as recorded
    README.txt                      what this is, for whom, and how to check it (Indonesian)
    MANIFEST.sha256                 ``<sha256>  <path>`` of every other file, by path

The same data gives the same bytes: entries in a fixed order, a fixed timestamp and
mode on every entry, and no clock. The documents are printed "as of" the latest event of
the tickets in the bundle, not the wall clock: every event they show happened by then,
and the moment moves only when the data does.

Building the entries reads values only; attachments are read from disk while the zip is
written (one at a time, so a month of scans never sits in memory at once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from zoneinfo import ZoneInfo

from babel.dates import format_date

from notifier.formatting import long_time
from notifier.outbox import email_bytes
from notifier.policy import Office
from records.documents import CHANNELS, NotApplicable, context, environment, render
from records.files import replacing
from records.periods import Period
from records.tables import csv_text
from ticketing.calendar import BusinessCalendar
from ticketing.files import safe_name
from ticketing.models import (
    Attachment,
    Event,
    Inbound,
    OutboxEmail,
    PhoneImport,
    Submission,
    SurveyInvitation,
    SurveyResponse,
    Ticket,
)
from ticketing.store import Store, Tx
from ticketing.survey import PROFILE_CHOICES
from ticketing.vocabulary import OutboxStatus, SubmissionStatus
from ticketing.workflow import STATE_LABELS, State

MANIFEST = "MANIFEST.sha256"
README = "README.txt"
PROBLEMS = "PROBLEMS.txt"
REGISTER = "register.csv"
INCOMPLETE = "incomplete-reports.csv"
SURVEY = "survey.csv"
NOT_SENT = "messages/not-sent.csv"

# Every entry gets the same timestamp (the earliest a zip can hold) and mode (rw-r--r--).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644 << 16
ZIP_UNIX = 3

# Outbox statuses of e-mails that left the office: archived as .eml.
WENT_OUT = (OutboxStatus.SENT, OutboxStatus.BOUNCED)
SUBMISSION_STATUS: dict[str, str] = {
    SubmissionStatus.OPEN: "Belum lengkap",
    SubmissionStatus.COMPLETED: "Sudah dilengkapi",
}
CHUNK = 1 << 20


class ArchiveError(Exception):
    """A bundle that cannot be written or read as asked: the message is the one line to show."""


@dataclass(frozen=True)
class Problem:
    """Something that is not in the bundle as the records say it should be."""

    id: str  # Indonesian, for PROBLEMS.txt
    en: str  # English, for the help desk's terminal


@dataclass(frozen=True)
class Entry:
    """A file of the bundle, its bytes at hand."""

    path: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file of the bundle read from the archive folder when the zip is written."""

    path: str
    source: Path
    stored_path: str  # as recorded, relative to the archive folder
    sha256: str  # as recorded when it was archived


@dataclass
class Records:
    """What the store holds about one period."""

    tickets: list[Ticket]
    events: dict[int, list[Event]]
    attachments: dict[int, list[Attachment]]
    submissions: list[Submission]
    submission_tickets: dict[int, str]  # submission id -> the number of the ticket it became
    inbound: list[Inbound]
    outbox: list[OutboxEmail]
    phone_imports: list[PhoneImport]
    # ticket id -> its survey invitation and response (either may be missing)
    surveys: dict[int, tuple[SurveyInvitation | None, SurveyResponse | None]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class Case:
    """One complaint in the bundle, with what belongs to it."""

    ticket: Ticket
    folder: str  # its number as a folder name
    events: list[Event]
    attachments: list[Attachment]


@dataclass(frozen=True)
class Counts:
    complaints: int = 0
    incomplete: int = 0
    messages: int = 0
    phone_logs: int = 0
    attachments: int = 0
    documents: int = 0
    not_sent: int = 0
    survey_invitations: int = 0
    survey_responses: int = 0

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return ", ".join(
            [
                n(self.complaints, "complaint"),
                n(self.incomplete, "incomplete report"),
                n(self.messages, "message"),
                n(self.phone_logs, "phone log"),
                n(self.attachments, "attachment"),
                n(self.documents, "document"),
                n(self.survey_invitations, "survey invitation"),
                n(self.survey_responses, "survey response"),
            ]
        )


@dataclass
class Bundle:
    """The files of a bundle before the zip is written."""

    period: Period
    office: str
    help_desk: str
    timezone: str
    zone_label: str
    as_of: dt.datetime | None
    entries: list[Entry | StoredFile]
    counts: Counts
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    path: Path
    counts: Counts
    problems: list[Problem]


@dataclass(frozen=True)
class Verified:
    files: int
    problems: list[str]


def default_name(period: Period) -> str:
    return f"arsip-pengaduan-{period.label}.zip"


# --- reading the records --------------------------------------------------------------------


def read_records(tx: Tx, period: Period) -> Records:
    tickets = tx.archive_tickets(period.start, period.end)
    ids = [t.id for t in tickets if t.id is not None]
    submissions = tx.submissions_created(period.start, period.end)
    submission_ids = [s.id for s in submissions if s.id is not None]
    submission_tickets: dict[int, str] = {}
    for submission in submissions:
        if submission.id is not None and submission.ticket_id is not None:
            became = tx.ticket_by_id(submission.ticket_id)
            if became is not None:
                submission_tickets[submission.id] = became.number
    return Records(
        tickets=tickets,
        events=tx.events_of(ids),
        attachments=tx.archive_attachments(ids),
        submissions=submissions,
        submission_tickets=submission_tickets,
        inbound=tx.archive_inbound(ids, submission_ids),
        outbox=tx.archive_outbox(ids, submission_ids),
        phone_imports=tx.archive_phone_imports(
            [t.number for t in tickets], period.start, period.end
        ),
        surveys=tx.archive_surveys(ids),
    )


# --- building the entries -------------------------------------------------------------------


def component(text: str) -> str:
    """``text`` as one folder name in the bundle (a number like ``001/TIK/2026`` too)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "_"


def build(
    office: Office, archive_dir: Path, period: Period, records: Records,
    calendar: BusinessCalendar,
) -> Bundle:  # fmt: skip
    """Every file of the bundle but the README and the manifest, from the records (the
    attachments' files from ``archive_dir``)."""
    settings = office.settings
    tz = ZoneInfo(settings.timezone)
    entries: list[Entry | StoredFile] = []
    problems: list[Problem] = []
    taken: set[str] = set()

    def unique(path: str) -> str:
        """``path``, or ``name-2.ext``... when two files would share it."""
        folder, slash, name = path.rpartition("/")
        stem, dot, suffix = name.partition(".") if not name.startswith(".") else (name, "", "")
        candidate, n = path, 1
        while candidate in taken:
            n += 1
            candidate = f"{folder}{slash}{stem}-{n}{dot}{suffix}"
        taken.add(candidate)
        return candidate

    def add(path: str, data: bytes) -> None:
        entries.append(Entry(unique(path), data))

    cases = [
        Case(
            ticket=t,
            folder=component(t.number),
            events=records.events.get(t.id or 0, []),
            attachments=records.attachments.get(t.id or 0, []),
        )
        for t in records.tickets
    ]
    add(REGISTER, _csv(*register(office, cases)))
    add(INCOMPLETE, _csv(*incomplete_reports(records, tz)))
    add(SURVEY, _csv(*survey_rows(cases, records.surveys, tz)))

    # Each message once: under its ticket when that is in the bundle (the messages of the
    # incomplete report it was completed from too), else under its incomplete report.
    folders = {case.ticket.id: case.folder for case in cases}
    reports = {s.id: folders.get(s.ticket_id, f"incomplete/{s.id}") for s in records.submissions}

    def folder(ticket_id: int | None, submission_id: int | None) -> str | None:
        if ticket_id in folders:
            return f"messages/{folders[ticket_id]}"
        if submission_id in reports:
            return f"messages/{reports[submission_id]}"
        return None

    messages = 0
    not_sent: list[OutboxEmail] = []
    for inbound in records.inbound:
        if (where := folder(inbound.ticket_id, inbound.submission_id)) is not None:
            add(f"{where}/in-{inbound.id}.eml", inbound.raw)
            messages += 1
    for email in records.outbox:
        if (where := folder(email.ticket_id, email.submission_id)) is None:
            continue
        if email.status in WENT_OUT:
            add(f"{where}/out-{email.id}.eml", email_bytes(email, office))
            messages += 1
        else:
            not_sent.append(email)
    if not_sent:
        numbers = {case.ticket.id: case.ticket.number for case in cases}
        add(NOT_SENT, _csv(*unsent(not_sent, numbers)))

    for record in records.phone_imports:
        add(f"phone-logs/{record.sha256[:12]}-{safe_name(record.name)}", record.raw)

    attachments = 0
    for case in cases:
        for attachment in case.attachments:
            stored = PurePosixPath(attachment.stored_path.replace("\\", "/"))
            path = unique(f"attachments/{case.folder}/{safe_name(stored.name)}")
            if stored.is_absolute() or ".." in stored.parts:
                problems.append(
                    Problem(
                        f"lampiran di luar folder arsip, tidak disertakan: {path}"
                        f" (tercatat {attachment.stored_path})",
                        f"attachment outside the archive folder, left out: {path}"
                        f" (recorded as {attachment.stored_path})",
                    )
                )
                continue
            entries.append(
                StoredFile(path, archive_dir / stored, attachment.stored_path, attachment.sha256)
            )
            attachments += 1

    # The documents, printed as of the latest event of the tickets in the bundle.
    as_of = max((e.at for case in cases for e in case.events), default=None)
    env = environment()
    documents = 0
    for case in cases:
        wanted = ["formulir", "disposisi"]
        if case.ticket.state in (State.RESOLVED.value, State.CLOSED.value):
            wanted.append("laporan")
        moment = as_of or case.ticket.received_at
        for doc in wanted:
            try:
                data = context(
                    office, doc, case.ticket, case.events, case.attachments, moment, calendar
                )
            except NotApplicable:
                continue  # never disposed: no Lembar Disposisi
            add(f"documents/{case.folder}-{doc}.html", render(doc, data, env).encode("utf-8"))
            documents += 1

    return Bundle(
        period=period,
        office=settings.office_name,
        help_desk=settings.help_desk_name,
        timezone=settings.timezone,
        zone_label=settings.zone_label,
        as_of=as_of,
        entries=entries,
        counts=Counts(
            complaints=len(records.tickets),
            incomplete=len(records.submissions),
            messages=messages,
            phone_logs=len(records.phone_imports),
            attachments=attachments,
            documents=documents,
            not_sent=len(not_sent),
            survey_invitations=sum(1 for i, _ in records.surveys.values() if i is not None),
            survey_responses=sum(1 for _, r in records.surveys.values() if r is not None),
        ),
        problems=problems,
    )


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    # With a byte-order mark, as records.tables.write_csv: Excel then opens UTF-8 right.
    return ("\ufeff" + csv_text(header, rows)).encode("utf-8")


def _local(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else ""


def register(office: Office, cases: Sequence[Case]) -> tuple[list[str], list[list[object]]]:
    """The register of complaints: the header and one row per ticket."""
    tz = ZoneInfo(office.settings.timezone)
    directory = office.directory
    fields = office.fields
    states = STATE_LABELS["id"]

    def person(staff_id: str | None) -> str:
        staff = directory.get(staff_id) if staff_id else None
        return f"{staff.name} ({staff_id})" if staff else (staff_id or "")

    def unit(key: str | None) -> str:
        found = directory.units.get(key) if key else None
        return found.name if found else (key or "")

    header = [
        "Nomor",
        "Diterima",
        "Saluran",
        *(f.label for f in fields),
        "Unit",
        "Penanggung Jawab",
        "Petugas Teknis",
        "Status",
        "Ditutup",
        "Solusi",
        "Jumlah Peristiwa",
        "Jumlah Lampiran",
    ]
    rows: list[list[object]] = []
    for case in cases:
        t = case.ticket
        rows.append(
            [
                t.number,
                _local(t.received_at, tz),
                CHANNELS.get(t.channel, t.channel),
                *(f.shown(getattr(t, f.key)) for f in fields),
                unit(t.unit),
                person(t.assignee),
                person(t.technician),
                states[State(t.state)],
                _local(t.closed_at, tz),
                t.solution or "",
                len(case.events),
                len(case.attachments),
            ]
        )
    return header, rows


def incomplete_reports(records: Records, tz: ZoneInfo) -> tuple[list[str], list[list[object]]]:
    """The incomplete reports: the header and one row per report."""
    header = ["ID", "Diterima", "Pengirim", "Perihal", "Kekurangan", "Status", "Nomor Tiket"]
    rows: list[list[object]] = []
    for s in records.submissions:
        sender = f"{s.sender_name} <{s.sender}>" if s.sender_name else s.sender
        missing = "; ".join(p.get("message_id") or p.get("key", "") for p in s.problems)
        status = SUBMISSION_STATUS.get(s.status, s.status)
        number = records.submission_tickets.get(s.id or 0, "")
        rows.append([s.id, _local(s.created_at, tz), sender, s.subject, missing, status, number])
    return header, rows


def survey_rows(
    cases: Sequence[Case],
    surveys: dict[int, tuple[SurveyInvitation | None, SurveyResponse | None]],
    tz: ZoneInfo,
) -> tuple[list[str], list[list[object]]]:
    """The satisfaction survey of the bundle's complaints: one row per complaint invited
    (or answered), in number order: the invitation, then the one answer as recorded."""
    profile = {key: {code: label for code, label, _ in choices}
               for key, choices in PROFILE_CHOICES.items()}  # fmt: skip
    header = [
        "Nomor", "Diundang", "Alamat Undangan", "Dijawab", "Saluran Jawaban",
        *(f"U{n}" for n in range(1, 10)), "Saran", "Jenis Kelamin", "Usia", "Pendidikan",
        "Pekerjaan", "Message-ID Jawaban",
    ]  # fmt: skip
    rows: list[list[object]] = []
    for case in cases:
        invitation, response = surveys.get(case.ticket.id or 0, (None, None))
        if invitation is None and response is None:
            continue
        row: list[object] = [
            case.ticket.number,
            _local(invitation.invited_at, tz) if invitation else "",
            invitation.address if invitation else "",
        ]
        if response is None:
            row += [""] * (len(header) - len(row))
        else:
            row += [
                _local(response.answered_at, tz),
                CHANNELS.get(response.channel, response.channel),
                *("" if score is None else score for score in response.scores),
                response.saran,
                *(
                    profile[key].get(value, value) if value else ""
                    for key, value in (
                        ("sex", response.sex),
                        ("age_band", response.age_band),
                        ("education", response.education),
                        ("occupation", response.occupation),
                    )
                ),
                response.message_id or "",
            ]
        rows.append(row)
    return header, rows


def unsent(
    emails: Sequence[OutboxEmail], numbers: dict[int | None, str]
) -> tuple[list[str], list[list[object]]]:
    """The e-mails that have not left the office: queued, dead or suppressed."""
    header = ["ID", "Tiket / Laporan", "Jenis", "Penerima", "Perihal", "Status", "Galat Terakhir"]
    rows: list[list[object]] = [
        [
            e.id,
            numbers.get(e.ticket_id, "") if e.ticket_id else f"laporan {e.submission_id}",
            e.kind,
            ", ".join(e.recipients) or e.recipient,
            e.subject,
            e.status,
            e.last_error or "",
        ]
        for e in emails
    ]
    return header, rows


def readme(bundle: Bundle, counts: Counts, problems: Sequence[Problem]) -> bytes:
    """README.txt: for the archivist, in Indonesian."""
    period = bundle.period

    def day(value: dt.date) -> str:
        return format_date(value, "d MMMM y", locale="id")

    lines = [
        "ARSIP ELEKTRONIK PENGADUAN LAYANAN TIK",
        "",
        f"Instansi : {bundle.office}",
        f"Layanan  : {bundle.help_desk}",
        f"Periode  : {day(period.first_day)} s.d. {day(period.last_day)} ({period.label})",
        "",
        "Arsip ini memuat setiap pengaduan yang diterima dalam periode tersebut dan setiap",
        "laporan tidak lengkap yang masuk dalam periode tersebut.",
        "",
        "Isi:",
        f"- register.csv: {counts.complaints} pengaduan, satu baris per pengaduan",
        f"- incomplete-reports.csv: {counts.incomplete} laporan tidak lengkap",
        f"- {SURVEY}: Survei Kepuasan Masyarakat, {counts.survey_invitations} undangan dan"
        f" {counts.survey_responses} jawaban",
        f"- messages/: {counts.messages} e-mail masuk (in-*.eml) dan keluar (out-*.eml),"
        " apa adanya",
        f"- phone-logs/: {counts.phone_logs} berkas log telepon (CSV), apa adanya",
        f"- attachments/: {counts.attachments} lampiran",
        f"- documents/: {counts.documents} dokumen (Formulir Pengaduan, Lembar Disposisi,"
        " Laporan Akhir; HTML, A4)",
    ]
    if counts.not_sent:
        lines.append(
            f"- {NOT_SENT}: {counts.not_sent} e-mail yang belum atau tidak terkirim"
            " (tidak disertakan sebagai .eml)"
        )
    if problems:
        lines.append(
            f"- {PROBLEMS}: {len(problems)} masalah, berkas yang tidak dapat diarsipkan"
            " sebagaimana tercatat"
        )
    lines.append(f"- {MANIFEST}: SHA-256 setiap berkas lain")
    if bundle.as_of is not None:
        printed = long_time(
            bundle.as_of, timezone=bundle.timezone, zone_label=bundle.zone_label, language="id"
        )
        lines += [
            "",
            f"Dokumen dicetak per {printed},",
            "yaitu waktu peristiwa terakhir pada pengaduan dalam arsip ini.",
        ]
    lines += [
        "",
        "Memeriksa keutuhan arsip:",
        "  helpdesk archive verify <berkas zip ini>",
        "atau, setelah diekstrak, di folder hasil ekstrak:",
        f"  sha256sum -c {MANIFEST}",
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


# --- writing the zip ------------------------------------------------------------------------


def _info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = ZIP_UNIX
    info.external_attr = ZIP_MODE
    return info


def write_zip(out: BinaryIO, bundle: Bundle) -> tuple[Counts, list[Problem]]:
    """Write the bundle to ``out``: its entries by path, then PROBLEMS.txt, README.txt and
    the manifest. Returns the counts as written and every problem met."""
    problems = list(bundle.problems)
    hashes: dict[str, str] = {}
    missing = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for entry in sorted(bundle.entries, key=lambda e: e.path):
            if isinstance(entry, Entry):
                zf.writestr(_info(entry.path), entry.data)
                hashes[entry.path] = hashlib.sha256(entry.data).hexdigest()
                continue
            digest, problem = _copy_stored(zf, entry)
            if digest is None:
                missing += 1
            else:
                hashes[entry.path] = digest
            if problem is not None:
                problems.append(problem)
        counts = replace(bundle.counts, attachments=bundle.counts.attachments - missing)
        tail: list[tuple[str, bytes]] = []
        if problems:
            tail.append((PROBLEMS, "".join(f"{p.id}\r\n" for p in problems).encode("utf-8")))
        tail.append((README, readme(bundle, counts, problems)))
        for path, data in tail:
            zf.writestr(_info(path), data)
            hashes[path] = hashlib.sha256(data).hexdigest()
        manifest = "".join(f"{hashes[path]}  {path}\n" for path in sorted(hashes))
        zf.writestr(_info(MANIFEST), manifest.encode("utf-8"))
    return counts, problems


def _copy_stored(zf: zipfile.ZipFile, entry: StoredFile) -> tuple[str | None, Problem | None]:
    """Stream an attachment into the zip: its SHA-256 as written (None when it could not be
    opened), and the problem with it, if any."""
    try:
        source = entry.source.open("rb")
    except FileNotFoundError:
        return None, Problem(
            f"lampiran hilang: {entry.path} (tercatat {entry.stored_path}, sha256 {entry.sha256})",
            f"attachment missing: {entry.path} (stored as {entry.stored_path},"
            f" sha256 {entry.sha256})",
        )
    except OSError as exc:
        return None, Problem(
            f"lampiran tidak dapat dibaca: {entry.path} ({entry.stored_path}: {exc.strerror})",
            f"attachment unreadable: {entry.path} ({entry.stored_path}: {exc.strerror})",
        )
    digest = hashlib.sha256()
    error: OSError | None = None
    with source:
        size = os.fstat(source.fileno()).st_size
        with zf.open(_info(entry.path), "w", force_zip64=size * 1.05 > zipfile.ZIP64_LIMIT) as dst:
            try:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
            except OSError as exc:
                error = exc
    found = digest.hexdigest()
    if error is not None:
        return found, Problem(
            f"lampiran terpotong, gagal dibaca: {entry.path} ({error.strerror})",
            f"attachment cut short, read failed: {entry.path} ({error.strerror})",
        )
    if found != entry.sha256:
        return found, Problem(
            f"lampiran berubah sejak diarsipkan: {entry.path} (sha256 tercatat {entry.sha256},"
            f" kini {found}); disertakan apa adanya",
            f"attachment changed since it was archived: {entry.path} (recorded sha256"
            f" {entry.sha256}, now {found}); included as it is now",
        )
    return found, None


def export(
    office: Office, archive_dir: Path, store: Store, period: Period, target: Path,
    calendar: BusinessCalendar, *, force: bool = False,
) -> Written:  # fmt: skip
    """Write the period's bundle to the file ``target``.

    The zip is written beside the target under a temporary name and renamed at the end:
    a crash never leaves half a bundle under the final name.
    """
    if target.is_dir():
        raise ArchiveError(f"{target} is a folder")
    if target.exists() and not force:
        raise ArchiveError(f"{target} exists; use --force to replace it")
    with store.snapshot() as tx:
        records = read_records(tx, period)
    bundle = build(office, archive_dir, period, records, calendar)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with replacing(target, overwrite=force) as out:
            counts, problems = write_zip(out, bundle)
    except FileExistsError:
        raise ArchiveError(f"{target} exists; use --force to replace it") from None
    except OSError as exc:
        raise ArchiveError(f"cannot write {target}: {exc.strerror or exc}") from None
    return Written(target, counts, problems)


# --- verifying a bundle ---------------------------------------------------------------------


def verify(path: Path) -> Verified:
    """Check a bundle against its manifest, and every entry against its zip CRC.

    Problems are ``changed: PATH``, ``missing: PATH``, ``not in manifest: PATH``,
    ``corrupt: PATH`` (its bytes fail the zip's own check) and ``bad manifest line: N``.
    Raises ArchiveError when ``path`` is not a zip or has no manifest.
    """
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path}: a folder, not a bundle") from None
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, ValueError):
        raise ArchiveError(f"{path}: not a zip file") from None
    with zf:
        names = [info.filename for info in zf.infolist() if not info.is_dir()]
        if MANIFEST not in names:
            raise ArchiveError(f"{path}: no {MANIFEST} in the bundle; not an archive bundle")
        problems: list[str] = []
        counted = {name: names.count(name) for name in names}
        problems += [f"duplicate: {name}" for name, n in sorted(counted.items()) if n > 1]
        manifest_bytes = _read(zf, MANIFEST)
        if manifest_bytes is None:
            return Verified(0, [*problems, f"corrupt: {MANIFEST}"])
        listed: dict[str, str] = {}
        try:
            manifest = manifest_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(f"{path}: {MANIFEST} is not text") from None
        for number, line in enumerate(manifest.splitlines(), start=1):
            match = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](.+)", line)
            if match is None:
                if line.strip():
                    problems.append(f"bad manifest line: {number}")
                continue
            listed[match[2]] = match[1].lower()
        present = set(names)
        verified = 0
        for name, expected in listed.items():
            if name not in present:
                problems.append(f"missing: {name}")
                continue
            found = _digest(zf, name)
            if found is None:
                problems.append(f"corrupt: {name}")
            elif found != expected:
                problems.append(f"changed: {name}")
            else:
                verified += 1
        for name in sorted(present - set(listed) - {MANIFEST}):
            problems.append(f"not in manifest: {name}")
            if _digest(zf, name) is None:
                problems.append(f"corrupt: {name}")
    return Verified(verified, problems)


# What reading an entry raises when its bytes fail the zip's CRC or cannot be inflated
# (or it is encrypted, or compressed by a method Python lacks).
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        with zf.open(name) as entry:
            return entry.read()
    except UNREADABLE:
        return None


def _digest(zf: zipfile.ZipFile, name: str) -> str | None:
    """The entry's SHA-256, read in chunks; None when it is unreadable."""
    digest = hashlib.sha256()
    try:
        with zf.open(name) as entry:
            while chunk := entry.read(CHUNK):
                digest.update(chunk)
    except UNREADABLE:
        return None
    return digest.hexdigest()
