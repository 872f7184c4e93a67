"""The store: the only code that talks SQL.

The caller owns the transaction::

    with store.transaction() as tx:
        ticket, events = desk.register(tx, ...)

Nothing here commits on its own; leaving the ``with`` block commits, an exception
rolls everything back (the complaint number included, so numbers have no gaps).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, insert, or_, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from ticketing import migrate
from ticketing.models import (
    AlertState,
    Attachment,
    BounceRecord,
    Event,
    Inbound,
    JobState,
    MailboxState,
    OutboxEmail,
    PhoneImport,
    SenderHold,
    Submission,
    Ticket,
)
from ticketing.workflow import State, Transition

# Ids per IN (...) query: well under SQLite's limit of bound parameters.
_Key = TypeVar("_Key", int, dt.datetime)
_CHUNK = 500


def _chunks(ids: Sequence[_Key]) -> Iterator[list[_Key]]:
    """``ids`` without repeats, in slices small enough for one ``IN (...)`` each."""
    unique = list(dict.fromkeys(ids))
    for offset in range(0, len(unique), _CHUNK):
        yield unique[offset : offset + _CHUNK]


class StoreError(Exception):
    """The database cannot be used as it is (missing, its schema out of date, its disk full
    or read-only): the message is one line for the user."""


# SQLite's primary result codes that say the file or its disk is at fault, not the program:
# each of these rolled the transaction back.
_SQLITE_FAULTS = {
    5: "another process holds the database",  # SQLITE_BUSY, after the busy timeout
    8: "the database cannot be written",  # SQLITE_READONLY
    10: "the disk could not be read or written",  # SQLITE_IOERR
    11: "the database file is damaged",  # SQLITE_CORRUPT
    13: "the disk holding the database is full",  # SQLITE_FULL
    14: "the database file cannot be opened",  # SQLITE_CANTOPEN
}


def database_fault(exc: BaseException) -> str | None:
    """What failed, for a failure of the database file or its disk; None for anything else."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is None or (code & 0xFF) not in _SQLITE_FAULTS:
        return None
    return f"{_SQLITE_FAULTS[code & 0xFF]} ({orig})"


@dataclass(frozen=True)
class TicketFilter:
    states: Sequence[str] = ()
    categories: Sequence[str] = ()
    agency: str | None = None  # a case-insensitive part of the agency name
    agency_not_in: Sequence[str] | None = None  # only agencies other than these (the register)
    overdue_at: dt.datetime | None = None  # only tickets overdue at this moment
    limit: int | None = None


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def check_schema(self) -> None:
        """Raise StoreError unless the database has been initialised and migrated."""
        try:
            current = migrate.current_revision(self.engine)
        except Exception as exc:  # an unreachable server, an unreadable file
            reason = database_fault(exc) or getattr(exc, "orig", None) or exc
            raise StoreError(f"cannot open the database: {reason}") from exc
        if current is None:
            raise StoreError("the database is not initialised; run 'helpdesk init'")
        if current != migrate.head_revision():
            raise StoreError(
                f"the database schema is at {current}, the program needs"
                f" {migrate.head_revision()}; run 'helpdesk init' to migrate it"
            )

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One transaction; a full disk, a read-only or locked file raise StoreError (the
        transaction rolled back), other database errors pass as they are."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    yield Tx(session)
        except OperationalError as exc:
            if (fault := database_fault(exc)) is None:
                raise
            raise StoreError(f"database: {fault}; nothing was saved") from exc


