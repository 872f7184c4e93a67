"""Where one inbound message goes. Pure: the message and the facts the store knows in,
one decision out.

Order matters: a message stored before is skipped; a bounce is matched to the e-mail it
bounces; our own mail come back (our Message-ID, or the help desk's own address as the
sender) and automatic mail are archived and never answered; a reply joins its ticket or
its incomplete report (by our Message-IDs first; by the subject tag only when the sender
is the ticket's reporter or staff, since a tag alone is easy to forge); a help-desk
officer's mail that joins no ticket is archived (the help desk never reports to itself);
anything else is a new submission.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.parse import InboundMessage


@dataclass(frozen=True)
class Facts:
    """What the store knows about a message before it is routed."""

    duplicate: bool = False
    thread_ticket: str | None = None  # a ticket whose conversation the message answers
    thread_submission: int | None = None  # an incomplete report the message answers
    tagged_ticket: str | None = None  # the subject tag's ticket, when the sender may use it
    own_message: bool = False  # the message's Message-ID is one of ours: our mail came back
    own_sender: str | None = None  # OFFICE or HELP_DESK: the sender is one of our addresses


# Who among us a sender is: the help desk's own address (the one we send from, the
# mailbox's login), or a help-desk officer's address from the staff directory.
OFFICE, HELP_DESK = "office", "help_desk"


@dataclass(frozen=True)
class Duplicate:
    pass


@dataclass(frozen=True)
class Automatic:
    reason: str


@dataclass(frozen=True)
class BounceOf:
    original_message_id: str | None


@dataclass(frozen=True)
class ReplyToTicket:
    number: str
    via: str  # "thread" | "subject"


@dataclass(frozen=True)
class ReplyToSubmission:
    submission_id: int


@dataclass(frozen=True)
class NewSubmission:
    pass


Decision = Duplicate | Automatic | BounceOf | ReplyToTicket | ReplyToSubmission | NewSubmission


def route(message: InboundMessage, facts: Facts) -> Decision:
    if facts.duplicate:
        return Duplicate()
    if message.bounce is not None:
        return BounceOf(message.bounce.original_message_id)
    if facts.own_message:
        return Automatic(f"our own message {message.message_id}: come back to us")
    if facts.own_sender == OFFICE:
        return Automatic(f"from our own address {message.from_address}")
    if message.auto:
        return Automatic(message.auto)
    if message.mailing_list:
        return Automatic(f"mailing list {message.mailing_list}")
    if message.from_address is None:
        return Automatic("no sender address to answer")
    if facts.thread_ticket:
        return ReplyToTicket(facts.thread_ticket, "thread")
    if facts.own_sender == HELP_DESK:
        if facts.tagged_ticket:
            return ReplyToTicket(facts.tagged_ticket, "subject")
        return Automatic(
            f"from a help-desk officer's address {message.from_address}: joins no ticket, "
            "and the help desk's own mail is never made a ticket"
        )
    if facts.thread_submission is not None:
        return ReplyToSubmission(facts.thread_submission)
    if facts.tagged_ticket:
        return ReplyToTicket(facts.tagged_ticket, "subject")
    return NewSubmission()
