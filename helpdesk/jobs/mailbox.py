"""The e-mail intake: one message in, one stored outcome out, then the mailbox is told.

``process_message`` gathers the facts the store and the config know of a message, lets
`intake.route` decide what becomes of it, and applies that decision (a ticket, an
incomplete report, an addition to a conversation, an archived automatic message, a held
or refused one) with the raw message, the events and the e-mails in ONE transaction.
``poll_mailbox`` does the same for a fetched batch in one transaction, a savepoint per
message (`process_batch`), and moves the messages on the server only after that commit,
so a crash in between fetches them again and finds each already stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, assert_never

from helpdesk import collector
from helpdesk.jobs import reports
from helpdesk.jobs.unread import Unread, unread
from helpdesk.wiring import Site
from intake.imap import Fetched, Mailbox
from intake.parse import Bounce, InboundMessage, parse
from intake.route import (
    HELP_DESK,
    OFFICE,
    Automatic,
    BounceOf,
    Duplicate,
    Facts,
    Held,
    Limits,
    NewSubmission,
    OverHourlyLimit,
    Refused,
    ReplyToSubmission,
    ReplyToTicket,
    SentEmail,
    Stored,
    Stranger,
    UnverifiedBounce,
    route,
)
from intake.subject import strip_prefixes, ticket_number
from notifier.bounces import Report, record_bounce
from notifier.outbox import queue
from notifier.policy import held_notice, refused_notice
from ticketing.addresses import is_reporter_address
from ticketing.conversation import is_our_message_id
from ticketing.directory import Role
from ticketing.models import Inbound, OutboxEmail
from ticketing.store import (
    DatabaseUnavailable,
    LeaseLost,
    StoreError,
    Tx,
    database_fault,
    database_unavailable,
)
from ticketing.vocabulary import PERSON_OUTCOMES, OutboxStatus, Outcome, SubmissionStatus

log = logging.getLogger(__name__)

# What became of a message, and the folder (by config name) it is moved to.
FOLDER_OF: dict[Outcome, str] = {
    Outcome.TICKET: "processed",
    Outcome.COMPLETED: "processed",
    Outcome.REPLY: "processed",
    Outcome.INCOMPLETE: "incomplete",
    Outcome.AUTOMATIC: "ignored",
    Outcome.BOUNCE: "ignored",
    Outcome.REPLY_STRANGER: "ignored",
    Outcome.QUARANTINE: "quarantine",
    Outcome.HELD: "ignored",
    Outcome.REFUSED: "ignored",
    Outcome.UNVERIFIED: "ignored",
}


@dataclass(frozen=True)
class Processed:
    outcome: Outcome
    detail: str = ""
    ticket: str | None = None
    submission: int | None = None
    duplicate: bool = False


@dataclass
class PollReport:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    error: str | None = None


def process_message(
    here: Site,
    raw: bytes,
    *,
    source: str,
    now: dt.datetime,
    uid: int | None = None,
    uidvalidity: int | None = None,
    received_at: dt.datetime | None = None,
    kept: int | None = None,
    since: dt.datetime | None = None,
) -> Processed:
    """Store one message and its outcome in one transaction: the facts, route's decision,
    then the decision applied. ``kept`` is the id of the row that already holds the
    message (held or quarantined, now replayed): the outcome is written there, and no
    second copy of the message is stored."""
    message = parse(raw)
    with here.store.transaction() as tx:
        return _process_in(
            here, tx, message, raw, source=source, now=now, uid=uid, uidvalidity=uidvalidity,
            received_at=received_at, kept=kept, since=since,
        )  # fmt: skip


def _process_in(
    here: Site, tx: Tx, message: InboundMessage, raw: bytes, *, source: str, now: dt.datetime,
    uid: int | None, uidvalidity: int | None, received_at: dt.datetime | None, kept: int | None,
    known: Known | None = None, since: dt.datetime | None = None,
) -> Processed:  # fmt: skip
    """`process_message`'s work, in the caller's transaction; ``known``: what was asked of
    the store for the message's batch; ``since``: when the help desk started reading the
    mailbox (`reports.arrival`)."""
    replayed = tx.inbound(kept) if kept is not None else None
    facts = gather_facts(here, tx, message, source=source, uid=uid, uidvalidity=uidvalidity,
                         now=now, known=known)  # fmt: skip
    decision = route(message, facts)
    arrived = reports.arrival(received_at, now, since)
    if isinstance(decision, Duplicate):
        if replayed is not None:  # processed meanwhile as another copy
            replayed.outcome = Outcome.REPLAYED
            replayed.detail = f"already stored as {decision.stored_as}"
            tx.save(replayed)
        return Processed(decision.outcome, "already stored", duplicate=True)
    if replayed is not None:
        inbound = replayed
        inbound.message_id = message.message_id
        inbound.from_address = message.from_address
        inbound.subject = message.subject
    else:
        inbound = Inbound(
            **_inbound(message, raw, source=source, uid=uid, uidvalidity=uidvalidity,
                       received_at=arrived, now=now)
        )  # fmt: skip
    previous = replayed.outcome if replayed is not None else None
    result = apply(here, tx, message, decision, now, arrived)
    inbound.outcome = result.outcome
    replay = f"replayed ({previous})" if previous is not None else ""
    inbound.detail = "; ".join(
        filter(None, [result.detail, reports.before_reading(received_at, since), replay])
    )
    if result.ticket:
        ticket = tx.ticket(result.ticket)
        inbound.ticket_id = ticket.id if ticket else None
    inbound.submission_id = result.submission
    tx.add_inbound(inbound)
    return result


def _inbound(
    message: InboundMessage, raw: bytes, *, source: str, uid: int | None,
    uidvalidity: int | None, received_at: dt.datetime | None, now: dt.datetime,
) -> dict[str, Any]:  # fmt: skip
    """The stored message's column values, its outcome still to be written."""
    return {
        "message_id": message.message_id,
        "raw_sha256": message.raw_sha256,
        "raw": raw,
        "size": message.size,
        "from_address": message.from_address,
        "subject": message.subject,
        "source": source,
        "uidvalidity": uidvalidity,
        "uid": uid,
        "received_at": received_at or now,  # the arrival (`reports.arrival`), never the Date
        "outcome": "",
        "detail": "",
        "ticket_id": None,
        "submission_id": None,
        "created_at": now,
    }


