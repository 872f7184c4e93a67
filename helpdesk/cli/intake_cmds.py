"""`helpdesk phone` and `helpdesk letter`: complaints the help desk logs by hand."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk.cli.common import USER_ENV, actor, fail, print_json, site

if TYPE_CHECKING:
    from helpdesk.wiring import Site
    from ticketing.formulir import FormulirField, Incomplete
    from ticketing.normalize import InvalidValue

# Options that fill the Formulir, by canonical key; Indonesian aliases are accepted too.
AgencyOpt = Annotated[str | None, typer.Option("--agency", "--opd", help="Nama OPD")]
DivisionOpt = Annotated[str | None, typer.Option("--division", "--bidang", help="Bidang/UPT/Balai")]
NameOpt = Annotated[str | None, typer.Option("--name", "--nama", help="Nama Pelapor")]
PositionOpt = Annotated[str | None, typer.Option("--position", "--jabatan", help="Jabatan")]
PhoneOpt = Annotated[
    str | None, typer.Option("--phone", "--telepon", help="Nomor Telepon / HandPhone")
]
EmailOpt = Annotated[str | None, typer.Option("--email", help="Alamat e-Mail")]
SexOpt = Annotated[
    str | None, typer.Option("--sex", "--jenis-kelamin", help="Jenis Kelamin: L / P")
]
StatusOpt = Annotated[
    str | None, typer.Option("--status", "--status-kepegawaian", help="PNS / Non PNS")
]
CategoryOpt = Annotated[
    str | None,
    typer.Option("--category", "--jenis-aduan", help="Jenis Aduan (Jaringan, E Mail, ...)"),
]
DescriptionOpt = Annotated[str | None, typer.Option("--description", "--isi", help="Isi Aduan")]
OfficerOpt = Annotated[
    str | None,
    typer.Option("--officer", "--by", help="The help-desk officer's id (default $HELPDESK_USER)."),
]
ReceivedOpt = Annotated[
    str | None,
    typer.Option(
        "--received",
        help="When it was received (Hari, Tanggal), ISO 8601; default now. "
        "A time without offset is in the office's time zone.",
    ),
]
InteractiveOpt = Annotated[
    bool | None,
    typer.Option(
        "--interactive/--no-input",
        "-i",
        help="Prompt for missing fields (default: prompt only when no field is given).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the new ticket as JSON.")]

# Each language's texts: a string, or a string per channel ("title").
TEXTS: dict[str, dict[str, Any]] = {
    "id": {
        "title": {
            "phone": "Formulir Pengaduan Layanan TIK — pengaduan melalui telepon",
            "letter": "Formulir Pengaduan Layanan TIK — pengaduan melalui surat",
        },
        "officer": "Petugas penerima (ID)",
        "choose": "Pilih nomor atau ketik",
        "registered": "Pengaduan dicatat dengan Nomor Pengaduan {number}.",
        "due": "Batas waktu langkah berikutnya: {due}.",
        "archived": "Berkas arsip: {path}",
        "unregistered": "Nama OPD {name} tidak ada dalam daftar OPD; dicatat seperti ditulis "
        "dan ditandai untuk diperiksa.",
        "suggest": "Mungkin yang dimaksud: {names}.",
        "pick": "Pilih nomor untuk memakai nama dari daftar, atau Enter untuk mencatat "
        "seperti ditulis",
        "required": "Wajib diisi.",
        "not_a_choice": "{value} tidak dikenali; mohon pilih {choices}.",
        "or": "atau",
        "read_back": "Mohon bacakan kembali kepada pelapor isian yang akan dicatat:",
        "written": "ditulis: {raw}",
        "confirm": "Simpan? Ketik Y untuk menyimpan, nomor isian untuk mengubahnya, "
        "atau N untuk membatalkan",
        "yes": ("y", "ya"),
        "no": ("n", "t", "tidak"),
        "cancelled": "Dibatalkan; pengaduan tidak dicatat.",
        "unknown_officer": "Petugas {officer} tidak dikenal (petugas Help Desk: {known}).",
        "not_officer": "{officer} adalah {role}, bukan petugas Help Desk.",
        "future": "--received: pengaduan tidak dapat diterima pada waktu yang akan datang.",
        "scan_failed": "--scan: {name} tidak dapat diarsipkan di {where}: {why}; "
        "pengaduan tidak dicatat.",
    },
    "en": {
        "title": {
            "phone": "ICT complaint form — complaint by telephone",
            "letter": "ICT complaint form — complaint by letter",
        },
        "officer": "Receiving officer (id)",
        "choose": "Choose a number or type",
        "registered": "Complaint registered with number {number}.",
        "due": "Deadline of the next step: {due}.",
        "archived": "Archived file: {path}",
        "unregistered": "The agency {name} is not in the register of agencies; recorded as "
        "written and marked for checking.",
        "suggest": "Perhaps: {names}.",
        "pick": "Choose a number to use the register's name, or Enter to record it as written",
        "required": "Required.",
        "not_a_choice": "{value} is not recognised; please choose {choices}.",
        "or": "or",
        "read_back": "Please read back to the caller what will be recorded:",
        "written": "written: {raw}",
        "confirm": "Save? Type Y to save, a field's number to change it, or N to cancel",
        "yes": ("y", "yes"),
        "no": ("n", "no"),
        "cancelled": "Cancelled; the complaint was not recorded.",
        "unknown_officer": "Unknown officer {officer} (help-desk officers: {known}).",
        "not_officer": "{officer} is {role}, not a help-desk officer.",
        "future": "--received: the complaint cannot be received in the future.",
        "scan_failed": "--scan: cannot archive {name} in {where}: {why}; "
        "the complaint was not recorded.",
    },
}


def register_commands(app: typer.Typer) -> None:
    app.command("phone")(phone)
    app.command("letter")(letter)


def phone(
    ctx: typer.Context,
    agency: AgencyOpt = None,
    division: DivisionOpt = None,
    name: NameOpt = None,
    position: PositionOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    sex: SexOpt = None,
    status: StatusOpt = None,
    category: CategoryOpt = None,
    description: DescriptionOpt = None,
    officer: OfficerOpt = None,
    received: ReceivedOpt = None,
    interactive: InteractiveOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a complaint received by telephone."""
    given = _form(
        agency, division, name, position, phone, email, sex, status, category, description
    )
    _log(ctx, "phone", given, officer, received, interactive, as_json, scan=None)


