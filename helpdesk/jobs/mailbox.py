"""The e-mail intake: one message in, one stored outcome out, then the mailbox is told.

``process_message`` stores the raw message, its outcome (a ticket, an incomplete report,
an addition to a conversation, an archived automatic message), the events and the
e-mails in ONE transaction. ``poll_mailbox`` moves a message on the server only after
that commit, so a crash in between fetches it again and finds it already stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from helpdesk.service import confirm_email_in, move_in, register_in
from helpdesk.wiring import Site
from intake.extract import extract_fields, looks_like_form
from intake.imap import Mailbox
from intake.parse import InboundMessage, parse
from intake.quotes import strip_quotes
from intake.route import (
    HELP_DESK,
    OFFICE,
    Automatic,
    BounceOf,
    Facts,
    NewSubmission,
    ReplyToSubmission,
    ReplyToTicket,
    SentEmail,
    UnverifiedBounce,
    route,
)
from intake.subject import is_forward, strip_prefixes, ticket_number
from notifier.formatting import remote_text
from notifier.outbox import BOUNCED, PENDING, SUPPRESSED, queue, queue_delivery_failure
from notifier.policy import BOUNCE_ACTOR, held_notice, incomplete_notice, refused_notice
from ticketing.addresses import is_reporter_address
from ticketing.conversation import is_our_message_id
from ticketing.desk import Moved, Registered
from ticketing.directory import Role
from ticketing.files import archive_bytes
from ticketing.formulir import Incomplete, check_formulir, merge
from ticketing.models import BounceRecord, Inbound, OutboxEmail, Submission, Ticket
from ticketing.store import Tx
from ticketing.workflow import Action, Move

log = logging.getLogger(__name__)

# What became of a message, and the folder (by config name) it is moved to.
FOLDER_OF = {
    "ticket": "processed",
    "completed": "processed",
    "reply": "processed",
    "incomplete": "incomplete",
    "automatic": "ignored",
    "bounce": "ignored",
    "reply_stranger": "ignored",
    "quarantine": "quarantine",
    "held": "ignored",
    "refused": "ignored",
}


@dataclass(frozen=True)
class Processed:
    outcome: str
    detail: str = ""
    ticket: str | None = None
    submission: int | None = None
    duplicate: bool = False


@dataclass
class PollReport:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    error: str | None = None


def process_message(
    here: Site,
    raw: bytes,
    *,
    source: str,
    now: dt.datetime,
    uid: int | None = None,
    uidvalidity: int | None = None,
    received_at: dt.datetime | None = None,
    kept: int | None = None,
) -> Processed:
    """Store one message and its outcome in one transaction. ``kept`` is the id of the row
    that already holds the message (held or quarantined, now replayed): the outcome is
    written there, and no second copy of the message is stored."""
    message = parse(raw)
    with here.store.transaction() as tx:
        seen = tx.seen_inbound(message.message_id, message.raw_sha256)
        if seen is None and uid is not None and uidvalidity is not None:
            # Held or quarantined, then a crash before the move: the same message again.
            seen = tx.kept_inbound(source, uidvalidity, uid, message.raw_sha256)
        replayed = tx.inbound(kept) if kept is not None else None
        if seen is not None:
            if replayed is not None:  # processed meanwhile as another copy
                replayed.outcome, replayed.detail = "replayed", f"already stored as {seen.id}"
                tx.save(replayed)
            return Processed(seen.outcome, "already stored", duplicate=True)
        facts = _facts(here, tx, message)
        decision = route(message, facts)
        if replayed is not None:
            inbound = replayed
            inbound.message_id = message.message_id
            inbound.from_address = message.from_address
            inbound.subject = message.subject
        else:
            inbound = Inbound(
                message_id=message.message_id,
                raw_sha256=message.raw_sha256,
                raw=raw,
                size=message.size,
                from_address=message.from_address,
                subject=message.subject,
                source=source,
                uid=uid,
                uidvalidity=uidvalidity,
                received_at=received_at or message.date or now,
                outcome="",
                created_at=now,
            )
        previous = replayed.outcome if replayed is not None else None
        held_or_refused = _gate(here, tx, message, decision, now)
        if held_or_refused is not None:
            result = held_or_refused
        elif isinstance(decision, Automatic):
            result = Processed("automatic", decision.reason)
        elif isinstance(decision, BounceOf):
            result = _bounce(here, tx, message, decision, now)
        elif isinstance(decision, UnverifiedBounce):
            # Anyone can name our Message-IDs: archived, and nothing else happens.
            result = Processed("bounce", f"unverified: {decision.reason}")
        elif isinstance(decision, ReplyToTicket):
            result = _reply_to_ticket(here, tx, message, decision.number, now)
        elif isinstance(decision, ReplyToSubmission):
            result = _reply_to_submission(here, tx, message, inbound, decision.submission_id, now)
        else:
            assert isinstance(decision, NewSubmission)
            result = _new_submission(here, tx, message, inbound, now)
        inbound.outcome = result.outcome
        inbound.detail = result.detail
        if previous is not None:
            inbound.detail = "; ".join(filter(None, [result.detail, f"replayed ({previous})"]))
        if result.ticket:
            ticket = tx.ticket(result.ticket)
            inbound.ticket_id = ticket.id if ticket else None
        inbound.submission_id = result.submission
        tx.add_inbound(inbound)
        return result


# Outcomes of a person's mail: what counts towards the hourly limit per sender.
PERSON_OUTCOMES = ("ticket", "completed", "reply", "incomplete", "reply_stranger", "refused")


def _gate(
    here: Site, tx: Tx, message: InboundMessage, decision: object, now: dt.datetime
) -> Processed | None:
    """A person's mail that must not be processed: from a sender held for flooding the
    mailbox, or over the size limits. Kept either way; automatic mail is never answered."""
    address = message.from_address
    if address is None or isinstance(decision, (Automatic, BounceOf, UnverifiedBounce)):
        return None
    config = here.config.intake
    hold = tx.sender_hold(address)
    if hold is not None:
        return Processed("held", f"sender held since {hold.since.isoformat()}")
    count = tx.recent_from(address, now - dt.timedelta(hours=1), PERSON_OUTCOMES) + 1
    if count > config.sender_messages_per_hour:
        tx.hold_sender(address, count, now)
        notice = held_notice(here.office, address=address, name=message.from_name, count=count)
        for email in queue(tx, here.office, [notice], now=now, in_reply_to=message.message_id):
            # Sent even past the auto-reply limit (which the sender's earlier mail may have
            # used up): without it they never learn why nothing is answered any more. One
            # per hold, and a hold is made once until released: it cannot loop.
            if email.status == SUPPRESSED:
                email.status, email.last_error = PENDING, None
        return Processed("held", f"{count} messages in an hour: sender held")
    reasons = _over_limits(here, message)
    if reasons:
        notice = refused_notice(
            here.office, address=address, name=message.from_name,
            subject=strip_prefixes(message.subject), reasons=reasons,
        )  # fmt: skip
        queue(tx, here.office, [notice], now=now, in_reply_to=message.message_id)
        return Processed("refused", "; ".join(r["code"] for r in reasons))
    return None


def _megabytes(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _over_limits(here: Site, message: InboundMessage) -> list[dict[str, str]]:
    config = here.config.intake
    reasons = []
    limit = config.max_message_mb * 1024 * 1024
    if message.size > limit:
        reasons.append({"code": "message_size", "actual": _megabytes(message.size),
                        "limit": _megabytes(limit)})  # fmt: skip
    limit = config.max_attachment_mb * 1024 * 1024
    for attachment in message.attachments:
        if attachment.size > limit:
            reasons.append(
                {
                    "code": "attachment_size",
                    "name": attachment.filename,
                    "actual": _megabytes(attachment.size),
                    "limit": _megabytes(limit),
                }
            )
    if len(message.attachments) > config.max_attachments:
        reasons.append({"code": "attachment_count", "actual": str(len(message.attachments)),
                        "limit": str(config.max_attachments)})  # fmt: skip
    return reasons


def _archive_attachments(
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


def _sent_email(email: OutboxEmail) -> SentEmail:
    assert email.id is not None
    return SentEmail(
        id=email.id,
        message_id=email.message_id,
        recipients=tuple(address.lower() for address in email.recipients),
        status=email.status,
    )


def _facts(here: Site, tx: Tx, message: InboundMessage) -> Facts:
    if message.bounce is not None:
        named = tx.outbox_by_message_id(message.bounce.original_message_id or "")
        return Facts(
            bounce_tokens_of=tuple(
                _sent_email(e) for e in tx.outbox_by_tokens(message.bounce.tokens)
            ),
            bounce_names=_sent_email(named) if named is not None else None,
        )
    thread = [*message.in_reply_to, *message.references]
    ticket = tx.ticket_in_thread(thread)
    submission = tx.submission_in_thread(thread) if ticket is None else None
    tagged = None
    number = ticket_number(message.subject, here.config.numbering.format)
    if ticket is None and submission is None and number:
        candidate = tx.ticket(number)
        if candidate is not None and _may_write_to(here, candidate, message.from_address):
            tagged = candidate.number
    return Facts(
        thread_ticket=ticket.number if ticket else None,
        thread_submission=submission.id if submission else None,
        tagged_ticket=tagged,
        own_message=_ours(here, tx, message.message_id),
        own_sender=_own_sender(here, message.from_address),
    )


def _ours(here: Site, tx: Tx, message_id: str | None) -> bool:
    """A Message-ID we wrote: one of the outbox's, or of our form at our domain."""
    if not message_id:
        return False
    domain = here.office.settings.sender.message_id_domain
    return is_our_message_id(message_id, domain) or tx.outbox_by_message_id(message_id) is not None


