"""The outbox sender: claim what is due, send it, record what happened.

Claiming is a short committed transaction that leases the rows to this sender; sending
happens outside any transaction. Each e-mail the server accepts is marked sent at once,
in a transaction of its own; the other outcomes are recorded together at the end of the
batch. A sender that dies mid-batch leaves its lease to expire, and what was not marked
is claimed again: at most the one e-mail it was sending goes out twice. So does a database
that goes away mid-batch: the batch stops at the first e-mail that cannot be marked sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from notifier.compose import envelope_sender
from notifier.outbox import RetryPolicy, email_bytes, queue_delivery_failure
from notifier.policy import Office
from notifier.smtp import Outgoing, Result, SmtpSettings, send_batch
from ticketing.models import OutboxEmail
from ticketing.store import DatabaseUnavailable, Store, Tx

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    config_error: str | None = None

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.dead)


Send = Callable[[SmtpSettings, list[Outgoing], Callable[[int], None]], dict[int, Result]]


def deliver_due(
    store: Store,
    office: Office,
    settings: SmtpSettings,
    *,
    now: Callable[[], dt.datetime],
    retry: RetryPolicy,
    batch_size: int = 50,
    lease_seconds: int = 300,
    send: Send = send_batch,
) -> DeliveryReport:
    """Send one batch of due e-mails. Call again while it sends a full batch.

    Each e-mail is rendered from its draft after the claim is committed (no lock is held
    meanwhile), and the bytes sent are stored with the mark that it was sent. An e-mail
    that cannot be rendered is dead at once, with the reason, and the help desk alerted."""
    report = DeliveryReport()
    started = now()
    with store.transaction() as tx:
        ids = tx.claim_due(started, started + dt.timedelta(seconds=lease_seconds), batch_size)
        found = tx.outbox_emails(ids)
        claimed = [found[email_id] for email_id in ids]
    if not claimed:
        return report

    batch = []
    unrendered: dict[int, str] = {}
    rendered: dict[int, bytes] = {}  # the bytes of each e-mail rendered now, to store
    for email in claimed:
        assert email.id is not None
        try:
            raw = email_bytes(email)
        except Exception as exc:  # noqa: BLE001 - one e-mail that cannot be made, not the batch
            log.exception("outbox e-mail %s could not be rendered", email.id)
            unrendered[email.id] = f"could not be rendered: {type(exc).__name__}: {exc}"
            continue
        if email.raw is None:
            rendered[email.id] = raw
        # The envelope sender carries the e-mail's bounce token (VERP): a delivery
        # report comes back to it, and the token shows the report is about this e-mail.
        sender = envelope_sender(office.settings.sender, email.bounce_token)
        batch.append(Outgoing(email.id, sender, list(email.recipients), raw))

    marked: set[int] = set()

    def mark(email_id: int) -> None:
        try:
            with store.transaction() as tx:
                tx.mark_sent(email_id, now(), rendered.get(email_id))
        except DatabaseUnavailable:
            # Stop the batch: what was not sent stays claimed and goes once its claim runs
            # out; sent on, each would go again, as none could be marked.
            log.warning("outbox e-mail %s sent, not yet marked: the database went away",
                        email_id)  # fmt: skip
            raise
        except Exception:  # noqa: BLE001 - recorded with the rest of the batch instead
            log.exception("could not mark outbox e-mail %s sent at once", email_id)
            return
        marked.add(email_id)

    results = send(settings, batch, mark) if batch else {}

    finished = now()
    with store.transaction() as tx:
        now_stored = tx.outbox_emails([email.id for email in claimed if email.id is not None])
        for email_id, reason in unrendered.items():
            email = now_stored[email_id]
            tx.mark_dead(email_id, reason)
            report.dead.append(email_id)
            _alert(tx, office, email, reason, finished)
        for message in batch:
            result = results.get(message.id, Result("temporary", "no result from the sender"))
            email = now_stored[message.id]
            if result.kind == "sent":
                if message.id not in marked:
                    tx.mark_sent(message.id, finished, rendered.get(message.id))
                report.sent.append(message.id)
                if result.refused:
                    refused = "; ".join(f"{a}: {r}" for a, r in result.refused.items())
                    _alert(tx, office, email, f"refused recipients: {refused}", finished)
            elif result.kind == "config":
                tx.release(message.id)
                report.config_error = result.detail
            elif result.kind == "temporary" and (
                later := retry.next_attempt(email.attempts + 1, finished)
            ):
                tx.mark_retry(message.id, later, result.detail)
                report.retrying.append(message.id)
            else:
                tx.mark_dead(message.id, result.detail)
                report.dead.append(message.id)
                _alert(tx, office, email, result.detail, finished)
    return report


def _alert(tx: Tx, office: Office, email: OutboxEmail, error: str, now: dt.datetime) -> None:
    """Queue the help desk's alert; if that fails, the delivery outcome is still recorded."""
    try:
        with tx.savepoint():
            queue_delivery_failure(tx, office, email, error, now=now)
    except Exception:  # noqa: BLE001 - the outcome above matters more than the alert
        log.exception("could not queue the alert for outbox e-mail %s", email.id)
