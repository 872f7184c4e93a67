"""`helpdesk outbox ...`: what is waiting, sent or dead; retry; send now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk.cli.common import fail, out, print_json, site
from ticketing.vocabulary import OutboxStatus

if TYPE_CHECKING:
    from ticketing.models import OutboxEmail

STATUS_NAMES = tuple(OutboxStatus)

app = typer.Typer(help="The outbox of e-mails: list, show, retry, send.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def email_dict(email: OutboxEmail, ticket_number: str | None) -> dict[str, Any]:
    return {
        "id": email.id,
        "ticket": ticket_number,
        "kind": email.kind,
        "status": email.status,
        "recipients": list(email.recipients),
        "subject": email.subject,
        "message_id": email.message_id,
        "auto_submitted": email.auto_submitted,
        "attempts": email.attempts,
        "next_attempt_at": email.next_attempt_at.isoformat(),
        "last_error": email.last_error,
        "created_at": email.created_at.isoformat(),
        "sent_at": email.sent_at.isoformat() if email.sent_at else None,
    }


@app.command("list")
def list_emails(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help=f"Only these: {', '.join(STATUS_NAMES)}."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the outbox, oldest first."""
    from rich.markup import escape
    from rich.table import Table

    from helpdesk.display import short_time

    statuses = [s.strip().lower() for s in status or []]
    for s in statuses:
        if s not in STATUS_NAMES:
            fail(f"--status: unknown status {s!r} (one of {', '.join(STATUS_NAMES)})")
    here = site(ctx)
    with here.reader.transaction() as tx:
        emails = tx.outbox(statuses, limit=limit)
        numbers: dict[int | None, str | None] = {
            e.ticket_id: (t.number if (t := tx.ticket_by_id(e.ticket_id)) else None)
            for e in emails
            if e.ticket_id
        }
    rows = [email_dict(e, numbers.get(e.ticket_id)) for e in emails]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("the outbox is empty" if not statuses else "no e-mails")
        return
    table = Table(title=f"{len(rows)} e-mail(s)", title_justify="left")
    for column in ("Id", "Status", "Ticket", "Kind", "To", "Tries", "When", "Last error"):
        table.add_column(column, no_wrap=column in ("Id", "Status", "Ticket"))
    for email, row in zip(emails, rows, strict=True):
        when = email.sent_at if email.sent_at else email.next_attempt_at
        table.add_row(
            str(row["id"]),
            row["status"],
            row["ticket"] or "-",
            row["kind"],
            ", ".join(row["recipients"]),
            str(row["attempts"]),
            short_time(when, here.config),
            escape(row["last_error"] or ""),  # may quote a remote server: no markup
        )
    out.print(table)


@app.command()
def show(
    ctx: typer.Context,
    email_id: Annotated[int, typer.Argument(help="The outbox id.")],
    raw: Annotated[bool, typer.Option("--raw", help="Print the whole MIME message.")] = False,
) -> None:
    """Show one e-mail: its headers and plain text, or the raw message."""
    from email import message_from_bytes
    from email.policy import default as default_policy

    from notifier.outbox import email_bytes

    here = site(ctx)
    with here.reader.transaction() as tx:
        email = tx.outbox_email(email_id)
    if email is None:
        fail(f"no e-mail {email_id} in the outbox")
    data = email_bytes(email, here.office)  # as sent, or as it will be sent
    if raw:
        typer.echo(data.decode("utf-8", "replace"))
        return
    message = message_from_bytes(data, policy=default_policy)
    for header in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To",
                   "Auto-Submitted"):  # fmt: skip
        if message[header]:
            typer.echo(f"{header}: {message[header]}")
    typer.echo(f"Status: {email.status} (attempts {email.attempts})")
    if email.last_error:
        typer.echo(f"Last error: {email.last_error}")
    body = message.get_body(preferencelist=("plain",))
    typer.echo("")
    typer.echo(body.get_content() if body is not None else "")


@app.command()
def retry(
    ctx: typer.Context,
    email_id: Annotated[int, typer.Argument(help="The outbox id of a dead or held e-mail.")],
) -> None:
    """Queue a dead (or suppressed) e-mail again, to be sent at the next run."""
    here = site(ctx)
    now = here.now()
    with here.store.transaction() as tx:
        email = tx.outbox_email(email_id)
        if email is None:
            fail(f"no e-mail {email_id} in the outbox")
        if email.status not in (OutboxStatus.DEAD, OutboxStatus.SUPPRESSED):
            fail(
                f"e-mail {email_id} is {email.status}; only dead or suppressed e-mails are retried"
            )
        tx.requeue(email_id, now)
    typer.echo(f"e-mail {email_id} queued again")


@app.command()
def send(ctx: typer.Context) -> None:
    """Send every e-mail that is due now, then report what happened."""
    from notifier.delivery import deliver_due

    here = site(ctx)
    config = here.config
    total_sent = total_retry = total_dead = 0
    while True:
        report = deliver_due(
            here.store,
            here.office,
            here.smtp_settings(),
            now=here.now,
            retry=here.retry_policy,
            batch_size=config.notifier.batch_size,
            lease_seconds=config.notifier.lease_seconds,
        )
        total_sent += len(report.sent)
        total_retry += len(report.retrying)
        total_dead += len(report.dead)
        if report.config_error:
            typer.echo(f"sent {total_sent}, to retry {total_retry}, dead {total_dead}")
            fail(f"smtp: {report.config_error}; the outbox waits until the settings are fixed")
        if report.claimed < config.notifier.batch_size:
            break
    typer.echo(f"sent {total_sent}, to retry {total_retry}, dead {total_dead}")
    if total_dead:
        raise typer.Exit(1)