# --- the facts -----------------------------------------------------------------------


@dataclass
class Known:
    """What the store holds of a batch's messages, asked once for the batch (`ask`): the
    keys (Message-IDs, hashes, addresses) that something is stored under. A key outside
    these has nothing stored, and its question per message is not asked; for a key inside,
    it is asked as before. A message processed in the batch stores things under its own
    keys, so those are `touch`ed and asked as before for the messages after it."""

    inbound: set[str]  # Message-IDs and hashes of stored messages
    recent: set[str]  # senders with mail in the hour (since ``since``), as counted
    holds: set[str]  # senders with a hold, in force or released
    outbox: set[str]  # Message-IDs of our e-mails
    touched: set[str] = field(default_factory=set)

    @classmethod
    def ask(cls, tx: Tx, messages: Sequence[InboundMessage], now: dt.datetime) -> Known:
        ids = [m.message_id for m in messages if m.message_id]
        senders = [m.from_address for m in messages if m.from_address]
        # The messages' own hours start later (now() grows); a second hour is room for a
        # clock set back meanwhile.
        since = now - dt.timedelta(hours=2)
        return cls(
            inbound=tx.inbound_keys(ids, [m.raw_sha256 for m in messages]),
            recent=tx.recent_senders(senders, since, PERSON_OUTCOMES),
            holds=tx.held_or_released(senders),
            outbox=tx.outbox_message_ids(ids),
        )

    def new(self, message: InboundMessage) -> bool:
        """Nothing is stored of this message, by its Message-ID or its bytes."""
        keys = {message.message_id, message.raw_sha256}
        return not (keys & self.inbound or keys & self.touched)

    def may_have(self, found: set[str], key: str) -> bool:
        return key in found or key in self.touched

    def touch(self, message: InboundMessage) -> None:
        self.touched.update(k for k in (message.message_id, message.raw_sha256,
                                        message.from_address) if k)  # fmt: skip