def _own_sender(here: Site, address: str | None) -> str | None:
    if not address:
        return None
    if address in here.own_addresses:
        return OFFICE
    person = here.desk.directory.get(_staff_by_address(here, address) or "")
    return HELP_DESK if person is not None and person.role == Role.HELP_DESK else None


def _may_write_to(here: Site, ticket: Ticket, address: str | None) -> bool:
    """The ticket's reporter (the form's address, or the one the complaint came from), or
    one of the staff."""
    if not address:
        return False
    return is_reporter_address(ticket, address) or _staff_by_address(here, address) is not None


def _staff_by_address(here: Site, address: str) -> str | None:
    for person in here.desk.directory.staff.values():
        if person.email.lower() == address:
            return person.id
    return None


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


def _new_submission(
    here: Site, tx: Tx, message: InboundMessage, inbound: Inbound, now: dt.datetime
) -> Processed:
    values = _form_values(message, reply=False)
    return _complete_or_ask(here, tx, message, None, values, now)


def _reply_to_submission(
    here: Site,
    tx: Tx,
    message: InboundMessage,
    inbound: Inbound,
    submission_id: int,
    now: dt.datetime,
) -> Processed:
    submission = tx.submission(submission_id)
    if submission is None or submission.status != "open":
        return _new_submission(here, tx, message, inbound, now)
    values = merge(submission.values, _form_values(message, reply=True))
    return _complete_or_ask(here, tx, message, submission, values, now)


