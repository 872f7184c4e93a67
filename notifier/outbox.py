"""Queue the SOP's e-mails in the transaction of their event, and plan their retries.

``queue(tx, office, notices, ...)`` renders each notice, threads it into its ticket's
conversation, applies the auto-reply rate limit and stores it in the outbox, all in the
caller's transaction: an event is committed with its e-mails or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from notifier.compose import (
    AUTO_REPLIED,
    Threading,
    can_address,
    message_bytes,
    new_message_id,
    render,
)
from notifier.policy import Notice, Office, delivery_failed_notice, notices_for_event
from ticketing.conversation import new_bounce_token
from ticketing.models import Event, OutboxEmail, Submission, Ticket
from ticketing.store import Tx

RecentAutoReplies = Callable[[str, dt.datetime], int]
"""How many automatic replies went (or will go) to an address since a moment."""

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
SUPPRESSED, BOUNCED = "suppressed", "bounced"  # held by the auto-reply limit; returned later
STATUSES = (PENDING, SENDING, SENT, DEAD, SUPPRESSED, BOUNCED)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off for temporary failures: base, base*2, base*4 … up to ``cap``."""

    base_seconds: int = 60
    cap_seconds: int = 3600
    max_attempts: int = 8

    def next_attempt(self, attempts_so_far: int, now: dt.datetime) -> dt.datetime | None:
        """When to try again after ``attempts_so_far`` failures, or None to give up."""
        if attempts_so_far >= self.max_attempts:
            return None
        delay = min(self.base_seconds * 2 ** max(attempts_so_far - 1, 0), self.cap_seconds)
        return now + dt.timedelta(seconds=delay)


def queue(
    tx: Tx,
    office: Office,
    notices: Sequence[Notice],
    *,
    now: dt.datetime,
    ticket: Ticket | None = None,
    event: Event | None = None,
    in_reply_to: str | None = None,
    submission: Submission | None = None,
    not_before: dt.datetime | None = None,
) -> list[OutboxEmail]:
    """Render and store ``notices`` in the outbox of this transaction; ``not_before`` holds
    them back (a reminder found at night waits for the working day)."""
    emails = []
    for notice in notices:
        if not all(can_address(r.address) for r in (*notice.to, *notice.cc)):
            log.warning("%s not queued: an address cannot be written to", notice.kind)
            continue
        earlier = _earlier(tx, ticket)
        values = _email(
            office, notice, now=now, ticket=ticket, event=event, in_reply_to=in_reply_to,
            earlier=earlier, recent_auto_replies=tx.recent_auto_replies,
        )  # fmt: skip
        email = OutboxEmail(**values)
        email.submission_id = submission.id if submission else None
        if not_before is not None and not_before > email.next_attempt_at:
            email.next_attempt_at = not_before
        emails.append(email)
    return tx.enqueue(emails)


def queue_for_events(
    tx: Tx, office: Office, ticket: Ticket, events: Sequence[Event], *, now: dt.datetime
) -> list[OutboxEmail]:
    """The e-mails of workflow events just recorded on ``ticket``."""
    history = tx.events(ticket)
    queued: list[OutboxEmail] = []
    for event in events:
        notices = notices_for_event(office, ticket, event, history)
        queued += queue(tx, office, notices, now=now, ticket=ticket, event=event)
    return queued


def queue_for_new_tickets(
    tx: Tx, office: Office, filed: Sequence[tuple[Any, Sequence[Any]]], *, now: dt.datetime
) -> int:
    """`queue_for_events` for tickets registered in this transaction by `register_many`,
    given as (ticket, its events) records: the same e-mails, stored together. Returns how
    many were queued."""
    rows: list[dict[str, Any]] = []
    # Automatic replies queued here count against the limit as they would one by one.
    counted: dict[str, int] = {}

    def recent_auto_replies(recipient: str, since: dt.datetime) -> int:
        if recipient not in counted:
            counted[recipient] = tx.recent_auto_replies(recipient, since)
        return counted[recipient]

    for ticket, events in filed:
        earlier: list[tuple[str, str]] = []  # a new ticket's e-mails are those queued here
        for event in events:
            # As `queue` does, one event's e-mails see those of the events before it.
            made = []
            for notice in notices_for_event(office, ticket, event, events):
                if not all(can_address(r.address) for r in (*notice.to, *notice.cc)):
                    log.warning("%s not queued: an address cannot be written to", notice.kind)
                    continue
                made.append(
                    _email(
                        office,
                        notice,
                        now=now,
                        ticket=ticket,
                        event=event,
                        in_reply_to=None,
                        earlier=earlier,
                        recent_auto_replies=recent_auto_replies,
                    )  # fmt: skip
                )
            for values in made:
                if values["auto_submitted"] == AUTO_REPLIED and values["status"] == PENDING:
                    counted[values["recipient"]] += 1
                earlier.append((values["kind"], values["message_id"]))
                rows.append({**_OUTBOX_DEFAULTS, **values})
    tx.insert_outbox(rows)
    return len(rows)