def gather_facts(
    here: Site, tx: Tx, message: InboundMessage, *, source: str, uid: int | None,
    uidvalidity: int | None, now: dt.datetime, known: Known | None = None,
) -> Facts:  # fmt: skip
    """What the store and the config know of a message, for `route` to decide on. Of a
    message stored before nothing else is looked up, nor of a delivery report anything but
    the e-mails it may be about. ``known``: what the store holds of the message's batch,
    which spares the questions whose answer it already gives."""
    if (facts := _facts_known(here, message, known)) is not None:
        return facts
    new = known is not None and known.new(message)
    seen = None if new else tx.seen_inbound(message.message_id, message.raw_sha256)
    if seen is None and not new and uid is not None and uidvalidity is not None:
        # Held or quarantined, then a crash before the move: the same message again.
        seen = tx.kept_inbound(source, uidvalidity, uid, message.raw_sha256)
    if seen is not None:
        assert seen.id is not None
        return Facts(duplicate=Stored(seen.id, Outcome(seen.outcome)))
    if message.bounce is not None:
        return _bounce_facts(tx, message.bounce)
    address = message.from_address
    thread = [*message.in_reply_to, *message.references]
    ticket = tx.ticket_in_thread(thread)
    submission = tx.submission_in_thread(thread)
    number = ticket_number(message.subject, here.config.numbering.format)
    tagged = tx.ticket(number) if number else None
    staff_id = _staff_by_address(here, address) if address else None
    hold = None
    if address and (known is None or known.may_have(known.holds, address)):
        hold = tx.sender_hold(address)
    recent = 0
    if address and (known is None or known.may_have(known.recent, address)):
        recent = tx.recent_from(address, now - dt.timedelta(hours=1), PERSON_OUTCOMES)
    joined = ticket or tagged
    answered = tx.ours_answered(thread, joined.id) if joined is not None and joined.id else []
    return Facts(
        thread_ticket=ticket.number if ticket else None,
        thread_submission=submission.id if submission else None,
        thread_submission_completed=(
            submission is not None and submission.status != SubmissionStatus.OPEN
        ),
        tagged_ticket=tagged.number if tagged else None,
        reporter_of=frozenset(
            t.number
            for t in (ticket, tagged)
            if t is not None and address and is_reporter_address(t, address)
        ),
        own_message=_ours(here, tx, message.message_id, known),
        own_sender=_own_sender(here, address, staff_id),
        staff_id=staff_id,
        held_since=hold.since if hold else None,
        recent_from_sender=recent,
        limits=_limits(here),
        answered=tuple(_sent_email(email) for email in answered),
        trusted_authserv_id=here.config.intake.trusted_authserv_id,
    )


def _facts_known(here: Site, message: InboundMessage, known: Known | None) -> Facts | None:
    """`gather_facts` of a message whose facts the batch's answers (`Known`) give in full,
    without asking the store anything: a new message (nothing stored by its Message-ID or
    its bytes), not a delivery report, answering no thread and naming no ticket in its
    subject, from a sender with no hold and no mail counted in the hour, its Message-ID
    none of our e-mails'. None for any other message."""
    address = message.from_address
    if (
        known is None
        or not address
        or message.bounce is not None
        or message.in_reply_to
        or message.references
        or not known.new(message)
        or known.may_have(known.holds, address)
        or known.may_have(known.recent, address)
        or ticket_number(message.subject, here.config.numbering.format)
    ):
        return None
    message_id = message.message_id
    own = bool(message_id) and is_our_message_id(
        message_id or "", here.office.settings.sender.message_id_domain
    )
    if message_id and not own and known.may_have(known.outbox, message_id):
        return None
    staff_id = _staff_by_address(here, address)
    return Facts(
        own_message=own,
        own_sender=_own_sender(here, address, staff_id),
        staff_id=staff_id,
        limits=_limits(here),
        trusted_authserv_id=here.config.intake.trusted_authserv_id,
    )


def _sent_email(email: OutboxEmail) -> SentEmail:
    assert email.id is not None
    return SentEmail(
        id=email.id,
        message_id=email.message_id,
        recipients=tuple(address.lower() for address in email.recipients),
        status=email.status,
    )