def letter(
    ctx: typer.Context,
    agency: AgencyOpt = None,
    division: DivisionOpt = None,
    name: NameOpt = None,
    position: PositionOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    sex: SexOpt = None,
    status: StatusOpt = None,
    category: CategoryOpt = None,
    description: DescriptionOpt = None,
    officer: OfficerOpt = None,
    received: ReceivedOpt = None,
    scan: Annotated[
        Path | None,
        typer.Option("--scan", help="The scanned letter, archived with the ticket."),
    ] = None,
    interactive: InteractiveOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a complaint received as a written letter, optionally with its scan."""
    given = _form(
        agency, division, name, position, phone, email, sex, status, category, description
    )
    _log(ctx, "letter", given, officer, received, interactive, as_json, scan=scan)


def _form(*values: str | None) -> dict[str, str | None]:
    """The field options, by canonical key, in the order of the form."""
    from ticketing.formulir import FIELDS

    return dict(zip((f.key for f in FIELDS), values, strict=True))


def _log(
    ctx: typer.Context,
    channel: str,
    given: dict[str, str | None],
    officer_opt: str | None,
    received_opt: str | None,
    interactive: bool | None,
    as_json: bool,
    scan: Path | None,
) -> None:
    from helpdesk.clock import parse_moment
    from helpdesk.display import long_time
    from helpdesk.service import register_complaint
    from ticketing.desk import Registered
    from ticketing.files import archive_file, check_readable
    from ticketing.formulir import Incomplete
    from ticketing.models import Attachment
    from ticketing.store import Tx
    from ticketing.workflow import Rejected

    here = site(ctx)
    language = here.config.office.language
    texts = TEXTS[language]
    if interactive is None:
        interactive = all(value is None for value in given.values())
    if scan is not None and (problem := check_readable(scan)):
        fail(problem)
    now = here.now()
    received_at = (
        parse_moment(received_opt, what="--received", tz=here.desk.calendar.tz)
        if received_opt
        else now
    )
    if received_at > now + dt.timedelta(minutes=5):
        fail(texts["future"], language=language)

    values: Mapping[str, str | None]
    if interactive:
        typer.echo(texts["title"][channel])
        officer = officer_opt or _env_officer() or typer.prompt(texts["officer"]).strip()
        _check_officer(here, officer, language)
        values = _prompt_fields(here, given, language)
    else:
        officer = actor(officer_opt, what="--officer")
        _check_officer(here, officer, language)
        values = given

    archive_dir = here.config.path(here.config.paths.archive_dir)
    archived: list[Attachment] = []

    # A scan archived for a transaction that fails goes with it (`ticketing.undo`).
    def keep_scan(tx: Tx, registered: Registered) -> None:
        if scan is not None:
            try:
                attachment = archive_file(scan, archive_dir, registered.ticket, now)
            except OSError as exc:  # a read-only or full archive folder: nothing is stored
                where = exc.filename or archive_dir
                fail(texts["scan_failed"].format(name=scan.name, where=where,
                                                 why=exc.strerror or exc),
                     language=language)  # fmt: skip
            archived.append(attachment)
            tx.add_attachment(attachment)

    outcome = register_complaint(
        here,
        values,
        channel=channel,
        received_at=received_at,
        signature=officer,
        officer=officer,
        now=now,
        also=keep_scan,
    )
    if isinstance(outcome, Rejected):
        fail(outcome.message)
    if isinstance(outcome, Incomplete):
        fail(*_problem_lines(outcome, language), language=language)
    assert isinstance(outcome, Registered)

    ticket = outcome.ticket
    if as_json:
        agency = here.config.stored_agency(ticket.agency)
        print_json(
            {
                "number": ticket.number,
                "state": ticket.state,
                "agency": ticket.agency,
                "agency_registered": agency.registered,
                "agency_suggestions": list(agency.suggestions),
                "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
                "attachments": [a.stored_path for a in archived],
            }
        )
        return
    typer.echo(texts["registered"].format(number=ticket.number))
    typer.echo(texts["due"].format(due=long_time(ticket.due_at, here.config)))
    for line in _unregistered_lines(here, ticket.agency, language):
        typer.echo(line)
    for attachment in archived:
        typer.echo(texts["archived"].format(path=archive_dir / attachment.stored_path))


def _env_officer() -> str | None:
    return os.environ.get(USER_ENV) or None


def _check_officer(here: Site, officer: str, language: str) -> None:
    from ticketing.directory import ROLE_LABELS, Role

    texts = TEXTS[language]
    staff = here.desk.directory.get(officer)
    if staff is None:
        known = ", ".join(s.id for s in here.desk.directory.with_role(Role.HELP_DESK))
        fail(texts["unknown_officer"].format(officer=repr(officer), known=known),
             language=language)  # fmt: skip
    if staff.role != Role.HELP_DESK:
        role = ROLE_LABELS[language][staff.role]
        fail(texts["not_officer"].format(officer=officer, role=role.lower()), language=language)


def _unregistered_lines(here: Site, name: str, language: str) -> list[str]:
    """What the officer is told of a Nama OPD the register does not know."""
    found = here.config.stored_agency(name)
    if found.registered:
        return []
    texts = TEXTS[language]
    lines = [texts["unregistered"].format(name=f'"{name}"')]
    if found.suggestions:
        lines.append(texts["suggest"].format(names="; ".join(found.suggestions)))
    return lines


def _problem_lines(outcome: Incomplete, language: str) -> list[str]:
    return [p.message_id if language == "id" else p.message_en for p in outcome.problems]


def _prompt_fields(here: Site, given: dict[str, str | None], language: str) -> dict[str, str]:
    """Ask for every field not already given validly, re-asking with the reason; then read
    the form back for the officer to confirm, or to change a field, before it is saved."""
    from ticketing.normalize import InvalidValue

    values: dict[str, str] = {}
    written: dict[str, str] = {}
    for field in here.desk.fields:
        preset = given.get(field.key)
        if preset is not None:
            try:
                values[field.key] = field.normalize(preset)
                written[field.key] = preset
                continue
            except InvalidValue as exc:
                typer.echo(f"  {_reason(exc, language)}")
        written[field.key], values[field.key] = _ask(here, field, language)
    return _read_back(here, values, written, language)


def _read_back(
    here: Site, values: dict[str, str], written: dict[str, str], language: str
) -> dict[str, str]:
    """The form as it will be recorded, numbered, each value as the form shows it, and
    what the officer typed beside it where the program read it as something else
    ("printer" as Komputer); Y saves, a number asks for that field again, N cancels."""
    texts = TEXTS[language]
    fields = here.desk.fields
    while True:
        typer.echo(texts["read_back"])
        for i, field in enumerate(fields, 1):
            shown = _shown(field, values[field.key], language)
            line = f"  {i:>2}. {_label(field, language)}: {shown}"
            raw = " ".join(written.get(field.key, "").split())
            if raw and not _same(raw, values[field.key], shown):
                line += f"  ({texts['written'].format(raw=_quoted(raw))})"
            typer.echo(line)
        answer = typer.prompt(texts["confirm"], default="", show_default=False).strip().lower()
        if answer in texts["yes"]:
            return values
        if answer in texts["no"]:
            fail(texts["cancelled"], language=language)
        if answer.isdigit() and 1 <= int(answer) <= len(fields):
            field = fields[int(answer) - 1]
            written[field.key], values[field.key] = _ask(here, field, language)


def _same(raw: str, value: str, shown: str) -> bool:
    """Whether what was typed is what is recorded, but for case, spacing and punctuation
    (a phone number reformatted, a name's capitals): no mapping to point out."""

    def plain(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())

    typed = plain(raw)
    return typed in (plain(value), plain(shown)) or (
        len(typed) == 1 and plain(shown).startswith(typed)  # L for Laki-laki
    )


def _quoted(text: str) -> str:
    return f'"{text}"'


def _label(field: FormulirField, language: str) -> str:
    return field.label if language == "id" else field.label_en


def _shown(field: FormulirField, value: str, language: str) -> str:
    """A value as the officer reads it: the form's display, in English where configured."""
    from ticketing.normalize import CATEGORY_LABELS_EN

    if language == "en" and field.key == "sex":
        return {"L": "Male", "P": "Female"}.get(value, value)
    if language == "en" and field.key == "category":
        return CATEGORY_LABELS_EN.get(value, value)
    try:
        return field.shown(value)
    except ValueError:
        return value


def _confirm_agency(here: Site, name: str, language: str) -> str:
    """A Nama OPD the register does not know: say so, and offer the close names."""
    found = here.config.stored_agency(name)
    if found.registered:
        return name
    texts = TEXTS[language]
    typer.echo("  " + texts["unregistered"].format(name=f'"{name}"'))
    if not found.suggestions:
        return name
    listed = "  ".join(f"{i}. {n}" for i, n in enumerate(found.suggestions, 1))
    answer = typer.prompt(f"  {texts['pick']} ({listed})", default="", show_default=False)
    if answer.strip().isdigit() and 1 <= int(answer) <= len(found.suggestions):
        return found.suggestions[int(answer) - 1]
    return name


def _choices(field: FormulirField, language: str) -> list[str]:
    """The numbered choices of a field: ``1. Laki-laki``, ``2. Perempuan``."""
    return [f"{i}. {_shown(field, value, language)}" for i, (value, _) in
            enumerate(field.choices, 1)]  # fmt: skip


def _ask(here: Site, field: FormulirField, language: str) -> tuple[str, str]:
    """Ask for one field until it is valid: what was typed, and the value to record."""
    from ticketing.normalize import InvalidValue

    texts = TEXTS[language]
    label = _label(field, language)
    choices = _choices(field, language)
    if choices:
        label = f"{label} ({'  '.join(choices)})"
    while True:
        answer = typer.prompt(label, default="", show_default=False)
        typed = answer.strip()
        if choices and typed.isdigit():
            index = int(typed)
            if 1 <= index <= len(field.choices):
                answer = field.choices[index - 1][0]
        if not answer.strip():
            typer.echo("  " + texts["required"])
            continue
        try:
            value = field.normalize(answer)
        except InvalidValue as exc:
            if choices and len(choices) <= 3:  # say it as the prompt offers it
                offered = f" {texts['or']} ".join(choices)
                typer.echo("  " + texts["not_a_choice"].format(value=_quoted(typed),
                                                               choices=offered))  # fmt: skip
            else:
                typer.echo(f"  {_reason(exc, language)}")
            continue
        if field.key == "agency":
            value = _confirm_agency(here, value, language)
        return (answer if not (choices and typed.isdigit()) else value), value


def _reason(exc: InvalidValue, language: str) -> str:
    """Why a value was refused, as a sentence of its own (the reasons are written to follow
    a label, so they begin in lower case)."""
    reason = exc.message_id if language == "id" else exc.message_en
    return reason[:1].upper() + reason[1:]
