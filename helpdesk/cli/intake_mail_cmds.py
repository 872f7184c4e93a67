"""`helpdesk intake ...`: the mailbox by hand — poll once, inject a file, quarantine."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk import collector
from helpdesk.cli.common import actor, fail, out, print_json, site
from ticketing.vocabulary import KEPT_OUTCOMES, Outcome

if TYPE_CHECKING:
    from helpdesk.wiring import Site
    from ticketing.models import Inbound

app = typer.Typer(
    help="E-mail intake: poll the mailbox, inject a message file, list and replay quarantine.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
MAX_FILE_BYTES = 50 * 1024 * 1024


def inbound_dict(item: Inbound, ticket: str | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "outcome": item.outcome,
        "detail": item.detail,
        "from": item.from_address,
        "subject": item.subject,
        "message_id": item.message_id,
        "source": item.source,
        "ticket": ticket,
        "submission": item.submission_id,
        "received_at": item.received_at.isoformat(),
        "created_at": item.created_at.isoformat(),
    }


MAILBOX_OFF = (
    "the mailbox is off ([mailbox] is absent or has enabled = false in {config}): no mail to read"
)


def _mailbox_on(ctx: typer.Context) -> Site:
    """The site, when it has a mailbox to read; else one line and exit 1: asking to read a
    mailbox the site does not have is a mistake a script (cron, a unit file) should see."""
    here = site(ctx)
    if not here.config.mailbox.enabled:
        fail(MAILBOX_OFF.format(config=here.config.source or "the configuration"))
    return here


@app.command()
def poll(ctx: typer.Context) -> None:
    """Read the mailbox once: process what arrived, move each message to its folder.
    Refused (exit 1) while a daemon reads it: the poll holds the mailbox's lease for its
    run, as the daemon does."""
    # The collector is held off while the site and the intake load (module and
    # configuration objects, which live as long as the process), then told to leave them
    # out of its walks (`gc.freeze`) until the poll ends; `poll_mailbox` holds it off
    # batch by batch.
    try:
        _poll(ctx)
    finally:
        gc.unfreeze()  # a process that goes on (a test's) collects them again


def _poll(ctx: typer.Context) -> None:
    with collector.loading():
        from helpdesk.jobs.unread import last_read, unread
        from helpdesk.leases import ByHand, HeldElsewhere
        from intake.imap import Mailbox, MailboxError

        here = _mailbox_on(ctx)
        settings = here.mailbox_settings()
        lease = ByHand(here, "mailbox")
        try:
            read = last_read(here, lease)  # the lease taken with the state, in one transaction
        except HeldElsewhere as exc:
            fail(str(exc))
    try:
        with lease.held(), Mailbox(settings) as mailbox:
            new = unread(here, mailbox, read)
            if not new.uids:  # the rest of the intake is not even loaded
                typer.echo("fetched 0: nothing new")
                return
            with collector.loading():
                from helpdesk.jobs.mailbox import poll_mailbox
            report = poll_mailbox(here, mailbox, now=here.now, new=new)
    except MailboxError as exc:
        fail(f"mailbox: {exc}")
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "nothing new"
    typer.echo(f"fetched {report.fetched}: {outcomes}")


@app.command()
def inject(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Message files (.eml) to process.")],
) -> None:
    """Run message files through the same path as the mailbox (support, tests)."""
    from helpdesk.jobs.mailbox import process_with_retries

    here = site(ctx)
    problems = []
    for path in files:
        if not path.is_file():
            problems.append(f"{path}: no such file")
        elif path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if problems:
        fail(*problems)
    failed = 0
    for path in files:
        processed = process_with_retries(
            here, path.read_bytes(), source="inject", now=here.now,
            attempts=here.config.intake.attempts,
        )  # fmt: skip
        where = processed.ticket or (
            f"submission {processed.submission}" if processed.submission else ""
        )
        note = " (already stored)" if processed.duplicate else ""
        typer.echo(f"{path}: {processed.outcome} {where}{note}".rstrip())
        failed += processed.outcome == Outcome.QUARANTINE
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_inbound(
    ctx: typer.Context,
    outcome: Annotated[
        list[str] | None, typer.Option("--outcome", help="Only these outcomes.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the messages that came in and what became of each."""
    _print_inbound(ctx, outcome or [], limit, as_json)


