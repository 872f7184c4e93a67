"""Routing on values: what becomes of a message, given what the store knows about it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from intake.parse import Attachment, Bounce, InboundMessage, parse
from intake.route import (
    HELP_DESK,
    NO_THREAD,
    NOT_VERIFIED,
    OFFICE,
    Automatic,
    BounceOf,
    Duplicate,
    Facts,
    Held,
    Limits,
    NewSubmission,
    OverHourlyLimit,
    Reason,
    Refused,
    ReplyToSubmission,
    ReplyToTicket,
    SentEmail,
    Stored,
    Stranger,
    UnverifiedBounce,
    route,
)
from ticketing.conversation import is_our_message_id
from ticketing.vocabulary import Outcome


def message(sender: str = "budi@dinkes.example.go.id", headers: str = "") -> InboundMessage:
    return parse(
        f"From: {sender}\nTo: helpdesk@example.go.id\nSubject: Internet mati\n{headers}"
        f"Message-ID: <m1@dinkes.example.go.id>\n\nNama OPD: Dinkes\n".encode()
    )


def ours_to(*addresses: str, email_id: int = 12) -> tuple[SentEmail, ...]:
    """Our e-mail about the ticket, to ``addresses``, that the message answers."""
    return (SentEmail(email_id, f"<{email_id}@example.go.id>", addresses, "sent"),)


def joined(decision: object) -> tuple[object, ...]:
    """What a reply's decision says, without the record of the checks."""
    assert isinstance(decision, ReplyToTicket), decision
    return (decision.number, decision.via, decision.staff_id, decision.answers,
            decision.unverified)  # fmt: skip


def test_our_own_address_is_never_a_submission_nor_a_reply() -> None:
    """Mail from the help desk's own address is archived, even in a ticket's thread."""
    for facts in (Facts(own_sender=OFFICE), Facts(own_sender=OFFICE, thread_ticket="TIK-1"),
                  Facts(own_sender=OFFICE, thread_submission=3)):  # fmt: skip
        decision = route(message("helpdesk@example.go.id"), facts)
        assert isinstance(decision, Automatic)
        assert decision.reason == "from our own address helpdesk@example.go.id"


def test_our_own_message_id_is_archived() -> None:
    """A message carrying one of our Message-IDs is our own mail come back."""
    decision = route(message(), Facts(own_message=True, thread_ticket="TIK-2026-00001"))
    assert isinstance(decision, Automatic) and "our own message" in decision.reason


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (Facts(own_sender=HELP_DESK, thread_ticket="TIK-2026-00001"), ReplyToTicket),
        (Facts(own_sender=HELP_DESK, tagged_ticket="TIK-2026-00001"), ReplyToTicket),
        (Facts(own_sender=HELP_DESK, thread_submission=4), Automatic),
        (Facts(own_sender=HELP_DESK), Automatic),
        (Facts(), NewSubmission),
        (Facts(thread_submission=4), ReplyToSubmission),
    ],
)
def test_a_help_desk_officer_joins_tickets_but_never_reports(facts: Facts, expected: type) -> None:
    """An officer's reply joins its ticket as today; their mail that joins no ticket (a new
    form, an answer to an incomplete report) is never made a ticket."""
    assert isinstance(route(message("sari@example.go.id"), facts), expected)


@pytest.mark.parametrize(
    ("message_id", "ours"),
    [
        ("<tik-2026-00001.0123456789abcdef0123456789abcdef@example.go.id>", True),
        ("<helpdesk.0123456789abcdef0123456789abcdef@Example.GO.ID>", True),
        ("<tik-2026-00001.0123456789abcdef0123456789abcdef@other.example.org>", False),
        ("<CAFx0123456789abcdef0123456789abcd@mail.gmail.com>", False),
        ("<1700000000.1234.5678901234567890@example.go.id>", False),  # make_msgid
        ("<2b7d3f1a-4c5e-4f7a-9b8c-0d1e2f3a4b5c@example.go.id>", False),  # Thunderbird
        ("<1234567.89.1606712345678.JavaMail.zimbra@example.go.id>", False),
        (None, False),
    ],
)
def test_our_message_ids_are_known_by_their_form(message_id: str | None, ours: bool) -> None:
    """Only the Message-IDs our own e-mails carry, at our domain, count as ours; a mail
    client's at the same domain does not."""
    assert is_our_message_id(message_id, "example.go.id") is ours