def _bounce_facts(tx: Tx, bounce: Bounce) -> Facts:
    named = tx.outbox_by_message_id(bounce.original_message_id or "")
    return Facts(
        bounce_tokens_of=tuple(_sent_email(e) for e in tx.outbox_by_tokens(bounce.tokens)),
        bounce_names=_sent_email(named) if named is not None else None,
    )


def _limits(here: Site) -> Limits:
    config = here.config.intake
    return Limits(
        messages_per_hour=config.sender_messages_per_hour,
        message_bytes=config.max_message_mb * 1024 * 1024,
        attachment_bytes=config.max_attachment_mb * 1024 * 1024,
        attachments=config.max_attachments,
    )


def _ours(here: Site, tx: Tx, message_id: str | None, known: Known | None = None) -> bool:
    """A Message-ID we wrote: one of the outbox's, or of our form at our domain."""
    if not message_id:
        return False
    domain = here.office.settings.sender.message_id_domain
    if is_our_message_id(message_id, domain):
        return True
    if known is not None and not known.may_have(known.outbox, message_id):
        return False
    return tx.outbox_by_message_id(message_id) is not None


def _own_sender(here: Site, address: str | None, staff_id: str | None) -> str | None:
    if not address:
        return None
    if address in here.own_addresses:
        return OFFICE
    person = here.desk.directory.get(staff_id or "")
    return HELP_DESK if person is not None and person.role == Role.HELP_DESK else None


def _staff_by_address(here: Site, address: str) -> str | None:
    for person in here.desk.directory.staff.values():
        if person.email.lower() == address:
            return person.id
    return None


# --- the decision applied ------------------------------------------------------------

Applied = (
    Automatic | BounceOf | UnverifiedBounce | Held | OverHourlyLimit | Refused | ReplyToTicket
    | Stranger | ReplyToSubmission | NewSubmission
)  # fmt: skip


def apply(
    here: Site, tx: Tx, message: InboundMessage, decision: Applied, now: dt.datetime,
    arrived: dt.datetime | None = None,
) -> Processed:  # fmt: skip
    """Do what route decided, in the caller's transaction; decide nothing again.
    ``arrived``: when the message arrived (`reports.arrival`; now when not given)."""
    arrived = now if arrived is None else arrived
    match decision:
        case Automatic(reason):
            return Processed(Outcome.AUTOMATIC, reason)
        case UnverifiedBounce(reason):
            # Anyone can name our Message-IDs: archived, and nothing else happens.
            return Processed(Outcome.BOUNCE, f"unverified: {reason}")
        case BounceOf():
            return _bounce(here, tx, message, decision, now)
        case Held(since):
            return Processed(Outcome.HELD, f"sender held since {since.isoformat()}")
        case OverHourlyLimit():
            return _hold_sender(here, tx, message, decision, now)
        case Refused():
            return _refuse(here, tx, message, decision, now)
        case ReplyToTicket():
            return _reply_to_ticket(here, tx, message, decision, now)
        case Stranger(number):
            address = message.from_address or ""
            return Processed(Outcome.REPLY_STRANGER, f"from {address}, not the reporter",
                             ticket=number)  # fmt: skip
        case ReplyToSubmission(submission_id):
            return Processed(*reports.continued(here, tx, message, submission_id, now, arrived))
        case NewSubmission():
            return Processed(*reports.new(here, tx, message, now, arrived))
        case _:
            assert_never(decision)


def _bounce(
    here: Site, tx: Tx, message: InboundMessage, decision: BounceOf, now: dt.datetime
) -> Processed:
    bounce = message.bounce
    assert bounce is not None
    report = Report(status=bounce.status, action=bounce.action, remote=bounce.diagnostic)
    recorded = record_bounce(
        tx, here.office, decision.outbox_id, decision.recipients, report, now=now
    )
    return Processed(Outcome.BOUNCE, recorded.detail, ticket=recorded.ticket)


