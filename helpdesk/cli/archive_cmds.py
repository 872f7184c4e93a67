"""`helpdesk archive export|verify`: the electronic archive of a period, as one zip bundle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from helpdesk.cli.common import err, fail, site

app = typer.Typer(
    help="The electronic archive: every complaint of a period in one verifiable zip bundle.",
    no_args_is_help=True,
)


@app.command("export")
def export(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option("--month", help="The month, YYYY-MM (office time).")
    ] = None,
    first: Annotated[
        str | None, typer.Option("--from", help="Instead of --month: the first day, YYYY-MM-DD.")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="With --from: the last day, YYYY-MM-DD.")
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="The zip to write, or a folder for it"
            " (default: arsip-pengaduan-<period>.zip here).",
            metavar="PATH",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write one zip bundle of a period's complaints and incomplete reports.

    It holds the register (CSV), every message (.eml) and phone-log file, every attachment,
    the printable documents and a SHA-256 manifest. The same data gives the same bytes.
    Exits 1, after writing the rest, when an attachment is missing or changed on disk; each
    such problem is listed in PROBLEMS.txt and on stderr.
    """
    from records import bundle as archive_bundle
    from records.bundle import ArchiveError
    from records.periods import PeriodError, choose

    here = site(ctx)
    try:
        period = choose(month, first, last, here.config.calendar.timezone)
    except PeriodError as exc:
        fail(str(exc))
    name = archive_bundle.default_name(period)
    if out is None:
        target = Path(name)
    elif out.endswith(("/", os.sep)) or Path(out).is_dir():
        target = Path(out) / name
    else:
        target = Path(out)
    try:
        written = archive_bundle.export(
            here.office, here.config.path(here.config.paths.archive_dir), here.reader, period,
            target, here.desk.calendar, force=force,
        )  # fmt: skip
    except ArchiveError as exc:
        fail(str(exc))
    typer.echo(str(written.path))
    typer.echo(f"{period.label}: {written.counts.summary()}")
    for problem in written.problems:
        err.print(f"problem: {problem.en}", markup=False)
    if written.problems:
        raise typer.Exit(1)


@app.command("verify")
def verify(
    bundle: Annotated[Path, typer.Argument(metavar="BUNDLE", help="The zip to check.")],
) -> None:
    """Check a bundle against its manifest.

    Every file in MANIFEST.sha256 must be present with its hash, every other file listed in
    it, and every zip checksum right. Prints one line per problem and exits 1 on any.
    """
    from records import bundle as archive_bundle
    from records.bundle import ArchiveError

    try:
        result = archive_bundle.verify(bundle)
    except ArchiveError as exc:
        fail(str(exc))
    for line in result.problems:
        typer.echo(line)
    if result.problems:
        raise typer.Exit(1)
    typer.echo(f"OK: {result.files} files verified")