class Tx:
    """One database transaction's worth of operations."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- the unit of work ------------------------------------------------------

    def save(self, *rows: Any) -> None:
        """Write changed rows now (their ids and defaults filled in), within the
        transaction."""
        self.session.add_all(rows)
        self.session.flush()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that an exception rolls back alone."""
        with self.session.begin_nested():
            yield

    # --- numbering -----------------------------------------------------------

    def next_seq(self, name: str, year: int) -> int:
        """The next number of ``name`` in ``year``: atomic, and rolled back with the
        transaction, so two writers never get the same number and none is skipped."""
        return self.next_seqs(name, year, 1)

    # --- tickets -------------------------------------------------------------

    def add_ticket(self, ticket: Ticket) -> Ticket:
        self.session.add(ticket)
        self.session.flush()
        return ticket

    def ticket(self, number: str) -> Ticket | None:
        """The ticket numbered ``number``, as typed (any case, spaces around it)."""
        wanted = number.strip()
        for candidate in dict.fromkeys((wanted, wanted.upper())):  # the unique index first
            found = self.session.exec(select(Ticket).where(Ticket.number == candidate)).first()
            if found is not None:
                return found
        statement = select(Ticket).where(func.upper(Ticket.number) == wanted.upper())
        return self.session.exec(statement).first()

    def tickets(self, flt: TicketFilter = TicketFilter()) -> list[Ticket]:
        statement = select(Ticket)
        if flt.states:
            statement = statement.where(col(Ticket.state).in_(list(flt.states)))
        if flt.categories:
            statement = statement.where(col(Ticket.category).in_(list(flt.categories)))
        if flt.agency:
            pattern = f"%{flt.agency.lower()}%"
            statement = statement.where(func.lower(Ticket.agency).like(pattern))
        if flt.agency_not_in is not None:
            statement = statement.where(col(Ticket.agency).not_in(list(flt.agency_not_in)))
        if flt.overdue_at is not None:
            statement = statement.where(
                Ticket.state != State.CLOSED.value,
                col(Ticket.paused_at).is_(None),
                col(Ticket.due_at).is_not(None),
                col(Ticket.due_at) < flt.overdue_at,
            )
        statement = statement.order_by(col(Ticket.year), col(Ticket.seq))
        if flt.limit:
            statement = statement.limit(flt.limit)
        return list(self.session.exec(statement))

    def count_by_state(self) -> dict[str, int]:
        rows = self.session.exec(select(Ticket.state, func.count()).group_by(Ticket.state))
        return {state: n for state, n in rows}

    # --- events --------------------------------------------------------------

    def add_event(self, ticket: Ticket, **fields: Any) -> Event:
        if ticket.id is None:
            raise ValueError("ticket must be stored before its events")
        event = Event(ticket_id=ticket.id, **fields)
        self.session.add(event)
        self.session.flush()
        return event

    def apply(self, ticket: Ticket, transition: Transition, now: dt.datetime) -> Event:
        """Store a workflow transition: the ticket's new fields and its event."""
        for name, value in transition.changes.items():
            if not hasattr(ticket, name):
                raise ValueError(f"ticket has no field {name!r}")
            setattr(ticket, name, value.value if isinstance(value, State) else value)
        self.session.add(ticket)
        return self.add_event(
            ticket,
            at=now,
            actor=transition.actor,
            action=transition.action.value,
            from_state=transition.from_state.value,
            to_state=transition.to_state.value,
            note=transition.note,
            channel=transition.channel,
            data=dict(transition.data),
        )

    def events(self, ticket: Ticket) -> list[Event]:
        statement = select(Event).where(Event.ticket_id == ticket.id).order_by(col(Event.id))
        return list(self.session.exec(statement))

    def phone_tickets_received_at(self, moments: Sequence[dt.datetime]) -> list[Ticket]:
        """The phone-channel tickets received at one of ``moments`` (a phone log's call
        times): the candidates for a row imported before."""
        found: list[Ticket] = []
        for chunk in _chunks(moments):
            statement = select(Ticket).where(
                Ticket.channel == "phone", col(Ticket.received_at).in_(chunk)
            )
            found += self.session.exec(statement)
        return found

    # --- the monthly report ---------------------------------------------------

    def tickets_active_in(self, start: dt.datetime, end: dt.datetime) -> list[Ticket]:
        """Tickets that existed at some moment of ``[start, end)``: created before its end,
        and not closed for good before its start (a reopened ticket has no closed_at)."""
        statement = (
            select(Ticket)
            .where(
                col(Ticket.created_at) < end,
                or_(col(Ticket.closed_at).is_(None), col(Ticket.closed_at) >= start),
            )
            .order_by(col(Ticket.year), col(Ticket.seq))
        )
        return list(self.session.exec(statement))

    def events_of(self, ticket_ids: Sequence[int]) -> dict[int, list[Event]]:
        """The events of many tickets at once, each ticket's in order."""
        found: dict[int, list[Event]] = {ticket_id: [] for ticket_id in ticket_ids}
        for ids in _chunks(ticket_ids):
            statement = (
                select(Event)
                .where(col(Event.ticket_id).in_(ids))
                .order_by(col(Event.ticket_id), col(Event.id))
            )
            for event in self.session.exec(statement):
                found[event.ticket_id].append(event)
        return found

    def submissions_created(self, start: dt.datetime, end: dt.datetime) -> list[Submission]:
        statement = (
            select(Submission)
            .where(col(Submission.created_at) >= start, col(Submission.created_at) < end)
            .order_by(col(Submission.id))
        )
        return list(self.session.exec(statement))

    def tickets_by_id(self, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        found: dict[int, Ticket] = {}
        for ids in _chunks(ticket_ids):
            statement = select(Ticket).where(col(Ticket.id).in_(ids))
            found.update((t.id, t) for t in self.session.exec(statement) if t.id is not None)
        return found

    # --- attachments ---------------------------------------------------------

    def add_attachment(self, attachment: Attachment) -> Attachment:
        self.session.add(attachment)
        self.session.flush()
        return attachment

    def attachments(self, ticket: Ticket) -> list[Attachment]:
        statement = (
            select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(col(Attachment.id))
        )
        return list(self.session.exec(statement))

    # --- outbox --------------------------------------------------------------

    def enqueue(self, emails: Sequence[OutboxEmail]) -> list[OutboxEmail]:
        """Queue e-mails in this transaction: they exist exactly when its events do."""
        for email in emails:
            self.session.add(email)
        self.session.flush()
        return list(emails)

    def outbox(
        self, statuses: Sequence[str] = (), ticket: Ticket | None = None, limit: int | None = None
    ) -> list[OutboxEmail]:
        statement = select(OutboxEmail)
        if statuses:
            statement = statement.where(col(OutboxEmail.status).in_(list(statuses)))
        if ticket is not None:
            statement = statement.where(OutboxEmail.ticket_id == ticket.id)
        statement = statement.order_by(col(OutboxEmail.id))
        if limit:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    def outbox_email(self, email_id: int) -> OutboxEmail | None:
        return self.session.get(OutboxEmail, email_id)

    def outbox_counts(self) -> dict[str, int]:
        rows = self.session.exec(
            select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
        )
        return {status: n for status, n in rows}

    def recent_auto_replies(self, recipient: str, since: dt.datetime) -> int:
        """How many automatic replies went (or will go) to ``recipient`` since ``since``."""
        statement = select(func.count()).where(
            OutboxEmail.recipient == recipient.lower(),
            OutboxEmail.auto_submitted == "auto-replied",
            OutboxEmail.status != "suppressed",
            col(OutboxEmail.created_at) >= since,
        )
        return int(self.session.exec(statement).one())

    def claim_due(self, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[int]:
        """Take up to ``limit`` e-mails that are due, for one sender, until ``lease_until``.

        Due means pending and past its next attempt, or claimed by a sender whose lease
        ran out (it died mid-send). The claim is committed before sending, and a row is
        only claimed while its lease is free, so two senders never take the same e-mail.
        """
        due = (
            select(OutboxEmail.id)
            .where(
                ((col(OutboxEmail.status) == "pending") & (col(OutboxEmail.next_attempt_at) <= now))
                | ((col(OutboxEmail.status) == "sending") & (col(OutboxEmail.lease_until) < now))
            )
            .order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id))
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list(self.session.exec(due))
        if not ids:
            return []
        self.session.execute(
            update(OutboxEmail)
            .where(col(OutboxEmail.id).in_(ids))
            .values(status="sending", lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return [int(i) for i in ids]

    def mark_sent(self, email_id: int, now: dt.datetime) -> None:
        self._set(email_id, status="sent", sent_at=now, lease_until=None, last_error=None)

    def mark_retry(self, email_id: int, next_attempt_at: dt.datetime, error: str) -> None:
        email = self._get_email(email_id)
        self._set(
            email_id,
            status="pending",
            attempts=email.attempts + 1,
            next_attempt_at=next_attempt_at,
            lease_until=None,
            last_error=error,
        )

    def mark_dead(self, email_id: int, error: str) -> None:
        email = self._get_email(email_id)
        self._set(
            email_id, status="dead", attempts=email.attempts + 1, lease_until=None, last_error=error
        )

    def release(self, email_id: int) -> None:
        """Give a claimed e-mail back untouched (the sender could not try it)."""
        self._set(email_id, status="pending", lease_until=None)

    def requeue(self, email_id: int, now: dt.datetime) -> None:
        self._set(email_id, status="pending", next_attempt_at=now, lease_until=None)

    def _get_email(self, email_id: int) -> OutboxEmail:
        email = self.session.get(OutboxEmail, email_id)
        if email is None:
            raise LookupError(f"no outbox e-mail {email_id}")
        return email

    def _set(self, email_id: int, **values: Any) -> None:
        self.session.execute(
            update(OutboxEmail)
            .where(col(OutboxEmail.id) == email_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def ticket_by_id(self, ticket_id: int) -> Ticket | None:
        return self.session.get(Ticket, ticket_id)

    # --- intake --------------------------------------------------------------

    def seen_inbound(self, message_id: str | None, raw_sha256: str) -> Inbound | None:
        """A message stored before: the same Message-ID, or the very same bytes."""
        condition = Inbound.raw_sha256 == raw_sha256
        if message_id:
            condition = (Inbound.message_id == message_id) | condition
        # Kept but never processed: a replay must not find itself already stored.
        unprocessed = ["quarantine", "held", "replayed"]
        statement = (
            select(Inbound).where(condition, col(Inbound.outcome).not_in(unprocessed)).limit(1)
        )
        return self.session.exec(statement).first()

    def kept_inbound(
        self, source: str, uidvalidity: int, uid: int, raw_sha256: str
    ) -> Inbound | None:
        """The message at this UID of the mailbox, already kept unprocessed (held or
        quarantined): read again because the process stopped before it was moved."""
        statement = select(Inbound).where(
            Inbound.source == source,
            Inbound.uidvalidity == uidvalidity,
            Inbound.uid == uid,
            Inbound.raw_sha256 == raw_sha256,
            col(Inbound.outcome).in_(["quarantine", "held"]),
        )
        return self.session.exec(statement.limit(1)).first()

    def quarantined_inbound(self, message_id: str | None, raw_sha256: str) -> Inbound | None:
        """The quarantined message with this Message-ID or these very bytes, if any (the
        same message, as `seen_inbound` counts it)."""
        condition = Inbound.raw_sha256 == raw_sha256
        if message_id:
            condition = (Inbound.message_id == message_id) | condition
        statement = select(Inbound).where(condition, Inbound.outcome == "quarantine")
        return self.session.exec(statement.order_by(col(Inbound.id)).limit(1)).first()

    def add_inbound(self, inbound: Inbound) -> Inbound:
        self.session.add(inbound)
        self.session.flush()
        return inbound

    def inbound(self, inbound_id: int) -> Inbound | None:
        return self.session.get(Inbound, inbound_id)

    def inbound_list(self, outcomes: Sequence[str] = (), limit: int | None = None) -> list[Inbound]:
        statement = select(Inbound)
        if outcomes:
            statement = statement.where(col(Inbound.outcome).in_(list(outcomes)))
        statement = statement.order_by(col(Inbound.id))
        if limit:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    def ticket_in_thread(self, message_ids: Sequence[str]) -> Ticket | None:
        """The ticket a reply belongs to, by the Message-IDs it answers: one of our
        e-mails about the ticket, the reporter's first e-mail, or a message stored with it."""
        if not message_ids:
            return None
        ids = list(message_ids)
        for statement in (
            select(Ticket)
            .join(OutboxEmail, col(OutboxEmail.ticket_id) == col(Ticket.id))
            .where(col(OutboxEmail.message_id).in_(ids)),
            select(Ticket).where(col(Ticket.source_message_id).in_(ids)),
            select(Ticket)
            .join(Inbound, col(Inbound.ticket_id) == col(Ticket.id))
            .where(col(Inbound.message_id).in_(ids)),
        ):
            found = self.session.exec(statement.limit(1)).first()
            if found is not None:
                return found
        return None

    def submission_in_thread(self, message_ids: Sequence[str]) -> Submission | None:
        """The incomplete report a reply answers, by our reply's or its first Message-ID."""
        if not message_ids:
            return None
        ids = list(message_ids)
        statement = (
            select(Submission)
            .join(OutboxEmail, col(OutboxEmail.submission_id) == col(Submission.id))
            .where(col(OutboxEmail.message_id).in_(ids))
            .order_by(col(Submission.id).desc())
        )
        found = self.session.exec(statement.limit(1)).first()
        if found is None:
            statement = select(Submission).where(col(Submission.first_message_id).in_(ids))
            found = self.session.exec(statement.limit(1)).first()
        return found

    def submission(self, submission_id: int) -> Submission | None:
        return self.session.get(Submission, submission_id)

    def add_submission(self, submission: Submission) -> Submission:
        self.session.add(submission)
        self.session.flush()
        return submission

    def outbox_by_message_id(self, message_id: str) -> OutboxEmail | None:
        statement = select(OutboxEmail).where(OutboxEmail.message_id == message_id)
        return self.session.exec(statement).first()

    # --- bounces ---------------------------------------------------------------

    def outbox_by_tokens(self, tokens: Sequence[str]) -> list[OutboxEmail]:
        """Our e-mails with one of these bounce tokens, by id."""
        wanted = [t for t in tokens if t][:_CHUNK]
        if not wanted:
            return []
        statement = (
            select(OutboxEmail)
            .where(col(OutboxEmail.bounce_token).in_(wanted))
            .order_by(col(OutboxEmail.id))
        )
        return list(self.session.exec(statement))

    def bounce_record(self, outbox_id: int, recipient: str) -> BounceRecord | None:
        statement = select(BounceRecord).where(
            BounceRecord.outbox_id == outbox_id, BounceRecord.recipient == recipient.lower()
        )
        return self.session.exec(statement).first()

    def add_bounce_record(self, record: BounceRecord) -> BounceRecord:
        self.session.add(record)
        self.session.flush()
        return record

    def bounce_records(self, outbox_id: int) -> list[BounceRecord]:
        statement = (
            select(BounceRecord)
            .where(BounceRecord.outbox_id == outbox_id)
            .order_by(col(BounceRecord.id))
        )
        return list(self.session.exec(statement))

    def recent_kind_queued(self, kind: str, since: dt.datetime) -> int:
        """E-mails of ``kind`` queued since ``since`` to be sent (not held by a limit)."""
        statement = select(func.count()).where(
            OutboxEmail.kind == kind,
            OutboxEmail.status != "suppressed",
            col(OutboxEmail.created_at) >= since,
        )
        return int(self.session.exec(statement).one())

    def mailbox_state(self, folder: str) -> MailboxState | None:
        return self.session.get(MailboxState, folder)

    def set_mailbox_state(
        self, folder: str, uidvalidity: int, last_uid: int, now: dt.datetime
    ) -> None:
        state = self.session.get(MailboxState, folder)
        if state is None:
            state = MailboxState(folder=folder, uidvalidity=uidvalidity, updated_at=now)
        state.uidvalidity = uidvalidity
        state.last_uid = last_uid
        state.updated_at = now
        self.session.add(state)
        self.session.flush()

    def sender_hold(self, address: str) -> SenderHold | None:
        """The hold on ``address``, when it is in force."""
        hold = self.session.get(SenderHold, address.lower())
        return hold if hold is not None and hold.released_at is None else None

    def hold_sender(self, address: str, count: int, now: dt.datetime) -> SenderHold:
        hold = self.session.get(SenderHold, address.lower()) or SenderHold(
            address=address.lower(), since=now, count=count
        )
        hold.since, hold.count, hold.released_at, hold.released_by = now, count, None, None
        self.session.add(hold)
        self.session.flush()
        return hold

    def release_sender(self, address: str, by: str, now: dt.datetime) -> SenderHold | None:
        hold = self.sender_hold(address)
        if hold is not None:
            hold.released_at, hold.released_by = now, by
            self.session.add(hold)
        return hold

    def holds(self) -> list[SenderHold]:
        statement = select(SenderHold).where(col(SenderHold.released_at).is_(None))
        return list(self.session.exec(statement.order_by(col(SenderHold.since))))

    def recent_from(self, address: str, since: dt.datetime, outcomes: Sequence[str]) -> int:
        """Messages from ``address`` stored since ``since`` with one of ``outcomes``."""
        statement = select(func.count()).where(
            Inbound.from_address == address.lower(),
            col(Inbound.created_at) >= since,
            col(Inbound.outcome).in_(list(outcomes)),
        )
        return int(self.session.exec(statement).one())

    # --- deadlines -----------------------------------------------------------

    def running_without(
        self,
        action: str,
        due_before: dt.datetime | None = None,
        *,
        after: tuple[dt.datetime, int] | None = None,
        limit: int | None = None,
    ) -> list[Ticket]:
        """Open tickets whose clock runs, with a deadline (before ``due_before``), that have
        no ``action`` event since their current step started: each step gets one breach
        and one reminder at most. In order of (deadline, id); ``after`` and ``limit`` read
        them a page at a time (``after`` is the last (due_at, id) of the previous page)."""
        recorded = (
            select(Event.id)
            .where(
                col(Event.ticket_id) == col(Ticket.id),
                col(Event.action) == action,
                col(Event.at) >= col(Ticket.step_started_at),
            )
            .exists()
        )
        statement = select(Ticket).where(
            Ticket.state != State.CLOSED.value,
            col(Ticket.paused_at).is_(None),
            col(Ticket.due_at).is_not(None),
            ~recorded,
        )
        if due_before is not None:
            statement = statement.where(col(Ticket.due_at) < due_before)
        if after is not None:
            due, ident = after
            statement = statement.where(
                col(Ticket.due_at) >= due, or_(col(Ticket.due_at) > due, col(Ticket.id) > ident)
            )
        statement = statement.order_by(col(Ticket.due_at), col(Ticket.id))
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    # --- jobs ----------------------------------------------------------------

    def job_states(self) -> list[JobState]:
        return list(self.session.exec(select(JobState).order_by(col(JobState.name))))

    def record_job(self, name: str, *, started: dt.datetime, error: str | None,
                   now: dt.datetime) -> JobState:  # fmt: skip
        state = self.session.get(JobState, name) or JobState(name=name)
        state.last_started = started
        state.runs += 1
        if error is None:
            state.last_success = now
            state.failing_since = None
        else:
            state.failures += 1
            state.last_error = error[:4000]
            state.last_error_at = now
            state.failing_since = state.failing_since or now
        self.session.add(state)
        self.session.flush()
        return state

    # --- phone-log imports -----------------------------------------------------

    def phone_import(self, sha256: str, *, for_update: bool = False) -> PhoneImport | None:
        """The import of the file with this SHA-256; ``for_update`` locks its row on
        PostgreSQL (SQLite's write transactions are serialised already), so that two
        processes never import the same rows of one file."""
        statement = select(PhoneImport).where(PhoneImport.sha256 == sha256)
        if for_update and self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update()
        return self.session.exec(statement).first()

    def save_phone_import(self, record: PhoneImport) -> PhoneImport:
        self.session.add(record)
        self.session.flush()
        return record

    def phone_import_progress(self, sha256: str, *, for_update: bool = False) -> PhoneImport | None:
        """`phone_import` without the file's bytes (loaded only if read): each chunk of a
        large import reads and updates its record, and the file can be tens of megabytes."""
        statement = (
            select(PhoneImport).where(PhoneImport.sha256 == sha256).options(defer(PhoneImport.raw))
        )
        if for_update and self.session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update()
        return self.session.exec(statement).first()

    # --- many new tickets at once (a phone log's chunk) ---------------------------

    def next_seqs(self, name: str, year: int, count: int) -> int:
        """Take ``count`` consecutive numbers of ``name`` in ``year`` at once and return the
        first: what ``count`` calls of `next_seq` give, in one statement (atomic, and rolled
        back with the transaction)."""
        self.session.execute(
            text(
                "INSERT INTO counter (name, year, value) VALUES (:name, :year, 0)"
                " ON CONFLICT (name, year) DO NOTHING"
            ),
            {"name": name, "year": year},
        )
        row = self.session.execute(
            text(
                "UPDATE counter SET value = value + :count WHERE name = :name AND year = :year"
                " RETURNING value"
            ),
            {"name": name, "year": year, "count": count},
        ).one()
        return int(row[0]) - count + 1

    def insert_tickets(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert tickets given as column values (each with every column), in batches of
        one statement; their ids, in the order given. Cheaper than `add_ticket` per ticket:
        no ORM objects are made."""
        return self._insert_returning_ids(Ticket, rows)

    def insert_events(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """`insert_tickets` for events."""
        return self._insert_returning_ids(Event, rows)

    def add_events(self, rows: Sequence[dict[str, Any]]) -> None:
        """`insert_events` when the ids are not needed (the deadline sweep's reminders and
        breaches): one executemany, several times cheaper than RETURNING the ids."""
        if rows:
            self.session.execute(insert(Event.__table__), list(rows))  # type: ignore[attr-defined]

    def insert_outbox(self, rows: Sequence[dict[str, Any]]) -> None:
        """Queue e-mails given as column values (each with every column), as `enqueue` does."""
        if rows:
            self.session.execute(insert(OutboxEmail.__table__), list(rows))  # type: ignore[attr-defined]

    def _insert_returning_ids(self, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        table = model.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in self.session.execute(statement, list(rows)).scalars()]

    # --- the digest ----------------------------------------------------------

    def count_since(self, what: str, since: dt.datetime) -> int:
        """How many tickets were created or closed, or breach events recorded, since."""
        column = {
            "created": col(Ticket.created_at),
            "closed": col(Ticket.closed_at),
        }.get(what)
        if column is not None:
            statement = select(func.count()).select_from(Ticket).where(column >= since)
        else:
            statement = (
                select(func.count())
                .select_from(Event)
                .where(col(Event.action) == what, col(Event.at) >= since)
            )
        return int(self.session.exec(statement).one())

    def open_submissions(self) -> int:
        statement = select(func.count()).select_from(Submission).where(Submission.status == "open")
        return int(self.session.exec(statement).one())

    def outbox_kind_since(self, kind: str, since: dt.datetime) -> int:
        statement = select(func.count()).where(
            OutboxEmail.kind == kind, col(OutboxEmail.created_at) >= since
        )
        return int(self.session.exec(statement).one())

    # --- alerts about the program itself --------------------------------------

    def alert(self, name: str) -> AlertState | None:
        """The alert ``name`` while it is raised."""
        found = self.session.get(AlertState, name)
        return found if found is not None and found.cleared_at is None else None

    def raise_alert(self, name: str, detail: str, now: dt.datetime) -> None:
        state = self.session.get(AlertState, name) or AlertState(name=name, raised_at=now)
        state.raised_at, state.detail, state.cleared_at = now, detail[:4000], None
        self.session.add(state)
        self.session.flush()

    def clear_alert(self, name: str, now: dt.datetime) -> None:
        state = self.alert(name)
        if state is not None:
            state.cleared_at = now
            self.session.add(state)

    # The electronic archive.

    def archive_tickets(self, start: dt.datetime, end: dt.datetime) -> list[Ticket]:
        """The complaints received in ``[start, end)``, in number order."""
        statement = (
            select(Ticket)
            .where(col(Ticket.received_at) >= start, col(Ticket.received_at) < end)
            .order_by(col(Ticket.year), col(Ticket.seq))
        )
        return list(self.session.exec(statement))

    def archive_attachments(self, ticket_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        """The files kept with each ticket, in the order they were stored."""
        found: dict[int, list[Attachment]] = {ticket_id: [] for ticket_id in ticket_ids}
        for ids in _chunks(ticket_ids):
            statement = (
                select(Attachment)
                .where(col(Attachment.ticket_id).in_(ids))
                .order_by(col(Attachment.id))
            )
            for attachment in self.session.exec(statement):
                found[attachment.ticket_id].append(attachment)
        return found

    def archive_inbound(
        self, ticket_ids: Sequence[int], submission_ids: Sequence[int]
    ) -> list[Inbound]:
        """The messages that came in about these tickets or incomplete reports, by id."""
        found: dict[int, Inbound] = {}
        by = ((Inbound.ticket_id, ticket_ids), (Inbound.submission_id, submission_ids))
        for column, wanted in by:
            for ids in _chunks(wanted):
                for inbound in self.session.exec(select(Inbound).where(col(column).in_(ids))):
                    found[inbound.id or 0] = inbound
        return [found[key] for key in sorted(found)]

    def archive_outbox(
        self, ticket_ids: Sequence[int], submission_ids: Sequence[int]
    ) -> list[OutboxEmail]:
        """The e-mails about these tickets or incomplete reports, whatever their status, by id."""
        found: dict[int, OutboxEmail] = {}
        by = ((OutboxEmail.ticket_id, ticket_ids), (OutboxEmail.submission_id, submission_ids))
        for column, wanted in by:
            for ids in _chunks(wanted):
                for email in self.session.exec(select(OutboxEmail).where(col(column).in_(ids))):
                    found[email.id or 0] = email
        return [found[key] for key in sorted(found)]

    def archive_phone_imports(
        self, numbers: Sequence[str], start: dt.datetime, end: dt.datetime
    ) -> list[PhoneImport]:
        """The phone-log files that made one of these tickets, or were read in
        ``[start, end)``, by id. Only the files wanted are loaded whole."""
        wanted = set(numbers)
        index = select(PhoneImport.id, PhoneImport.row_tickets, PhoneImport.imported_at)
        ids = [
            record_id
            for record_id, row_tickets, imported_at in self.session.exec(index)
            if record_id is not None
            and (
                start <= imported_at < end
                or any(len(pair) > 1 and pair[1] in wanted for pair in row_tickets or [])
            )
        ]
        found: list[PhoneImport] = []
        for chunk in _chunks(ids):
            found += self.session.exec(select(PhoneImport).where(col(PhoneImport.id).in_(chunk)))
        return sorted(found, key=lambda record: record.id or 0)