_OUTBOX_DEFAULTS: dict[str, Any] = {"submission_id": None, "lease_until": None, "sent_at": None}
DELIVERY_FAILED = "help_desk.delivery_failed"


def queue_delivery_failure(
    tx: Tx,
    office: Office,
    failed: OutboxEmail,
    error: str,
    *,
    now: dt.datetime,
    recipients: Sequence[str] | None = None,
    remote: str | None = None,
) -> list[OutboxEmail]:
    """Alert the help desk of an e-mail not delivered (to ``recipients``, default all of
    them); never for an alert that failed, so no loops. ``remote`` is a remote server's
    text about it, quoted apart in the alert.

    Like automatic replies, these alerts are capped: past
    ``delivery_alert_limit_per_hour`` in the last hour, the alert is kept in the outbox
    (suppressed, with the reason), not sent."""
    if failed.kind == DELIVERY_FAILED:
        return []
    ticket = tx.ticket_by_id(failed.ticket_id) if failed.ticket_id else None
    notice = delivery_failed_notice(
        office,
        kind=failed.kind,
        recipients=list(recipients) if recipients else failed.recipients,
        subject=failed.subject,
        error=error,
        ticket_number=ticket.number if ticket else None,
        remote=remote,
    )
    if notice is None:
        return []
    limit = office.settings.delivery_alert_limit_per_hour
    lately = tx.recent_kind_queued(DELIVERY_FAILED, now - dt.timedelta(hours=1))
    emails = queue(tx, office, [notice], now=now, ticket=ticket)
    if lately >= limit:
        for email in emails:
            email.status = SUPPRESSED
            email.last_error = (
                f"alert limit: {lately} alerts of e-mails not delivered in the last hour"
            )
        tx.save(*emails)
    return emails


def _email(
    office: Office,
    notice: Notice,
    *,
    now: dt.datetime,
    ticket: Ticket | None,
    event: Event | None,
    in_reply_to: str | None,
    earlier: Sequence[tuple[str, str]],
    recent_auto_replies: RecentAutoReplies,
) -> dict[str, Any]:
    """The outbox row of one notice (its column values); ``earlier`` are the (kind,
    Message-ID) of the ticket's e-mails queued before it."""
    settings = office.settings
    rng = settings.sender.rng
    rendered = render(notice.kind, settings.language, notice.context)
    message_id = new_message_id(
        settings.sender.message_id_domain, ticket.number if ticket else None, rng=rng
    )
    threading = _threading(ticket, notice, in_reply_to, earlier)
    token = new_bounce_token(rng)
    raw, subject = message_bytes(
        rendered,
        sender=settings.sender,
        to=notice.to,
        cc=notice.cc,
        message_id=message_id,
        date=now,
        auto_submitted=notice.auto_submitted,
        threading=threading,
        language=settings.language,
        bounce_token=token,
        rng=rng,
    )
    recipient = notice.to[0].address.lower()
    status = PENDING
    error = None
    if notice.auto_submitted == AUTO_REPLIED:
        since = now - dt.timedelta(hours=1)
        sent_lately = recent_auto_replies(recipient, since)
        if sent_lately >= settings.auto_reply_limit_per_hour:
            # Two auto-responders answering each other would loop forever: keep the
            # e-mail on record, but do not send it.
            status = SUPPRESSED
            error = (
                f"auto-reply limit: {sent_lately} automatic replies to {recipient} in the last hour"
            )
    return {
        "ticket_id": ticket.id if ticket else None,
        "event_id": event.id if event else None,
        "kind": notice.kind,
        "recipient": recipient,
        "recipients": [r.address for r in (*notice.to, *notice.cc)],
        "subject": subject,
        "message_id": message_id,
        "auto_submitted": notice.auto_submitted,
        "raw": raw,
        "status": status,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": error,
        "created_at": now,
        "bounce_token": token,
    }


def _earlier(tx: Tx, ticket: Ticket | None) -> list[tuple[str, str]]:
    if ticket is None or ticket.id is None:
        return []
    return [(e.kind, e.message_id) for e in tx.outbox(ticket=ticket)]


def _threading(
    ticket: Ticket | None,
    notice: Notice,
    in_reply_to: str | None,
    earlier: Sequence[tuple[str, str]],
) -> Threading:
    """One conversation per ticket and audience: the reporter's thread starts at their own
    e-mail when there is one; the staff's at the ticket's first staff e-mail."""
    if ticket is None or ticket.id is None:
        return Threading(in_reply_to=in_reply_to)
    references = [
        message_id
        for kind, message_id in earlier
        if kind.startswith("reporter.") == notice.to_reporter
    ]
    if notice.to_reporter:
        root = in_reply_to or ticket.source_message_id
        if root:
            return Threading(in_reply_to=root, references=[root, *references])
    parent = references[-1] if references else in_reply_to
    return Threading(in_reply_to=parent, references=references[:10])
