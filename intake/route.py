"""Where one inbound message goes. Pure: the message and the facts the job gathered from the
store and the config in, one decision out. No store, no config, no clock in here.

Order matters:
1. a message stored before is skipped;
2. a delivery report is matched to the e-mail it bounces, and counts only when it carries
   that e-mail's bounce token and names one of its recipients (else it is archived as
   unverified: anyone can name our Message-IDs);
3. our own mail come back (our Message-ID, or the help desk's own address as the sender)
   and automatic mail are archived and never answered, whoever sent them;
4. a person's mail goes where it belongs: a reply joins its ticket or its incomplete report
   (by our Message-IDs first; by the subject tag only when the sender is the ticket's
   reporter or staff, since a tag alone is easy to forge); a help-desk officer's mail that
   joins no ticket is archived (the help desk never reports to itself); anything else is a
   new submission;
   a reply that joins a ticket is believed to be from its sender only when it answers (by
   In-Reply-To or References) an e-mail we sent to that same address about that ticket
   (our Message-IDs carry a random part nobody else has seen) and, where the office's
   receiving server is named, that server vouches for the sender (intake.authentication);
   else it is kept as an unverified note, in nobody's name, and changes nothing;
5. but before it gets there, a person's mail is held when its sender is held for flooding
   the mailbox, or when it is the message that takes them over the hourly limit (which
   holds them), and refused when it is over the size limits. A reply to a ticket from
   neither its reporter nor staff (a stranger) counts as a person's mail too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from intake.authentication import Verdict, authenticate
from intake.parse import Bounce, InboundMessage
from ticketing.vocabulary import SENT_STATUSES, Outcome


@dataclass(frozen=True)
class SentEmail:
    """One of our e-mails that a delivery report may be about, as the outbox knows it."""

    id: int
    message_id: str
    recipients: tuple[str, ...]  # lower case
    status: str


@dataclass(frozen=True)
class Stored:
    """A message stored before: its row, and what became of it."""

    id: int
    outcome: Outcome


@dataclass(frozen=True)
class Limits:
    """What a person may send: ``[intake]`` of the config, sizes in bytes; None: no limit."""

    messages_per_hour: int | None = None
    message_bytes: float | None = None
    attachment_bytes: float | None = None
    attachments: int | None = None


@dataclass(frozen=True)
class Facts:
    """What the store and the config tell about a message, before it is routed."""

    duplicate: Stored | None = None  # the same message, stored before
    thread_ticket: str | None = None  # a ticket whose conversation the message answers
    thread_submission: int | None = None  # an incomplete report the message answers
    thread_submission_completed: bool = False  # ... which has become a ticket meanwhile
    tagged_ticket: str | None = None  # the ticket the subject's tag names, whoever sent it
    reporter_of: frozenset[str] = frozenset()  # of those two tickets, the sender's own
    # A delivery report: our e-mails whose bounce tokens it carries, and the one of ours
    # with the Message-ID it names, if any.
    bounce_tokens_of: tuple[SentEmail, ...] = ()
    bounce_names: SentEmail | None = None
    own_message: bool = False  # the message's Message-ID is one of ours: our mail came back
    own_sender: str | None = None  # OFFICE or HELP_DESK: the sender is one of our addresses
    staff_id: str | None = None  # the sender's id in the staff directory, in any role
    held_since: dt.datetime | None = None  # the sender is held for flooding the mailbox
    recent_from_sender: int = 0  # the sender's mail counted in the last hour, before this
    limits: Limits = Limits()
    # Our e-mails about the ticket the message joins that it answers (In-Reply-To and
    # References), newest first; and the office's receiving server ([intake]
    # trusted_authserv_id), whose Authentication-Results must vouch for the sender.
    answered: tuple[SentEmail, ...] = ()
    trusted_authserv_id: str | None = None


# Who among us a sender is: the help desk's own address (the one we send from, the
# mailbox's login), or a help-desk officer's address from the staff directory.
OFFICE, HELP_DESK = "office", "help_desk"


@dataclass(frozen=True)
class Duplicate:
    """Stored before (``stored_as``, with its ``outcome``): nothing is done again."""

    stored_as: int
    outcome: Outcome


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
class Held:
    """From a sender held for flooding the mailbox: kept, unanswered, until released."""

    since: dt.datetime


@dataclass(frozen=True)
class OverHourlyLimit:
    """The message that takes its sender over the hourly limit: the sender is held (and
    told so, once), and the message kept with the held ones."""

    count: int  # the sender's messages in the last hour, this one included


@dataclass(frozen=True)
class Reason:
    """One limit a message is over: ``code`` is message_size, attachment_size or
    attachment_count; ``name`` is the attachment's, for attachment_size."""

    code: str
    actual: str
    limit: str
    name: str | None = None

    def fields(self) -> dict[str, str]:
        """The reason as the refusal's template reads it."""
        named = {"name": self.name} if self.name is not None else {}
        return {"code": self.code, **named, "actual": self.actual, "limit": self.limit}


@dataclass(frozen=True)
class Refused:
    """Over the size limits: kept, not processed, and the sender told why."""

    reasons: tuple[Reason, ...]


# Why a reply to a ticket is not believed to be from its sender.
NO_THREAD = "no_thread"  # it answers no e-mail we sent to that address about the ticket
NOT_VERIFIED = "not_verified"  # the office's mail server does not vouch for the sender