def test_the_message_ids_we_write_are_known_as_ours() -> None:
    """Every Message-ID the notifier writes, with or without a ticket, reads as ours."""
    import random

    from notifier.compose import new_message_id

    rng = random.Random(2026)
    for number in ("TIK-2026-00001", None, "PGD/2026/12"):
        message_id = new_message_id("example.go.id", number, rng=rng)
        assert is_our_message_id(message_id, "example.go.id")


# --- the whole order, on values -------------------------------------------------------

MB = 1024 * 1024
TICKET, OTHER = "TIK-2026-00001", "TIK-2026-00002"
REPORTER = "budi@dinkes.example.go.id"
SINCE = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
# The config's defaults: 20 an hour; 25 MB a message, 10 MB an attachment, 10 attachments.
LIMITS = Limits(messages_per_hour=20, message_bytes=25 * MB, attachment_bytes=10 * MB,
                attachments=10)  # fmt: skip
SENT = SentEmail(7, "<tik.7@example.go.id>", (REPORTER,), "sent")
HELD = Facts(held_since=SINCE, limits=LIMITS)
OVER_THE_HOUR = Facts(recent_from_sender=20, limits=LIMITS)


def attachment(name: str, megabytes: float) -> Attachment:
    return Attachment(name, "application/pdf", int(megabytes * MB), "0" * 64, b"")


def big(megabytes: float = 30, *attachments: Attachment) -> InboundMessage:
    """The test message, ``megabytes`` large, with ``attachments``."""
    return dataclasses.replace(message(), size=int(megabytes * MB), attachments=attachments)


def automatic() -> InboundMessage:
    return dataclasses.replace(message(), auto="Auto-Submitted: auto-replied")


def report() -> InboundMessage:
    """A delivery report from a mailer, naming the reporter."""
    bounce = Bounce(None, (REPORTER,), "5.1.1", "failed", "550 no such user", ("t" * 16,))
    return dataclasses.replace(message("mailer-daemon@dinkes.example.go.id"), bounce=bounce)


def with_facts(base: Facts, **changes: Any) -> Facts:
    return dataclasses.replace(base, **changes)


def test_a_message_stored_before_is_a_duplicate_whatever_else_is_known() -> None:
    """Stored before: skipped with the outcome it had, before any other fact counts."""
    facts = Facts(duplicate=Stored(5, Outcome.INCOMPLETE), held_since=SINCE, thread_ticket=TICKET,
                  own_sender=OFFICE, bounce_tokens_of=(SENT,))  # fmt: skip
    assert route(report(), facts) == Duplicate(5, Outcome.INCOMPLETE)
    assert route(message(), facts) == Duplicate(5, Outcome.INCOMPLETE)


def test_a_verified_report_from_a_held_or_flooding_sender_is_still_a_bounce() -> None:
    """A delivery report is never held nor refused: the mailer is no person."""
    for base in (HELD, OVER_THE_HOUR):
        facts = with_facts(base, bounce_tokens_of=(SENT,))
        assert route(report(), facts) == BounceOf(7, (REPORTER,))


def test_an_unverified_report_is_archived_as_one_even_from_a_held_sender() -> None:
    """A report without our token is an unverified bounce, not held mail."""
    assert route(report(), HELD) == UnverifiedBounce("carries no token of ours")


def test_a_delivery_report_is_never_a_reply_to_the_ticket_it_names() -> None:
    """A report in a ticket's thread, from the ticket's reporter, is still a report."""
    facts = Facts(thread_ticket=TICKET, reporter_of=frozenset({TICKET}), bounce_tokens_of=(SENT,))
    assert route(report(), facts) == BounceOf(7, (REPORTER,))


def test_automatic_mail_from_a_held_sender_is_archived_not_held() -> None:
    """Automatic mail is archived before the hold is looked at: it is never kept to replay."""
    assert route(automatic(), HELD) == Automatic("Auto-Submitted: auto-replied")


def test_automatic_mail_over_the_hourly_limit_holds_nobody() -> None:
    """An auto-responder's flood is archived message by message; its sender is not held."""
    assert isinstance(route(automatic(), OVER_THE_HOUR), Automatic)


def test_automatic_mail_over_the_size_limits_is_archived_not_refused() -> None:
    """Nobody is told an automatic message was too big: it is archived."""
    large = dataclasses.replace(big(30), auto="Auto-Submitted: auto-generated")
    assert isinstance(route(large, Facts(limits=LIMITS)), Automatic)


