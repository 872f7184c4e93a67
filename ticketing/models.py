"""The tables. Only the store reads and writes them."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel
from sqlmodel._compat import SQLModelConfig

from ticketing.db import UTCDateTime


class _Table(SQLModel):
    """The tables' base: their pydantic validators are built when first asked for, not
    when the module is loaded. Rows are made as the ORM makes them, without validation,
    so a process that only reads and writes rows never builds one (some 10 ms of every
    start that touches the store)."""

    model_config = SQLModelConfig(defer_build=True)


class Ticket(_Table, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_ticket_year_seq"),
        Index("ix_ticket_state", "state"),
        Index("ix_ticket_due_at_id", "due_at", "id"),  # the deadline sweep's order
        Index("ix_ticket_received_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=64)
    year: int
    seq: int
    channel: str = Field(max_length=16)  # email | phone | letter | web
    state: str = Field(max_length=32)

    # The Formulir Pengaduan.
    received_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    agency: str
    division: str
    reporter_name: str
    position: str
    phone: str = Field(max_length=32)
    email: str
    sex: str = Field(max_length=1)
    employment_status: str = Field(max_length=16)
    category: str = Field(max_length=32)
    description: str = Field(sa_column=Column(Text, nullable=False))
    signature: str  # the channel's identity: sender address, or the officer who took the call
    created_by: str | None = None  # the officer who logged a phone call or letter
    source_message_id: str | None = None  # the reporter's e-mail that opened the ticket
    # The form's e-mail address, lower case, once confirmed (ticketing/addresses.py): only
    # then do the reporter's e-mails go to it.
    email_confirmed: str | None = None
    # The reporter's key to the ticket's status page and survey (ticketing.conversation.
    # new_access_token): in every e-mail to the reporter, never shown to anyone else.
    access_token: str = Field(unique=True, max_length=32)

    # Where it is in the SOP.
    unit: str | None = None
    assignee: str | None = None
    technician: str | None = None
    solution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    step_started_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    due_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    paused_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    remaining_minutes: int | None = None
    resolved_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    closed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class Event(_Table, table=True):
    """One change of a ticket. Never updated or deleted (the database refuses)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_ticket_id", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor: str
    action: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str = Field(max_length=32)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    channel: str = Field(max_length=16)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _row_type(name: str, model: Any, doc: str) -> Any:
    """A read-only record with an attribute for each of ``model``'s columns, in the table's
    order (a named tuple: made from the values at once, without a call for each)."""
    columns = [column.name for column in model.__table__.columns]
    record = collections.namedtuple(name, columns, defaults=[None] * len(columns))  # type: ignore[misc]
    record.__doc__ = doc
    record.__module__ = __name__
    return record


TicketRow = _row_type(
    "TicketRow", Ticket, "A ticket's columns as a read-only record; reads like a Ticket."
)
EventRow = _row_type("EventRow", Event, "An event's columns as a read-only record.")
TICKET_TIMES = frozenset(
    column.name
    for column in Ticket.__table__.columns  # type: ignore[attr-defined]
    if isinstance(column.type, UTCDateTime)
)
"""The ticket's columns that hold a moment."""
TICKET_REQUIRED = frozenset(
    column.name
    for column in Ticket.__table__.columns  # type: ignore[attr-defined]
    if not column.nullable and not column.primary_key
)
"""The ticket's columns that always hold a value (its id aside)."""


