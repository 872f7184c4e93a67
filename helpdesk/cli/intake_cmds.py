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
        "unregistered": "Nama OPD {name} is not in the register of agencies; recorded as "
        "written and marked for checking.",
        "suggest": "Perhaps: {names}.",
        "pick": "Choose a number to use the register's name, or Enter to record it as written",
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
    from ticketing.files import archive_file, check_readable, discard
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
        fail("--received: the complaint cannot be received in the future")

    values: Mapping[str, str | None]
    if interactive:
        typer.echo(texts["title"][channel])
        officer = officer_opt or _env_officer() or typer.prompt(texts["officer"]).strip()
        _check_officer(here, officer)
        values = _prompt_fields(here, given, language)
    else:
        officer = actor(officer_opt, what="--officer")
        _check_officer(here, officer)
        values = given

    archive_dir = here.config.path(here.config.paths.archive_dir)
    archived: list[Attachment] = []

    def keep_scan(tx: Tx, registered: Registered) -> None:
        if scan is not None:
            try:
                attachment = archive_file(scan, archive_dir, registered.ticket, now)
            except OSError as exc:  # a read-only or full archive folder: nothing is stored
                where = exc.filename or archive_dir
                fail(f"--scan: cannot archive {scan.name} in {where}: {exc.strerror or exc};"
                     " the complaint was not recorded")  # fmt: skip
            archived.append(attachment)
            tx.add_attachment(attachment)

    try:
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
    except BaseException:
        for attachment in archived:  # the transaction did not commit: no orphan files
            discard(attachment, archive_dir)
        raise
    if isinstance(outcome, Rejected):
        fail(outcome.message)
    if isinstance(outcome, Incomplete):
        fail(*_problem_lines(outcome, language))
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


def _check_officer(here: Site, officer: str) -> None:
    from ticketing.directory import Role

    staff = here.desk.directory.get(officer)
    if staff is None:
        known = ", ".join(s.id for s in here.desk.directory.with_role(Role.HELP_DESK))
        fail(f"unknown officer {officer!r} (help-desk officers: {known})")
    if staff.role != Role.HELP_DESK:
        fail(f"{officer} is {staff.role.value}, not a help-desk officer")


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
    """Ask for every field not already given validly, re-asking with the reason."""
    from ticketing.normalize import InvalidValue

    values: dict[str, str] = {}
    for field in here.desk.fields:
        preset = given.get(field.key)
        if preset is not None:
            try:
                values[field.key] = field.normalize(preset)
                continue
            except InvalidValue as exc:
                typer.echo(f"  {_reason(exc, language)}")
        values[field.key] = _ask(field, language)
        if field.key == "agency":
            values[field.key] = _confirm_agency(here, values[field.key], language)
    return values


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


def _ask(field: FormulirField, language: str) -> str:
    from ticketing.normalize import InvalidValue

    label = field.label if language == "id" else field.label_en
    if field.choices:
        choices = "  ".join(f"{i}. {shown}" for i, (_, shown) in enumerate(field.choices, 1))
        label = f"{label} ({choices})"
    while True:
        answer = typer.prompt(label, default="", show_default=False)
        if field.choices and answer.strip().isdigit():
            index = int(answer.strip())
            if 1 <= index <= len(field.choices):
                answer = field.choices[index - 1][0]
        if not answer.strip():
            typer.echo("  " + ("Wajib diisi." if language == "id" else "Required."))
            continue
        try:
            return field.normalize(answer)
        except InvalidValue as exc:
            typer.echo(f"  {_reason(exc, language)}")


def _reason(exc: InvalidValue, language: str) -> str:
    return exc.message_id if language == "id" else exc.message_en
