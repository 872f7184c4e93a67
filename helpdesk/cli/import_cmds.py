"""`helpdesk import FILE`: a phone-log CSV file read by hand, by the drop folder's rules."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from helpdesk.cli.common import USER_ENV, err, fail, print_json, site

if TYPE_CHECKING:
    from rich.progress import TaskID

    from helpdesk.jobs.phone_drop import Progress as OnProgress

PROGRESS_MIN_ROWS = 200
"""Files with fewer rows import without a progress bar."""


def register_commands(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="The phone-log CSV file (the columns of the Formulir, Waktu and Petugas).",
        ),
    ],  # fmt: skip
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="The help-desk officer running the import (default $HELPDESK_USER): takes "
            "the calls whose Petugas the directory does not know.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Import a phone-log CSV file: each complete row becomes a ticket, taken by the row's
    officer, with the reporter's acknowledgement queued; each other row is listed with what
    is missing. The same file imported again makes no new ticket. The file is not moved.
    Exits 1 when a row was incomplete or the file could not be read."""
    from helpdesk.display import CLI_LANGUAGE
    from helpdesk.jobs.phone_drop import import_file
    from ticketing.directory import Role

    here = site(ctx)
    by = by or os.environ.get(USER_ENV) or None
    if by is not None:
        staff = here.desk.directory.get(by)
        if staff is None or staff.role != Role.HELP_DESK:
            fail(f"--by: {by!r} is not a help-desk officer of the directory")
    try:
        with _progress_bar() as progress:
            report = import_file(here, path, now=here.now(), progress=progress, by=by)
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")

    if as_json:
        print_json(report.as_dict(CLI_LANGUAGE))
        if report.status == "rejected" or report.incomplete:
            raise typer.Exit(1)
        return
    # The CLI's lines (and JSON) are English (helpdesk.display); the error file written
    # next to a dropped log, which officers read, is in the office's language.
    if report.status == "rejected":
        assert report.reason is not None
        fail(f"{path.name}: {report.reason.text(CLI_LANGUAGE)}")
    for line in report.lines(CLI_LANGUAGE):
        typer.echo(line)
    typer.echo(report.summary())
    if report.incomplete:
        raise typer.Exit(1)


@contextmanager
def _progress_bar() -> Iterator[OnProgress | None]:
    """A progress bar on stderr for a large file, when stderr is a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    if not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err.get(),
        transient=True,
    ) as bar:
        task: list[TaskID] = []

        def update(done: int, total: int) -> None:
            if total < PROGRESS_MIN_ROWS:
                return
            if not task:
                task.append(bar.add_task("import", total=total))
            bar.update(task[0], completed=done)

        yield update