def test_our_own_mail_come_back_is_archived_even_from_a_held_address() -> None:
    """Our own Message-ID, or our own address, is archived, never held."""
    assert isinstance(route(message(), with_facts(HELD, own_message=True)), Automatic)
    assert isinstance(route(message(), with_facts(OVER_THE_HOUR, own_sender=OFFICE)), Automatic)


def test_a_message_without_a_sender_address_is_archived() -> None:
    """Nobody to answer: archived, whatever the limits."""
    anonymous = dataclasses.replace(big(30), from_address=None)
    assert route(anonymous, Facts(limits=LIMITS)) == Automatic("no sender address to answer")


def test_a_held_senders_reply_to_a_ticket_is_held() -> None:
    """The ticket's reporter, held for flooding: their reply is kept, not noted."""
    facts = with_facts(HELD, thread_ticket=TICKET, reporter_of=frozenset({TICKET}))
    assert route(message(), facts) == Held(SINCE)


@pytest.mark.parametrize(
    "changes",
    [{}, {"thread_submission": 4}, {"tagged_ticket": TICKET, "reporter_of": frozenset({TICKET})},
     {"thread_ticket": TICKET}],
    ids=["new", "incomplete report", "tagged", "stranger"],
)  # fmt: skip
def test_every_kind_of_a_held_senders_mail_is_held(changes: dict[str, object]) -> None:
    """A new complaint, an answer to an incomplete report, a tagged reply, a stranger's
    reply: all held."""
    assert route(message(), with_facts(HELD, **changes)) == Held(SINCE)


def test_a_held_sender_over_the_hourly_limit_stays_held_since_the_first_hold() -> None:
    """Still flooding while held: the hold stands as it is; no second hold, no second
    notice."""
    assert route(message(), with_facts(HELD, recent_from_sender=50)) == Held(SINCE)


def test_a_held_sender_is_held_before_the_size_limits_are_looked_at() -> None:
    """Held and too big: held (kept for a replay), not refused."""
    assert route(big(30), HELD) == Held(SINCE)


@pytest.mark.parametrize(("earlier", "expected"), [(18, NewSubmission()), (19, NewSubmission()),
                                                    (20, OverHourlyLimit(21)),
                                                    (40, OverHourlyLimit(41))])  # fmt: skip
def test_the_message_that_goes_over_the_hourly_limit_holds_the_sender(
    earlier: int, expected: object
) -> None:
    """Twenty in an hour are processed; the twenty-first holds its sender, with the count."""
    assert route(message(), Facts(recent_from_sender=earlier, limits=LIMITS)) == expected


def test_going_over_the_hourly_limit_comes_before_the_size_limits() -> None:
    """The message that floods and is too big holds the sender; no refusal is sent."""
    assert route(big(30), OVER_THE_HOUR) == OverHourlyLimit(21)


def test_a_stranger_counts_towards_the_hourly_limit() -> None:
    """A stranger's replies to a ticket are a person's mail: the one over the limit holds."""
    assert route(message(), with_facts(OVER_THE_HOUR, thread_ticket=TICKET)) == OverHourlyLimit(21)


def test_a_message_over_the_size_limit_is_refused_with_its_size_and_the_limit() -> None:
    """30 MB against 25 MB: refused, and the reason says both."""
    assert route(big(30), Facts(limits=LIMITS)) == Refused(
        (Reason("message_size", "30.0 MB", "25.0 MB"),)
    )


def test_a_message_at_the_size_limits_is_not_refused() -> None:
    """Exactly 25 MB, ten attachments of exactly 10 MB: within the limits."""
    files = tuple(attachment(f"scan-{i}.pdf", 10) for i in range(10))
    assert route(big(25, *files), Facts(limits=LIMITS)) == NewSubmission()


def test_each_limit_a_message_is_over_is_a_reason_in_order() -> None:
    """The message's size, each attachment too big (by name), then the attachments' count."""
    files = (attachment("surat.pdf", 12), attachment("foto.jpg", 1), attachment("scan.pdf", 11))
    limits = dataclasses.replace(LIMITS, attachments=2)
    decision = route(big(26, *files), Facts(limits=limits))
    assert decision == Refused(
        (
            Reason("message_size", "26.0 MB", "25.0 MB"),
            Reason("attachment_size", "12.0 MB", "10.0 MB", name="surat.pdf"),
            Reason("attachment_size", "11.0 MB", "10.0 MB", name="scan.pdf"),
            Reason("attachment_count", "3", "2"),
        )
    )


