"""`helpdesk print DOC NUMBER...`: print-ready Formulir, Lembar Disposisi and Laporan Akhir."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from helpdesk.cli.common import fail, site

if TYPE_CHECKING:
    from helpdesk.wiring import Site

# records.documents.DOCUMENTS, without importing the templates' code to show the help (a
# test holds the two equal).
DOCUMENT_NAMES = ("formulir", "disposisi", "laporan")

PDF_HINT = "--pdf needs WeasyPrint, which is not installed: pip install weasyprint"


def closed_in(here: Site, month: str) -> list[str]:
    """The numbers of the tickets closed in ``YYYY-MM``, in the office's time zone."""
    from records.periods import PeriodError, month_period
    from ticketing.store import TicketFilter
    from ticketing.workflow import State

    try:
        period = month_period(month, here.config.calendar.timezone)
    except PeriodError as exc:
        fail(str(exc).replace("--month", "--closed-in", 1))
    with here.reader.transaction() as tx:
        tickets = tx.tickets(TicketFilter(states=[State.CLOSED.value]))
    return [t.number for t in tickets if period.contains(t.closed_at)]


def print_documents(
    ctx: typer.Context,
    doc: Annotated[str, typer.Argument(help=f"The document: {', '.join(DOCUMENT_NAMES)}.")],
    numbers: Annotated[
        list[str] | None, typer.Argument(help="Complaint numbers, e.g. TIK-2026-00012.")
    ] = None,
    month: Annotated[
        str | None,
        typer.Option("--closed-in", help="Instead of numbers: every ticket closed in YYYY-MM."),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="The folder to write to (default: here).")
    ] = Path("."),
    pdf: Annotated[bool, typer.Option("--pdf", help="Write PDF (needs WeasyPrint).")] = False,
) -> None:
    """Write print-ready documents (A4 HTML, or PDF) named <NUMBER>-<doc>.html."""
    from records.documents import DOCUMENTS, NotApplicable, context, environment, render
    from ticketing.models import Ticket

    doc = doc.strip().lower()
    if doc not in DOCUMENTS:
        fail(f"unknown document {doc!r} (one of {', '.join(DOCUMENTS)})")
    if numbers and month:
        fail("give complaint numbers or --closed-in, not both")
    html_to_pdf = None
    if pdf:
        try:
            from weasyprint import HTML
        except ImportError:
            fail(PDF_HINT)
        html_to_pdf = HTML
    here = site(ctx)
    now = here.now()
    batch = month is not None
    wanted = closed_in(here, month) if month is not None else list(numbers or [])
    if not wanted and not batch:
        fail("name at least one complaint number, or use --closed-in YYYY-MM")

    env = environment()
    pages: list[tuple[Ticket, str]] = []
    skipped: list[str] = []
    with here.reader.transaction() as tx:
        for number in dict.fromkeys(wanted):
            ticket = tx.ticket(number)
            if ticket is None:
                fail(f"no ticket {number!r}")
            events = tx.events(ticket)
            attachments = tx.attachments(ticket)
            try:
                data = context(
                    here.office, doc, ticket, events, attachments, now, here.desk.calendar
                )
            except NotApplicable as exc:
                if not batch:
                    fail(str(exc))
                skipped.append(number)
                continue
            pages.append((ticket, render(doc, data, env)))

    from records.files import replacing, write_text

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out {out_dir}: {exc.strerror or exc}")
    for ticket, html in pages:
        target = out_dir / f"{ticket.number}-{doc}.{'pdf' if html_to_pdf else 'html'}"
        try:  # each document whole or not at all, also on a full disk
            if html_to_pdf is not None:
                with replacing(target) as handle:
                    html_to_pdf(string=html).write_pdf(handle)
            else:
                write_text(target, html)
        except OSError as exc:
            fail(f"--out {target}: {exc.strerror or exc}")
        typer.echo(str(target))
    for number in skipped:
        typer.echo(f"skipped {number}: never disposed, no Lembar Disposisi")
    if batch and not pages:
        typer.echo(f"no tickets closed in {month}")


def register_commands(app: typer.Typer) -> None:
    app.command("print")(print_documents)
