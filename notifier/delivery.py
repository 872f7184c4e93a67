"""The outbox sender: claim what is due, send it, record what happened.

Claiming is a short committed transaction that leases the rows to this sender; sending
happens outside any transaction. Each e-mail the server accepts is marked sent at once,
in a transaction of its own; the other outcomes are recorded together at the end of the
batch. A sender that dies mid-batch leaves its lease to expire, and what was not marked
is claimed again: at most the one e-mail it was sending goes out twice.

A database that goes away mid-batch stops the batch at the first e-mail that cannot be
marked sent. A sender that keeps its `Unsettled` (the daemon's outbox job) remembers what
it could not record: once the database is back, before it claims anything else, it marks
sent the e-mails the server took and gives back the rest of its claim, which are then sent
at once, not after their claim (``lease_seconds``) runs out, and none twice.
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


@dataclass
class Unsettled:
    """A sender's claim whose outcome a database fault kept from being recorded: what to
    record once the database is back (`deliver_due` does it first)."""

    lease_until: dt.datetime | None = None  # the claim's, which tells its rows
    sent: dict[int, tuple[dt.datetime, bytes | None]] = field(default_factory=dict)
    unsent: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.sent or self.unsent)

    def leave(
        self, lease_until: dt.datetime, claimed: set[int], marked: set[int],
        sent: dict[int, tuple[dt.datetime, bytes | None]],
    ) -> None:  # fmt: skip
        self.lease_until = lease_until
        self.sent = dict(sent)
        self.unsent = claimed - marked - set(sent)

    def settle(self, store: Store) -> None:
        """Record it (DatabaseUnavailable while the database is still away)."""
        if not self or self.lease_until is None:
            return
        with store.transaction() as tx:
            marked, given = tx.settle_claim(self.lease_until, self.sent, sorted(self.unsent))
        log.info(
            "outbox: the database is back: %d e-mail(s) sent before it went away marked"
            " sent, %d claimed and not sent given back", marked, given,
        )  # fmt: skip
        self.lease_until, self.sent, self.unsent = None, {}, set()


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
    unsettled: Unsettled | None = None,
) -> DeliveryReport:
    """Send one batch of due e-mails. Call again while it sends a full batch.

    Each e-mail is rendered from its draft after the claim is committed (no lock is held
    meanwhile), and the bytes sent are stored with the mark that it was sent. An e-mail
    that cannot be rendered is dead at once, with the reason, and the help desk alerted.

    ``unsettled``: kept from one call to the next, what a database fault left unrecorded
    of this sender's claim is recorded first (see the module's text); without it, those
    e-mails wait for their claim to run out."""
    report = DeliveryReport()
    if unsettled is not None:
        unsettled.settle(store)
    started = now()
    lease_until = started + dt.timedelta(seconds=lease_seconds)
    with store.transaction() as tx:
        ids = tx.claim_due(started, lease_until, batch_size)
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
            raw = email_bytes(email, office)
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
    unmarked: dict[int, tuple[dt.datetime, bytes | None]] = {}  # taken, not yet marked

    def mark(email_id: int) -> None:
        at = now()
        try:
            with store.transaction() as tx:
                tx.mark_sent(email_id, at, rendered.get(email_id))
        except DatabaseUnavailable:
            # Stop the batch: sent on, each would go again, as none could be marked. What
            # was not sent stays claimed until the database is back (``unsettled``), or
            # until its claim runs out.
            log.warning("outbox e-mail %s sent, not yet marked: the database went away",
                        email_id)  # fmt: skip
            unmarked[email_id] = (at, rendered.get(email_id))
            raise
        except Exception:  # noqa: BLE001 - recorded with the rest of the batch instead
            log.exception("could not mark outbox e-mail %s sent at once", email_id)
            return
        marked.add(email_id)

    def leave() -> None:
        if unsettled is not None:
            unsettled.leave(lease_until, {e.id for e in claimed if e.id is not None},
                            marked, unmarked)  # fmt: skip

    try:
        results = send(settings, batch, mark) if batch else {}
    except DatabaseUnavailable:
        leave()
        raise

    finished = now()
    try:
        _record(store, office, retry, claimed, batch, results, marked, unrendered, rendered,
                finished, report)  # fmt: skip
    except DatabaseUnavailable:
        log.warning("outbox: the outcome of %d e-mail(s) not recorded: the database went"
                    " away", len(claimed))  # fmt: skip
        for message in batch:  # those the server took are sent; the rest given back
            result = results.get(message.id)
            if result is not None and result.kind == "sent" and message.id not in marked:
                unmarked[message.id] = (finished, rendered.get(message.id))
        leave()
        raise
    return report


def _record(
    store: Store, office: Office, retry: RetryPolicy, claimed: list[OutboxEmail],
    batch: list[Outgoing], results: dict[int, Result], marked: set[int],
    unrendered: dict[int, str], rendered: dict[int, bytes], finished: dt.datetime,
    report: DeliveryReport,
) -> None:  # fmt: skip
    """The batch's outcomes, in one transaction (those marked sent at once aside)."""
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


def _alert(tx: Tx, office: Office, email: OutboxEmail, error: str, now: dt.datetime) -> None:
    """Queue the help desk's alert; if that fails, the delivery outcome is still recorded."""
    try:
        with tx.savepoint():
            queue_delivery_failure(tx, office, email, error, now=now)
    except Exception:  # noqa: BLE001 - the outcome above matters more than the alert
        log.exception("could not queue the alert for outbox e-mail %s", email.id)
