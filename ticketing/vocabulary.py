"""The words the store keeps in its status columns, each vocabulary defined once.

They are `StrEnum`s: a member is its string (``Outcome.TICKET == "ticket"``), so rows
written before these existed read the same, and JSON and the CLI show the plain word.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What became of one inbound message (``inbound.outcome``)."""

    TICKET = "ticket"  # a complete report: a new ticket
    COMPLETED = "completed"  # the answer that completed an incomplete report: a ticket
    REPLY = "reply"  # a reply noted on its ticket
    INCOMPLETE = "incomplete"  # an incomplete report, answered with what is missing
    AUTOMATIC = "automatic"  # automatic mail (or our own come back): archived, unanswered
    BOUNCE = "bounce"  # a delivery report about one of our e-mails
    REPLY_STRANGER = "reply_stranger"  # a reply to a ticket from neither reporter nor staff
    QUARANTINE = "quarantine"  # could not be processed: kept for a replay
    HELD = "held"  # from a sender held for flooding the mailbox: kept for a replay
    REFUSED = "refused"  # over the size limits: refused with a reply
    REPLAYED = "replayed"  # a kept copy whose message was meanwhile stored as another
    UNVERIFIED = "unverified"  # a reply to a ticket not verified as its sender's: a note


# A person's mail: what counts towards the hourly limit per sender.
PERSON_OUTCOMES = (
    Outcome.TICKET, Outcome.COMPLETED, Outcome.REPLY, Outcome.INCOMPLETE,
    Outcome.REPLY_STRANGER, Outcome.REFUSED, Outcome.UNVERIFIED,
)  # fmt: skip
# Kept to be replayed (`helpdesk intake replay`).
KEPT_OUTCOMES = (Outcome.QUARANTINE, Outcome.HELD)


class OutboxStatus(StrEnum):
    """Where one of our e-mails is (``outbox.status``)."""

    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a sender until lease_until
    SENT = "sent"  # the SMTP server took it
    DEAD = "dead"  # failed for good
    SUPPRESSED = "suppressed"  # held back by the auto-reply or alert limit, never sent
    BOUNCED = "bounced"  # sent, then returned by a delivery report


# E-mails the SMTP server took (or may have taken: a sender killed before marking it).
SENT_STATUSES = frozenset({OutboxStatus.SENT, OutboxStatus.SENDING, OutboxStatus.BOUNCED})


class SubmissionStatus(StrEnum):
    """An incomplete report (``submission.status``)."""

    OPEN = "open"  # waiting for the rest of the form
    COMPLETED = "completed"  # became a ticket


class ImportStatus(StrEnum):
    """A phone-log file's import (``phone_import.status``)."""

    IMPORTING = "importing"  # rows committed up to last_row; goes on when read again
    DONE = "done"


# Who an unverified reply's note is recorded by: nobody's name (the address it claims is in
# the note and the event's data). Printed documents and the archive's forms leave it out.
UNVERIFIED_ACTOR = "unverified-sender"
