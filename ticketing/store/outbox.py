"""The outbox: our e-mails, queued in the transaction of what calls for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select

from ticketing.models import OutboxEmail, Ticket
from ticketing.store.base import Part, chunks
from ticketing.vocabulary import OutboxStatus


class Outbox(Part):
    def enqueue(self, emails: Sequence[OutboxEmail]) -> list[OutboxEmail]:
        """Queue e-mails in this transaction: they exist exactly when its events do."""
        for email in emails:
            self.session.add(email)
        self.session.flush()
        return list(emails)

    def outbox(
        self, statuses: Sequence[str] = (), ticket: Ticket | None = None, limit: int | None = None
    ) -> list[OutboxEmail]:
        statement = select(OutboxEmail)
        if statuses:
            statement = statement.where(col(OutboxEmail.status).in_(list(statuses)))
        if ticket is not None:
            statement = statement.where(OutboxEmail.ticket_id == ticket.id)
        statement = statement.order_by(col(OutboxEmail.id))
        if limit:
            statement = statement.limit(limit)
        return list(self.session.exec(statement))

    def threads(self, ticket_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """Each ticket's e-mails so far as (kind, Message-ID), in the order they were queued,
        in one query for a few hundred tickets (each ticket a key): what threads the next
        e-mails about them (`notifier.outbox`)."""
        found: dict[int, list[tuple[str, str]]] = {i: [] for i in ticket_ids}
        for group in chunks(list(found)):
            statement = (
                select(OutboxEmail.ticket_id, OutboxEmail.kind, OutboxEmail.message_id)
                .where(col(OutboxEmail.ticket_id).in_(group))
                .order_by(col(OutboxEmail.id))
            )
            for ticket_id, kind, message_id in self.session.exec(statement):
                if ticket_id is not None:
                    found[ticket_id].append((kind, message_id))
        return found

    def outbox_email(self, email_id: int) -> OutboxEmail | None:
        return self.session.get(OutboxEmail, email_id)

    def outbox_emails(self, email_ids: Sequence[int]) -> dict[int, OutboxEmail]:
        """The e-mails with these ids, by id, in one query for a few hundred of them."""
        found: dict[int, OutboxEmail] = {}
        for group in chunks(email_ids):
            statement = select(OutboxEmail).where(col(OutboxEmail.id).in_(group))
            found.update((e.id, e) for e in self.session.exec(statement) if e.id is not None)
        return found

    def outbox_by_message_id(self, message_id: str) -> OutboxEmail | None:
        statement = select(OutboxEmail).where(OutboxEmail.message_id == message_id)
        return self.session.exec(statement).first()

    def recent_auto_replies_to(
        self, recipients: Sequence[str], since: dt.datetime
    ) -> dict[str, int]:
        """How many automatic replies went (or will go) to each of ``recipients`` (lower
        case) since ``since``, in one query for a few hundred of them: each is a key, 0 for
        those with none."""
        counts = dict.fromkeys(recipients, 0)
        for group in chunks(list(counts)):
            statement = (
                select(OutboxEmail.recipient, func.count())
                .where(
                    col(OutboxEmail.recipient).in_(group),
                    OutboxEmail.auto_submitted == "auto-replied",
                    OutboxEmail.status != OutboxStatus.SUPPRESSED,
                    col(OutboxEmail.created_at) >= since,
                )
                .group_by(col(OutboxEmail.recipient))
            )
            counts.update({recipient: int(n) for recipient, n in self.session.exec(statement)})
        return counts

    def recent_kind_queued(self, kind: str, since: dt.datetime) -> int:
        """E-mails of ``kind`` queued since ``since`` to be sent (not held by a limit)."""
        statement = select(func.count()).where(
            OutboxEmail.kind == kind,
            OutboxEmail.status != OutboxStatus.SUPPRESSED,
            col(OutboxEmail.created_at) >= since,
        )
        return int(self.session.exec(statement).one())

    def first_sent(self, ticket_ids: Sequence[int], kinds: Sequence[str]) -> dict[int, dt.datetime]:
        """Of ``ticket_ids``, when the first e-mail of one of ``kinds`` was sent, by ticket."""
        if not ticket_ids:
            return {}
        statement = (
            select(OutboxEmail.ticket_id, func.min(OutboxEmail.sent_at))
            .where(
                col(OutboxEmail.ticket_id).in_(list(ticket_ids)),
                col(OutboxEmail.kind).in_(list(kinds)),
                OutboxEmail.status == OutboxStatus.SENT,
            )
            .group_by(col(OutboxEmail.ticket_id))
        )
        return {
            ticket_id: sent for ticket_id, sent in self.session.exec(statement)
            if ticket_id is not None and sent is not None
        }  # fmt: skip
