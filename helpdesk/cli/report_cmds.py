"""`helpdesk report`: how the service did in a month or a range of days."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from helpdesk.cli.common import fail, out, site
from helpdesk.cli.print_cmds import PDF_HINT

if TYPE_CHECKING:
    from helpdesk.wiring import Site
    from records.report import Report


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


def make_report(here: Site, month: str | None, first: str | None, last: str | None) -> Report:
    from helpdesk.reporting import build_report
    from records.periods import PeriodError, choose

    try:
        period = choose(month, first, last, here.config.calendar.timezone)
    except PeriodError as exc:
        fail(str(exc))
    return build_report(here, period)


def report(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option("--month", help="The month, as YYYY-MM.", metavar="YYYY-MM")
    ] = None,
    first: Annotated[
        str | None,
        typer.Option("--from", help="Instead of --month: the first day.", metavar="YYYY-MM-DD"),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="With --from: the last day (included).", metavar="YYYY-MM-DD"),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="table (the terminal), csv (a file per table), json, or html (with charts).",
            case_sensitive=False,
        ),
    ] = Format.TABLE,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Where to write: a folder for csv (default report-PERIOD/), a file for html "
            "(default report-PERIOD.html) or json (default: standard output).",
            metavar="PATH",
        ),
    ] = None,
    ikm_form: Annotated[
        bool,
        typer.Option(
            "--ikm-form",
            help="Instead: the satisfaction survey's recapitulation table (PermenPANRB "
            "14/2017) as an A4 page (default ikm-PERIOD.html).",
        ),
    ] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="With --ikm-form: write PDF (needs WeasyPrint).")
    ] = False,
) -> None:
    """The service report: complaints by type, agency, channel and state; incomplete
    reports; each SOP step against its service standard; what is open and overdue at the
    end of the period; the satisfaction survey's IKM."""
    from records.output import as_html, as_json, write_csv_tables

    if pdf and not ikm_form:
        fail("--pdf is for --ikm-form (the report itself is html, csv, json or the table)")
    if ikm_form and fmt != Format.TABLE:
        fail("--ikm-form is a page of its own: leave out --format (--pdf for PDF)")
    html_to_pdf = _pdf_writer() if pdf else None
    here = site(ctx)
    result = make_report(here, month, first, last)
    name = f"report-{result.period.label.replace('..', '_')}"
    if ikm_form:
        write_ikm_form(here, result, out_path, html_to_pdf)
    elif fmt == Format.TABLE:
        if out_path is not None:
            fail("--out is for csv, json and html; the table goes to the terminal")
        show(result)
    elif fmt == Format.CSV:
        folder = out_path or Path(name)
        if folder.exists() and not folder.is_dir():
            fail(f"--out {folder}: not a folder (csv writes one file per table into a folder)")
        try:
            written = write_csv_tables(result, folder)
        except OSError as exc:
            fail(f"--out {folder}: {exc.strerror or exc}")
        for path in written:
            typer.echo(str(path))
    elif fmt == Format.JSON:
        text = as_json(result)
        if out_path is None:
            typer.echo(text, nl=False)
        else:
            write(out_path, text)
            typer.echo(str(out_path))
    else:
        target = out_path or Path(f"{name}.html")
        if target.is_dir():
            target = target / f"{name}.html"
        write(target, as_html(result))
        typer.echo(str(target))


def _pdf_writer() -> Any:
    """WeasyPrint's HTML, or the one line that says how to install it."""
    try:
        from weasyprint import HTML
    except ImportError:
        fail(PDF_HINT)
    return HTML


def write_ikm_form(here: Site, result: Report, out_path: Path | None, html_to_pdf: Any) -> None:
    """The recapitulation table of the period's survey, as HTML or (``html_to_pdf``) PDF."""
    from notifier.formatting import long_date
    from records.files import replacing
    from records.ikm_form import as_html, context
    from ticketing.directory import Role

    assert result.ikm is not None
    config = here.config
    heads = here.desk.directory.with_role(Role.HEAD_OF_OFFICE)
    page = as_html(
        context(
            result, result.ikm, government=config.office.government,
            address=config.office.address, city=config.office.city,
            head=heads[0] if heads else None,
            printed=long_date(here.now().astimezone(ZoneInfo(result.timezone)).date(),
                              language=result.language),
        )
    )  # fmt: skip
    suffix = "pdf" if html_to_pdf is not None else "html"
    default = f"ikm-{result.period.label.replace('..', '_')}.{suffix}"
    target = out_path or Path(default)
    if target.is_dir():
        target = target / default
    if html_to_pdf is None:
        write(target, page)
    else:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with replacing(target) as handle:
                html_to_pdf(string=page).write_pdf(handle)
        except OSError as exc:
            fail(f"--out {target}: {exc.strerror or exc}")
    typer.echo(str(target))


def write(path: Path, text: str) -> None:
    """Write the whole file or, on a failure (a full disk), leave ``path`` as it was."""
    from records.files import write_text

    if path.is_dir():
        fail(f"--out {path}: is a folder; name a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    except OSError as exc:
        fail(f"--out {path}: {exc.strerror or exc}")


def show(result: Report) -> None:
    from rich.table import Table
    from rich.text import Text

    from records.output import heading, readable_tables

    span, as_of = heading(result)
    out.print(f"[bold]{result.office}[/bold]")
    out.print(f"{span} · {as_of}", markup=False)
    for shown in readable_tables(result):
        table = Table(title=shown.title, title_justify="left", title_style="bold")
        for column in shown.columns:
            right = column.kind in ("count", "minutes", "percent", "decimal")
            table.add_column(column.title, justify="right" if right else "left")
        for row in shown.rows:
            table.add_row(*(Text(cell) for cell in row))
        if not shown.rows:
            table.add_row(*["-"] * len(shown.columns))
        out.print(table)


def register_commands(app: typer.Typer) -> None:
    app.command("report")(report)