def test_a_reason_reads_as_the_refusal_template_expects() -> None:
    """An attachment's reason names it; the others have no name field."""
    assert Reason("attachment_size", "12.0 MB", "10.0 MB", name="surat.pdf").fields() == {
        "code": "attachment_size", "name": "surat.pdf", "actual": "12.0 MB", "limit": "10.0 MB",
    }  # fmt: skip
    assert Reason("attachment_count", "3", "2").fields() == {
        "code": "attachment_count", "actual": "3", "limit": "2",
    }  # fmt: skip


def test_a_strangers_reply_is_refused_when_too_big() -> None:
    """Size limits come before the question whose reply it is."""
    facts = Facts(thread_ticket=TICKET, limits=LIMITS)
    assert isinstance(route(big(30), facts), Refused)


def test_a_reply_in_a_tickets_thread_from_its_reporter_joins_it() -> None:
    """The reporter answers in the conversation: the reply joins the ticket, as theirs."""
    facts = Facts(thread_ticket=TICKET, reporter_of=frozenset({TICKET}), limits=LIMITS,
                  answered=ours_to("budi@dinkes.example.go.id"))  # fmt: skip
    assert joined(route(message(), facts)) == (TICKET, "thread", None, 12, None)


def test_a_reply_in_a_tickets_thread_from_the_staff_joins_it_as_theirs() -> None:
    """A technician (staff, not the help desk) answering in the thread: joins, by them."""
    facts = Facts(thread_ticket=TICKET, staff_id="agus", limits=LIMITS,
                  answered=ours_to("agus@example.go.id"))  # fmt: skip
    assert joined(route(message("agus@example.go.id"), facts)) == (
        TICKET, "thread", "agus", 12, None,
    )  # fmt: skip


def test_a_reply_in_a_tickets_thread_from_a_stranger_does_not_join() -> None:
    """Neither the reporter nor staff: a stranger's reply, archived with the ticket named."""
    facts = Facts(thread_ticket=TICKET, reporter_of=frozenset({OTHER}), limits=LIMITS)
    assert route(message("orang@lain.example.org"), facts) == Stranger(TICKET)


def test_the_thread_decides_which_ticket_even_for_the_reporter_of_the_tagged_one() -> None:
    """In one ticket's thread with another's tag: the thread's ticket, whose reporter the
    sender is not: a stranger there."""
    facts = Facts(thread_ticket=TICKET, tagged_ticket=OTHER, reporter_of=frozenset({OTHER}))
    assert route(message(), facts) == Stranger(TICKET)


def test_a_strangers_tagged_subject_does_not_join() -> None:
    """A tag alone is easy to forge: from neither reporter nor staff, it is a new report."""
    assert route(message("orang@lain.example.org"), Facts(tagged_ticket=TICKET)) == NewSubmission()


def test_the_reporters_tagged_subject_joins_the_ticket_unverified() -> None:
    """The reporter writes anew with the tag in the subject: the reply joins the ticket,
    but a tag alone proves nothing of its sender (anyone can write a ticket's number)."""
    facts = Facts(tagged_ticket=TICKET, reporter_of=frozenset({TICKET}))
    assert joined(route(message(), facts)) == (TICKET, "subject", None, None, NO_THREAD)


def test_a_staff_members_tagged_subject_joins_the_ticket_unverified() -> None:
    """A unit head's address with the tag, outside the thread: the forger's way in, so
    it is not believed to be theirs."""
    facts = Facts(tagged_ticket=TICKET, staff_id="rudi")
    assert joined(route(message("rudi@example.go.id"), facts)) == (
        TICKET, "subject", "rudi", None, NO_THREAD,
    )  # fmt: skip


def test_a_help_desk_officers_untagged_mail_is_archived_even_over_the_limits() -> None:
    """An officer's mail that joins no ticket is archived: never a report, never held."""
    facts = with_facts(OVER_THE_HOUR, own_sender=HELP_DESK, staff_id="sari")
    decision = route(big(30), facts)
    assert isinstance(decision, Automatic) and "help-desk officer" in decision.reason


def test_a_help_desk_officers_answer_to_an_incomplete_report_is_archived_even_tagged() -> None:
    """In an incomplete report's thread the tag does not count: the officer's mail joins no
    ticket, and is archived."""
    facts = Facts(own_sender=HELP_DESK, staff_id="sari", thread_submission=4, tagged_ticket=TICKET)
    assert isinstance(route(message("sari@example.go.id"), facts), Automatic)