def _hold_sender(
    here: Site, tx: Tx, message: InboundMessage, decision: OverHourlyLimit, now: dt.datetime
) -> Processed:
    address = message.from_address
    assert address is not None
    tx.hold_sender(address, decision.count, now)
    notice = held_notice(here.office, address=address, name=message.from_name,
                         count=decision.count)  # fmt: skip
    for email in queue(tx, here.office, [notice], now=now, in_reply_to=message.message_id):
        # Sent even past the auto-reply limit (which the sender's earlier mail may have
        # used up): without it they never learn why nothing is answered any more. One
        # per hold, and a hold is made once until released: it cannot loop.
        if email.status == OutboxStatus.SUPPRESSED:
            email.status, email.last_error = OutboxStatus.PENDING, None
    return Processed(Outcome.HELD, f"{decision.count} messages in an hour: sender held")


def _refuse(
    here: Site, tx: Tx, message: InboundMessage, decision: Refused, now: dt.datetime
) -> Processed:
    assert message.from_address is not None
    notice = refused_notice(
        here.office, address=message.from_address, name=message.from_name,
        subject=strip_prefixes(message.subject),
        reasons=[reason.fields() for reason in decision.reasons],
    )  # fmt: skip
    queue(tx, here.office, [notice], now=now, in_reply_to=message.message_id)
    return Processed(Outcome.REFUSED, "; ".join(reason.code for reason in decision.reasons))


def _reply_to_ticket(
    here: Site, tx: Tx, message: InboundMessage, decision: ReplyToTicket, now: dt.datetime
) -> Processed:
    """A reply from the ticket's reporter or one of the staff (helpdesk.jobs.replies,
    loaded with the first reply: a poll of new reports alone does without it)."""
    from helpdesk.jobs.replies import apply_reply

    outcome, detail = apply_reply(here, tx, message, decision, now)
    return Processed(outcome, detail, ticket=decision.number)