def _complete_or_ask(
    here: Site,
    tx: Tx,
    message: InboundMessage,
    submission: Submission | None,
    values: dict[str, str],
    now: dt.datetime,
) -> Processed:
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
                    status="open",
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
        return Processed("incomplete", f"missing or invalid: {missing}", submission=submission.id)

    registered = _register_in(here, tx, message, values, submission, now)
    outcome = "completed" if submission is not None else "ticket"
    if submission is not None:
        submission.status = "completed"
        submission.ticket_id = registered.ticket.id
        submission.updated_at = now
        tx.save(submission)
    return Processed(
        outcome,
        ticket=registered.ticket.number,
        submission=submission.id if submission else None,
    )


SENDER_DATE_TRUSTED = dt.timedelta(days=7)
"""How far back a sender's own Date is believed: far enough for mail that waited out a long
weekend in the mailbox, not so far that a forged or mistaken Date moves a complaint into
another month or year (and gives it that year's number)."""


def received_at(message: InboundMessage, now: dt.datetime) -> dt.datetime:
    """When an e-mailed complaint was received: the sender's Date when it lies within
    `SENDER_DATE_TRUSTED` before now, else now. (The mail server's arrival time is kept with
    the message but not used here: where a test fixes now it is the real clock's, and a
    ticket must never depend on the day its test ran.)"""
    if message.date is not None and now - SENDER_DATE_TRUSTED <= message.date <= now:
        return message.date
    return now


def _register_in(
    here: Site,
    tx: Tx,
    message: InboundMessage,
    values: dict[str, str],
    submission: Submission | None,
    now: dt.datetime,
) -> Registered:
    received = submission.created_at if submission is not None else received_at(message, now)
    outcome = register_in(
        tx, here, values, channel="email", received_at=received,
        signature=message.from_address or "", now=now,
        source_message_id=submission.first_message_id if submission else message.message_id,
    )  # fmt: skip
    assert isinstance(outcome, Registered), outcome
    _archive_attachments(here, tx, outcome.ticket, message, now)
    return outcome


