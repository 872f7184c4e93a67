"""A verified delivery report applied to the e-mail it is about, in the caller's transaction.

One record per (e-mail, recipient) however often the failure is reported; the first marks
the e-mail bounced and notes it on its ticket; the help desk is alerted once per e-mail
(within the alerts' hourly cap). A report that the receiving side is still trying only
notes the delay on the e-mail. The remote server's text is kept apart from our words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from notifier.formatting import remote_text
from notifier.outbox import queue_delivery_failure
from notifier.policy import BOUNCE_ACTOR, SYSTEM_NOTES, Office, email_kind
from ticketing.models import BounceRecord
from ticketing.store import Tx
from ticketing.vocabulary import OutboxStatus


@dataclass(frozen=True)
class Report:
    """What a delivery report says of one of our e-mails (the parsed DSN's fields)."""

    status: str | None  # e.g. "5.1.1"
    action: str | None  # failed / delayed / ...
    remote: str | None  # the remote server's words, never ours


@dataclass(frozen=True)
class Recorded:
    """What became of a verified report: said in our words, and the e-mail's ticket."""

    detail: str
    ticket: str | None


def record_bounce(
    tx: Tx, office: Office, outbox_id: int, recipients: Sequence[str], report: Report, *,
    now: dt.datetime,
) -> Recorded:  # fmt: skip
    """Our e-mail ``outbox_id`` did not reach ``recipients`` (verified: see intake.route)."""
    original = tx.outbox_email(outbox_id)
    assert original is not None and original.id is not None
    ticket = tx.ticket_by_id(original.ticket_id) if original.ticket_id else None
    number = ticket.number if ticket else None
    shown = ", ".join(recipients)
    ours = f"e-mail {original.id} ({original.kind}) to {shown}"
    remote = report.remote
    quoted = f'; the remote server wrote: "{remote_text(remote, 200)}"' if remote else ""
    status = report.status or ""
    if (report.action or "").lower() == "delayed" or status.startswith("4"):
        # Still being tried by the receiving side: note it, nothing failed yet.
        if original.status != OutboxStatus.BOUNCED:
            original.last_error = f"delayed {status} for {shown}{quoted}"[:1000]
            tx.save(original)
        return Recorded(f"delayed, still being tried: {ours}", number)
    new = _records(tx, original.id, recipients, report, now)
    if not new:
        return Recorded(f"repeat: {ours} recorded before", number)
    failed = [record.recipient for record in new]
    original.status = OutboxStatus.BOUNCED
    original.last_error = f"bounced {status} for {', '.join(failed)}{quoted}"[:1000]
    tx.save(original)
    notes = SYSTEM_NOTES[office.settings.language]
    status_shown = notes["status"].format(status=status) if status else ""
    if ticket is not None:
        note = notes["bounced"].format(
            kind=email_kind(office.settings.language, original.kind),
            recipients=", ".join(failed), status=status_shown,
        )  # fmt: skip
        tx.add_event(
            ticket, at=now, actor=BOUNCE_ACTOR, action="note", from_state=ticket.state,
            to_state=ticket.state, note=note, channel="email",
            data={"bounce": {"outbox_id": original.id, "kind": original.kind,
                             "recipients": failed, "status": report.status,
                             "remote_text": report.remote}},
        )  # fmt: skip
    if not any(record.alerted for record in tx.bounce_records(original.id)):
        error = notes["bounce_error"].format(status=status_shown)
        queue_delivery_failure(
            tx, office, original, error, now=now, recipients=failed, remote=report.remote
        )
        for record in new:
            record.alerted = True
            tx.save(record)
    return Recorded(f"{ours}: bounced {status}".strip(), number)


def _records(
    tx: Tx, outbox_id: int, recipients: Sequence[str], report: Report, now: dt.datetime
) -> list[BounceRecord]:
    """The report counted on each recipient's record; the records it made new."""
    new: list[BounceRecord] = []
    for address in recipients:
        record = tx.bounce_record(outbox_id, address)
        if record is not None:
            record.count += 1
            record.last_at = now
            tx.save(record)
            continue
        new.append(
            tx.add_bounce_record(
                BounceRecord(
                    outbox_id=outbox_id,
                    recipient=address,
                    status=report.status,
                    action=report.action,
                    remote_text=report.remote,
                    first_at=now,
                    last_at=now,
                )  # fmt: skip
            )
        )
    return new
