"""Queue the SOP's e-mails in the transaction of their event, and plan their retries.

Every e-mail takes one path (`_rows`): each notice is rendered, threaded into its ticket's
conversation, held back by the auto-reply limit and stored in the outbox, all in the
caller's transaction: an event is committed with its e-mails or not at all. ``queue(tx,
office, notices, ...)`` stores them as objects of the session, which its caller may still
change; ``queue_for_events`` stores the e-mails of many events (a phone log's thousands of
new tickets) with one statement.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from notifier.compose import (
    AUTO_REPLIED,
    Recipient,
    Sender,
    Threading,
    can_address,
    draw_boundary_token,
    message_bytes,
    new_message_id,
    render,
    render_subject,
    subject_text,
)
from notifier.policy import Composed, Notice, Office, delivery_failed_notice, notices_for_event
from ticketing.conversation import new_bounce_token
from ticketing.models import Event, OutboxEmail, Submission, Ticket
from ticketing.store import Tx
from ticketing.survey import invite
from ticketing.vocabulary import OutboxStatus
from ticketing.workflow import Action

RecentAutoReplies = Callable[[str, dt.datetime], int]
"""How many automatic replies went (or will go) to an address since a moment."""

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class _Batch:
    """Notices queued together, about one ticket (or none) and one of its events (or none):
    they thread after the ticket's e-mails queued before them, not after each other."""

    notices: Sequence[Notice]
    ticket: Ticket | None = None  # or a record that reads like one (`ticketing.desk.Filed`)
    event: Event | None = None
    in_reply_to: str | None = None
    submission_id: int | None = None
    not_before: dt.datetime | None = None  # held back until then (a reminder found at night)
    held_back: str | None = None  # why they are kept in the outbox, not sent


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
    """Render and store ``notices`` in the outbox of this transaction, as objects of the
    session (the caller may still change them); ``not_before`` holds them back (a
    reminder found at night waits for the working day)."""
    batch = _Batch(
        notices, ticket, event, in_reply_to, submission.id if submission else None, not_before
    )
    return _enqueue(tx, office, batch, now=now)


def _enqueue(tx: Tx, office: Office, batch: _Batch, *, now: dt.datetime) -> list[OutboxEmail]:
    """`_rows` of one batch, stored as objects of the session."""
    return tx.enqueue([OutboxEmail(**row) for row in _rows(tx, office, [batch], now=now)])


def queue_many(
    tx: Tx,
    office: Office,
    items: Sequence[tuple[Ticket, Sequence[Notice]]],
    *,
    now: dt.datetime,
    not_before: dt.datetime | None = None,
) -> int:
    """What `queue(tx, office, notices, now=now, ticket=ticket, not_before=not_before)`
    called for each (ticket, notices) in turn would queue, byte for byte (each item's
    e-mails thread after those queued before it, the earlier ones of a ticket asked once
    for all the items), stored with one statement (the deadline sweep's thousands of
    reminders and breaches). Returns how many were queued."""
    batches = [_Batch(notices, ticket, not_before=not_before) for ticket, notices in items]
    rows = _rows(tx, office, batches, now=now)
    tx.insert_outbox(rows)
    return len(rows)


def queue_for_events(
    tx: Tx,
    office: Office,
    recorded: Sequence[tuple[Ticket, Sequence[Event]]],
    *,
    now: dt.datetime,
    new_tickets: bool = False,
) -> int:
    """The e-mails of workflow events just recorded, given as (ticket, its new events), one
    event after another (each sees the e-mails of those before it), stored with one
    statement. Returns how many were queued. A closure invites the reporter to the
    satisfaction survey when `ticketing.survey.invite` says so (recorded here, in the same
    transaction as the e-mail that carries it).

    ``new_tickets``: the tickets were registered in this transaction (`register_many`), so
    their events are their whole history and none of their e-mails is queued yet; that
    spares two queries a ticket."""
    batches = [
        batch
        for ticket, events in recorded
        for batch in _event_batches(tx, office, ticket, events, now=now, new_ticket=new_tickets)
    ]
    rows = _rows(tx, office, batches, now=now, new_tickets=new_tickets)
    tx.insert_outbox(rows)
    return len(rows)


@dataclass(frozen=True)
class Reply:
    """Notices that answer a message and are about no ticket (the reply to an incomplete
    report): what `queue` with ``in_reply_to`` and ``submission`` queues."""

    notices: Sequence[Notice]
    in_reply_to: str | None = None
    submission_id: int | None = None


