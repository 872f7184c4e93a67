"""The daemon watches itself: a job failing for longer than ``[daemon] alert_after_minutes``
(the mailbox job included: a mailbox not read), or a mailbox not read successfully for that
long, raises one alert to the help desk; its recovery sends one more. A mailbox that is off
(``[mailbox]`` absent or ``enabled = false``) is not read on purpose: no alert for it."""

from __future__ import annotations

import datetime as dt

from helpdesk.wiring import Site
from notifier.outbox import queue
from notifier.policy import program_alert_notice


def watch_jobs(here: Site, *, now: dt.datetime) -> list[str]:
    """Raise or clear alerts; returns the alert names that changed."""
    limit = dt.timedelta(minutes=here.config.daemon.alert_after_minutes)
    mailbox_on = here.config.mailbox.enabled
    changed = []
    with here.store.transaction() as tx:
        for job in tx.job_states():
            if job.name == "watchdog" or (job.name == "mailbox" and not mailbox_on):
                continue
            name = f"job:{job.name}"
            raised = tx.alert(name)
            failing = job.failing_since is not None and now - job.failing_since >= limit
            stale = (
                job.name == "mailbox"
                and job.last_success is not None
                and now - job.last_success >= limit
            )
            if (failing or stale) and raised is None:
                since = job.failing_since or job.last_success or now
                detail = job.last_error or "no successful run"
                tx.raise_alert(name, detail, now)
                notice = program_alert_notice(
                    here.office, job=job.name, raised=True, since=since, detail=detail
                )
                queue(tx, here.office, [notice] if notice else [], now=now)
                changed.append(name)
            elif not (failing or stale) and raised is not None and job.failing_since is None:
                tx.clear_alert(name, now)
                notice = program_alert_notice(
                    here.office, job=job.name, raised=False, since=raised.raised_at, detail=""
                )
                queue(tx, here.office, [notice] if notice else [], now=now)
                changed.append(name)
    return changed