def test_a_help_desk_officers_tagged_mail_joins_the_ticket_unverified() -> None:
    """An officer's address writing with the tag: joins, but not in their name."""
    facts = Facts(own_sender=HELP_DESK, staff_id="sari", tagged_ticket=TICKET)
    assert joined(route(message("sari@example.go.id"), facts)) == (
        TICKET, "subject", "sari", None, NO_THREAD,
    )  # fmt: skip


def test_a_reply_to_our_e_mail_to_someone_else_is_not_believed() -> None:
    """A technician answering the e-mail that went to another technician."""
    facts = Facts(thread_ticket=TICKET, staff_id="dewi", answered=ours_to("agus@example.go.id"))
    assert joined(route(message("dewi@example.go.id"), facts))[-1] == NO_THREAD


def test_the_newest_of_our_e_mails_to_the_sender_is_the_evidence() -> None:
    facts = Facts(thread_ticket=TICKET, reporter_of=frozenset({TICKET}),
                  answered=ours_to("budi@dinkes.example.go.id", email_id=30)
                  + ours_to("budi@dinkes.example.go.id", email_id=7))  # fmt: skip
    assert joined(route(message(), facts))[3] == 30


TRUSTED = "mx.example.go.id"


@pytest.mark.parametrize(
    ("results", "unverified"),
    [
        ("", NOT_VERIFIED),  # our server wrote nothing about it
        (f"{TRUSTED}; spf=fail smtp.mailfrom=dinkes.example.go.id; dkim=none", NOT_VERIFIED),
        ("evil.example; dkim=pass header.d=dinkes.example.go.id", NOT_VERIFIED),
        (f"{TRUSTED}; dkim=pass header.d=dinkes.example.go.id", None),
        (f"{TRUSTED}; spf=pass smtp.mailfrom=budi@dinkes.example.go.id", None),
    ],
)
def test_where_the_offices_server_is_named_it_must_vouch_for_the_sender(
    results: str, unverified: str | None
) -> None:
    headers = f"Authentication-Results: {results}\n" if results else ""
    facts = Facts(
        thread_ticket=TICKET, reporter_of=frozenset({TICKET}),
        answered=ours_to("budi@dinkes.example.go.id"), trusted_authserv_id=TRUSTED,
    )  # fmt: skip
    assert joined(route(message(headers=headers), facts))[-1] == unverified


def test_without_a_named_server_the_thread_is_the_evidence() -> None:
    headers = f"Authentication-Results: {TRUSTED}; spf=fail; dkim=none\n"
    facts = Facts(thread_ticket=TICKET, reporter_of=frozenset({TICKET}),
                  answered=ours_to("budi@dinkes.example.go.id"))  # fmt: skip
    assert joined(route(message(headers=headers), facts))[-1] is None


def test_an_answer_to_an_incomplete_report_joins_it() -> None:
    """An answer in an incomplete report's thread goes on with that report."""
    assert route(message(), Facts(thread_submission=4, limits=LIMITS)) == ReplyToSubmission(4)


def test_an_answer_to_a_report_that_became_a_ticket_is_a_new_report() -> None:
    """The incomplete report was completed meanwhile: the answer starts a report of its own."""
    facts = Facts(thread_submission=4, thread_submission_completed=True)
    assert route(message(), facts) == NewSubmission()


def test_an_incomplete_reports_thread_comes_before_the_subject_tag() -> None:
    """Answering the incomplete report, with a ticket's tag of theirs in the subject: the
    answer goes to the incomplete report."""
    facts = Facts(thread_submission=4, tagged_ticket=TICKET, reporter_of=frozenset({TICKET}))
    assert route(message(), facts) == ReplyToSubmission(4)


def test_a_tickets_thread_comes_before_an_incomplete_reports() -> None:
    """Both in the references: the ticket's conversation wins."""
    facts = Facts(thread_ticket=TICKET, thread_submission=4, reporter_of=frozenset({TICKET}))
    assert joined(route(message(), facts))[:3] == (TICKET, "thread", None)


def test_a_persons_mail_within_the_limits_that_answers_nothing_is_a_new_report() -> None:
    """Within every limit, in no thread, with no tag: a new report."""
    facts = Facts(recent_from_sender=3, limits=LIMITS)
    assert route(big(1, attachment("surat.pdf", 0.5)), facts) == NewSubmission()
