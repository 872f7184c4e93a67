"""A person's report by e-mail, applied: a new one, or the answer to an incomplete one.

A report whose Formulir is complete becomes a ticket (received when it arrived at the
office's mail server, see `arrival`), its attachments archived with it; one that is not is
kept as an incomplete report and answered with every problem and what was understood,
to complete by replying. An answer to an incomplete report adds to what it had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from helpdesk.service import register_in
from helpdesk.wiring import Site
from intake.extract import extract_fields, looks_like_form
from intake.parse import InboundMessage
from intake.quotes import strip_quotes
from intake.subject import is_forward, strip_prefixes
from notifier.outbox import Reply, queue, queue_arrivals
from notifier.policy import Notice, incomplete_notice
from ticketing.desk import Complaint, Filed, Registered, register_many
from ticketing.files import archive_bytes
from ticketing.formulir import Complete, Incomplete, check_formulir, merge
from ticketing.models import Attachment, Submission, Ticket
from ticketing.store import Tx
from ticketing.vocabulary import Outcome, SubmissionStatus

# What became of the report: its outcome, a detail, its ticket, its incomplete report.
Result = tuple[Outcome, str, str | None, int | None]


def archive_attachments(
    here: Site, tx: Tx, ticket: Ticket, message: InboundMessage, now: dt.datetime
) -> None:
    """Keep a message's attachments with its ticket, in the same transaction (should it
    fail, the files go with it: `ticketing.undo`)."""
    for stored in _archived(here, ticket, message, now):
        tx.add_attachment(stored)


def _archived(
    here: Site, ticket: Ticket, message: InboundMessage, now: dt.datetime
) -> list[Attachment]:
    """A message's attachments written into its ticket's archive folder, their records
    not yet stored."""
    archive_dir = here.config.path(here.config.paths.archive_dir)
    # Each payload's digest is the one the parser made of the same bytes.
    return [
        archive_bytes(
            item.payload,
            item.filename,
            item.content_type,
            archive_dir,
            ticket,
            now,
            sha256=item.sha256,
        )  # fmt: skip
        for item in message.attachments
    ]


def _form_values(message: InboundMessage, *, reply: bool) -> dict[str, str]:
    """The Formulir's fields as written in the message's new text. A forwarded complaint
    (an Outlook forward looks like a quoted reply) keeps the text it forwards."""
    forwarded = not reply and is_forward(message.subject)
    text = message.text if forwarded else strip_quotes(message.text)
    values = dict(extract_fields(text).values)
    if not values and not looks_like_form(text) and text.strip():
        # A plain letter without the form: its text is the complaint; the reply will ask
        # for the rest of the form.
        values = {"description": text.strip()}
    if not values.get("email") and message.from_address:
        values["email"] = message.from_address
    return values


@dataclass(frozen=True)
class NewReport:
    """A new report, decided before anything of it is stored (`decide`): the Formulir as
    its message gives it, and its check."""

    message: InboundMessage
    values: dict[str, str]
    checked: Complete | Incomplete


def decide(here: Site, message: InboundMessage) -> NewReport:
    values = _form_values(message, reply=False)
    return NewReport(message, values, check_formulir(values, here.desk.fields))


def new(
    here: Site, tx: Tx, message: InboundMessage, now: dt.datetime, arrived: dt.datetime
) -> Result:
    """A new report: a ticket when its form is complete, else an incomplete report.
    ``arrived``: when the message arrived (`arrival`)."""
    [(result, _)] = store_new(here, tx, [decide(here, message)], now, [arrived])
    return result


def store_new(
    here: Site, tx: Tx, reports: Sequence[NewReport], now: dt.datetime,
    arrivals: Sequence[dt.datetime],
) -> list[tuple[Result, int | None]]:  # fmt: skip
    """New reports (`decide`), stored as `new` stores them one after another, in a few
    statements for them all: the complete ones as numbered tickets (`register_many`: each
    year's numbers in this order) with their attachments, the others as incomplete reports;
    the e-mails of all of them queued in this order (`queue_arrivals`), so that each
    address's automatic replies count as when they come one by one. ``arrivals``: when
    each message arrived (`arrival`), step 1's start. What became of each, with its
    ticket's id."""
    complaints = [
        Complaint(
            r.values,
            "email",
            arrived,
            r.message.from_address or "",
            source_message_id=r.message.message_id,
            form=r.checked,
            arrived_at=arrived,
        )
        for r, arrived in zip(reports, arrivals, strict=True)
        if isinstance(r.checked, Complete)
    ]
    filed = iter(register_many(tx, here.desk, complaints, now=now))
    asked = [r for r in reports if isinstance(r.checked, Incomplete)]
    submission_ids = iter(tx.insert_submissions([_submission(r, now) for r in asked]))
    results: list[tuple[Result, int | None]] = []
    emails: list[tuple[Any, list[Any]] | Reply] = []
    attachments = []
    for report in reports:
        message, checked = report.message, report.checked
        if isinstance(checked, Complete):
            outcome = next(filed)
            assert isinstance(outcome, Filed), outcome
            emails.append((outcome.ticket, outcome.events))
            attachments += _archived(here, outcome.ticket, message, now)
            results.append(((Outcome.TICKET, "", outcome.ticket.number, None), outcome.ticket.id))
            continue
        submission_id = next(submission_ids)
        notice = _asked_again(here, message, strip_prefixes(message.subject), checked)
        emails.append(Reply([notice], message.message_id, submission_id))
        missing = ", ".join(p.key for p in checked.problems)
        detail = f"missing or invalid: {missing}"
        results.append(((Outcome.INCOMPLETE, detail, None, submission_id), None))
    if attachments:
        tx.save(*attachments)
    queue_arrivals(tx, here.office, emails, now=now)
    return results


def _submission(report: NewReport, now: dt.datetime) -> dict[str, Any]:
    """The incomplete report of a new report whose form is not complete, as column values."""
    message, checked = report.message, report.checked
    assert isinstance(checked, Incomplete)
    return {
        "sender": message.from_address or "",
        "sender_name": message.from_name,
        "subject": strip_prefixes(message.subject),
        "values": {k: v for k, v in report.values.items() if v},
        "problems": _problems(checked),
        "status": SubmissionStatus.OPEN,
        "ticket_id": None,
        "first_message_id": message.message_id,
        "created_at": now,
        "updated_at": now,
    }


def _problems(checked: Incomplete) -> list[dict[str, str]]:
    return [
        {"key": p.key, "kind": p.kind, "message_id": p.message_id, "message_en": p.message_en}
        for p in checked.problems
    ]


def _asked_again(here: Site, message: InboundMessage, subject: str, checked: Incomplete) -> Notice:
    """The reply to an incomplete report: every problem, and what was understood."""
    return incomplete_notice(
        here.office,
        address=message.from_address or "",
        name=checked.understood.get("reporter_name") or message.from_name or None,
        sex=checked.understood.get("sex"),
        subject=subject,
        problems=checked.problems,
        understood=checked.understood,
    )


def continued(
    here: Site, tx: Tx, message: InboundMessage, submission_id: int, now: dt.datetime,
    arrived: dt.datetime,
) -> Result:  # fmt: skip
    """The answer to an incomplete report: its form completed with what the answer adds;
    a ticket when it is complete, otherwise the report waits again, and the reply lists
    every problem."""
    submission = tx.submission(submission_id)
    assert submission is not None
    values = merge(submission.values, _form_values(message, reply=True))
    checked = check_formulir(values, here.desk.fields)
    if isinstance(checked, Incomplete):
        submission.values = {k: v for k, v in values.items() if v}
        submission.problems = _problems(checked)
        submission.updated_at = now
        tx.save(submission)
        notice = _asked_again(here, message, submission.subject, checked)
        queue(
            tx, here.office, [notice], now=now, in_reply_to=message.message_id,
            submission=submission,
        )  # fmt: skip
        missing = ", ".join(p.key for p in checked.problems)
        return Outcome.INCOMPLETE, f"missing or invalid: {missing}", None, submission.id

    registered = _register_in(here, tx, message, values, checked, submission, now, arrived)
    submission.status = SubmissionStatus.COMPLETED
    submission.ticket_id = registered.ticket.id
    submission.updated_at = now
    tx.save(submission)
    return Outcome.COMPLETED, "", registered.ticket.number, submission.id


def arrival(
    internal_date: dt.datetime | None, now: dt.datetime, since: dt.datetime | None = None
) -> dt.datetime:
    """When an e-mail was received: its arrival at the office's mail server (the IMAP
    INTERNALDATE, the server's own record, fetched with the message), never later than the
    moment it is read (a server's clock ahead of ours); the reading moment when there is
    none (a message injected from a file). The sender's Date is the sender's word and is
    never taken for it.

    ``since``: when the help desk started reading this mailbox. A message that arrived
    before then (old mail found at the first start, or put into the folder later with its
    old date) was never the help desk's to answer in time: it is received when it is read."""
    if internal_date is None or (since is not None and internal_date < since):
        return now
    return min(internal_date, now)


def before_reading(internal_date: dt.datetime | None, since: dt.datetime | None) -> str:
    """What the record says of a message that arrived before the mailbox was read, with
    its INTERNALDATE; "" for any other."""
    if internal_date is None or since is None or internal_date >= since:
        return ""
    return (
        f"arrived at the mail server {internal_date.astimezone(dt.UTC).isoformat()}, before the"
        f" help desk started reading the mailbox ({since.astimezone(dt.UTC).isoformat()}):"
        " received when read"
    )


def _register_in(
    here: Site,
    tx: Tx,
    message: InboundMessage,
    values: dict[str, str],
    form: Complete,
    submission: Submission,
    now: dt.datetime,
    arrived: dt.datetime,
) -> Registered:
    """The ticket of an incomplete report that an answer completed: received when the
    report was (its first message's arrival, or this one's if earlier), its conversation
    starting at the report's first e-mail; step 1 runs from the arrival of the message that
    made the report complete."""
    outcome = register_in(
        tx, here, values, channel="email", received_at=min(submission.created_at, arrived),
        signature=message.from_address or "", now=now,
        source_message_id=submission.first_message_id, form=form, arrived_at=arrived,
    )  # fmt: skip
    assert isinstance(outcome, Registered), outcome
    archive_attachments(here, tx, outcome.ticket, message, now)
    return outcome
