"""`helpdesk db copy`: the site's whole database into another, empty one."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from helpdesk.cli.common import fail, out, site

app = typer.Typer(help="The database: copy it into a new one.", no_args_is_help=True)


@app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option("--to", help="The empty database: postgresql://user@host/dbname."),
    ],
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            help="The variable holding the target's password (else libpq's PGPASSWORD, a"
            " service file or ~/.pgpass).",
        ),
    ] = None,
) -> None:
    """Copy every ticket, event, e-mail, inbound message (with its bytes), incomplete
    report, phone-log import and job state into an empty database, then check that the
    copy has the same rows (counts and checksums). Stop the daemon first; then point
    [database] url at the copy."""
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from helpdesk.config import DatabaseConfig
    from ticketing.db import make_engine
    from ticketing.store import Store, StoreError
    from ticketing.store.transfer import checksums, copy_database

    try:
        DatabaseConfig(url=to)
    except ValidationError as exc:
        fail(f"--to: {exc.errors()[0]['msg'].removeprefix('Value error, ')}")
    if password_env and password_env not in os.environ:
        fail(f"--password-env: the environment variable {password_env} is not set")
    here = site(ctx)
    source = here.reader
    target_engine = make_engine(to, password=os.environ[password_env] if password_env else None)
    shown = to.split("?")[0]
    try:
        target = Store(target_engine)
        counts = copy_database(source, target_engine)
        before, after = checksums(source), checksums(target)
    except StoreError as exc:
        fail(f"{shown}: {exc}")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        fail(f"cannot copy into {shown}: {reason[0] if reason else type(exc).__name__}")
    finally:
        target_engine.dispose()
    differ = [name for name in before if before[name] != after.get(name)]
    if differ:
        fail(f"the copy in {shown} differs from the original in: {', '.join(differ)}")
    out.print(f"copied into {shown}:", markup=False)
    for name, count in counts.items():
        out.print(f"  {name}: {count}", markup=False)
    out.print("counts and checksums match the original", markup=False)
