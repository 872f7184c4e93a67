"""The ``helpdesk`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from helpdesk.cli import (
    archive_cmds,
    import_cmds,
    intake_cmds,
    intake_mail_cmds,
    outbox_cmds,
    print_cmds,
    report_cmds,
    run_cmds,
    ticket_cmds,
)
from helpdesk.cli.common import UserError, err, site
from helpdesk.clock import ClockError
from helpdesk.config import ConfigError
from helpdesk.demo import run_demo
from ticketing.store import StoreError

USER_ERRORS = (UserError, ConfigError, StoreError, ClockError)


class _Group(TyperGroup):
    """Turns the errors a user can cause into one line each and exit 1, never a traceback."""

    def invoke(self, ctx: typer.Context):  # type: ignore[no-untyped-def, override]
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            report(exc)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    name="helpdesk",
    help="Help desk for ICT complaints (Pengaduan Layanan TIK), following the office's SOP.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            "-c",
            help="The config.toml to use (default: $HELPDESK_CONFIG, then ./config.toml).",
            metavar="PATH",
        ),
    ] = None,
) -> None:
    ctx.obj = {}


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (with migrations) and the data folders of the config in use."""
    here = site(ctx)
    done = here.init()
    for line in done:
        typer.echo(line)
    source = here.config.source
    typer.echo(
        f"site ready: {source.resolve() if source else 'defaults'}"
        + ("" if done else " (nothing to do)")
    )


@app.command()
def demo(
    keep: Annotated[
        Path | None,
        typer.Option("--dir", help="Build the demo site here instead of a temporary folder."),
    ] = None,
) -> None:
    """Run the demo: a throw-away site on the default configuration, through the real CLI."""
    raise typer.Exit(run_demo(keep))


intake_cmds.register_commands(app)
import_cmds.register_commands(app)
run_cmds.register_commands(app)
print_cmds.register_commands(app)
report_cmds.register_commands(app)
app.add_typer(ticket_cmds.app, name="ticket")
app.add_typer(outbox_cmds.app, name="outbox")
app.add_typer(intake_mail_cmds.app, name="intake")
app.add_typer(archive_cmds.app, name="archive")


def run() -> None:
    app()


def report(exc: Exception) -> None:
    lines = exc.lines if isinstance(exc, UserError) else str(exc).splitlines()
    for line in lines or ["unknown error"]:
        err.print(f"error: {line}", markup=False)