def queue_arrivals(
    tx: Tx,
    office: Office,
    items: Sequence[tuple[Ticket, Sequence[Event]] | Reply],
    *,
    now: dt.datetime,
) -> int:
    """The e-mails of a batch of arrivals, one item after another, stored with one
    statement: for a ticket registered in this transaction with its events (`register_many`)
    what `queue_for_events(..., new_tickets=True)` queues, for a `Reply` what `queue` does.
    The automatic replies of the whole batch count against each address's hourly limit,
    as when queued one after another. Returns how many were queued."""
    batches: list[_Batch] = []
    for item in items:
        if isinstance(item, Reply):
            batches.append(
                _Batch(item.notices, in_reply_to=item.in_reply_to, submission_id=item.submission_id)
            )
        else:
            ticket, events = item
            batches += _event_batches(tx, office, ticket, events, now=now, new_ticket=True)
    rows = _rows(tx, office, batches, now=now, new_tickets=True)
    tx.insert_outbox(rows)
    return len(rows)


def _event_batches(
    tx: Tx,
    office: Office,
    ticket: Ticket,
    events: Sequence[Event],
    *,
    now: dt.datetime,
    new_ticket: bool,
) -> list[_Batch]:
    """The notices of a ticket's new events, a batch for each event (`queue_for_events`)."""
    history = events if new_ticket else tx.events(ticket)
    batches = []
    for event in events:
        invited = event.action == Action.CLOSE and bool(invite(tx, office.survey, ticket, now))
        notices = notices_for_event(office, ticket, event, history, invited=invited)
        batches.append(_Batch(notices, ticket, event))
    return batches