def _reply_to_ticket(
    here: Site, tx: Tx, message: InboundMessage, number: str, now: dt.datetime
) -> Processed:
    ticket = tx.ticket(number)
    assert ticket is not None
    address = message.from_address or ""
    text = strip_quotes(message.text).strip() or "(tanpa isi)"
    staff_id = _staff_by_address(here, address)
    if staff_id is None and not is_reporter_address(ticket, address):
        return Processed("reply_stranger", f"from {address}, not the reporter", ticket=number)
    who = staff_id or address
    requests = [Move(Action.NOTE, who, note=text, channel="email", reporter=staff_id is None)]
    if ticket.paused_at is not None and staff_id is None:
        # The SOP's coordination with the reporter: their answer starts the clock again.
        requests.append(
            Move(Action.RESUME, who, note="Pelapor menjawab", channel="email", reporter=True)
        )
    for request in requests:
        move_in(tx, here, number, request, now=now)
    detail = f"from {'staff ' + staff_id if staff_id else 'the reporter'}"
    if staff_id is None and address == ticket.email.strip().lower():
        # The form's address has answered us: from now on it gets the reporter's e-mails.
        confirmed = confirm_email_in(
            tx, here, number, actor=address, reporter=True, channel="email", now=now
        )
        if isinstance(confirmed, Moved):
            detail += "; e-mail address confirmed"
    _archive_attachments(here, tx, ticket, message, now)
    return Processed("reply", detail, ticket=number)


def _bounce(
    here: Site, tx: Tx, message: InboundMessage, decision: BounceOf, now: dt.datetime
) -> Processed:
    """A verified delivery report: one record per (e-mail, recipient) however often it is
    reported; the first marks the e-mail bounced and notes it on its ticket; the help desk
    is alerted once per e-mail (within the hourly cap). The remote server's text is kept
    apart from our words."""
    bounce = message.bounce
    assert bounce is not None
    original = tx.outbox_email(decision.outbox_id)
    assert original is not None and original.id is not None
    ticket = tx.ticket_by_id(original.ticket_id) if original.ticket_id else None
    number = ticket.number if ticket else None
    recipients = ", ".join(decision.recipients)
    ours = f"e-mail {original.id} ({original.kind}) to {recipients}"
    remote = bounce.diagnostic
    quoted = f'; the remote server wrote: "{remote_text(remote, 200)}"' if remote else ""
    status = bounce.status or ""
    if (bounce.action or "").lower() == "delayed" or status.startswith("4"):
        # Still being tried by the receiving side: note it, nothing failed yet.
        if original.status != BOUNCED:
            original.last_error = f"delayed {status} for {recipients}{quoted}"[:1000]
            tx.save(original)
        return Processed("bounce", f"delayed, still being tried: {ours}", ticket=number)
    new: list[BounceRecord] = []
    for address in decision.recipients:
        record = tx.bounce_record(original.id, address)
        if record is not None:
            record.count += 1
            record.last_at = now
            tx.save(record)
            continue
        new.append(
            tx.add_bounce_record(
                BounceRecord(
                    outbox_id=original.id,
                    recipient=address,
                    status=bounce.status,
                    action=bounce.action,
                    remote_text=remote,
                    first_at=now,
                    last_at=now,
                )
            )
        )
    if not new:
        return Processed("bounce", f"repeat: {ours} recorded before", ticket=number)
    failed = [record.recipient for record in new]
    original.status = BOUNCED
    original.last_error = f"bounced {status} for {', '.join(failed)}{quoted}"[:1000]
    tx.save(original)
    if ticket is not None:
        tx.add_event(
            ticket, at=now, actor=BOUNCE_ACTOR, action="note", from_state=ticket.state,
            to_state=ticket.state, note=_bounce_note(original, failed, status),
            channel="email",
            data={"bounce": {"outbox_id": original.id, "kind": original.kind,
                             "recipients": failed, "status": bounce.status,
                             "remote_text": remote}},
        )  # fmt: skip
    if not any(record.alerted for record in tx.bounce_records(original.id)):
        error = _bounce_error(here.config.office.language, status)
        queue_delivery_failure(
            tx, here.office, original, error, now=now, recipients=failed, remote=remote
        )
        for record in new:
            record.alerted = True
            tx.save(record)
    return Processed("bounce", f"{ours}: bounced {status}".strip(), ticket=number)


def _bounce_note(email: OutboxEmail, recipients: list[str], status: str) -> str:
    """The ticket's note of a delivery failure, in our words (the remote server's text is
    kept in the event's data, and shown quoted beside it)."""
    shown = f" (status {status})" if status else ""
    return (
        f"E-mail {email.kind} kepada {', '.join(recipients)} tidak terkirim: server penerima"
        f" mengembalikannya{shown}."
    )


