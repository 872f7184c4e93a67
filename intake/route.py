"""Where one inbound message goes. Pure: the message and the facts the store knows in,
one decision out.

Order matters: a message stored before is skipped; a bounce is matched to the e-mail it
bounces, and counts only when it carries that e-mail's bounce token and names one of its
recipients (else it is archived as unverified: anyone can name our Message-IDs); our own
mail come back (our Message-ID, or the help desk's own address as the sender) and
automatic mail are archived and never answered; a reply joins its ticket or its
incomplete report (by our Message-IDs first; by the subject tag only when the sender is
the ticket's reporter or staff, since a tag alone is easy to forge); a help-desk
officer's mail that joins no ticket is archived (the help desk never reports to itself);
anything else is a new submission.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.parse import Bounce, InboundMessage


@dataclass(frozen=True)
class SentEmail:
    """One of our e-mails that a delivery report may be about, as the outbox knows it."""

    id: int
    message_id: str
    recipients: tuple[str, ...]  # lower case
    status: str


@dataclass(frozen=True)
class Facts:
    """What the store knows about a message before it is routed."""

    duplicate: bool = False
    thread_ticket: str | None = None  # a ticket whose conversation the message answers
    thread_submission: int | None = None  # an incomplete report the message answers
    tagged_ticket: str | None = None  # the subject tag's ticket, when the sender may use it
    # A delivery report: our e-mails whose bounce tokens it carries, and the one of ours
    # with the Message-ID it names, if any.
    bounce_tokens_of: tuple[SentEmail, ...] = ()
    bounce_names: SentEmail | None = None
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
    """A verified delivery report: our e-mail ``outbox_id`` did not reach ``recipients``."""

    outbox_id: int
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class UnverifiedBounce:
    """A delivery report we cannot tell is about an e-mail of ours: archived, nothing more."""

    reason: str


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


Decision = (
    Duplicate | Automatic | BounceOf | UnverifiedBounce | ReplyToTicket | ReplyToSubmission
    | NewSubmission
)  # fmt: skip

# An e-mail the SMTP server took (or may have taken: a sender killed before marking it).
SENT_STATUSES = frozenset({"sent", "sending", "bounced"})


def route(message: InboundMessage, facts: Facts) -> Decision:
    if facts.duplicate:
        return Duplicate()
    if message.bounce is not None:
        return verify_bounce(message.bounce, facts)
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


def verify_bounce(bounce: Bounce, facts: Facts) -> BounceOf | UnverifiedBounce:
    """Whether a delivery report is about one of our e-mails: it must carry the bounce
    token of an e-mail we sent and name (Final-Recipient, Original-Recipient, or the like)
    one of that e-mail's recipients. A token of one of our e-mails with the Message-ID of
    another is not a report of either."""
    bounced = [address.lower() for address in bounce.recipients]
    named = facts.bounce_names
    unsent = None
    for email in facts.bounce_tokens_of:
        if named is not None and named.id != email.id:
            continue
        if email.status not in SENT_STATUSES:
            unsent = email
            continue
        matching = tuple(address for address in bounced if address in email.recipients)
        if matching:
            return BounceOf(email.id, matching)
    if unsent is not None:
        return UnverifiedBounce(f"the token of our e-mail {unsent.id}, which was never sent")
    tokened = [e for e in facts.bounce_tokens_of if named is None or named.id == e.id]
    if tokened:
        return UnverifiedBounce(
            f"the token of our e-mail {tokened[0].id}, which did not go to"
            f" {', '.join(bounced) or 'the address it names (none)'}"
        )
    if named is not None:
        return UnverifiedBounce(f"names our e-mail {named.id} without its token")
    return UnverifiedBounce("carries no token of ours")
