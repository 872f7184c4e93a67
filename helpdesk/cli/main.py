"""The ``helpdesk`` command.

Starting fast: the command modules import only what their signatures and help texts need
(typer, the standard library, light domain tables); the database, the configuration's
validation, templates, mail and network libraries are imported inside the commands that
use them, so that ``helpdesk --help`` (and a mistyped option) does not load them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from helpdesk.cli import (
    archive_cmds,
    db_cmds,
    import_cmds,
    intake_cmds,
    intake_mail_cmds,
    outbox_cmds,
    print_cmds,
    report_cmds,
    run_cmds,
    ticket_cmds,
    web_cmds,
)
from helpdesk.cli.common import UserError, err, site

# The errors a user can cause, by module: a module that was never imported cannot have
# raised its error, so none is imported just to be checked.
USER_ERRORS = (
    ("helpdesk.cli.common", "UserError"),
    ("helpdesk.config", "ConfigError"),
    ("ticketing.store", "StoreError"),
    ("helpdesk.clock", "ClockError"),
)


def is_user_error(exc: BaseException) -> bool:
    for module, name in USER_ERRORS:
        error = getattr(sys.modules.get(module), name, None)
        if error is not None and isinstance(exc, error):
            return True
    return False


class _Group(TyperGroup):
    """Turns the errors a user can cause into one line each and exit 1, never a traceback."""

    # Typer passes its own Context, a subclass of the (vendored) click Context that the base
    # class names: narrower than the base, hence the ignore.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if isinstance(exc, UnicodeEncodeError) and "surrogates" in exc.reason:
                # Bytes on the command line that are not UTF-8 (a legacy terminal, a file
                # name) arrive as lone surrogates, which no database or terminal takes.
                exc = UserError(f"not UTF-8 text: {exc.object[:80]!r}")
            elif not is_user_error(exc):
                raise
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
    """Create the database (with migrations) and the data folders of the config in use.

    Where no configuration is named (--config, $HELPDESK_CONFIG) and the folder has no
    config.toml, write the default one there first."""
    done = _default_config_here(ctx)
    here = site(ctx)
    done += here.init()
    for line in done:
        typer.echo(line)
    source = here.config.source
    typer.echo(
        f"site ready: {source.resolve() if source else 'defaults'}"
        + ("" if done else " (nothing to do)")
    )


def _default_config_here(ctx: typer.Context) -> list[str]:
    """Write the default ./config.toml where none is named or there; what was done."""
    from helpdesk.config import DEFAULT_NAME, ENV_VAR
    from helpdesk.resources import write_default_config

    if ctx.find_root().params.get("config") or os.environ.get(ENV_VAR):
        return []
    target = Path.cwd() / DEFAULT_NAME
    if target.exists():
        return []
    try:
        if not write_default_config(target):
            return []
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    return [f"created {target} (the default configuration: edit it for this office)"]


@app.command()
def demo(
    keep: Annotated[
        Path | None,
        typer.Option("--dir", help="Build the demo site here instead of a temporary folder."),
    ] = None,
) -> None:
    """Run the demo: a throw-away site on the default configuration, through the real CLI."""
    from helpdesk.demo import run_demo

    raise typer.Exit(run_demo(keep))


intake_cmds.register_commands(app)
import_cmds.register_commands(app)
run_cmds.register_commands(app)
print_cmds.register_commands(app)
report_cmds.register_commands(app)
web_cmds.register_commands(app)
app.add_typer(ticket_cmds.app, name="ticket")
app.add_typer(outbox_cmds.app, name="outbox")
app.add_typer(intake_mail_cmds.app, name="intake")
app.add_typer(archive_cmds.app, name="archive")
app.add_typer(db_cmds.app, name="db")


def run() -> None:
    app()


def report(exc: Exception) -> None:
    lines = exc.lines if isinstance(exc, UserError) else str(exc).splitlines()
    prefix = exc.prefix if isinstance(exc, UserError) else "error"
    for line in lines or ["unknown error"]:
        err.print(f"{prefix}: {line}", markup=False)
