"""`helpdesk run` (the daemon) and `helpdesk status` (how the office is doing)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated, Any

import typer

from helpdesk.cli.common import fail, out, print_json, site


def register_commands(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("status")(status)


def run(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run every job once, in order, and exit (cron, tests).")
    ] = False,
) -> None:
    """Run the help desk: mailbox, phone-log drop folder, deadline sweeps, outbox. A
    database that cannot be reached at the start is waited for (not with --once)."""
    from helpdesk.daemon import (
        AlreadyRunning,
        configure_logging,
        lock_site,
        run_forever,
        run_once,
        wait_for_database,
    )
    from helpdesk.leases import STALL_SHARE

    configure_logging()
    here = site(ctx)
    here.stalled_after = here.config.daemon.lease_timeout * STALL_SHARE
    stop = threading.Event()
    if once:
        here.store  # noqa: B018 - one clear line now if the database cannot be used
    else:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        # A database away (its server not up yet) is waited for; one that refuses the
        # site, or a site not initialised, is one clear line now.
        if not wait_for_database(here, stop):
            return
    try:
        lock = lock_site(here)
    except AlreadyRunning as exc:
        fail(str(exc))
    try:
        if once:
            if not run_once(here):
                raise typer.Exit(1)
            return
        run_forever(here, stop)
    finally:
        if lock is not None:
            lock.close()


def status(
    ctx: typer.Context,
    check_mailbox: Annotated[
        bool, typer.Option("--check-mailbox/--no-check-mailbox", help="Try to log in.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """How the help desk is doing: jobs, mailbox, outbox, tickets per step, overdue.
    Exits 1 when something needs attention (a failing job, an unreachable mailbox, dead
    e-mails). A mailbox that is off ([mailbox] absent or enabled = false) is said so and
    needs no attention."""
    from helpdesk.leases import FREE_SHARE
    from intake.imap import Mailbox, MailboxError
    from ticketing.store import TicketFilter
    from ticketing.vocabulary import OutboxStatus
    from ticketing.workflow import State

    here = site(ctx)
    now = here.now()
    enabled = here.config.mailbox.enabled
    with here.reader.transaction() as tx:
        jobs = [
            {
                "name": j.name,
                "last_success": j.last_success.isoformat() if j.last_success else None,
                "failing_since": j.failing_since.isoformat() if j.failing_since else None,
                "last_error": j.last_error if j.failing_since else None,
                "runs": j.runs,
                "failures": j.failures,
            }
            for j in tx.job_states()
            # A mailbox turned off is not read on purpose: the record of its job from when
            # it was on is history, not a problem.
            if enabled or j.name != "mailbox"
        ]
        outbox = tx.outbox_counts()
        states = tx.count_by_state()
        overdue = [t.number for t in tx.tickets(TicketFilter(overdue_at=now))]
        quarantined = len(tx.inbound_list(["quarantine"]))
        held = [h.address for h in tx.holds()]
        clock = tx.database_clock()
        lease_timeout = here.config.daemon.lease_timeout * FREE_SHARE
        leases = [
            {
                "job": lease.name,
                "holder": lease.holder,
                "since": _epoch(lease.since),
                "renewed_seconds_ago": round(max(clock - lease.renewed, 0.0), 1),
                "current": clock - lease.renewed < lease_timeout,
            }
            for lease in tx.leases()
        ]
    mailbox: dict[str, Any] = {
        "enabled": enabled,
        "checked": check_mailbox and enabled,
        "reachable": None,
        "error": None,
    }
    if mailbox["checked"]:
        try:
            with Mailbox(here.mailbox_settings()):
                mailbox["reachable"] = True
        except MailboxError as exc:
            mailbox.update(reachable=False, error=str(exc))
    problems = [f"job {j['name']} failing since {j['failing_since']}" for j in jobs
                if j["failing_since"]]  # fmt: skip
    if mailbox["reachable"] is False:
        problems.append(f"mailbox unreachable: {mailbox['error']}")
    if dead := outbox.get(OutboxStatus.DEAD):
        problems.append(f"{dead} dead e-mail(s): helpdesk outbox list --status dead")
    if quarantined:
        problems.append(f"{quarantined} quarantined message(s): helpdesk intake quarantine")
    report = {
        "healthy": not problems,
        "problems": problems,
        "jobs": jobs,
        "mailbox": mailbox,
        "outbox": outbox,
        "tickets": {s.value: states.get(s.value, 0) for s in State},
        "overdue": overdue,
        "quarantined": quarantined,
        "held_senders": held,
        "leases": leases,
    }
    if as_json:
        print_json(report)
    else:
        _print(here, report, now)
    if problems:
        raise typer.Exit(1)


def _epoch(seconds: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


def _print(here: Any, report: dict[str, Any], now: Any) -> None:
    from rich.table import Table

    from helpdesk.display import CLI_LANGUAGE, long_time
    from ticketing.workflow import State

    out.print(f"[bold]{'OK' if report['healthy'] else 'NEEDS ATTENTION'}[/] at "
              f"{long_time(now, here.config, language=CLI_LANGUAGE)}")  # fmt: skip
    for problem in report["problems"]:
        out.print(f"  - {problem}")
    table = Table(title="Tickets per step", title_justify="left")
    for state in State:
        table.add_column(state.value, justify="right")
    table.add_row(*(str(report["tickets"][s.value]) for s in State))
    out.print(table)
    out.print(f"Overdue: {len(report['overdue'])} {' '.join(report['overdue'][:20])}")
    out.print("Outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(report["outbox"].items()))
                            or "empty"))  # fmt: skip
    jobs = Table(title="Jobs", title_justify="left")
    for column in ("Job", "Last success", "Runs", "Failures", "Failing since"):
        jobs.add_column(column)
    for job in report["jobs"]:
        jobs.add_row(job["name"], job["last_success"] or "-", str(job["runs"]),
                     str(job["failures"]), job["failing_since"] or "-")  # fmt: skip
    out.print(jobs)
    if report["leases"]:  # one line each: a daemon's name is not cut by a narrow column
        out.print("Run by (one daemon at a time):", markup=False)
        for lease in report["leases"]:
            free = "" if lease["current"] else ", free to take"
            out.print(f"  {lease['job']}: {lease['holder']} since {lease['since']} UTC"
                      f" (renewed {lease['renewed_seconds_ago']} s ago{free})",
                      markup=False, soft_wrap=True)  # fmt: skip
    mailbox = report["mailbox"]
    if not mailbox["enabled"]:
        out.print("Mailbox: off ([mailbox] absent or enabled = false): no mail is read",
                  markup=False)  # fmt: skip
    elif mailbox["checked"]:
        out.print("Mailbox: " + ("reachable" if mailbox["reachable"] else mailbox["error"]),
                  markup=False)  # fmt: skip
