"""The help desk's operations: each change with the e-mails it calls for, in one transaction.

Every command and job goes through here, so that no workflow event is ever committed
without the e-mails the SOP calls for. The ``*_in`` forms work inside a transaction the
caller already holds (the intake stores the message in the same one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from helpdesk.wiring import Site
from notifier.outbox import queue_for_events
from ticketing.desk import (
    Complaint,
    Filed,
    Moved,
    Registered,
    confirm_email,
    edit,
    move,
    register,
    register_many,
)
from ticketing.formulir import Complete, Incomplete
from ticketing.store import Tx
from ticketing.workflow import Move, Rejected


def register_in(
    tx: Tx,
    here: Site,
    raw: Mapping[str, str | None],
    *,
    channel: str,
    received_at: dt.datetime,
    signature: str,
    now: dt.datetime,
    officer: str | None = None,
    source_message_id: str | None = None,
    form: Complete | None = None,
    arrived_at: dt.datetime | None = None,
) -> Registered | Incomplete | Rejected:
    """`register_many_in` of one complaint, with the ticket and its events as objects of the
    session (`ticketing.desk.register`); the reporter's conversation starts at
    ``source_message_id``, the e-mail that made the report. ``form``: the Formulir as the
    caller has just checked it; ``arrived_at``: when step 1 started, where the caller knows
    it apart from ``received_at`` (`ticketing.desk.Complaint`)."""
    outcome = register(
        tx, here.desk, raw, channel=channel, received_at=received_at, signature=signature,
        now=now, officer=officer, source_message_id=source_message_id, form=form,
        arrived_at=arrived_at,
    )  # fmt: skip
    if isinstance(outcome, Registered):
        recorded = [(outcome.ticket, outcome.events)]
        queue_for_events(tx, here.office, recorded, now=now, new_tickets=True)
    return outcome


def register_many_in(
    tx: Tx, here: Site, complaints: Sequence[Complaint], *, now: dt.datetime
) -> list[Filed | Incomplete | Rejected]:
    """Register many complaints at once (a phone log's chunk), with their acknowledgements:
    the same tickets, events and e-mails as one after another, stored together."""
    outcomes = register_many(tx, here.desk, complaints, now=now)
    filed = [(o.ticket, o.events) for o in outcomes if isinstance(o, Filed)]
    queue_for_events(tx, here.office, filed, now=now, new_tickets=True)
    return outcomes


def register_complaint(
    here: Site,
    raw: Mapping[str, str | None],
    *,
    channel: str,
    received_at: dt.datetime,
    signature: str,
    now: dt.datetime,
    officer: str | None = None,
    source_message_id: str | None = None,
    also: Callable[[Tx, Registered], None] | None = None,
) -> Registered | Incomplete | Rejected:
    """Register a complaint with its acknowledgement; ``also`` runs in the same transaction
    (to archive a file with the ticket, say). Nothing is stored unless it is complete."""
    with here.store.transaction() as tx:
        outcome = register_in(
            tx, here, raw, channel=channel, received_at=received_at, signature=signature,
            now=now, officer=officer, source_message_id=source_message_id,
        )  # fmt: skip
        if isinstance(outcome, Registered) and also is not None:
            also(tx, outcome)
        return outcome


def move_in(
    tx: Tx, here: Site, number: str, request: Move, *, now: dt.datetime
) -> Moved | Rejected:
    outcome = move(tx, here.desk, number, request, now=now)
    if isinstance(outcome, Moved):
        queue_for_events(tx, here.office, [(outcome.ticket, [outcome.event])], now=now)
    return outcome


def move_ticket(here: Site, number: str, request: Move, *, now: dt.datetime) -> Moved | Rejected:
    """One workflow move with the e-mails it calls for, or why the SOP refuses it."""
    with here.store.transaction() as tx:
        return move_in(tx, here, number, request, now=now)


def edit_ticket(
    here: Site,
    number: str,
    actor: str,
    raw: Mapping[str, str],
    *,
    now: dt.datetime,
    channel: str = "cli",
    reason: str = "",
) -> Moved | Incomplete | Rejected:
    """Correct a ticket's Formulir (`ticketing.desk.edit`), with the e-mails it calls for."""
    with here.store.transaction() as tx:
        outcome = edit(
            tx, here.desk, number, actor, raw, now=now, channel=channel, reason=reason,
            language=here.config.office.language,
        )  # fmt: skip
        if isinstance(outcome, Moved):
            queue_for_events(tx, here.office, [(outcome.ticket, [outcome.event])], now=now)
        return outcome


def confirm_email_in(
    tx: Tx, here: Site, number: str, *, actor: str, reporter: bool, channel: str,
    now: dt.datetime,
) -> Moved | Rejected:  # fmt: skip
    """Confirm the form's e-mail address of ticket ``number`` (ticketing.desk.confirm_email);
    the reporter's later e-mails go to it too."""
    outcome = confirm_email(
        tx, here.desk, number, actor=actor, reporter=reporter, channel=channel, now=now
    )
    if isinstance(outcome, Moved):
        queue_for_events(tx, here.office, [(outcome.ticket, [outcome.event])], now=now)
    return outcome


def confirm_ticket_email(
    here: Site, number: str, *, actor: str, channel: str, now: dt.datetime
) -> Moved | Rejected:
    """A help-desk officer confirms the form's e-mail address, in one transaction."""
    with here.store.transaction() as tx:
        return confirm_email_in(
            tx, here, number, actor=actor, reporter=False, channel=channel, now=now
        )
