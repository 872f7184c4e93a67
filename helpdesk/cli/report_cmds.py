"""`helpdesk report`: how the service did in a month or a range of days."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from helpdesk.cli.common import fail, out, site

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
) -> None:
    """The service report: complaints by type, agency, channel and state; incomplete
    reports; each SOP step against its service standard; what is open and overdue at the
    end of the period."""
    from records.output import as_html, as_json, write_csv_tables

    here = site(ctx)
    result = make_report(here, month, first, last)
    name = f"report-{result.period.label.replace('..', '_')}"
    if fmt == Format.TABLE:
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
            right = column.kind in ("count", "minutes", "percent")
            table.add_column(column.title, justify="right" if right else "left")
        for row in shown.rows:
            table.add_row(*(Text(cell) for cell in row))
        if not shown.rows:
            table.add_row(*["-"] * len(shown.columns))
        out.print(table)


def register_commands(app: typer.Typer) -> None:
    app.command("report")(report)
