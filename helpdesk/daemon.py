"""`helpdesk run`: every periodic job in one long-running process.

Jobs run one after another on the main thread with the ``schedule`` library, each wrapped
so that a failure is logged with its traceback, recorded for `helpdesk status`, and tried
again at its next turn; it never stops the loop or the other jobs (``schedule`` itself
would let the exception escape and keep the failed job due, starving the rest). With
IMAP IDLE the mailbox is watched on a thread of its own, and the e-mails its new mail
queued (acknowledgements) are sent at once rather than at the outbox job's next turn.
SIGTERM or SIGINT lets the job in hand finish, then the process exits 0.

Two daemons may share one PostgreSQL database: the jobs that one at a time may run are
run by the daemon holding their lease (helpdesk.leases), their writes fenced by it; the
outbox is run by both.

The database going away (its server stopped, restarting or shutting down, the connection
cut; SQLite's file locked or its disk full) is waited out: a job it stops logs one line
and is tried again at its next turn, nothing of its transaction saved, and the mailbox
watch reconnects after a pause that doubles up to half a minute. A database away when the
daemon starts is waited for the same way (`wait_for_database`); one that refuses it (a
wrong password or database name) is one line, exit 1.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

import schedule

from helpdesk.jobs.digest import send_digest_if_due
from helpdesk.jobs.mailbox import poll_mailbox
from helpdesk.jobs.mailbox_watch import WatchSettings, watch_mailbox
from helpdesk.jobs.phone_drop import Sightings, scan_drop_folder
from helpdesk.jobs.sweep import sweep_deadlines
from helpdesk.jobs.watchdog import watch_jobs
from helpdesk.leases import ONE_AT_A_TIME, LeaseKeeper
from helpdesk.wiring import Site
from intake.imap import Mailbox
from notifier.delivery import Unsettled, deliver_due
from ticketing.store import DatabaseUnavailable, LeaseLost, StoreError
from ticketing.store.leases import fenced

log = logging.getLogger("helpdesk.run")


class AlreadyRunning(Exception):
    pass


class JobFault(Exception):
    """A job failed for a reason its one line says in full (a setting, a server's answer):
    logged without a traceback, like the same failure of the command run by hand."""


def _faults() -> tuple[type[BaseException], ...]:
    """Failures that are the site's or a server's, not the program's: one line each."""
    from helpdesk.config import ConfigError
    from intake.imap import MailboxError

    return (JobFault, MailboxError, StoreError, ConfigError)


@dataclass(frozen=True)
class Job:
    name: str
    seconds: int
    run: Callable[[], object]


def configure_logging(level: int = logging.INFO) -> None:
    """One line per event on stderr, as journald and a terminal both read it."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def lock_site(here: Site) -> TextIO | None:
    """Hold the site's run lock (SQLite only: one daemon per database file). Raises
    AlreadyRunning when another process holds it. Keep the returned handle open."""
    db = here.config.sqlite_path
    if db is None:  # PostgreSQL: several daemons may share one database
        return None
    path = db.parent / "helpdesk-run.lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise AlreadyRunning(
            f"another 'helpdesk run' (pid {holder}) already serves {db}; lock file {path}"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


FIRST_WAIT = 1.0  # seconds before trying the database again at start, doubled each time
LONGEST_WAIT = 30.0


def wait_for_database(here: Site, stop: threading.Event) -> bool:
    """Open the site's store, waiting while its database cannot be reached or used just
    now (its server down or starting, its file locked): one line an attempt, tried again
    after a pause that doubles up to half a minute. False when ``stop`` is set meanwhile.
    A database that refuses the site (a wrong password, user or database name), one not
    initialised or an unknown host is a StoreError, raised at once."""
    pause = FIRST_WAIT
    while True:
        try:
            here.store  # noqa: B018 - opened, its schema checked
            return True
        except DatabaseUnavailable as exc:
            log.warning("waiting for the database: %s; trying again in %g s", exc, pause)
        if stop.wait(pause):
            log.info("stopped")
            return False
        pause = min(pause * 2, LONGEST_WAIT)


def jobs(here: Site, *, mailbox_job: bool) -> list[Job]:
    config = here.config.daemon
    notifier = here.config.notifier

    def mailbox() -> object:
        with Mailbox(here.mailbox_settings()) as box:
            return poll_mailbox(here, box, now=here.now)

    sightings: Sightings = {}

    def phone_drop() -> object:
        return scan_drop_folder(here, now=here.now(), sightings=sightings)

    def sweep() -> object:
        return sweep_deadlines(here, now=here.now(), reminder_share=config.reminder_share)

    # What a database fault left unrecorded of this daemon's claim on the outbox: recorded
    # at the next turn that finds the database back (e-mails claimed and not sent go then,
    # not once their claim runs out).
    unsettled = Unsettled()

    def outbox() -> object:
        while True:
            report = deliver_due(
                here.store, here.office, here.smtp_settings(), now=here.now,
                retry=here.retry_policy, batch_size=notifier.batch_size,
                lease_seconds=notifier.lease_seconds, unsettled=unsettled,
            )  # fmt: skip
            if report.config_error:
                raise JobFault(f"smtp: {report.config_error}")
            if report.claimed < notifier.batch_size:
                return report

    def digest() -> object:
        return send_digest_if_due(here, now=here.now())

    listed = [
        Job("phone_drop", config.phone_drop_seconds, phone_drop),
        Job("sweep", config.sweep_seconds, sweep),
        Job("digest", 60, digest),
        Job("watchdog", 60, lambda: watch_jobs(here, now=here.now())),
        Job("outbox", config.outbox_seconds, outbox),
    ]
    if mailbox_job:
        listed.insert(0, Job("mailbox", config.mailbox_seconds, mailbox))
    return listed


def run_job(here: Site, job: Job, keeper: LeaseKeeper | None = None) -> bool:
    """Run one job; log and record how it went. Never raises. A job whose lease another
    daemon holds is not run here (True: nothing failed); one whose lease this daemon
    holds writes only while it does (its transactions fenced by the lease)."""
    if keeper is not None and not keeper.holds(job.name):
        log.debug("%s: run by another daemon", job.name)
        return True
    started = here.now()
    error = None
    try:
        with fenced(keeper.fence(job.name) if keeper is not None else None):
            result = job.run()
        if result:
            log.debug("%s: %s", job.name, result)
    except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the others
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if isinstance(exc, DatabaseUnavailable):
            log.warning("job %s waits for the database: %s; tried again in %d s",
                        job.name, exc, job.seconds)  # fmt: skip
        elif isinstance(exc, LeaseLost):
            log.warning("job %s stopped: %s", job.name, exc)
        elif isinstance(exc, _faults()):
            log.error("job %s failed: %s", job.name, exc)
        else:  # a bug: its traceback is what the maintainer needs
            log.error("job %s failed: %s", job.name, error, exc_info=True)
    record(here, job.name, started, error)
    return error is None


def record(here: Site, name: str, started: dt.datetime, error: str | None) -> None:
    """Record how a run of job ``name`` went, for `helpdesk status` and the watchdog (not
    fenced: the bookkeeping of a run is every daemon's). A database that cannot be reached
    is one line (none where the run's own failure has just said so): the run is not
    recorded."""
    try:
        with fenced(None), here.store.transaction() as tx:
            tx.record_job(name, started=started, error=error, now=here.now())
    except DatabaseUnavailable as exc:
        if error is None:
            log.warning("could not record the run of job %s: %s", name, exc)
    except StoreError as exc:
        log.warning("could not record the run of job %s: %s", name, exc)
    except Exception:  # noqa: BLE001 - a bug: its traceback is what the maintainer needs
        log.exception("could not record the run of job %s", name)


def run_once(here: Site) -> bool:
    """Every job once, in order (mailbox, phone drop, sweep, outbox). True if all succeeded.
    Without a mailbox (``[mailbox]`` absent or off) there is no mailbox job."""
    keeper = LeaseKeeper(here, ONE_AT_A_TIME)
    keeper.renew()
    try:
        listed = jobs(here, mailbox_job=here.config.mailbox.enabled)
        results = [run_job(here, job, keeper) for job in listed]
    finally:
        keeper.release()
    return all(results)


def run_forever(here: Site, stop: threading.Event) -> None:
    config = here.config.daemon
    mailbox_on = here.config.mailbox.enabled
    idle = config.idle and mailbox_on
    watcher = None
    # Set by the mailbox watch when it has stored new mail: the acknowledgements it queued
    # go out at once instead of at the outbox job's next turn (up to outbox_seconds later).
    deliver_now = threading.Event()
    if not mailbox_on:
        log.info("the mailbox is off ([mailbox] absent or enabled = false): no mail is read")
    keeper = LeaseKeeper(here, ONE_AT_A_TIME)
    keeper.renew()
    leases = threading.Thread(target=keeper.keep, args=(stop,), name="leases", daemon=True)
    leases.start()
    if idle:

        def on_poll(error: str | None, started: dt.datetime) -> None:
            record(here, "mailbox", started, error)

        def watch_while_held() -> None:
            settings = WatchSettings(idle=True, interval_seconds=config.mailbox_seconds)
            while not stop.is_set():
                tenure = keeper.tenure("mailbox")
                if tenure.is_set():  # another daemon reads the mailbox
                    stop.wait(keeper.renew_seconds)
                    continue
                with fenced(keeper.fence("mailbox")):
                    watch_mailbox(here, tenure, settings, on_poll=on_poll,
                                  on_mail=deliver_now.set)  # fmt: skip

        watcher = threading.Thread(target=watch_while_held, name="mailbox", daemon=True)
        watcher.start()
    scheduler = schedule.Scheduler()
    planned = jobs(here, mailbox_job=mailbox_on and not idle)
    for job in planned:
        scheduler.every(job.seconds).seconds.do(run_job, here, job, keeper)
    log.info("running: %s", ", ".join(f"{j.name} every {j.seconds} s" for j in planned))
    for job in planned:  # a first round at once, then on schedule
        if stop.is_set():
            break
        run_job(here, job, keeper)
    outbox = next(job for job in planned if job.name == "outbox")
    while not stop.is_set():
        scheduler.run_pending()
        if deliver_now.is_set() and not stop.is_set():
            deliver_now.clear()
            run_job(here, outbox, keeper)
        wait = scheduler.idle_seconds
        # At most a second, so that a stop request (which sets ``stop``) is seen soon.
        deliver_now.wait(min(max(wait if wait is not None else 1.0, 0.05), 1.0))
    leases.join(timeout=30)  # the mailbox watch told to stop
    if watcher is not None:
        watcher.join(timeout=30)
    keeper.release()  # the work in hand done (committed under the leases): give them up
    log.info("stopped")