def quarantine(
    here: Site, raw: bytes, error: str, *, source: str, now: dt.datetime,
    uid: int | None = None, uidvalidity: int | None = None, kept: int | None = None,
    received_at: dt.datetime | None = None, since: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Keep a message that could not be processed, with the reason and the moment it
    arrived (``received_at``, its INTERNALDATE), for a later replay.

    A message kept already (``kept``, being replayed; or the same message quarantined
    before, by its Message-ID or its bytes, injected again) is kept once: its row gets the
    new reason."""
    message = parse(raw)  # never raises; what a listing shows of the message
    with here.store.transaction() as tx:
        _quarantine_in(tx, message, raw, error, source=source, now=now, uid=uid,
                       uidvalidity=uidvalidity, kept=kept, received_at=received_at,
                       since=since)  # fmt: skip


def _quarantine_in(
    tx: Tx, message: InboundMessage, raw: bytes, error: str, *, source: str, now: dt.datetime,
    uid: int | None, uidvalidity: int | None, kept: int | None,
    received_at: dt.datetime | None = None, since: dt.datetime | None = None,
) -> None:  # fmt: skip
    """`quarantine`'s work, in the caller's transaction."""
    sha256 = message.raw_sha256
    existing = tx.inbound(kept) if kept is not None else None
    existing = existing or tx.quarantined_inbound(message.message_id, sha256)
    if existing is not None:
        existing.outcome, existing.detail = Outcome.QUARANTINE, error[:4000]
        tx.save(existing)
        return
    tx.add_inbound(
        Inbound(
            message_id=message.message_id,
            raw_sha256=sha256,
            raw=raw,
            size=len(raw),
            from_address=message.from_address,
            subject=message.subject,
            source=source,
            uid=uid,
            uidvalidity=uidvalidity,
            received_at=reports.arrival(received_at, now, since),
            outcome=Outcome.QUARANTINE,
            detail="; ".join(
                filter(None, [error[:4000], reports.before_reading(received_at, since)])
            ),
            created_at=now,
        )
    )


def not_the_messages_fault(exc: BaseException) -> StoreError | None:
    """The failure as the StoreError to stop the intake with, when it is not the message's
    but the database's (unreachable, gone mid-way, its disk full: DatabaseUnavailable) or
    the lease's (LeaseLost): the message is left where it is, neither retried nor
    quarantined, and read again once the database is back (or by the lease's holder)."""
    if isinstance(exc, (DatabaseUnavailable, LeaseLost)):
        return exc
    if database_unavailable(exc):
        return DatabaseUnavailable(f"database: {database_fault(exc)}; nothing was saved")
    return None


def process_with_retries(
    here: Site, raw: bytes, *, source: str, now: Callable[[], dt.datetime], attempts: int,
    uid: int | None = None, uidvalidity: int | None = None,
    received_at: dt.datetime | None = None, kept: int | None = None,
    since: dt.datetime | None = None,
) -> Processed:  # fmt: skip
    """Try a message a few times; if it still fails, quarantine it. Never raises for a bad
    message: one broken e-mail must not block the mailbox. ``kept``: see process_message;
    ``received_at``: when the message arrived (its INTERNALDATE; a kept message's own).
    The database's failure is not the message's: it raises (``not_the_messages_fault``)."""
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            return process_message(
                here, raw, source=source, now=now(), uid=uid, uidvalidity=uidvalidity,
                received_at=received_at, kept=kept, since=since,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - isolate the message, keep the loop going
            if (stop := not_the_messages_fault(exc)) is exc:
                raise
            if stop is not None:
                raise stop from exc
            last = _failed(exc, uid or source, attempt)
    quarantine(
        here, raw, last, source=source, now=now(), uid=uid, uidvalidity=uidvalidity, kept=kept,
        received_at=received_at, since=since,
    )  # fmt: skip
    return Processed(Outcome.QUARANTINE, last)


def _failed(exc: Exception, which: object, attempt: int) -> str:
    """An attempt's failure, logged; its one-line reason. An exception that says nothing
    of itself (a failed ``assert``) is named with where it was raised, so that the
    quarantined message's reason points at the cause."""
    reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if not str(exc) and (frames := traceback.extract_tb(exc.__traceback__)):
        where = frames[-1]
        place = "/".join(Path(where.filename).parts[-2:])
        reason = f"{reason} at {place}:{where.lineno} ({where.name})"
    log.warning("message %s: attempt %d failed: %s", which, attempt, reason)
    log.debug("traceback", exc_info=True)
    return reason


def process_batch(
    here: Site, fetched: Sequence[Fetched], *, source: str, now: Callable[[], dt.datetime],
    attempts: int, uidvalidity: int, since: dt.datetime | None = None,
) -> list[Processed]:  # fmt: skip
    """Fetched messages in ONE transaction, each in a savepoint of its own: what
    `process_with_retries` does for each, with the commit (its lock and its write to disk)
    paid once. A message that fails rolls back to its savepoint alone, is tried again and
    is quarantined as before; the others are committed together. Should the batch itself
    fail (the database refusing, the commit failing), nothing of it is kept and each
    message is processed on its own, in a transaction of its own, as before. The database
    unreachable or the lease lost (``not_the_messages_fault``) stops the batch: nothing of
    it is kept, and it raises.

    New reports whose facts the batch's answers give in full (`_facts_known`) are decided
    first and stored together, a run of them at a time (`_store_waiting`), as they would be
    one after another; a message of any other kind waits for the run before it to be
    stored, since what it asks of the store may be about the run."""
    try:
        messages = [parse(item.raw) for item in fetched]
        with here.store.transaction() as tx:
            known = Known.ask(tx, messages, now())
            results: list[Processed] = []
            waiting: list[tuple[Fetched, reports.NewReport]] = []
            for item, message in zip(fetched, messages, strict=True):
                report = _new_report(here, message, known)
                if report is not None:
                    waiting.append((item, report))
                    known.touch(message)
                    continue
                results += _store_waiting(here, tx, waiting, known, source=source, now=now,
                                          attempts=attempts, uidvalidity=uidvalidity,
                                          since=since)  # fmt: skip
                results.append(
                    _with_retries_in(
                        here,
                        tx,
                        item,
                        message,
                        known,
                        source=source,
                        now=now,
                        attempts=attempts,
                        uidvalidity=uidvalidity,
                        since=since,
                    )
                )
                known.touch(message)
            results += _store_waiting(here, tx, waiting, known, source=source, now=now,
                                      attempts=attempts, uidvalidity=uidvalidity,
                                      since=since)  # fmt: skip
            return results
    except Exception as exc:  # noqa: BLE001 - the batch is given up, not its messages
        if (stop := not_the_messages_fault(exc)) is exc:
            raise
        if stop is not None:
            raise stop from exc
        log.warning("batch of %d messages rolled back, each tried on its own: %s",
                    len(fetched), exc)  # fmt: skip
    return [
        process_with_retries(
            here,
            item.raw,
            source=source,
            now=now,
            attempts=attempts,
            uid=item.uid,
            uidvalidity=uidvalidity,
            received_at=item.internal_date,
            since=since,
        )
        for item in fetched
    ]


def _not_fetched(mailbox: Mailbox, uids: Sequence[int], fetched: Sequence[Fetched]) -> list[int]:
    """The messages of ``uids`` that were not fetched but are in the folder still (their
    body did not come: a server's fault), each said in the log. One gone meanwhile (moved
    or deleted by another client) is no loss."""
    missing = sorted(set(uids) - {item.uid for item in fetched})
    unread = sorted(mailbox.present(missing)) if missing else []
    for uid in unread:
        log.warning("message UID %d came without its body; it is read at the next poll", uid)
    return unread


def _new_report(here: Site, message: InboundMessage, known: Known) -> reports.NewReport | None:
    """A new report decided without asking the store (its facts known, `_facts_known`,
    and `route` making a new submission of it), or None for a message to process on its
    own (one that fails to be decided included: its own processing retries and
    quarantines it)."""
    try:
        facts = _facts_known(here, message, known)
        if facts is None or not isinstance(route(message, facts), NewSubmission):
            return None
        return reports.decide(here, message)
    except Exception:  # noqa: BLE001 - left to the message's own processing
        log.debug("message %s decided on its own", message.message_id, exc_info=True)
        return None


def _store_waiting(
    here: Site, tx: Tx, waiting: list[tuple[Fetched, reports.NewReport]], known: Known, *,
    source: str, now: Callable[[], dt.datetime], attempts: int, uidvalidity: int,
    since: dt.datetime | None = None,
) -> list[Processed]:  # fmt: skip
    """Store the new reports decided and waiting, together (`reports.store_new`, then
    their messages), in one savepoint; emptied. Should that fail, nothing of them is kept
    and each is processed on its own, as any message (`_with_retries_in`)."""
    if not waiting:
        return []
    batch, moment = list(waiting), now()
    waiting.clear()
    try:
        with tx.savepoint():
            arrivals = [reports.arrival(item.internal_date, moment, since) for item, _ in batch]
            stored = reports.store_new(here, tx, [report for _, report in batch], moment, arrivals)
            rows = []
            for (item, report), (result, ticket_id), arrived in zip(
                batch, stored, arrivals, strict=True
            ):
                row = _inbound(
                    report.message, item.raw, source=source, uid=item.uid,
                    uidvalidity=uidvalidity, received_at=arrived, now=moment,
                )  # fmt: skip
                outcome, detail, _, submission_id = result
                detail = "; ".join(
                    filter(None, [detail, reports.before_reading(item.internal_date, since)])
                )
                row.update(outcome=outcome.value, detail=detail, ticket_id=ticket_id,
                           submission_id=submission_id)  # fmt: skip
                rows.append(row)
            tx.insert_inbound(rows)
        return [Processed(*result) for result, _ in stored]
    except Exception as exc:  # noqa: BLE001 - each is tried on its own instead
        log.warning("%d new reports could not be stored together, each is tried on its own: %s",
                    len(batch), exc)  # fmt: skip
    return [
        _with_retries_in(
            here,
            tx,
            item,
            report.message,
            known,
            source=source,
            now=now,
            attempts=attempts,
            uidvalidity=uidvalidity,
            since=since,
        )  # fmt: skip
        for item, report in batch
    ]


def _with_retries_in(
    here: Site, tx: Tx, item: Fetched, message: InboundMessage, known: Known, *, source: str,
    now: Callable[[], dt.datetime], attempts: int, uidvalidity: int,
    since: dt.datetime | None = None,
) -> Processed:  # fmt: skip
    """`process_with_retries` for one message of a batch, in savepoints of ``tx``."""
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            with tx.savepoint():
                return _process_in(
                    here, tx, message, item.raw, source=source, now=now(), uid=item.uid,
                    uidvalidity=uidvalidity, received_at=item.internal_date, kept=None,
                    known=known, since=since,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - isolate the message, keep the batch going
            if not_the_messages_fault(exc) is not None:
                raise  # the batch's transaction is lost with its connection
            last = _failed(exc, item.uid, attempt)
    with tx.savepoint():
        _quarantine_in(tx, message, item.raw, last, source=source, now=now(), uid=item.uid,
                       uidvalidity=uidvalidity, kept=None,
                       received_at=item.internal_date, since=since)  # fmt: skip
    return Processed(Outcome.QUARANTINE, last)


# The most mail a batch holds, in the messages' own bytes (RFC822.SIZE), besides the
# batch's count: a batch is fetched whole and parsed before it is stored. A message larger
# than this goes in a batch of its own.
BATCH_BYTES = 32 * 1024 * 1024


def batches(
    uids: Sequence[int], sizes: dict[int, int], count: int, max_bytes: int
) -> Iterator[list[int]]:
    """The UIDs in order, cut into batches of at most ``count`` messages and at most
    ``max_bytes`` of mail by their ``sizes`` (a UID without one counts nothing: it is gone,
    and its fetch finds nothing)."""
    chunk: list[int] = []
    held = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if chunk and (len(chunk) >= count or held + size > max_bytes):
            yield chunk
            chunk, held = [], 0
        chunk.append(uid)
        held += size
    if chunk:
        yield chunk


def poll_mailbox(
    here: Site,
    mailbox: Mailbox,
    *,
    now: Callable[[], dt.datetime],
    going_on: Callable[[], bool] = lambda: True,
    new: Unread | None = None,
) -> PollReport:
    """Fetch what arrived since last time, process each message, then move it.

    Messages go in batches of ``intake.batch_size`` and at most `BATCH_BYTES` of mail
    (their sizes asked first, in one command): a batch is fetched in one command,
    processed in one transaction, each message in a savepoint of its own
    (`process_batch`), and committed; then the batch's messages are moved, one MOVE per
    folder (a MOVE costs the server some 10 ms however many messages it moves), and only
    then is the batch's last UID recorded. A crash before the moves fetches the
    batch again, and each message is found already stored. Once ``going_on()`` is false
    (the daemon no longer holds the mailbox) no further batch is processed: those
    processed are moved and recorded, the rest left for the mailbox's new reader.
    ``new``: what `unread` found, when the caller has asked it already."""
    config = here.config
    folder = config.mailbox.folder
    report = PollReport()
    found = new or unread(here, mailbox)
    validity, uids = found.uidvalidity, found.uids
    source = f"imap:{folder}"
    since: dt.datetime | None = None
    if uids:
        # When the help desk started reading this mailbox: its first message read, or
        # this poll, the first. Mail that had arrived before is received when read.
        with here.store.transaction() as tx:
            since = tx.first_read(source) or now()
    batch = config.intake.batch_size
    sizes = mailbox.sizes(uids) if len(uids) > 1 else {}
    for chunk in batches(uids, sizes, batch, BATCH_BYTES):
        targets: dict[str, list[int]] = {}
        last = None
        if not going_on():
            break
        messages = list(mailbox.fetch(chunk, batch=len(chunk)))
        with collector.paused():
            results = process_batch(
                here, messages, source=source, now=now, attempts=config.intake.attempts,
                uidvalidity=validity, since=since,
            )  # fmt: skip
        for fetched, processed in zip(messages, results, strict=True):
            last = fetched.uid
            report.fetched += 1
            report.outcomes[processed.outcome] = report.outcomes.get(processed.outcome, 0) + 1
            if processed.outcome == Outcome.QUARANTINE:
                report.quarantined += 1
            target = getattr(config.intake.folders, FOLDER_OF.get(processed.outcome, "ignored"))
            targets.setdefault(target, []).append(fetched.uid)
        for target, moved in targets.items():
            mailbox.move(moved, target)
        if last is not None and (left := _not_fetched(mailbox, chunk, messages)):
            # The next poll reads the folder from the first of them again (those after it
            # that were read were moved out of it).
            last = min(last, min(left) - 1)
        if last is not None:
            with here.store.transaction() as tx:
                tx.set_mailbox_state(folder, validity, last, now())
    return report