@app.command("quarantine")
def list_quarantine(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the messages that could not be processed, with the reason."""
    _print_inbound(ctx, [Outcome.QUARANTINE], None, as_json)


def _print_inbound(
    ctx: typer.Context, outcomes: list[str], limit: int | None, as_json: bool
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from helpdesk.display import short_time

    here = site(ctx)
    with here.reader.transaction() as tx:
        items = tx.inbound_list(outcomes, limit=limit)
        numbers: dict[int | None, str | None] = {
            i.ticket_id: (t.number if (t := tx.ticket_by_id(i.ticket_id)) else None)
            for i in items
            if i.ticket_id
        }
    rows = [inbound_dict(i, numbers.get(i.ticket_id)) for i in items]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no messages")
        return
    table = Table(title=f"{len(rows)} message(s)", title_justify="left")
    for column in ("Id", "Outcome", "Ticket", "From", "Subject", "When", "Detail"):
        table.add_column(column, no_wrap=column in ("Id", "Outcome", "Ticket"))
    for item, row in zip(items, rows, strict=True):
        # Subjects and senders are whatever the mail said (a forged delivery report's
        # too): shown as text, never as Rich markup (which can make terminal links).
        table.add_row(
            str(row["id"]), row["outcome"], row["ticket"] or "-", escape(row["from"] or "-"),
            escape(row["subject"]), short_time(item.created_at, here.config),
            escape(row["detail"]),
        )  # fmt: skip
    out.print(table)


@app.command()
def replay(
    ctx: typer.Context,
    inbound_id: Annotated[int, typer.Argument(help="The id of a quarantined message.")],
) -> None:
    """Process a quarantined message again (after a fix), or a held one after its release."""
    from helpdesk.jobs.mailbox import process_with_retries

    here = site(ctx)
    with here.store.transaction() as tx:
        item = tx.inbound(inbound_id)
        if item is None:
            fail(f"no message {inbound_id}")
        if item.outcome not in KEPT_OUTCOMES:
            fail(f"message {inbound_id} is not quarantined or held (it was: {item.outcome})")
        if item.outcome == Outcome.HELD and tx.sender_hold(item.from_address or ""):
            fail(f"{item.from_address} is still held; release it first (helpdesk intake release)")
        raw, source, arrived = item.raw, item.source, item.received_at
    # The outcome goes to the message's own row: a replay stores no second copy, whether
    # it works now or fails again. A complaint in it arrived when the message did.
    processed = process_with_retries(
        here, raw, source=source, now=here.now, attempts=1, kept=inbound_id, received_at=arrived
    )
    if processed.outcome == Outcome.QUARANTINE:
        fail(f"message {inbound_id} still fails: {processed.detail}")
    note = " (already stored)" if processed.duplicate else ""
    typer.echo(
        f"message {inbound_id}: {processed.outcome} {processed.ticket or ''}".rstrip() + note
    )


@app.command()
def holds(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Senders whose mail is held for flooding the mailbox."""
    here = site(ctx)
    with here.reader.transaction() as tx:
        rows = [
            {"address": h.address, "since": h.since.isoformat(), "count": h.count}
            for h in tx.holds()
        ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no sender is held")
        return
    for row in rows:
        out.print(
            f"{row['address']}  held since {row['since']}  ({row['count']} messages in an hour)"
        )


@app.command()
def release(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The sender's e-mail address.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who releases (default $HELPDESK_USER).")
    ] = None,
) -> None:
    """Let a held sender's mail through again; replay their held messages with `replay`."""
    here = site(ctx)
    who = actor(by)
    if here.desk.directory.get(who) is None:
        fail(f"unknown staff member {who!r}")
    with here.store.transaction() as tx:
        hold = tx.release_sender(address.strip(), who, here.now())
        held = [
            i.id
            for i in tx.inbound_list([Outcome.HELD])
            if i.from_address == address.strip().lower()
        ]
    if hold is None:
        fail(f"{address} is not held")
    typer.echo(f"{address} released; held messages: {', '.join(map(str, held)) or 'none'}")


@app.command()
def watch(
    ctx: typer.Context,
    idle: Annotated[
        bool, typer.Option("--idle/--no-idle", help="Wait in IMAP IDLE between polls.")
    ] = True,
    interval: Annotated[
        float, typer.Option("--interval", min=1, help="Seconds between polls (longest wait).")
    ] = 60.0,
) -> None:
    """Watch the mailbox until stopped (Ctrl-C or SIGTERM): reconnects by itself. Refused
    (exit 1) while a daemon reads it: the watch holds the mailbox's lease, as the daemon
    does."""
    from helpdesk.jobs.mailbox_watch import WatchSettings, watch_mailbox
    from helpdesk.leases import ByHand, HeldElsewhere

    here = _mailbox_on(ctx)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    here.store  # noqa: B018 - fail now, with one line, if the site is not initialised
    stop = threading.Event()
    lease = ByHand(here, "mailbox", on_lost=stop.set)
    try:
        with here.plain_transaction() as conn:
            lease.take(conn)
    except HeldElsewhere as exc:
        fail(str(exc))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with lease.held():
        watch_mailbox(here, stop, WatchSettings(idle=idle, interval_seconds=interval))
    if lease.lost:
        fail(f"stopped: the mailbox is read by {lease.lost} now, which took its lease")
