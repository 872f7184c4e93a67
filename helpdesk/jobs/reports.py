"""A person's report by e-mail, applied: a new one, or the answer to an incomplete one.

A report whose Formulir is complete becomes a ticket (received when it arrived at the
office's mail server, see `arrival`), its attachments archived with it; one that is not is
kept as an incomplete report and answered with every problem and what was understood,
to complete by replying. An answer to an incomplete report adds to what it had.
"""

from __future__ import annotations

import datetime as dt

from helpdesk.service import register_in
from helpdesk.wiring import Site
from intake.extract import extract_fields, looks_like_form
from intake.parse import InboundMessage
from intake.quotes import strip_quotes
from intake.subject import is_forward, strip_prefixes
from notifier.outbox import queue
from notifier.policy import incomplete_notice
from ticketing.desk import Registered
from ticketing.files import archive_bytes
from ticketing.formulir import Complete, Incomplete, check_formulir, merge
from ticketing.models import Submission, Ticket
from ticketing.store import Tx
from ticketing.vocabulary import Outcome, SubmissionStatus

# What became of the report: its outcome, a detail, its ticket, its incomplete report.
Result = tuple[Outcome, str, str | None, int | None]


def archive_attachments(
    here: Site, tx: Tx, ticket: Ticket, message: InboundMessage, now: dt.datetime
) -> None:
    """Keep a message's attachments with its ticket, in the same transaction.

    A file written for a transaction that then fails stays behind unreferenced; it is
    harmless, and the message is processed again later."""
    archive_dir = here.config.path(here.config.paths.archive_dir)
    for item in message.attachments:
        stored = archive_bytes(
            item.payload, item.filename, item.content_type, archive_dir, ticket, now
        )
        tx.add_attachment(stored)


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


def new(
    here: Site, tx: Tx, message: InboundMessage, now: dt.datetime, arrived: dt.datetime
) -> Result:
    """A new report: a ticket when its form is complete, else an incomplete report.
    ``arrived``: when the message arrived (`arrival`)."""
    values = _form_values(message, reply=False)
    return _complete_or_ask(here, tx, message, None, values, now, arrived)


def continued(
    here: Site, tx: Tx, message: InboundMessage, submission_id: int, now: dt.datetime,
    arrived: dt.datetime,
) -> Result:  # fmt: skip
    """The answer to an incomplete report: its form completed with what the answer adds."""
    submission = tx.submission(submission_id)
    assert submission is not None
    values = merge(submission.values, _form_values(message, reply=True))
    return _complete_or_ask(here, tx, message, submission, values, now, arrived)


def _complete_or_ask(
    here: Site,
    tx: Tx,
    message: InboundMessage,
    submission: Submission | None,
    values: dict[str, str],
    now: dt.datetime,
    arrived: dt.datetime,
) -> Result:
    """A ticket when the form is complete; otherwise an incomplete report and a reply that
    lists every problem."""
    checked = check_formulir(values, here.desk.fields)
    sender = message.from_address or ""
    if isinstance(checked, Incomplete):
        if submission is None:
            submission = tx.add_submission(
                Submission(
                    sender=sender,
                    sender_name=message.from_name,
                    subject=strip_prefixes(message.subject),
                    status=SubmissionStatus.OPEN,
                    first_message_id=message.message_id,
                    created_at=now,
                    updated_at=now,
                )
            )
        submission.values = {k: v for k, v in values.items() if v}
        submission.problems = [
            {"key": p.key, "kind": p.kind, "message_id": p.message_id, "message_en": p.message_en}
            for p in checked.problems
        ]
        submission.updated_at = now
        tx.save(submission)
        notice = incomplete_notice(
            here.office,
            address=sender,
            name=checked.understood.get("reporter_name") or message.from_name or None,
            sex=checked.understood.get("sex"),
            subject=submission.subject,
            problems=checked.problems,
            understood=checked.understood,
        )
        queue(
            tx, here.office, [notice], now=now, in_reply_to=message.message_id,
            submission=submission,
        )  # fmt: skip
        missing = ", ".join(p.key for p in checked.problems)
        return Outcome.INCOMPLETE, f"missing or invalid: {missing}", None, submission.id

    registered = _register_in(here, tx, message, values, checked, submission, now, arrived)
    outcome = Outcome.COMPLETED if submission is not None else Outcome.TICKET
    if submission is not None:
        submission.status = SubmissionStatus.COMPLETED
        submission.ticket_id = registered.ticket.id
        submission.updated_at = now
        tx.save(submission)
    return outcome, "", registered.ticket.number, submission.id if submission else None


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
    submission: Submission | None,
    now: dt.datetime,
    arrived: dt.datetime,
) -> Registered:
    # Step 1 runs from the arrival of the message that made the report complete; an
    # incomplete report's was received when its first message was read.
    received = submission.created_at if submission is not None else arrived
    outcome = register_in(
        tx, here, values, channel="email", received_at=min(received, arrived),
        signature=message.from_address or "", now=now,
        source_message_id=submission.first_message_id if submission else message.message_id,
        form=form, arrived_at=arrived,
    )  # fmt: skip
    assert isinstance(outcome, Registered), outcome
    archive_attachments(here, tx, outcome.ticket, message, now)
    return outcome
