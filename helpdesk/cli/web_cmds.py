"""`helpdesk web` (the web application) and `helpdesk staff password ID` (a staff
member's password for the staff desk)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from helpdesk.cli.common import fail, site

# The signing key's least length: a short one is guessable.
MIN_SECRET = 32

staff_app = typer.Typer(help="Staff accounts of the staff desk (/petugas).", no_args_is_help=True)


def register_commands(app: typer.Typer) -> None:
    app.command("web")(web)
    app.add_typer(staff_app, name="staff")


def parse_listen(text: str) -> tuple[str, int]:
    """``[web] listen`` as host and port: ``127.0.0.1:8080``, ``[::1]:8080``."""
    host, _, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        fail(f"web.listen: expected HOST:PORT such as 127.0.0.1:8080, got {text!r}")
    return host, int(port)


def web_secret(name: str) -> str:
    """The signing key from the environment variable ``[web] secret_env`` names."""
    value = os.environ.get(name, "")
    if not value:
        fail(
            f"the web application needs a signing key in the environment variable {name}"
            f" ([web] secret_env), at least {MIN_SECRET} characters, e.g. from:"
            " python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if len(value) < MIN_SECRET:
        fail(f"the signing key in {name} is too short: at least {MIN_SECRET} characters")
    return value


def web(ctx: typer.Context) -> None:
    """Serve the web application at [web] listen: the public Formulir (/lapor), the
    reporter's status page (/tiket/...), /lacak and the staff desk (/petugas)."""
    import uvicorn

    from helpdesk.web.app import create_app

    here = site(ctx)
    config = here.config.web
    host, port = parse_listen(config.listen)
    secret = web_secret(config.secret_env)
    here.store  # noqa: B018 - one clear line now if the site is not initialised
    app = create_app(here, secret)
    typer.echo(f"helpdesk web: serving {config.public_url} on {host}:{port}")
    try:
        uvicorn.run(
            app, host=host, port=port, log_level="warning", access_log=False,
            server_header=False, proxy_headers=True,
        )  # fmt: skip
    except SystemExit as exc:  # uvicorn exits 1 when it cannot listen
        if exc.code:
            fail(f"cannot serve on {host}:{port} (web.listen): the address is in use or not ours")
        raise


@staff_app.command("password")
def password(
    ctx: typer.Context,
    staff_id: Annotated[str, typer.Argument(help="The staff id, as in the configuration.")],
    from_stdin: Annotated[
        bool,
        typer.Option("--stdin", help="Read the password from the first line of standard input."),
    ] = False,
) -> None:
    """Set a staff member's password for the staff desk (stored as an argon2 hash)."""
    from helpdesk.passwords import set_password, weakness

    here = site(ctx)
    staff = here.desk.directory.get(staff_id)
    if staff is None:
        known = ", ".join(sorted(here.desk.directory.staff))
        fail(f"unknown staff id {staff_id!r} (staff: {known})")
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := weakness(secret, staff_id):
        fail(problem)
    now = here.now()
    with here.store.transaction() as tx:
        set_password(tx, staff.id, secret, now)
    typer.echo(f"password set for {staff.id} ({staff.name})")