class Attachment(_Table, table=True):
    """A file archived with a ticket (a scanned letter, later an e-mail attachment)."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    filename: str
    stored_path: str  # relative to the archive folder
    content_type: str
    size: int
    sha256: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Counter(_Table, table=True):
    """The last complaint number handed out, per year."""

    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=32)
    year: int = Field(primary_key=True)
    value: int = 0


class OutboxEmail(_Table, table=True):
    """An e-mail to send, queued in the transaction of the event that calls for it.

    It is queued as data (``draft``: the template's language and context, the addresses,
    the Date, the threading and the drawn MIME boundary; `notifier.outbox.Draft`) with its
    Subject, Message-ID and bounce token, and rendered when it is sent: ``raw`` holds the
    exact bytes sent from then on, and the draft is dropped. Until then anything that
    shows the e-mail renders it from the draft (`notifier.outbox.email_bytes`), which
    gives the bytes that will be sent. E-mails queued before drafts existed have their
    bytes from the start. A new ticket's acknowledgement and the help desk's copy keep
    the facts they are composed from in place of the context (`notifier.policy.Composed`).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient", "recipient", "created_at"),
        Index("ix_outbox_bounce_token", "bounce_token", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id")
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    kind: str = Field(max_length=64)  # the template: "reporter.acknowledged", ...
    recipient: str  # the first To address, lower case: for rate limits and listings
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    subject: str
    message_id: str = Field(unique=True)
    auto_submitted: str = Field(max_length=32)  # RFC 3834: auto-replied | auto-generated
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    draft: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(max_length=16)  # an OutboxStatus (ticketing.vocabulary)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_until: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # What makes a delivery report about this e-mail ours (ticketing.conversation): in
    # its envelope sender and its X-Helpdesk-Ref header. None for e-mails queued before
    # tokens existed: a report about one of those cannot be verified.
    bounce_token: str | None = Field(default=None, max_length=32)


class BounceRecord(_Table, table=True):
    """A verified delivery failure of one of our e-mails to one of its recipients. The same
    failure reported again (servers retry, forgers repeat) adds to ``count``: one record,
    one note on the ticket, one alert."""

    __tablename__ = "bounce"
    __table_args__ = (
        UniqueConstraint("outbox_id", "recipient", name="uq_bounce_outbox_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id")
    recipient: str  # lower case, one of the e-mail's recipients
    status: str | None = Field(default=None, max_length=16)  # e.g. "5.1.1"
    action: str | None = Field(default=None, max_length=16)  # "failed"
    # What the remote server wrote (Diagnostic-Code or the like): its words, never ours;
    # shown only quoted and labelled as such.
    remote_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    count: int = 1  # reports received of this failure
    alerted: bool = False  # the help desk's alert was queued for it (sent or held by the cap)
    first_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Inbound(_Table, table=True):
    """A message that came in (by e-mail, or injected from a file), kept whole, with what
    became of it. Stored in the same transaction as its outcome."""

    __tablename__ = "inbound"
    __table_args__ = (
        Index("ix_inbound_message_id", "message_id"),
        Index("ix_inbound_raw_sha256", "raw_sha256"),
        Index("ix_inbound_sender", "from_address", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str | None = None
    raw_sha256: str = Field(max_length=64)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int
    from_address: str | None = None
    subject: str = ""
    source: str = Field(max_length=64)  # "imap:INBOX", "inject"
    uidvalidity: int | None = None
    uid: int | None = None
    received_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    outcome: str = Field(max_length=32)  # an Outcome (ticketing.vocabulary)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Submission(_Table, table=True):
    """An incomplete report: what was understood so far, and what is missing. The SOP does
    not follow it up until a reply completes it; then it becomes a ticket."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_sender", "sender", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    sender: str  # lower-case address
    sender_name: str = ""
    subject: str = ""
    values: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    problems: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(max_length=16)  # a SubmissionStatus (ticketing.vocabulary)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    first_message_id: str | None = None
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class MailboxState(_Table, table=True):
    """How far the mailbox has been read: the last UID seen under one UIDVALIDITY."""

    __tablename__ = "mailbox_state"

    folder: str = Field(primary_key=True)
    uidvalidity: int
    last_uid: int = 0
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SenderHold(_Table, table=True):
    """A sender whose mail is kept without processing, for flooding the mailbox, until the
    help desk releases them."""

    __tablename__ = "sender_hold"

    address: str = Field(primary_key=True)  # lower case
    since: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    count: int  # messages in the hour that triggered the hold
    released_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    released_by: str | None = None


class JobLease(_Table, table=True):
    """Which daemon runs a job that one at a time may run, since when (seconds since the
    epoch, by the database server's clock), and when it last said it still does."""

    __tablename__ = "job_lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=255)
    since: float
    renewed: float
    # Where the holder's process id means something: its machine's boot and PID namespace
    # (helpdesk.leases.host_key); None from a daemon before migration 0017.
    host_key: str | None = Field(default=None, max_length=128)


class JobState(_Table, table=True):
    """When each of the daemon's jobs last ran, and how it went: for `helpdesk status`."""

    __tablename__ = "job_state"

    name: str = Field(primary_key=True, max_length=64)
    last_started: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    last_success: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_error_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    failing_since: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    runs: int = 0
    failures: int = 0


class PhoneImport(_Table, table=True):
    """A phone-log CSV file read into tickets, known by its SHA-256: the same file read
    again makes no new ticket. A big file is committed in chunks; ``last_row`` is the last
    row committed, so an import cut short goes on after it instead of starting over."""

    __tablename__ = "phone_import"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    name: str  # the file's name when it was read
    source: str = Field(max_length=16)  # "drop" (the drop folder) | "cli" (`helpdesk import`)
    size: int
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # the file, archived
    encoding: str = Field(default="", max_length=32)
    status: str = Field(max_length=16)  # an ImportStatus (ticketing.vocabulary)
    rows: int = 0  # data rows in the file (blank rows not counted)
    last_row: int = 0  # the last spreadsheet row committed (the header is row 1)
    tickets: int = 0
    problems: int = 0  # rows that made no ticket
    row_tickets: list[list[Any]] = Field(  # [row, ticket number], in row order
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    problem_rows: list[dict[str, Any]] = Field(  # {row, id: [...], en: [...], cells: {...}}
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    notes: list[dict[str, str]] = Field(  # file-level remarks: {id, en}
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    imported_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class AlertState(_Table, table=True):
    """An alert raised to the help desk about the program itself, until it clears."""

    __tablename__ = "alert_state"

    name: str = Field(primary_key=True, max_length=64)  # "job:outbox", "mailbox:stale"
    raised_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    cleared_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class SurveyInvitation(_Table, table=True):
    """The one invitation of a closed ticket's reporter to the satisfaction survey (IKM),
    sent in the closure e-mail."""

    __tablename__ = "survey_invitation"
    __table_args__ = (Index("ix_survey_invitation_address", "address", "invited_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    address: str  # the reporter's address it went to, lower case
    invited_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class SurveyResponse(_Table, table=True):
    """A reporter's answer to the survey: one per ticket, never changed. Scores 1..4 per
    element (U1..U9 of PermenPANRB 14/2017), None where unanswered."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_answered_at", "answered_at"),
        *(CheckConstraint(f"u{i} BETWEEN 1 AND 4", name=f"score_u{i}") for i in range(1, 10)),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    channel: str = Field(max_length=16)  # email | web
    answered_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    u1: int | None = None
    u2: int | None = None
    u3: int | None = None
    u4: int | None = None
    u5: int | None = None
    u6: int | None = None
    u7: int | None = None
    u8: int | None = None
    u9: int | None = None
    saran: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The respondent's profile, as the regulation asks: sex from the form; the rest optional.
    sex: str | None = Field(default=None, max_length=1)
    age_band: str | None = Field(default=None, max_length=16)
    education: str | None = Field(default=None, max_length=16)
    occupation: str | None = Field(default=None, max_length=16)
    message_id: str | None = None  # the e-mail that brought an answer by e-mail

    @property
    def scores(self) -> tuple[int | None, ...]:
        return (self.u1, self.u2, self.u3, self.u4, self.u5, self.u6, self.u7, self.u8, self.u9)


class StaffPassword(_Table, table=True):
    """A staff member's password for the staff desk (`helpdesk staff password`), as an
    argon2 hash; never the password itself."""

    __tablename__ = "staff_password"

    staff_id: str = Field(primary_key=True, max_length=64)
    hash: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WebHit(_Table, table=True):
    """One counted request of the web application, for its rate limits: a public form sent
    from an address, a failed login for an account or from an address."""

    __tablename__ = "web_hit"
    __table_args__ = (Index("ix_web_hit_key", "kind", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # "form", "login_account", "login_address", "lacak"
    key: str = Field(max_length=255)  # the client address, or the staff id
    at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WebSubmission(_Table, table=True):
    """A public form that became a ticket, by the one-time id the form page carried: the
    same form sent twice (a double click, a reload) registers once."""

    __tablename__ = "web_submission"

    form_id: str = Field(primary_key=True, max_length=64)
    ticket_id: int = Field(foreign_key="ticket.id")
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