def _bounce_error(language: str, status: str) -> str:
    shown = f" (status {status})" if status else ""
    if language == "id":
        return f"Dikembalikan oleh server penerima dengan laporan kegagalan pengiriman{shown}."
    return f"Returned by the receiving server with a delivery failure report{shown}."


def quarantine(
    here: Site, raw: bytes, error: str, *, source: str, now: dt.datetime,
    uid: int | None = None, uidvalidity: int | None = None, kept: int | None = None,
) -> None:  # fmt: skip
    """Keep a message that could not be processed, with the reason, for a later replay.

    A message kept already (``kept``, being replayed; or the same message quarantined
    before, by its Message-ID or its bytes, injected again) is kept once: its row gets the
    new reason."""
    sha256 = hashlib.sha256(raw).hexdigest()
    message = parse(raw)  # never raises; what a listing shows of the message
    with here.store.transaction() as tx:
        existing = tx.inbound(kept) if kept is not None else None
        existing = existing or tx.quarantined_inbound(message.message_id, sha256)
        if existing is not None:
            existing.outcome, existing.detail = "quarantine", error[:4000]
            tx.save(existing)
            return
        tx.add_inbound(
            Inbound(
                message_id=message.message_id,
                raw_sha256=sha256,
                raw=raw,
                size=len(raw),
                from_address=message.from_address,
                subject=message.subject,
                source=source,
                uid=uid,
                uidvalidity=uidvalidity,
                received_at=now,
                outcome="quarantine",
                detail=error[:4000],
                created_at=now,
            )
        )


def process_with_retries(
    here: Site, raw: bytes, *, source: str, now: Callable[[], dt.datetime], attempts: int,
    uid: int | None = None, uidvalidity: int | None = None,
    received_at: dt.datetime | None = None, kept: int | None = None,
) -> Processed:  # fmt: skip
    """Try a message a few times; if it still fails, quarantine it. Never raises for a bad
    message: one broken e-mail must not block the mailbox. ``kept``: see process_message."""
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            return process_message(
                here, raw, source=source, now=now(), uid=uid, uidvalidity=uidvalidity,
                received_at=received_at, kept=kept,
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - isolate the message, keep the loop going
            last = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            log.warning("message %s: attempt %d failed: %s", uid or source, attempt, last)
            log.debug("traceback", exc_info=True)
    quarantine(
        here, raw, last, source=source, now=now(), uid=uid, uidvalidity=uidvalidity, kept=kept
    )
    return Processed("quarantine", last)


def poll_mailbox(here: Site, mailbox: Mailbox, *, now: Callable[[], dt.datetime]) -> PollReport:
    """Fetch what arrived since last time, process each message, then move it.

    Messages go in batches of ``intake.batch_size``: each message is processed and
    committed on its own, then the batch's messages are moved, one MOVE per folder (a
    MOVE per message costs the server about as much as all the rest of the intake), and
    only then is the batch's last UID recorded. A crash before the moves fetches the
    batch again, and each message is found already stored."""
    config = here.config
    folder = config.mailbox.folder
    report = PollReport()
    validity = mailbox.uidvalidity
    with here.store.transaction() as tx:
        state = tx.mailbox_state(folder)
        last_uid = state.last_uid if state and state.uidvalidity == validity else 0
        if state and state.uidvalidity != validity:
            log.warning("%s: UIDVALIDITY changed; reading it again from the start", folder)
    uids = mailbox.uids_after(last_uid)
    batch = config.intake.batch_size
    for start in range(0, len(uids), batch):
        chunk = uids[start : start + batch]
        targets: dict[str, list[int]] = {}
        last = None
        for fetched in mailbox.fetch(chunk, batch=batch):
            last = fetched.uid
            report.fetched += 1
            processed = process_with_retries(
                here, fetched.raw, source=f"imap:{folder}", now=now,
                attempts=config.intake.attempts, uid=fetched.uid, uidvalidity=validity,
                received_at=fetched.internal_date,
            )  # fmt: skip
            report.outcomes[processed.outcome] = report.outcomes.get(processed.outcome, 0) + 1
            if processed.outcome == "quarantine":
                report.quarantined += 1
            target = getattr(config.intake.folders, FOLDER_OF.get(processed.outcome, "ignored"))
            targets.setdefault(target, []).append(fetched.uid)
        for target, moved in targets.items():
            mailbox.move(moved, target)
        if last is not None:
            with here.store.transaction() as tx:
                tx.set_mailbox_state(folder, validity, last, now())
    return report