def _rows(
    tx: Tx,
    office: Office,
    batches: Iterable[_Batch],
    *,
    now: dt.datetime,
    new_tickets: bool = False,
) -> list[dict[str, Any]]:
    """The outbox rows (column values) of the batches' notices, as queueing each batch in
    turn would store them: a batch's e-mails thread after its ticket's e-mails queued before
    it, and the automatic replies queued count against the hourly limit. A notice to an
    address that cannot be written to is left out. ``new_tickets``: see `queue_for_events`."""
    batches = list(batches)
    earlier: dict[int, list[tuple[str, str]]] = {}  # each ticket's (kind, Message-ID) so far
    # Automatic replies to each recipient in the last hour: asked once for all the
    # recipients of the batches' automatic replies, then counted as they are queued.
    since = now - dt.timedelta(hours=1)
    counted = tx.recent_auto_replies_to(
        [
            notice.to[0].address.lower()
            for batch in batches
            for notice in batch.notices
            if notice.auto_submitted == AUTO_REPLIED and notice.to
        ],
        since,
    )

    def recent_auto_replies(recipient: str, since: dt.datetime) -> int:
        return counted.setdefault(recipient, 0)

    if not new_tickets:  # the e-mails queued before, of every ticket, in one query
        earlier = tx.threads(
            [b.ticket.id for b in batches if b.ticket is not None and b.ticket.id is not None]
        )
    rows: list[dict[str, Any]] = []
    for batch in batches:
        ticket = batch.ticket
        thread: list[tuple[str, str]] = []
        if ticket is not None and ticket.id is not None:
            thread = earlier.setdefault(ticket.id, [])
        made = []
        for notice in batch.notices:
            if not all(can_address(r.address) for r in (*notice.to, *notice.cc)):
                log.warning("%s not queued: an address cannot be written to", notice.kind)
                continue
            row = _email(
                office, notice, now=now, ticket=ticket, event=batch.event,
                in_reply_to=batch.in_reply_to, earlier=thread,
                recent_auto_replies=recent_auto_replies,
            )  # fmt: skip
            row.update(submission_id=batch.submission_id, lease_until=None, sent_at=None)
            if batch.not_before is not None and batch.not_before > row["next_attempt_at"]:
                row["next_attempt_at"] = batch.not_before
            if batch.held_back is not None:
                row.update(status=OutboxStatus.SUPPRESSED, last_error=batch.held_back)
            made.append(row)
        for row in made:
            if row["auto_submitted"] == AUTO_REPLIED and row["status"] == OutboxStatus.PENDING:
                counted[row["recipient"]] += 1
            thread.append((row["kind"], row["message_id"]))
        rows += made
    return rows


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
    held_back = (
        f"alert limit: {lately} alerts of e-mails not delivered in the last hour"
        if lately >= limit
        else None
    )
    return _enqueue(tx, office, _Batch([notice], ticket, held_back=held_back), now=now)


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
    Message-ID) of the ticket's e-mails queued before it.

    The row holds the e-mail as data (`Draft`): its text is rendered when it is sent
    (`email_bytes`), from what is fixed here, so that it is the same e-mail whenever it is
    rendered. What is drawn at random (the Message-ID, the bounce token, the MIME
    boundary) is drawn here, in that order."""
    settings = office.settings
    sender = settings.sender
    rng = sender.rng
    language = settings.language
    message_id = new_message_id(
        sender.message_id_domain, ticket.number if ticket else None, rng=rng
    )
    threading = _threading(ticket, notice, in_reply_to, earlier)
    token = new_bounce_token(rng)
    draft = Draft(
        language=language,
        context=notice.context,
        sender=(sender.name, sender.address),
        to=[(r.address, r.name) for r in notice.to],
        cc=[(r.address, r.name) for r in notice.cc],
        date=now,
        in_reply_to=threading.in_reply_to,
        references=list(threading.references),
        boundary=draw_boundary_token(rng),
    )
    subject = subject_text(render_subject(notice.kind, language, notice.context))
    recipient = notice.to[0].address.lower()
    status = OutboxStatus.PENDING
    error = None
    if notice.auto_submitted == AUTO_REPLIED:
        since = now - dt.timedelta(hours=1)
        sent_lately = recent_auto_replies(recipient, since)
        if sent_lately >= settings.auto_reply_limit_per_hour:
            # Two auto-responders answering each other would loop forever: keep the
            # e-mail on record, but do not send it.
            status = OutboxStatus.SUPPRESSED
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
        "raw": None,
        "draft": draft.encode(),
        "status": status,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": error,
        "created_at": now,
        "bounce_token": token,
    }


@dataclass(frozen=True)
class Draft:
    """What an outbox e-mail is rendered from, besides its row's kind, Message-ID,
    Auto-Submitted and bounce token: the template's language and context, the From, To
    and Cc, the Date, the threading and the drawn MIME boundary. Stored as JSON
    (``outbox.draft``).

    The context is either data (strings, numbers, lists and mappings), so that the e-mail
    rendered from it is the same now or later, or, for the kinds composed from facts
    (`notifier.policy.Composed`: the acknowledgement of a new ticket and the help desk's
    copy of it), the facts, fixed when it is queued: the e-mail says them in its language
    as the office's configuration does when it is rendered."""

    language: str
    context: Mapping[str, Any]  # a `Composed` one is stored as its facts
    sender: tuple[str, str]  # (name, address)
    to: Sequence[tuple[str, str]]  # (address, name)
    cc: Sequence[tuple[str, str]]
    date: dt.datetime
    in_reply_to: str | None
    references: Sequence[str]
    boundary: int

    def encode(self) -> str:
        # orjson: an acknowledgement's draft in about 1 us, where the json module takes 14;
        # compact, UTF-8 as it stands. A context's keys are strings (the templates' names):
        # orjson refuses any other.
        context = self.context
        said = {"facts": context.facts} if isinstance(context, Composed) else {"context": context}
        return orjson.dumps(
            {
                "language": self.language,
                **said,
                "from": list(self.sender),
                "to": [list(r) for r in self.to],
                "cc": [list(r) for r in self.cc],
                "date": self.date.isoformat(),
                "in_reply_to": self.in_reply_to,
                "references": list(self.references),
                "boundary": self.boundary,
            }
        ).decode()

    @classmethod
    def decode(cls, text: str, office: Office, kind: str) -> Draft:
        """The draft of an outbox e-mail of ``kind``; ``office`` composes its context when
        it is stored as facts."""
        data = orjson.loads(text)
        name, address = data["from"]
        facts = data.get("facts")
        return cls(
            language=data["language"],
            context=data["context"]
            if facts is None
            else Composed(office, kind, facts, language=data["language"]),
            sender=(name, address),
            to=[(a, n) for a, n in data["to"]],
            cc=[(a, n) for a, n in data["cc"]],
            date=dt.datetime.fromisoformat(data["date"]),
            in_reply_to=data["in_reply_to"],
            references=data["references"],
            boundary=int(data["boundary"]),
        )


def email_bytes(email: OutboxEmail, office: Office) -> bytes:
    """The e-mail's bytes: those sent, once it is sent; before, rendered from its draft,
    the same bytes the sender will render and send (``office`` composes a draft stored as
    facts)."""
    if email.raw is not None:
        return email.raw
    if email.draft is None:
        raise ValueError(f"outbox e-mail {email.id} has neither its bytes nor a draft")
    draft = Draft.decode(email.draft, office, email.kind)
    name, address = draft.sender
    raw, _ = message_bytes(
        render(email.kind, draft.language, draft.context),
        sender=Sender(address=address, name=name, message_id_domain=""),
        to=[Recipient(a, n) for a, n in draft.to],
        cc=[Recipient(a, n) for a, n in draft.cc],
        message_id=email.message_id,
        date=draft.date,
        auto_submitted=email.auto_submitted,
        threading=Threading(in_reply_to=draft.in_reply_to, references=draft.references),
        language=draft.language,
        bounce_token=email.bounce_token,
        boundary_token=draft.boundary,
    )
    return raw


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
