"""Watching the mailbox for as long as the program runs.

Connection loss, a refused login or a server restart never ends the watch, nor does the
database going away: it logs what happened in one line, waits (doubling the wait up to a
cap: half a minute for the database) and connects again. Between polls it
waits in IMAP IDLE when asked to (and the server has it), else it sleeps; either way it
polls by UID, so nothing that arrived meanwhile is missed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from helpdesk.jobs.mailbox import poll_mailbox
from helpdesk.wiring import Site
from intake.imap import Mailbox, MailboxError, MailboxLoginError
from ticketing.store import StoreError

log = logging.getLogger("helpdesk.mailbox")

# IDLE is re-entered in slices this long, so a stop request is noticed quickly.
_IDLE_SLICE_SECONDS = 5.0


@dataclass(frozen=True)
class WatchSettings:
    idle: bool = True
    interval_seconds: float = 60.0  # between polls without IDLE, and the longest IDLE wait
    backoff_start_seconds: float = 1.0
    backoff_cap_seconds: float = 300.0
    database_backoff_cap_seconds: float = 30.0


def watch_mailbox(
    here: Site,
    stop: threading.Event,
    settings: WatchSettings,
    on_poll: Callable[[str | None, dt.datetime], None] | None = None,
    on_mail: Callable[[], None] | None = None,
) -> None:
    """Poll the mailbox until ``stop`` is set; never raises for a mailbox problem.
    ``on_poll(error, started)`` hears how each poll (or connection attempt) went;
    ``on_mail()`` is called after a poll that fetched messages (their answers are queued)."""

    def heard(error: str | None, started: dt.datetime) -> None:
        if on_poll is not None:
            on_poll(error, started)

    backoff = settings.backoff_start_seconds
    box_settings = here.mailbox_settings()
    while not stop.is_set():
        mailbox = Mailbox(box_settings)
        started = here.now()
        cap = settings.backoff_cap_seconds
        try:
            mailbox.connect()
            log.info("connected to %s", mailbox.address)
            while not stop.is_set():
                started = here.now()
                report = poll_mailbox(
                    here, mailbox, now=here.now, going_on=lambda: not stop.is_set()
                )
                backoff = settings.backoff_start_seconds  # a poll went well
                heard(None, started)
                if report.fetched:
                    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
                    log.info("fetched %d: %s", report.fetched, outcomes)
                    if on_mail is not None:
                        on_mail()
                _wait_for_mail(mailbox, stop, settings)
        except MailboxLoginError as exc:
            log.error("mailbox login refused: %s; trying again in %.0f s", exc, backoff)
            heard(f"login refused: {exc}", started)
        except MailboxError as exc:
            log.warning("mailbox unavailable: %s; reconnecting in %.0f s", exc, backoff)
            heard(f"unavailable: {exc}", started)
        except StoreError as exc:  # the database unreachable, or the lease lost
            log.warning("mailbox not read: %s; trying again in %.0f s", exc, backoff)
            heard(str(exc), started)
            cap = settings.database_backoff_cap_seconds
        except Exception as exc:  # noqa: BLE001 - a bug must not end the watch
            log.exception("mailbox poll failed; trying again in %.0f s", backoff)
            heard(f"{type(exc).__name__}: {exc}", started)
        finally:
            mailbox.close()
        if stop.wait(backoff):
            break
        backoff = min(backoff * 2, cap)
    log.info("mailbox watch stopped")


def _wait_for_mail(mailbox: Mailbox, stop: threading.Event, settings: WatchSettings) -> None:
    if not (settings.idle and mailbox.has_capability("IDLE")):
        stop.wait(settings.interval_seconds)
        return
    waited = 0.0
    while not stop.is_set() and waited < settings.interval_seconds:
        slice_ = min(_IDLE_SLICE_SECONDS, settings.interval_seconds - waited)
        if mailbox.idle_wait(slice_):
            return
        waited += slice_