@dataclass(frozen=True)
class ReplyToTicket:
    number: str
    via: str  # "thread" | "subject"
    staff_id: str | None = None  # from one of the staff; None: from the ticket's reporter
    answers: int | None = None  # the e-mail of ours it answers (outbox id), when verified
    unverified: str | None = None  # NO_THREAD or NOT_VERIFIED: kept as a note, in no name
    check: str = ""  # what the checks found, for the record


@dataclass(frozen=True)
class Stranger:
    """A reply in a ticket's conversation from neither its reporter nor staff: archived."""

    number: str


@dataclass(frozen=True)
class ReplyToSubmission:
    submission_id: int


@dataclass(frozen=True)
class NewSubmission:
    pass


Decision = (
    Duplicate | Automatic | BounceOf | UnverifiedBounce | Held | OverHourlyLimit | Refused
    | ReplyToTicket | Stranger | ReplyToSubmission | NewSubmission
)  # fmt: skip

PersonMail = ReplyToTicket | Stranger | ReplyToSubmission | NewSubmission


def route(message: InboundMessage, facts: Facts) -> Decision:
    if facts.duplicate is not None:
        return Duplicate(facts.duplicate.id, facts.duplicate.outcome)
    if message.bounce is not None:
        return verify_bounce(message.bounce, facts)
    automatic = automatic_mail(message, facts)
    if automatic is not None:
        return automatic
    place = destination(message, facts)
    if isinstance(place, Automatic):
        return place
    return gate(message, facts) or place


def automatic_mail(message: InboundMessage, facts: Facts) -> Automatic | None:
    """Mail that is never answered: our own come back, automatic or list mail, or mail
    with no address to answer."""
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
    return None


def destination(message: InboundMessage, facts: Facts) -> PersonMail | Automatic:
    """Where a person's mail belongs: its ticket, its incomplete report, or a new one."""
    if facts.thread_ticket:
        return _reply(message, facts, facts.thread_ticket, "thread")
    if facts.own_sender == HELP_DESK:
        if facts.tagged_ticket and facts.thread_submission is None:
            return _reply(message, facts, facts.tagged_ticket, "subject")
        return Automatic(
            f"from a help-desk officer's address {message.from_address}: joins no ticket, "
            "and the help desk's own mail is never made a ticket"
        )
    if facts.thread_submission is not None:
        if facts.thread_submission_completed:
            return NewSubmission()
        return ReplyToSubmission(facts.thread_submission)
    if facts.tagged_ticket and _may_write_to(facts, facts.tagged_ticket):
        return _reply(message, facts, facts.tagged_ticket, "subject")
    return NewSubmission()


def _is_staff(facts: Facts) -> bool:
    return facts.staff_id is not None or facts.own_sender == HELP_DESK


def _may_write_to(facts: Facts, number: str) -> bool:
    """The ticket's reporter (the form's address, or the one the complaint came from), or
    one of the staff."""
    return number in facts.reporter_of or _is_staff(facts)


def _reply(
    message: InboundMessage, facts: Facts, number: str, via: str
) -> ReplyToTicket | Stranger:
    if not _may_write_to(facts, number):
        return Stranger(number)
    return verify_sender(message, facts, ReplyToTicket(number, via, facts.staff_id))


def verify_sender(message: InboundMessage, facts: Facts, reply: ReplyToTicket) -> ReplyToTicket:
    """Whether a reply from the ticket's reporter or staff is believed to be theirs: it
    answers an e-mail of ours to that same address (a subject tag alone never counts), and
    the office's mail server, where one is named, vouches for the sender."""
    address = (message.from_address or "").lower()
    evidence = [email for email in facts.answered if address in email.recipients]
    if not evidence:
        return replace(
            reply, unverified=NO_THREAD,
            check=f"answers no e-mail of ours to {address} about {reply.number}",
        )  # fmt: skip
    verdict = authenticate(message.authentication_results, address, facts.trusted_authserv_id)
    if verdict.verdict == Verdict.FAIL:
        return replace(reply, unverified=NOT_VERIFIED, check=verdict.reason)
    return replace(reply, answers=evidence[0].id, check=f"answers our e-mail {evidence[0].id}")


def gate(message: InboundMessage, facts: Facts) -> Held | OverHourlyLimit | Refused | None:
    """A person's mail that must not be processed: from a sender held for flooding the
    mailbox, the message that takes them over the hourly limit, or over the size limits."""
    if facts.held_since is not None:
        return Held(facts.held_since)
    count = facts.recent_from_sender + 1
    per_hour = facts.limits.messages_per_hour
    if per_hour is not None and count > per_hour:
        return OverHourlyLimit(count)
    reasons = over_limits(message, facts.limits)
    return Refused(reasons) if reasons else None


def _megabytes(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def over_limits(message: InboundMessage, limits: Limits) -> tuple[Reason, ...]:
    """Each size limit the message is over, in the order the refusal lists them."""
    reasons = []
    if limits.message_bytes is not None and message.size > limits.message_bytes:
        reasons.append(
            Reason("message_size", _megabytes(message.size), _megabytes(limits.message_bytes))
        )
    if limits.attachment_bytes is not None:
        limit = _megabytes(limits.attachment_bytes)
        for attachment in message.attachments:
            if attachment.size > limits.attachment_bytes:
                reasons.append(
                    Reason("attachment_size", _megabytes(attachment.size), limit,
                           name=attachment.filename)
                )  # fmt: skip
    count = len(message.attachments)
    if limits.attachments is not None and count > limits.attachments:
        reasons.append(Reason("attachment_count", str(count), str(limits.attachments)))
    return tuple(reasons)


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
