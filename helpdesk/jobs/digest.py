"""The daily digest: once a day, after the configured time, the help desk and the head of
office get the state of the service at a glance."""

from __future__ import annotations

import datetime as dt

from helpdesk.wiring import Site
from notifier.formatting import long_time
from notifier.outbox import queue
from notifier.policy import digest_notice
from ticketing.directory import Role
from ticketing.store import TicketFilter
from ticketing.vocabulary import OutboxStatus, Outcome


def digest_moment(here: Site, now: dt.datetime) -> dt.datetime:
    """Today's digest time, in the office's zone."""
    hour, minute = (int(x) for x in here.config.daemon.digest_time.split(":"))
    local = now.astimezone(here.desk.calendar.tz)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def send_digest_if_due(here: Site, *, now: dt.datetime) -> bool:
    """Queue today's digest if its time has come and it was not sent yet."""
    moment = digest_moment(here, now)
    if now < moment:
        return False
    directory = here.desk.directory
    roles = [Role(r) for r in here.config.daemon.digest_roles]
    recipients = [p for role in roles for p in directory.with_role(role)]
    since = now - dt.timedelta(days=1)
    with here.store.transaction() as tx:
        if tx.outbox_kind_since("help_desk.digest", moment) > 0:
            return False
        config = here.config
        notices = digest_notice(
            here.office,
            recipients=recipients,
            day=long_time(
                now,
                timezone=config.calendar.timezone,
                zone_label=config.calendar.zone_label,
                language=config.office.language,
            ),  # fmt: skip
            per_state=tx.count_by_state(),
            overdue=tx.tickets(TicketFilter(overdue_at=now)),
            new=tx.count_since("created", since),
            closed=tx.count_since("closed", since),
            breaches=tx.count_since("breach", since),
            outbox_dead=tx.outbox_counts().get(OutboxStatus.DEAD, 0),
            quarantined=len(tx.inbound_list([Outcome.QUARANTINE])),
            incomplete_open=tx.open_submissions(),
        )
        if not notices:
            return False
        queue(tx, here.office, notices, now=now)
    return True
